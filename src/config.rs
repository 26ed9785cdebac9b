//! The one configuration struct: every hyperparameter with its documented default.
//! It is serialised as is (JSON) to the Web Worker and into model files.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The recurrent cell of every layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// Elman RNN: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
    Rnn,
    /// LSTM, gates i, f, g, o (PyTorch order).
    Lstm,
    /// GRU, gates r, z, n (PyTorch order, `b_hn` inside `r ⊙ (…)`).
    Gru,
}

impl CellKind {
    /// Number of gate blocks G: rows of `W_ih` are `G·H`.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// Lower-case name, as in the config and PyTorch.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }

    /// Parses "rnn", "lstm" or "gru".
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "rnn" => Ok(CellKind::Rnn),
            "lstm" => Ok(CellKind::Lstm),
            "gru" => Ok(CellKind::Gru),
            _ => Err(Error::Config(format!("unknown cell '{s}' (expected rnn, lstm or gru)"))),
        }
    }
}

/// The optimizer applied after each truncated-BPTT chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adam (PyTorch's formulation, no weight decay).
    Adam,
    /// SGD with (heavy-ball) momentum.
    Sgd,
    /// Adagrad.
    Adagrad,
    /// RMSProp (PyTorch's, no centering).
    Rmsprop,
}

/// How gradients are clipped before the optimizer step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipKind {
    /// Scale all gradients by `min(1, clip / (‖g‖₂ + 1e-6))` (PyTorch's `clip_grad_norm_`).
    Norm,
    /// Clamp each element to `[-clip, clip]` (`clip_grad_value_`).
    Value,
    /// No clipping.
    None,
}

/// Weight initialisation scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitKind {
    /// PyTorch's default: every recurrent and output weight and bias U(±1/√H), embedding N(0, 1).
    Pytorch,
    /// Xavier/Glorot uniform weights, zero biases.
    Xavier,
    /// Like `pytorch` but every gate block of `W_hh` is a random orthogonal matrix.
    Orthogonal,
    /// IRNN (Le et al. 2015): every gate block of `W_hh` is the identity, zero biases.
    Identity,
}

/// Every hyperparameter of a model and its training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Cell type of every layer. Default `lstm`.
    pub cell: CellKind,
    /// Number of stacked recurrent layers L. Default 1.
    pub layers: usize,
    /// Hidden size H. Default 128.
    pub hidden: usize,
    /// Embedding size E. Default 32.
    pub embed: usize,
    /// Truncated-BPTT length T (steps per chunk). Default 64.
    pub seq_len: usize,
    /// Parallel streams B per chunk. Default 32.
    pub batch: usize,
    /// Optimizer. Default `adam`.
    pub optimizer: OptimizerKind,
    /// Learning rate. Default 2e-3.
    pub lr: f32,
    /// Multiply the learning rate by this every `lr_decay_every` steps. Default 1.0 (no decay).
    pub lr_decay: f32,
    /// Steps between learning-rate decays. Default 1000.
    pub lr_decay_every: usize,
    /// Momentum for SGD. Default 0.9.
    pub momentum: f32,
    /// Adam β1. Default 0.9.
    pub beta1: f32,
    /// Adam β2; also RMSProp's smoothing α. Default 0.999.
    pub beta2: f32,
    /// Adam/Adagrad/RMSProp ε. Default 1e-8.
    pub eps: f32,
    /// Clipping mode. Default `norm`.
    pub clip_mode: ClipKind,
    /// Clipping threshold (global norm, or per element). Default 5.0.
    pub clip: f32,
    /// Initialisation. Default `pytorch`.
    pub init: InitKind,
    /// Seed of the one RNG (init, sampling). Default 1.
    pub seed: u64,
    /// Fraction of the corpus (its end) held out for validation. Default 0.1.
    pub val_fraction: f32,
    /// Most distinct characters kept; rarer ones share the unknown id. Default 8000.
    pub max_vocab: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cell: CellKind::Lstm,
            layers: 1,
            hidden: 128,
            embed: 32,
            seq_len: 64,
            batch: 32,
            optimizer: OptimizerKind::Adam,
            lr: 2e-3,
            lr_decay: 1.0,
            lr_decay_every: 1000,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            clip_mode: ClipKind::Norm,
            clip: 5.0,
            init: InitKind::Pytorch,
            seed: 1,
            val_fraction: 0.1,
            max_vocab: 8000,
        }
    }
}

/// Upper bounds that keep a browser tab alive; far above anything useful for a character model.
pub const MAX_HIDDEN: usize = 4096;
/// Upper bound on the embedding size.
pub const MAX_EMBED: usize = 4096;
/// Upper bound on stacked layers.
pub const MAX_LAYERS: usize = 16;
/// Upper bound on T.
pub const MAX_SEQ_LEN: usize = 4096;
/// Upper bound on B.
pub const MAX_BATCH: usize = 4096;
/// Upper bound on the vocabulary cap.
pub const MAX_VOCAB: usize = 65536;

impl Config {
    /// Checks every field, naming the first that is out of range.
    pub fn validate(&self) -> Result<()> {
        let int = |name: &str, v: usize, lo: usize, hi: usize| {
            if v < lo || v > hi {
                Err(Error::Config(format!("{name} = {v} is out of range [{lo}, {hi}]")))
            } else {
                Ok(())
            }
        };
        int("layers", self.layers, 1, MAX_LAYERS)?;
        int("hidden", self.hidden, 1, MAX_HIDDEN)?;
        int("embed", self.embed, 1, MAX_EMBED)?;
        int("seq_len", self.seq_len, 1, MAX_SEQ_LEN)?;
        int("batch", self.batch, 1, MAX_BATCH)?;
        int("lr_decay_every", self.lr_decay_every, 1, usize::MAX)?;
        int("max_vocab", self.max_vocab, 2, MAX_VOCAB)?;
        // A chunk's activations must fit comfortably in a wasm32 address space.
        let work = [self.batch, self.hidden, self.cell.gates(), self.layers]
            .iter()
            .fold(self.seq_len as u64, |acc, &x| acc.saturating_mul(x as u64));
        if work > 64 << 20 {
            return Err(Error::Config(format!(
                "seq_len × batch × hidden × gates × layers = {work} is too large (limit {})",
                64 << 20
            )));
        }
        let real = |name: &str, v: f32, lo: f32, hi: f32, lo_open: bool| {
            let ok = v.is_finite() && v <= hi && if lo_open { v > lo } else { v >= lo };
            if ok {
                Ok(())
            } else {
                let l = if lo_open { "(" } else { "[" };
                Err(Error::Config(format!("{name} = {v} must be a finite number in {l}{lo}, {hi}]")))
            }
        };
        real("lr", self.lr, 0.0, 10.0, true)?;
        real("lr_decay", self.lr_decay, 0.0, 1.0, true)?;
        real("momentum", self.momentum, 0.0, 0.999_999, false)?;
        real("beta1", self.beta1, 0.0, 0.999_999, false)?;
        real("beta2", self.beta2, 0.0, 0.999_999_9, false)?;
        real("eps", self.eps, 0.0, 1.0, true)?;
        real("clip", self.clip, 0.0, 1e6, true)?;
        real("val_fraction", self.val_fraction, 0.0, 0.5, false)?;
        Ok(())
    }

    /// Parses a JSON config (missing fields take their defaults) and validates it.
    pub fn from_json(s: &str) -> Result<Self> {
        let c: Config = serde_json::from_str(s).map_err(|e| Error::Config(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// The config as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("config serialises")
    }
}
