// node bench/size.mjs: what the package ships (the `npm pack` file list, JS and wasm, gzipped at level 9),
// what a browser fetches for one build, and what TensorFlow.js (core + wasm backend) and onnxruntime-web
// ship for comparison. tests/size.test.mjs holds the package to its budget.
import { packageSizes, packageTable, peerSizes, peerTable } from '../tests/lib/size.mjs';

console.log(packageTable(await packageSizes()));
console.log();
console.log(peerTable(peerSizes()));
