// npm run bench [-- --quick] [--impls=a,b] [--shapes=64x32000,...] [--ops=loss,lossgrad,softmax,topk,eval,evalx,fit]
//                [--rounds=N] [--round-ms=MS] [--repeat=K] [--scalar] [--json=path] [--browser=chromium|firefox]
// Every (implementation, shape, op) cell runs in its own child process (bench/child.mjs): warm-up,
// rounds of >= round-ms each, the median of the rounds; a result counts only once it matches the float64
// reference (first and last call). --repeat=K sweeps K times and keeps each cell's fastest median (for a
// shared, noisy machine). Prints markdown tables and writes bench/results.json (--quick: results-quick.json).
// --browser: the same cells in a fresh cross-origin-isolated page of Debian's Chromium or Firefox ESR each
// (bench/browser.mjs), the peers also with threads; writes bench/results-<browser>.json.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPS, OP_NAMES, OP_SHAPES, SHAPES, parseShape, shapeName } from './data.mjs';
import { IMPLS, applies } from './impls.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

// ---------------------------------------------------------------- options

// `--browser chromium` (as npm passes it) is read as `--browser=chromium`.
const argv = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = process.argv[i + 1];
  argv.push(a === '--browser' && next && !next.startsWith('--') ? `--browser=${process.argv[++i]}` : a);
}
const args = Object.fromEntries(
  argv.map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`bench: unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['quick', 'impls', 'shapes', 'ops', 'rounds', 'round-ms', 'repeat', 'scalar', 'json', 'help', 'browser'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`bench: unknown option --${k}`);
if (args.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 8)
      .join('\n'),
  );
  process.exit(0);
}
const quick = Boolean(args.quick);
const timing = quick
  ? { warmupMs: 30, roundMs: 20, rounds: 3, maxCellMs: 300 }
  : { warmupMs: 250, roundMs: 100, rounds: 5, maxCellMs: 2000 };
if (args.rounds) timing.rounds = Number(args.rounds);
if (args['round-ms']) timing.roundMs = Number(args['round-ms']);
// Two sweeps by default: the best of two medians taken a minute apart resists a busy neighbour better
// than more rounds in a row.
const repeat = Math.max(1, Number(args.repeat ?? (quick ? 1 : 2)));
// --quick leaves out tfjs-cpu (20-100x slower than every other peer, and seconds per call) unless asked for.
// Node leaves out the browser-only peers (with threads), a browser the Node-only ones (floor, tfjs-cpu).
const browser = typeof args.browser === 'string' ? args.browser : args.browser ? 'chromium' : null;
const defaultImpls = Object.keys(IMPLS).filter(
  (k) =>
    (!IMPLS[k].optional || (k === 'xentropy-scalar' && args.scalar)) &&
    !(quick && k === 'tfjs-cpu') &&
    IMPLS[k].where !== (browser ? 'node' : 'browser'),
);
const impls = args.impls ? args.impls.split(',') : defaultImpls;
for (const i of impls)
  if (!IMPLS[i]) throw new Error(`bench: unknown implementation ${i} (${Object.keys(IMPLS).join(', ')})`);
// In a browser: the contract's table (loss, loss + grad, softmax, evaluate) and Classifier.fit.
const ops = args.ops ? args.ops.split(',') : browser ? ['loss', 'lossgrad', 'softmax', 'eval', 'fit'] : OPS;
for (const o of ops) if (!OPS.includes(o)) throw new Error(`bench: unknown op ${o} (${OPS.join(', ')})`);
// --shapes applies to every op; without it each op runs over its own shapes (OP_SHAPES) or SHAPES.
const shapesFor = (op) => (args.shapes ? args.shapes.split(',').map(parseShape) : (OP_SHAPES[op] ?? SHAPES));
const shapeOrder = [...SHAPES, ...Object.values(OP_SHAPES).flat()].map(shapeName);
const cellList = ops
  .flatMap((op) => shapesFor(op).map((shape) => ({ op, shape })))
  .sort(
    (a, b) =>
      shapeOrder.indexOf(shapeName(a.shape)) - shapeOrder.indexOf(shapeName(b.shape)) ||
      ops.indexOf(a.op) - ops.indexOf(b.op),
  );
const jsonPath =
  typeof args.json === 'string'
    ? path.resolve(args.json)
    : path.join(here, `results${browser ? `-${browser}` : ''}${quick ? '-quick' : ''}.json`);

// Targets for xentropy's copying API against the fastest peer (none for the report: no peer computes it).
const TARGET = {
  loss: 2,
  lossgrad: 3,
  softmax: 1.2,
  topk: 3,
  focalgrad: 3,
  zlossgrad: 3,
  bcegrad: 3,
  sfocalgrad: 3,
  fit: 3,
};
// Targets between two of xentropy's own ops on the same logits: [op, relative to, at most this ratio].
// INTERNAL: topK and the report, for both APIs; COST: the 0.2 losses, copying API, in a table of their own.
const INTERNAL = [
  ['topk', 'loss', 1.3],
  ['evalx', 'eval', 1.25],
];
const COST = [
  ['focalgrad', 'lossgrad', 1.6],
  ['sfocalgrad', 'bcegrad', 1.5],
  ['zlossgrad', 'lossgrad', 1.05],
];

// ---------------------------------------------------------------- the floor module

function buildFloor() {
  const src = path.join(here, 'floor.c');
  const out = path.join(here, '.build', 'floor.wasm');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return null;
  mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(
    'emcc',
    [
      '-O3',
      '-msimd128',
      '--no-entry',
      '-sSTANDALONE_WASM=1',
      '-sALLOW_MEMORY_GROWTH=1',
      '-sMAXIMUM_MEMORY=2GB',
      '-o',
      out,
      src,
    ],
    { env: { ...process.env, NODE_PATH: process.env.NODE_PATH ?? '/usr/share/nodejs' }, encoding: 'utf8' },
  );
  if (r.error || r.status !== 0) return `floor.wasm not built: ${r.error?.message ?? r.stderr.trim()}`;
  return null;
}

// ---------------------------------------------------------------- a snapshot of the library

// The children load xentropy from a copy of web/ and dist/ taken now, so that a rebuild during the run
// (scripts/build.sh from another terminal) cannot hand a child a glue file and a .wasm from two builds.
function snapshotLibrary() {
  const snap = path.join(here, '.build', 'lib');
  rmSync(snap, { recursive: true, force: true });
  for (const d of ['web', 'dist']) cpSync(path.join(root, d), path.join(snap, d), { recursive: true });
  return path.join(snap, 'web', 'index.js');
}

// ---------------------------------------------------------------- children

// Runs cells [{ op, shape }] of one implementation in one child; resolves to one result per cell.
function runChild(impl, cells) {
  const nodeArgs = IMPLS[impl].tfjs ? ['--import', path.join(here, 'tfjs-register.mjs')] : [];
  const spec = JSON.stringify({ impl, cells, timing });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(here, 'child.mjs'), spec], {
      cwd: root,
      env: { ...process.env, XE_BENCH_LIB: libEntry },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000 * cells.length);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const got = stdout
        .split('\n')
        .filter((l) => l.startsWith('@@result '))
        .map((l) => JSON.parse(l.slice(9)));
      const why = `child exited (${signal ?? code}) early: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
      resolve(cells.map((_, i) => got[i] ?? { status: 'error', why }));
    });
  });
}

// In a browser: one page per (implementation, cells), run by bench/browser.mjs.
let engine = null;
const runCells = (impl, cells) => (engine ? engine.run(impl, cells, timing) : runChild(impl, cells));

// ---------------------------------------------------------------- formatting

const fmt = (ms) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(2);
const fmtX = (x) => (x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);

function cell(r) {
  if (!r) return '';
  if (r.status === 'ok') return fmt(r.ms);
  if (r.status === 'n/a') return r.same ? `= ${IMPLS[r.same]?.label ?? r.same}` : 'n/a';
  return r.status === 'FAIL' ? 'FAIL' : 'error';
}

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** The CPU's model name, from /proc/cpuinfo where there is one. */
function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? '?';
}

function version(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- main

const floorProblem = impls.includes('floor') && !browser ? buildFloor() : null;
const libEntry = snapshotLibrary();
if (floorProblem) console.error(`bench: ${floorProblem}`);

const meta = {
  date: new Date().toISOString(),
  quick,
  timing,
  repeat,
  node: process.version,
  v8: process.versions.v8,
  cpu: cpuModel(),
  cores: os.cpus().length,
  platform: `${os.platform()} ${os.arch()}`,
  loadavg: os.loadavg(),
  versions: Object.fromEntries(
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', 'onnxruntime-web'].map(
      (p) => [p, version(p)],
    ),
  ),
  xentropy: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version,
};
meta.versions['@tensorflow/tfjs-layers'] = version('@tensorflow/tfjs-layers');
if (browser) {
  const { openBrowser } = await import('./browser.mjs');
  engine = await openBrowser(browser);
  meta.engine = `${engine.label} ${engine.version}`;
  meta.browserCores = engine.env.cores;
  meta.userAgent = engine.env.userAgent;
}

if (os.loadavg()[0] > os.cpus().length * 0.75) {
  console.error(
    `bench: warning: load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; timings will be noisy`,
  );
}
const t0 = Date.now();
const total = cellList.reduce((k, { op }) => k + impls.filter((i) => applies(i, op)).length, 0) * repeat;
const byCell = new Map(); // impl|shape|op -> results of every pass
let done = 0;
function record(impl, { op, shape }, r) {
  const key = `${impl}|${shapeName(shape)}|${op}`;
  if (!byCell.has(key)) byCell.set(key, { impl, op, shape, passes: [] });
  byCell.get(key).passes.push(r);
  done++;
  const what = r.status === 'ok' ? `${fmt(r.ms)} ms (err ${r.err.toExponential(1)})` : `${r.status}: ${r.why}`;
  console.error(`[${done}/${total}] ${shapeName(shape).padEnd(9)} ${op.padEnd(8)} ${impl.padEnd(17)} ${what}`);
}
const cellsOf = () => cellList;
for (let pass = 0; pass < repeat; pass++) {
  if (quick) {
    // One process per implementation.
    for (const impl of impls) {
      const cells = cellsOf().filter(({ op }) => applies(impl, op));
      if (!cells.length) continue;
      const rs =
        impl === 'floor' && floorProblem
          ? cells.map(() => ({ status: 'n/a', why: floorProblem }))
          : await runCells(impl, cells);
      cells.forEach((cell, i) => record(impl, cell, rs[i]));
    }
  } else {
    // One process per cell; the implementations of one cell run back to back, so drift in the machine's
    // load affects a comparison as little as possible.
    for (const cell of cellsOf()) {
      for (const impl of impls.filter((i) => applies(i, cell.op))) {
        const [r] =
          impl === 'floor' && floorProblem ? [{ status: 'n/a', why: floorProblem }] : await runCells(impl, [cell]);
        record(impl, cell, r);
      }
    }
  }
}
// A cell counts only if every pass passed its checks; its time is the fastest pass's median.
const results = [...byCell.values()].map(({ impl, op, shape, passes }) => {
  const bad = passes.find((r) => r.status !== 'ok');
  const best = bad ?? passes.reduce((a, b) => (b.ms < a.ms ? b : a));
  const r = {
    impl,
    label: IMPLS[impl].label,
    kind: IMPLS[impl].kind,
    shape: shapeName(shape),
    rows: shape[0],
    classes: shape[1],
    op,
    ...best,
  };
  if (passes.length > 1) r.passMedians = passes.map((p) => p.ms ?? null);
  return r;
});
meta.seconds = (Date.now() - t0) / 1000;
await engine?.close();

// Summary per (shape, op): fastest peer and ratios.
const get = (impl, shape, op) => results.find((r) => r.impl === impl && r.shape === shape && r.op === op);
const summary = [];
for (const { op, shape: dims } of cellList) {
  {
    const shape = shapeName(dims);
    const peers = results.filter((r) => r.shape === shape && r.op === op && r.kind === 'peer' && r.status === 'ok');
    const best = peers.sort((a, b) => a.ms - b.ms)[0];
    const floor = get('floor', shape, op);
    const s = {
      shape,
      op,
      fastestPeer: best?.impl ?? null,
      fastestPeerMs: best?.ms ?? null,
      target: TARGET[op],
      speedup: {},
      overFloor: {},
    };
    for (const r of results.filter(
      (q) => q.shape === shape && q.op === op && q.status === 'ok' && q.kind !== 'floor',
    )) {
      if (best) s.speedup[r.impl] = best.ms / r.ms;
      if (floor?.status === 'ok' && r.kind === 'xentropy') s.overFloor[r.impl] = r.ms / floor.ms;
    }
    s.met = s.speedup.xentropy !== undefined && TARGET[op] ? s.speedup.xentropy >= TARGET[op] : null;
    summary.push(s);
  }
}

// xentropy's own ratios (same process kind, same logits): topK against the loss, the report against plain
// evaluate.
const internal = [];
for (const [op, base, limit] of INTERNAL) {
  for (const { op: o, shape: dims } of cellList) {
    if (o !== op) continue;
    const shape = shapeName(dims);
    for (const impl of ['xentropy', 'xentropy-zc']) {
      const a = get(impl, shape, op);
      const b = get(impl, shape, base);
      if (a?.status === 'ok' && b?.status === 'ok')
        internal.push({ impl, shape, op, base, ratio: a.ms / b.ms, limit, met: a.ms / b.ms <= limit });
    }
  }
}

writeFileSync(jsonPath, `${JSON.stringify({ meta, results, summary, internal }, null, 2)}\n`);

// ---------------------------------------------------------------- tables

const shown = impls.filter((i) => results.some((r) => r.impl === i));
const labels = shown.map((i) => IMPLS[i].label);
const out = [];
out.push(`## Time per call, ms (median of rounds; lower is better)\n`);
out.push(
  table(
    ['op', 'shape', ...labels],
    summary.map((s) => [OP_NAMES[s.op], s.shape, ...shown.map((i) => cell(get(i, s.shape, s.op)))]),
  ),
);
out.push(`\n## Speedup against the fastest peer (higher is better)\n`);
const others = shown.filter((i) => IMPLS[i].kind !== 'floor');
out.push(
  table(
    [
      'op',
      'shape',
      'fastest peer',
      ...others.map((i) => IMPLS[i].label),
      'target (copying)',
      'met',
      'xentropy / floor',
      'zero-copy / floor',
    ],
    summary.map((s) => [
      OP_NAMES[s.op],
      s.shape,
      s.fastestPeer ? `${IMPLS[s.fastestPeer].label} ${fmt(s.fastestPeerMs)} ms` : 'none',
      ...others.map((i) => {
        if (s.speedup[i] !== undefined) return fmtX(s.speedup[i]);
        const r = get(i, s.shape, s.op);
        return r?.status === 'ok' ? '–' : cell(r); // no peer to compare with, or not measured
      }),
      s.target ? `${s.target}×` : '–',
      s.met === null ? '?' : s.met ? 'yes' : '**no**',
      s.overFloor.xentropy !== undefined ? fmtX(s.overFloor.xentropy) : '',
      s.overFloor['xentropy-zc'] !== undefined ? fmtX(s.overFloor['xentropy-zc']) : '',
    ]),
  ),
);

if (internal.length) {
  out.push(`\n## xentropy against itself, same logits (lower is better)\n`);
  out.push(
    table(
      ['op', 'shape', 'implementation', 'relative to', 'ratio', 'limit', 'met'],
      internal.map((r) => [
        OP_NAMES[r.op],
        r.shape,
        IMPLS[r.impl].label,
        OP_NAMES[r.base],
        fmtX(r.ratio),
        `${r.limit}×`,
        r.met ? 'yes' : '**no**',
      ]),
    ),
  );
}

// Threads: 2 against 1, each API (issue #14: zero-copy >= 1.6x, copying >= 1.4x, Classifier.fit >= 1.5x).
const THREAD_TARGET = { 'xentropy-zc': 1.6, xentropy: 1.4, fit: 1.5 };
if (shown.includes('xentropy-2t') || shown.includes('xentropy-zc-2t')) {
  out.push(`\n## Threads: 2 against 1 (higher is better)\n`);
  const ratio = (one, two, shape, op) => {
    const a = get(one, shape, op),
      b = get(two, shape, op);
    return a?.status === 'ok' && b?.status === 'ok' ? a.ms / b.ms : undefined;
  };
  out.push(
    table(
      ['op', 'shape', 'zero-copy 1 → 2 threads', 'target', 'copying 1 → 2 threads', 'target'],
      summary.map((s) => {
        const zc = ratio('xentropy-zc', 'xentropy-zc-2t', s.shape, s.op);
        const cp = ratio('xentropy', 'xentropy-2t', s.shape, s.op);
        const mark = (x, t) => (x === undefined ? '' : `${fmtX(x)}${x >= t ? '' : ' **no**'}`);
        const copying = THREAD_TARGET[s.op] ?? THREAD_TARGET.xentropy;
        return [
          OP_NAMES[s.op],
          s.shape,
          mark(zc, THREAD_TARGET['xentropy-zc']),
          zc === undefined ? '' : `${THREAD_TARGET['xentropy-zc']}×`,
          mark(cp, copying),
          `${copying}×`,
        ];
      }),
    ),
  );
}

// Compact table for the README: xentropy (both APIs, one thread and, where measured, two) with its
// speedups, and the peers.
const peers = shown.filter((i) => IMPLS[i].kind === 'peer');
const ours = ['xentropy', 'xentropy-zc', 'xentropy-2t', 'xentropy-zc-2t'].filter((i) => shown.includes(i));
const fastest = (s, list) => Math.max(...list.map((i) => s.speedup[i] ?? -Infinity));
out.push(`\n## README table${browser ? `: ${meta.engine}` : ''}\n`);
out.push(
  table(
    [
      'op',
      'rows × classes',
      ...ours.map((i) => IMPLS[i].label),
      ...peers.map((i) => IMPLS[i].label),
      'speedup vs fastest peer, 1 thread',
      ...(ours.some((i) => i.endsWith('2t')) ? ['with threads'] : []),
    ],
    summary.map((s) => {
      const one = fastest(s, ['xentropy', 'xentropy-zc']);
      const two = fastest(s, ['xentropy-2t', 'xentropy-zc-2t']);
      return [
        OP_NAMES[s.op],
        s.shape.replace('x', ' × '),
        ...ours.map((i) => cell(get(i, s.shape, s.op))),
        ...peers.map((i) => {
          const c = cell(get(i, s.shape, s.op));
          return s.fastestPeer === i ? `**${c}**` : c;
        }),
        one > 0 ? fmtX(one) : '',
        ...(ours.some((i) => i.endsWith('2t')) ? [two > 0 ? fmtX(two) : ''] : []),
      ];
    }),
  ),
);
const peerThreads = (impl) =>
  [...new Set(results.filter((r) => r.impl === impl && r.info).map((r) => r.info))].join(', ') || '?';
const where = browser
  ? `a fresh cross-origin-isolated page of ${meta.engine} each (${meta.browserCores} logical cores), Node ${process.version} driving`
  : `its own Node ${process.version} process each, one thread unless marked`;
out.push(
  `\nms per call, ${repeat > 1 ? `best of ${repeat} sweeps of the ` : ''}median of ${timing.rounds} rounds of >= ${timing.roundMs} ms, ${where}; ` +
    `${meta.cpu}, ${meta.cores} cores, ${meta.date.slice(0, 10)}, load average ${meta.loadavg[0].toFixed(2)} at the start. ` +
    `Typed arrays in, a number or Float32Array out, every result checked against a float64 reference; speedups are against the fastest peer of the same run. ` +
    `Peers: tfjs-core/backend-wasm ${meta.versions['@tensorflow/tfjs-backend-wasm']} (SIMD, 1 thread` +
    (shown.includes('tfjs-wasm-mt')
      ? `; threaded: its threaded SIMD build asked for every core, ${peerThreads('tfjs-wasm-mt')}`
      : '') +
    `), onnxruntime-web ${meta.versions['onnxruntime-web']} (wasm, 1 thread` +
    (shown.includes('ort-mt') ? `; all cores: ${peerThreads('ort-mt')}` : '') +
    `), a two-pass float64 JavaScript loop` +
    (shown.includes('tfjs-layers')
      ? `, tfjs-layers ${meta.versions['@tensorflow/tfjs-layers']} on tfjs-wasm for Classifier.fit`
      : '') +
    `. Bold: the fastest peer.` +
    (browser
      ? ` The peers' own default thread counts in an isolated page are half the cores (tfjs-wasm, also its cap) and min(4, ceil(cores / 2)) (onnxruntime-web): ${Math.max(1, Math.floor(meta.browserCores / 2))} and ${Math.min(4, Math.ceil(meta.browserCores / 2))} here.`
      : '') +
    (quick ? ' (--quick run: short rounds, noisy.)' : ''),
);

const costRows = [];
for (const [op, base, limit] of COST) {
  for (const shape of shapesFor(op).map(shapeName)) {
    const a = get('xentropy', shape, op),
      b = get('xentropy', shape, base);
    if (a?.status === 'ok' && b?.status === 'ok') {
      const r = a.ms / b.ms;
      costRows.push([
        OP_NAMES[op],
        OP_NAMES[base],
        shape,
        fmt(a.ms),
        fmt(b.ms),
        `${r.toFixed(2)}×`,
        `≤ ${limit}×`,
        r <= limit ? 'yes' : '**no**',
      ]);
    }
  }
}
if (costRows.length) {
  out.push(`\n## The 0.2 losses against their base op (xentropy, same run)\n`);
  out.push(table(['op', 'base', 'shape', 'ms', 'base ms', 'ratio', 'target', 'met'], costRows));
}

// Notes on how each peer computes each op, and problems.
const notes = new Map();
for (const r of results) if (r.note) notes.set(`${r.label}, ${OP_NAMES[r.op]}`, r.note);
out.push(`\n## How each implementation computes the ops\n`);
for (const [k, v] of notes) out.push(`- ${k}: ${v}`);
const bad = results.filter((r) => r.status !== 'ok' && r.status !== 'n/a');
if (bad.length) {
  out.push(`\n## Problems\n`);
  for (const r of bad) out.push(`- ${r.label} ${r.shape} ${r.op}: ${r.status}: ${r.why}`);
}
out.push(`\n(${meta.seconds.toFixed(0)} s; JSON: ${path.relative(root, jsonPath)})`);
console.log(out.join('\n'));
