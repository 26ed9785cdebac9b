//! Elman RNN cell: `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)`, forward and backward side by side.
//!
//! Both take one time step for B rows; [`crate::cell`] runs the GEMMs around them.

/// Forward: `pre` (B, H) holds `W_ih x + b_ih`, `h_proj` (B, H) holds `W_hh h_{t−1} + b_hh`;
/// writes `h = tanh(pre + h_proj)`.
pub fn forward_step(pre: &[f32], h_proj: &[f32], h: &mut [f32]) {
    for ((h, &p), &q) in h.iter_mut().zip(pre).zip(h_proj) {
        *h = (p + q).tanh();
    }
}

/// Backward: from `dh` (B, H), the total ∂L/∂h_t, and the output `h`, writes
/// `d_pre = dh ⊙ (1 − h²)`, the gradient of both pre-activations.
pub fn backward_step(dh: &[f32], h: &[f32], d_pre: &mut [f32]) {
    for ((d, &g), &h) in d_pre.iter_mut().zip(dh).zip(h) {
        *d = g * (1.0 - h * h);
    }
}
