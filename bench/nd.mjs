// npm run bench (after bench/run.mjs), or: node bench/nd.mjs [--quick] [--json=path]
// Segmentation-shaped inputs and float16, each cell in its own child process (warm-up, then the median of
// rounds of >= 100 ms), every result checked against the float64 reference of bench/data.mjs before it
// counts. Prints markdown tables with the ratios of one run and writes bench/results-nd.json.
//   N-D: softmax and loss + grad over logits (8, 21, 128, 128) with the class axis 1, against the same
//        values laid out with the classes last ((8 * 128 * 128) rows of 21), and the peers doing the same:
//        tfjs-wasm (transpose to NHWC, the op, transpose the array result back) and onnxruntime-web
//        (Softmax axis 1; SoftmaxCrossEntropyLoss on (N, C, H, W) plus its gradient written out).
//   float16: crossEntropy at 64 x 32000 through the copying API from a Float16Array against a Float32Array
//        of the same values (needs Float16Array: Node >= 24).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeData, reference, check } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    return [m[1], m[2] ?? true];
  }),
);
const quick = Boolean(args.quick);
const timing = quick ? { warmupMs: 50, roundMs: 30, rounds: 3 } : { warmupMs: 250, roundMs: 100, rounds: 5 };

const [N, C, H, W] = [8, 21, 128, 128];
const P = N * H * W;

// ---------------------------------------------------------------- data (in the child)

// The segmentation logits in (N, C, H, W) and the same values with the classes last (N, H, W, C), with
// the reference in the classes-last layout; nchw(a) moves a classes-last array back.
function segmentation(op) {
  const rows = makeData(P, C, 777); // (P, C): logits and labels in PyTorch's position order
  const x = new Float32Array(P * C);
  const HW = H * W;
  for (let b = 0; b < N; b++)
    for (let s = 0; s < HW; s++) for (let j = 0; j < C; j++) x[(b * C + j) * HW + s] = rows.x[(b * HW + s) * C + j];
  const toRows = (a) => {
    const r = new Float32Array(P * C);
    for (let b = 0; b < N; b++)
      for (let j = 0; j < C; j++) for (let s = 0; s < HW; s++) r[(b * HW + s) * C + j] = a[(b * C + j) * HW + s];
    return r;
  };
  return { x, rows, ref: reference(rows, op), toRows };
}

async function loadXe() {
  const { load } = await import(
    process.env.XE_BENCH_LIB ? pathToFileURL(process.env.XE_BENCH_LIB).href : '../web/index.js'
  );
  return load({ simd: true, threads: 1 }); // one thread, as the peers
}

// ---------------------------------------------------------------- implementations: setup(op) -> { run, view }

const CELLS = {
  async 'xentropy N-D (dim 1)'(op, d) {
    const xe = await loadXe();
    const shape = [N, C, H, W];
    const out = new Float32Array(P * C);
    if (op === 'softmax') return { run: () => xe.softmax(d.x, { shape, dim: 1, out }), view: d.toRows };
    return {
      run: () => xe.crossEntropyWithGrad(d.x, d.rows.labels, { shape, out }),
      view: (r) => ({ loss: r.loss, grad: d.toRows(r.grad) }),
    };
  },
  async 'xentropy classes last'(op, d) {
    const xe = await loadXe();
    const out = new Float32Array(P * C);
    if (op === 'softmax') return { run: () => xe.softmax(d.rows.x, { classes: C, out }) };
    return { run: () => xe.crossEntropyWithGrad(d.rows.x, d.rows.labels, { classes: C, out }) };
  },
  async 'tfjs-wasm (transpose)'(op, d) {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    wasm.setWasmPaths(
      path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep,
    );
    wasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    const onehot = tf.cast(tf.oneHot(tf.tensor1d(d.rows.labels, 'int32'), C), 'float32');
    const flat = tf.tensor1d(
      Int32Array.from(d.rows.labels, (t, i) => i * C + t),
      'int32',
    );
    const scale = tf.scalar(1 / P);
    const call = (fn) => {
      const outs = tf.tidy(() => fn(tf.tensor4d(d.x, [N, C, H, W])));
      const res = outs.map((t) => t.dataSync());
      outs.forEach((t) => t.dispose());
      return res;
    };
    const nhwc = (x4) => tf.reshape(tf.transpose(x4, [0, 2, 3, 1]), [P, C]);
    const nchw = (r) => tf.transpose(tf.reshape(r, [N, H, W, C]), [0, 3, 1, 2]);
    if (op === 'softmax') return { run: () => call((x4) => [nchw(tf.softmax(nhwc(x4)))])[0], view: d.toRows };
    return {
      run: () => {
        const [l, g] = call((x4) => {
          const xt = nhwc(x4);
          const loss = tf.mean(tf.sub(tf.logSumExp(xt, 1), tf.gather(tf.reshape(xt, [P * C]), flat)));
          return [loss, nchw(tf.mul(tf.sub(tf.softmax(xt), onehot), scale))];
        });
        return { loss: l[0], grad: g };
      },
      view: (r) => ({ loss: r.loss, grad: d.toRows(r.grad) }),
    };
  },
  async 'onnxruntime-web (axis 1)'(op, d) {
    const ortm = await import('onnxruntime-web');
    const { model, DT } = await import('./onnx.mjs');
    ortm.env.wasm.numThreads = 1;
    ortm.env.logLevel = 'error';
    const X = { name: 'x', type: DT.FLOAT, dims: [N, C, H, W] };
    const Y = { name: 'y', type: DT.INT64, dims: [N, H, W] };
    const spec =
      op === 'softmax'
        ? {
            nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['p'], attrs: { axis: 1 } }],
            inputs: [X],
            outputs: [{ name: 'p', type: DT.FLOAT, dims: [N, C, H, W] }],
          }
        : {
            nodes: [
              {
                op: 'SoftmaxCrossEntropyLoss',
                inputs: ['x', 'y'],
                outputs: ['loss', 'logp'],
                attrs: { reduction: 'mean' },
              },
              { op: 'Exp', inputs: ['logp'], outputs: ['p'] },
              { op: 'OneHot', inputs: ['y', 'depth', 'onoff'], outputs: ['onehot'], attrs: { axis: 1 } },
              { op: 'Sub', inputs: ['p', 'onehot'], outputs: ['d'] },
              { op: 'Mul', inputs: ['d', 'inv_n'], outputs: ['grad'] },
            ],
            initializers: [
              { name: 'depth', type: DT.INT64, dims: [], data: BigInt64Array.of(BigInt(C)) },
              { name: 'onoff', type: DT.FLOAT, dims: [2], data: Float32Array.of(0, 1) },
              { name: 'inv_n', type: DT.FLOAT, dims: [], data: Float32Array.of(1 / P) },
            ],
            inputs: [X, Y],
            outputs: [
              { name: 'loss', type: DT.FLOAT, dims: [] },
              { name: 'grad', type: DT.FLOAT, dims: [N, C, H, W] },
            ],
          };
    const session = await ortm.InferenceSession.create(model({ opset: 13, ...spec }), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const y = new ortm.Tensor(
      'int64',
      BigInt64Array.from(d.rows.labels, (t) => BigInt(t)),
      [N, H, W],
    );
    const xt = () => new ortm.Tensor('float32', d.x, [N, C, H, W]);
    if (op === 'softmax') return { run: async () => (await session.run({ x: xt() })).p.data, view: d.toRows };
    return {
      run: async () => {
        const r = await session.run({ x: xt(), y });
        return { loss: r.loss.data[0], grad: r.grad.data };
      },
      view: (r) => ({ loss: r.loss, grad: d.toRows(r.grad) }),
    };
  },
  async 'xentropy float32'(op) {
    const xe = await loadXe();
    const data = makeData(64, 32000);
    const x = typeof Float16Array === 'undefined' ? data.x : Float32Array.from(Float16Array.from(data.x));
    return { run: () => xe.crossEntropy(x, data.labels, { classes: 32000 }), data: { ...data, x } };
  },
  async 'xentropy float16'(op) {
    if (typeof Float16Array === 'undefined') return { unsupported: 'no Float16Array in this Node (needs >= 24)' };
    const xe = await loadXe();
    const data = makeData(64, 32000);
    const x = Float16Array.from(data.x);
    return {
      run: () => xe.crossEntropy(x, data.labels, { classes: 32000 }),
      data: { ...data, x: Float32Array.from(x) },
    };
  },
};

// ---------------------------------------------------------------- child: one cell

async function child(name, op) {
  const emit = (o) => process.stdout.write(`@@result ${JSON.stringify(o)}\n`);
  const seg = op === 'loss' ? null : segmentation(op);
  const h = await CELLS[name](op, seg);
  if (h.unsupported) return emit({ status: 'n/a', why: h.unsupported });
  const ref = h.data ? reference(h.data, op) : seg.ref;
  const view = h.view ?? ((r) => r);
  const verify = async () => check(op, view(await h.run()), ref);
  const first = await verify();
  if (!first.ok) return emit({ status: 'FAIL', why: first.why });
  let spent = 0,
    calls = 0;
  while (spent < timing.warmupMs) {
    const t0 = performance.now();
    await h.run();
    spent += performance.now() - t0;
    calls++;
  }
  const iters = Math.max(1, Math.ceil(timing.roundMs / (spent / calls)));
  const rounds = [];
  for (let r = 0; r < timing.rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await h.run();
    rounds.push((performance.now() - t0) / iters);
  }
  const last = await verify();
  if (!last.ok) return emit({ status: 'FAIL', why: `after timing: ${last.why}` });
  rounds.sort((a, b) => a - b);
  emit({ status: 'ok', ms: rounds[rounds.length >> 1], rounds });
}

// ---------------------------------------------------------------- parent

function runCell(name, op) {
  const tfjs = name.startsWith('tfjs') ? ['--import', path.join(here, 'tfjs-register.mjs')] : [];
  const r = spawnSync(process.execPath, [...tfjs, fileURLToPath(import.meta.url), `--cell=${name}`, `--op=${op}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: process.env,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@result '));
  if (!line) return { status: 'error', why: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line.slice(9));
}

const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const cellText = (r) => (r.status === 'ok' ? fmt(r.ms) : `${r.status}${r.why ? ` (${r.why})` : ''}`);

async function parent() {
  const results = { node: process.version, cpu: os.cpus()[0]?.model, date: new Date().toISOString(), nd: {}, f16: {} };
  const ndImpls = [
    'xentropy N-D (dim 1)',
    'xentropy classes last',
    'tfjs-wasm (transpose)',
    'onnxruntime-web (axis 1)',
  ];
  const lines = [];
  lines.push(`N-D: logits (${N}, ${C}, ${H}, ${W}), class axis 1; ms per call (median), ${process.version}`, '');
  lines.push(`| op | ${ndImpls.join(' | ')} | N-D / classes last | fastest peer / N-D |`);
  lines.push(`|---|${ndImpls.map(() => '---:').join('|')}|---:|---:|`);
  for (const op of ['lossgrad', 'softmax']) {
    const row = {};
    for (const name of ndImpls) row[name] = runCell(name, op);
    results.nd[op] = row;
    const ms = (name) => (row[name].status === 'ok' ? row[name].ms : NaN);
    const peer = Math.min(...['tfjs-wasm (transpose)', 'onnxruntime-web (axis 1)'].map(ms).filter((v) => v === v));
    const a = ms('xentropy N-D (dim 1)');
    const opName = op === 'softmax' ? 'softmax' : 'crossEntropyWithGrad';
    lines.push(
      `| ${opName} | ${ndImpls.map((n) => cellText(row[n])).join(' | ')} | ${(a / ms('xentropy classes last')).toFixed(2)}× | ${(peer / a).toFixed(2)}× |`,
    );
  }
  lines.push('', `float16: crossEntropy 64 x 32000, copying API; ms per call (median), ${process.version}`, '');
  lines.push('| op | Float32Array | Float16Array | float32 / float16 |', '|---|---:|---:|---:|');
  const a = runCell('xentropy float32', 'loss');
  const b = runCell('xentropy float16', 'loss');
  results.f16 = { float32: a, float16: b };
  const ratio = a.status === 'ok' && b.status === 'ok' ? `${(a.ms / b.ms).toFixed(2)}×` : 'n/a';
  lines.push(`| crossEntropy (mean) | ${cellText(a)} | ${cellText(b)} | ${ratio} |`);
  console.log(lines.join('\n'));
  const json =
    typeof args.json === 'string'
      ? path.resolve(args.json)
      : path.join(here, quick ? 'results-nd-quick.json' : 'results-nd.json');
  writeFileSync(json, JSON.stringify(results, null, 1));
}

if (args.cell) await child(args.cell, args.op);
else await parent();
process.exit(0);
