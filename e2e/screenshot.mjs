// Takes the README's screenshot: node e2e/screenshot.mjs [seconds=30] [out=docs/screenshot.png]
// (not a test; node --test only runs *.test.mjs). Builds nothing: run scripts/build first.
// Trains the default preset for the given time in a 1280-wide window, then captures the page.

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT, openPage, sleep, until, firstNumber } from './helpers.mjs';

const seconds = Number(process.argv[2] || 30);
const out = resolve(process.argv[3] || join(REPO_ROOT, 'docs', 'screenshot.png'));

const { page, problems, close } = await openPage({ width: 1280, height: 1000 });
try {
  const preset = page.locator('#preset');
  await preset.waitFor({ state: 'visible' });
  const english = await preset.locator('option[value="english"]').count();
  if (english) await preset.selectOption('english');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await until(async () => Number.isFinite(firstNumber(await page.locator('#loss').textContent())), { what: 'a loss value' });
  await sleep(seconds * 1000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await sleep(1500);
  // Show the training card, the charts and the samples: scroll so the "3. Train" card is on top.
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
  const bad = Object.entries(problems).filter(([, v]) => v.length);
  if (bad.length) console.warn('problems seen:', JSON.stringify(Object.fromEntries(bad), null, 2));
} finally {
  await close();
  process.exit(0);
}
