// vite and webpack 5: nothing to configure. Both see `new URL('…/xentropy-simd.wasm', import.meta.url)` in
// xentropy's loader and emit the .wasm files as assets; each build's glue becomes a lazily loaded chunk.
import { load } from 'xentropy';
import { compute, forceScalar, report } from './compute.js';

report(load(forceScalar ? { simd: false } : {}).then(compute));
