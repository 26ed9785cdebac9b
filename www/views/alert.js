// The alert region: the one role="alert" element of a playground, for errors and notes, each
// with a Dismiss button. Kept in the layout (empty) so screen readers announce later messages.

import { el, clear } from './dom.js';

const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

export function mount(parent, ctx) {
  const region = el('div', { id: 'alert', class: 'alert', role: 'alert' });
  const slot = el('div', { class: 'alert-slot' }, region);
  parent.append(slot);
  const show = (list) => {
    clear(region);
    for (const a of list || []) {
      const dismiss = el('button', { type: 'button', class: 'small link' }, 'Dismiss');
      dismiss.addEventListener('click', () => ctx.pg.alert(null, a.kind, [], a.key));
      const actions = (a.actions || []).map(({ label, run }) => {
        const b = el('button', { type: 'button', class: 'small' }, label);
        b.addEventListener('click', () => {
          ctx.pg.alert(null, a.kind, [], a.key);
          run();
        });
        return b;
      });
      region.append(el('div', { class: `alert-box ${a.kind === 'info' ? 'info' : ''}`, 'data-key': a.key },
        el('div', { class: 'alert-body' },
          el('p', {}, el('strong', {}, a.kind === 'info' ? 'Note: ' : 'Problem: '), capitalise(a.message)),
          actions.length ? el('div', { class: 'buttons alert-actions' }, ...actions) : ''),
        dismiss));
    }
  };
  const { run } = ctx.pg;
  const off = run.subscribe(({ keys }) => keys.has('alerts') && show(run.get('alerts')));
  show(run.get('alerts'));
  return {
    destroy() {
      off();
      slot.remove();
    },
  };
}
