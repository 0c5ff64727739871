// The threaded build's glue includes Emscripten's Node code paths (its pthreads are worker_threads there),
// which use `require` and `__dirname`, absent from an ES module. Under Node only, define both; the module
// name sits in a variable so that bundlers do not try to resolve it.
var require, __dirname;
if (typeof process === 'object' && typeof process.versions?.node === 'string') {
  const moduleName = 'node:module';
  const { createRequire } = await import(/* webpackIgnore: true */ /* @vite-ignore */ moduleName);
  require = createRequire(import.meta.url);
  __dirname = require('node:path').dirname(require('node:url').fileURLToPath(import.meta.url));
}
