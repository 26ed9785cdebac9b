// Word-level models on the page, in Chromium and Firefox: the words preset trains, samples and
// shows its word tokens in the heatmap and the surprisal view; a character run and a word run of
// the same text are compared in bits per character on the loss chart, each named by its tokens; a
// word model downloaded from the page loads in the command-line tool and samples the same text
// from the same seed as the page's engine does.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, assertClean, click, fill, firstNumber, lossFalls, openReady, steps, text, until, value, inBrowsers } from './helpers.mjs';

/** Text of the elements matching `sel`. */
const texts = (page, sel) => page.eval((s) => [...document.querySelectorAll(s)].map((e) => e.textContent), sel);

/** Waits for a validation loss on screen after step `after`, and returns the step it came at. */
async function validated(page, after) {
  await until(async () => (await steps(page)) > after && Number.isFinite(firstNumber(await text(page, '#val-loss'))), { what: 'a validation loss' });
}

/** Small and quick: these tests are about tokens, not about a good model. */
async function smallModel(page) {
  await fill(page, '#cfg-hidden', '32');
  await fill(page, '#cfg-embed', '16');
  await fill(page, '#cfg-seq_len', '32');
  await fill(page, '#cfg-batch', '16');
}

inBrowsers('words', (name, env) => {
  it('the words preset trains a word model, samples it and shows its tokens', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      await fill(page, '#cfg-preset', 'english-words');
      assert.equal(await value(page, '#cfg-tokens'), 'words', 'the preset reads words');
      await smallModel(page);
      await click(page, '#btn-start');
      await lossFalls(page);
      const info = await text(page, '#model-info');
      assert.match(info, /words: vocabulary [\d,]+/);
      assert.match(info, /validation tokens \([\d,]+ \+ [\d,]+ chars\)/);
      // One heatmap column, one span, per token: words of several letters among them.
      const probe = await until(async () => {
        const t = await texts(page, '#probe-text span.tok');
        return t.length > 10 && t.some((w) => /^[A-Za-z]{3,}$/.test(w)) ? t : null;
      }, { what: 'the probe text cut into words' });
      assert.ok(probe.every((t) => t.length > 0));
      assert.ok(probe.includes('␣') || probe.includes(' '), 'spaces are tokens too');
      const surprisal = await until(async () => {
        const t = await texts(page, '#surprisal-text span.tok');
        return t.length > 10 && t.some((w) => /^[A-Za-z]{3,}$/.test(w)) ? t : null;
      }, { what: 'the surprisal view cut into words' });
      assert.ok(surprisal.length <= 128, 'the first 128 tokens');
      assert.match(await until(() => text(page, '#surprisal-text ~ p.meta:not(.surprisal-readout)'), { what: 'the summary' }), /bits per token, [\d.]+ bits per character/);
      // A sample of words, once the model has learned that spaces come between them (a sample
      // comes every 3 s).
      const sample = await until(async () => {
        const t = await text(page, '#samples .sample pre');
        return /[A-Za-z]{3,} [A-Za-z]{2,} [A-Za-z]{2,}/.test(t ?? '') ? t : null;
      }, { what: 'a sample of words' });
      assert.ok(sample.length > 20, sample);
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a character run and a word run of the same text compare in bits per character', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      assert.equal(await value(page, '#cfg-preset'), 'english');
      assert.equal(await value(page, '#cfg-tokens'), 'characters');
      await smallModel(page);
      await click(page, '#btn-start');
      await validated(page, 20);
      await click(page, '#btn-pause');
      await fill(page, '#cfg-tokens', 'words');
      await click(page, '#btn-reset');
      await until(async () => (await text(page, '#run-state')) === 'ready', { what: 'the word model' });
      await click(page, '#btn-start');
      await validated(page, 20);
      await click(page, '#btn-pause');
      // Per token the two do not compare: the chart says so until the unit is bits per character.
      assert.equal(await value(page, '#cfg-units'), 'nats');
      assert.equal(await page.eval(() => document.getElementById('loss-mixed-note').hidden), false);
      await fill(page, '#cfg-units', 'bits');
      await until(async () => page.eval(() => document.getElementById('loss-mixed-note').hidden), { what: 'the note to go' });
      const legend = await until(async () => {
        const t = await texts(page, '#loss-chart .u-legend .u-label');
        return t.some((l) => /run 1/.test(l)) ? t : null;
      }, { what: 'the earlier run in the legend' });
      assert.ok(legend.some((l) => /^run 1: tokens=characters \((validation|train), characters\)$/.test(l)), legend.join(' | '));
      assert.ok(legend.includes('validation (words)') && legend.includes('train (smoothed, words)'), legend.join(' | '));
      // Both curves are drawn in bits per character: the word run's validation is a number there.
      const bpc = firstNumber(await text(page, '#val-loss'));
      assert.ok(bpc > 0.3 && bpc < 8, `the word model's validation in bits per character: ${bpc}`);
      assert.match(await text(page, '#loss-unit'), /bits\/char/);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a word model downloaded from the page samples the same text in the command-line tool', async () => {
    const page = await env.browser.newPage();
    const dir = mkdtempSync(join(tmpdir(), 'rnn-words-'));
    try {
      await openReady(page, env.server.url);
      const corpus = 'The cat sat on the mat. The dog sat on the log. A cat and a dog; the end!\n'.repeat(60);
      await fill(page, '#corpus', corpus);
      await fill(page, '#cfg-tokens', 'words');
      await smallModel(page);
      await click(page, '#btn-start');
      await until(async () => (await steps(page)) >= 30, { what: '30 steps' });
      await click(page, '#btn-pause');
      // The download: the bytes the page hands to the browser (kept here; no file is saved).
      await page.eval(() => {
        const made = URL.createObjectURL;
        URL.createObjectURL = (blob) => {
          window.savedModel = blob;
          return made.call(URL, blob);
        };
        const click = HTMLAnchorElement.prototype.click;
        HTMLAnchorElement.prototype.click = function () {
          if (!this.download) click.call(this);
        };
      });
      await click(page, '#btn-save-model');
      const bytes = await until(() => page.eval(async () => (window.savedModel ? Array.from(new Uint8Array(await window.savedModel.arrayBuffer())) : null)), { what: 'the download' });
      const path = join(dir, 'words.safetensors');
      writeFileSync(path, Uint8Array.from(bytes));
      // The page's own engine samples the file from seed 7; so does the command-line tool.
      const [prime, length, temperature, seed] = ['The cat', 40, 0.9, 7];
      const inPage = await page.eval(async ([b, c, p, n, t, s]) => {
        const mod = await import(new URL('www/pkg/rnn_playground.js', location.href).href);
        await mod.default();
        const trainer = mod.WasmTrainer.fromFile(new Uint8Array(b), c);
        const out = trainer.sample(p, n, t, 0, 1, s);
        trainer.free();
        return { text: out.text, tokens: out.tokens };
      }, [bytes, corpus, prime, length, temperature, seed]);
      assert.equal(inPage.tokens.length, length);
      const cli = execFileSync('cargo', ['run', '--quiet', '--profile', 'test', '--bin', 'rnn-playground', '--',
        'sample', '--model', path, '--prime', prime, '--length', String(length), '--temperature', String(temperature), '--seed', String(seed)],
      { cwd: REPO_ROOT, encoding: 'utf8' });
      assert.equal(cli, `${prime}${inPage.text}\n`);
      const info = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--profile', 'test', '--bin', 'rnn-playground', '--', 'info', '--model', path], { cwd: REPO_ROOT, encoding: 'utf8' }));
      assert.equal(info.tokens, 'words');
      assert.ok(info.vocabulary.includes('cat') && info.vocabulary.includes(' '), info.vocabulary.join('|'));
      await assertClean(page);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await page.close();
    }
  });
});
