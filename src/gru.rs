//! GRU cell, gates in PyTorch's order r, z, n; forward and backward side by side.
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))    h' = (1 − z) ⊙ n + z ⊙ h
//! ```
//! `b_hn` stays inside `r ⊙ (…)`, so the input side and the hidden side of n have different gradients.
//! Both steps run a vector of units at a time ([`Simd`]), the last `H mod LANES` one by one.

use crate::kernels::math::{sigmoid, tanh};
use crate::kernels::multiversion;
use crate::kernels::simd::{tail_index, Scalar, Simd};

multiversion! {
    /// Forward for B rows. `gates` (B, 3H) holds the input side `W_ih x + b_ih` plus, for r and z,
    /// `b_hr`, `b_hz` on entry and r, z, n on exit; `h_proj` (B, 3H) is `W_hh h_{t−1}` plus `b_hn` in
    /// the n block. Writes `hn` (B, H) = `W_hn h + b_hn` (kept for the backward pass) and `h` (B, H).
    pub fn forward_step(
        hidden: usize, gates: &mut [f32], h_proj: &[f32], h_prev: &[f32], hn: &mut [f32], h: &mut [f32],
    ) = forward_impl;
}

#[inline(always)]
unsafe fn forward_impl<S: Simd>(
    hs: usize,
    gates: &mut [f32],
    h_proj: &[f32],
    h_prev: &[f32],
    hn: &mut [f32],
    h: &mut [f32],
) {
    let n = h.len();
    assert!(gates.len() >= 3 * n && h_proj.len() >= 3 * n && h_prev.len() >= n && hn.len() >= n);
    for r in 0..n / hs.max(1) {
        let (g, p) = (gates.as_mut_ptr().add(3 * hs * r), h_proj.as_ptr().add(3 * hs * r));
        let o = hs * r;
        let io = (h_prev.as_ptr().add(o), hn.as_mut_ptr().add(o), h.as_mut_ptr().add(o));
        let mut j = 0;
        while j + S::LANES <= hs {
            forward_units::<S>(hs, j, g, p, io);
            j += S::LANES;
        }
        while j < hs {
            forward_units::<Scalar>(hs, tail_index(j), g, p, io);
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
    p: *const f32,
    (h_prev, hn, h): (*const f32, *mut f32, *mut f32),
) {
    let rg = sigmoid::<S>(S::add(S::load(g.add(j)), S::load(p.add(j))));
    let z = sigmoid::<S>(S::add(S::load(g.add(hs + j)), S::load(p.add(hs + j))));
    let hn_j = S::load(p.add(2 * hs + j));
    let n = tanh::<S>(S::mul_add(rg, hn_j, S::load(g.add(2 * hs + j))));
    S::store(g.add(j), rg);
    S::store(g.add(hs + j), z);
    S::store(g.add(2 * hs + j), n);
    S::store(hn.add(j), hn_j);
    let keep = S::mul(S::sub(S::splat(1.0), z), n);
    S::store(h.add(j), S::mul_add(z, S::load(h_prev.add(j)), keep));
}

multiversion! {
    /// Backward for B rows. `dh` (B, H) holds ∂L/∂h_t from the layer above on entry and the total
    /// (plus `dh_next`, the part through step t+1) on exit. Writes the pre-activation gradients of
    /// the input side `d_pre_x` and the hidden side `d_pre_h` (B, 3H), and replaces `dh_next` (B, H)
    /// with `dh ⊙ z`, the direct path to h_{t−1} (the path through `W_hh` is added by the caller).
    /// Adds the column sums of `d_pre_x` and `d_pre_h` to `db_x` and `db_h` (3H) — the bias
    /// gradients — and returns Σ dh² of the total.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_step(
        hidden: usize, gates: &[f32], hn: &[f32], h_prev: &[f32], dh: &mut [f32], dh_next: &mut [f32],
        d_pre_x: &mut [f32], d_pre_h: &mut [f32], db_x: &mut [f32], db_h: &mut [f32],
    ) -> f64 = backward_impl;
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn backward_impl<S: Simd>(
    hs: usize,
    gates: &[f32],
    hn: &[f32],
    h_prev: &[f32],
    dh: &mut [f32],
    dh_next: &mut [f32],
    d_pre_x: &mut [f32],
    d_pre_h: &mut [f32],
    db_x: &mut [f32],
    db_h: &mut [f32],
) -> f64 {
    let n = dh.len();
    assert!(gates.len() >= 3 * n && d_pre_x.len() >= 3 * n && d_pre_h.len() >= 3 * n);
    assert!(db_x.len() >= 3 * hs && db_h.len() >= 3 * hs);
    assert!(hn.len() >= n && h_prev.len() >= n && dh_next.len() >= n);
    let mut sum_sq = 0.0f64;
    for r in 0..n / hs.max(1) {
        let o = hs * r;
        let rows = Rows {
            g: gates.as_ptr().add(3 * hs * r),
            dx: d_pre_x.as_mut_ptr().add(3 * hs * r),
            dhp: d_pre_h.as_mut_ptr().add(3 * hs * r),
            hn: hn.as_ptr().add(o),
            h_prev: h_prev.as_ptr().add(o),
            dh: dh.as_mut_ptr().add(o),
            dh_next: dh_next.as_mut_ptr().add(o),
            db_x: db_x.as_mut_ptr(),
            db_h: db_h.as_mut_ptr(),
        };
        let mut ss = S::splat(0.0);
        let mut j = 0;
        while j + S::LANES <= hs {
            ss = S::add(ss, backward_units::<S>(hs, j, &rows));
            j += S::LANES;
        }
        let mut tail = 0.0;
        while j < hs {
            tail += backward_units::<Scalar>(hs, tail_index(j), &rows);
            j += 1;
        }
        sum_sq += (S::hsum(ss) + tail) as f64;
    }
    sum_sq
}

/// One row's buffers in [`backward_step`].
struct Rows {
    g: *const f32,
    dx: *mut f32,
    dhp: *mut f32,
    hn: *const f32,
    h_prev: *const f32,
    dh: *mut f32,
    dh_next: *mut f32,
    db_x: *mut f32, // (3H) bias gradients, shared by all rows
    db_h: *mut f32,
}

/// Backward for the units `j..j + LANES` of one row; returns dh² lane by lane.
#[inline(always)]
unsafe fn backward_units<S: Simd>(hs: usize, j: usize, b: &Rows) -> S::V {
    let one = S::splat(1.0);
    let dh = S::add(S::load(b.dh.add(j)), S::load(b.dh_next.add(j)));
    S::store(b.dh.add(j), dh);
    let (rg, z, n) = (S::load(b.g.add(j)), S::load(b.g.add(hs + j)), S::load(b.g.add(2 * hs + j)));
    let d_n = S::mul(S::mul(dh, S::sub(one, z)), S::sub(one, S::mul(n, n)));
    let d_z = S::mul(S::mul(dh, S::sub(S::load(b.h_prev.add(j)), n)), S::mul(z, S::sub(one, z)));
    let d_r = S::mul(S::mul(d_n, S::load(b.hn.add(j))), S::mul(rg, S::sub(one, rg)));
    for (q, (vx, vh)) in [(d_r, d_r), (d_z, d_z), (d_n, S::mul(d_n, rg))].into_iter().enumerate() {
        let at = q * hs + j;
        S::store(b.dx.add(at), vx);
        S::store(b.dhp.add(at), vh);
        S::store(b.db_x.add(at), S::add(S::load(b.db_x.add(at)), vx));
        S::store(b.db_h.add(at), S::add(S::load(b.db_h.add(at)), vh));
    }
    S::store(b.dh_next.add(j), S::mul(dh, z));
    S::mul(dh, dh)
}
