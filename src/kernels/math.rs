//! Vector `exp`, `σ` and `tanh` for every [`Simd`] ISA, accurate to a few ulp (Cephes' `expf` and
//! `tanhf` polynomials), so that results stay within the PyTorch parity tolerances while the cell
//! math vectorises. NaN propagates; arguments are clamped to the range where `exp` is finite and
//! normal, which changes results only below 1e-37.
//!
//! No step produces a subnormal float: on x86 each vector instruction with a subnormal result
//! takes a microcode assist of some hundred cycles (wasm cannot flush them to zero). A trained
//! LSTM's cell state drifts past |c| = 44 over a long sample, where `tanh`'s `1/(e^{2|c|} + 1)`
//! was subnormal: sampling 1,000 characters took 3–14 % longer (2 × 256, A/B runs in Node and
//! Chromium).

use super::simd::Simd;

/// 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// `e^x`, relative error about 1 ulp for x in [−87, 88]; clamped outside.
#[inline(always)]
pub(crate) unsafe fn exp<S: Simd>(x: S::V) -> S::V {
    let x = S::min(S::max(x, S::splat(-87.0)), S::splat(88.0));
    // n = round(x / ln 2), and t keeps n in its low bits for pow2i.
    let t = S::mul_add(x, S::splat(std::f32::consts::LOG2_E), S::splat(ROUND_MAGIC));
    let n = S::sub(t, S::splat(ROUND_MAGIC));
    // r = x − n·ln 2 in two parts; n·0.693359375 is exact, so no FMA is needed.
    let r = S::mul_add(n, S::splat(-0.693_359_4), x);
    let r = S::mul_add(n, S::splat(2.121_944_4e-4), r);
    let mut p = S::splat(1.987_569_1e-4);
    p = S::mul_add(p, r, S::splat(1.398_199_9e-3));
    p = S::mul_add(p, r, S::splat(8.333_452e-3));
    p = S::mul_add(p, r, S::splat(4.166_579_6e-2));
    p = S::mul_add(p, r, S::splat(1.666_666_5e-1));
    p = S::mul_add(p, r, S::splat(0.5));
    let y = S::add(S::mul_add(p, S::mul(r, r), r), S::splat(1.0));
    S::mul(y, S::pow2i(t))
}

/// The logistic function σ(x) = 1 / (1 + e^(−x)).
#[inline(always)]
pub(crate) unsafe fn sigmoid<S: Simd>(x: S::V) -> S::V {
    // e^87 keeps 1/(1 + e^−x) normal: below x = −87, σ is 1.6e-38 instead of smaller.
    let e = exp::<S>(S::min(S::sub(S::splat(0.0), x), S::splat(87.0)));
    S::recip(S::add(S::splat(1.0), e))
}

/// `tanh x`: an odd polynomial below |x| = 0.625 (no cancellation near 0), `1 − 2/(e^{2|x|} + 1)`
/// with the sign of x above.
#[inline(always)]
pub(crate) unsafe fn tanh<S: Simd>(x: S::V) -> S::V {
    let one = S::splat(1.0);
    let a = S::abs(x);
    // Above |x| = 9.1 the result rounds to ±1 whatever e is; capping 2|x| at 20 keeps 1/(e + 1) normal.
    let e = exp::<S>(S::min(S::add(a, a), S::splat(20.0)));
    let r = S::recip(S::add(e, one));
    let big = S::sub(one, S::add(r, r));
    let z = S::mul(x, x);
    let mut p = S::splat(-5.704_988_7e-3);
    p = S::mul_add(p, z, S::splat(2.063_909e-2));
    p = S::mul_add(p, z, S::splat(-5.373_971_6e-2));
    p = S::mul_add(p, z, S::splat(1.333_144_2e-1));
    p = S::mul_add(p, z, S::splat(-3.333_328e-1));
    let small = S::mul_add(S::mul(p, z), x, x);
    S::select_lt(a, S::splat(0.625), small, S::copysign(big, x))
}
