//! The numbers behind the page's "mathematics made visible" views, computed by the engine itself
//! from the model it trains (and printed by `rnn-playground diagnose`):
//!
//! - [`grad_flow`]: how far back each loss term reaches, ‖∂ℓ_t/∂h_k‖₂ for every k ≤ t and layer;
//! - [`sigma_max`]: the largest singular value of each gate block of every `W_hh`;
//! - [`trace`]: everything one forward and backward pass over a probe text computes, position by
//!   position (the "microscope");
//! - [`entropy`]: unigram and bigram entropies of a text, the floors a model is measured against;
//! - [`grad_check`]: backprop against central finite differences on the trainer's next chunk.
//!
//! The probe of [`grad_flow`] and [`trace`] is one stream of at most [`MAX_DIAGNOSE_TOKENS`]
//! tokens read from the zero state: position t (0 ≤ t < T, T = tokens − 1) reads token t and
//! predicts token t + 1 with the cross-entropy ℓ_t (nats).

mod entropy;
mod flow;
mod gradcheck;
mod sigma;
mod trace;

pub use entropy::{entropy, text_entropy, Entropy};
pub use flow::{grad_flow, GradFlow};
pub use gradcheck::{check_per_tensor, grad_check, GradCheck, TensorCheck, FD_FLOOR, FD_STEPS, MAX_PER_TENSOR};
pub use sigma::{sigma_max, spectral_norm, SIGMA_MAX_ITERATIONS, SIGMA_TOLERANCE};
pub use trace::{trace, LayerTrace, Trace};

use crate::error::{Error, Result};

/// Longest probe of [`grad_flow`] and [`trace`], in tokens: T ≤ 127 positions, so a gradient-flow
/// matrix has at most 127² entries per layer. (The heatmap's activation probe is longer,
/// [`crate::probe::MAX_PROBE_TOKENS`]: its cost grows only linearly.)
pub const MAX_DIAGNOSE_TOKENS: usize = 128;

/// Checks that a probe of `tokens` tokens has 2 to [`MAX_DIAGNOSE_TOKENS`].
pub fn check_probe(tokens: usize) -> Result<()> {
    if !(2..=MAX_DIAGNOSE_TOKENS).contains(&tokens) {
        return Err(Error::Text(format!(
            "a probe text needs 2 to {MAX_DIAGNOSE_TOKENS} tokens (one prediction per token after the first), not {tokens}"
        )));
    }
    Ok(())
}
