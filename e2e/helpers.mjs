// Shared set-up for the end-to-end tests (`node --test e2e/`, or scripts/test): test servers that
// record every request, the browsers of driver.mjs, and small in-page helpers.
//
// Each test file starts its own servers in-process: the repository (the playground's origin)
// and, where a test needs a second origin, a host server for a temporary folder. Page requests
// to any other origin, console errors, uncaught exceptions, dialogs and CSP violations fail the
// test (assertClean).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { describe, before, after } from 'node:test';
import { startServer } from '../scripts/server.mjs';
import { BROWSERS, launch } from './driver.mjs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = join(REPO_ROOT, 'e2e', 'screenshots');

/** Two shared cores: be generous. */
export const LONG = 120_000;

/** A corpus long enough to train on: English-like text with plenty of repetition. */
export const CORPUS = (
  'the quick brown fox jumps over the lazy dog. ' +
  'a stitch in time saves nine. ' +
  'to be or not to be, that is the question. ' +
  'all that glitters is not gold. '
).repeat(40);

/**
 * A server for `root` (default: the repository) on 127.0.0.1, recording requests. Returns
 * {url, origin, requests: [{method, path, status}], since(mark), close()}.
 */
export async function serve({ root = REPO_ROOT, host = '127.0.0.1', cors = false } = {}) {
  const requests = [];
  const s = await startServer({ root, host, port: 0, cors, onRequest: (r) => requests.push(r) });
  const url = s.url.replace('localhost', host);
  return {
    url,
    origin: new URL(url).origin,
    requests,
    /** Request paths after `mark` (an earlier requests.length). */
    since: (mark = 0) => requests.slice(mark).map((r) => r.path),
    close: s.close,
  };
}

/**
 * The suite `body(name, env)` once per browser, as `title (browser)`: `env.browser` (launched) and
 * `env.server` (the repository, recording requests) are there from its first test to its last.
 */
export function inBrowsers(title, body) {
  for (const name of BROWSERS) {
    describe(`${title} (${name})`, () => {
      const env = { browser: null, server: null };
      before(async () => {
        env.browser = await launch(name);
        env.server = await serve();
      });
      after(async () => {
        await env.browser?.close();
        await env.server?.close();
      });
      body(name, env);
    });
  }
}

/** A fresh temporary folder with `files` ({name: content}) written into it. */
export function tempSite(files) {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-e2e-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Paths of .wasm files among request paths. */
export const wasmPaths = (paths) => paths.map((p) => p.split('?')[0]).filter((p) => p.endsWith('.wasm'));

/**
 * Fails unless the page behaved: no console errors, exceptions, dialogs or CSP violations
 * (`allowConsole`, `allowPage`: patterns of console errors and page errors a test expects).
 */
export async function assertClean(page, { allowConsole = [], allowPage = [] } = {}) {
  const csp = await page.cspViolations();
  const problems = {
    ...page.problems,
    console: page.problems.console.filter((t) => !allowConsole.some((re) => re.test(t))),
    page: page.problems.page.filter((t) => !allowPage.some((re) => re.test(t))),
    csp,
  };
  const report = Object.entries(problems)
    .filter(([, v]) => v.length)
    .map(([k, v]) => `${k}:\n  ${v.join('\n  ')}`)
    .join('\n');
  assert.equal(report, '', `the page misbehaved:\n${report}`);
}

/** Screenshot into e2e/screenshots/. */
export async function screenshot(page, name, fullPage = false) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${page.browser}-${name}`);
  await page.screenshot(path, fullPage);
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
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last && last.stack ? last.stack : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- in-page helpers: `root` is a selector of an <rnn-playground> (its shadow root) or null ----

/** Text of `sel` inside the document or an element's shadow root. */
export const text = (page, sel, root = null) =>
  page.eval(([s, r]) => {
    const base = r ? document.querySelector(r).shadowRoot : document;
    const e = base && base.querySelector(s);
    return e ? e.textContent : null;
  }, [sel, root]);

/** The value of an input. */
export const value = (page, sel, root = null) =>
  page.eval(([s, r]) => {
    const base = r ? document.querySelector(r).shadowRoot : document;
    return base.querySelector(s).value;
  }, [sel, root]);

/** Clicks `sel` (a DOM click, as a user's would dispatch). */
export const click = (page, sel, root = null) =>
  page.eval(([s, r]) => {
    const base = r ? document.querySelector(r).shadowRoot : document;
    const e = base.querySelector(s);
    if (!e) throw new Error(`no ${s}`);
    if (e.disabled) throw new Error(`${s} is disabled`);
    e.click();
  }, [sel, root]);

/** Types `v` into an input or textarea as a paste would (one input event). */
export const fill = (page, sel, v, root = null) =>
  page.eval(([s, val, r]) => {
    const base = r ? document.querySelector(r).shadowRoot : document;
    const e = base.querySelector(s);
    e.focus();
    e.value = val;
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
  }, [sel, v, root]);

/** Chooses a file for an <input type=file>: {name, bytes (array of numbers), type}. */
export const chooseFile = (page, sel, file) =>
  page.eval(([s, f]) => {
    const input = document.querySelector(s);
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type || 'text/plain' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [sel, file]);

/** True when a canvas has a size and its pixels are not all the same. */
export const canvasDrawn = (page, sel, root = null) =>
  page.eval(([s, r]) => {
    const base = r ? document.querySelector(r).shadowRoot : document;
    const c = base.querySelector(s);
    if (!(c instanceof HTMLCanvasElement) || c.width < 2 || c.height < 2) return false;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
    }
    return false;
  }, [sel, root]);

/** The loss shown in the Loss live region (NaN before the first value). */
export const loss = async (page, root = null) => firstNumber(await text(page, '#loss', root));
/** The step counter. */
export const steps = async (page, root = null) => firstNumber(await text(page, '#steps', root));

/** Waits for the first loss value, then for the loss to fall below it. */
export async function lossFalls(page, root = null) {
  const first = await until(async () => {
    const v = await loss(page, root);
    return Number.isFinite(v) ? { v } : null;
  }, { what: 'a first loss value' });
  await until(async () => (await loss(page, root)) < first.v, { what: `the loss to fall below ${first.v}` });
  return first.v;
}

/** Pixels a page scrolls sideways (0 when nothing is wider than the viewport). */
export const sideways = (page) =>
  page.eval(() => ({
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`),
  }));

/** Opens `url` and waits until the page (or embed) has mounted its views. */
export async function openReady(page, url) {
  await page.goto(url);
  await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { timeout: 60_000, what: `${url} to mount its views` });
}
