// The honest-signal rules of www/monitor.js, fed loss sequences (Node, no browser).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Monitor, RULES } from '../www/monitor.js';

const logV = Math.log(50); // 3.91

test('a falling loss never trips a rule', () => {
  const m = new Monitor(logV);
  for (let i = 0; i < 500; i++) assert.equal(m.slice(10, 4 * Math.exp(-i / 100) + 0.5, (i + 1) * 10), null);
  assert.ok(m.healthy());
});

test('NaN stops at once', () => {
  const m = new Monitor(logV);
  assert.equal(m.slice(5, 3, 5), null);
  assert.equal(m.slice(5, NaN, 10).reason, 'nan');
});

test('a jump of more than 10× the recent average and 1 nat stops; a smaller one does not', () => {
  const m = new Monitor(logV);
  for (let i = 0; i < 50; i++) m.slice(10, 0.3, i * 10);
  assert.equal(m.slice(10, 2.9, 510), null, '9.7× is not a jump');
  const n = new Monitor(logV);
  for (let i = 0; i < 50; i++) n.slice(10, 0.3, i * 10);
  const d = n.slice(10, 3.1, 510);
  assert.equal(d.reason, 'jump');
  assert.ok(Math.abs(d.reference - 0.3) < 1e-9);
  // Tiny losses: 10× but less than a nat is noise, not a jump.
  const t = new Monitor(logV);
  for (let i = 0; i < 50; i++) t.slice(10, 0.01, i * 10);
  assert.equal(t.slice(10, 0.5, 510), null);
});

test('after having fallen, 50 steps above log V stop; 49 do not', () => {
  const m = new Monitor(logV);
  m.slice(10, 0.85 * logV, 10);
  for (let i = 0; i < 4; i++) assert.equal(m.slice(10, logV + 0.2, 20 + i * 10), null);
  assert.equal(m.slice(9, logV + 0.2, 69), null, '49 steps');
  assert.equal(m.slice(1, logV + 0.2, 70).reason, 'uniform');
  // Never fallen: above log V (but below twice it) is just a slow start.
  const n = new Monitor(logV);
  for (let i = 0; i < 100; i++) assert.equal(n.slice(10, logV + 0.1, i * 10), null);
});

test('far above the uniform guess for 20 steps stops, fallen or not (learning rate 10, clipping off)', () => {
  const m = new Monitor(logV);
  assert.equal(m.slice(10, 300, 10), null);
  assert.equal(m.slice(10, 1500, 20).reason, 'far');
  assert.equal(RULES.farSteps, 20);
});

test('memorising: 5 checks without a better validation loss and 5 % above the best', () => {
  const m = new Monitor(logV);
  assert.deepEqual(m.validation(2.0, 0), { improved: true, memorising: null });
  assert.equal(m.validation(1.5, 100).improved, true);
  for (let i = 1; i <= 4; i++) assert.equal(m.validation(1.6, 100 + i * 100).memorising, null);
  const w = m.validation(1.6, 600).memorising;
  assert.deepEqual(w, { best: 1.5, bestStep: 100, loss: 1.6, checks: 5 });
  assert.equal(m.validation(1.7, 700).memorising, null, 'said once per best');
  // Stale but within 5 % of the best: no notice.
  const n = new Monitor(logV);
  n.validation(1.0, 0);
  for (let i = 1; i <= 10; i++) assert.equal(n.validation(1.04, i).memorising, null);
});
