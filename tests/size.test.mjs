// Size budget: every JS and wasm file the package ships (the `npm pack` file list), gzipped at level 9.
// The table goes into the failure message; `node bench/size.mjs` prints it, with TensorFlow.js and
// onnxruntime-web for comparison.
import test from 'node:test';
import assert from 'node:assert/strict';

import { KiB, packageSizes, packageTable } from './lib/size.mjs';

// Everything shipped as JS + wasm, gzipped. 80 KiB held 0.1 (75.4 KiB at the merge of shape/dim); 0.2's topK
// and evaluation report add 14.6 KiB (two kernels in both builds: 5.9 + 5.3 KiB; their policies 3.4 KiB).
const BUDGET = 92 * 1024;

test(`size: the shipped JS and wasm are < ${KiB(BUDGET)} gzipped`, async () => {
  const sizes = await packageSizes();
  const table = `\n${packageTable(sizes)}`;
  assert.ok(
    sizes.files['web/index.js'] && sizes.files['dist/xentropy-simd.wasm'],
    `the file list has the package${table}`,
  );
  for (const build of ['simd', 'scalar']) {
    const one = sizes.downloads[build];
    assert.ok(one, `the ${build} build ships${table}`);
    assert.ok(one.gzip < sizes.total.gzip, `one page load fetches less than everything shipped${table}`);
  }
  assert.ok(
    sizes.total.gzip < BUDGET,
    `everything shipped is ${KiB(sizes.total.gzip)} gzipped, over the ${KiB(BUDGET)} budget${table}`,
  );
});
