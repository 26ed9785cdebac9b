//! rnn-playground: a character- or word-level RNN / LSTM / GRU language model, exact to PyTorch's modules,
//! that trains natively and as WebAssembly in the browser.
//!
//! The engine is pure Rust; only [`wasm`] (compiled for wasm32) touches JavaScript.

pub mod cell;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod diagnose;
pub mod error;
pub mod gru;
mod heap;
pub mod json;
pub mod kernels;
pub mod loss;
pub mod lstm;
pub mod model;
pub mod monitor;
pub mod optim;
pub mod probe;
pub mod rng;
pub mod rnn;
pub mod sample;
pub mod settings;
pub mod shard;
pub mod tasks;
pub mod tensorfile;
pub mod tokenizer;
pub mod trainer;
pub mod vocab;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{CellKind, ClipKind, Config, InitKind, OptimizerKind, TokenKind};
pub use error::{Error, Result};
pub use settings::{SampleSettings, Setting, SETTINGS};
pub use trainer::Trainer;
