// Connects the page's playground to autosave.js: when to save, what a saved run holds, and the
// offer to resume one after a reload.

import { Autosave, SAVE_EVERY_MS, validateRun } from './autosave.js';
import { presetById } from './presets.js';

/** Starts saving `pg`'s run; offers the saved runs other tabs left behind. Returns the Autosave. */
export async function startSaving(pg, store) {
  const { run } = pg;
  const autosave = new Autosave();
  // The views read it from the run's store, from its first change on (the same object each
  // time: `touched` says it changed).
  autosave.onChange(() => run.publish({ autosave }, ['autosave']));
  let busy = false;
  const save = async () => {
    if (busy || !run.get('model') || run.get('step') === 0 || run.get('building')) return;
    busy = true;
    try {
      const snap = await pg.snapshot();
      if (!snap.bytes) return;
      const i = run.get('info');
      const preset = store.get('preset');
      await autosave.save({
        settings: { ...store.values },
        text: preset === 'custom' ? store.text : null,
        textVersion: `${preset}:${store.textVersion}`,
        checkpoint: snap.bytes,
        step: snap.step,
        curves: { series: run.get('series'), runs: run.get('runs'), best: run.get('best'), runNumber: run.get('runNumber') },
        summary: {
          model: `${i.dims.cell.toUpperCase()} ${i.dims.layers} × ${i.dims.hidden}`,
          text: preset === 'custom' ? 'your own text' : `the ${presetById(preset)?.label ?? preset} preset`,
          loss: run.get('smooth'),
        },
      });
    } finally {
      busy = false;
    }
  };
  setInterval(() => {
    if (run.get('running')) save();
  }, SAVE_EVERY_MS);
  // Training stopped (paused, diverged, the engine failed): save where it stopped.
  run.subscribe(({ keys }) => keys.has('running') && !run.get('running') && save());
  pg.on('restored', () => save());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save();
  });

  try {
    await offer(pg, autosave, await autosave.init());
  } catch (e) {
    // Whatever is in the browser's storage, the page starts.
    pg.alert(`the runs saved in this browser could not be read (${e && e.message ? e.message : e}); the page starts afresh.`, 'info', [], 'saved-damaged');
  }
  return autosave;
}

const ago = (t) => {
  const min = (Date.now() - t) / 60000;
  return min < 1 ? 'less than a minute ago' : min < 90 ? `${Math.round(min)} min ago` : `${Math.round(min / 60)} h ago`;
};

/**
 * Offers the newest saved run that reads back whole (validateRun), and says which could not be
 * read, with a button to forget them; a saved run the engine then refuses is reported the same way.
 */
async function offer(pg, autosave, records) {
  const good = [];
  const damaged = [];
  for (const record of records) {
    const id = record && typeof record === 'object' ? record.id : undefined;
    let text = null;
    try {
      if (id !== undefined) text = await autosave.text(id);
    } catch {
      text = undefined;
    }
    const r = validateRun(record, text);
    if (r.run) good.push(r.run);
    else damaged.push({ id, problem: r.problem });
  }
  const forget = (ids) => async () => {
    for (const id of ids) if (id !== undefined) await autosave.remove(id);
    autosave.changed();
  };
  if (damaged.length) {
    const reasons = [...new Set(damaged.map((d) => d.problem))].join('; ');
    pg.alert(`${damaged.length === 1 ? 'a run saved in this browser' : `${damaged.length} runs saved in this browser`} could not be read (${reasons}). The page starts afresh; the saved data is left as it is until you forget it.`, 'info', [
      { label: damaged.length === 1 ? 'Forget it' : 'Forget them', run: forget(damaged.map((d) => d.id)) },
    ], 'saved-damaged');
  }
  if (!good.length) return;
  const r = good[0];
  pg.alert(`a run saved in this browser ${ago(r.savedAt)} can be resumed: ${r.summary.model} on ${r.summary.text}, step ${r.step.toLocaleString('en-US')}${r.summary.loss !== null ? `, loss ${r.summary.loss.toFixed(3)}` : ''}${r.curvesLost ? ' (its loss curves could not be read)' : ''}.`, 'info', [
    {
      label: 'Resume it',
      run: async () => {
        // The engine reads the checkpoint; if it refuses it, say so and offer to forget the run.
        const off = pg.on('error', (m) => {
          if (m.where !== 'load') return;
          off();
          autosave.release();
          pg.alert(`the saved run could not be resumed: ${m.message}. The page goes on without it.`, 'info', [{ label: 'Forget it', run: forget([r.id]) }], 'saved-damaged');
        });
        const offBuilt = pg.on('built', () => {
          off();
          offBuilt();
        });
        await autosave.adopt(r.id);
        pg.resume(r);
      },
    },
    { label: 'Forget it', run: forget([r.id]) },
  ], 'saved');
}
