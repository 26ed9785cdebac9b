//! Softmax cross-entropy over logits, in nats, with its gradient.

use crate::kernels::math::exp;
use crate::kernels::{multiversion, Isa};
use crate::kernels::simd::{Scalar, Simd};

/// Mean cross-entropy (nats) of `logits` (N, V) against `targets` (N); when `grad` is given it
/// receives ∂loss/∂logits = (softmax − onehot) / N. The log-sum-exp is shifted by the row maximum.
pub fn cross_entropy(isa: Isa, logits: &[f32], vocab: usize, targets: &[u32], grad: Option<&mut [f32]>) -> f32 {
    let n = targets.len();
    (cross_entropy_sum(isa, logits, vocab, targets, grad, 1.0 / n as f32) / n as f64) as f32
}

multiversion! {
    // Not inlined: the trainer's validation calls it per row too, and each inlined copy carries
    // the whole kernel (1.6 KB of wasm).
    #[inline(never)]
    /// The summed cross-entropy (nats) of `logits` (N, V) against `targets` (N); when `grad` is
    /// given it receives `scale`·∂sum/∂logits = (softmax − onehot)·scale. A shard of a batch of M
    /// positions passes scale = 1/M, so that the shards' gradients add up to the batch mean's.
    pub fn cross_entropy_sum(logits: &[f32], vocab: usize, targets: &[u32], grad: Option<&mut [f32]>, scale: f32) -> f64 = xent_impl;
}

#[inline(always)]
unsafe fn xent_impl<S: Simd>(logits: &[f32], vocab: usize, targets: &[u32], mut grad: Option<&mut [f32]>, scale: f32) -> f64 {
    let n = targets.len();
    assert!(logits.len() >= n * vocab && grad.as_ref().is_none_or(|g| g.len() >= n * vocab));
    let mut total = 0.0f64;
    for (r, (row, &y)) in logits.chunks_exact(vocab).zip(targets).enumerate() {
        let y = y as usize;
        assert!(y < vocab, "target id {y} out of the vocabulary of {vocab}");
        let max = row_max::<S>(row);
        let sum = match grad.as_deref_mut() {
            Some(g) => {
                // The gradient row holds e^(v − max) first, then is scaled into softmax · scale.
                let e = &mut g[r * vocab..(r + 1) * vocab];
                let sum = exp_sum::<S, true>(row, max, e.as_mut_ptr());
                self::scale::<S>(e, scale / sum);
                e[y] -= scale;
                sum
            }
            None => exp_sum::<S, false>(row, max, std::ptr::null_mut()),
        };
        total += (max + sum.ln() - row[y]) as f64;
    }
    total
}

/// Largest element of a non-empty row.
#[inline(always)]
unsafe fn row_max<S: Simd>(row: &[f32]) -> f32 {
    let (n, p) = (row.len(), row.as_ptr());
    let mut j = 0;
    let mut max = f32::NEG_INFINITY;
    if n >= S::LANES {
        let mut m = S::load(p);
        while j + S::LANES <= n {
            m = S::max(m, S::load(p.add(j)));
            j += S::LANES;
        }
        max = S::hmax(m);
    }
    row[j..].iter().fold(max, |m, &v| m.max(v))
}

/// Σ e^(row − max), also stored to `q` (row.len() floats) when `STORE`.
#[inline(always)]
unsafe fn exp_sum<S: Simd, const STORE: bool>(row: &[f32], max: f32, q: *mut f32) -> f32 {
    let (n, p) = (row.len(), row.as_ptr());
    let mut sum = S::splat(0.0);
    let mut j = 0;
    while j + S::LANES <= n {
        let v = exp::<S>(S::sub(S::load(p.add(j)), S::splat(max)));
        if STORE {
            S::store(q.add(j), v);
        }
        sum = S::add(sum, v);
        j += S::LANES;
    }
    let mut tail = 0.0;
    while j < n {
        let v = exp::<Scalar>(*p.add(j) - max);
        if STORE {
            *q.add(j) = v;
        }
        tail += v;
        j += 1;
    }
    S::hsum(sum) + tail
}

/// `x *= s`.
#[inline(always)]
unsafe fn scale<S: Simd>(x: &mut [f32], s: f32) {
    let (n, p) = (x.len(), x.as_mut_ptr());
    let mut j = 0;
    while j + S::LANES <= n {
        S::store(p.add(j), S::mul(S::load(p.add(j)), S::splat(s)));
        j += S::LANES;
    }
    for v in &mut x[j..] {
        *v *= s;
    }
}

/// Converts a loss in nats to bits per character.
pub fn bits_per_char(nats: f32) -> f32 {
    nats / std::f32::consts::LN_2
}

/// Converts a loss in nats to perplexity.
pub fn perplexity(nats: f32) -> f32 {
    nats.exp()
}
