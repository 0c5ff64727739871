// `npm start`: serves the repository root for the demo page (demo/index.html).
// HOST (default 127.0.0.1) and PORT (default 8080; when PORT is unset and 8080 is taken, a free port).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startServer } from './server.mjs';

const host = process.env.HOST || '127.0.0.1';
const portText = process.env.PORT;
const port = portText === undefined || portText === '' ? 8080 : Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve: PORT must be an integer in [0, 65535], got ${JSON.stringify(portText)}`);
  process.exit(1);
}

let server;
try {
  // Cross-origin isolated (COOP/COEP), so that the demo and report pages use threads.
  server = await startServer({
    host,
    port,
    root: repoRoot,
    fallback: portText === undefined || portText === '',
    isolated: true,
  });
} catch (error) {
  const hint = error.code === 'EADDRINUSE' ? ` (port ${port} is taken; set PORT=0 for any free port)` : '';
  console.error(`serve: cannot listen on ${host}:${port}: ${error.message}${hint}`);
  process.exit(1);
}

const base = server.url.replace(/\/$/, '');
if (server.port !== port && port !== 0) console.log(`serve: port ${port} is taken, using ${server.port}`);
console.log(`xentropy demo: ${base}/demo/`);
console.log(`serving ${server.root} (repository root; dist/ builds, web/ API, demo/, tests/browser/) at ${base}/`);
if (!existsSync(join(repoRoot, 'dist', 'xentropy-simd.wasm'))) {
  console.log('serve: dist/ has no build yet: run `npm run build` (npm start builds first)');
}
console.log('Press Ctrl+C to stop.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(() => process.exit(0));
  });
}
