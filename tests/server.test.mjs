// scripts/server.mjs, which `npm start` and every browser test use to serve the repository: static files,
// .wasm as application/wasm, no dotfiles, the redirects that make the demo's relative URLs resolve.
// (The browser checks that used to live here run in every browser from tests/engines.test.mjs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot, startServer } from '../scripts/server.mjs';

test('server: static files, application/wasm, no dotfiles', async (t) => {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(server.root.replace(/\/$/, ''), repoRoot.replace(/\/$/, ''));

  const wasm = await fetch(new URL('dist/xentropy-simd.wasm', server.url));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())), 'served bytes are a valid module');

  const js = await fetch(new URL('web/index.js', server.url));
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  await js.arrayBuffer();

  for (const path of ['.git/HEAD', '.ci/run', 'no/such/file.js']) {
    const res = await fetch(new URL(path, server.url));
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }
  const root = await fetch(server.url, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/demo/');
  const dir = await fetch(new URL('tests/browser?x=1', server.url), { redirect: 'manual' });
  assert.equal(dir.status, 301);
  assert.equal(dir.headers.get('location'), '/tests/browser/?x=1');
});
