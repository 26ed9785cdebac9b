//! LSTM cell, gates in PyTorch's order i, f, g, o; forward and backward side by side.
//!
//! ```text
//! i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…f…)   g = tanh(…g…)   o = σ(…o…)
//! c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
//! ```
//! A row of `gates` is `[i | f | g | o]`, each block H wide. Both steps run a vector of units at a
//! time ([`Simd`]), the last `H mod LANES` units one by one.

use crate::kernels::math::{sigmoid, tanh};
use crate::kernels::multiversion;
use crate::kernels::simd::{tail_index, Scalar, Simd};

multiversion! {
    /// Forward for B rows. `gates` (B, 4H) holds the whole pre-activation `W_ih x + b_ih + W_hh h +
    /// b_hh` on entry and the activations i, f, g, o on exit. Writes `c`, `tanh_c`, `h` (B, H).
    pub fn forward_step(
        hidden: usize, gates: &mut [f32], c_prev: &[f32], c: &mut [f32], tanh_c: &mut [f32], h: &mut [f32],
    ) = forward_impl;
}

#[inline(always)]
unsafe fn forward_impl<S: Simd>(
    hs: usize,
    gates: &mut [f32],
    c_prev: &[f32],
    c: &mut [f32],
    tanh_c: &mut [f32],
    h: &mut [f32],
) {
    let n = h.len();
    assert!(gates.len() >= 4 * n && c_prev.len() >= n && c.len() >= n && tanh_c.len() >= n);
    for r in 0..n / hs.max(1) {
        let g = gates.as_mut_ptr().add(4 * hs * r);
        let o = hs * r;
        let io = (c_prev.as_ptr().add(o), c.as_mut_ptr().add(o), tanh_c.as_mut_ptr().add(o), h.as_mut_ptr().add(o));
        let mut j = 0;
        while j + S::LANES <= hs {
            forward_units::<S>(hs, j, g, io);
            j += S::LANES;
        }
        while j < hs {
            forward_units::<Scalar>(hs, tail_index(j), g, io);
            j += 1;
        }
    }
}

/// Forward for the units `j..j + LANES` of one row.
#[inline(always)]
unsafe fn forward_units<S: Simd>(
    hs: usize,
    j: usize,
    g: *mut f32,
    (c_prev, c, tanh_c, h): (*const f32, *mut f32, *mut f32, *mut f32),
) {
    let i = sigmoid::<S>(S::load(g.add(j)));
    let f = sigmoid::<S>(S::load(g.add(hs + j)));
    let gg = tanh::<S>(S::load(g.add(2 * hs + j)));
    let o = sigmoid::<S>(S::load(g.add(3 * hs + j)));
    S::store(g.add(j), i);
    S::store(g.add(hs + j), f);
    S::store(g.add(2 * hs + j), gg);
    S::store(g.add(3 * hs + j), o);
    let cj = S::mul_add(f, S::load(c_prev.add(j)), S::mul(i, gg));
    let tc = tanh::<S>(cj);
    S::store(c.add(j), cj);
    S::store(tanh_c.add(j), tc);
    S::store(h.add(j), S::mul(o, tc));
}

multiversion! {
    /// Backward for B rows. `dh` (B, H) holds ∂L/∂h_t from the layer above on entry and the total
    /// (plus `dh_next`, the part through step t+1) on exit; `dc` (B, H) holds ∂L/∂c_t from step t+1
    /// on entry and ∂L/∂c_{t−1} on exit. Writes `d_pre` (B, 4H), the gradient of the four
    /// pre-activations, adds its column sums to `db` (4H) — the bias gradient — and returns Σ dh²
    /// of the total.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_step(
        hidden: usize, gates: &[f32], c_prev: &[f32], tanh_c: &[f32], dh: &mut [f32], dh_next: &[f32],
        dc: &mut [f32], d_pre: &mut [f32], db: &mut [f32],
    ) -> f64 = backward_impl;
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn backward_impl<S: Simd>(
    hs: usize,
    gates: &[f32],
    c_prev: &[f32],
    tanh_c: &[f32],
    dh: &mut [f32],
    dh_next: &[f32],
    dc: &mut [f32],
    d_pre: &mut [f32],
    db: &mut [f32],
) -> f64 {
    let n = dh.len();
    assert!(gates.len() >= 4 * n && d_pre.len() >= 4 * n && db.len() >= 4 * hs);
    assert!(c_prev.len() >= n && tanh_c.len() >= n && dh_next.len() >= n && dc.len() >= n);
    let mut sum_sq = 0.0f64;
    for r in 0..n / hs.max(1) {
        let (g, d) = (gates.as_ptr().add(4 * hs * r), d_pre.as_mut_ptr().add(4 * hs * r));
        let o = hs * r;
        let rows = Rows {
            c_prev: c_prev.as_ptr().add(o),
            tanh_c: tanh_c.as_ptr().add(o),
            dh: dh.as_mut_ptr().add(o),
            dh_next: dh_next.as_ptr().add(o),
            dc: dc.as_mut_ptr().add(o),
            db: db.as_mut_ptr(),
        };
        let mut ss = S::splat(0.0);
        let mut j = 0;
        while j + S::LANES <= hs {
            ss = S::add(ss, backward_units::<S>(hs, j, g, d, &rows));
            j += S::LANES;
        }
        let mut tail = 0.0;
        while j < hs {
            tail += backward_units::<Scalar>(hs, tail_index(j), g, d, &rows);
            j += 1;
        }
        sum_sq += (S::hsum(ss) + tail) as f64;
    }
    sum_sq
}

/// One row's per-unit buffers in [`backward_step`].
struct Rows {
    c_prev: *const f32,
    tanh_c: *const f32,
    dh: *mut f32,
    dh_next: *const f32,
    dc: *mut f32,
    db: *mut f32, // (4H) bias gradient, shared by all rows
}

/// Backward for the units `j..j + LANES` of one row; returns dh² lane by lane.
#[inline(always)]
unsafe fn backward_units<S: Simd>(hs: usize, j: usize, g: *const f32, d: *mut f32, b: &Rows) -> S::V {
    let one = S::splat(1.0);
    let dh = S::add(S::load(b.dh.add(j)), S::load(b.dh_next.add(j)));
    S::store(b.dh.add(j), dh);
    let (i, f) = (S::load(g.add(j)), S::load(g.add(hs + j)));
    let (gg, o) = (S::load(g.add(2 * hs + j)), S::load(g.add(3 * hs + j)));
    let tc = S::load(b.tanh_c.add(j));
    // dc_t = dc_{t+1} + dh ⊙ o ⊙ (1 − tanh²c)
    let dcj = S::mul_add(S::mul(dh, o), S::sub(one, S::mul(tc, tc)), S::load(b.dc.add(j)));
    let d_i = S::mul(S::mul(dcj, gg), S::mul(i, S::sub(one, i)));
    let d_f = S::mul(S::mul(dcj, S::load(b.c_prev.add(j))), S::mul(f, S::sub(one, f)));
    let d_g = S::mul(S::mul(dcj, i), S::sub(one, S::mul(gg, gg)));
    let d_o = S::mul(S::mul(dh, tc), S::mul(o, S::sub(one, o)));
    for (q, v) in [d_i, d_f, d_g, d_o].into_iter().enumerate() {
        let at = q * hs + j;
        S::store(d.add(at), v);
        S::store(b.db.add(at), S::add(S::load(b.db.add(at)), v));
    }
    S::store(b.dc.add(j), S::mul(dcj, f));
    S::mul(dh, dh)
}
