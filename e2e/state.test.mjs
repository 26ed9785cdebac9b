// The settings table and the link codec, in Node (no browser): every setting survives a link,
// garbage falls back to the default with a named problem, the corpus travels compressed up to
// 4 KB, and the defaults an old link was written against are kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTINGS, defaults, check, setting } from '../www/settings.js';
import { LINK_DEFAULTS, LINK_VERSION, MAX_LINK_TEXT_BYTES, readLink, writeLink, versionDefaults, toBase64Url } from '../www/state.js';
import { VIEW_NAMES } from '../www/views/index.js';

/** A valid value of `s` other than its default. */
function other(s) {
  const d = defaults()[s.name];
  switch (s.kind) {
    case 'int':
      return d === s.min ? Math.min(s.max, s.min + 7) : s.min;
    case 'real':
      return d === s.max ? (s.min + s.max) / 2 : s.max;
    case 'choice':
      return s.choices.find((c) => c !== d);
    case 'list':
      return [s.choices[s.choices.length - 1], s.choices[0]];
    case 'flag':
      return !d;
    case 'text':
      return 'Héllo & wörld =#?🦊';
    default:
      throw new Error(s.kind);
  }
}

test('the current link version records exactly the current defaults (bump it when a default changes)', () => {
  const now = defaults();
  const recorded = versionDefaults(LINK_VERSION);
  for (const s of SETTINGS) {
    assert.ok(s.name in LINK_DEFAULTS[LINK_VERSION], `LINK_DEFAULTS[${LINK_VERSION}] lacks ${s.name}: add it (its default when links of this version were made)`);
    assert.deepEqual(recorded[s.name], now[s.name], `the default of ${s.name} changed from ${JSON.stringify(recorded[s.name])} to ${JSON.stringify(now[s.name])}: add link version ${LINK_VERSION + 1} to LINK_DEFAULTS rather than changing what old links mean`);
  }
});

test('every setting has a default inside its own bounds and one line of help', () => {
  for (const s of SETTINGS) {
    assert.deepEqual(check(s, s.kind === 'list' ? s.default : s.default).value ?? null, defaults()[s.name], `${s.name}: default ${s.default}`);
    assert.ok(typeof s.help === 'string' && s.help.length > 8 && !s.help.includes('\n'), `${s.name} help`);
  }
  assert.deepEqual(setting('views').choices, VIEW_NAMES);
});

test('a non-default value of every setting survives a link, alone and all together', async () => {
  const all = defaults();
  for (const s of SETTINGS) {
    const values = { ...defaults(), [s.name]: other(s) };
    all[s.name] = values[s.name];
    const link = await writeLink(values);
    assert.match(link.fragment, new RegExp(`(^|&)${s.name}=`), `${s.name} is in ${link.fragment}`);
    const back = await readLink(`#${link.fragment}`);
    assert.deepEqual(back.problems, [], `${s.name}: ${back.problems}`);
    assert.deepEqual(back.values, values, `${s.name} round trip via ${link.fragment}`);
  }
  const link = await writeLink(all);
  const back = await readLink(link.fragment);
  assert.deepEqual(back.values, all);
  // Only values that differ from the defaults are written, after the version.
  assert.equal((await writeLink(defaults())).fragment, `v=${LINK_VERSION}`);
  assert.equal((await writeLink({ ...defaults(), cell: 'gru', hidden: 64, lr: 0.005, preset: 'brackets' })).fragment, `v=${LINK_VERSION}&cell=gru&hidden=64&lr=0.005&preset=brackets`);
});

test('a garbage value of every setting falls back to its default, and the problem names it', async () => {
  for (const s of SETTINGS) {
    for (const bad of ['', 'zz', '1e999', '-1', '0.5.5', '\u0000<script>']) {
      if ('value' in check(s, bad)) continue;
      const r = await readLink(`v=${LINK_VERSION}&${s.name}=${encodeURIComponent(bad)}`);
      assert.deepEqual(r.values[s.name], defaults()[s.name], `${s.name}=${bad}`);
      assert.equal(r.problems.length, 1, `${s.name}=${bad}: ${r.problems}`);
      assert.match(r.problems[0], new RegExp(`^${s.name}=`));
    }
  }
  const r = await readLink('v=9&nonsense=1&hidden=8&hidden=16&views=nope,zilch');
  assert.equal(r.values.hidden, 8);
  assert.deepEqual(r.values.views, defaults().views);
  assert.equal(r.problems.length, 4, r.problems.join(' | '));
  assert.match(r.problems.join(' '), /version “9”.*unknown setting “nonsense”.*hidden is given twice.*views=nope,zilch/);
});

test('a views= list keeps its known views, in order, and names the unknown ones', async () => {
  const r = await readLink('v=2&views=samples,lss,loss,Heatmap,,samples,x<y');
  assert.deepEqual(r.values.views, ['samples', 'loss', 'heatmap']);
  assert.equal(r.problems.length, 1, r.problems.join(' | '));
  assert.equal(r.problems[0], `views: unknown “lss”, “x<y” left out (a comma-separated list of ${VIEW_NAMES.join(', ')})`);
  // The same rule for an element's attribute and the form: check() gives the kept views and the note.
  const c = check(setting('views'), 'loss,gradiens');
  assert.deepEqual(c.value, ['loss']);
  assert.match(c.problem, /unknown “gradiens” left out/);
  assert.deepEqual(check(setting('views'), 'loss,samples'), { value: ['loss', 'samples'] });
  // Nothing known at all: the default views, with the problem named.
  assert.equal('value' in check(setting('views'), 'lss'), false);
});

test('theme is a page setting: auto by default, light or dark, in links', async () => {
  assert.equal(defaults().theme, 'auto');
  assert.deepEqual(setting('theme').choices, ['auto', 'light', 'dark']);
  assert.equal((await writeLink({ ...defaults(), theme: 'dark' })).fragment, `v=${LINK_VERSION}&theme=dark`);
  assert.equal((await readLink('v=2&theme=Light')).values.theme, 'light');
  const bad = await readLink('v=2&theme=sepia');
  assert.equal(bad.values.theme, 'auto');
  assert.match(bad.problems[0], /^theme=sepia is not valid \(one of auto, light, dark\)/);
});

test('a small corpus travels in the link exactly; a large one does not, and says so', async () => {
  const small = 'Dear friend, 汉字 🦊 <b>bold</b> & "quotes"\n'.repeat(30);
  const link = await writeLink({ ...defaults(), preset: 'custom' }, small);
  assert.equal(link.text, 'included');
  const back = await readLink(link.fragment);
  assert.equal(back.text, small);
  assert.equal(back.values.preset, 'custom');

  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % 94;
  const noisy = Array.from({ length: 12000 }, () => String.fromCharCode(33 + rand())).join('');
  const big = await writeLink({ ...defaults(), preset: 'custom' }, noisy);
  assert.equal(big.text, 'too-large');
  assert.ok(big.textBytes > MAX_LINK_TEXT_BYTES);
  assert.doesNotMatch(big.fragment, /text=/);
});

test('a damaged or hostile text= falls back to the preset with a problem, without hanging', async () => {
  // A deflate stream of zeros that expands far beyond the 10 MB limit (~50 MB from ~50 KB).
  const bomb = await new Response(new Blob([new Uint8Array(50 * 1024 * 1024)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer();
  for (const t of ['!!!', 'AAAA', toBase64Url(new Uint8Array([0xff, 0xfe, 0x00])), toBase64Url(new Uint8Array(bomb))]) {
    const r = await readLink(`v=1&preset=custom&text=${t}`);
    assert.equal(r.text, null, t.slice(0, 20));
    assert.equal(r.values.preset, defaults().preset);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /text in this link is damaged/);
  }
});

test('an old link keeps its meaning after a default changes (version 1: four default views)', async () => {
  const old = await readLink('v=1&cell=gru');
  assert.deepEqual(old.problems, []);
  assert.deepEqual(old.values.views, ['loss', 'gradients', 'samples', 'heatmap']);
  assert.notDeepEqual(defaults().views, old.values.views, 'the default views changed in version 2');
  // Written today, the link spells out what version 1 left implicit, and reads back the same.
  const now = await writeLink(old.values);
  assert.equal(now.fragment, `v=${LINK_VERSION}&cell=gru&views=loss,gradients,samples,heatmap`);
  assert.deepEqual((await readLink(now.fragment)).values, old.values);
  // A link without a version is read as today's.
  assert.deepEqual((await readLink('cell=gru')).values.views, defaults().views);
});
