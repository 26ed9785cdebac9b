// The views a page, an embed or an <rnn-playground> element can show, in their default order.
// Adding a view: write its module (`mount(parent, ctx) → {destroy()}`) and add one line here;
// its name becomes a value of the `views=` setting. Modules load on first use, so this list
// can be imported anywhere (Node tests included) without touching the DOM.

export const VIEWS = [
  { name: 'loss', title: 'Loss curve', load: () => import('./loss.js') },
  { name: 'gradients', title: 'Gradient through time', load: () => import('./gradients.js') },
  { name: 'samples', title: 'Samples', load: () => import('./samples.js') },
  { name: 'heatmap', title: 'Neurons', load: () => import('./heatmap.js') },
  { name: 'equations', title: 'Equations', load: () => import('./equations.js') },
  { name: 'flow', title: 'Gradient flow', load: () => import('./flow.js') },
  { name: 'microscope', title: 'Microscope', load: () => import('./microscope.js') },
  { name: 'surprisal', title: 'Surprisal', load: () => import('./surprisal.js') },
  { name: 'gates', title: 'Gates and clipping', load: () => import('./gates.js') },
];

export const VIEW_NAMES = VIEWS.map((v) => v.name);
