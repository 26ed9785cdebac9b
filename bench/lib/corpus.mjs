// The benchmark's corpus, made at run time: bench/out/corpus/en.txt, 1,000,450 bytes of English from
// the Debian packages fortunes and fortunes-min 1:1.99.1-7.3 (see bench/README.md › Corpus).
//
// ensureCorpus() returns the existing file when its SHA-256 is right; otherwise it reads the
// fortune files of the installed packages, or downloads the two packages with `apt-get download`
// (no root needed) and unpacks them with `dpkg-deb -x` into a temporary folder, and rebuilds the
// text. When neither works, or the text comes out different, it writes
// bench/out/corpus/fallback.txt instead, made from the repository's own sources, and says loudly
// that numbers measured on it are not comparable with the published ones.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = path.join(root, 'bench/out/corpus');
export const CORPUS_PATH = path.join(CORPUS_DIR, 'en.txt');
export const FALLBACK_PATH = path.join(CORPUS_DIR, 'fallback.txt');
export const CORPUS_SHA256 = '51f7209040e26cece3ed103913e8d3a6f6a3b6f8c01cc7a875d0b4c851170367';
export const CORPUS_BYTES = 1000450;

const VERSION = '1:1.99.1-7.3';
const PACKAGES = ['fortunes', 'fortunes-min'];
const FORTUNE_DIR = 'usr/share/games/fortunes';
// Files "art" to "kids" in name order, without ascii-art; "fortunes" is fortunes-min's.
const FILES = ['art', 'computers', 'cookie', 'debian', 'definitions', 'disclaimer', 'drugs', 'education',
  'ethnic', 'food', 'fortunes', 'goedel', 'humorists', 'kids'];
const TARGET = 1000000;

export const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// The corpus from a folder holding the fortune files: each file is split into fortunes at its
// "%" lines; in each, overstrikes ("x" + backspace, one left-to-right pass) are removed, then every
// byte other than tab, newline and printable ASCII; empty fortunes are skipped, trailing newlines
// become one; fortunes are appended until the text reaches 1,000,000 bytes.
export function fortunesText(dir) {
  const out = [];
  let n = 0;
  for (const f of FILES) {
    // latin1: one character per byte, so the byte-level rules apply unchanged.
    const raw = fs.readFileSync(path.join(dir, f)).toString('latin1');
    for (const chunk of raw.split(/^%\n/m)) {
      if (n >= TARGET) break;
      let c = chunk.replace(/[^\n]\x08/g, '').replace(/[^\t\n\x20-\x7e]/g, '');
      if (!c.trim()) continue;
      c = c.replace(/\n+$/, '') + '\n';
      out.push(c);
      n += c.length;
    }
  }
  return Buffer.from(out.join(''), 'latin1');
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
}

const firstLine = (e) => String((e.stderr || '').trim().split('\n').filter((l) => !/^W: /.test(l)).pop() || e.message).slice(0, 300);

// Downloads the two packages into `tmp` and unpacks them; returns the fortune folder.
function downloadFortunes(tmp, log) {
  const pinned = PACKAGES.map((p) => `${p}=${VERSION}`);
  const attempts = [pinned, PACKAGES];
  let lastErr = null;
  for (let i = 0; i < attempts.length; i++) {
    try {
      log(`apt-get download ${attempts[i].join(' ')}`);
      run('apt-get', ['download', ...attempts[i]], { cwd: tmp });
      lastErr = null;
      break;
    } catch (e) {
      lastErr = e;
      log(`  failed: ${firstLine(e)}`);
    }
  }
  if (lastErr && typeof process.getuid === 'function' && process.getuid() === 0) {
    // The package lists may be missing (a fresh container): refresh them once, as root.
    try {
      log('apt-get update (the package lists may be missing)');
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['download', ...pinned], { cwd: tmp });
      lastErr = null;
    } catch (e) {
      lastErr = e;
      log(`  failed: ${firstLine(e)}`);
    }
  }
  if (lastErr) throw new Error(`apt-get download failed (${firstLine(lastErr)}); on Debian, \`sudo apt-get update\` may help`);
  const x = path.join(tmp, 'x');
  for (const deb of fs.readdirSync(tmp).filter((f) => f.endsWith('.deb'))) {
    log(`dpkg-deb -x ${deb}`);
    run('dpkg-deb', ['-x', path.join(tmp, deb), x]);
  }
  return path.join(x, FORTUNE_DIR);
}

// Text from the repository itself, for when the reference corpus cannot be made: the Markdown
// and Rust files (tab, newline and printable ASCII only), repeated to 1,000,000 bytes.
export function fallbackText() {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || ['target', 'node_modules', 'out', 'pkg', 'pkg-relaxed'].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(md|rs)$/.test(e.name)) files.push(p);
    }
  };
  walk(root);
  const base = files.map((f) => fs.readFileSync(f).toString('latin1').replace(/[^\t\n\x20-\x7e]/g, '')).join('\n');
  if (!base.length) throw new Error('no source text found for the fallback corpus');
  let text = '';
  while (text.length < TARGET) text += base;
  return Buffer.from(text.slice(0, text.indexOf('\n', TARGET - 1) + 1 || TARGET), 'latin1');
}

// Makes sure the corpus exists; returns { path, reference, sha256, reason }. `reference` is false
// for the fallback, with `reason` saying why.
export function ensureCorpus({ log = (s) => process.stderr.write(`[corpus] ${s}\n`), force = false } = {}) {
  if (!force && fs.existsSync(CORPUS_PATH) && sha256(fs.readFileSync(CORPUS_PATH)) === CORPUS_SHA256) {
    return { path: CORPUS_PATH, reference: true, sha256: CORPUS_SHA256 };
  }
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  let reason = '';
  const sources = [];
  const installed = path.join('/', FORTUNE_DIR);
  if (FILES.every((f) => fs.existsSync(path.join(installed, f)))) sources.push(['the installed packages', () => installed]);
  let tmp = null;
  sources.push(['the downloaded packages', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-bench-corpus-'));
    return downloadFortunes(tmp, log);
  }]);
  try {
    for (const [what, dir] of sources) {
      try {
        const text = fortunesText(dir());
        const got = sha256(text);
        if (got === CORPUS_SHA256) {
          fs.writeFileSync(CORPUS_PATH, text);
          log(`wrote ${path.relative(root, CORPUS_PATH)} from ${what} (${text.length.toLocaleString('en-US')} bytes, sha256 ${got.slice(0, 16)}…, as expected)`);
          return { path: CORPUS_PATH, reference: true, sha256: got };
        }
        reason = `the text from ${what} differs from the reference (${text.length} bytes, sha256 ${got}; another package version?)`;
      } catch (e) {
        reason = `${what}: ${e.message}`;
      }
      log(reason);
    }
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const text = fallbackText();
  fs.writeFileSync(FALLBACK_PATH, text);
  log('WARNING: the reference corpus (Debian fortunes 1:1.99.1-7.3) could not be made:');
  log(`  ${reason}`);
  log(`WARNING: using ${path.relative(root, FALLBACK_PATH)} (${text.length.toLocaleString('en-US')} bytes from the repository's own`);
  log('  Markdown and Rust files). Numbers measured on it are NOT comparable with bench/README.md or README.md.');
  return { path: FALLBACK_PATH, reference: false, sha256: sha256(text), reason };
}
