//! The largest singular value of each gate block of the recurrent weights, σ_max(W_h·): how much
//! one step of the recurrence can stretch a hidden-state perturbation through that gate's
//! pre-activation. For a vanilla RNN, σ_max(W_hh) < 1 (with |tanh'| ≤ 1) makes gradients vanish.

use crate::model::Model;
use crate::rng::Rng;

/// Power iteration stops when σ² changes by less than this fraction between two iterations.
pub const SIGMA_TOLERANCE: f64 = 1e-10;

/// … or after this many iterations (each 2·n² multiply-adds), whichever comes first.
pub const SIGMA_MAX_ITERATIONS: usize = 2000;

/// The largest singular value of `w` (n, n) row-major: power iteration on WᵀW in f64,
///
/// ```text
/// v ← WᵀW v / ‖WᵀW v‖,    σ² ≈ ‖W v‖²  (v a unit vector: the Rayleigh quotient vᵀWᵀWv)
/// ```
///
/// from a fixed pseudo-random start (the engine's [`Rng`], seed 0, Gaussian), until σ² changes by
/// less than [`SIGMA_TOLERANCE`] (relative) or [`SIGMA_MAX_ITERATIONS`]. The estimate rises to σ_max
/// from below; its relative error is about the last change divided by 1 − (σ₂/σ₁)².
pub fn spectral_norm(w: &[f32], n: usize) -> f64 {
    let w = &w[..n * n];
    let mut rng = Rng::new(0);
    let mut v: Vec<f64> = (0..n).map(|_| rng.normal() as f64).collect(); // (n)
    let mut wv = vec![0.0f64; n]; // (n) W v
    let mut last = 0.0f64;
    for _ in 0..SIGMA_MAX_ITERATIONS {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return 0.0; // W v = 0 from a generic start: W = 0
        }
        // Both products as dot products: W v by rows, Wᵀ (W v) by columns.
        for (i, o) in wv.iter_mut().enumerate() {
            *o = (0..n).map(|j| w[i * n + j] as f64 * v[j]).sum::<f64>() / norm;
        }
        for (j, o) in v.iter_mut().enumerate() {
            *o = (0..n).map(|i| w[i * n + j] as f64 * wv[i]).sum();
        }
        let sigma_sq = wv.iter().map(|x| x * x).sum::<f64>();
        let done = (sigma_sq - last).abs() <= SIGMA_TOLERANCE * sigma_sq;
        last = sigma_sq;
        if done {
            break;
        }
    }
    last.sqrt()
}

/// σ_max of every H×H gate block of every layer's `W_hh`, (L, G): gates in PyTorch's order (rnn:
/// one block; lstm: i, f, g, o; gru: r, z, n).
pub fn sigma_max(model: &Model) -> Vec<Vec<f32>> {
    let hs = model.dims().hidden;
    let blocks = |l: &crate::cell::Layer| l.w_hh.chunks_exact(hs * hs).map(|b| spectral_norm(b, hs) as f32).collect();
    model.params.layers.iter().map(blocks).collect()
}
