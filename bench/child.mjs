// Measurements in a fresh process:
//   node bench/child.mjs '{"impl":..,"cells":[{"op":..,"shape":[n,c]}, ...],"timing":{..}}'
// Prints one line `@@result {json}` per cell on stdout, in order. bench/run.mjs gives each cell its own
// process (--quick: one process per implementation). The timing itself is bench/measure.mjs, which the
// browser page (bench/browser.html) runs too.
import { measure } from './measure.mjs';
import { IMPLS } from './impls.mjs';

const { impl: name, cells, timing } = JSON.parse(process.argv[2]);

for (const { op, shape } of cells) {
  let result;
  try {
    const impl = IMPLS[name];
    if (!impl) throw new Error(`unknown implementation ${name}`);
    result = await measure(impl, op, shape, timing);
  } catch (e) {
    result = { status: 'error', why: String(e?.stack ?? e) };
  }
  process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
}
process.exit(0);
