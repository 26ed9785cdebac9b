//! One-row products with a bf16 copy of the weights: half the bytes of f32, so the matrices a
//! sampling step streams stay in L2 (the medium model's 3.2 MB of f32 weights do not), while the
//! activations and the accumulation stay f32.
//!
//! A [`PackedBf16`] is cut into sub-panels of 2L columns (L = the ISA's f32 lanes), a row of one
//! being one vector of L words. Where the ISA widens with a shift and a mask
//! ([`Simd::BF16_SPLIT`]), word i holds column `i` in its low half and column `L + i` in its high
//! half, so that `w << 16` and `w & 0xFFFF0000` are the two f32 vectors with the columns already in
//! place; otherwise the columns are in order (widened by interleaving with zeros). [`BLOCK`]
//! sub-panels are interleaved row by row, so the GEMV walks one pointer through them.

use super::gemm::{load_row, store_row, Init, NR_MAX};
use super::simd::Simd;

/// The bf16 nearest to `x` (round to nearest, ties to even), as its 16 bits: the top half of an
/// f32. NaN stays NaN (quiet); values past the largest bf16 round to ±∞.
pub fn bf16_bits(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    (b.wrapping_add(0x7FFF + ((b >> 16) & 1)) >> 16) as u16
}

/// `x` rounded to bf16 and widened back to f32: the value a bf16 product multiplies by.
pub fn bf16_round(x: f32) -> f32 {
    f32::from_bits((bf16_bits(x) as u32) << 16)
}

/// Sub-panels per block: a block row is `BLOCK · L` words read with one pointer, and
/// [`gemv_bf16`] keeps `2 · BLOCK` accumulators (8, which with the splat and a loaded row fit the
/// 16 vector registers of x86).
pub(crate) const BLOCK: usize = 4;

/// A `k × n` matrix rounded to bf16 in the layout of the ISA's [`gemv_bf16`] (see the module
/// docs): blocks of `2·L·BLOCK` columns (the last one narrower), each `k` rows of its sub-panels'
/// words side by side. Rebuilt in place (no allocation once sized).
#[derive(Clone, Debug, Default)]
pub struct PackedBf16 {
    pub(crate) k: usize,
    pub(crate) n: usize,
    pub(crate) lanes: usize,
    pub(crate) split: bool,
    data: Vec<Words>, // blocks of (k, sub-panels·L) words, two bf16 each (see the module docs)
}

/// 16 words on a 64-byte boundary, as [`super::PackedB`]'s lines: block rows start on cache lines.
/// The storage of both compact packings, bf16 here and i16 ([`super::PackedI16`]).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
pub(super) struct Words([u32; 16]);

impl Words {
    /// All the words of `data` as one slice.
    pub(super) fn flat(data: &[Words]) -> &[u32] {
        // SAFETY: `Words` is 16 plain u32s with no padding.
        unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u32, data.len() * 16) }
    }

    /// `data` refilled with at least `n` zero words (no allocation once sized), as one slice.
    pub(super) fn zeroed(data: &mut Vec<Words>, n: usize) -> &mut [u32] {
        data.clear();
        data.resize(n.div_ceil(16), Words::default());
        // SAFETY: as in `flat`.
        unsafe { std::slice::from_raw_parts_mut(data.as_mut_ptr() as *mut u32, data.len() * 16) }
    }
}

impl PackedBf16 {
    /// Rows k (the inner dimension of the product).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The packed words.
    fn words(&self) -> &[u32] {
        Words::flat(&self.data)
    }

    /// Packs `B (k × n)` for an ISA of `lanes` f32 lanes and the column order `split`
    /// ([`Simd::BF16_SPLIT`]), as [`super::PackedB::pack_nr`] does.
    pub(crate) fn pack_lanes(&mut self, lanes: usize, split: bool, k: usize, n: usize, src: &[f32], transposed: bool) {
        assert!(src.len() >= k * n, "pack: source of {} floats for {k}×{n}", src.len());
        let sub_panels = n.div_ceil(2 * lanes);
        (self.k, self.n, self.lanes, self.split) = (k, n, lanes, split);
        let data = Words::zeroed(&mut self.data, sub_panels * k * lanes);
        let at = |p: usize, j: usize| -> u32 {
            if j >= n {
                return 0;
            }
            bf16_bits(if transposed { src[j * k + p] } else { src[p * n + j] }) as u32
        };
        let block_cols = 2 * lanes * BLOCK;
        for j0 in (0..n).step_by(block_cols) {
            let s = (n - j0).div_ceil(2 * lanes).min(BLOCK);
            let block = &mut data[j0 / block_cols * k * BLOCK * lanes..];
            for p in 0..k {
                for q in 0..s {
                    // Columns (low, high half) of word i.
                    let j = j0 + 2 * lanes * q;
                    for i in 0..lanes {
                        let (lo, hi) = if split { (j + i, j + lanes + i) } else { (j + 2 * i, j + 2 * i + 1) };
                        block[(p * s + q) * lanes + i] = at(p, lo) | at(p, hi) << 16;
                    }
                }
            }
        }
    }
}

/// `c (n) = x (k) · B + init` for one row, B in bf16: a block (`2·BLOCK` accumulators) at a time.
///
/// # Safety
/// The CPU has `S`'s features; `b` was packed for `S::LANES`; x, c and a bias hold k, n, n floats.
#[inline(always)]
pub(crate) unsafe fn gemv_bf16<S: Simd>(x: *const f32, b: &PackedBf16, c: *mut f32, init: Init) {
    debug_assert_eq!((b.lanes, b.split), (S::LANES, S::BF16_SPLIT));
    let (l, k) = (S::LANES, b.k);
    let block_cols = 2 * l * BLOCK;
    for j0 in (0..b.n).step_by(block_cols) {
        let s = (b.n - j0).div_ceil(2 * l).min(BLOCK);
        let w = b.words()[j0 / block_cols * k * BLOCK * l..].as_ptr();
        if s == BLOCK {
            gemv_bf16_block::<S, BLOCK>(x, k, w, s * l, c, j0, b.n, init);
        } else {
            for q in 0..s {
                gemv_bf16_block::<S, 1>(x, k, w.add(q * l), s * l, c, j0 + 2 * l * q, b.n, init);
            }
        }
    }
}

/// [`gemv_bf16`] on the `P` sub-panels at `w` (rows `stride` words apart), columns `j0..` of c.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gemv_bf16_block<S: Simd, const P: usize>(
    x: *const f32,
    k: usize,
    w: *const u32,
    stride: usize,
    c: *mut f32,
    j0: usize,
    n: usize,
    init: Init,
) {
    let l = S::LANES;
    let width = 2 * l;
    debug_assert!(width <= NR_MAX);
    let mut buf = [0.0f32; NR_MAX];
    let mut acc = [[S::splat(0.0); 2]; P];
    let mut cols = [width; P];
    for (q, acc_q) in acc.iter_mut().enumerate() {
        let j = j0 + q * width;
        cols[q] = width.min(n - j);
        let full = cols[q] == width;
        let src = match init.at_col(j) {
            Init::Zero => continue,
            Init::Load => load_row(c.add(j), cols[q], full, &mut buf),
            Init::Bias(bias) => load_row(bias, cols[q], full, &mut buf),
        };
        acc_q[0] = S::load(src);
        acc_q[1] = S::load(src.add(l));
    }
    let mut row = w;
    for p in 0..k {
        let xv = S::splat(*x.add(p));
        for (q, acc_q) in acc.iter_mut().enumerate() {
            let (lo, hi) = S::load_bf16(row.add(q * l));
            acc_q[0] = S::mul_add(xv, lo, acc_q[0]);
            acc_q[1] = S::mul_add(xv, hi, acc_q[1]);
        }
        row = row.add(stride);
    }
    for (q, acc_q) in acc.iter().enumerate() {
        store_row::<S, 2>(c.add(j0 + q * width), acc_q, cols[q], &mut buf);
    }
}
