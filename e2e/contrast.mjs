// WCAG text contrast, measured in the page: every visible text node (and the value shown by every
// visible input, select and textarea) against the background it is drawn on, found by compositing
// the background colours of its ancestors (across a shadow root to its host). Run in a page or a
// frame with page.eval / page.frameEval: `contrastProblems({host, min})` returns the texts below
// `min` (4.5 by default), each with its colours and ratio, and how many texts it measured.
// Disabled controls are left out (WCAG 1.4.3 exempts inactive components).

/** In the page: {checked, problems: [{text, ratio, fg, bg, where}]}. */
export function contrastProblems({ host = null, min = 4.5 } = {}) {
  const root = host ? document.querySelector(host).shadowRoot : document;
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const parse = (css) => {
    let m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(css);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : +m[4]];
    m = /^color\(srgb\s+([-\d.e]+)\s+([-\d.e]+)\s+([-\d.e]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/.exec(css);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : +m[4]];
    if (css === 'transparent') return [0, 0, 0, 0];
    g.clearRect(0, 0, 1, 1);
    g.fillStyle = '#000';
    g.fillStyle = css;
    g.fillRect(0, 0, 1, 1);
    const d = g.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const lin = (c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const ratio = (a, b) => {
    const x = lum(a);
    const y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const up = (e) => e.parentElement || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null);
  /** The opaque colour behind `el`'s content (white where nothing is painted). */
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = up(e)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && parts.length < 4; e = up(e)) parts.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.classList.length ? `.${[...e.classList].join('.')}` : ''}`);
    return parts.join(' < ');
  };
  const disabled = (el) => !!el.closest('button:disabled, input:disabled, select:disabled, textarea:disabled, [aria-disabled="true"]');
  const shown = (el, rects) => {
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || cs.display === 'none') return false;
    for (let e = el; e; e = up(e)) if (parseFloat(getComputedStyle(e).opacity) === 0) return false;
    return [...rects].some((r) => r.width > 1 && r.height > 1);
  };
  const problems = [];
  let checked = 0;
  const measure = (el, text, rects) => {
    if (!shown(el, rects) || disabled(el)) return;
    const bg = background(el);
    const fgc = parse(getComputedStyle(el).color);
    const fg = over(fgc, bg);
    const r = ratio(fg, bg);
    checked += 1;
    if (r < min) problems.push({ text: text.trim().slice(0, 40), ratio: Math.round(r * 100) / 100, fg: fg.map(Math.round), bg: bg.map(Math.round), where: where(el) });
  };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('script, style, noscript, title, option, template')) continue;
    range.selectNodeContents(n);
    measure(el, n.textContent, range.getClientRects());
  }
  for (const el of root.querySelectorAll('input[type="text"], input[type="number"], input:not([type]), select, textarea')) {
    const text = el.tagName === 'SELECT' ? el.selectedOptions[0]?.textContent ?? '' : el.value;
    if (text.trim()) measure(el, text, [el.getBoundingClientRect()]);
  }
  return { checked, problems };
}
