//! One-row products in 16-bit integers: weights quantised per output column, the input row
//! quantised per call, products of pairs summed exactly in i32 by one instruction
//! (`i32x4.dot_i16x8_s`, x86 `pmaddwd`) — 8 multiply-adds where f32 needs a multiply and an add per
//! 4 — then rescaled to f32.
//!
//! No i32 sum can overflow: a column's scale bounds both its largest quantised weight (32767) and
//! the sum of their magnitudes (65535 − k), and the row's scale bounds its values to ±32767, so
//! `Σ |w_q|·|x_q| ≤ 32767 · 65535 < 2³¹`.
//!
//! A [`PackedI16`] is cut into sub-panels of L columns (L = the ISA's 32-bit lanes); a row of one
//! holds, for a pair of rows 2p, 2p + 1 of B, L words `w(2p, c) | w(2p + 1, c) << 16`. [`BLOCK`]
//! sub-panels are interleaved row by row, so the GEMV walks one pointer through them.

use super::bf16::Words;
use super::gemm::{load_row, store_row, Init, NR_MAX};
use super::simd::Simd;

/// Sub-panels per block: [`gemv_i16`] keeps `BLOCK` accumulators.
pub(crate) const BLOCK: usize = 8;

/// Largest quantised magnitude of a weight or an input.
const Q: f32 = 32767.0;

/// A `k × n` matrix quantised to i16 per column, in the layout of the ISA's [`gemv_i16`] (see the
/// module docs). Rebuilt in place (no allocation once sized).
#[derive(Clone, Debug, Default)]
pub struct PackedI16 {
    pub(crate) k: usize,
    pub(crate) n: usize,
    pub(crate) lanes: usize,
    scale: Vec<f32>,  // (n) B(p, j) ≈ scale[j] · w_q(p, j)
    data: Vec<Words>, // blocks of (⌈k/2⌉, sub-panels·L) words, two i16 each (see the module docs)
}

impl PackedI16 {
    /// Rows k (the inner dimension of the product).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The value column j's quantised weights are multiplied by.
    pub fn scale(&self, j: usize) -> f32 {
        self.scale[j]
    }

    /// The packed words.
    fn words(&self) -> &[u32] {
        Words::flat(&self.data)
    }

    /// Quantises and packs `B (k × n)` for an ISA of `lanes` 32-bit lanes, as
    /// [`super::PackedB::pack_nr`] does.
    pub(crate) fn pack_lanes(&mut self, lanes: usize, k: usize, n: usize, src: &[f32], transposed: bool) {
        assert!(src.len() >= k * n, "pack: source of {} floats for {k}×{n}", src.len());
        assert!(k < 65535, "pack: k = {k} leaves no room for the i32 sums");
        let at = |p: usize, j: usize| if transposed { src[j * k + p] } else { src[p * n + j] };
        self.scale.clear();
        self.scale.extend((0..n).map(|j| {
            let (max, l1) = (0..k).fold((0.0f32, 0.0f64), |(m, s), p| {
                let a = at(p, j).abs();
                (if a > m { a } else { m }, s + a as f64)
            });
            // Rounding adds at most k/2 to Σ|w_q|: the budget 65535 − k keeps it at most 65535.
            let s = (max / Q).max((l1 / (65535 - k) as f64) as f32);
            if s > 0.0 && s.is_finite() {
                s
            } else {
                1.0
            }
        }));
        let pairs = k.div_ceil(2);
        let sub_panels = n.div_ceil(lanes);
        (self.k, self.n, self.lanes) = (k, n, lanes);
        let data = Words::zeroed(&mut self.data, sub_panels * pairs * lanes);
        let scale = &self.scale;
        let q = |p: usize, j: usize| -> u32 {
            if p >= k || j >= n {
                return 0;
            }
            quantise(at(p, j) / scale[j])
        };
        let block_cols = lanes * BLOCK;
        for j0 in (0..n).step_by(block_cols) {
            let s = (n - j0).div_ceil(lanes).min(BLOCK);
            let block = &mut data[j0 / block_cols * pairs * BLOCK * lanes..];
            for p in 0..pairs {
                for c in 0..s * lanes {
                    block[p * s * lanes + c] = q(2 * p, j0 + c) | q(2 * p + 1, j0 + c) << 16;
                }
            }
        }
    }
}

/// `x (k)` quantised in pairs into `out` (⌈k/2⌉ words `x_q(2p) | x_q(2p + 1) << 16`); returns the
/// scale: `x ≈ scale · x_q`.
///
/// # Safety
/// The CPU has `S`'s features.
#[inline(always)]
pub(crate) unsafe fn quantise_row<S: Simd>(x: &[f32], out: &mut [u32]) -> f32 {
    let (k, l) = (x.len(), S::LANES);
    assert!(out.len() >= k.div_ceil(2));
    let (xp, op) = (x.as_ptr(), out.as_mut_ptr());
    // max |x|, NaN ignored: NaN lanes become 0 (relaxed SIMD leaves max's NaN rule to the engine).
    let mut m = S::splat(0.0);
    let mut j = 0;
    while j + l <= k {
        m = S::max(m, S::abs(S::zero_nan(S::load(xp.add(j)))));
        j += l;
    }
    let max = x[j..].iter().fold(S::hmax(m), |m, v| if v.abs() > m { v.abs() } else { m });
    let scale = if max > 0.0 && max.is_finite() { max / Q } else { 1.0 };
    let inv = 1.0 / scale;
    let mut p = 0;
    while 2 * (p + l) <= k {
        S::quantise_i16(xp.add(2 * p), S::splat(inv), op.add(p));
        p += l;
    }
    for (o, pair) in out[p..k.div_ceil(2)].iter_mut().zip(x[2 * p..].chunks(2)) {
        *o = quantise(pair[0] * inv) | pair.get(1).map_or(0, |&v| quantise(v * inv)) << 16;
    }
    scale
}

/// `v` rounded to the nearest integer in ±32767 (ties to even), as the bits of an i16. Adding and
/// subtracting 1.5·2²³ rounds in the FPU's default mode: no libm call (wasm's `f32::round`, x86
/// without SSE4.1) and no instruction the baseline targets lack.
#[inline(always)]
pub(crate) fn quantise(v: f32) -> u32 {
    const MAGIC: f32 = 12_582_912.0;
    ((v.clamp(-Q, Q) + MAGIC) - MAGIC) as i16 as u16 as u32
}

/// `c (n) = x · B + init` for one row given as quantised pairs `xq` (⌈k/2⌉) with scale `x_scale`.
///
/// # Safety
/// The CPU has `S`'s features; `b` was packed for `S::LANES`; xq, c and a bias hold ⌈k/2⌉, n, n.
#[inline(always)]
pub(crate) unsafe fn gemv_i16<S: Simd>(xq: *const u32, x_scale: f32, b: &PackedI16, c: *mut f32, init: Init) {
    debug_assert_eq!(b.lanes, S::LANES);
    let (l, pairs) = (S::LANES, b.k.div_ceil(2));
    let block_cols = l * BLOCK;
    for j0 in (0..b.n).step_by(block_cols) {
        let s = (b.n - j0).div_ceil(l).min(BLOCK);
        let w = b.words()[j0 / block_cols * pairs * BLOCK * l..].as_ptr();
        if s == BLOCK {
            gemv_i16_block::<S, BLOCK>(xq, x_scale, pairs, w, s * l, b, c, j0, init);
        } else {
            for q in 0..s {
                gemv_i16_block::<S, 1>(xq, x_scale, pairs, w.add(q * l), s * l, b, c, j0 + l * q, init);
            }
        }
    }
}

/// [`gemv_i16`] on the `P` sub-panels at `w` (rows `stride` words apart), columns `j0..` of c.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gemv_i16_block<S: Simd, const P: usize>(
    xq: *const u32,
    x_scale: f32,
    pairs: usize,
    w: *const u32,
    stride: usize,
    b: &PackedI16,
    c: *mut f32,
    j0: usize,
    init: Init,
) {
    let l = S::LANES;
    debug_assert!(l <= NR_MAX);
    let mut acc = [S::zero_i32(); P];
    let mut row = w;
    for p in 0..pairs {
        let x = *xq.add(p);
        for (q, a) in acc.iter_mut().enumerate() {
            *a = S::dot_i16_acc(*a, row.add(q * l), x);
        }
        row = row.add(stride);
    }
    let mut buf = [0.0f32; NR_MAX];
    let x_scale = S::splat(x_scale);
    for (q, a) in acc.iter().enumerate() {
        let j = j0 + q * l;
        let cols = l.min(b.n - j);
        let full = cols == l;
        // Vector loads of the column scales: a vector load of floats just stored one by one
        // stalls (no store forwarding), 8 times per block.
        let scale = S::mul(S::load(load_row(b.scale.as_ptr().add(j), cols, full, &mut buf)), x_scale);
        let mut v = S::mul(S::i32_to_f32(*a), scale);
        let src = match init.at_col(j) {
            Init::Zero => None,
            Init::Load => Some(load_row(c.add(j), cols, full, &mut buf)),
            Init::Bias(bias) => Some(load_row(bias, cols, full, &mut buf)),
        };
        if let Some(src) = src {
            v = S::add(v, S::load(src));
        }
        store_row::<S, 1>(c.add(j), &[v], cols, &mut buf);
    }
}
