//! The one configuration struct: every hyperparameter with its documented default.
//! It is serialised as is (JSON) to the Web Worker and into model files.

use crate::error::{Error, Result};
use crate::json::{self, JsonF32, Value, F32};

/// The recurrent cell of every layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

    /// Every kind, in declaration order.
    pub const ALL: [CellKind; 3] = [CellKind::Rnn, CellKind::Lstm, CellKind::Gru];

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl OptimizerKind {
    /// Every kind, in declaration order.
    pub const ALL: [OptimizerKind; 4] =
        [OptimizerKind::Adam, OptimizerKind::Sgd, OptimizerKind::Adagrad, OptimizerKind::Rmsprop];

    /// Lower-case name, as in the config.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::Rmsprop => "rmsprop",
        }
    }
}

/// How gradients are clipped before the optimizer step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipKind {
    /// Scale all gradients by `min(1, clip / (‖g‖₂ + 1e-6))` (PyTorch's `clip_grad_norm_`).
    Norm,
    /// Clamp each element to `[-clip, clip]` (`clip_grad_value_`).
    Value,
    /// No clipping.
    None,
}

impl ClipKind {
    /// Every kind, in declaration order.
    pub const ALL: [ClipKind; 3] = [ClipKind::Norm, ClipKind::Value, ClipKind::None];

    /// Lower-case name, as in the config.
    pub fn name(self) -> &'static str {
        match self {
            ClipKind::Norm => "norm",
            ClipKind::Value => "value",
            ClipKind::None => "none",
        }
    }
}

/// Weight initialisation scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl InitKind {
    /// Every kind, in declaration order.
    pub const ALL: [InitKind; 4] = [InitKind::Pytorch, InitKind::Xavier, InitKind::Orthogonal, InitKind::Identity];

    /// Lower-case name, as in the config.
    pub fn name(self) -> &'static str {
        match self {
            InitKind::Pytorch => "pytorch",
            InitKind::Xavier => "xavier",
            InitKind::Orthogonal => "orthogonal",
            InitKind::Identity => "identity",
        }
    }
}

/// Every hyperparameter of a model and its training run.
#[derive(Clone, Debug, PartialEq)]
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
                Err(Error::Config(format!("{name} = {} must be a finite number in {l}{}, {}]", F32(v), F32(lo), F32(hi))))
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

    /// Parses a JSON config (missing fields take their defaults; unknown or repeated fields are
    /// errors) and validates it.
    pub fn from_json(s: &str) -> Result<Self> {
        let Value::Object(members) = json::parse(s).map_err(|e| Error::Config(format!("invalid JSON: {e}")))? else {
            return Err(Error::Config("the config must be a JSON object".into()));
        };
        let mut c = Config::default();
        for (i, (key, v)) in members.iter().enumerate() {
            if members[..i].iter().any(|(k, _)| k == key) {
                return Err(Error::Config(format!("duplicate field `{key}`")));
            }
            c.set(key, v)?;
        }
        c.validate()?;
        Ok(c)
    }

    /// Sets the field named `key` from its JSON value. Not inlined, so that the error paths of
    /// its 20 arms stay simple (they were ~3 KB more of wasm inside `from_json`).
    #[inline(never)]
    fn set(&mut self, key: &str, v: &Value) -> Result<()> {
        match key {
            "cell" => self.cell = named(key, v, &CellKind::ALL, CellKind::name)?,
            "layers" => self.layers = int(key, v)?,
            "hidden" => self.hidden = int(key, v)?,
            "embed" => self.embed = int(key, v)?,
            "seq_len" => self.seq_len = int(key, v)?,
            "batch" => self.batch = int(key, v)?,
            "optimizer" => self.optimizer = named(key, v, &OptimizerKind::ALL, OptimizerKind::name)?,
            "lr" => self.lr = real(key, v)?,
            "lr_decay" => self.lr_decay = real(key, v)?,
            "lr_decay_every" => self.lr_decay_every = int(key, v)?,
            "momentum" => self.momentum = real(key, v)?,
            "beta1" => self.beta1 = real(key, v)?,
            "beta2" => self.beta2 = real(key, v)?,
            "eps" => self.eps = real(key, v)?,
            "clip_mode" => self.clip_mode = named(key, v, &ClipKind::ALL, ClipKind::name)?,
            "clip" => self.clip = real(key, v)?,
            "init" => self.init = named(key, v, &InitKind::ALL, InitKind::name)?,
            "seed" => self.seed = v.as_u64().ok_or_else(|| not_int(key, v))?,
            "val_fraction" => self.val_fraction = real(key, v)?,
            "max_vocab" => self.max_vocab = int(key, v)?,
            _ => return Err(Error::Config(format!("unknown field `{key}`, expected one of {}", FIELDS.join(", ")))),
        }
        Ok(())
    }

    /// The config as JSON, fields in declaration order.
    pub fn to_json(&self) -> String {
        let r = JsonF32;
        format!(
            "{{\"cell\":\"{}\",\"layers\":{},\"hidden\":{},\"embed\":{},\"seq_len\":{},\"batch\":{},\"optimizer\":\"{}\",\
             \"lr\":{},\"lr_decay\":{},\"lr_decay_every\":{},\"momentum\":{},\"beta1\":{},\"beta2\":{},\"eps\":{},\
             \"clip_mode\":\"{}\",\"clip\":{},\"init\":\"{}\",\"seed\":{},\"val_fraction\":{},\"max_vocab\":{}}}",
            self.cell.name(),
            self.layers,
            self.hidden,
            self.embed,
            self.seq_len,
            self.batch,
            self.optimizer.name(),
            r(self.lr),
            r(self.lr_decay),
            self.lr_decay_every,
            r(self.momentum),
            r(self.beta1),
            r(self.beta2),
            r(self.eps),
            self.clip_mode.name(),
            r(self.clip),
            self.init.name(),
            self.seed,
            r(self.val_fraction),
            self.max_vocab,
        )
    }
}

/// The config's JSON field names, for the unknown-field message.
const FIELDS: [&str; 20] = [
    "cell", "layers", "hidden", "embed", "seq_len", "batch", "optimizer", "lr", "lr_decay", "lr_decay_every",
    "momentum", "beta1", "beta2", "eps", "clip_mode", "clip", "init", "seed", "val_fraction", "max_vocab",
];

// The field readers below are not inlined: at opt-level 3 their copies at every field were ~6 KB
// of wasm, for code that runs once per model.

#[inline(never)]
fn not_int(key: &str, v: &Value) -> Error {
    Error::Config(format!("{key} must be a non-negative integer, not {}", v.kind()))
}

/// The non-negative integer `v` of field `key`.
#[inline(never)]
fn int(key: &str, v: &Value) -> Result<usize> {
    v.as_usize().ok_or_else(|| not_int(key, v))
}

/// The number `v` of field `key`.
#[inline(never)]
fn real(key: &str, v: &Value) -> Result<f32> {
    v.as_f32().ok_or_else(|| Error::Config(format!("{key} must be a number, not {}", v.kind())))
}

/// The enum value whose lower-case name is the JSON string `v`.
#[inline(never)]
fn named<T: Copy>(key: &str, v: &Value, all: &[T], name: fn(T) -> &'static str) -> Result<T> {
    let s = v.as_str().unwrap_or("");
    all.iter().copied().find(|&k| name(k) == s).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&k| name(k)).collect();
        Error::Config(format!("{key} must be one of \"{}\"", names.join("\", \"")))
    })
}
