//! GRU cell, gates in PyTorch's order r, z, n; forward and backward side by side.
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))    h' = (1 − z) ⊙ n + z ⊙ h
//! ```
//! `b_hn` stays inside `r ⊙ (…)`, so the input side and the hidden side of n have different gradients.

use crate::kernels::sigmoid;

/// Forward for B rows. `gates` (B, 3H) holds `W_ih x + b_ih` on entry and r, z, n on exit;
/// `h_proj` (B, 3H) is `W_hh h_{t−1} + b_hh`. Writes `hn` (B, H) = `W_hn h + b_hn` (kept for the
/// backward pass) and `h` (B, H).
pub fn forward_step(
    hidden: usize,
    gates: &mut [f32],
    h_proj: &[f32],
    h_prev: &[f32],
    hn: &mut [f32],
    h: &mut [f32],
) {
    let hs = hidden;
    for (b, (g_row, p_row)) in gates.chunks_exact_mut(3 * hs).zip(h_proj.chunks_exact(3 * hs)).enumerate() {
        let r = b * hs..(b + 1) * hs;
        let (h_prev, hn, h) = (&h_prev[r.clone()], &mut hn[r.clone()], &mut h[r]);
        for j in 0..hs {
            let rg = sigmoid(g_row[j] + p_row[j]);
            let z = sigmoid(g_row[hs + j] + p_row[hs + j]);
            let hn_j = p_row[2 * hs + j];
            let n = (g_row[2 * hs + j] + rg * hn_j).tanh();
            g_row[j] = rg;
            g_row[hs + j] = z;
            g_row[2 * hs + j] = n;
            hn[j] = hn_j;
            h[j] = (1.0 - z) * n + z * h_prev[j];
        }
    }
}

/// Backward for B rows. `dh` (B, H) is the total ∂L/∂h_t. Writes the pre-activation gradients of
/// the input side `d_pre_x` and the hidden side `d_pre_h` (B, 3H), and `dh_prev` (B, H) = `dh ⊙ z`,
/// the direct path to h_{t−1} (the path through `W_hh` is added by the caller).
#[allow(clippy::too_many_arguments)]
pub fn backward_step(
    hidden: usize,
    gates: &[f32],
    hn: &[f32],
    h_prev: &[f32],
    dh: &[f32],
    d_pre_x: &mut [f32],
    d_pre_h: &mut [f32],
    dh_prev: &mut [f32],
) {
    let hs = hidden;
    let rows = gates.chunks_exact(3 * hs).zip(d_pre_x.chunks_exact_mut(3 * hs)).zip(d_pre_h.chunks_exact_mut(3 * hs));
    for (b, ((g_row, dx_row), dh_row)) in rows.enumerate() {
        let r = b * hs..(b + 1) * hs;
        let (hn, h_prev, dh, dh_prev) = (&hn[r.clone()], &h_prev[r.clone()], &dh[r.clone()], &mut dh_prev[r]);
        for j in 0..hs {
            let (rg, z, n) = (g_row[j], g_row[hs + j], g_row[2 * hs + j]);
            let d_n = dh[j] * (1.0 - z) * (1.0 - n * n);
            let d_z = dh[j] * (h_prev[j] - n) * z * (1.0 - z);
            let d_r = d_n * hn[j] * rg * (1.0 - rg);
            dx_row[j] = d_r;
            dx_row[hs + j] = d_z;
            dx_row[2 * hs + j] = d_n;
            dh_row[j] = d_r;
            dh_row[hs + j] = d_z;
            dh_row[2 * hs + j] = d_n * rg;
            dh_prev[j] = dh[j] * z;
        }
    }
}
