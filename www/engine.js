// The one client of the training worker: starts it (only when asked: embeds stay light until
// they are seen), sends messages and hands the worker's messages to a callback. The worker
// owns the model; nothing here trains.

/** True when the browser validates a tiny module using v128 (i8x16.splat + i8x16.popcnt). */
export function hasSimd() {
  try {
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/**
 * A module worker running the script at `url`. A worker script must come from the creator's
 * origin: when the playground is served from another origin (with CORS), a one-line module from a
 * blob: URL imports the real one. The modules a module worker imports are checked against
 * worker-src, so a host's CSP needs `worker-src blob: <playground origin>` (README, "Share and
 * embed"). The training worker starts its pool's workers (pool.js) the same way. The blob: URL is
 * revoked when the worker is terminated through the returned worker's `terminate()`.
 */
export function moduleWorker(url) {
  if (url.origin === globalThis.location?.origin) return new Worker(url, { type: 'module' });
  const blobUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl, { type: 'module' });
  const terminate = worker.terminate.bind(worker);
  worker.terminate = () => {
    terminate();
    URL.revokeObjectURL(blobUrl);
  };
  return worker;
}

/**
 * Starts the worker. `engine`: null, or 'simd128' to force the baseline build. Calls
 * `onMessage(msg)` for each message and `onFailure(text)` when the worker cannot run.
 * Returns `{send(msg, transfer), terminate()}`.
 */
export function startWorker({ engine = null, onMessage, onFailure }) {
  const url = new URL('./worker.js', import.meta.url);
  if (engine) url.searchParams.set('engine', engine);
  const worker = moduleWorker(url);
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    onFailure(ev.message ? `${ev.message} (${url.href})` : `the worker script could not be loaded from ${url.href}`);
  };
  worker.onmessageerror = () => onFailure('a message from the training engine could not be read');
  return {
    send(msg, transfer = []) {
      worker.postMessage(msg, transfer);
    },
    terminate() {
      worker.terminate();
    },
  };
}
