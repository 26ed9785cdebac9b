//! Elman RNN cell: `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)`, forward and backward side by side.
//!
//! Both take one time step for B rows; [`crate::cell`] runs the GEMMs around them.

use crate::kernels::math::tanh;
use crate::kernels::multiversion;
use crate::kernels::simd::{tail_index, Scalar, Simd};

multiversion! {
    /// Forward: `pre` (B, H) holds the whole pre-activation `W_ih x + b_ih + W_hh h_{t−1} + b_hh`;
    /// writes `h = tanh(pre)`.
    pub fn forward_step(pre: &[f32], h: &mut [f32]) = forward_impl;
}

#[inline(always)]
unsafe fn forward_impl<S: Simd>(pre: &[f32], h: &mut [f32]) {
    let n = h.len();
    assert!(pre.len() >= n);
    let (p, h) = (pre.as_ptr(), h.as_mut_ptr());
    let mut j = 0;
    while j + S::LANES <= n {
        S::store(h.add(j), tanh::<S>(S::load(p.add(j))));
        j += S::LANES;
    }
    while j < n {
        let t = tail_index(j);
        *h.add(t) = tanh::<Scalar>(*p.add(t));
        j += 1;
    }
}

multiversion! {
    /// Backward: `dh` (B, H) holds ∂L/∂h_t from the layer above on entry and the total (plus
    /// `dh_next`, the part through step t+1) on exit. From it and the output `h`, writes
    /// `d_pre = dh ⊙ (1 − h²)`, the gradient of both pre-activations, adds its column sums to `db`
    /// (H) — the bias gradient — and returns Σ dh² of the total.
    pub fn backward_step(
        hidden: usize, dh: &mut [f32], dh_next: &[f32], h: &[f32], d_pre: &mut [f32], db: &mut [f32],
    ) -> f64 = backward_impl;
}

#[inline(always)]
unsafe fn backward_impl<S: Simd>(
    hs: usize,
    dh: &mut [f32],
    dh_next: &[f32],
    h: &[f32],
    d_pre: &mut [f32],
    db: &mut [f32],
) -> f64 {
    let n = dh.len();
    assert!(dh_next.len() >= n && h.len() >= n && d_pre.len() >= n && db.len() >= hs);
    let mut sum_sq = 0.0f64;
    for r in 0..n / hs.max(1) {
        let o = hs * r;
        let p = (dh.as_mut_ptr().add(o), dh_next.as_ptr().add(o), h.as_ptr().add(o), d_pre.as_mut_ptr().add(o));
        let mut ss = S::splat(0.0);
        let mut j = 0;
        while j + S::LANES <= hs {
            ss = S::add(ss, backward_units::<S>(j, p, db.as_mut_ptr()));
            j += S::LANES;
        }
        let mut tail = 0.0;
        while j < hs {
            tail += backward_units::<Scalar>(tail_index(j), p, db.as_mut_ptr());
            j += 1;
        }
        sum_sq += (S::hsum(ss) + tail) as f64;
    }
    sum_sq
}

/// Backward for the units `j..j + LANES` of one row; returns dh² lane by lane.
#[inline(always)]
unsafe fn backward_units<S: Simd>(
    j: usize,
    (dh, dh_next, h, d): (*mut f32, *const f32, *const f32, *mut f32),
    db: *mut f32,
) -> S::V {
    let g = S::add(S::load(dh.add(j)), S::load(dh_next.add(j)));
    let hj = S::load(h.add(j));
    S::store(dh.add(j), g);
    let dp = S::mul(g, S::sub(S::splat(1.0), S::mul(hj, hj)));
    S::store(d.add(j), dp);
    S::store(db.add(j), S::add(S::load(db.add(j)), dp));
    S::mul(g, g)
}
