// embedding.html: how an author puts a playground in a page. The code builder (the Share dialog's),
// then every option, view, theme property, element attribute, method, event, message and the
// CSP lines, each made here from the table that declares it (settings.js, views/index.js,
// theme.js, embed-code.js), so the page cannot drift from what the playground does.

import { el } from './views/dom.js';
import { SETTINGS, defaults, describe, format } from './settings.js';
import { writeLink } from './state.js';
import { VIEWS } from './views/index.js';
import { THEME_PROPERTIES } from './theme.js';
import { ELEMENT_API, MESSAGES, attributeName, cspLines, embedHeight } from './embed-code.js';
import { WIDTHS } from './embed-heights.js';
import { PRESETS } from './presets.js';
import { mountBuilder } from './views/embed-builder.js';
import { WORDS } from './views/fields.js';

const base = new URL('../', import.meta.url).href;

const code = (t) => el('code', {}, t);
const section = (id, title, ...kids) => el('section', { class: 'card docs-section', 'aria-labelledby': id }, el('h2', { id }, title), ...kids);
const table = (caption, head, rows) => el('div', { class: 'table-scroll', tabindex: '0', role: 'group', 'aria-label': caption },
  el('table', { class: 'docs-table' },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c))))))));

/** Where each kind of setting means something. */
const GROUPS = [
  ['page', 'What it shows'],
  ['embed', 'Embeds only'],
  ['text', 'The text'],
  ['model', 'The model'],
  ['train', 'Training'],
  ['sample', 'Sampling'],
];

function builderSection() {
  const preset = el('select', { id: 'docs-preset' });
  for (const p of PRESETS) preset.append(el('option', { value: p.id }, p.label));
  preset.value = defaults().preset;
  const box = el('div');
  const s = section('build-h', 'Build the code',
    el('p', { class: 'explain' }, 'Choose what the playground shows; copy the code into your page. The preview is the real thing.'),
    el('div', { class: 'field inline docs-preset' }, el('label', { for: 'docs-preset' }, 'Text'), preset),
    box);
  const builder = mountBuilder(box, {
    base,
    source: async () => ({ fragment: (await writeLink({ ...defaults(), preset: preset.value })).fragment, text: '' }),
  });
  preset.addEventListener('change', () => builder.refresh());
  builder.refresh();
  return s;
}

function howSection() {
  return section('how-h', 'Iframe or element',
    el('h3', {}, 'Iframe: any site'),
    el('pre', { class: 'docs-code' }, `<iframe src="${base}embed.html#v=2&views=loss,samples&preset=remember&cell=rnn"\n        title="A tanh RNN on a long-range task" width="100%" height="${embedHeight(['loss', 'samples'], 'basic', 700)}" frameborder="0" loading="lazy"></iframe>\n<script src="${base}embed-host.js" async></script>`),
    el('p', {}, 'The settings go in the fragment (after ', code('#'), '), as in the playground’s own links. ', code('embed-host.js'), ' is the one line of script: it sizes every playground frame on the page to its content, so a frame never scrolls inside, and passes your page’s theme to it (its colour scheme and any ', code('--rnn-*'), ' properties you set on the iframe or above it). Include it once or several times, anywhere; it listens only to frames of this page and only to the playground’s origin. Without it (a site that allows no scripts) the frame keeps the height you give it: the Share dialog’s “Fixed height” makes that tall enough for a phone column.'),
    el('h3', {}, 'Element: your site hosts the folder'),
    el('pre', { class: 'docs-code' }, `<script type="module" src="${base}rnn-playground.js"></script>\n<rnn-playground preset="brackets" cell="rnn" views="loss,samples" autostart label="A tanh RNN on brackets">\n  <p>Loading the RNN playground from ${base}rnn-playground.js … If this line stays, that script could not be loaded.</p>\n</rnn-playground>`),
    el('p', {}, 'The attributes are the settings. The line inside shows only until the element is defined: if the script cannot be loaded (a wrong path), the reader sees which URL failed instead of an empty box; a stylesheet, a view, the worker or the engine that cannot be loaded is named in the element with its URL. Copy the whole folder (', code('scripts/build --dist DIR'), ' writes it) and serve it from anywhere, under any path.'));
}

function settingsSection() {
  const d = defaults();
  const rows = [];
  for (const [group, title] of GROUPS) {
    for (const s of SETTINGS.filter((x) => x.group === group)) {
      const attr = attributeName(s.name);
      const shown = s.kind === 'list' ? d[s.name].join(', ') : s.kind === 'text' && d[s.name] === '' ? '(empty)' : format(s, d[s.name]);
      rows.push([code(s.name), attr === s.name ? code(attr) : el('span', {}, code(attr), ' (element)'), title, describe(s), shown, WORDS[s.name]?.title ?? s.help]);
    }
  }
  return section('options-h', 'Every option',
    el('p', {}, 'Each is a link and iframe fragment parameter (', code('#v=2&cell=gru&hidden=64'), ') and an element attribute of the same name. A value that is not valid falls back to its default and the playground says which; an unknown view in ', code('views='), ' is left out and named, the others kept. Flags are ', code('1'), ' or ', code('0'), ' in a fragment and present or absent as attributes. ', code('v=2'), ' is the link format’s version: an old link keeps its meaning when a default changes.'),
    table('Settings: fragment parameter, element attribute, where, values, default, meaning', ['Parameter', 'Attribute', 'Kind', 'Values', 'Default', 'Meaning'], rows));
}

function viewsSection() {
  return section('views-h', 'Views',
    el('p', {}, 'The ', code('views'), ' option lists the views to show, in order. The heights are measured (', code('e2e/measure-embeds.mjs'), ') with basic controls once training; the iframe code starts from them.'),
    table('Views and their measured heights', ['Name', 'Shows', ...WIDTHS.map((w) => `Height at ${w} px`)],
      VIEWS.map((v) => [code(v.name), v.title, ...WIDTHS.map((w) => `${embedHeight([v.name], 'basic', w) - embedHeight([], 'basic', w)} px`)])));
}

function themeSection() {
  return section('theme-h', 'Theme',
    el('p', {}, code('theme=auto'), ' (the default) follows your page: the colour scheme it declares (', code('color-scheme: dark'), ' on the iframe or the element, or above them), else the reader’s system setting. ', code('light'), ' and ', code('dark'), ' fix it. Your own colours go in these CSS custom properties; every colour the playground draws, charts and heatmaps included, is made from them, and the colours you do not set are mixed from those you do, so text stays readable. For an iframe they reach the embed through ', code('embed-host.js'), '.'),
    el('pre', { class: 'docs-code' }, 'rnn-playground, iframe.rnn {\n  --rnn-bg: #fdf6e3;  --rnn-card: #fffaf0;  --rnn-fg: #3b2f2f;  --rnn-accent: #b5179e;\n}'),
    table('Theme properties', ['Property', 'Colours'], THEME_PROPERTIES.map((p) => [code(p.name), p.what])));
}

function apiSection() {
  return section('api-h', 'Element attributes, methods and events; iframe messages',
    table('Element attributes besides the settings', ['Attribute', 'Meaning'], ELEMENT_API.attributes.map((a) => [code(a.name), a.what])),
    table('Element methods and properties', ['Name', 'Does'], ELEMENT_API.methods.map((a) => [code(a.name), a.what])),
    table('Element events (they bubble)', ['Event', 'Detail'], ELEMENT_API.events.map((a) => [code(a.name), a.what])),
    el('p', {}, 'An iframe talks with ', code('postMessage'), ', to its parent window only; several embeds on one page are told apart by ', code('event.source'), ' (each iframe’s ', code('contentWindow'), '):'),
    table('Iframe messages', ['Direction', 'Message', 'When'], MESSAGES.map((m) => [m.dir, code(m.message), m.when])),
    el('pre', { class: 'docs-code' }, `// Start a playground from your own button:\ndocument.querySelector('iframe').contentWindow.postMessage({ type: 'rnn-playground:command', command: 'start' }, '${new URL(base).origin}');`));
}

function cspSection() {
  const here = new URL(base).origin;
  return section('csp-h', 'Content-Security-Policy',
    el('p', {}, 'If your page sends a Content-Security-Policy, it needs these sources for the playground at ', code(here), ':'),
    table('What a host page’s CSP needs', ['How', 'CSP', 'Why'], cspLines(here).map((l) => [l.how, code(l.csp), l.note])),
    el('p', {}, 'To serve the element to other origins, send ', code('Access-Control-Allow-Origin: *'), ' with the folder’s files.'));
}

const main = document.getElementById('docs');
main.append(builderSection(), howSection(), settingsSection(), viewsSection(), themeSection(), apiSection(), cspSection());
document.documentElement.dataset.ready = '1';
