// xentropy: softmax, cross-entropy and their gradients in WebAssembly SIMD.
export { load, simdSupported } from './loader.js';
export { VERSION as version } from './version.js';
