//! Sampling text from a model, one token at a time: temperature, top-k, top-p (nucleus) and
//! greedy decoding, primed with text (cut into tokens as the training text was) and continuing
//! from a carried state. Randomness comes from an explicit, seeded [`Rng`]. Top-k and top-p rank
//! the candidates with a heap: O(V + k log V), never a sort of the whole vocabulary.
//!
//! A character model never emits the unknown character (it stands for many, so printing it says
//! nothing). A word model does: its unknown token is a real share of the text (the rare words
//! beyond the cap), so it is sampled with its probability and marked in every result ([`Sample`]).
//!
//! By default the weight matrices are read quantised to i16 ([`Precision`]): on a 2 × 256 LSTM,
//! whose f32 weights overflow a core's L2, a token takes under half the f32 time in wasm and
//! about a quarter natively (AVX-512); bf16 is in between. `precision: f32` gives exactly the
//! training forward pass.

use crate::config::TokenKind;
use crate::error::Result;
use crate::heap::{heapify, pop};
use crate::kernels::{softmax_weights, Isa};
use crate::model::{Model, Precision, State, Workspace};
use crate::rng::Rng;
use crate::settings::{self, Val};
use crate::vocab::Vocab;

/// How the next token is chosen from the model's distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleOptions {
    /// Softmax temperature; lower is more conservative. 0 means greedy.
    pub temperature: f32,
    /// Keep only the k most likely tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability reaches p; 1 keeps all.
    pub top_p: f32,
    /// Number format of the weight matrices: `i16` (default, fastest), `bf16`, or `f32` (exactly
    /// the training forward pass, PyTorch's numbers). See [`Precision`] for the measured difference.
    pub precision: Precision,
}

impl Default for SampleOptions {
    /// The settings table's defaults ([`crate::settings::SampleSettings`]), at i16 precision.
    fn default() -> Self {
        const DEFAULT: SampleOptions = SampleOptions {
            temperature: settings::real_default("temperature"),
            top_k: settings::int_default("top_k") as usize,
            top_p: settings::real_default("top_p"),
            precision: Precision::I16,
        };
        DEFAULT
    }
}

impl SampleOptions {
    /// Checks the options against the settings table's bounds (with its messages).
    pub fn validate(&self) -> Result<()> {
        settings::get("temperature").check(Val::Real(self.temperature))?;
        settings::get("top_k").check(Val::Int(self.top_k as u64))?;
        settings::get("top_p").check(Val::Real(self.top_p))
    }
}

/// Scratch space for [`pick`], reused between calls.
#[derive(Clone, Debug, Default)]
pub struct PickScratch {
    weights: Vec<f32>, // (V) unnormalised probabilities e^{(logit − max)/temperature}
    order: Vec<u32>,   // (V) ids: a heap by weight, the kept ones popped to the end (top-k, top-p)
}

/// Chooses an id from `logits` (V) on `isa`'s kernels. A `−∞` logit (a masked id) is never chosen
/// unless every logit is `−∞`.
pub fn pick(isa: Isa, logits: &[f32], opts: &SampleOptions, rng: &mut Rng, scratch: &mut PickScratch) -> u32 {
    let argmax = logits.iter().enumerate().fold(0, |best, (i, &v)| if v > logits[best] { i } else { best });
    if opts.temperature == 0.0 || opts.top_k == 1 {
        return argmax as u32;
    }
    let PickScratch { weights, order } = scratch;
    weights.resize(logits.len(), 0.0);
    let mut total = softmax_weights(isa, logits, logits[argmax], 1.0 / opts.temperature, weights);
    let filtered = opts.top_k > 0 || opts.top_p < 1.0;
    let v = logits.len();
    order.clear();
    let mut kept = 0; // the `kept` most likely ids, most likely last, are order[v - kept..]
    if filtered {
        // A heap ranks the candidates: only the ids that survive the filters are ever ordered.
        let less = |a: &u32, b: &u32| weights[*a as usize].total_cmp(&weights[*b as usize]).then(b.cmp(a)).is_lt();
        order.extend(0..v as u32);
        heapify(order, &less);
        if opts.top_k > 0 {
            while kept < opts.top_k.min(v) {
                pop(order, v - kept, &less);
                kept += 1;
            }
            total = order[v - kept..].iter().rev().map(|&i| weights[i as usize]).sum();
        }
        if opts.top_p < 1.0 {
            let mut acc = 0.0;
            let mut n = 0;
            loop {
                if n == kept {
                    if opts.top_k > 0 || kept == v {
                        break; // every candidate counted without reaching p (rounding): keep all
                    }
                    pop(order, v - kept, &less);
                    kept += 1;
                }
                acc += weights[order[v - 1 - n] as usize] / total;
                n += 1;
                if acc >= opts.top_p {
                    break;
                }
            }
            kept = n;
            total = order[v - kept..].iter().rev().map(|&i| weights[i as usize]).sum();
        }
    }
    let mut u = rng.uniform() as f32 * total;
    // Rounding can leave u past the last weight: then the last id with a weight is chosen.
    let mut last = argmax as u32;
    let mut walk = |id: u32| {
        let w = weights[id as usize];
        if w > 0.0 {
            if u < w {
                return Some(id);
            }
            u -= w;
            last = id;
        }
        None
    };
    let chosen =
        if filtered { order[v - kept..].iter().rev().find_map(|&id| walk(id)) } else { (0..v as u32).find_map(walk) };
    chosen.unwrap_or(last)
}

/// Generated tokens and what the prime contained that the vocabulary lacks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// The generated tokens' ids (without the prime); the unknown id is the unknown token.
    pub ids: Vec<u32>,
    /// The generated text: the tokens joined, the unknown token as [`crate::vocab::UNKNOWN`]
    /// (which no other token contains).
    pub text: String,
    /// Tokens of the prime that were not in the vocabulary (mapped to the unknown id).
    pub unknown: Vec<String>,
}

/// Generates text one token at a time, keeping its recurrent state between calls.
#[derive(Clone, Debug)]
pub struct Sampler {
    ws: Workspace,
    /// The carried state; generation continues from it.
    pub state: State,
    next: State,
    scratch: PickScratch,
    last: Option<u32>,
}

impl Sampler {
    /// A sampler for `model`, starting from the zero state.
    pub fn new(model: &Model) -> Self {
        let d = model.dims();
        Sampler {
            ws: Workspace::new(d, 1, 1),
            state: State::zeros(d, 1),
            next: State::zeros(d, 1),
            scratch: PickScratch::default(),
            last: None,
        }
    }

    /// Back to the zero state with nothing fed.
    pub fn reset(&mut self) {
        self.state.reset();
        self.last = None;
    }

    /// Feeds one id through the model's weights in `precision`; its logits are then in
    /// [`Sampler::logits`].
    pub fn feed(&mut self, model: &Model, id: u32, precision: Precision) {
        model.forward_at(precision, &mut self.ws, &[id], &self.state);
        self.ws.final_state(&mut self.next);
        std::mem::swap(&mut self.state, &mut self.next);
        self.last = Some(id);
    }

    /// Logits after the last fed id, (V).
    pub fn logits(&self) -> &[f32] {
        &self.ws.logits
    }

    /// Feeds `prime` (if any) and generates `length` tokens (a character model never the unknown
    /// character). With an empty prime and nothing fed yet, generation starts after a newline (or
    /// a space, or the first token of the vocabulary).
    pub fn generate(
        &mut self,
        model: &Model,
        vocab: &Vocab,
        prime: &str,
        length: usize,
        opts: &SampleOptions,
        rng: &mut Rng,
    ) -> Result<Sample> {
        let (mut text, mut ids) = (String::with_capacity(length), Vec::with_capacity(length));
        let unknown = self.generate_each(model, vocab, prime, length, opts, rng, |id| {
            text.push_str(vocab.token(id));
            ids.push(id);
            true
        })?;
        Ok(Sample { ids, text, unknown })
    }

    /// [`Sampler::generate`], streamed: hands each token's id to `emit` as soon as it is chosen
    /// (the same tokens from the same draws of `rng`), and stops early when `emit` returns false.
    /// Returns the tokens of the prime that the vocabulary lacks.
    #[allow(clippy::too_many_arguments)]
    pub fn generate_each(
        &mut self,
        model: &Model,
        vocab: &Vocab,
        prime: &str,
        length: usize,
        opts: &SampleOptions,
        rng: &mut Rng,
        mut emit: impl FnMut(u32) -> bool,
    ) -> Result<Vec<String>> {
        opts.validate()?;
        let enc = vocab.encode(prime)?;
        for &id in &enc.ids {
            self.feed(model, id, opts.precision);
        }
        if self.last.is_none() {
            let start = vocab.id_of("\n").or(vocab.id_of(" ")).unwrap_or(if vocab.len() > 1 { 1 } else { 0 });
            self.feed(model, start, opts.precision);
        }
        // A character model never emits the unknown character (see the module's doc).
        let mask = vocab.unknown_id().filter(|_| vocab.len() > 1 && vocab.kind() == TokenKind::Characters);
        for _ in 0..length {
            if let Some(u) = mask {
                self.ws.logits[u as usize] = f32::NEG_INFINITY;
            }
            let id = pick(model.isa(), &self.ws.logits, opts, rng, &mut self.scratch);
            // Fed before it is handed out, so that a stop leaves the state after the last token.
            self.feed(model, id, opts.precision);
            if !emit(id) {
                break;
            }
        }
        Ok(enc.unknown)
    }
}
