//! The one configuration struct: every hyperparameter of a model and its training run. Names,
//! bounds and defaults come from the settings table ([`crate::settings::SETTINGS`], groups `model`
//! and `train`); the struct is serialised as JSON to the Web Worker and into model files.

use crate::error::{Error, Result};
use crate::json::Value;
use crate::settings::{self, choice_default, int_default, int_max, real_default, Choice, Fields, Group, Slot};

/// Declares a choice enum with its lower-case names in one place: `NAMES[k as usize]` is the name
/// of `k`, `ALL` lists the values in the same order, and the settings table reuses `NAMES`.
macro_rules! choice_enum {
    ($(#[$meta:meta])* pub enum $T:ident { $($(#[$vmeta:meta])* $V:ident = $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $T {
            $($(#[$vmeta])* $V,)*
        }

        impl $T {
            /// Every value, in declaration order.
            pub const ALL: [$T; [$($name),*].len()] = [$($T::$V),*];

            /// Lower-case names, as in the config, indexed by discriminant.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// Lower-case name, as in the config.
            pub fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            /// The value named `s`, ignoring case.
            pub fn from_name(s: &str) -> Option<Self> {
                Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s)).map(|i| Self::ALL[i])
            }
        }

        impl Choice for $T {
            fn index(&self) -> usize {
                *self as usize
            }
            fn set_index(&mut self, i: usize) {
                if let Some(&v) = Self::ALL.get(i) {
                    *self = v;
                }
            }
        }
    };
}

choice_enum! {
    /// The recurrent cell of every layer.
    pub enum CellKind {
        /// Elman RNN: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
        Rnn = "rnn",
        /// LSTM, gates i, f, g, o (PyTorch order).
        Lstm = "lstm",
        /// GRU, gates r, z, n (PyTorch order, `b_hn` inside `r ⊙ (…)`).
        Gru = "gru",
    }
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

    /// Parses "rnn", "lstm" or "gru" (any case).
    pub fn parse(s: &str) -> Result<Self> {
        Self::from_name(s)
            .ok_or_else(|| Error::Config(format!("unknown cell '{s}' (expected one of {})", Self::NAMES.join(", "))))
    }
}

choice_enum! {
    /// The optimizer applied after each truncated-BPTT chunk.
    pub enum OptimizerKind {
        /// Adam (PyTorch's formulation, no weight decay).
        Adam = "adam",
        /// SGD with (heavy-ball) momentum.
        Sgd = "sgd",
        /// Adagrad.
        Adagrad = "adagrad",
        /// RMSProp (PyTorch's, no centering).
        Rmsprop = "rmsprop",
    }
}

choice_enum! {
    /// How gradients are clipped before the optimizer step.
    pub enum ClipKind {
        /// Scale all gradients by `min(1, clip / (‖g‖₂ + 1e-6))` (PyTorch's `clip_grad_norm_`).
        Norm = "norm",
        /// Clamp each element to `[-clip, clip]` (`clip_grad_value_`).
        Value = "value",
        /// No clipping.
        None = "none",
    }
}

choice_enum! {
    /// Weight initialisation scheme.
    pub enum InitKind {
        /// PyTorch's default: every recurrent and output weight and bias U(±1/√H), embedding N(0, 1).
        Pytorch = "pytorch",
        /// Xavier/Glorot uniform weights, zero biases.
        Xavier = "xavier",
        /// Like `pytorch` but every gate block of `W_hh` is a random orthogonal matrix.
        Orthogonal = "orthogonal",
        /// IRNN (Le et al. 2015): every gate block of `W_hh` is the identity, zero biases.
        Identity = "identity",
    }
}

choice_enum! {
    /// What one token of the text is ([`crate::tokenizer`]).
    pub enum TokenKind {
        /// One Unicode scalar value.
        Characters = "characters",
        /// A word, a punctuation mark, a run of spaces, a line break, a Han character, an emoji
        /// (Unicode's word boundaries, UAX #29).
        Words = "words",
    }
}

impl Default for TokenKind {
    /// The settings table's default: characters.
    fn default() -> Self {
        TokenKind::ALL[choice_default("tokens")]
    }
}

/// Every hyperparameter of a model and its training run. Defaults and bounds are in the settings
/// table ([`crate::settings::SETTINGS`]): [`Config::default`] and [`Config::validate`] read them.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Cell type of every layer.
    pub cell: CellKind,
    /// Number of stacked recurrent layers L.
    pub layers: usize,
    /// Hidden size H.
    pub hidden: usize,
    /// Embedding size E.
    pub embed: usize,
    /// Truncated-BPTT length T (steps per chunk).
    pub seq_len: usize,
    /// Parallel streams B per chunk.
    pub batch: usize,
    /// Optimizer.
    pub optimizer: OptimizerKind,
    /// Learning rate.
    pub lr: f32,
    /// Multiply the learning rate by this every `lr_decay_every` steps (1: no decay).
    pub lr_decay: f32,
    /// Steps between learning-rate decays.
    pub lr_decay_every: usize,
    /// Momentum for SGD.
    pub momentum: f32,
    /// Adam β1.
    pub beta1: f32,
    /// Adam β2; also RMSProp's smoothing α.
    pub beta2: f32,
    /// Adam/Adagrad/RMSProp ε.
    pub eps: f32,
    /// Clipping mode.
    pub clip_mode: ClipKind,
    /// Clipping threshold (global norm, or per element).
    pub clip: f32,
    /// Initialisation.
    pub init: InitKind,
    /// Seed of the one RNG (init, sampling).
    pub seed: u64,
    /// Fraction of the corpus (its end) held out for validation.
    pub val_fraction: f32,
    /// What a token is: a character or a word.
    pub tokens: TokenKind,
    /// Most distinct tokens kept; rarer ones share the unknown id.
    pub max_vocab: usize,
    /// Shards k of the B streams, each on its own worker or thread ([`crate::shard`]); 0 asks the
    /// context to choose (the command-line tool: every core; the page: by measurement; an
    /// embed: one), and a trainer given 0 uses one.
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// Upper bounds that keep a browser tab alive; far above anything useful for a character model.
pub const MAX_HIDDEN: usize = int_max("hidden") as usize;
/// Upper bound on the embedding size.
pub const MAX_EMBED: usize = int_max("embed") as usize;
/// Upper bound on stacked layers.
pub const MAX_LAYERS: usize = int_max("layers") as usize;
/// Upper bound on T.
pub const MAX_SEQ_LEN: usize = int_max("seq_len") as usize;
/// Upper bound on B.
pub const MAX_BATCH: usize = int_max("batch") as usize;
/// Upper bound on the vocabulary cap.
pub const MAX_VOCAB: usize = int_max("max_vocab") as usize;

/// Largest `seq_len × batch × hidden × gates × layers`: a chunk's activations must fit comfortably
/// in a wasm32 address space.
pub const MAX_CHUNK_WORK: u64 = 64 << 20;

impl Config {
    /// Every setting at its default in the settings table (evaluated at compile time).
    pub const DEFAULT: Config = Config {
        cell: CellKind::ALL[choice_default("cell")],
        layers: int_default("layers") as usize,
        hidden: int_default("hidden") as usize,
        embed: int_default("embed") as usize,
        seq_len: int_default("seq_len") as usize,
        batch: int_default("batch") as usize,
        optimizer: OptimizerKind::ALL[choice_default("optimizer")],
        lr: real_default("lr"),
        lr_decay: real_default("lr_decay"),
        lr_decay_every: int_default("lr_decay_every") as usize,
        momentum: real_default("momentum"),
        beta1: real_default("beta1"),
        beta2: real_default("beta2"),
        eps: real_default("eps"),
        clip_mode: ClipKind::ALL[choice_default("clip_mode")],
        clip: real_default("clip"),
        init: InitKind::ALL[choice_default("init")],
        seed: int_default("seed"),
        val_fraction: real_default("val_fraction"),
        tokens: TokenKind::ALL[choice_default("tokens")],
        max_vocab: int_default("max_vocab") as usize,
        workers: int_default("workers") as usize,
    };

    /// Checks every field against its bounds in the settings table, naming the first out of range
    /// (`hidden = 0 is out of range [1, 4096]`, `lr = 0 must be a finite number in (0, 10]`), then
    /// that a chunk's activations fit ([`MAX_CHUNK_WORK`]).
    pub fn validate(&self) -> Result<()> {
        settings::validate(self)?;
        let work = [self.batch, self.hidden, self.cell.gates(), self.layers]
            .iter()
            .fold(self.seq_len as u64, |acc, &x| acc.saturating_mul(x as u64));
        if work > MAX_CHUNK_WORK {
            return Err(Error::Config(format!(
                "seq_len × batch × hidden × gates × layers = {work} is too large (limit {MAX_CHUNK_WORK})"
            )));
        }
        Ok(())
    }

    /// Parses a JSON config (missing fields take their defaults; unknown or repeated fields are
    /// errors) and validates it.
    pub fn from_json(s: &str) -> Result<Self> {
        let mut c = Config::default();
        settings::read_json(&mut c, s)?;
        c.validate()?;
        Ok(c)
    }

    /// Sets the field named `key` from its JSON value, checking it against its bounds (not
    /// against the other fields: see [`Config::validate`]).
    pub fn set(&mut self, key: &str, v: &Value) -> Result<()> {
        settings::set_json(self, key, v)
    }

    /// Sets the field named `key` (the JSON key, `seq_len`) from command-line text: a choice's
    /// name in any case, an integer, or a number; checked against its bounds like [`Config::set`].
    pub fn set_str(&mut self, key: &str, text: &str) -> Result<()> {
        settings::set_str(self, key, text)
    }

    /// The config as JSON, fields in the settings table's order.
    pub fn to_json(&self) -> String {
        settings::to_json(self)
    }
}

impl Fields for Config {
    const GROUPS: &'static [Group] = &[Group::Model, Group::Train];

    /// The one mapping from setting names to fields.
    fn slot(&mut self, name: &str) -> Option<Slot<'_>> {
        Some(match name {
            "cell" => Slot::Choice(&mut self.cell),
            "layers" => Slot::Size(&mut self.layers),
            "hidden" => Slot::Size(&mut self.hidden),
            "embed" => Slot::Size(&mut self.embed),
            "init" => Slot::Choice(&mut self.init),
            "seed" => Slot::U64(&mut self.seed),
            "seq_len" => Slot::Size(&mut self.seq_len),
            "batch" => Slot::Size(&mut self.batch),
            "optimizer" => Slot::Choice(&mut self.optimizer),
            "lr" => Slot::Real(&mut self.lr),
            "clip_mode" => Slot::Choice(&mut self.clip_mode),
            "clip" => Slot::Real(&mut self.clip),
            "lr_decay" => Slot::Real(&mut self.lr_decay),
            "lr_decay_every" => Slot::Size(&mut self.lr_decay_every),
            "momentum" => Slot::Real(&mut self.momentum),
            "beta1" => Slot::Real(&mut self.beta1),
            "beta2" => Slot::Real(&mut self.beta2),
            "eps" => Slot::Real(&mut self.eps),
            "val_fraction" => Slot::Real(&mut self.val_fraction),
            "tokens" => Slot::Choice(&mut self.tokens),
            "max_vocab" => Slot::Size(&mut self.max_vocab),
            "workers" => Slot::Size(&mut self.workers),
            _ => return None,
        })
    }
}
