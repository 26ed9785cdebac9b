//! Elman RNN cell: `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)`, forward and backward side by side.
//!
//! Both take one time step for B rows; [`crate::cell`] runs the GEMMs around them.

use crate::kernels::math::tanh;
use crate::kernels::multiversion;
use crate::kernels::simd::{Scalar, Simd};

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
        *h.add(j) = tanh::<Scalar>(*p.add(j));
        j += 1;
    }
}

multiversion! {
    /// Backward: `dh` (B, H) holds ∂L/∂h_t from the layer above on entry and the total (plus
    /// `dh_next`, the part through step t+1) on exit. From it and the output `h`, writes
    /// `d_pre = dh ⊙ (1 − h²)`, the gradient of both pre-activations. Returns Σ dh² of the total.
    pub fn backward_step(dh: &mut [f32], dh_next: &[f32], h: &[f32], d_pre: &mut [f32]) -> f64 = backward_impl;
}

#[inline(always)]
unsafe fn backward_impl<S: Simd>(dh: &mut [f32], dh_next: &[f32], h: &[f32], d_pre: &mut [f32]) -> f64 {
    let n = dh.len();
    assert!(dh_next.len() >= n && h.len() >= n && d_pre.len() >= n);
    let (dh, dn, h, d) = (dh.as_mut_ptr(), dh_next.as_ptr(), h.as_ptr(), d_pre.as_mut_ptr());
    let mut ss = S::splat(0.0);
    let mut j = 0;
    while j + S::LANES <= n {
        let g = S::add(S::load(dh.add(j)), S::load(dn.add(j)));
        let hj = S::load(h.add(j));
        S::store(dh.add(j), g);
        S::store(d.add(j), S::mul(g, S::sub(S::splat(1.0), S::mul(hj, hj))));
        ss = S::mul_add(g, g, ss);
        j += S::LANES;
    }
    let mut tail = 0.0f32;
    while j < n {
        let g = *dh.add(j) + *dn.add(j);
        *dh.add(j) = g;
        *d.add(j) = g * (1.0 - *h.add(j) * *h.add(j));
        tail += g * g;
        j += 1;
    }
    (S::hsum(ss) + tail) as f64
}
