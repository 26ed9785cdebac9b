// What the tutorial's tests share (tutorial.test.mjs, tutorial-long.mjs): getting a section's
// playgrounds on screen and started, as a reader who scrolls to it and presses Start would.

import { until } from './helpers.mjs';

/**
 * Scrolls section `n` of tutorial.html to the top once the page has settled (the playgrounds
 * above grow as their views mount), until its playgrounds are all on screen, then starts them.
 */
export async function startSection(page, n) {
  await until(() => page.eval(() => [...document.querySelectorAll('rnn-playground')].every((el) => el.shadowRoot?.querySelector('.view-loss canvas'))), { what: 'every playground to mount its views' });
  await until(() => page.eval((k) => {
    document.getElementById(`s${k}`).scrollIntoView({ block: 'start' });
    return [...document.querySelectorAll(`section[aria-labelledby="s${k}"] rnn-playground`)].every((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.top < innerHeight && r.height > 0;
    });
  }, n), { what: `section ${n} on screen` });
  await page.eval((k) => {
    for (const el of document.querySelectorAll(`section[aria-labelledby="s${k}"] rnn-playground`)) el.start();
  }, n);
}
