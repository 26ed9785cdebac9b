// What the page's engine makes of a file, for `scripts/test torch` (tests/torch/roundtrip.py):
//   node tests/torch/page_engine.mjs load FILE (--task NAME SEED | --corpus FILE)
//       loads FILE as the page's worker does (www/pkg, WasmTrainer.fromFileForTask / fromFile),
//       trains 3 steps, prints {step, resumed, workers, losses}
//   node tests/torch/page_engine.mjs links
//       prints the page's link versions' defaults (www/state.js LINK_DEFAULTS) and the engine's
//       settings table (www/pkg/settings.js)
// Needs scripts/build (www/pkg).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [cmd, file, how, a, b] = process.argv.slice(2);

if (cmd === 'links') {
  const { LINK_DEFAULTS } = await import(pathToFileURL(path.join(root, 'www/state.js')).href);
  const { default: table } = await import(pathToFileURL(path.join(root, 'www/pkg/settings.js')).href);
  console.log(JSON.stringify({ LINK_DEFAULTS, settings: table.settings }));
} else if (cmd === 'load') {
  const pkg = path.join(root, 'www/pkg');
  const mod = await import(pathToFileURL(path.join(pkg, 'rnn_playground.js')).href);
  mod.initSync({ module: fs.readFileSync(path.join(pkg, 'rnn_playground_bg.wasm')) });
  const bytes = new Uint8Array(fs.readFileSync(file));
  const t = how === '--task'
    ? mod.WasmTrainer.fromFileForTask(bytes, a, Number(b))
    : mod.WasmTrainer.fromFile(bytes, fs.readFileSync(a, 'utf8'));
  const info = t.info();
  const losses = [];
  for (let i = 0; i < 3; i++) losses.push(t.step().loss);
  console.log(JSON.stringify({ step: info.step, resumed: info.report.resumed, workers: info.config.workers, losses }));
} else {
  console.error('usage: page_engine.mjs load FILE (--task NAME SEED | --corpus FILE) | links');
  process.exit(2);
}
