// A tiny static file server for the benchmark page (no dependencies).
//
//   node bench/serve.mjs [--root DIR] [--corpus FILE] [--port N]
//
// The corpus defaults to bench/out/corpus/en.txt, made when missing as bench/corpus makes it.
//
// Serves DIR (default: the repository root) read-only on 127.0.0.1, with the right MIME types
// (application/wasm for .wasm so WebAssembly.instantiateStreaming works, text/javascript for .js
// and .mjs), and the corpus at /corpus.txt. Only GET and HEAD; paths never leave DIR.
// bench/lib/chromium.mjs imports startServer() and runs it in-process.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function startServer({ root, corpus, port = 0, host = '127.0.0.1', isolated = false }) {
  const isolation = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const rootAbs = path.resolve(root);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file;
    if (pathname === '/corpus.txt' && corpus) file = path.resolve(corpus);
    else {
      file = path.resolve(rootAbs, '.' + pathname);
      if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      if (pathname.endsWith('/')) file = path.join(file, 'index.html');
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
        ...isolation,
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ server, url: `http://${host}:${p}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const { url } = await startServer({
    root: opt('--root', path.resolve(here, '..')),
    corpus: opt('--corpus', null) ?? (await import('./lib/corpus.mjs')).ensureCorpus().path,
    port: Number(opt('--port', 8099)),
  });
  console.log(`serving on ${url}/bench/web/`);
}
