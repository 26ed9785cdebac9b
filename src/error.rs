//! One error type for the engine: every failure is a value with a message a user can act on.

use std::fmt;

/// Everything that can go wrong in the engine, each with a human-readable message.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The corpus cannot be trained on (empty, too short, not text).
    Corpus(String),
    /// A hyperparameter is out of range or not finite.
    Config(String),
    /// A model or checkpoint file is truncated, corrupt or inconsistent.
    ModelFile(String),
    /// Text given for priming or evaluation cannot be encoded.
    Text(String),
    /// Training produced a non-finite loss or gradient.
    Diverged(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Corpus(m) => write!(f, "corpus: {m}"),
            Error::Config(m) => write!(f, "config: {m}"),
            Error::ModelFile(m) => write!(f, "model file: {m}"),
            Error::Text(m) => write!(f, "text: {m}"),
            Error::Diverged(m) => write!(f, "training diverged: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Engine result type.
pub type Result<T> = std::result::Result<T, Error>;
