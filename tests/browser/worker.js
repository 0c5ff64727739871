// Module Web Worker fixture: runs the checks for every build and posts the result back (and, before it,
// { progress } as each check starts).
import { settle } from './check.js';

self.onmessage = async () => {
  self.postMessage(await settle((progress) => self.postMessage({ progress })));
};
