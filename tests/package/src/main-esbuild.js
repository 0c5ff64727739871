// esbuild leaves `new URL('x.wasm', import.meta.url)` alone, so the app says where the .wasm is. With
// `loader: { '.wasm': 'file' }`, importing a .wasm copies it to the output and gives its URL.
import { load, simdSupported } from 'xentropy';
import simdWasm from 'xentropy/xentropy-simd.wasm';
import scalarWasm from 'xentropy/xentropy-scalar.wasm';
import { compute, forceScalar, report } from './compute.js';

const simd = simdSupported() && !forceScalar;
report(load({ simd, wasm: new URL(simd ? simdWasm : scalarWasm, import.meta.url) }).then(compute));
