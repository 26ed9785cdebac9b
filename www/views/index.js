// The views a page, an embed or an <rnn-playground> element can show, in their default order.
// Adding a view: write its module (`mount(parent, ctx) → {destroy()}`) and add one line here;
// its name becomes a value of the `views=` setting. Modules load on first use, so this list
// can be imported anywhere (Node tests included) without touching the DOM.

// `url`: where the module is, for a message when it cannot be fetched.
const view = (name, title, file) => {
  const url = new URL(file, import.meta.url).href;
  return { name, title, url, load: () => import(url) };
};

export const VIEWS = [
  view('loss', 'Loss curve', './loss.js'),
  view('gradients', 'Gradient through time', './gradients.js'),
  view('samples', 'Samples', './samples.js'),
  view('heatmap', 'Neurons', './heatmap.js'),
  view('equations', 'Equations', './equations.js'),
  view('flow', 'Gradient flow', './flow.js'),
  view('microscope', 'Microscope', './microscope.js'),
  view('surprisal', 'Surprisal', './surprisal.js'),
  view('gates', 'Gates and clipping', './gates.js'),
];

export const VIEW_NAMES = VIEWS.map((v) => v.name);
