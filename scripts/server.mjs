#!/usr/bin/env node
// A tiny static file server for the page (no dependencies). Used by scripts/serve and scripts/test.
//
//   node scripts/server.mjs                 # serves the repo root on http://localhost:8080/
//   PORT=9000 node scripts/server.mjs       # another port; PORT=0 picks a free one
//   HOST=0.0.0.0 node scripts/server.mjs    # listen beyond loopback (default 127.0.0.1)
//   ROOT=some/dir node scripts/server.mjs   # serve another folder
//
// Once listening it prints one line "Serving <root> at http://localhost:<port>/" (scripts/test
// reads the port from it). Only GET and HEAD; only files under the root; nothing whose path has a
// segment starting with "." (.git, .cargo, …); symlinks may not lead outside the root. Every
// response carries no-cache, nosniff, and the Content-Security-Policy that index.html declares in
// its <meta http-equiv="Content-Security-Policy"> (so the Web Worker, whose policy comes from its
// own script's response headers, gets the same policy as the page).

import { createServer } from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = await fsp.realpath(resolve(process.env.ROOT || join(here, '..')));
const HOST = process.env.HOST || '127.0.0.1';
const PORT = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
const QUIET = process.env.QUIET === '1';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.safetensors': 'application/octet-stream',
};

// The page's own CSP, read from index.html's meta tag (re-read when index.html changes).
let cspCache = { mtimeMs: -1, value: null };
async function pageCsp() {
  const file = join(ROOT, 'index.html');
  let st;
  try {
    st = await fsp.stat(file);
  } catch {
    return null;
  }
  if (st.mtimeMs !== cspCache.mtimeMs) {
    const html = await fsp.readFile(file, 'utf8');
    let value = null;
    for (const tag of html.match(/<meta\b[^>]*>/gi) || []) {
      if (!/http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag)) continue;
      const m = tag.match(/\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
      if (m) {
        value = (m[1] ?? m[2])
          .replace(/&quot;/g, '"')
          .replace(/&#39;|&apos;/g, "'")
          .replace(/&amp;/g, '&')
          .replace(/\s+/g, ' ')
          .trim();
      }
      break;
    }
    cspCache = { mtimeMs: st.mtimeMs, value };
  }
  return cspCache.value;
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : `${status} ${text}\n`);
}

function inside(root, p) {
  return p === root || p.startsWith(root + sep);
}

async function handle(req, res) {
  const headers = {
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  const csp = await pageCsp();
  if (csp) headers['Content-Security-Policy'] = csp;

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'Method Not Allowed', { ...headers, Allow: 'GET, HEAD' });
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, 'Bad Request', headers);
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'Bad Request', headers);
  const segments = pathname.split('/').filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return send(res, 404, 'Not Found', headers);

  let file = resolve(ROOT, ...segments);
  if (!inside(ROOT, file)) return send(res, 404, 'Not Found', headers);
  let st;
  try {
    file = await fsp.realpath(file);
    if (!inside(ROOT, file)) return send(res, 404, 'Not Found', headers);
    st = await fsp.stat(file);
    if (st.isDirectory()) {
      if (!pathname.endsWith('/')) {
        return send(res, 301, 'Moved Permanently', { ...headers, Location: `${pathname}/` });
      }
      file = join(file, 'index.html');
      st = await fsp.stat(file);
    }
  } catch {
    return send(res, 404, 'Not Found', headers);
  }
  if (!st.isFile()) return send(res, 404, 'Not Found', headers);

  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': st.size,
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

const server = createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    if (!QUIET) console.log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
  });
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) send(res, 500, 'Internal Server Error');
    else res.destroy();
  });
});

server.on('error', (err) => {
  console.error(`cannot listen on ${HOST}:${PORT}: ${err.message}`);
  process.exit(1);
});
server.listen(PORT, HOST, () => {
  const { port } = server.address();
  const shown = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(HOST) ? 'localhost' : HOST;
  console.log(`Serving ${ROOT} at http://${shown}:${port}/`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
