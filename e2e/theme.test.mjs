// Colours that follow the host and stay readable, in Chromium and Firefox, with the system in light
// and in dark mode: an iframe (with embed-host.js) and an element (loaded cross-origin, CORS) on
// host pages of another origin — a plain light page, a dark page (color-scheme: dark), a custom
// light theme (cream and magenta --rnn-* properties) and a custom dark one — with theme=auto, and
// theme=light / theme=dark forced against the host. Every visible text of the playground (the nine
// views, every setting, a note) has a WCAG contrast of at least 4.5:1 against what it is drawn on;
// a host's --rnn-* colours reach the charts' canvases; and the table of theme properties is the
// one playground.css and embed-host.js use.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, launch } from './driver.mjs';
import { REPO_ROOT, assertClean, screenshot, serve, tempSite, until } from './helpers.mjs';
import { contrastProblems } from './contrast.mjs';
import { THEME_NAMES } from '../www/theme.js';
import { VIEW_NAMES } from '../www/views/index.js';
import { embedFragment, iframeCode, elementCode } from '../www/embed-code.js';

const HOSTS = {
  light: 'body { background: #ffffff; color: #111111; }',
  dark: ':root { color-scheme: dark; } body { background: #121212; color: #eeeeee; }',
  cream: 'body { background: #fdf6e3; color: #3b2f2f; } .pg { --rnn-bg: #fdf6e3; --rnn-card: #fffaf0; --rnn-fg: #3b2f2f; --rnn-accent: #b5179e; --rnn-border: #e6d8b8; }',
  night: 'body { background: #14121f; color: #ece6ff; } .pg { --rnn-bg: #14121f; --rnn-card: #1e1b2e; --rnn-fg: #ece6ff; --rnn-accent: #ffb454; --rnn-train: #7fd1ff; --rnn-val: #ff7ab6; }',
};
/** [host, theme] pairs: every host with auto, and each fixed theme against a host of the other. */
const CASES = [['light', 'auto'], ['dark', 'auto'], ['cream', 'auto'], ['night', 'auto'], ['light', 'dark'], ['dark', 'light']];

const HOST_JS = `window.command = (id, c) => document.getElementById(id).contentWindow.postMessage({ type: 'rnn-playground:command', command: c }, '*');`;

function hostPage(pg, host, theme) {
  const fragment = embedFragment(`v=2&hidden=8&preset=anbn`, { views: [...VIEW_NAMES, 'lss'], controls: 'full', autostart: true, theme });
  const frame = iframeCode({ base: `${pg}/`, fragment, views: VIEW_NAMES, controls: 'full', title: `Embed on the ${host} host` })
    .replace('<iframe ', '<iframe id="f" class="pg" ');
  const element = elementCode({ base: `${pg}/`, fragment, label: `Element on the ${host} host` })
    .replace('<rnn-playground ', '<rnn-playground id="e" class="pg" ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' ${pg} 'wasm-unsafe-eval'; worker-src blob: ${pg}; style-src 'self' ${pg}; connect-src ${pg}; font-src ${pg}; frame-src ${pg}; img-src 'self' data:">
<title>${host} host</title><link rel="stylesheet" href="${host}.css"><script src="host.js"></script></head>
<body><h1>A ${host} post</h1><div class="cols"><div>${frame}</div><div>${element}</div></div></body></html>`;
}

/** In a frame or the page: true once the playground shows a sample, surprisal and the microscope. */
const filled = (host) => {
  const r = host ? document.querySelector(host)?.shadowRoot : document;
  return !!(r && r.querySelector('#samples .sample pre')?.textContent && r.querySelector('#surprisal-text span[tabindex]') && r.querySelector('.mic-block') && r.querySelector('#probe-text span') && r.querySelector('#alert [data-key="main"]'));
};

describe('theme properties: one table', () => {
  it('playground.css, embed-host.js and www/theme.js name the same --rnn-* properties', () => {
    const css = readFileSync(join(REPO_ROOT, 'www', 'playground.css'), 'utf8');
    const used = [...new Set(css.match(/--rnn-[a-z-]+/g))].sort();
    assert.deepEqual(used, [...THEME_NAMES].sort(), 'playground.css uses exactly the documented properties');
    const helper = readFileSync(join(REPO_ROOT, 'embed-host.js'), 'utf8');
    assert.deepEqual([...new Set(helper.match(/--rnn-[a-z-]+/g))].sort(), [...THEME_NAMES].sort(), 'embed-host.js forwards exactly them');
  });
});

for (const name of BROWSERS) {
  for (const scheme of ['light', 'dark']) {
    describe(`contrast with the system in ${scheme} mode (${name})`, () => {
      let browser;
      let pg;
      let site;
      before(async () => {
        browser = await launch(name, { colorScheme: scheme });
        pg = await serve({ cors: true });
        const files = { 'host.js': HOST_JS };
        for (const [host, css] of Object.entries(HOSTS)) files[`${host}.css`] = `${css}\n.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } body { margin: 0; padding: 8px; }`;
        const dir = tempSite(files);
        const { writeFileSync } = await import('node:fs');
        for (const [host, theme] of CASES) writeFileSync(join(dir, `${host}-${theme}.html`), hostPage(pg.origin, host, theme));
        site = await serve({ root: dir, host: 'localhost' });
      });
      after(async () => {
        await browser?.close();
        await pg?.close();
        await site?.close();
      });

      for (const [host, theme] of CASES) {
        it(`theme=${theme} on a ${host} host: every text at 4.5:1, iframe and element`, async () => {
          const page = await browser.newPage({ width: 1280, height: 900 });
          try {
            await page.goto(`${site.url}${host}-${theme}.html`);
            await until(() => page.frameEval('embed.html', filled, null), { what: 'the iframe to show a sample, surprisal, the microscope and its note' });
            await until(() => page.eval(filled, '#e'), { what: 'the element to show a sample, surprisal, the microscope and its note' });
            await page.eval(() => {
              window.command('f', 'pause');
              document.getElementById('e').pause();
            });
            const frame = await page.frameEval('embed.html', contrastProblems, {});
            const element = await page.eval(contrastProblems, { host: '#e' });
            assert.ok(frame.checked > 150 && element.checked > 150, `texts measured: iframe ${frame.checked}, element ${element.checked}`);
            const report = (r) => r.problems.map((p) => `${p.ratio}:1 “${p.text}” ${JSON.stringify(p.fg)} on ${JSON.stringify(p.bg)} at ${p.where}`).join('\n  ');
            assert.deepEqual(frame.problems, [], `iframe, theme=${theme}, ${host} host, ${scheme} system:\n  ${report(frame)}`);
            assert.deepEqual(element.problems, [], `element, theme=${theme}, ${host} host, ${scheme} system:\n  ${report(element)}`);
            // The scheme used: the forced one, else the host's declared one, else the system's.
            const expect = theme !== 'auto' ? theme : host === 'dark' ? 'dark' : scheme;
            const effective = (cs) => (cs === 'light' || cs === 'dark' ? cs : scheme);
            const usedElement = await page.eval(() => getComputedStyle(document.getElementById('e').shadowRoot.querySelector('.rnn-root')).colorScheme);
            const usedFrame = await page.frameEval('embed.html', () => getComputedStyle(document.documentElement).colorScheme, null);
            assert.equal(effective(usedElement), expect, `the element's color-scheme (${usedElement})`);
            assert.equal(effective(usedFrame), expect, `the iframe's color-scheme (${usedFrame})`);
            if (host === 'night' || host === 'cream') {
              // The host's own colours reach the canvases: the loss chart draws in its --rnn-train.
              const want = host === 'night' ? [0x7f, 0xd1, 0xff] : null;
              const bg = host === 'night' ? [0x1e, 0x1b, 0x2e] : [0xff, 0xfa, 0xf0];
              const pixels = (h) => {
                const r = h ? document.querySelector(h).shadowRoot : document;
                const c = r.querySelector('#loss-chart canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const seen = new Set();
                for (let i = 0; i < d.length; i += 4) if (d[i + 3] === 255) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
                return [...seen];
              };
              for (const [where, px] of [['iframe', await page.frameEval('embed.html', pixels, null)], ['element', await page.eval(pixels, '#e')]]) {
                const has = (rgb) => px.some((p) => p.split(',').every((v, i) => Math.abs(v - rgb[i]) <= 2));
                if (want) assert.ok(has(want), `${where}: the loss chart draws in the host's --rnn-train`);
                const card = await (where === 'iframe'
                  ? page.frameEval('embed.html', () => getComputedStyle(document.querySelector('.card')).backgroundColor, null)
                  : page.eval(() => getComputedStyle(document.getElementById('e').shadowRoot.querySelector('.card')).backgroundColor));
                assert.equal(card, `rgb(${bg.join(', ')})`, `${where}: the cards are the host's --rnn-card`);
              }
            }
            await screenshot(page, `theme-${scheme}-${host}-${theme}.png`);
            await assertClean(page);
          } finally {
            await page.close();
          }
        });
      }
    });
  }
}
