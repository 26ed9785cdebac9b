// One small browser API over two drivers, so every end-to-end test runs in Chromium and in
// Firefox: playwright-core drives Debian's Chromium, puppeteer-core (WebDriver BiDi) drives
// Debian's firefox-esr. Never a browser downloaded by a test tool.
//
// Tests act through page.eval (code run in the page: clicks, typing, reading the DOM), which
// both drivers run the same way; what they cannot see in the page (which files were fetched,
// by the page or its workers) the test servers record (helpers.mjs). Each page also lists the
// URLs its frames requested, to catch requests that leave the expected origins.

import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

/** The browsers to test: E2E_BROWSERS=chromium (or firefox) narrows the list. */
export const BROWSERS = (process.env.E2E_BROWSERS || 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);

export const EXECUTABLES = {
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  firefox: process.env.FIREFOX || '/usr/bin/firefox-esr',
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

// Collects CSP violations in every frame, before the page's own scripts run.
function watchCsp() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

/**
 * Launches `name` ('chromium' | 'firefox'). `colorScheme`: 'light' | 'dark' emulates the system's
 * prefers-color-scheme for every page (Firefox: a preference at launch, as its WebDriver BiDi
 * cannot emulate media features). Returns {name, newPage(opts), close()}.
 */
export async function launch(name, { colorScheme = null } = {}) {
  if (name === 'chromium') {
    const browser = await chromium.launch({ executablePath: EXECUTABLES.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    return {
      name,
      async newPage({ width = 1280, height = 900, init = null } = {}) {
        const context = await browser.newContext({ viewport: { width, height }, ...(colorScheme ? { colorScheme } : {}) });
        context.setDefaultTimeout(120_000);
        await context.addInitScript(watchCsp);
        if (init) await context.addInitScript(init);
        const open = async (page) => wrap(name, page, {
          reload: () => page.reload({ waitUntil: 'load' }),
          newTab: async () => open(await context.newPage()),
          evaluate: (target, fn, arg) => target.evaluate(fn, arg),
          frames: () => page.frames(),
          screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
          setViewport: (w, h) => page.setViewportSize({ width: w, height: h }),
          close: () => (page === context.pages()[0] ? context.close() : page.close()),
          onConsole: (fn) => {
            page.on('console', (m) => fn(m.type(), m.text()));
            page.on('worker', (w) => w.on('console', (m) => fn(m.type(), `[worker] ${m.text()}`)));
          },
          onPageError: (fn) => page.on('pageerror', (e) => fn(String(e && e.stack ? e.stack : e))),
          onDialog: (fn) => page.on('dialog', (d) => {
            fn(`${d.type()}: ${d.message()}`);
            d.dismiss().catch(() => {});
          }),
          // The context's requests include the workers' (page-level ones do not).
          onRequest: (fn) => context.on('request', (r) => fn(r.url())),
        });
        return open(await context.newPage());
      },
      close: () => browser.close(),
    };
  }
  if (name === 'firefox') {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: EXECUTABLES.firefox,
      headless: true,
      protocolTimeout: 180_000,
      extraPrefsFirefox: {
        'browser.shell.checkDefaultBrowser': false,
        'datareporting.policy.dataSubmissionEnabled': false,
        // 0: dark, 1: light (what pages see as prefers-color-scheme).
        ...(colorScheme ? { 'layout.css.prefers-color-scheme.content-override': colorScheme === 'dark' ? 0 : 1, 'ui.systemUsesDarkTheme': colorScheme === 'dark' ? 1 : 0 } : {}),
      },
    });
    return {
      name,
      async newPage({ width = 1280, height = 900, init = null } = {}) {
        // Pages of one Firefox share its storage, like tabs (newTab); Chromium's get a context each.
        const open = async () => {
          const page = await browser.newPage();
          await page.setViewport({ width, height });
          page.setDefaultTimeout(120_000);
          // As source text: given a function, puppeteer's BiDi preload wrapper throws "Permission
          // denied to access property length" in the page whenever a cross-origin frame posts a message.
          await page.evaluateOnNewDocument(`(${watchCsp})()`);
          if (init) await page.evaluateOnNewDocument(`(${init})()`);
          return wrap(name, page, {
          reload: () => page.reload({ waitUntil: 'load' }),
          newTab: open,
          evaluate: (target, fn, arg) => target.evaluate(fn, arg),
          frames: () => page.frames(),
          screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
          setViewport: (w, h) => page.setViewport({ width: w, height: h }),
          close: () => page.close(),
          onConsole: (fn) => page.on('console', (m) => fn(m.type(), m.text())),
          onPageError: (fn) => page.on('pageerror', (e) => fn(String(e && e.stack ? e.stack : e))),
          onDialog: (fn) => page.on('dialog', (d) => {
            fn(`${d.type()}: ${d.message()}`);
            d.dismiss().catch(() => {});
          }),
          onRequest: (fn) => page.on('request', (r) => fn(r.url())),
          });
        };
        return open();
      },
      close: () => browser.close(),
    };
  }
  throw new Error(`unknown browser ${name}`);
}

/**
 * The page API the tests use: goto, eval(fn, arg) in the page, frameEval(urlPart, fn, arg) in
 * the first frame whose URL contains urlPart, screenshot, setViewport, and `problems` (console
 * errors, uncaught exceptions, dialogs), `cspViolations()` across frames.
 */
function wrap(browser, page, d) {
  const problems = { console: [], page: [], dialogs: [] };
  const requests = []; // every URL the page and its frames asked for (Chromium: workers too)
  d.onRequest((u) => requests.push(u));
  d.onConsole((type, text) => {
    if (type === 'error') problems.console.push(text);
  });
  // Firefox under puppeteer's BiDi reports this "page error" when a cross-origin frame posts a
  // message to a page, even one with no script at all (seen with a frame whose only code is
  // parent.postMessage); it is not the page's error, so it is not counted.
  const harness = browser === 'firefox' ? /^Error: Error: Permission denied to access property "length"$/ : null;
  d.onPageError((e) => {
    if (!(harness && harness.test(e))) problems.page.push(e);
  });
  d.onDialog((m) => problems.dialogs.push(m));
  const frameFor = (part) => d.frames().find((f) => f.url().includes(part));
  return {
    browser,
    raw: page,
    problems,
    requests,
    /** Requested URLs whose origin is none of `origins` (data:, blob: and about: aside). */
    foreign: (origins) => requests.filter((u) => !/^(data|blob|about):/.test(u) && !origins.includes(new URL(u).origin)),
    async goto(url) {
      await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    },
    eval: (fn, arg) => d.evaluate(page, fn, arg),
    frameUrls: () => d.frames().map((f) => f.url()),
    async frameEval(part, fn, arg) {
      const f = frameFor(part);
      if (!f) throw new Error(`no frame whose URL contains ${part}: ${d.frames().map((x) => x.url()).join(', ')}`);
      return d.evaluate(f, fn, arg);
    },
    screenshot: (path, fullPage = false) => d.screenshot(path, fullPage),
    reload: () => d.reload(),
    /** Another page sharing this one's storage (a second tab). */
    newTab: () => d.newTab(),
    setViewport: (w, h) => d.setViewport(w, h),
    async cspViolations() {
      const out = [];
      for (const f of d.frames()) {
        try {
          out.push(...(await d.evaluate(f, () => window.__cspViolations || [])));
        } catch {
          // a frame that went away
        }
      }
      return out;
    },
    close: () => d.close(),
  };
}
