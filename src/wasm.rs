//! The JavaScript face of the engine, used by the page's Web Worker.
//!
//! This is the only module that touches `wasm-bindgen` / `js-sys`. Every engine `Result` becomes a
//! `JsError` carrying the engine's own message, so the page can show it as is; nothing here panics
//! on bad input. Small results (stats, info) cross as plain objects via `serde-wasm-bindgen`; large
//! arrays (activations, gradient profiles) are copied once out of wasm memory into `Float32Array`s
//! so the worker can transfer their buffers to the main thread without another copy.

use crate::config::Config;
use crate::error::Error;
use crate::sample::SampleOptions;
use crate::trainer::{StepStats, Trainer};
use js_sys::{Array, Float32Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Maps an engine error to a JS `Error` with the engine's message.
fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Serialises a small value into a plain JS object (maps as objects, not `Map`s).
fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: cannot convert a result for JavaScript: {e}")))
}

/// Sets `obj[key] = value`; setting a property on a fresh plain object cannot fail.
fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A JS number holding a u64, losing precision above 2^53 rather than failing (seeds, counters).
fn num(v: u64) -> JsValue {
    JsValue::from_f64(v as f64)
}

/// What one `trainFor` slice did: the last step's measurements plus slice aggregates.
#[derive(Serialize)]
struct SliceStats {
    /// Steps run in this slice.
    steps: u32,
    /// Wall time spent, milliseconds.
    elapsed_ms: f64,
    /// Mean loss over the slice's steps (nats); the last step's loss is in `last.loss`.
    mean_loss: f32,
    /// How many of the slice's steps were clipped.
    clipped_steps: u32,
    /// Largest pre-clip gradient norm seen in the slice.
    max_grad_norm: f32,
    /// The last step's measurements (`None` if the slice ran no step).
    last: Option<StepStats>,
}

/// A trainer living in the Web Worker: one model, one corpus, its optimizer and sampler.
#[wasm_bindgen]
pub struct WasmTrainer {
    inner: Trainer,
}

#[wasm_bindgen]
impl WasmTrainer {
    /// A fresh model for `corpus` from a JSON config (missing fields take their defaults).
    /// Throws with the engine's message when the config or corpus is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, corpus: &str) -> Result<WasmTrainer, JsError> {
        let config = Config::from_json(config_json).map_err(js_err)?;
        let inner = Trainer::new(config, corpus).map_err(js_err)?;
        Ok(WasmTrainer { inner })
    }

    /// A trainer from a `.safetensors` model or checkpoint made by this project. A checkpoint made
    /// on the same corpus resumes exactly; otherwise only the weights (and their config) are loaded.
    #[wasm_bindgen(js_name = fromFile)]
    pub fn from_file(bytes: &[u8], corpus: &str) -> Result<WasmTrainer, JsError> {
        let inner = Trainer::from_file(bytes, corpus).map_err(js_err)?;
        Ok(WasmTrainer { inner })
    }

    /// Runs training steps until `budget_ms` of wall time has passed or `max_steps` steps ran
    /// (at least one step when `max_steps > 0`), so the worker can yield to its message loop
    /// between slices. Throws on the first divergence with the engine's message; the steps done
    /// before it are kept.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, budget_ms: f64, max_steps: u32) -> Result<JsValue, JsError> {
        let start = js_sys::Date::now();
        let mut s = SliceStats {
            steps: 0,
            elapsed_ms: 0.0,
            mean_loss: f32::NAN,
            clipped_steps: 0,
            max_grad_norm: 0.0,
            last: None,
        };
        let mut loss_sum = 0.0f64;
        while s.steps < max_steps {
            let st = self.inner.step().map_err(js_err)?;
            s.steps += 1;
            loss_sum += st.loss as f64;
            s.clipped_steps += st.clipped as u32;
            s.max_grad_norm = s.max_grad_norm.max(st.grad_norm);
            s.last = Some(st);
            // Date::now() is coarse (ms) but enough for a ~100 ms budget, and needs no web-sys.
            if js_sys::Date::now() - start >= budget_ms {
                break;
            }
        }
        s.elapsed_ms = js_sys::Date::now() - start;
        if s.steps > 0 {
            s.mean_loss = (loss_sum / s.steps as f64) as f32;
        }
        to_js(&s)
    }

    /// One training step; returns its measurements (`step`, `epoch`, `epoch_progress`, `loss`,
    /// `grad_norm`, `clipped`, `lr`, `chars`). Throws on divergence.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let st = self.inner.step().map_err(js_err)?;
        to_js(&st)
    }

    /// Mean validation loss in nats over at most `max_chars` validation characters (all of them
    /// when omitted); `undefined` when the corpus is too short to hold out validation text.
    pub fn validate(&mut self, max_chars: Option<u32>) -> Option<f32> {
        self.inner.validate(max_chars.map(|n| n as usize))
    }

    /// Generates `length` characters after `prime` from the zero state, with its own seeded RNG so
    /// sampling never perturbs training. Returns `{text, unknown}` where `unknown` lists prime
    /// characters missing from the vocabulary. `temperature` 0 is greedy; `top_k` 0 and `top_p` 1
    /// keep every character.
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
        // A JS number seed: non-finite or negative values fall back to 0 rather than failing.
        let seed = if seed.is_finite() && seed > 0.0 { seed as u64 } else { 0 };
        let s = self.inner.sample(prime, length as usize, &opts, seed, false).map_err(js_err)?;
        let out = Object::new();
        set(&out, "text", &JsValue::from_str(&s.text));
        let unknown: Array = s.unknown.iter().map(|c| JsValue::from_str(&c.to_string())).collect();
        set(&out, "unknown", &unknown);
        Ok(out.into())
    }

    /// Activations of every layer for `text` (at most 2048 characters) from the zero state:
    /// `{chars: string[], hidden: H, layers: [{h: Float32Array(T·H), c?, i?, f?, …}]}`, each array
    /// row-major (T, H). The arrays own their buffers, so they can be transferred.
    pub fn probe(&self, text: &str) -> Result<JsValue, JsError> {
        let p = self.inner.probe(text).map_err(js_err)?;
        let out = Object::new();
        let chars: Array = p.chars.iter().map(|c| JsValue::from_str(&c.to_string())).collect();
        set(&out, "chars", &chars);
        set(&out, "hidden", &JsValue::from_f64(p.hidden as f64));
        let layers = Array::new();
        for layer in &p.layers {
            let o = Object::new();
            for a in &layer.activations {
                // One bulk copy out of wasm memory (Float32Array::from copies the slice).
                set(&o, a.name, &Float32Array::from(&a.values[..]));
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
        self.inner.dh_norms().iter().map(|v| JsValue::from(Float32Array::from(&v[..]))).collect()
    }

    /// The model alone as `.safetensors` bytes, with PyTorch `state_dict` names (loads with
    /// `safetensors.torch.load_file`).
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self) -> Result<Vec<u8>, JsError> {
        self.inner.save_model().map_err(js_err)
    }

    /// A checkpoint (model + optimizer + position) that resumes exactly on the same corpus.
    #[wasm_bindgen(js_name = saveCheckpoint)]
    pub fn save_checkpoint(&self) -> Result<Vec<u8>, JsError> {
        self.inner.save_checkpoint().map_err(js_err)
    }

    /// The start of the validation text (or training text), `chars` characters: a probe text the
    /// model has not trained on.
    #[wasm_bindgen(js_name = defaultProbeText)]
    pub fn default_probe_text(&self, chars: u32) -> String {
        self.inner.default_probe_text(chars as usize)
    }

    /// Everything the page shows about the model: `{config, report, vocab_size, vocab, params,
    /// dims: {cell, vocab, embed, hidden, layers}, step}`. `config` is the engine's JSON config as an
    /// object (so a loaded file's settings can be copied back into the controls).
    pub fn info(&self) -> Result<JsValue, JsError> {
        let t = &self.inner;
        let out = Object::new();
        // Through JSON so a u64 seed above 2^53 loses precision instead of failing.
        let config = js_sys::JSON::parse(&t.config.to_json())
            .map_err(|_| JsError::new("internal: the config did not round-trip through JSON"))?;
        set(&out, "config", &config);
        set(&out, "report", &to_js(&t.report)?);
        set(&out, "vocab_size", &JsValue::from_f64(t.vocab.len() as f64));
        let vocab: Array = t.vocab.chars().iter().map(|c| JsValue::from_str(&c.to_string())).collect();
        set(&out, "vocab", &vocab);
        set(&out, "params", &JsValue::from_f64(t.model.params.count() as f64));
        let d = t.model.dims();
        let dims = Object::new();
        set(&dims, "cell", &JsValue::from_str(d.cell.name()));
        set(&dims, "vocab", &JsValue::from_f64(d.vocab as f64));
        set(&dims, "embed", &JsValue::from_f64(d.embed as f64));
        set(&dims, "hidden", &JsValue::from_f64(d.hidden as f64));
        set(&dims, "layers", &JsValue::from_f64(d.layers as f64));
        set(&out, "dims", &dims);
        set(&out, "step", &num(t.optimizer.step));
        set(&out, "epoch", &JsValue::from_f64(t.batcher.epoch as f64));
        Ok(out.into())
    }
}
