//! LSTM cell, gates in PyTorch's order i, f, g, o; forward and backward side by side.
//!
//! ```text
//! i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…f…)   g = tanh(…g…)   o = σ(…o…)
//! c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
//! ```
//! A row of `gates` is `[i | f | g | o]`, each block H wide.

use crate::kernels::sigmoid;

/// Forward for B rows. `gates` (B, 4H) holds `W_ih x + b_ih` on entry and the activations
/// i, f, g, o on exit; `h_proj` (B, 4H) is `W_hh h_{t−1} + b_hh`. Writes `c`, `tanh_c`, `h` (B, H).
pub fn forward_step(
    hidden: usize,
    gates: &mut [f32],
    h_proj: &[f32],
    c_prev: &[f32],
    c: &mut [f32],
    tanh_c: &mut [f32],
    h: &mut [f32],
) {
    let hs = hidden;
    for (b, (g_row, p_row)) in gates.chunks_exact_mut(4 * hs).zip(h_proj.chunks_exact(4 * hs)).enumerate() {
        for (v, &p) in g_row.iter_mut().zip(p_row) {
            *v += p;
        }
        let (i_g, rest) = g_row.split_at_mut(hs);
        let (f_g, rest) = rest.split_at_mut(hs);
        let (g_g, o_g) = rest.split_at_mut(hs);
        let r = b * hs..(b + 1) * hs;
        let (c_prev, c, tanh_c, h) = (&c_prev[r.clone()], &mut c[r.clone()], &mut tanh_c[r.clone()], &mut h[r]);
        for j in 0..hs {
            let i = sigmoid(i_g[j]);
            let f = sigmoid(f_g[j]);
            let g = g_g[j].tanh();
            let o = sigmoid(o_g[j]);
            i_g[j] = i;
            f_g[j] = f;
            g_g[j] = g;
            o_g[j] = o;
            let cj = f * c_prev[j] + i * g;
            let tc = cj.tanh();
            c[j] = cj;
            tanh_c[j] = tc;
            h[j] = o * tc;
        }
    }
}

/// Backward for B rows. `dh` (B, H) is the total ∂L/∂h_t; `dc` (B, H) holds ∂L/∂c_t from step t+1
/// on entry and ∂L/∂c_{t−1} on exit. Writes `d_pre` (B, 4H), the gradient of the four pre-activations.
pub fn backward_step(
    hidden: usize,
    gates: &[f32],
    c_prev: &[f32],
    tanh_c: &[f32],
    dh: &[f32],
    dc: &mut [f32],
    d_pre: &mut [f32],
) {
    let hs = hidden;
    for (b, (g_row, d_row)) in gates.chunks_exact(4 * hs).zip(d_pre.chunks_exact_mut(4 * hs)).enumerate() {
        let (d_i, rest) = d_row.split_at_mut(hs);
        let (d_f, rest) = rest.split_at_mut(hs);
        let (d_g, d_o) = rest.split_at_mut(hs);
        let r = b * hs..(b + 1) * hs;
        let (c_prev, tanh_c, dh, dc) = (&c_prev[r.clone()], &tanh_c[r.clone()], &dh[r.clone()], &mut dc[r]);
        for j in 0..hs {
            let (i, f, g, o) = (g_row[j], g_row[hs + j], g_row[2 * hs + j], g_row[3 * hs + j]);
            let tc = tanh_c[j];
            let dcj = dc[j] + dh[j] * o * (1.0 - tc * tc);
            d_i[j] = dcj * g * i * (1.0 - i);
            d_f[j] = dcj * c_prev[j] * f * (1.0 - f);
            d_g[j] = dcj * i * (1.0 - g * g);
            d_o[j] = dh[j] * tc * o * (1.0 - o);
            dc[j] = dcj * f;
        }
    }
}
