// Headless Debian Chromium (via playwright-core, never a downloaded browser) running the bench page
// bench/web/ from the in-process static server; each job runs in its own Web Worker, one after
// another (a `pool` job: the page's own training worker, www/worker.js, and its pool). With
// `isolated`, the page is cross-origin isolated (COOP + COEP), for TF.js's threads.

import path from 'node:path';
import { startServer } from '../serve.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/**
 * Opens the page and returns {run(job) → result, info, close()}. `root` is the repository root,
 * `corpus` the corpus path (served as /corpus.txt).
 */
export async function openChromium({ root, corpus, executablePath = '/usr/bin/chromium', log = () => {}, isolated = false }) {
  const { chromium } = await import('playwright-core');
  const srv = await startServer({ root, corpus, isolated });
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    // Everything must come from the local server (the TF.js wasm files included): any other
    // request is blocked and recorded.
    const external = [];
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(srv.url + '/') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
      external.push(u);
      return route.abort();
    });
    page.on('console', (m) => log(`[chromium] ${m.text()}`));
    page.on('pageerror', (e) => log(`[chromium] page error: ${e.message}`));
    await page.goto(`${srv.url}/bench/web/`);
    await page.waitForFunction(() => window.benchReady === true && typeof window.runPool === 'function', null, { timeout: 30000 });
    const info = {
      version: browser.version(),
      user_agent: await page.evaluate(() => navigator.userAgent),
      cross_origin_isolated: await page.evaluate(() => self.crossOriginIsolated),
      hardware_concurrency: await page.evaluate(() => navigator.hardwareConcurrency),
    };
    return {
      info,
      external,
      url: srv.url,
      run: (job, timeoutMs) => {
        let timer;
        const timeout = new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`chromium job timed out after ${timeoutMs} ms`)), timeoutMs);
        });
        const call = job.kind === 'pool' ? (j) => window.runPool(j) : (j) => window.runJob(j);
        return Promise.race([page.evaluate(call, job), timeout]).finally(() => clearTimeout(timer));
      },
      close: async () => {
        await browser.close().catch(() => {});
        await srv.close();
      },
    };
  } catch (e) {
    if (browser) await browser.close().catch(() => {});
    await srv.close();
    throw e;
  }
}

export function relativeUrl(root, p) {
  return '/' + path.relative(root, p).split(path.sep).join('/');
}
