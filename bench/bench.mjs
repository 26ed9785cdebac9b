// The speed benchmark's driver (run it through bench/run, which installs and builds first).
//
//   node bench/bench.mjs [--seconds N] [--quick] [--only PARTS] [--models NAMES] [--corpus FILE]
//                        [--pkg DIR] [--relaxed-pkg DIR] [--out FILE] [--wait-idle S]
//                        [--retry-contended N] [--threads LIST]
//
// The corpus defaults to bench/out/corpus/en.txt, made from the Debian fortunes packages when
// missing (lib/corpus.mjs, as bench/corpus does); a corpus other than that file is reported as not
// comparable with the published numbers.
//
// Measures, one at a time, every model in lib/common.mjs MODELS on the corpus, on one thread and,
// where a runtime has threads, on each count of --threads (default 1, 2 and every core):
//   native   the engine natively: `cargo run --release -- bench --threads N …` (one JSON line)
//   node     the engine as wasm in Node (www/pkg, wasm-bindgen --target web, initSync), 1 thread
//   chromium the engine as wasm in headless Chromium inside a Web Worker (bench/web/), 1 thread
//   pool     the page's own training worker (www/worker.js) in Chromium with `workers` = N: N − 1
//            more workers in its pool, the build the page picks (relaxed SIMD in Chromium)
//   tfjs     TensorFlow.js (wasm backend, SIMD) in Node and in the Chromium worker on 1 thread, and
//            with N threads (the threaded SIMD binary) on a cross-origin isolated bench page
//   torch    PyTorch on the CPU, N threads (bench/torch_bench.py), when `import torch` works: the
//            Python of RNN_PLAYGROUND_TORCH_VENV, else target/torch-venv (scripts/test torch), else python3
//   peak     the wasm f32x4 peak (mul+add and relaxed madd loops) in Node and in the worker
// and, with --relaxed-pkg DIR (bench/run --relaxed builds it), the engine built with
// +relaxed-simd in the Chromium worker as an extra row.
// plus sampling time (1,000 characters, medium model, wasm) and the wasm size, then prints one
// table and writes the results as JSON (default bench/out/results.json).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MODELS, macsPerChar, effectiveGflops, warmupFor, buildVocab } from './lib/common.mjs';
import { buildPeakWasm, peakWat } from './lib/peak.mjs';
import { openChromium, relativeUrl } from './lib/chromium.mjs';
import { engineConfig } from './lib/engine_bench.mjs';
import { ensureCorpus, sha256, CORPUS_SHA256 } from './lib/corpus.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const PARTS = ['peak', 'native', 'node', 'chromium', 'pool', 'tfjs', 'torch'];

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const a = {
    seconds: 10, quick: false, only: PARTS, models: MODELS.map((m) => m.name),
    corpus: null, pkg: 'www/pkg', out: 'bench/out/results.json', waitIdle: 0, retryContended: 0, relaxedPkg: null,
    threads: [...new Set([1, 2, os.cpus().length])],
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--seconds') a.seconds = Number(v());
    else if (k === '--quick') a.quick = true;
    else if (k === '--only') a.only = v().split(',');
    else if (k === '--models') a.models = v().split(',');
    else if (k === '--corpus') a.corpus = v();
    else if (k === '--pkg') a.pkg = v();
    else if (k === '--relaxed-pkg') a.relaxedPkg = v();
    else if (k === '--out') a.out = v();
    else if (k === '--wait-idle') a.waitIdle = Number(v());
    else if (k === '--retry-contended') a.retryContended = Math.max(0, Math.floor(Number(v())) || 0);
    else if (k === '--threads') a.threads = [...new Set(v().split(',').map(Number))];
    else if (k === '-h' || k === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (a.quick && !argv.includes('--seconds')) a.seconds = 2;
  if (!(a.seconds > 0)) throw new Error('--seconds must be > 0');
  for (const p of a.only) if (!PARTS.includes(p)) throw new Error(`unknown part ${p} (parts: ${PARTS.join(',')})`);
  for (const m of a.models) if (!MODELS.find((x) => x.name === m)) throw new Error(`unknown model ${m}`);
  if (!a.threads.length || !a.threads.every((t) => Number.isInteger(t) && t >= 1 && t <= 256)) throw new Error('--threads is a list of counts from 1 to 256');
  a.threads.sort((x, y) => x - y);
  return a;
}

const args = parseArgs(process.argv.slice(2));
const seconds = args.seconds;
const warmup = warmupFor(seconds);
const progress = (s) => process.stderr.write(`[bench] ${s}\n`);
if (args.corpus == null) args.corpus = path.relative(root, ensureCorpus({ log: progress }).path);
const corpus = path.resolve(root, args.corpus);
const corpusSha = sha256(fs.readFileSync(corpus));
const corpusIsReference = corpusSha === CORPUS_SHA256;
if (!corpusIsReference) {
  progress(`NOTE: ${args.corpus} is not the reference corpus bench/out/corpus/en.txt (sha256 ${corpusSha.slice(0, 16)}…):`);
  progress('  the numbers are not comparable with bench/README.md or README.md.');
}
const pkg = path.resolve(root, args.pkg);
const relaxedPkg = args.relaxedPkg ? path.resolve(root, args.relaxedPkg) : null;
const outFile = path.resolve(root, args.out);
const outDir = path.dirname(outFile);
const models = MODELS.filter((m) => args.models.includes(m.name));
const want = (p) => args.only.includes(p);
const jobTimeoutMs = Math.max(300, 25 * seconds) * 1000;

// ---------------------------------------------------------------- helpers
function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, timeout: jobTimeoutMs, ...opts });
  return { code: r.status, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

/** The last stdout line that parses as a JSON object, or null. */
function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    const t = l.trim();
    if (t.startsWith('{')) {
      try { return JSON.parse(t); } catch { /* keep looking */ }
    }
  }
  return null;
}

function firstLine(s) {
  return (s || '').trim().split('\n').filter((l) => l.trim()).slice(-1)[0] || '';
}

function nodeJob(job, nodeFlags = []) {
  const r = sh(process.execPath, [...nodeFlags, path.join(benchDir, 'lib/node_job.mjs'), JSON.stringify(job)]);
  const j = lastJson(r.stdout);
  if (j) return j;
  return { error: r.error ? String(r.error.message) : `exit ${r.code}: ${firstLine(r.stderr)}` };
}

function cmdVersion(cmd, argv) {
  const r = sh(cmd, argv, { timeout: 30000 });
  return r.code === 0 ? firstLine(r.stdout) : null;
}

/** CPU ticks of a process: utime + stime + its reaped children's (cutime + cstime), and its parent. */
function procTicks(pid) {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** CPU ticks used so far by this process and every live descendant (Chromium, jobs, …). */
function ownTicks() {
  const procs = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { procs.set(Number(d), procTicks(d)); } catch { /* exited meanwhile */ }
  }
  const children = new Map();
  for (const [pid, p] of procs) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  let sum = 0;
  const stack = [process.pid];
  while (stack.length) {
    const pid = stack.pop();
    const p = procs.get(pid);
    if (p) sum += p.ticks;
    for (const c of children.get(pid) || []) stack.push(c);
  }
  return sum;
}

/**
 * System-wide CPU counters from /proc/stat (USER_HZ ticks, steal included as busy) and our own
 * process tree's ticks, or null off Linux.
 */
function cpuSnap() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    return {
      busy: user + nice + system + irq + softirq + (steal || 0),
      total: f.slice(0, 8).reduce((a, b) => a + (b || 0), 0),
      own: ownTicks(),
    };
  } catch {
    return null;
  }
}

/**
 * Average cores busy between two snapshots: `all` (ours included; a measurement keeps ~1 busy)
 * and `others` (everything outside this benchmark's process tree).
 */
function busyCores(a, b) {
  if (!a || !b || b.total <= a.total) return null;
  const n = os.cpus().length;
  const all = ((b.busy - a.busy) / (b.total - a.total)) * n;
  const own = ((b.own - a.own) / (b.total - a.total)) * n;
  return { all, others: Math.max(0, all - own) };
}

// ---------------------------------------------------------------- results
const results = {
  meta: {
    date: new Date().toISOString(),
    git_commit: cmdVersion('git', ['rev-parse', '--short', 'HEAD']),
    cpu: (os.cpus()[0] || {}).model, cores: os.cpus().length,
    loadavg_start: os.loadavg(),
    node: process.version,
    rustc: cmdVersion('rustc', ['--version']),
    corpus: args.corpus, corpus_sha256: corpusSha, corpus_is_reference: corpusIsReference, seconds_per_row: seconds, warmup_seconds: warmup, quick: args.quick,
    threads: args.threads,
    flops_formula: 'GFLOP/s = chars/s × 6 × MACs/char / 1e9; MACs/char = Σ_layers G·H·(in+H) + H·V, G = 1 (rnn), 4 (lstm), 3 (gru), in = E (layer 0) or H',
    peak_definition: 'best call of a register-only f32x4 loop, 12 accumulators; "peak" = max(mul+add, relaxed madd) in the same runtime',
  },
  models: {},
  peak: {},
  sample: {},
  wasm_size: null,
  ratios: {},
  notes: [],
};
const text = fs.readFileSync(corpus, 'utf8');
const corpusVocab = buildVocab(text).vocab;
results.meta.corpus_chars = Array.from(text).length;
results.meta.corpus_vocab = corpusVocab;
for (const m of models) results.models[m.name] = { config: m, macs_per_char: macsPerChar(m, corpusVocab), rows: {} };

// A row is flagged as contended when, on average, work outside this benchmark's processes kept
// more than this many cores busy while it ran (on 2 vCPUs, which may be SMT siblings, even the
// "other" core's load slows a one-thread measurement).
const CONTENDED_OTHERS = 0.5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** With --wait-idle S: waits up to S seconds for a 1-second window with < 0.3 cores busy. */
async function waitIdle() {
  if (!(args.waitIdle > 0)) return 0;
  const t0 = Date.now();
  while (Date.now() - t0 < args.waitIdle * 1000) {
    const a = cpuSnap();
    await sleep(1000);
    const busy = busyCores(a, cpuSnap());
    if (busy == null || busy.others < 0.3) break;
  }
  return (Date.now() - t0) / 1000;
}

/**
 * Runs one row. With --retry-contended N, a row that ran while other work kept the machine busy
 * is run again (after waiting for idle) up to N more times and the fastest attempt is kept:
 * other work can only slow a single-threaded measurement down, so the best attempt is the least
 * disturbed one. Every attempt's chars/s is kept in `attempts`.
 */
async function measure(model, key, thunk, threads = 1) {
  let best = null;
  const attempts = [];
  for (let i = 0; i <= args.retryContended; i++) {
    const waited = await waitIdle();
    if (waited > 2) progress(`waited ${waited.toFixed(0)} s for the machine to go idle`);
    const a = cpuSnap();
    let r = await thunk();
    const busy = busyCores(a, cpuSnap());
    if (busy != null) {
      r = { ...r, machine_busy_cores: busy.all, own_busy_cores: busy.all - busy.others, other_busy_cores: busy.others, contended: busy.others > CONTENDED_OTHERS };
    }
    attempts.push({ chars_per_sec: r.chars_per_sec ?? null, other_busy_cores: busy && busy.others });
    if (!best || (typeof r.chars_per_sec === 'number' && !(r.chars_per_sec <= (best.chars_per_sec ?? -1)))) best = r;
    if (r.error || !r.contended) break;
    if (i < args.retryContended) progress(`${model.name} ${key}: contended (other work ${busy.others.toFixed(2)} cores, ${Math.round(r.chars_per_sec)} chars/s); again`);
  }
  record(model, key, attempts.length > 1 ? { ...best, attempts } : best, threads);
}

/** A row's key for `threads` of a runtime whose one-thread row is `base` (native_t2, torch_t4). */
const tkey = (base, t) => (t === 1 ? base : `${base}_t${t}`);

function record(model, key, r, threads = 1) {
  // `threads`: what the runtime says it ran on (TF.js sizes its own pool), `threads_asked` beside
  // it when that is not what was asked.
  const row = { ...r, threads: r.threads ?? threads };
  if (row.threads !== threads) row.threads_asked = threads;
  // GFLOP/s count tokens (for a character model, characters); a word model's V is its own.
  const perSec = row.tokens_per_sec ?? row.chars_per_sec;
  if (typeof perSec === 'number') {
    // A row that does not report its own (the page's pool) counts with the model's, which the
    // engine's rows before it recorded: a word model's V is not the corpus's characters.
    const known = model.tokens === 'words' ? results.models[model.name].macs_per_char : null;
    const macs = row.macs_per_token || row.macs_per_char || known || macsPerChar(model, row.vocab || corpusVocab);
    row.gflops = effectiveGflops(perSec, macs);
    if (model.tokens === 'words') results.models[model.name].macs_per_char = macs;
  }
  results.models[model.name].rows[key] = row;
  const speed = model.tokens === 'words' ? `${Math.round(row.tokens_per_sec)} tokens/s, ${Math.round(row.chars_per_sec)} chars/s` : `${Math.round(row.chars_per_sec)} chars/s`;
  progress(`${model.name} ${key}: ${row.error ? 'n/a — ' + row.error : speed}`);
}

/** TF.js and PyTorch here read characters: no rows for a word model. */
const charactersOnly = (m) => m.tokens === 'words';

// ---------------------------------------------------------------- wasm package
const pkgJs = path.join(pkg, 'rnn_playground.js');
const pkgWasm = path.join(pkg, 'rnn_playground_bg.wasm');
let pkgError = null;
if (!fs.existsSync(pkgJs) || !fs.existsSync(pkgWasm)) pkgError = `no wasm package in ${path.relative(root, pkg)} (bench/run builds it)`;
else if (!/class WasmTrainer|WasmTrainer/.test(fs.readFileSync(pkgJs, 'utf8'))) pkgError = 'the wasm package exports no WasmTrainer';
if (!pkgError) {
  const raw = fs.readFileSync(pkgWasm);
  results.wasm_size = { file: path.relative(root, pkgWasm), bytes: raw.length, gzip_bytes: zlib.gzipSync(raw, { level: 9 }).length };
}
const relaxedWasm = relaxedPkg && path.join(relaxedPkg, 'rnn_playground_bg.wasm');
if (relaxedWasm && fs.existsSync(relaxedWasm)) {
  const raw = fs.readFileSync(relaxedWasm);
  results.wasm_size_relaxed = { file: path.relative(root, relaxedWasm), bytes: raw.length, gzip_bytes: zlib.gzipSync(raw, { level: 9 }).length };
}

// ---------------------------------------------------------------- peak kernels (files for both runtimes)
fs.mkdirSync(outDir, { recursive: true });
// Inside the served root whatever --out says: the Chromium worker fetches them over HTTP.
const peakDir = path.join(root, 'bench', 'out', 'peak');
if (want('peak')) {
  fs.mkdirSync(peakDir, { recursive: true });
  const bins = await buildPeakWasm();
  for (const k of Object.keys(bins)) {
    fs.writeFileSync(path.join(peakDir, `peak-${k}.wasm`), bins[k]);
    fs.writeFileSync(path.join(peakDir, `peak-${k}.wat`), peakWat(k));
  }
}
const peakSeconds = Math.min(3, Math.max(1, seconds / 3));

// ---------------------------------------------------------------- native
if (want('native')) {
  progress('native: cargo build --release');
  const b = sh('cargo', ['build', '--release', '--quiet'], { timeout: 1800000 });
  for (const m of models) {
    if (b.code !== 0) { record(m, 'native', { error: `cargo build failed: ${firstLine(b.stderr)}` }); continue; }
    for (const t of args.threads) {
      await measure(m, tkey('native', t), () => {
        const r = sh('cargo', ['run', '--release', '--quiet', '--', 'bench', '--cell', m.cell, '--layers', String(m.layers),
          '--hidden', String(m.hidden), '--embed', String(m.embed), '--seq-len', String(m.seq_len), '--batch', String(m.batch),
          '--corpus', corpus, '--seconds', String(seconds), '--threads', String(t), ...(m.tokens ? ['--tokens', m.tokens] : [])]);
        const j = lastJson(r.stdout);
        if (j && typeof j.chars_per_sec === 'number') return j;
        return { error: `CLI bench subcommand unavailable (${firstLine(r.stderr) || 'exit ' + r.code})` };
      }, t);
    }
  }
}

// ---------------------------------------------------------------- Node: peak, engine wasm, TF.js
if (want('peak')) {
  progress('peak in Node');
  // Node 20 (V8 11.3) ships relaxed SIMD behind a flag; the engine rows run without flags.
  await waitIdle();
  results.peak.node = nodeJob({ kind: 'peak', seconds: peakSeconds, peakDir }, ['--experimental-wasm-relaxed-simd']);
}
for (const m of models) {
  if (want('node')) {
    if (pkgError) record(m, 'wasm_node', { error: pkgError });
    else await measure(m, 'wasm_node', () => nodeJob({ kind: 'engine', model: m, seconds, warmup, corpus, pkg, sample: m.name === 'medium-lstm' }));
  }
  if (want('tfjs') && !charactersOnly(m)) await measure(m, 'tfjs_node', () => nodeJob({ kind: 'tfjs', model: m, seconds, warmup, corpus }));
}

// ---------------------------------------------------------------- Chromium worker
if (want('chromium') || want('peak') || want('tfjs')) {
  let ch = null;
  try {
    ch = await openChromium({ root, corpus, log: (s) => { if (process.env.BENCH_VERBOSE) progress(s); } });
    results.meta.chromium = ch.info.version;
  } catch (e) {
    const msg = `chromium unavailable: ${String(e.message).split('\n')[0]}`;
    results.notes.push(msg);
    for (const m of models) {
      if (want('chromium')) record(m, 'wasm_chromium', { error: msg });
      if (want('tfjs')) record(m, 'tfjs_chromium', { error: msg });
    }
  }
  if (ch) {
    const run = async (job) => {
      try { return await ch.run(job, jobTimeoutMs); } catch (e) { return { error: String(e.message).split('\n')[0] }; }
    };
    try {
      if (want('peak')) {
        progress('peak in Chromium worker');
        await waitIdle();
        results.peak.chromium = await run({ kind: 'peak', seconds: peakSeconds, peakUrl: relativeUrl(root, peakDir) });
      }
      for (const m of models) {
        if (want('chromium')) {
          if (pkgError) record(m, 'wasm_chromium', { error: pkgError });
          else await measure(m, 'wasm_chromium', () => run({ kind: 'engine', model: m, seconds, warmup, pkg: relativeUrl(root, pkg), sample: m.name === 'medium-lstm' }));
          if (relaxedPkg) {
            if (!fs.existsSync(path.join(relaxedPkg, 'rnn_playground_bg.wasm'))) record(m, 'wasm_relaxed_chromium', { error: `no wasm package in ${relaxedPkg}` });
            else await measure(m, 'wasm_relaxed_chromium', () => run({ kind: 'engine', model: m, seconds, warmup, pkg: relativeUrl(root, relaxedPkg), sample: m.name === 'medium-lstm' }));
          }
        }
        if (want('tfjs') && !charactersOnly(m)) await measure(m, 'tfjs_chromium', () => run({ kind: 'tfjs', model: m, seconds, warmup }));
        if (want('pool')) {
          for (const t of args.threads) {
            await measure(m, tkey('pool_chromium', t), async () => {
              const r = await run({ kind: 'pool', config: { ...engineConfig(m), workers: t }, seconds, warmup });
              if (r.error) return r;
              if (r.shards !== t) return { error: `the run had ${r.shards} shards, not ${t}` };
              if (t > 1 && !r.pooled) return { error: `the pool did not run (${r.pool && r.pool.failed ? r.pool.failed : 'not ready'})` };
              return { chars_per_sec: r.charsPerSec, tokens_per_sec: r.tokensPerSec, steps: r.steps, seconds: r.seconds, threads: t, engine: r.engine, step_ms: r.ms, loss: r.loss };
            }, t);
          }
        }
      }
    } finally {
      results.meta.chromium_hardware_concurrency = ch.info.hardware_concurrency;
      results.meta.chromium_external_requests = ch.external.slice();
      if (ch.external.length) results.notes.push(`blocked ${ch.external.length} non-local request(s) from the bench page: ${ch.external.slice(0, 3).join(', ')}`);
      await ch.close();
    }
  }
}

// ---------------------------------------------------------------- TF.js on threads (cross-origin isolated)
const tfThreads = args.threads.filter((t) => t > 1);
if (want('tfjs') && tfThreads.length) {
  let ch = null;
  try {
    ch = await openChromium({ root, corpus, isolated: true, log: (s) => { if (process.env.BENCH_VERBOSE) progress(s); } });
    if (!ch.info.cross_origin_isolated) throw new Error('the bench page is not cross-origin isolated');
  } catch (e) {
    const msg = `isolated chromium unavailable: ${String(e.message).split('\n')[0]}`;
    results.notes.push(msg);
    for (const m of models.filter((x) => !charactersOnly(x))) for (const t of tfThreads) record(m, tkey('tfjs_chromium', t), { error: msg }, t);
  }
  if (ch) {
    try {
      for (const m of models.filter((x) => !charactersOnly(x))) {
        for (const t of tfThreads) {
          await measure(m, tkey('tfjs_chromium', t), async () => {
            try { return await ch.run({ kind: 'tfjs', model: m, seconds, warmup, threads: t }, jobTimeoutMs); } catch (e) { return { error: String(e.message).split('\n')[0] }; }
          }, t);
        }
      }
    } finally {
      await ch.close();
    }
  }
}

// ---------------------------------------------------------------- PyTorch
// The Python with torch: RNN_PLAYGROUND_TORCH_VENV's, else scripts/test torch's target/torch-venv, else python3.
const torchVenv = process.env.RNN_PLAYGROUND_TORCH_VENV || path.join(root, 'target', 'torch-venv');
const python = fs.existsSync(path.join(torchVenv, 'bin', 'python')) ? path.join(torchVenv, 'bin', 'python') : 'python3';
if (want('torch')) {
  const probe = sh(python, ['-c', 'import torch; print(torch.__version__)'], { timeout: 120000 });
  if (probe.code !== 0) {
    results.torch = { available: false, reason: firstLine(probe.stderr) || 'python3 -c "import torch" failed' };
    for (const m of models) record(m, 'torch', { error: 'PyTorch: not available' });
  } else {
    results.torch = { available: true, version: firstLine(probe.stdout), python };
    for (const m of models.filter((x) => !charactersOnly(x))) {
      for (const t of args.threads) {
        await measure(m, tkey('torch', t), () => {
          const r = sh(python, [path.join(benchDir, 'torch_bench.py'), '--cell', m.cell, '--layers', String(m.layers),
            '--hidden', String(m.hidden), '--embed', String(m.embed), '--seq-len', String(m.seq_len), '--batch', String(m.batch),
            '--corpus', corpus, '--seconds', String(seconds), '--warmup', String(warmup), '--threads', String(t)],
          { env: { ...process.env, OMP_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) } });
          const j = lastJson(r.stdout);
          return j && typeof j.chars_per_sec === 'number' ? j : { error: (j && j.error) || `exit ${r.code}: ${firstLine(r.stderr)}` };
        }, t);
      }
    }
  }
}
results.meta.loadavg_end = os.loadavg();

// ---------------------------------------------------------------- derived numbers
function peakOf(p) {
  if (!p || p.error) return null;
  const vals = ['muladd', 'madd'].map((k) => p[k] && p[k].gflops).filter((x) => typeof x === 'number');
  return vals.length ? Math.max(...vals) : null;
}
const peaks = { node: peakOf(results.peak.node), chromium: peakOf(results.peak.chromium) };
results.peak.best_gflops = peaks;
const ROWS = [
  ['native', 'engine native (Rust)', null],
  ['wasm_node', 'engine wasm · Node', 'node'],
  ['wasm_chromium', 'engine wasm · Chromium worker', 'chromium'],
  ['wasm_relaxed_chromium', 'engine +relaxed · Chromium worker', 'chromium'],
  ['tfjs_node', 'TF.js wasm · Node', 'node'],
  ['tfjs_chromium', 'TF.js wasm · Chromium worker', 'chromium'],
  ['torch', 'PyTorch CPU', null],
];
// The rows on several threads, each runtime's counts together: [key, label, peak runtime, the
// same runtime's one-thread row (what its scaling is read against)].
const plural = (t, what) => `${t} ${what}${t === 1 ? '' : 's'}`;
const TROWS = [
  ...args.threads.map((t) => [tkey('pool_chromium', t), `page pool · Chromium, ${plural(t, 'worker')}`, 'chromium', 'pool_chromium']),
  ...args.threads.filter((t) => t > 1).map((t) => [tkey('native', t), `engine native (Rust), ${plural(t, 'thread')}`, null, 'native']),
  ...args.threads.filter((t) => t > 1).map((t) => [tkey('torch', t), `PyTorch CPU, ${plural(t, 'thread')}`, null, 'torch']),
  ...args.threads.filter((t) => t > 1).map((t) => [tkey('tfjs_chromium', t), `TF.js wasm · Chromium, ${plural(t, 'thread')}`, 'chromium', 'tfjs_chromium']),
];
// "Every core": the largest count measured.
const allCores = args.threads[args.threads.length - 1];
const cps = (m, k) => {
  const r = results.models[m.name].rows[k];
  return r && typeof r.chars_per_sec === 'number' ? r.chars_per_sec : null;
};
const RATIOS = {
  wasm_chromium: ['tfjs_chromium', 'TF.js'],
  wasm_relaxed_chromium: ['tfjs_chromium', 'TF.js'],
  wasm_node: ['tfjs_node', 'TF.js'],
  native: ['torch', 'PyTorch'],
};
for (const m of models) {
  const rows = results.models[m.name].rows;
  for (const [k, , rt] of [...ROWS, ...TROWS]) {
    const r = rows[k];
    if (r && typeof r.gflops === 'number' && rt && peaks[rt]) {
      // On t threads the ceiling is t cores' peak.
      r.fraction_of_peak = r.gflops / (peaks[rt] * (r.threads || 1));
      const mp = results.peak[rt] && results.peak[rt].muladd && results.peak[rt].muladd.gflops;
      if (mp) r.fraction_of_muladd_peak = r.gflops / mp;
    }
  }
  const ratio = (a, b) => (cps(m, a) && cps(m, b) ? cps(m, a) / cps(m, b) : null);
  results.ratios[m.name] = {
    engine_chromium_over_tfjs_chromium: ratio('wasm_chromium', 'tfjs_chromium'),
    engine_node_over_tfjs_node: ratio('wasm_node', 'tfjs_node'),
    native_over_torch: ratio('native', 'torch'),
    engine_chromium_over_native: ratio('wasm_chromium', 'native'),
    engine_chromium_over_torch: ratio('wasm_chromium', 'torch'),
    relaxed_over_simd128_chromium: ratio('wasm_relaxed_chromium', 'wasm_chromium'),
    tfjs_chromium_over_torch: ratio('tfjs_chromium', 'torch'),
    native_all_cores_over_torch_all_cores: ratio(tkey('native', allCores), tkey('torch', allCores)),
  };
  // How each runtime scales: chars/s on t threads over its own one-thread row.
  for (const [k, , , base] of TROWS) {
    const one = base === 'pool_chromium' ? 'pool_chromium' : base;
    const x = ratio(k, one);
    if (x != null) results.ratios[m.name][`${k}_over_1`] = x;
  }
  for (const [k, rt] of [['wasm_node', 'node'], ['wasm_chromium', 'chromium'], ['wasm_relaxed_chromium', 'chromium_relaxed']]) {
    if (rows[k] && rows[k].sample) results.sample[rt] = { model: m.name, ...rows[k].sample };
  }
}

// ---------------------------------------------------------------- targets
const T = [];
const target = (name, value, ok, shown) => T.push({ name, value, pass: value == null ? null : ok, shown });
const fr = (m, k) => results.models[m]?.rows[k]?.fraction_of_peak ?? null;
const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
// The targets read the engine the page loads in Chromium: the relaxed-SIMD build when it was
// measured (Chromium has relaxed SIMD), else the baseline.
const pageRow = (m) => (results.models[m]?.rows.wasm_relaxed_chromium?.chars_per_sec != null ? 'wasm_relaxed_chromium' : 'wasm_chromium');
const pageName = (m) => (pageRow(m) === 'wasm_relaxed_chromium' ? 'wasm+relaxed' : 'wasm');
const peakShown = (m) => {
  const r = results.models[m]?.rows[pageRow(m)];
  if (!r || r.fraction_of_peak == null) return 'n/a';
  let t = `${pct(r.fraction_of_peak)} of ${peaks.chromium.toFixed(1)} GFLOP/s`;
  if (r.fraction_of_muladd_peak != null) t += ` (${pct(r.fraction_of_muladd_peak)} of the ${results.peak.chromium.muladd.gflops.toFixed(1)} mul+add-only peak)`;
  return t;
};
for (const [m, min] of [['medium-lstm', 0.6], ['small-lstm', 0.45]]) {
  if (!results.models[m]) continue;
  const f = fr(m, pageRow(m));
  target(`${pageName(m)} in Chromium, ${m.replace('-', ' ').replace('lstm', 'LSTM')} ≥ ${min * 100} % of peak`, f, f >= min, peakShown(m));
}
if (results.models['medium-lstm']) {
  const r = cps(models.find((x) => x.name === 'medium-lstm'), pageRow('medium-lstm'));
  const t = cps(models.find((x) => x.name === 'medium-lstm'), 'tfjs_chromium');
  const x = r && t ? r / t : null;
  target(`${pageName('medium-lstm')} in Chromium, medium LSTM ≥ 20× TF.js wasm (Chromium)`, x, x >= 20, x == null ? 'n/a' : `${x.toFixed(1)}×`);
  const n = results.ratios['medium-lstm'].native_over_torch;
  target('native medium LSTM ≥ PyTorch 1 thread', n, n >= 1, n == null ? 'n/a' : `${n.toFixed(2)}×`);
}
// Every core (issue "Every core"): the page's engine on 2 workers against 1, native against
// PyTorch with all their threads.
for (const [m, min] of [['medium-lstm', 1.7], ['small-lstm', 1.5]]) {
  if (!results.models[m] || !args.threads.includes(2)) continue;
  const x = results.ratios[m][`${tkey('pool_chromium', 2)}_over_1`] ?? null;
  target(`page's engine in Chromium, ${m.replace('-', ' ').replace('lstm', 'LSTM')}: 2 workers ≥ ${min}× 1 worker`, x, x >= min, x == null ? 'n/a' : `${x.toFixed(2)}×`);
}
for (const m of ['small-lstm', 'medium-lstm']) {
  if (!results.models[m]) continue;
  const x = results.ratios[m].native_all_cores_over_torch_all_cores;
  target(`native ${m.replace('-', ' ').replace('lstm', 'LSTM')} on ${plural(allCores, 'thread')} ≥ PyTorch on ${allCores}`, x, x >= 1, x == null ? 'n/a' : `${x.toFixed(2)}×`);
}
for (const rt of ['chromium_relaxed', 'chromium', 'node']) {
  const s = results.sample[rt];
  if (!s && rt === 'chromium_relaxed') continue;
  const name = { chromium_relaxed: 'wasm+relaxed Chromium', chromium: 'wasm Chromium', node: 'wasm Node' }[rt];
  target(`sample 1,000 chars, medium, ${name} < 50 ms`, s ? s.median_ms : null, s && s.median_ms < 50, s ? `${s.median_ms.toFixed(1)} ms` : 'n/a');
}
// The page loads one module; the target holds for the larger of the two.
const ws = [results.wasm_size, results.wasm_size_relaxed].filter(Boolean).sort((a, b) => b.bytes - a.bytes)[0] || null;
target('wasm ≤ 256 KiB', ws ? ws.bytes : null, ws && ws.bytes <= 256 * 1024, ws ? `${(ws.bytes / 1024).toFixed(1)} KiB` : 'n/a');
target('wasm gzipped ≤ 110 KiB', ws ? ws.gzip_bytes : null, ws && ws.gzip_bytes <= 110 * 1024, ws ? `${(ws.gzip_bytes / 1024).toFixed(1)} KiB` : 'n/a');
results.targets = T;

// ---------------------------------------------------------------- the table
const fmtInt = (x) => (x == null ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const fmt2 = (x, d = 2) => (x == null ? 'n/a' : x.toFixed(d));
const lines = [];
const W = [13, 10, 32, 10, 8, 8, 26];
const rowStr = (cells) => cells.map((c, i) => (i <= 2 ? String(c).padEnd(W[i]) : String(c).padStart(W[i]))).join(' ').trimEnd();
const rule = '─'.repeat(W.reduce((a, b) => a + b + 1, -1));
lines.push(`rnn-playground speed — ${args.corpus} (${results.meta.corpus_chars.toLocaleString('en-US')} chars, V=${corpusVocab}); ${seconds} s per row after ${fmt2(warmup, 1)} s warm-up; 1 thread, and ${args.threads.join(', ')} threads (workers) where a runtime has them`);
if (!corpusIsReference) lines.push('NOT the reference corpus (bench/out/corpus/en.txt): these numbers are not comparable with the published ones');
lines.push(`${results.meta.cpu} · ${results.meta.cores} cores · load ${results.meta.loadavg_start.map((x) => x.toFixed(2)).join(' ')} · Node ${process.version} · Chromium ${results.meta.chromium || 'n/a'} · TF.js 4.22.0 · PyTorch ${results.torch && results.torch.available ? results.torch.version : 'n/a'}`);
lines.push(rule);
lines.push(rowStr(['model', 'MACs/char', 'runtime', 'chars/s', 'GFLOP/s', '% peak', 'ratio']));
lines.push(rule);
for (const m of models) {
  const rows = results.models[m.name].rows;
  let first = true;
  for (const [k, label] of ROWS) {
    const r = rows[k];
    if (!r) continue;
    let ratioText = '';
    if (RATIOS[k]) {
      const [other, name] = RATIOS[k];
      const parts = [];
      const x = cps(m, k) && cps(m, other) ? cps(m, k) / cps(m, other) : null;
      if (x != null) parts.push(`${x >= 10 ? x.toFixed(0) : x.toFixed(2)}× ${name}`);
      const nat = k.startsWith('wasm_') && cps(m, k) && cps(m, 'native') ? cps(m, k) / cps(m, 'native') : null;
      if (nat != null) parts.push(`${nat.toFixed(2)}× native`);
      ratioText = parts.join(', ');
    }
    const cells = [first ? m.name : '', first ? fmtInt(results.models[m.name].macs_per_char) : '', label];
    // A word model: tokens/s in the speed column, the characters they stand for beside.
    if (m.tokens === 'words' && !r.error) ratioText = `${fmtInt(r.chars_per_sec)} chars/s${ratioText ? `, ${ratioText}` : ''}`;
    const speed = m.tokens === 'words' ? r.tokens_per_sec : r.chars_per_sec;
    if (r.error) cells.push(r.error.startsWith('PyTorch') ? 'not available' : 'n/a ', '', '', '');
    else cells.push(fmtInt(speed) + (r.contended ? '*' : ' '), fmt2(r.gflops), r.fraction_of_peak != null ? pct(r.fraction_of_peak) : '', ratioText);
    lines.push(rowStr(cells));
    first = false;
  }
  // On several threads: each against its own one thread (and native on every core against
  // PyTorch on every core); under the pool's rows, where a step's time goes.
  for (const [k, label, , base] of TROWS) {
    const r = rows[k];
    if (!r) continue;
    const parts = [];
    const x = results.ratios[m.name][`${k}_over_1`];
    if (x != null) parts.push(`${x.toFixed(2)}× ${base === 'pool_chromium' ? '1 worker' : '1 thread'}`);
    if (r.threads_asked != null) parts.push(`ran on ${r.threads}`);
    if (m.tokens === 'words' && !r.error) parts.unshift(`${fmtInt(r.chars_per_sec)} chars/s`);
    if (k === tkey('native', allCores) && results.ratios[m.name].native_all_cores_over_torch_all_cores != null) {
      parts.push(`${results.ratios[m.name].native_all_cores_over_torch_all_cores.toFixed(2)}× PyTorch ${allCores}`);
    }
    const cells = ['', '', label];
    if (r.error) cells.push('n/a ', '', '', r.error.slice(0, 40));
    else cells.push(fmtInt(m.tokens === 'words' ? r.tokens_per_sec : r.chars_per_sec) + (r.contended ? '*' : ' '), fmt2(r.gflops), r.fraction_of_peak != null ? pct(r.fraction_of_peak) : '', parts.join(', '));
    lines.push(rowStr(cells));
    const ms = r.step_ms;
    if (ms) {
      lines.push(`${' '.repeat(W[0] + W[1] + 2)}  per step, ms: here ${fmt2(ms.compute, 1)} its shard + ${fmt2(ms.wait, 1)} waiting + ${fmt2(ms.out, 1)} chunks & weights out + ${fmt2(ms.reduce, 1)} gradients in, sum & step;`);
      lines.push(`${' '.repeat(W[0] + W[1] + 2)}  in the other workers (slowest): ${fmt2(ms.weights, 1)} weights in + ${fmt2(ms.remote, 1)} their shard`);
    }
  }
  lines.push(rule);
}
for (const rt of ['node', 'chromium']) {
  const p = results.peak[rt];
  if (!p) continue;
  const name = rt === 'node' ? 'Node' : 'Chromium';
  for (const [k, label] of [['muladd', 'f32x4 mul+add'], ['madd', 'f32x4 relaxed_madd']]) {
    const g = p[k] && typeof p[k].gflops === 'number' ? p[k].gflops : null;
    lines.push(rowStr([rt === 'node' && k === 'muladd' ? 'wasm peak' : '', '', `${name} · ${label}`, '', g == null ? 'n/a' : g.toFixed(1), '', g != null && g === peaks[rt] ? '← peak' : '']));
  }
}
const sm = (rt) => results.sample[rt];
const nativeSample = results.models['medium-lstm']?.rows.native?.sample_1000_ms;
if (sm('node') || sm('chromium') || nativeSample != null) {
  const s = (rt) => (sm(rt) ? `${sm(rt).median_ms.toFixed(1)} ms` : 'n/a');
  lines.push(rowStr(['sampling', '', '1,000 chars, medium LSTM', '', '', '', `wasm Chromium ${s('chromium')}`]));
  lines.push(rowStr(['', '', '(median of 15, after 1 warm-up)', '', '', '', `wasm Node ${s('node')}`]));
  if (sm('chromium_relaxed')) lines.push(rowStr(['', '', '', '', '', '', `+relaxed Chromium ${s('chromium_relaxed')}`]));
  if (nativeSample != null) lines.push(rowStr(['', '', '', '', '', '', `native ${nativeSample.toFixed(1)} ms (1 run)`]));
}
for (const w of [results.wasm_size, results.wasm_size_relaxed].filter(Boolean)) {
  lines.push(rowStr([w === results.wasm_size ? 'wasm size' : '', '', w.file, '', '', '', `${(w.bytes / 1024).toFixed(1)} KB, gzip -9 ${(w.gzip_bytes / 1024).toFixed(1)} KB`]));
}
if (!results.wasm_size) lines.push(rowStr(['wasm size', '', 'n/a']));
lines.push(rule);
for (const t of T) lines.push(`  ${t.pass == null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.shown}`);
if (results.torch && !results.torch.available) lines.push('  PyTorch: not available');
lines.push(`GFLOP/s = chars/s × 6 × MACs/char; MACs/char = Σ_layers G·H·(in+H) + H·V (G = 1 rnn, 4 lstm, 3 gru). % peak = GFLOP/s ÷ (best wasm f32x4 loop in the same runtime × threads).`);
if (results.models['words-lstm']) lines.push(`words-lstm: a word model (V = its words, up to 8,000): its speed column is tokens/s, its MACs and GFLOP/s per token; the characters those tokens stand for per second are in the last column. TF.js and PyTorch rows read characters only.`);
if (Object.values(results.models).some((mm) => Object.values(mm.rows).some((r) => r.contended))) lines.push(`* other work (outside the benchmark) kept more than ${CONTENDED_OTHERS} of the ${os.cpus().length} cores busy on average during that row (other_busy_cores in the JSON): it may read low.`);
if (Math.max(results.meta.loadavg_start[0], results.meta.loadavg_end[0]) > 1.5) lines.push(`note: the machine was busy (load average ${results.meta.loadavg_start[0].toFixed(2)} → ${results.meta.loadavg_end[0].toFixed(2)}); numbers may be low.`);
if (Object.values(results.models).some((mm) => Object.values(mm.rows).some((r) => r.threads_asked != null))) {
  lines.push('"ran on N": the runtime used another number of threads than asked (TF.js\'s wasm backend sizes its thread pool itself, as tf.wasm.getThreadsCount() reports; on 2 logical cores it made 1 whatever setThreadsCount asked).');
}
for (const n of results.notes) lines.push(`note: ${n}`);
lines.push(`JSON: ${path.relative(root, outFile)}`);
results.table = lines.join('\n');
fs.writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
console.log(results.table);
