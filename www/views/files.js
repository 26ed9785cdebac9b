// Model files view: download the model or a checkpoint (.safetensors), load one.

import { el, bytes } from './dom.js';
import { utf8Bytes } from './corpus.js';

/** Largest model file the page will read. */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const saveModel = el('button', { id: 'btn-save-model', type: 'button', disabled: true }, 'Download model');
  const saveCkpt = el('button', { id: 'btn-save-checkpoint', type: 'button', disabled: true }, 'Download checkpoint');
  const file = el('input', { id: 'model-file', type: 'file', accept: '.safetensors,application/octet-stream', 'aria-describedby': 'model-file-hint' });
  // A checkpoint may carry its text, so that it resumes exactly anywhere; opt-in above 256 KB.
  const withText = el('input', { type: 'checkbox', id: 'ckpt-text' });
  const withTextLabel = el('label', { class: 'check', for: 'ckpt-text' }, withText, el('span', { id: 'ckpt-text-label' }, 'Include the text in the checkpoint'));
  let chosen = null; // the person's choice, once they made one
  withText.addEventListener('change', () => {
    chosen = withText.checked;
  });
  const showWithText = () => {
    const task = pg.task();
    withTextLabel.hidden = !!task; // a task run records its task and seed instead
    const size = utf8Bytes(ctx.store.text);
    withText.checked = chosen ?? size <= 256 * 1024;
    withTextLabel.lastChild.textContent = `Include the text in the checkpoint (${bytes(size)})`;
  };
  saveModel.addEventListener('click', () => pg.save('model'));
  saveCkpt.addEventListener('click', () => pg.save('checkpoint', !withTextLabel.hidden && withText.checked));
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
    el('h2', { id: 'files-h' }, 'Model files and saving'),
    el('div', { class: 'buttons' }, saveModel, saveCkpt),
    withTextLabel,
    el('p', { class: 'explain' }, 'The model is a ', el('code', {}, '.safetensors'), ' file with PyTorch ', el('code', {}, 'state_dict'), ' names: it loads with ', el('code', {}, 'safetensors.torch.load_file'), ' into ', el('code', {}, 'nn.Embedding → nn.LSTM/GRU/RNN → nn.Linear'), '. A checkpoint adds the optimizer state and position, and resumes exactly on the same text; with the text inside, it resumes exactly anywhere, and a page that loads it offers to switch to that text.'),
    el('p', { id: 'torch-hint', class: 'explain' }, 'Past this computer: ', el('code', {}, 'tools/train_torch.py'), ' in the playground’s repository trains a checkpoint on with PyTorch, on a GPU or several (', el('code', {}, 'torchrun'), '): the same model, data and optimizer, and a checkpoint that loads back here (README, “PyTorch, GPUs and back”).'),
    el('div', { class: 'stack file-pick' },
      el('label', { for: 'model-file' }, 'Load a model or checkpoint'), file,
      el('p', { id: 'model-file-hint', class: 'explain' }, 'Loads its settings and weights and continues training on the current text.')));
  // Autosave (the page only): when the run was last saved, or why saving is off.
  const saveStatus = el('span', { id: 'save-status', class: 'meta' });
  const forget = el('button', { id: 'btn-forget-saved', type: 'button', class: 'small link', hidden: true }, 'Forget saved run');
  forget.addEventListener('click', () => run.get('autosave')?.forget());
  const saveRow = el('div', { class: 'row spread save-row', hidden: true }, saveStatus, forget);
  section.append(saveRow);
  const showSaving = () => {
    const a = run.get('autosave');
    if (!a) return;
    saveRow.hidden = false;
    forget.hidden = !!a.off || !a.savedAt;
    saveStatus.textContent = a.off
      ? `Saving is off: ${a.off}. The page works as before; download a checkpoint to keep a run.`
      : a.savedAt
        ? `Saved in this browser at ${new Date(a.savedAt).toLocaleTimeString()} (step ${run.get('step').toLocaleString('en-US')}); reopening the page offers to resume it.`
        : 'This run is saved in this browser every few seconds while it trains.';
  };
  parent.append(section);
  const download = ({ kind, bytes: data }) => {
    const d = run.get('info').dims;
    const name = `rnn-playground-${d.cell}-${d.layers}x${d.hidden}-step${run.get('step')}${kind === 'checkpoint' ? '-checkpoint' : ''}.safetensors`;
    const url = URL.createObjectURL(new Blob([data], { type: 'application/octet-stream' }));
    const a = el('a', { href: url, download: name, hidden: true });
    section.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    ctx.alert(`saved ${name} (${bytes(data.byteLength)}).`, 'info');
  };
  const render = () => {
    const st = run.get('status');
    saveModel.disabled = !st.canSample;
    saveCkpt.disabled = !st.canSample;
    file.disabled = run.get('engineFailed');
  };
  let textTimer = 0;
  const offs = [run.subscribe(({ keys }) => {
    if (keys.has('status') || keys.has('engineFailed')) render();
    if (keys.has('autosave')) showSaving();
  }), ctx.on('file', download), ctx.store.subscribe(({ keys, text }) => {
    if (!text && !keys.has('preset')) return;
    clearTimeout(textTimer);
    textTimer = setTimeout(showWithText, 300);
  })];
  render();
  showSaving();
  showWithText();
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
