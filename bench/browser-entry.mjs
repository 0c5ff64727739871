// The bench page's script (bench/browser.html), bundled by bench/browser.mjs with tfjs (its ESM files
// register the gradients) and tfjs-layers. xentropy and onnxruntime-web are loaded from the server as
// they are shipped (their wasm files and workers are found next to their scripts); so are tfjs-backend-wasm's
// .wasm files. window.benchCell(spec) runs bench/measure.mjs, the same timing code as Node's children.
import { IMPLS, host } from './impls.mjs';
import { measure } from './measure.mjs';

const at = (p) => new URL(p, location.origin).href;
Object.assign(host, {
  browser: true,
  xentropy: () => import(at('/web/index.js')),
  floorWasm: null,
  tfjsWasmDir: async () => at('/node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
  ort: () => import(at('/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs')),
  ortWasmPaths: at('/node_modules/onnxruntime-web/dist/'),
});

window.benchCell = async ({ impl, op, shape, timing }) => {
  try {
    if (!IMPLS[impl]) throw new Error(`unknown implementation ${impl}`);
    return await measure(IMPLS[impl], op, shape, timing);
  } catch (e) {
    return { status: 'error', why: String(e?.stack ?? e) };
  }
};
window.benchEnv = {
  crossOriginIsolated: self.crossOriginIsolated,
  cores: navigator.hardwareConcurrency,
  userAgent: navigator.userAgent,
};
window.benchReady = true;
