//! Sampling text from a model: temperature, top-k, top-p (nucleus) and greedy decoding, primed with
//! text and continuing from a carried state. Randomness comes from an explicit, seeded [`Rng`].

use crate::error::{Error, Result};
use crate::json::F32;
use crate::model::{Model, State, Workspace};
use crate::rng::Rng;
use crate::vocab::Vocab;

/// How the next character is chosen from the model's distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleOptions {
    /// Softmax temperature; lower is more conservative. 0 means greedy. Default 0.8.
    pub temperature: f32,
    /// Keep only the k most likely characters; 0 keeps all. Default 0.
    pub top_k: usize,
    /// Keep the smallest set of characters whose probability reaches p; 1 keeps all. Default 1.
    pub top_p: f32,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions { temperature: 0.8, top_k: 0, top_p: 1.0 }
    }
}

impl SampleOptions {
    /// Checks the options are finite and in range.
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature.is_finite() && (0.0..=100.0).contains(&self.temperature)) {
            return Err(Error::Config(format!("temperature = {} must be in [0, 100]", F32(self.temperature))));
        }
        if !(self.top_p.is_finite() && self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(Error::Config(format!("top_p = {} must be in (0, 1]", F32(self.top_p))));
        }
        Ok(())
    }
}

/// Chooses an id from `logits` (V). `order` is scratch space, reused between calls.
pub fn pick(logits: &[f32], opts: &SampleOptions, rng: &mut Rng, order: &mut Vec<(f32, u32)>) -> u32 {
    let argmax = logits.iter().enumerate().fold(0, |best, (i, &v)| if v > logits[best] { i } else { best });
    if opts.temperature == 0.0 || opts.top_k == 1 {
        return argmax as u32;
    }
    let max = logits[argmax];
    order.clear();
    order.extend(logits.iter().enumerate().map(|(i, &v)| (((v - max) / opts.temperature).exp(), i as u32)));
    let filtered = opts.top_k > 0 || opts.top_p < 1.0;
    if filtered {
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if opts.top_k > 0 {
            order.truncate(opts.top_k);
        }
        if opts.top_p < 1.0 {
            let total: f32 = order.iter().map(|x| x.0).sum();
            let mut acc = 0.0;
            let mut keep = order.len();
            for (i, x) in order.iter().enumerate() {
                acc += x.0 / total;
                if acc >= opts.top_p {
                    keep = i + 1;
                    break;
                }
            }
            order.truncate(keep);
        }
    }
    let total: f32 = order.iter().map(|x| x.0).sum();
    let mut u = rng.uniform() as f32 * total;
    for &(w, id) in order.iter() {
        if u < w {
            return id;
        }
        u -= w;
    }
    order.last().map(|x| x.1).unwrap_or(argmax as u32)
}

/// Generated text and what the prime contained that the vocabulary lacks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// The generated characters (without the prime).
    pub text: String,
    /// Characters of the prime that were not in the vocabulary (mapped to the unknown id).
    pub unknown: Vec<char>,
}

/// Generates text one character at a time, keeping its recurrent state between calls.
#[derive(Clone, Debug)]
pub struct Sampler {
    ws: Workspace,
    /// The carried state; generation continues from it.
    pub state: State,
    next: State,
    order: Vec<(f32, u32)>,
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
            order: Vec::with_capacity(d.vocab),
            last: None,
        }
    }

    /// Back to the zero state with nothing fed.
    pub fn reset(&mut self) {
        self.state.reset();
        self.last = None;
    }

    /// Feeds one id; its logits are then in [`Sampler::logits`].
    pub fn feed(&mut self, model: &Model, id: u32) {
        model.forward(&mut self.ws, &[id], &self.state);
        self.ws.final_state(&mut self.next);
        std::mem::swap(&mut self.state, &mut self.next);
        self.last = Some(id);
    }

    /// Logits after the last fed id, (V).
    pub fn logits(&self) -> &[f32] {
        &self.ws.logits
    }

    /// Feeds `prime` (if any) and generates `length` characters, never the unknown character. With an
    /// empty prime and nothing fed yet, generation starts after a newline (or a space, or the first
    /// character of the vocabulary).
    pub fn generate(
        &mut self,
        model: &Model,
        vocab: &Vocab,
        prime: &str,
        length: usize,
        opts: &SampleOptions,
        rng: &mut Rng,
    ) -> Result<Sample> {
        opts.validate()?;
        let enc = vocab.encode(prime)?;
        for &id in &enc.ids {
            self.feed(model, id);
        }
        if self.last.is_none() {
            let start = vocab.id_of('\n').or(vocab.id_of(' ')).unwrap_or(if vocab.len() > 1 { 1 } else { 0 });
            self.feed(model, start);
        }
        // Never emit the unknown character: it stands for many, so printing it says nothing.
        let mask = vocab.unknown_id().filter(|_| vocab.len() > 1);
        let mut text = String::with_capacity(length);
        for _ in 0..length {
            if let Some(u) = mask {
                self.ws.logits[u as usize] = f32::NEG_INFINITY;
            }
            let id = pick(&self.ws.logits, opts, rng, &mut self.order);
            text.push(vocab.char_of(id));
            self.feed(model, id);
        }
        Ok(Sample { text, unknown: enc.unknown })
    }
}
