// Settings view: one field per engine setting of the model and training groups, from the
// settings table, plus (on the page) which views are shown. Rarely changed settings sit under
// "More settings".

import { el } from './dom.js';
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
      for (const f of fields) f.destroy();
      section.remove();
    },
  };
}
