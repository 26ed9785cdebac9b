// The tutorial's experiments for their full 10,000 steps in Chromium and Firefox, each claim of
// the prose checked against the numbers (tests/tutorial-claims.json, the same claims and metrics
// as tests/tutorial.rs natively). Opt-in and long (tens of minutes per browser on two cores):
//
//   scripts/build && node e2e/tutorial-long.mjs [--browsers chromium,firefox] [--sections 1,2,3,4]
//
// Each section's playgrounds are scrolled into view and started together, as a reader would, and
// run until they stop (10,000 steps, or a divergence). Recorded per playground: every validation
// check (step, loss, the smoothed training loss), the notices, the samples, σ_max and the gradient
// flow at the end; also that the charts of a pair stay level and no number in a stat box is cut.
// Prints a table and writes target/tutorial-long/BROWSER.json; exits 1 when a claim fails.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launch } from './driver.mjs';
import { REPO_ROOT, serve, screenshot, sleep } from './helpers.mjs';
import { startSection } from './tutorial-page.mjs';
import { englishText } from '../www/corpora/english.js';

const { values: args } = parseArgs({
  options: { browsers: { type: 'string', default: 'chromium,firefox' }, sections: { type: 'string', default: '1,2,3,4' } },
});
const CLAIMS = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/tutorial-claims.json'), 'utf8')).experiments;
const HOURS = 3 * 3600_000; // a section that has not finished by then has failed

/** Installs a recorder on every playground of the page (window.__rec[i]). */
function record() {
  window.__rec = [...document.querySelectorAll('rnn-playground')].map((el) => {
    const rec = { label: el.getAttribute('label'), checks: [], alerts: [], plateauAt: null, samples: [], diverged: null };
    const { pg } = el.app;
    pg.on('val', (v) => {
      if (v.loss !== null) rec.checks.push([v.step, v.loss, pg.run.get('smooth')]);
      if (v.plateau && rec.plateauAt === null) rec.plateauAt = v.step;
    });
    pg.on('alert', (list) => {
      for (const a of list) if (!rec.alerts.includes(a.message)) rec.alerts.push(a.message);
    });
    pg.on('diverged', (d) => {
      rec.diverged = [d.step, d.loss];
    });
    pg.on('sample', (s) => rec.samples.push({ step: s.step, text: s.text, prime: s.prime, primed: s.primed }));
    return rec;
  });
}

/** The playgrounds of section `n` (indices into the page's), their state and step. */
const sectionState = (page, n) => page.eval((k) => {
  const els = [...document.querySelectorAll(`section[aria-labelledby="s${k}"] rnn-playground`)];
  const all = [...document.querySelectorAll('rnn-playground')];
  return els.map((el) => ({ index: all.indexOf(el), state: el.state, step: el.app.pg.run.get('step') }));
}, n);

/** What a finished playground leaves: its record, σ_max, the flow's last row, the layout checks. */
const finished = (page, index) => page.eval((i) => {
  const el = document.querySelectorAll('rnn-playground')[i];
  const { pg } = el.app;
  const rec = window.__rec[i];
  const sigma = pg.run.last('sigma') ? Math.max(...pg.run.last('sigma').values.flatMap((a) => [...a])) : null;
  let flow30 = null;
  if (pg.run.last('flow')) {
    const layers = pg.run.last('flow').layers;
    const m = layers[layers.length - 1];
    const n = Math.round(Math.sqrt(m.length));
    flow30 = m[(n - 1) * n + n - 31] / m[(n - 1) * n + n - 1];
  }
  const root = el.shadowRoot;
  const cut = [...root.querySelectorAll('.stat dd')].filter((d) => d.scrollWidth > d.clientWidth + 0.5).map((d) => `${d.id}: ${d.textContent}`);
  const chartTop = root.querySelector('.view-loss')?.getBoundingClientRect().top ?? null;
  return { ...rec, sigma, flow30, cut, chartTop, state: el.state };
}, index);

// ---- the metrics of tests/tutorial-claims.json, as tests/tutorial.rs computes them ----

/** The whole generated lines `x.....x` of the memory task (a sample's last line is cut). */
const memoryLines = (texts) => texts.flatMap((t) => t.split('\n').slice(0, -1)).filter((l) => /^[a-z]\.{10,}[a-z]$/.test(l));

/** Fraction of those lines that close with their first letter. */
function closingLetters(texts) {
  const lines = memoryLines(texts);
  return lines.filter((l) => l[0] === l[l.length - 1]).length / Math.max(1, lines.length);
}

let known = null;
/** Fraction of generated words (letters only; each sample's first and last dropped) in the English text. */
function knownWords(texts) {
  const words = (s) => s.split(/[^\p{L}]+/u).filter(Boolean).map((w) => w.toLowerCase());
  known ??= new Set(words(englishText()));
  const all = texts.flatMap((t) => words(t).slice(1, -1));
  return all.filter((w) => known.has(w)).length / Math.max(1, all.length);
}

function metric(r, name) {
  const [what, a] = name.split(':');
  const arg = Number(a ?? 0);
  const vals = (f) => r.checks.filter((c) => f(c[0])).map((c) => c[1]);
  const min = (v) => (v.length ? Math.min(...v) : null);
  const max = (v) => (v.length ? Math.max(...v) : null);
  // The samples of the run's last 2,000 steps (the page samples every few seconds).
  const last = r.checks.length ? r.checks[r.checks.length - 1][0] : 0;
  const late = r.samples.filter((s) => s.step >= last - 2000).map((s) => s.text);
  // Lines close by chance one time in eight: the second half of the run (a plateau by then) gives
  // tens of lines where the last 2,000 steps of a fast run give about ten.
  const secondHalf = r.samples.filter((s) => s.step >= last / 2).map((s) => s.text);
  switch (what) {
    case 'val_final': return r.checks.length ? r.checks[r.checks.length - 1][1] : null;
    case 'val_best': return min(vals(() => true));
    case 'val_best_by': return min(vals((s) => s <= arg));
    case 'val_max_after': return max(vals((s) => s > arg));
    case 'train_min_after': return min(r.checks.filter((c) => c[0] > arg && c[2] !== null).map((c) => c[2]));
    case 'plateau_at': return r.plateauAt;
    case 'diverged_at': return r.diverged ? r.diverged[0] : null;
    case 'diverged_loss': return r.diverged ? r.diverged[1] : null;
    case 'closing_letters': return closingLetters(secondHalf);
    case 'closing_lines': return memoryLines(secondHalf).length;
    case 'known_words': return knownWords(late);
    case 'sigma_max': return r.sigma;
    case 'flow_30': return r.flow30;
    default: throw new Error(`unknown metric ${name}`);
  }
}

/** The failed claims of playground record `r` (empty when all hold). */
function judge(r) {
  const failures = [];
  const claims = CLAIMS[r.label]?.claims;
  if (!claims) return [`no claims for “${r.label}”`];
  r.metrics = {};
  for (const c of claims) {
    const v = metric(r, c.metric);
    r.metrics[c.metric] = v;
    const ok = v !== null && Number.isFinite(v) && (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max);
    if (!ok) failures.push(`${c.metric} = ${v} (claimed ${c.min ?? '−∞'}…${c.max ?? '∞'}: ${c.says})`);
  }
  if ('closing_letters' in r.metrics) r.metrics.closing_lines = metric(r, 'closing_lines');
  const memorising = r.alerts.filter((m) => /memorising/.test(m) && !/not memorising/.test(m));
  if (memorising.length) failures.push(`called memorising: ${memorising[0]}`);
  if (r.cut.length) failures.push(`numbers cut in the stat boxes: ${r.cut.join(', ')}`);
  return failures;
}

async function runBrowser(name, server) {
  const browser = await launch(name);
  const results = [];
  try {
    for (const n of args.sections.split(',').map(Number)) {
      const page = await browser.newPage({ width: 1400, height: 2400 });
      try {
        await page.goto(`${server.url}tutorial.html`);
        await page.eval(() => customElements.whenDefined('rnn-playground'));
        await page.eval(record);
        await startSection(page, n);
        const els = await sectionState(page, n);
        const t0 = Date.now();
        let lastLog = 0;
        for (;;) {
          const now = await sectionState(page, n);
          if (now.every((e) => /^done|diverged/.test(e.state))) break;
          if (Date.now() - t0 > HOURS) throw new Error(`section ${n} did not finish: ${JSON.stringify(now)}`);
          if (Date.now() - lastLog > 60_000) {
            lastLog = Date.now();
            console.log(`  ${name} §${n} ${Math.round((Date.now() - t0) / 1000)} s: ${now.map((e) => `${e.step} (${e.state})`).join(', ')}`);
          }
          await sleep(5000);
        }
        await sleep(1000); // the last messages of the stop
        const recs = [];
        for (const e of els) recs.push(await finished(page, e.index));
        const level = recs.length === 2 && Math.abs(recs[0].chartTop - recs[1].chartTop) > 1
          ? `the pair's loss charts are not level: ${recs.map((r) => Math.round(r.chartTop)).join(' vs ')} px`
          : null;
        for (const r of recs) {
          r.browser = name;
          r.seconds = Math.round((Date.now() - t0) / 1000);
          r.failures = judge(r);
          if (level) r.failures.push(level);
          results.push(r);
          console.log(`  ${name} §${n} ${r.label}: ${r.failures.length ? r.failures.join('; ') : 'every claim holds'}`);
        }
        // Written after each section, so that a long run that stops keeps what it measured.
        mkdirSync(join(REPO_ROOT, 'target/tutorial-long'), { recursive: true });
        const keep = results.map(({ samples, ...r }) => ({ ...r, lastSample: samples.at(-1) ?? null }));
        writeFileSync(join(REPO_ROOT, `target/tutorial-long/${name}.json`), JSON.stringify(keep, null, 1));
        await screenshot(page, `tutorial-long-s${n}.png`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  return results;
}

const server = await serve();
let failed = 0;
try {
  for (const name of args.browsers.split(',')) {
    console.log(`${name}: sections ${args.sections}`);
    const results = await runBrowser(name, server);
    for (const r of results) {
      const last = r.checks.at(-1) ?? [null, null, null];
      const fmt = (v) => (typeof v === 'number' ? +v.toPrecision(4) : v);
      console.log(`${name} | ${r.label} | step ${last[0]} val ${fmt(last[1])} train ${fmt(last[2])} | ${r.state} | ${r.seconds} s`);
      console.log(`   ${Object.entries(r.metrics ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
      console.log(`   notices: ${r.alerts.map((m) => m.slice(0, 90)).join(' | ') || 'none'}`);
      for (const f of r.failures) console.log(`   FAILED: ${f}`);
      failed += r.failures.length;
    }
  }
} finally {
  await server.close();
}
console.log(failed ? `${failed} claims failed` : 'every claim held');
process.exit(failed ? 1 : 0);
