// Shared set-up for the browser end-to-end tests (run with `node --test e2e/`, or scripts/test).
//
// Each test launches Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through playwright-core —
// never a browser downloaded by Playwright — opens the page served at $BASE_URL (scripts/test
// starts scripts/server.mjs for it; without BASE_URL a server is started here on a free port),
// and records everything that must not happen: console errors, uncaught page errors, CSP
// violations, dialogs, and requests to any origin but the page's.

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = join(REPO_ROOT, 'e2e', 'screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

// Two shared cores: be generous.
export const LONG = 120_000;

/** A corpus long enough to train on: English-like text with plenty of repetition. */
export const CORPUS = (
  'the quick brown fox jumps over the lazy dog. ' +
  'a stitch in time saves nine. ' +
  'to be or not to be, that is the question. ' +
  'all that glitters is not gold. '
).repeat(40);

let serverPromise = null;

/** The page's base URL: $BASE_URL, or a server started once for this test process. */
export function baseUrl() {
  if (process.env.BASE_URL) return Promise.resolve(process.env.BASE_URL.replace(/\/?$/, '/'));
  if (!serverPromise) {
    serverPromise = new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'server.mjs')], {
        env: { ...process.env, PORT: '0', QUIET: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/at (http:\/\/\S+)/);
        if (m) {
          // Let the test process end when its tests are done; the server goes with it.
          child.stdout.destroy();
          resolve(m[1].replace('localhost', '127.0.0.1'));
        }
      });
      child.on('exit', (code) => reject(new Error(`test server exited (${code}): ${out}`)));
      child.unref();
      process.on('exit', () => child.kill());
    });
  }
  return serverPromise;
}

/**
 * Launches Chromium and opens the page at the given viewport. Returns
 * { browser, context, page, problems, close } where problems collects what must never happen.
 */
export async function openPage({ width = 1280, height = 900, query = '' } = {}) {
  const url = (await baseUrl()) + query;
  const origin = new URL(url).origin;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const context = await browser.newContext({ viewport: { width, height } });
  context.setDefaultTimeout(LONG);
  const problems = { console: [], page: [], csp: [], dialogs: [], foreign: [] };
  const requests = []; // every URL the page and its worker asked for

  // Collected in the page (and its frames) before any of the page's scripts run.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(msg.text());
    // Chromium reports CSP violations as console errors too, also for workers.
  });
  page.on('pageerror', (err) => problems.page.push(String(err && err.stack ? err.stack : err)));
  page.on('dialog', async (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  context.on('request', (req) => {
    const u = req.url();
    requests.push(u);
    if (u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') return;
    let o;
    try {
      o = new URL(u).origin;
    } catch {
      o = u;
    }
    if (o !== origin) problems.foreign.push(u);
  });
  // Workers: surface their uncaught errors too.
  page.on('worker', (w) => {
    w.on('console', (msg) => {
      if (msg.type() === 'error') problems.console.push(`[worker] ${msg.text()}`);
    });
  });

  await page.goto(url, { waitUntil: 'load', timeout: LONG });

  const close = async () => {
    await browser.close().catch(() => {});
  };
  return { browser, context, page, problems, requests, close, url, origin };
}

/** Fails the test if anything in `problems` (or CSP violations seen by the page) happened. */
export async function assertClean(page, problems) {
  let csp = [];
  try {
    csp = await page.evaluate(() => window.__cspViolations || []);
  } catch (e) {
    csp = [`could not read CSP violations: ${e}`];
  }
  problems.csp.push(...csp);
  const report = Object.entries(problems)
    .filter(([, v]) => v.length)
    .map(([k, v]) => `${k}:\n  ${v.join('\n  ')}`)
    .join('\n');
  assert.equal(report, '', `the page misbehaved:\n${report}`);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** First decimal number in a piece of text, or NaN. */
export function firstNumber(text) {
  const m = String(text ?? '').replace(/,/g, '').match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/i);
  return m ? Number(m[0]) : NaN;
}

/** Polls fn() until it returns a truthy value; returns it. */
export async function until(fn, { timeout = LONG, interval = 250, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
