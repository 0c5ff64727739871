// Module Web Worker fixture: runs the checks for the simd option it is sent and posts the result back.
import { settle } from './check.js';

self.onmessage = async (event) => {
  self.postMessage(await settle(event.data.simd));
};
