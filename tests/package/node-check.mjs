// Run inside an app that installed the packed tarball: `node node-check.mjs` prints one line of JSON.
import { load, simdSupported, version } from 'xentropy';
import { createRequire } from 'node:module';

const runs = [];
for (const simd of [true, false]) {
  const xe = await load({ simd });
  runs.push({
    simd: xe.simd,
    version: xe.version,
    seed: xe.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs' }),
    softmax: Array.from(xe.softmax(new Float32Array([1, 2, 3]), { classes: 3 })),
  });
}

// The .wasm files are exported for `load({ wasm })`; the package's internals are not.
const wasmUrl = new URL(import.meta.resolve('xentropy/xentropy-scalar.wasm'));
const fromWasm = await load({ simd: false, wasm: wasmUrl });
let internals;
try {
  await import('xentropy/web/api.js');
  internals = 'importable';
} catch (error) {
  internals = error.code;
}
const pkg = createRequire(import.meta.url)('xentropy/package.json');

console.log(
  JSON.stringify({
    simdSupported: simdSupported(),
    version,
    packageVersion: pkg.version,
    runs,
    wasmOption: fromWasm.crossEntropy([0.7, 0.2, 0.1], [0], { classes: 3, from: 'probs' }),
    internals,
  }),
);
