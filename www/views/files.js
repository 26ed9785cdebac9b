// Model files view: download the model or a checkpoint (.safetensors), load one.

import { el, bytes } from './dom.js';

/** Largest model file the page will read. */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export function mount(parent, ctx) {
  const { pg } = ctx;
  const saveModel = el('button', { id: 'btn-save-model', type: 'button', disabled: true }, 'Download model');
  const saveCkpt = el('button', { id: 'btn-save-checkpoint', type: 'button', disabled: true }, 'Download checkpoint');
  const file = el('input', { id: 'model-file', type: 'file', accept: '.safetensors,application/octet-stream', 'aria-describedby': 'model-file-hint' });
  saveModel.addEventListener('click', () => pg.save('model'));
  saveCkpt.addEventListener('click', () => pg.save('checkpoint'));
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    file.value = '';
    if (!f) return;
    if (f.size > MAX_MODEL_BYTES) {
      ctx.alert(`“${f.name}” is ${bytes(f.size)}; the limit is ${bytes(MAX_MODEL_BYTES)}.`);
      return;
    }
    let buf;
    try {
      buf = await f.arrayBuffer();
    } catch (e) {
      ctx.alert(`could not read “${f.name}”: ${e.message || e}`);
      return;
    }
    pg.loadFile(buf, f.name);
  });
  const section = el('section', { class: 'card files-card view-files', 'aria-labelledby': 'files-h' },
    el('h2', { id: 'files-h' }, 'Model files'),
    el('div', { class: 'buttons' }, saveModel, saveCkpt),
    el('p', { class: 'explain' }, 'The model is a ', el('code', {}, '.safetensors'), ' file with PyTorch ', el('code', {}, 'state_dict'), ' names: it loads with ', el('code', {}, 'safetensors.torch.load_file'), ' into ', el('code', {}, 'nn.Embedding → nn.LSTM/GRU/RNN → nn.Linear'), '. A checkpoint adds the optimizer state and position, and resumes exactly on the same text.'),
    el('div', { class: 'stack file-pick' },
      el('label', { for: 'model-file' }, 'Load a model or checkpoint'), file,
      el('p', { id: 'model-file-hint', class: 'explain' }, 'Loads its settings and weights and continues training on the current text.')));
  parent.append(section);
  const download = ({ kind, bytes: data }) => {
    const d = pg.s.info.dims;
    const name = `rnn-playground-${d.cell}-${d.layers}x${d.hidden}-step${pg.s.step}${kind === 'checkpoint' ? '-checkpoint' : ''}.safetensors`;
    const url = URL.createObjectURL(new Blob([data], { type: 'application/octet-stream' }));
    const a = el('a', { href: url, download: name, hidden: true });
    section.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    ctx.alert(`saved ${name} (${bytes(data.byteLength)}).`, 'info');
  };
  const render = () => {
    const st = pg.status();
    saveModel.disabled = !st.canSample;
    saveCkpt.disabled = !st.canSample;
    file.disabled = pg.s.engineFailed;
  };
  const offs = [ctx.on('status', render), ctx.on('file', download)];
  render();
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
