// Module Web Worker fixture: runs the checks for every build and posts the result back.
import { settle } from './check.js';

self.onmessage = async () => {
  self.postMessage(await settle());
};
