// End-to-end tests of the page in Debian's Chromium (see helpers.mjs). Accessible names ("Corpus",
// "Start", "Pause", "Loss", "Sample") are fixed by the spec; ids come from index.html.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CORPUS,
  LONG,
  assertClean,
  firstNumber,
  openPage,
  screenshot,
  sleep,
  until,
} from './helpers.mjs';

const corpusBox = (page) => page.getByLabel('Corpus', { exact: true });
const startButton = (page) => page.getByRole('button', { name: 'Start', exact: true });
const pauseButton = (page) => page.getByRole('button', { name: 'Pause', exact: true });
// The live region labelled "Loss" (the Loss chart's card is also named "Loss" by its heading).
const lossRegion = (page) => page.getByLabel('Loss', { exact: true }).and(page.locator('[aria-live]'));
const sampleRegion = (page) => page.getByLabel('Sample', { exact: true });
const stepCounter = (page) => page.locator('#steps');
const fileInput = (page) => page.locator('#corpus-file');
const alertBox = (page) => page.locator('[role="alert"]');
const heatmap = (page) => page.locator('canvas#heatmap');
const modelInfo = (page) => page.locator('#model-info');
const wasmRequests = (requests) => requests.map((u) => new URL(u).pathname).filter((p) => p.endsWith('.wasm'));

/** Replaces the corpus as a paste would (fill fires input events). */
async function pasteCorpus(page, text) {
  const box = corpusBox(page);
  await box.waitFor({ state: 'visible', timeout: LONG });
  await box.fill(text);
  assert.equal(await box.inputValue(), text);
}

async function readLoss(page) {
  return firstNumber(await lossRegion(page).textContent());
}

async function readSteps(page) {
  return firstNumber(await stepCounter(page).textContent());
}

/** Waits for the first loss value to be shown and returns it. */
async function firstLoss(page) {
  return until(async () => {
    const v = await readLoss(page);
    return Number.isFinite(v) ? { v } : null;
  }, { what: 'a first loss value' }).then((r) => r.v);
}

/** True when the canvas has been given a size and its pixels are not all the same. */
async function canvasIsDrawn(page, locator) {
  return locator.evaluate((c) => {
    if (!(c instanceof HTMLCanvasElement) || c.width < 2 || c.height < 2) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return false;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) {
        return true;
      }
    }
    return false;
  });
}

test('trains: loss falls, a sample appears, the heatmap is drawn, Pause stops training', async () => {
  const { page, problems, requests, close } = await openPage({ width: 1280, height: 900 });
  try {
    await pasteCorpus(page, CORPUS);
    await startButton(page).click();

    const first = await firstLoss(page);
    assert.ok(first > 0, `first loss ${first} should be positive`);
    await until(async () => (await readLoss(page)) < first, { what: `the loss to fall below its first value ${first}` });

    await until(async () => ((await sampleRegion(page).textContent()) || '').trim().length > 0, {
      what: 'a sample in the Sample region',
    });
    await until(() => canvasIsDrawn(page, heatmap(page)), { what: 'the heatmap canvas to be drawn' });

    const stepsBefore = await readSteps(page);
    assert.ok(stepsBefore > 0, `step counter shows ${stepsBefore}`);

    // Chromium has relaxed SIMD, so the worker picks the relaxed build, and only that one.
    assert.match(await modelInfo(page).textContent(), /engine: wasm SIMD \+ relaxed SIMD/);
    assert.deepEqual(wasmRequests(requests), ['/www/pkg-relaxed/rnn_playground_bg.wasm']);

    await screenshot(page, 'desktop.png');

    await pauseButton(page).click();
    await sleep(1000); // a slice of training already running in the worker may still report
    const s1 = await readSteps(page);
    await sleep(1200);
    const s2 = await readSteps(page);
    assert.equal(s2, s1, `after Pause the step counter moved from ${s1} to ${s2}`);
    assert.ok(s1 >= stepsBefore);

    await assertClean(page, problems);
  } finally {
    await close();
  }
});

test('a file that is not UTF-8 is refused with an alert and leaves the corpus unchanged', async () => {
  const { page, problems, close } = await openPage();
  try {
    const text = 'Some text that must survive a bad upload.\n'.repeat(5);
    await pasteCorpus(page, text);
    await fileInput(page).setInputFiles({
      name: 'not-utf8.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from([0xff, 0xfe, 0x00, 0x80]),
    });
    const message = await until(async () => ((await alertBox(page).textContent()) || '').trim(), {
      timeout: 30_000,
      what: 'an error message in the role="alert" element',
    });
    assert.ok(message.length > 5, `alert text: ${JSON.stringify(message)}`);
    assert.ok(await alertBox(page).isVisible(), 'the alert is visible');
    assert.equal(await corpusBox(page).inputValue(), text, 'the corpus textarea is unchanged');
    await assertClean(page, problems);
  } finally {
    await close();
  }
});

test('a hostile corpus is shown as text: no dialog, nothing injected', async () => {
  const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  const { page, problems, close } = await openPage();
  try {
    const scriptsBefore = await page.evaluate(() => document.scripts.length);
    const corpus = `${hostile}\n`.repeat(40);
    await pasteCorpus(page, corpus);
    await startButton(page).click();
    const first = await firstLoss(page);
    assert.ok(Number.isFinite(first));
    // Let it train for a while: samples and the probe text (held-out text) get rendered.
    await until(async () => ((await sampleRegion(page).textContent()) || '').trim().length > 0, {
      what: 'a sample in the Sample region',
    });
    await until(() => canvasIsDrawn(page, heatmap(page)), { what: 'the heatmap canvas to be drawn' });
    await sleep(2000);
    await pauseButton(page).click();

    const dom = await page.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      scripts: document.scripts.length,
      onerror: document.querySelectorAll('[onerror]').length,
      probe: document.getElementById('probe-text')?.textContent ?? '',
      body: document.body.innerText,
    }));
    assert.equal(dom.imgs, 0, 'an <img> element was injected');
    assert.equal(dom.onerror, 0, 'an element with an onerror attribute was injected');
    assert.equal(dom.scripts, scriptsBefore, 'a <script> element was injected');
    assert.equal(await corpusBox(page).inputValue(), corpus, 'the corpus is kept verbatim');
    // The held-out text (the end of the corpus) is shown as characters, markup and all.
    assert.ok(
      dom.probe.includes('onerror=alert(1)') || dom.probe.includes('alert(2)</script>') || dom.probe.includes('<img src=x'),
      `the probe text shows the hostile markup verbatim: ${JSON.stringify(dom.probe.slice(0, 200))}`,
    );
    assert.deepEqual(problems.dialogs, [], 'a dialog fired');
    await assertClean(page, problems);
  } finally {
    await close();
  }
});

test('at 375 px wide the page does not scroll sideways', async () => {
  const { page, problems, close } = await openPage({ width: 375, height: 812 });
  try {
    await corpusBox(page).waitFor({ state: 'visible', timeout: LONG });
    const overflow = () => page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''}`),
    }));
    let o = await overflow();
    assert.ok(o.scroll <= 375, `scrollWidth ${o.scroll} > 375 before training; too wide: ${o.wide.join(', ')}`);

    await pasteCorpus(page, CORPUS);
    await startButton(page).click();
    const first = await firstLoss(page);
    await until(async () => (await readLoss(page)) < first, { what: 'the loss to fall' });
    await until(async () => ((await sampleRegion(page).textContent()) || '').trim().length > 0, { what: 'a sample' });
    await until(() => canvasIsDrawn(page, heatmap(page)), { what: 'the heatmap canvas to be drawn' });
    o = await overflow();
    assert.ok(o.scroll <= 375, `scrollWidth ${o.scroll} > 375 while training; too wide: ${o.wide.join(', ')}`);
    await screenshot(page, 'phone.png');
    await pauseButton(page).click();
    await assertClean(page, problems);
  } finally {
    await close();
  }
});

test('?engine=simd128 runs the baseline SIMD engine, which trains too', async () => {
  const { page, problems, requests, close } = await openPage({ width: 1280, height: 900, query: '?engine=simd128' });
  try {
    await pasteCorpus(page, CORPUS);
    await startButton(page).click();
    const first = await firstLoss(page);
    await until(async () => (await readLoss(page)) < first, { what: `the loss to fall below its first value ${first}` });
    assert.match(await modelInfo(page).textContent(), /engine: wasm SIMD(?! \+)/);
    assert.deepEqual(wasmRequests(requests), ['/www/pkg/rnn_playground_bg.wasm']);
    await pauseButton(page).click();
    await assertClean(page, problems);
  } finally {
    await close();
  }
});
