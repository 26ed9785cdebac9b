import { launch } from './driver.mjs';
import { serve, sleep } from './helpers.mjs';
const [, , browserName = 'chromium', section = '2', secs = '40', width = '1400'] = process.argv;
const server = await serve();
const b = await launch(browserName);
const page = await b.newPage({ width: Number(width), height: 1800 });
await page.goto(`${server.url}tutorial.html`);
await page.eval(() => customElements.whenDefined('rnn-playground'));
await page.eval((k) => document.getElementById(`s${k}`).scrollIntoView({ block: 'start' }), section);
await sleep(1500);
const { startSection } = await import("./tutorial-page.mjs"); await startSection(page, Number(section));
await sleep(Number(secs) * 1000);
const info = await page.eval((k) => [...document.querySelectorAll(`section[aria-labelledby="s${k}"] rnn-playground`)].map((el) => ({
  state: el.state, step: el.app.pg.s.step, alerts: [...el.app.pg.alerts.values()].map((a) => a.message.slice(0, 200)),
  top: el.shadowRoot.querySelector('.view-loss')?.getBoundingClientRect().top,
  sample: el.app.pg.last.sample ? { prime: el.app.pg.last.sample.prime, text: el.app.pg.last.sample.text.slice(0, 80), primed: el.app.pg.last.sample.primed } : null,
})), section);
console.log(JSON.stringify(info, null, 1));
console.log('problems', JSON.stringify(page.problems));
await page.screenshot(`/tmp/i14s-e2e/${browserName}-s${section}-${width}.png`, false);
await b.close(); await server.close();
