//! The JavaScript face of the engine, used by the page's Web Worker.
//!
//! This is the only module that touches `wasm-bindgen` / `js-sys`. Every engine `Result` becomes a
//! `JsError` carrying the engine's own message, so the page can show it as is; nothing here panics
//! on bad input. Small results (stats, info) cross as plain objects built field by field (no serde:
//! it kept ~4 KB of glue in the module); large arrays (activations, gradient profiles) are copied
//! once out of wasm memory into `Float32Array`s so the worker can transfer their buffers to the
//! main thread without another copy. Text crosses as tokens (the vocabulary's tokenizer cuts it):
//! every result that shows text position by position carries its tokens as strings and their ids,
//! so the page never cuts text into positions itself.

use crate::checkpoint;
use crate::config::Config;
use crate::error::Error;
use crate::model::Model;
use crate::monitor::{remedies, Divergence};
use crate::sample::SampleOptions;
use crate::shard::Shard;
use crate::tasks::{self, Split, Task};
use crate::trainer::{CorpusReport, StepStats, Trainer, Validation};
use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

/// Maps an engine error to a JS `Error` with the engine's message.
fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Sets `obj[key] = value`; setting a property on a fresh plain object cannot fail. Not inlined:
/// its JS glue repeated at every property was ~4 KB of wasm.
#[inline(never)]
fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A JS number holding a u64, losing precision above 2^53 rather than failing (seeds, counters).
fn num(v: u64) -> JsValue {
    JsValue::from_f64(v as f64)
}

/// Sets `obj[key]` to the number `v` (f32 and integers below 2^53 convert exactly); not inlined,
/// like [`set`].
#[inline(never)]
fn set_f(obj: &Object, key: &str, v: f64) {
    set(obj, key, &JsValue::from_f64(v));
}

/// `{step, epoch, epoch_progress, loss, grad_norm, clipped, lr, tokens, chars, bits_per_char,
/// smooth, smooth_bpc, diverged}`.
fn step_stats(st: &StepStats) -> JsValue {
    let o = Object::new();
    set(&o, "step", &num(st.step));
    set_f(&o, "epoch", st.epoch as f64);
    set_f(&o, "epoch_progress", st.epoch_progress as f64);
    set_f(&o, "loss", st.loss as f64);
    set_f(&o, "grad_norm", st.grad_norm as f64);
    set(&o, "clipped", &JsValue::from_bool(st.clipped));
    set_f(&o, "lr", st.lr as f64);
    set(&o, "tokens", &num(st.tokens));
    set(&o, "chars", &num(st.chars));
    set_f(&o, "bits_per_char", st.bits_per_char as f64);
    set_f(&o, "smooth", st.smooth as f64);
    set_f(&o, "smooth_bpc", st.smooth_bpc as f64);
    set(&o, "diverged", &st.diverged.map_or(JsValue::NULL, divergence));
    o.into()
}

/// A plain object of named numbers.
fn numbers(fields: &[(&str, f64)]) -> JsValue {
    let o = Object::new();
    for &(k, v) in fields {
        set_f(&o, k, v);
    }
    o.into()
}

/// A divergence: `{reason, step, loss, reference}` (reference NaN when there is none).
fn divergence(d: Divergence) -> JsValue {
    let o = Object::new();
    set(&o, "reason", &JsValue::from_str(d.reason.name()));
    set(&o, "step", &num(d.step));
    set_f(&o, "loss", d.loss as f64);
    set_f(&o, "reference", d.reference as f64);
    o.into()
}

/// The corpus report, one property per field (`kind`: `characters` or `words`).
fn report(r: &CorpusReport) -> JsValue {
    let o = Object::new();
    set(&o, "kind", &JsValue::from_str(r.kind.name()));
    for (key, n) in [
        ("tokens", r.tokens),
        ("chars", r.chars),
        ("distinct", r.distinct),
        ("vocab", r.vocab),
        ("dropped_tokens", r.dropped_tokens),
        ("dropped_occurrences", r.dropped_occurrences),
        ("train_tokens", r.train_tokens),
        ("train_chars", r.train_chars),
        ("val_tokens", r.val_tokens),
        ("val_chars", r.val_chars),
        ("streams", r.streams),
        ("unknown_tokens", r.unknown_tokens),
        ("unknown_chars", r.unknown_chars),
        ("unknown_distinct", r.unknown_distinct),
    ] {
        set_f(&o, key, n as f64);
    }
    set(&o, "resumed", &JsValue::from_bool(r.resumed));
    set_f(&o, "unigram_bits", r.unigram_bits);
    set_f(&o, "bigram_bits", r.bigram_bits);
    o.into()
}

/// A `Float32Array` copy of `v` (one bulk copy out of wasm memory; it owns its buffer, so the
/// worker can transfer it). Not inlined, like [`set`].
#[inline(never)]
fn f32s(v: &[f32]) -> JsValue {
    Float32Array::from(v).into()
}

/// `["a", "b", …]`: tokens as strings. Not inlined: one copy for the vocabulary, the probes'
/// tokens and a sample's.
#[inline(never)]
fn str_array(tokens: &mut dyn Iterator<Item = &str>) -> Array {
    tokens.map(JsValue::from_str).collect()
}

/// One `Float32Array` per vector.
fn f32_arrays(vs: &[Vec<f32>]) -> Array {
    vs.iter().map(|v| f32s(v)).collect()
}

/// A JS number as a seed: non-finite or negative values fall back to 0 rather than failing.
fn seed_of(seed: f64) -> u64 {
    if seed.is_finite() && seed > 0.0 {
        seed as u64
    } else {
        0
    }
}

/// The first `max_chars` characters of the synthetic task's text (`split` `"train"` or `"val"`)
/// for `seed`, exactly as the trainer of [`WasmTrainer::for_task`] reads it; the task names are
/// the schema's `tasks` (see [`crate::tasks`]). Throws on an unknown task or split.
#[wasm_bindgen(js_name = taskText)]
pub fn task_text(task: &str, seed: f64, split: &str, max_chars: u32) -> Result<String, JsError> {
    let split = match split {
        "train" => Split::Train,
        "val" => Split::Val,
        _ => return Err(JsError::new("split must be 'train' or 'val'")),
    };
    let task = Task::parse(task).map_err(js_err)?;
    Ok(tasks::generate(task, seed_of(seed), split, max_chars as usize))
}

/// A trainer living in the Web Worker: one model, one corpus, its optimizer and sampler.
#[wasm_bindgen]
pub struct WasmTrainer {
    inner: Trainer,
    norms: Vec<f32>, // (steps of the last trainFor slice) pre-clip gradient norms, reused
    flat: Vec<f32>,  // (P) the weights for the pool, reused
}

impl From<Trainer> for WasmTrainer {
    fn from(inner: Trainer) -> Self {
        WasmTrainer { inner, norms: Vec::new(), flat: Vec::new() }
    }
}

#[wasm_bindgen]
impl WasmTrainer {
    /// A fresh model for `corpus` from a JSON config (missing fields take their defaults).
    /// Throws with the engine's message when the config or corpus is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, corpus: &str) -> Result<WasmTrainer, JsError> {
        let config = Config::from_json(config_json).map_err(js_err)?;
        let inner = Trainer::new(config, corpus).map_err(js_err)?;
        Ok(inner.into())
    }

    /// A trainer from a `.safetensors` model or checkpoint made by this project. A checkpoint made
    /// on the same corpus resumes exactly; otherwise only the weights (and their config) are loaded.
    #[wasm_bindgen(js_name = fromFile)]
    pub fn from_file(bytes: &[u8], corpus: &str) -> Result<WasmTrainer, JsError> {
        let inner = Trainer::from_file(bytes, corpus).map_err(js_err)?;
        Ok(inner.into())
    }

    /// A fresh model for the synthetic `task` (a name from the schema's `tasks`): trained on its
    /// generated training text for `seed` (~2 MB), validated on its validation text. Throws like
    /// the constructor, or on an unknown task.
    #[wasm_bindgen(js_name = forTask)]
    pub fn for_task(config_json: &str, task: &str, seed: f64) -> Result<WasmTrainer, JsError> {
        let config = Config::from_json(config_json).map_err(js_err)?;
        let task = Task::parse(task).map_err(js_err)?;
        let inner = Trainer::for_task(config, task, seed_of(seed)).map_err(js_err)?;
        Ok(inner.into())
    }

    /// [`WasmTrainer::from_file`] for the synthetic `task` and `seed`: the texts are generated
    /// again, and a checkpoint made on the same task and seed resumes exactly.
    #[wasm_bindgen(js_name = fromFileForTask)]
    pub fn from_file_for_task(bytes: &[u8], task: &str, seed: f64) -> Result<WasmTrainer, JsError> {
        let task = Task::parse(task).map_err(js_err)?;
        let inner = Trainer::from_file_for_task(bytes, task, seed_of(seed)).map_err(js_err)?;
        Ok(inner.into())
    }

    /// Runs training steps until `budget_ms` of wall time has passed or `max_steps` steps ran
    /// (at least one step when `max_steps > 0`), or a step trips a divergence rule (the monitor's:
    /// the slice ends there, its `last.diverged` set), so the worker can yield to its message loop
    /// between slices. Returns `{steps, elapsed_ms, mean_loss, clipped_steps, max_grad_norm, norms,
    /// last}`: the slice's step count, wall time (ms), mean loss (nats; NaN without steps), clipped
    /// steps, largest pre-clip gradient norm, every step's pre-clip gradient norm in order
    /// (`Float32Array(steps)`, for a histogram), and the last step's measurements (as
    /// [`WasmTrainer::step`]; `null` without steps). Throws when a loss or gradient is not finite
    /// (that step is not taken); the steps done before it are kept.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, budget_ms: f64, max_steps: u32) -> Result<JsValue, JsError> {
        let start = js_sys::Date::now();
        let (mut steps, mut clipped_steps, mut max_grad_norm) = (0u32, 0u32, 0.0f32);
        let mut last = None;
        let mut loss_sum = 0.0f64;
        self.norms.clear();
        while steps < max_steps {
            let st = self.inner.step().map_err(js_err)?;
            steps += 1;
            self.norms.push(st.grad_norm);
            loss_sum += st.loss as f64;
            clipped_steps += st.clipped as u32;
            max_grad_norm = max_grad_norm.max(st.grad_norm);
            let stop = st.diverged.is_some();
            last = Some(st);
            if stop {
                break;
            }
            // Date::now() is coarse (ms) but enough for a ~100 ms budget, and needs no web-sys.
            if js_sys::Date::now() - start >= budget_ms {
                break;
            }
        }
        let elapsed_ms = js_sys::Date::now() - start;
        // The mean as an f32, as the page has always received it.
        let mean_loss = if steps > 0 { (loss_sum / steps as f64) as f32 } else { f32::NAN };
        let out = Object::new();
        set_f(&out, "steps", steps as f64);
        set_f(&out, "elapsed_ms", elapsed_ms);
        set_f(&out, "mean_loss", mean_loss as f64);
        set_f(&out, "clipped_steps", clipped_steps as f64);
        set_f(&out, "max_grad_norm", max_grad_norm as f64);
        set(&out, "norms", &f32s(&self.norms));
        set(&out, "last", &last.as_ref().map_or(JsValue::NULL, step_stats));
        Ok(out.into())
    }

    /// The first half of a step on a pool of Web Workers (the page's `www/pool.js`): every shard
    /// reads its streams' next chunk; returns, for the shards from 1 on (shard 0 is this worker's),
    /// what a [`WasmShard`] needs: `[{inputs: Uint32Array(T·b), targets, h: Float32Array(L·b·H),
    /// c (LSTM; else empty), scale}]`. Then [`WasmTrainer::backprop_shard`] for shard 0,
    /// [`WasmTrainer::put_shard`] with each worker's results, and [`WasmTrainer::finish_step`].
    #[wasm_bindgen(js_name = beginStep)]
    pub fn begin_step(&mut self) -> Array {
        self.inner.read_chunks();
        let scale = self.inner.grad_scale();
        let jobs = Array::new();
        for s in &self.inner.shards[1..] {
            let o = Object::new();
            set(&o, "inputs", &Uint32Array::from(&s.inputs[..]));
            set(&o, "targets", &Uint32Array::from(&s.targets[..]));
            set(&o, "h", &f32s(&s.state.h));
            set(&o, "c", &f32s(&s.state.c));
            set_f(&o, "scale", scale as f64);
            jobs.push(&o);
        }
        jobs
    }

    /// Shard `i`'s gradient, computed here (shard 0; any shard when its worker is gone: the
    /// numbers are the same wherever a shard runs).
    #[wasm_bindgen(js_name = backpropShard)]
    pub fn backprop_shard(&mut self, i: u32) -> Result<(), JsError> {
        let t = &mut self.inner;
        let scale = t.grad_scale();
        let shard = t.shards.get_mut(i as usize).ok_or_else(|| JsError::new("no such shard"))?;
        shard.backprop(&t.model, scale);
        Ok(())
    }

    /// Shard `i`'s results from its worker ([`WasmShard::gradient`]'s `grad`, `lossSum`, `h`, `c`,
    /// `dh`). Throws when a length is not that shard's.
    #[wasm_bindgen(js_name = putShard)]
    pub fn put_shard(&mut self, i: u32, grad: &[f32], loss_sum: f64, h: &[f32], c: &[f32], dh: &[f32]) -> Result<(), JsError> {
        let fits = self.inner.shards.get_mut(i as usize).is_some_and(|s| s.receive(grad, loss_sum, h, c, dh));
        fits.then_some(()).ok_or_else(|| JsError::new("a worker's gradient does not fit its shard"))
    }

    /// The second half of a pooled step ([`Trainer::apply`]): the shards' gradients summed in
    /// order, clipped, one optimizer step. Returns what [`WasmTrainer::step`] returns; throws on
    /// divergence.
    #[wasm_bindgen(js_name = finishStep)]
    pub fn finish_step(&mut self) -> Result<JsValue, JsError> {
        let st = self.inner.apply().map_err(js_err)?;
        Ok(step_stats(&st))
    }

    /// Re-cuts the B streams into `k` shards (at most B; 0 means one) from the next step: a loaded
    /// checkpoint goes on with the page's number of workers rather than the one it was saved with.
    #[wasm_bindgen(js_name = setWorkers)]
    pub fn set_workers(&mut self, k: u32) {
        self.inner.set_workers(k as usize);
    }

    /// Every weight in `state_dict` order, one tensor after another (a copy the worker may
    /// transfer): what the pool's workers compute their gradients with.
    pub fn weights(&mut self) -> Float32Array {
        self.inner.model.params.write_flat(&mut self.flat);
        Float32Array::from(&self.flat[..])
    }

    /// Changes the settings that may change during a run (learning rate and decay, optimizer
    /// constants, clipping) from a JSON config, from the next step on. Throws naming any other
    /// setting that differs from the model's (those need a new model).
    #[wasm_bindgen(js_name = updateLive)]
    pub fn update_live(&mut self, config_json: &str) -> Result<(), JsError> {
        let next = Config::from_json(config_json).map_err(js_err)?;
        self.inner.update_live(&next).map_err(js_err)
    }

    /// One training step; returns its measurements (`step`, `epoch`, `epoch_progress`, `loss`,
    /// `grad_norm`, `clipped`, `lr`, `chars`). Throws on divergence.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let st = self.inner.step().map_err(js_err)?;
        Ok(step_stats(&st))
    }

    /// A validation check over at most `max_tokens` validation tokens (all of them when omitted),
    /// judged by the monitor ([`crate::monitor`]): `{loss, bpc, improved, healthy, memorising,
    /// plateau}`, the mean loss in nats per token and the bits per character (`null` without
    /// validation text), whether it is a new best, whether the training loss is healthy (a point
    /// worth rolling back to), the first time the memorising evidence holds for the best `{best,
    /// bestStep, loss, trainBest, train, rise, riseSe, widening, wideningSe}` (else `null`), and
    /// while the model has stopped improving `{best, bestStep, since, loss, train, new, remedies:
    /// string[]}` (else `null`).
    pub fn validate(&mut self, max_tokens: Option<u32>) -> JsValue {
        let (v, check) = self.inner.check_validation(max_tokens.map(|n| n as usize), || false);
        let o = Object::new();
        let number = |f: fn(&Validation) -> f32| v.as_ref().map_or(JsValue::NULL, |v| JsValue::from_f64(f(v) as f64));
        set(&o, "loss", &number(|v| v.loss));
        set(&o, "bpc", &number(|v| v.bits_per_char));
        set(&o, "improved", &JsValue::from_bool(check.improved));
        set(&o, "healthy", &JsValue::from_bool(self.inner.monitor.healthy()));
        let memorising = check.memorising.map_or(JsValue::NULL, |m| {
            numbers(&[
                ("best", m.best as f64),
                ("bestStep", m.best_step as f64),
                ("loss", m.loss as f64),
                ("trainBest", m.train_best as f64),
                ("train", m.train as f64),
                ("rise", m.rise as f64),
                ("riseSe", m.rise_se as f64),
                ("widening", m.widening as f64),
                ("wideningSe", m.widening_se as f64),
            ])
        });
        set(&o, "memorising", &memorising);
        let plateau = check.plateau.map_or(JsValue::NULL, |p| {
            let po = numbers(&[
                ("best", p.best as f64),
                ("bestStep", p.best_step as f64),
                ("since", p.since as f64),
                ("loss", p.loss as f64),
                ("train", p.train as f64),
            ]);
            let obj: &Object = po.unchecked_ref();
            set(obj, "new", &JsValue::from_bool(p.new));
            let names: Array = remedies(&self.inner.config).into_iter().map(|r| JsValue::from_str(r.name())).collect();
            set(obj, "remedies", &names);
            po
        });
        set(&o, "plateau", &plateau);
        o.into()
    }

    /// Takes over `old`'s monitor after a rollback to a snapshot: its best validation point stays,
    /// its averages and smoothed loss start again.
    #[wasm_bindgen(js_name = adoptMonitor)]
    pub fn adopt_monitor(&mut self, old: &WasmTrainer) {
        self.inner.monitor = old.inner.monitor.clone();
        self.inner.monitor.restart(self.inner.optimizer.step);
    }

    /// Generates `length` tokens after `prime` (fed from the zero state; see
    /// [`WasmTrainer::sample_prime`] for real text to prime with), with its own seeded RNG so
    /// sampling never perturbs training. Returns `{text, tokens: string[], ids: Uint32Array,
    /// unknown: string[]}`: the text, its tokens and their ids (the vocabulary's unknown id, in
    /// `info().unknown_id`, marks an unknown token, whose string is U+FFFD), and the tokens of the
    /// prime missing from the vocabulary. `temperature` 0 is greedy; `top_k` 0 and `top_p` 1 keep
    /// every token. The bounds are the settings table's.
    pub fn sample(
        &mut self,
        prime: &str,
        length: u32,
        temperature: f32,
        top_k: u32,
        top_p: f32,
        seed: f64,
    ) -> Result<JsValue, JsError> {
        let opts = SampleOptions { temperature, top_k: top_k as usize, top_p, ..SampleOptions::default() };
        let s = self.inner.sample(prime, length as usize, &opts, seed_of(seed), false).map_err(js_err)?;
        let out = Object::new();
        set(&out, "text", &JsValue::from_str(&s.text));
        let vocab = &self.inner.vocab;
        set(&out, "tokens", &str_array(&mut s.ids.iter().map(|&id| vocab.token(id))));
        set(&out, "ids", &Uint32Array::from(&s.ids[..]));
        set(&out, "unknown", &str_array(&mut s.unknown.iter().map(String::as_str)));
        Ok(out.into())
    }

    /// Real text for a sample to continue when no prime is given, chosen by `seed`: at most 100
    /// characters of the validation text (of the training text without one), from the start of a
    /// line, sentence or word to the end of one, cut between tokens ([`Trainer::sample_prime`]).
    #[wasm_bindgen(js_name = samplePrime)]
    pub fn sample_prime(&self, seed: f64) -> String {
        self.inner.sample_prime(seed_of(seed))
    }

    /// Activations of every layer for the first 2048 tokens of `text` from the zero state:
    /// `{tokens: string[T], ids: Uint32Array(T), hidden: H, layers: [{h: Float32Array(T·H), c?, i?,
    /// f?, …}]}`, each array row-major (T, H). The arrays own their buffers, so they can be
    /// transferred.
    pub fn probe(&self, text: &str) -> Result<JsValue, JsError> {
        let p = self.inner.probe(text).map_err(js_err)?;
        let out = Object::new();
        set(&out, "tokens", &str_array(&mut p.tokens.iter().map(String::as_str)));
        set(&out, "ids", &Uint32Array::from(&p.ids[..]));
        set_f(&out, "hidden", p.hidden as f64);
        let layers = Array::new();
        for layer in &p.layers {
            let o = Object::new();
            for a in &layer.activations {
                set(&o, a.name, &f32s(&a.values));
            }
            layers.push(&o);
        }
        set(&out, "layers", &layers);
        Ok(out.into())
    }

    /// ‖∂L/∂h_t‖ for every t of the last trained chunk, one `Float32Array(T)` per layer (bottom
    /// first): the vanishing/exploding-gradient profile. Empty arrays before the first step.
    #[wasm_bindgen(js_name = dhNorms)]
    pub fn dh_norms(&self) -> Array {
        f32_arrays(&self.inner.dh_norms())
    }

    /// The gradient flow of the first 128 tokens of `text` (read from the zero state): `{tokens:
    /// string[T+1], layers}`, one `Float32Array(T·T)` per layer (bottom first), T = tokens − 1,
    /// row-major (row t, column k) = ‖∂ℓ_t/∂h_k‖₂, the norm of the gradient of the loss at
    /// position t (predicting token t + 1) with respect to the layer's hidden state after step k;
    /// 0 for k > t. Throws on a text of fewer than two tokens.
    #[wasm_bindgen(js_name = gradFlow)]
    pub fn grad_flow(&self, text: &str) -> Result<JsValue, JsError> {
        let flow = self.inner.grad_flow(text).map_err(js_err)?;
        let out = Object::new();
        set(&out, "tokens", &str_array(&mut self.inner.diagnose_tokens(text).map_err(js_err)?.into_iter()));
        set(&out, "layers", &f32_arrays(&flow.layers));
        Ok(out.into())
    }

    /// σ_max of each H×H gate block of every layer's `W_hh`: one `Float32Array(G)` per layer,
    /// gates in PyTorch's order (rnn G = 1; lstm i, f, g, o; gru r, z, n).
    #[wasm_bindgen(js_name = sigmaMax)]
    pub fn sigma_max(&self) -> Array {
        f32_arrays(&self.inner.sigma_max())
    }

    /// The microscope: a forward and backward pass over the first 128 tokens of `text` (at least
    /// 2, from the zero state), position t = 0…T−1 reading token t and predicting token t + 1:
    /// `{tokens: string[T+1], ids: Uint32Array(T+1), chars: Uint32Array(T+1) (characters of each
    /// token), targets: Uint32Array(T), loss: Float32Array(T) (−ln p of the target, nats), probs:
    /// Float32Array(T·V) (softmax of the logits), layers: [{x, h_prev, pre, act, c?,
    /// h, dh, dpre}]}`, each layer array row-major (T, width): `x` (T, E) for layer 0 (the
    /// embedding row), (T, H) above; `h_prev`, `h`, `c` (LSTM only) and `dh` = ∂L/∂h_t (T, H);
    /// `pre` (the argument of each gate's σ or tanh, both biases included; GRU n: W_in x + b_in +
    /// r ⊙ (W_hn h + b_hn)), `act` (rnn: h_t) and `dpre` = ∂L/∂pre (T, G·H), gate blocks in PyTorch's
    /// order (rnn G = 1; lstm i, f, g, o; gru r, z, n). L = Σ_t ℓ_t. Throws on a text of fewer
    /// than two tokens.
    pub fn trace(&self, text: &str) -> Result<JsValue, JsError> {
        let tr = self.inner.trace(text).map_err(js_err)?;
        let tokens = self.inner.diagnose_tokens(text).map_err(js_err)?;
        let out = Object::new();
        let chars: Vec<u32> = tokens.iter().map(|t| t.chars().count() as u32).collect();
        let ids = self.inner.diagnose_ids(text).map_err(js_err)?;
        set(&out, "tokens", &str_array(&mut tokens.into_iter()));
        set(&out, "ids", &Uint32Array::from(&ids[..]));
        set(&out, "chars", &Uint32Array::from(&chars[..]));
        set(&out, "targets", &Uint32Array::from(&tr.targets[..]));
        set(&out, "loss", &f32s(&tr.loss));
        set(&out, "probs", &f32s(&tr.probs));
        let layers = Array::new();
        for l in &tr.layers {
            let o = Object::new();
            for (name, v) in l.fields().into_iter().filter(|(_, v)| !v.is_empty()) {
                set(&o, name, &f32s(v));
            }
            layers.push(&o);
        }
        set(&out, "layers", &layers);
        Ok(out.into())
    }

    /// Backprop against central finite differences on the next training chunk (the data position,
    /// the state and the weights are left as they were): `perTensor` (1 to 1000) parameters of
    /// every tensor, or of tensor `tensor` only (`state_dict` order), chosen by `seed`. Returns
    /// `{precision: 'f32', steps, loss, floor, total, tensors: [{name, checked, max_rel_err,
    /// mean_rel_err}]}`: the three steps s (h = s · max(1, |w|); fd is the median of the three
    /// central differences), the chunk's loss L, the model's tensor count, and per tensor checked
    /// the relative errors |fd − bp| / max(|fd|, |bp|, floor). Six forward passes of a chunk per
    /// parameter: seconds for the default model at 20 per tensor, so the worker checks a tensor at
    /// a time. Throws on `perTensor` or `tensor` out of bounds.
    #[wasm_bindgen(js_name = gradCheck)]
    pub fn grad_check(&mut self, per_tensor: u32, seed: f64, tensor: Option<u32>) -> Result<JsValue, JsError> {
        let g = self.inner.grad_check(per_tensor as usize, seed_of(seed), tensor.map(|k| k as usize)).map_err(js_err)?;
        let out = Object::new();
        set(&out, "precision", &JsValue::from_str("f32"));
        set(&out, "steps", &f32s(&g.steps));
        set_f(&out, "loss", g.loss);
        set_f(&out, "floor", g.floor);
        set_f(&out, "total", g.total as f64);
        let tensors = Array::new();
        for t in &g.tensors {
            let o = Object::new();
            set(&o, "name", &JsValue::from_str(&t.name));
            set_f(&o, "checked", t.checked as f64);
            set_f(&o, "max_rel_err", t.max_rel_err);
            set_f(&o, "mean_rel_err", t.mean_rel_err);
            tensors.push(&o);
        }
        set(&out, "tensors", &tensors);
        Ok(out.into())
    }

    /// The model alone as `.safetensors` bytes, with PyTorch `state_dict` names (loads with
    /// `safetensors.torch.load_file`).
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self) -> Result<Vec<u8>, JsError> {
        self.inner.save_model().map_err(js_err)
    }

    /// A checkpoint (model + optimizer + position) that resumes exactly on the same corpus; with
    /// `with_corpus` it also carries that text ([`WasmTrainer::file_corpus`] reads it back). Throws
    /// when the text cannot be recovered exactly (characters mapped to the unknown id).
    #[wasm_bindgen(js_name = saveCheckpoint)]
    pub fn save_checkpoint(&self, with_corpus: Option<bool>) -> Result<Vec<u8>, JsError> {
        let text = match with_corpus {
            Some(true) => {
                Some(self.inner.text().ok_or_else(|| JsError::new("the text has characters outside the vocabulary"))?)
            }
            _ => None,
        };
        self.inner.save_checkpoint_with(text.as_deref()).map_err(js_err)
    }

    /// The training text a checkpoint file carries, or `undefined`.
    #[wasm_bindgen(js_name = fileCorpus)]
    pub fn file_corpus(bytes: &[u8]) -> Option<String> {
        crate::checkpoint::file_corpus(bytes)
    }

    /// The start of the validation text (or training text), `tokens` tokens (at most 2048), as
    /// written: a probe text the model has not trained on.
    #[wasm_bindgen(js_name = defaultProbeText)]
    pub fn default_probe_text(&self, tokens: u32) -> String {
        self.inner.default_probe_text(tokens as usize)
    }

    /// The first `n` tokens of `text`, cut as the model cuts it: a prefix of `text`.
    #[wasm_bindgen(js_name = firstTokens)]
    pub fn first_tokens(&self, text: &str, n: u32) -> String {
        crate::trainer::first_tokens(self.inner.vocab.kind(), text, n as usize).to_string()
    }

    /// Everything the page shows about the model: `{config, tokens, report, vocab_size, vocab,
    /// unknown_id, params, dims: {cell, vocab, embed, hidden, layers}, step}`. `config` is the
    /// engine's JSON config as an object (so a loaded file's settings can be copied back into the
    /// controls); `tokens` is `characters` or `words`; `vocab` the tokens in id order, and
    /// `unknown_id` the id of the unknown token (`null` for a vocabulary without one).
    pub fn info(&self) -> Result<JsValue, JsError> {
        let t = &self.inner;
        let out = Object::new();
        // Through JSON so a u64 seed above 2^53 loses precision instead of failing.
        let config = js_sys::JSON::parse(&t.config.to_json())
            .map_err(|_| JsError::new("internal: the config did not round-trip through JSON"))?;
        set(&out, "config", &config);
        set(&out, "report", &report(&t.report));
        set(&out, "tokens", &JsValue::from_str(t.vocab.kind().name()));
        set_f(&out, "vocab_size", t.vocab.len() as f64);
        set(&out, "vocab", &str_array(&mut t.vocab.tokens().iter().map(String::as_str)));
        set(&out, "unknown_id", &t.vocab.unknown_id().map_or(JsValue::NULL, |u| JsValue::from_f64(u as f64)));
        set_f(&out, "params", t.model.params.count() as f64);
        let d = t.model.dims();
        let dims = Object::new();
        set(&dims, "cell", &JsValue::from_str(d.cell.name()));
        set_f(&dims, "vocab", d.vocab as f64);
        set_f(&dims, "embed", d.embed as f64);
        set_f(&dims, "hidden", d.hidden as f64);
        set_f(&dims, "layers", d.layers as f64);
        set(&out, "dims", &dims);
        set(&out, "step", &num(t.optimizer.step));
        set_f(&out, "epoch", t.batcher.epoch as f64);
        set_f(&out, "shards", t.shards.len() as f64);
        Ok(out.into())
    }
}

/// A worker of the page's pool: a copy of the model that computes one shard's gradient at a time
/// from the weights, chunk and carried state it is sent ([`Shard::backprop`], the very code the
/// coordinator runs for its own shard).
#[wasm_bindgen]
pub struct WasmShard {
    model: Model,
    shard: Option<Shard>, // for the last chunk shape
    flat: Vec<f32>,       // (P) the gradient, reused
}

#[wasm_bindgen]
impl WasmShard {
    /// A shard worker for the model of a `.safetensors` file (its shape and weights).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<WasmShard, JsError> {
        let loaded = checkpoint::load(bytes).map_err(js_err)?;
        Ok(WasmShard { model: Model::new(loaded.params), shard: None, flat: Vec::new() })
    }

    /// Sets every weight (as [`WasmTrainer::weights`] lists them). Throws on another length.
    #[wasm_bindgen(js_name = setWeights)]
    pub fn set_weights(&mut self, weights: &[f32]) -> Result<(), JsError> {
        if !self.model.params.read_flat(weights) {
            return Err(JsError::new("the weights do not fit this model"));
        }
        self.model.repack();
        Ok(())
    }

    /// One shard's forward and backward pass over `inputs` and `targets` (T·b ids, time-major)
    /// from the state `h` (and `c`), (L, b, H), its loss gradient scaled by `scale`: returns
    /// `{lossSum, grad: Float32Array(P), h, c, dh: Float32Array(L·T)}` for
    /// [`WasmTrainer::put_shard`]. Throws on shapes or ids that do not fit the model.
    pub fn gradient(&mut self, inputs: &[u32], targets: &[u32], h: &[f32], c: &[f32], scale: f32) -> Result<JsValue, JsError> {
        let d = self.model.dims();
        let lh = d.layers * d.hidden;
        let b = h.len() / lh.max(1);
        let lstm = d.cell == crate::config::CellKind::Lstm;
        let fits = b > 0
            && h.len() == b * lh
            && c.len() == if lstm { h.len() } else { 0 }
            && inputs.len() % b == 0
            && !inputs.is_empty()
            && targets.len() == inputs.len()
            && inputs.iter().chain(targets).all(|&id| (id as usize) < d.vocab);
        if !fits {
            return Err(JsError::new("the chunk does not fit this model"));
        }
        let steps = inputs.len() / b;
        let shard = match &mut self.shard {
            Some(s) if s.ws.steps == steps && s.ws.batch == b => s,
            slot => slot.insert(Shard::detached(d, steps, b)),
        };
        shard.inputs.copy_from_slice(inputs);
        shard.targets.copy_from_slice(targets);
        shard.state.h.copy_from_slice(h);
        shard.state.c.copy_from_slice(c);
        shard.backprop(&self.model, scale);
        shard.grad.write_flat(&mut self.flat);
        let dh: Vec<f32> = shard.ws.caches.iter().flat_map(|c| c.dh_norm.iter().copied()).collect();
        let out = Object::new();
        set_f(&out, "lossSum", shard.loss_sum);
        set(&out, "grad", &f32s(&self.flat));
        set(&out, "h", &f32s(&shard.state.h));
        set(&out, "c", &f32s(&shard.state.c));
        set(&out, "dh", &f32s(&dh));
        Ok(out.into())
    }
}
