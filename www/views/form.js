// Settings view: one field per engine setting of the model and training groups, from the
// settings table, plus (on the page) which views are shown. Rarely changed settings sit under
// "More settings".

import { el, int } from './dom.js';
import { SETTINGS } from '../settings.js';
import { VIEWS } from './index.js';
import { field } from './fields.js';

/** Settings under "More settings" (a matter of layout, not of the settings themselves). */
const MORE = new Set(['lr_decay', 'lr_decay_every', 'momentum', 'beta1', 'beta2', 'eps', 'val_fraction', 'max_vocab']);

const GROUPS = [
  ['model', 'Model'],
  ['train', 'Training'],
];

export function mount(parent, ctx) {
  const fields = [];
  const make = (s) => {
    const f = field(ctx, s.name);
    fields.push(f);
    return f;
  };
  const body = el('div', { id: 'settings' });
  for (const [g, name] of GROUPS) {
    const list = SETTINGS.filter((s) => s.group === g && !MORE.has(s.name));
    body.append(el('fieldset', {}, el('legend', {}, name), el('div', { class: 'fields' }, ...list.map(make))));
  }
  body.append(el('details', { class: 'more' }, el('summary', {}, 'More settings'),
    el('div', { class: 'fields' }, ...SETTINGS.filter((s) => MORE.has(s.name)).map(make))));
  let offViews = () => {};
  if (ctx.mode === 'page') {
    const boxes = VIEWS.map((v) => {
      const box = el('input', { type: 'checkbox', id: `view-${v.name}`, value: v.name });
      box.addEventListener('change', () => {
        const on = new Set(VIEWS.filter((w) => ctx.root.getElementById(`view-${w.name}`).checked).map((w) => w.name));
        // Keep the current order, put newly ticked views where the default order has them.
        const now = ctx.store.get('views').filter((n) => on.has(n));
        for (const w of VIEWS) if (on.has(w.name) && !now.includes(w.name)) now.splice(VIEWS.indexOf(w), 0, w.name);
        ctx.store.set({ views: now }, 'form');
      });
      return el('label', { class: 'check', for: `view-${v.name}` }, box, v.title);
    });
    const show = () => {
      const on = ctx.store.get('views');
      for (const b of boxes) b.querySelector('input').checked = on.includes(b.querySelector('input').value);
    };
    offViews = ctx.store.subscribe(({ keys }) => keys.has('views') && show());
    show();
    body.append(el('fieldset', { class: 'views-pick' }, el('legend', {}, 'Views'), el('div', { class: 'checks' }, ...boxes)));
  }
  const offWorkers = workersReadout(ctx, fields.find((f) => f.querySelector('#cfg-workers')));
  const pending = el('p', { id: 'pending', class: 'pending', hidden: true });
  const section = el('section', { class: 'card view-settings', 'aria-labelledby': 'settings-h' },
    el('h2', { id: 'settings-h' }, 'Model & training ', el('span', { class: 'sub' }, 'hover or focus a setting for its explanation')),
    body, pending);
  parent.append(section);
  const render = () => {
    const st = ctx.status();
    pending.hidden = !st.pending;
    pending.textContent = st.pending;
  };
  const offStatus = ctx.on('status', render);
  render();
  return {
    destroy() {
      offStatus();
      offViews();
      offWorkers();
      for (const f of fields) f.destroy();
      section.remove();
    },
  };
}

/**
 * Beside Workers: how many the run uses (what "auto" is here) and the chars/s each number has
 * given in this session, so that the person can pick the fastest (`#workers-speed`).
 */
function workersReadout(ctx, field) {
  if (!field) return () => {};
  const out = el('output', { id: 'workers-speed', class: 'hint', for: 'cfg-workers' });
  field.append(out);
  const speeds = new Map(); // workers → the latest chars/s measured with that many
  let now = null; // the workers of the running model
  const render = () => {
    const setting = ctx.store.get('workers');
    const k = now ?? ctx.pg.workersFor(setting);
    const parts = [`${setting > 0 ? '' : 'auto: '}${k} worker${k === 1 ? '' : 's'}`];
    if (speeds.has(k)) parts[0] += `, ${int(speeds.get(k))} chars/s`;
    const others = [...speeds].filter(([n]) => n !== k).sort((a, b) => a[0] - b[0]);
    if (others.length) parts.push(`measured: ${others.map(([n, v]) => `${n}: ${int(v)}`).join(', ')} chars/s`);
    const failed = ctx.pg.run.get('pool')?.failed;
    if (failed && k > 1) parts.push('the extra workers stopped, so one does the work');
    const text = parts.join(' · ');
    if (out.textContent !== text) out.textContent = text;
  };
  const offs = [
    ctx.on('progress', (p) => {
      if (p.workers) now = p.workers;
      if (p.workers && p.charsPerSec) speeds.set(p.workers, p.charsPerSec);
      render();
    }),
    ctx.on('built', (m) => {
      now = m.info.shards ?? null;
      render();
    }),
    ctx.on('pool', render),
    ctx.store.subscribe(({ keys }) => keys.has('workers') && render()),
  ];
  render();
  return () => {
    for (const off of offs) off();
    out.remove();
  };
}
