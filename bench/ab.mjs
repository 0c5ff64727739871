// node bench/ab.mjs <old-worktree-dir> [--n=256] [--c=10] [--rounds=60] [--calls=200] [--ops=softmax,...]
//                          [--threads=auto]
//
// Call overhead, A/B in one process: this checkout's web/index.js ("new") against another checkout's
// ("old", e.g. a worktree of 0.1: git worktree add ../ab-old fde82eb --detach, symlink node_modules, then
// bash scripts/build.sh there). Both load their SIMD build. Each round times `calls` back-to-back calls of
// every op with old and new interleaved (their order alternating between rounds), so a busy neighbour
// slows both alike; the table gives each side's minimum over the rounds, in microseconds per call, and
// the ratio new/old. The copying API with the common options only (classes, Float32Array input, no shape),
// at a small N x C, where the time is the call's fixed cost rather than the kernel's.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flags = Object.fromEntries(
  args.filter((a) => a.startsWith('--')).map((a) => /^--([^=]+)=(.*)$/.exec(a)?.slice(1) ?? [a.slice(2), 'true']),
);
const oldDir = args.find((a) => !a.startsWith('--'));
if (!oldDir) {
  console.error(
    'usage: node bench/ab.mjs <old-worktree-dir> [--n=256] [--c=10] [--rounds=60] [--calls=200] [--ops=a,b]',
  );
  process.exit(2);
}
const N = Number(flags.n ?? 256);
const C = Number(flags.c ?? 10);
const ROUNDS = Number(flags.rounds ?? 60);
const CALLS = Number(flags.calls ?? 200);

// threads: 1, the SIMD build (0.1 ignores the option); --threads=auto gives the new side load()'s default,
// which on a machine with shared memory and several cores is the threaded build.
const threads = flags.threads === 'auto' ? 'auto' : 1;
const loadFrom = async (dir, options) =>
  (await import(pathToFileURL(path.resolve(dir, 'web/index.js')).href)).load({ simd: true, ...options });
const here = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const sides = { old: await loadFrom(oldDir, {}), new: await loadFrom(here, { threads }) };

// Deterministic inputs (a small LCG): logits in [-4, 4), labels in [0, C), BCE targets in [0, 1).
let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const x = Float32Array.from({ length: N * C }, () => rand() * 8 - 4);
const probs = sides.old.softmax(x, { classes: C });
const gradOut = Float32Array.from({ length: N * C }, () => rand() - 0.5);
const labels = Int32Array.from({ length: N }, () => Math.floor(rand() * C));
const y = Float32Array.from({ length: N * C }, () => rand());
const opts = { classes: C };

const OPS = {
  softmax: (xe) => xe.softmax(x, opts),
  logSoftmax: (xe) => xe.logSoftmax(x, opts),
  softmaxBackward: (xe) => xe.softmaxBackward(probs, gradOut, opts),
  crossEntropy: (xe) => xe.crossEntropy(x, labels, opts),
  crossEntropyWithGrad: (xe) => xe.crossEntropyWithGrad(x, labels, opts),
  sigmoid: (xe) => xe.sigmoid(x),
  binaryCrossEntropy: (xe) => xe.binaryCrossEntropy(x, y),
  binaryCrossEntropyWithGrad: (xe) => xe.binaryCrossEntropyWithGrad(x, y),
  evaluate: (xe) => xe.evaluate(x, labels, opts),
};
const ops = flags.ops ? flags.ops.split(',') : Object.keys(OPS);
for (const op of ops) if (!OPS[op]) throw new Error(`ab: unknown op ${op} (${Object.keys(OPS).join(', ')})`);

const best = Object.fromEntries(ops.map((op) => [op, { old: Infinity, new: Infinity }]));
let sink = 0;
function time(op, side) {
  const f = OPS[op];
  const xe = sides[side];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += f(xe) === undefined ? 1 : 0;
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / CALLS;
  if (us < best[op][side]) best[op][side] = us;
}
for (const op of ops) for (const side of ['old', 'new']) for (let i = 0; i < 3; i++) time(op, side); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? ['old', 'new'] : ['new', 'old'];
  for (const op of ops) for (const side of order) time(op, side);
}

console.log(
  `ab: ${N}x${C}, new with threads: ${sides.new.threads}, min of ${ROUNDS} rounds of ${CALLS} calls, us per call (old: ${oldDir})`,
);
console.log('| op | old us | new us | new/old |\n|---|---:|---:|---:|');
for (const op of ops) {
  const { old, new: now } = best[op];
  console.log(`| ${op} | ${old.toFixed(2)} | ${now.toFixed(2)} | ${(now / old).toFixed(3)} |`);
}
if (sink) throw new Error('ab: an op returned undefined');
