// A small static file server for the demo and the browser tests: sirv on a node:http server.
//
//   import { startServer } from './scripts/server.mjs';
//   const server = await startServer({ host: '127.0.0.1', port: 0 });   // port 0: any free port
//   server.url;          // 'http://127.0.0.1:41234/'
//   await server.close();
//
// Files are read from disk on every request (sirv's dev mode), so a rebuilt dist/ is served without a
// restart. `.wasm` goes out as application/wasm, `.js`/`.mjs` as text/javascript. Paths with a segment
// that starts with a dot (.git, .ci, ...) are never served. `/` redirects to `/demo/`, and a directory
// without its trailing slash (`/demo`) redirects to the slash form, so relative URLs in pages resolve.
// With `isolated: true` (npm start) every response carries Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, so pages are cross-origin isolated and xentropy uses threads;
// without it the same pages run on one thread, as from any static host.
import { createServer } from 'node:http';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** The repository root (the parent of scripts/). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listen(server, host, port) {
  return new Promise((resolvePromise, reject) => {
    const onError = (error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolvePromise();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** The request handler: sirv over `root`, plus the redirects and the dotfile guard. */
export function createHandler(root = repoRoot, { isolated = false } = {}) {
  const dir = resolve(root);
  const serve = sirv(dir, { dev: true, etag: true, dotfiles: false, extensions: ['html'] });
  const notFound = (res, status = 404, text = 'Not found') => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return notFound(res, 405, 'Method not allowed');
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return notFound(res, 400, 'Bad request');
    }
    if (pathname.split('/').some((segment) => segment.startsWith('.'))) return notFound(res);
    if (pathname === '/') {
      res.writeHead(302, { Location: '/demo/' });
      return res.end();
    }
    if (!pathname.endsWith('/') && isDirectory(join(dir, pathname))) {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      res.writeHead(301, { Location: `${encodeURI(pathname)}/${query}` });
      return res.end();
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    serve(req, res, () => notFound(res));
  };
}

/**
 * Starts serving `root` on `host`:`port` (port 0: a free port chosen by the system).
 * With `isolated: true`, pages are cross-origin isolated (COOP/COEP headers): threads in xentropy.
 * With `fallback: true`, a taken port is replaced by a free one instead of failing with EADDRINUSE.
 * @returns {Promise<{ url: string, host: string, port: number, root: string, server: import('node:http').Server, close: () => Promise<void> }>}
 */
export async function startServer({
  host = '127.0.0.1',
  port = 0,
  root = repoRoot,
  fallback = false,
  isolated = false,
} = {}) {
  const server = createServer(createHandler(root, { isolated }));
  try {
    await listen(server, host, port);
  } catch (error) {
    if (!(fallback && error.code === 'EADDRINUSE' && port !== 0)) throw error;
    await listen(server, host, 0);
  }
  const address = server.address();
  const shownHost = address.family === 'IPv6' || address.family === 6 ? `[${address.address}]` : address.address;
  let closing;
  return {
    url: `http://${shownHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    root: resolve(root),
    server,
    close() {
      closing ??= new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections?.(); // keep-alive connections (browsers) would hold close() open
      });
      return closing;
    },
  };
}
