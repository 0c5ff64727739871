// node bench/ab-losses.mjs <old-checkout> [<new-checkout>]   env: SHAPES=256x10,512x1000,64x32000 ROUNDS=40 WORK=2e5
//
// cross-entropy with gradient, with z-loss (bench/data.mjs's Z_LOSS) and focal loss with gradient (FOCAL_GAMMA),
// A/B in one process: two checkouts' web/index.js (SIMD build, one thread; the new one defaults to this
// checkout), plus bench/impls.mjs's plain JS at C <= 10 (the fastest peer there). Every cell is timed for
// WORK / (N * C) back-to-back calls per round, cells interleaved and their order reversed every other round,
// so a busy neighbour slows all alike; each cell's minimum over the rounds is kept. Prints us per call and
// the ratios the speed targets of #12 name: z-loss / CE and focal / CE per side, plain JS / xentropy.
// Short rounds (the default WORK) and many of them (ROUNDS=300-600) gave stable minima on a loaded machine.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
const [oldDir, newDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))] = process.argv.slice(2);
if (!oldDir) {
  console.error('usage: node bench/ab-losses.mjs <old-checkout> [<new-checkout>]  (env SHAPES, ROUNDS, WORK)');
  process.exit(2);
}
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const shapes = (process.env.SHAPES ?? '256x10,512x1000,64x32000').split(',').map((s) => s.split('x').map(Number));
const { makeData, Z_LOSS, FOCAL_GAMMA } = await import(new URL('./data.mjs', import.meta.url).href);
const { IMPLS } = await import(new URL('./impls.mjs', import.meta.url).href);
const load = async (d) =>
  (await import(pathToFileURL(path.join(d, 'web/index.js')).href)).load({ simd: true, threads: 1 });
const sides = { old: await load(oldDir), new: await load(newDir) };
for (const [n, c] of shapes) {
  const d = makeData(n, c);
  const { x, labels } = d;
  const out = new Float32Array(n * c);
  const cells = {};
  for (const s of ['old', 'new']) {
    const xe = sides[s];
    cells[`${s} ce`] = () => xe.crossEntropyWithGrad(x, labels, { classes: c, out });
    cells[`${s} zloss`] = () => xe.crossEntropyWithGrad(x, labels, { classes: c, zLoss: Z_LOSS, out });
    cells[`${s} focal`] = () => xe.focalLossWithGrad(x, labels, { classes: c, gamma: FOCAL_GAMMA, out });
  }
  if (c <= 10) {
    for (const op of ['zlossgrad', 'focalgrad']) cells[`js ${op}`] = (await IMPLS.js.setup(op, d)).run;
  }
  const calls = Math.max(2, Math.round(Number(process.env.WORK ?? 2e5) / (n * c)));
  const best = Object.fromEntries(Object.keys(cells).map((k) => [k, Infinity]));
  const names = Object.keys(cells);
  for (let r = -3; r < ROUNDS; r++) {
    const order = r % 2 ? names : [...names].reverse();
    for (const k of order) {
      const f = cells[k];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) f();
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / calls;
      if (r >= 0 && us < best[k]) best[k] = us;
    }
  }
  const b = best;
  const line = [`${n}x${c}:`];
  for (const k of names) line.push(`${k} ${b[k].toFixed(2)}`);
  console.log(line.join(' | '));
  console.log(
    `  zloss/ce: old ${(b['old zloss'] / b['old ce']).toFixed(3)} new ${(b['new zloss'] / b['new ce']).toFixed(3)};` +
      ` focal/ce: old ${(b['old focal'] / b['old ce']).toFixed(3)} new ${(b['new focal'] / b['new ce']).toFixed(3)};` +
      ` new/old: ce ${(b['new ce'] / b['old ce']).toFixed(3)} zloss ${(b['new zloss'] / b['old zloss']).toFixed(3)} focal ${(b['new focal'] / b['old focal']).toFixed(3)}`,
  );
  if (c <= 10)
    console.log(
      `  js/xe: zloss old ${(b['js zlossgrad'] / b['old zloss']).toFixed(2)} new ${(b['js zlossgrad'] / b['new zloss']).toFixed(2)};` +
        ` focal old ${(b['js focalgrad'] / b['old focal']).toFixed(2)} new ${(b['js focalgrad'] / b['new focal']).toFixed(2)}`,
    );
}
