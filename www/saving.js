// Connects the page's playground to autosave.js: when to save, what a saved run holds, and the
// offer to resume one after a reload.

import { Autosave, SAVE_EVERY_MS } from './autosave.js';
import { presetById } from './presets.js';

/** Starts saving `pg`'s run; offers the saved runs other tabs left behind. Returns the Autosave. */
export async function startSaving(pg, store) {
  const autosave = new Autosave();
  pg.autosave = autosave;
  autosave.onChange(() => pg.emit('autosave', autosave));
  let busy = false;
  const save = async () => {
    if (busy || !pg.s.model || pg.s.step === 0 || pg.s.building) return;
    busy = true;
    try {
      const snap = await pg.snapshot();
      if (!snap.bytes) return;
      const i = pg.s.info;
      const preset = store.get('preset');
      await autosave.save({
        settings: { ...store.values },
        text: preset === 'custom' ? store.text : null,
        textVersion: `${preset}:${store.textVersion}`,
        checkpoint: snap.bytes,
        step: snap.step,
        curves: { series: pg.series, runs: pg.runs, best: pg.s.best, runNumber: pg.runNumber ?? 0 },
        summary: {
          model: `${i.dims.cell.toUpperCase()} ${i.dims.layers} × ${i.dims.hidden}`,
          text: preset === 'custom' ? 'your own text' : `the ${presetById(preset)?.label ?? preset} preset`,
          loss: pg.s.smooth,
        },
      });
    } finally {
      busy = false;
    }
  };
  pg.saveNow = save;
  setInterval(() => {
    if (pg.s.running) save();
  }, SAVE_EVERY_MS);
  let wasRunning = false;
  pg.on('status', () => {
    if (wasRunning && !pg.s.running) save();
    wasRunning = pg.s.running;
  });
  pg.on('restored', () => save());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save();
  });

  const saved = await autosave.init();
  if (saved.length) {
    const r = saved[0];
    const ago = ((Date.now() - r.savedAt) / 60000);
    const when = ago < 1 ? 'less than a minute ago' : ago < 90 ? `${Math.round(ago)} min ago` : `${Math.round(ago / 60)} h ago`;
    pg.alert(`a run saved in this browser ${when} can be resumed: ${r.summary.model} on ${r.summary.text}, step ${r.step.toLocaleString('en-US')}${Number.isFinite(r.summary.loss) ? `, loss ${r.summary.loss.toFixed(3)}` : ''}.`, 'info', [
      {
        label: 'Resume it',
        run: async () => {
          await autosave.adopt(r.id);
          pg.resume({ ...r, text: await autosave.text(r.id) });
        },
      },
      {
        label: 'Forget it',
        run: async () => {
          await autosave.remove(r.id);
          autosave.changed();
        },
      },
    ], 'saved');
  }
  return autosave;
}
