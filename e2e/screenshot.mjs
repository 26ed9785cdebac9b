// Takes the README's screenshot: node e2e/screenshot.mjs [seconds=30] [out=docs/screenshot.png]
// (not a test; node --test only runs *.test.mjs). Builds nothing: run scripts/build first.
// Trains the default preset for the given time in a 1280×800 Chromium window, then captures the
// first screen: what a newcomer sees (Start, the loss, the newest sample, the text).

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { launch } from './driver.mjs';
import { REPO_ROOT, click, loss, openReady, serve, sleep, until } from './helpers.mjs';

const seconds = Number(process.argv[2] || 30);
const out = resolve(process.argv[3] || join(REPO_ROOT, 'docs', 'screenshot.png'));

const server = await serve();
const browser = await launch('chromium');
try {
  const page = await browser.newPage({ width: 1280, height: 800 });
  await openReady(page, server.url);
  await click(page, '#btn-start');
  await until(async () => Number.isFinite(await loss(page)), { what: 'a loss value' });
  await sleep(seconds * 1000);
  await click(page, '#btn-pause');
  await sleep(1500);
  await page.eval(() => window.scrollTo(0, 0));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot(out, false); // the first screen
  console.log(`wrote ${out}`);
  const bad = Object.entries(page.problems).filter(([, v]) => v.length);
  if (bad.length) console.warn('problems seen:', JSON.stringify(Object.fromEntries(bad), null, 2));
} finally {
  await browser.close();
  await server.close();
}
