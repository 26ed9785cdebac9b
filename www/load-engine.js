// Loads the engine into a worker: the training worker (worker.js) and the workers of its pool
// (shard-worker.js). Two builds (scripts/build): pkg-relaxed adds relaxed SIMD (fused
// multiply-adds, 14–24 % faster training in Chromium); pkg needs only SIMD. Their numbers differ
// in the last bits, so a pool's workers load exactly the build their coordinator runs.

const ENGINES = {
  relaxed: './pkg-relaxed/rnn_playground.js',
  simd128: './pkg/rnn_playground.js',
};
// A one-function module using f32x4.relaxed_madd: it validates only where relaxed SIMD is on.
const v128Zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, ...v128Zero, ...v128Zero, ...v128Zero, 0xfd, 0x85, 0x02, 0x0b,
]);

/** The wasm file of a build (`engine`: 'relaxed' or 'simd128'), for messages naming what failed. */
export const wasmUrl = (engine = 'simd128') => new URL(ENGINES[engine].replace(/\.js$/, '_bg.wasm'), import.meta.url).href;

const message = (e) => (e && e.message ? e.message : String(e));

async function load(engine) {
  const mod = await import(ENGINES[engine]);
  await mod.default();
  return { mod, engine };
}

/**
 * The engine module and its build's name. `choice`: null for the fastest build this browser runs
 * (the baseline if the relaxed one fails to load), 'simd128' for the baseline, or 'exactly:NAME'
 * for that build and no other (a pool's worker).
 */
export async function loadEngine(choice) {
  if (choice && choice.startsWith('exactly:')) {
    const engine = choice.slice('exactly:'.length);
    if (!Object.hasOwn(ENGINES, engine)) throw new Error(`unknown engine build ${engine}`);
    return load(engine);
  }
  if (choice !== 'simd128' && WebAssembly.validate(RELAXED_PROBE)) {
    try {
      return await load('relaxed');
    } catch (e) {
      console.warn(`relaxed-SIMD engine unavailable (${message(e)}); using the SIMD engine`);
    }
  }
  return load('simd128');
}
