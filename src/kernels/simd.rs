//! A small SIMD vocabulary, [`Simd`], implemented for each instruction set the engine runs on, so
//! that every kernel is written once and compiled per ISA.
//!
//! All methods are `unsafe`: they may only run on a CPU with the ISA's features, inside a function
//! compiled with them (see `multiversion!` in [`crate::kernels`]). They are `#[inline(always)]` so
//! that the generic kernels collapse into straight-line vector code in each ISA's entry point.

use super::gemm::{self, Init, PackedB, Tile};
use super::int16::quantise;

/// Lane-wise `f32` vector operations plus the shape of the ISA's GEMM micro-kernel.
pub(crate) trait Simd: Copy {
    /// A vector of [`Simd::LANES`] `f32`.
    type V: Copy;
    /// `f32` lanes per vector.
    const LANES: usize;
    /// Rows of the GEMM micro-kernel tile.
    const MR: usize;
    /// Vectors per tile row: the tile is `MR × NR`, `NR = NV · LANES` (the packed panel width).
    const NV: usize;

    unsafe fn splat(x: f32) -> Self::V;
    /// Unaligned load of `LANES` floats.
    unsafe fn load(p: *const f32) -> Self::V;
    /// Unaligned store of `LANES` floats.
    unsafe fn store(p: *mut f32, v: Self::V);
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    /// `1 / a` to within about an ulp: the reciprocal estimate plus a Newton step where the ISA
    /// has one (much cheaper than a division), else a division. For finite `a`; NaN propagates.
    unsafe fn recip(a: Self::V) -> Self::V;
    /// `a·b + c`, fused where the ISA has FMA.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `if a < b { b } else { a }`: a NaN in `a` passes through (in the relaxed-SIMD build the
    /// engine chooses, see [`Simd::zero_nan`]; V8 on x86 passes it, tested).
    unsafe fn max(a: Self::V, b: Self::V) -> Self::V;
    /// `if b < a { b } else { a }`: a NaN in `a` passes through (as for [`Simd::max`]).
    unsafe fn min(a: Self::V, b: Self::V) -> Self::V;
    /// `if a < b { x } else { y }`, lane by lane.
    unsafe fn select_lt(a: Self::V, b: Self::V, x: Self::V, y: Self::V) -> Self::V;
    /// `|mag|` with the sign bit of `sign`.
    unsafe fn copysign(mag: Self::V, sign: Self::V) -> Self::V;
    unsafe fn abs(a: Self::V) -> Self::V;
    /// NaN lanes replaced by 0, by a comparison (not [`Simd::max`]: with relaxed SIMD, LLVM emits
    /// wasm's pmin/pmax as relaxed_min/max, whose NaN result is the engine's choice).
    unsafe fn zero_nan(a: Self::V) -> Self::V;
    /// The float whose bits are `(bits(t) << 23) + bits(1.0)`: `2^n` when `t = n + 1.5·2^23`.
    unsafe fn pow2i(t: Self::V) -> Self::V;
    /// Sum of the lanes.
    unsafe fn hsum(v: Self::V) -> f32;
    /// Maximum of the lanes (NaN-unaware; used on finite logits).
    unsafe fn hmax(v: Self::V) -> f32;
    /// How [`Simd::load_bf16`] reads `2·LANES` bf16 (a row of a [`super::PackedBf16`] sub-panel):
    /// `true` when word i holds columns i (low half) and `LANES + i` (high half), widened with a
    /// shift and a mask; `false` when the columns are in order, widened by interleaving with zeros.
    const BF16_SPLIT: bool;
    /// `2·LANES` bf16 widened to f32: (columns `0..LANES`, columns `LANES..2·LANES`).
    unsafe fn load_bf16(p: *const u32) -> (Self::V, Self::V);
    /// A vector of i32 zeros (integer lanes live in the same register type as f32 lanes).
    unsafe fn zero_i32() -> Self::V;
    /// `acc + (w_lo·x_lo + w_hi·x_hi)` lane by lane in i32, for `LANES` words `w` of two i16 at `p`
    /// and the two i16 of `x`.
    unsafe fn dot_i16_acc(acc: Self::V, p: *const u32, x: u32) -> Self::V;
    /// i32 lanes converted to f32.
    unsafe fn i32_to_f32(v: Self::V) -> Self::V;
    /// `2·LANES` floats at `x` times `inv`, clamped to ±32767, rounded to the nearest integer (ties
    /// to even; NaN gives 0) and stored as `LANES` words of two i16 at `out`, in order: word i holds
    /// `x[2i]` in its low half. Exactly [`super::int16::quantise`] per float.
    unsafe fn quantise_i16(x: *const f32, inv: Self::V, out: *mut u32);

    /// The GEMM micro-kernel at this ISA's tile shape ([`gemm::tile`]).
    unsafe fn tile<const AT: bool>(t: &Tile);
    /// One row times a packed B ([`gemm::gemv`]).
    unsafe fn gemv(x: *const f32, b: &PackedB, c: *mut f32, init: Init);
}

/// One lane of plain `f32`: the portable fallback and the tail of every vector loop.
#[derive(Clone, Copy)]
pub(crate) struct Scalar;

impl Simd for Scalar {
    type V = f32;
    const LANES: usize = 1;
    const MR: usize = 4;
    const NV: usize = 8;
    const BF16_SPLIT: bool = true;

    #[inline(always)]
    unsafe fn splat(x: f32) -> f32 {
        x
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> f32 {
        *p
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: f32) {
        *p = v
    }
    #[inline(always)]
    unsafe fn add(a: f32, b: f32) -> f32 {
        a + b
    }
    #[inline(always)]
    unsafe fn sub(a: f32, b: f32) -> f32 {
        a - b
    }
    #[inline(always)]
    unsafe fn mul(a: f32, b: f32) -> f32 {
        a * b
    }
    #[inline(always)]
    unsafe fn recip(a: f32) -> f32 {
        1.0 / a
    }
    #[inline(always)]
    unsafe fn mul_add(a: f32, b: f32, c: f32) -> f32 {
        a * b + c // not `f32::mul_add`: without hardware FMA that is a slow libm call
    }
    #[inline(always)]
    unsafe fn max(a: f32, b: f32) -> f32 {
        if a < b {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    unsafe fn min(a: f32, b: f32) -> f32 {
        if b < a {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    unsafe fn select_lt(a: f32, b: f32, x: f32, y: f32) -> f32 {
        if a < b {
            x
        } else {
            y
        }
    }
    #[inline(always)]
    unsafe fn copysign(mag: f32, sign: f32) -> f32 {
        mag.copysign(sign)
    }
    #[inline(always)]
    unsafe fn abs(a: f32) -> f32 {
        a.abs()
    }
    #[inline(always)]
    unsafe fn zero_nan(a: f32) -> f32 {
        if a.is_nan() {
            0.0
        } else {
            a
        }
    }
    #[inline(always)]
    unsafe fn pow2i(t: f32) -> f32 {
        f32::from_bits((t.to_bits() << 23).wrapping_add(0x3f80_0000))
    }
    #[inline(always)]
    unsafe fn hsum(v: f32) -> f32 {
        v
    }
    #[inline(always)]
    unsafe fn hmax(v: f32) -> f32 {
        v
    }
    #[inline(always)]
    unsafe fn load_bf16(p: *const u32) -> (f32, f32) {
        let w = *p;
        (f32::from_bits(w << 16), f32::from_bits(w & 0xFFFF_0000))
    }
    #[inline(always)]
    unsafe fn zero_i32() -> f32 {
        0.0
    }
    #[inline(always)]
    unsafe fn dot_i16_acc(acc: f32, p: *const u32, x: u32) -> f32 {
        let (w, i16s) = (*p, |v: u32| (v as u16 as i16 as i32, (v >> 16) as u16 as i16 as i32));
        let ((w0, w1), (x0, x1)) = (i16s(w), i16s(x));
        f32::from_bits((acc.to_bits() as i32).wrapping_add(w0 * x0 + w1 * x1) as u32)
    }
    #[inline(always)]
    unsafe fn i32_to_f32(v: f32) -> f32 {
        v.to_bits() as i32 as f32
    }
    #[inline(always)]
    unsafe fn quantise_i16(x: *const f32, inv: f32, out: *mut u32) {
        *out = quantise(*x * inv) | quantise(*x.add(1) * inv) << 16;
    }
    #[inline(always)]
    unsafe fn tile<const AT: bool>(t: &Tile) {
        gemm::tile::<Self, 4, 8, AT>(t)
    }
    #[inline(always)]
    unsafe fn gemv(x: *const f32, b: &PackedB, c: *mut f32, init: Init) {
        gemm::gemv::<Self, 1, 8>(x, b, c, init)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use wasm::Simd128;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{gemm, Init, PackedB, Simd, Tile};
    use core::arch::wasm32::*;

    /// WebAssembly SIMD: 4 lanes, no FMA. A 4×8 tile keeps 8 accumulators, which with the two
    /// B vectors and the splat fits the 16 xmm registers V8 allocates on x86.
    #[derive(Clone, Copy)]
    pub(crate) struct Simd128;

    impl Simd for Simd128 {
        type V = v128;
        const LANES: usize = 4;
        const MR: usize = 4;
        const NV: usize = 2;
        // Widened by interleaving with zeros (x86: punpck{l,h}wd, a shuffle port): in Chromium
        // 148 a shift and a mask measure 25 % slower, in Node 20 3 % faster (relaxed: 10 % slower).
        const BF16_SPLIT: bool = false;

        #[inline(always)]
        unsafe fn splat(x: f32) -> v128 {
            f32x4_splat(x)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> v128 {
            v128_load(p as *const v128)
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: v128) {
            v128_store(p as *mut v128, v)
        }
        #[inline(always)]
        unsafe fn add(a: v128, b: v128) -> v128 {
            f32x4_add(a, b)
        }
        #[inline(always)]
        unsafe fn sub(a: v128, b: v128) -> v128 {
            f32x4_sub(a, b)
        }
        #[inline(always)]
        unsafe fn mul(a: v128, b: v128) -> v128 {
            f32x4_mul(a, b)
        }
        #[inline(always)]
        unsafe fn recip(a: v128) -> v128 {
            f32x4_div(f32x4_splat(1.0), a)
        }
        #[inline(always)]
        unsafe fn mul_add(a: v128, b: v128, c: v128) -> v128 {
            // With relaxed SIMD (a separate build), one instruction: fused where the CPU has FMA.
            #[cfg(target_feature = "relaxed-simd")]
            return f32x4_relaxed_madd(a, b, c);
            #[cfg(not(target_feature = "relaxed-simd"))]
            f32x4_add(f32x4_mul(a, b), c)
        }
        #[inline(always)]
        unsafe fn max(a: v128, b: v128) -> v128 {
            f32x4_pmax(a, b) // a < b ? b : a, one maxps (f32x4_max's NaN rules cost more)
        }
        #[inline(always)]
        unsafe fn min(a: v128, b: v128) -> v128 {
            f32x4_pmin(a, b) // b < a ? b : a
        }
        #[inline(always)]
        unsafe fn select_lt(a: v128, b: v128, x: v128, y: v128) -> v128 {
            v128_bitselect(x, y, f32x4_lt(a, b))
        }
        #[inline(always)]
        unsafe fn copysign(mag: v128, sign: v128) -> v128 {
            v128_bitselect(sign, mag, u32x4_splat(0x8000_0000))
        }
        #[inline(always)]
        unsafe fn abs(a: v128) -> v128 {
            f32x4_abs(a)
        }
        #[inline(always)]
        unsafe fn zero_nan(a: v128) -> v128 {
            v128_and(a, f32x4_eq(a, a))
        }
        #[inline(always)]
        unsafe fn pow2i(t: v128) -> v128 {
            i32x4_add(i32x4_shl(t, 23), i32x4_splat(0x3f80_0000))
        }
        #[inline(always)]
        unsafe fn hsum(v: v128) -> f32 {
            let s = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
            let s = f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
            f32x4_extract_lane::<0>(s)
        }
        #[inline(always)]
        unsafe fn hmax(v: v128) -> f32 {
            let s = f32x4_pmax(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
            let s = f32x4_pmax(s, i32x4_shuffle::<1, 0, 3, 2>(s, s));
            f32x4_extract_lane::<0>(s)
        }
        #[inline(always)]
        unsafe fn load_bf16(p: *const u32) -> (v128, v128) {
            let (w, z) = (v128_load(p as *const v128), u32x4_splat(0));
            (i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(z, w), i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(z, w))
        }
        #[inline(always)]
        unsafe fn zero_i32() -> v128 {
            i32x4_splat(0)
        }
        #[inline(always)]
        unsafe fn dot_i16_acc(acc: v128, p: *const u32, x: u32) -> v128 {
            i32x4_add(acc, i32x4_dot_i16x8(v128_load(p as *const v128), u32x4_splat(x)))
        }
        #[inline(always)]
        unsafe fn i32_to_f32(v: v128) -> v128 {
            f32x4_convert_i32x4(v)
        }
        #[inline(always)]
        unsafe fn quantise_i16(x: *const f32, inv: v128, out: *mut u32) {
            let q = f32x4_splat(32767.0);
            let int = |v: v128| {
                let v = Self::zero_nan(f32x4_mul(v, inv)); // before pmin/pmax: see `zero_nan`
                i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_pmin(f32x4_pmax(v, f32x4_neg(q)), q)))
            };
            let (a, b) = (int(v128_load(x as *const v128)), int(v128_load(x.add(4) as *const v128)));
            v128_store(out as *mut v128, i16x8_narrow_i32x4(a, b));
        }
        #[inline(always)]
        unsafe fn tile<const AT: bool>(t: &Tile) {
            gemm::tile_nv2::<Self, 4, AT>(t)
        }
        #[inline(always)]
        unsafe fn gemv(x: *const f32, b: &PackedB, c: *mut f32, init: Init) {
            gemm::gemv::<Self, 4, 2>(x, b, c, init)
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{gemm, Init, PackedB, Simd, Tile};
    use std::arch::x86_64::*;

    /// AVX2 + FMA: 8 lanes. A 6×16 tile keeps 12 of the 16 ymm registers as accumulators.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2;

    impl Simd for Avx2 {
        type V = __m256;
        const LANES: usize = 8;
        const MR: usize = 6;
        const NV: usize = 2;
        const BF16_SPLIT: bool = true;

        #[inline(always)]
        unsafe fn splat(x: f32) -> __m256 {
            _mm256_set1_ps(x)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m256 {
            _mm256_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: __m256) {
            _mm256_storeu_ps(p, v)
        }
        #[inline(always)]
        unsafe fn add(a: __m256, b: __m256) -> __m256 {
            _mm256_add_ps(a, b)
        }
        #[inline(always)]
        unsafe fn sub(a: __m256, b: __m256) -> __m256 {
            _mm256_sub_ps(a, b)
        }
        #[inline(always)]
        unsafe fn mul(a: __m256, b: __m256) -> __m256 {
            _mm256_mul_ps(a, b)
        }
        #[inline(always)]
        unsafe fn recip(a: __m256) -> __m256 {
            let y = _mm256_rcp_ps(a); // 12 bits
            _mm256_fmadd_ps(y, _mm256_fnmadd_ps(a, y, _mm256_set1_ps(1.0)), y)
        }
        #[inline(always)]
        unsafe fn mul_add(a: __m256, b: __m256, c: __m256) -> __m256 {
            _mm256_fmadd_ps(a, b, c)
        }
        #[inline(always)]
        unsafe fn max(a: __m256, b: __m256) -> __m256 {
            _mm256_max_ps(b, a) // b > a ? b : a, else the second operand a (also when either is NaN)
        }
        #[inline(always)]
        unsafe fn min(a: __m256, b: __m256) -> __m256 {
            _mm256_min_ps(b, a)
        }
        #[inline(always)]
        unsafe fn select_lt(a: __m256, b: __m256, x: __m256, y: __m256) -> __m256 {
            _mm256_blendv_ps(y, x, _mm256_cmp_ps::<_CMP_LT_OQ>(a, b))
        }
        #[inline(always)]
        unsafe fn copysign(mag: __m256, sign: __m256) -> __m256 {
            let s = _mm256_set1_ps(-0.0);
            _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sign))
        }
        #[inline(always)]
        unsafe fn abs(a: __m256) -> __m256 {
            _mm256_andnot_ps(_mm256_set1_ps(-0.0), a)
        }
        #[inline(always)]
        unsafe fn zero_nan(a: __m256) -> __m256 {
            _mm256_and_ps(a, _mm256_cmp_ps::<_CMP_ORD_Q>(a, a))
        }
        #[inline(always)]
        unsafe fn pow2i(t: __m256) -> __m256 {
            let bits = _mm256_slli_epi32::<23>(_mm256_castps_si256(t));
            _mm256_castsi256_ps(_mm256_add_epi32(bits, _mm256_set1_epi32(0x3f80_0000)))
        }
        #[inline(always)]
        unsafe fn hsum(v: __m256) -> f32 {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
        }
        #[inline(always)]
        unsafe fn hmax(v: __m256) -> f32 {
            let s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let s = _mm_max_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_max_ss(s, _mm_shuffle_ps::<1>(s, s)))
        }
        #[inline(always)]
        unsafe fn load_bf16(p: *const u32) -> (__m256, __m256) {
            let w = _mm256_loadu_si256(p as *const __m256i);
            let hi = _mm256_and_si256(w, _mm256_set1_epi32(0xFFFF_0000u32 as i32));
            (_mm256_castsi256_ps(_mm256_slli_epi32::<16>(w)), _mm256_castsi256_ps(hi))
        }
        #[inline(always)]
        unsafe fn zero_i32() -> __m256 {
            _mm256_setzero_ps()
        }
        #[inline(always)]
        unsafe fn dot_i16_acc(acc: __m256, p: *const u32, x: u32) -> __m256 {
            let prod = _mm256_madd_epi16(_mm256_loadu_si256(p as *const __m256i), _mm256_set1_epi32(x as i32));
            _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(acc), prod))
        }
        #[inline(always)]
        unsafe fn i32_to_f32(v: __m256) -> __m256 {
            _mm256_cvtepi32_ps(_mm256_castps_si256(v))
        }
        #[inline(always)]
        unsafe fn quantise_i16(x: *const f32, inv: __m256, out: *mut u32) {
            let q = _mm256_set1_ps(32767.0);
            let int = |v: __m256| {
                // NaN → 0 (the conversion would give i32::MIN); rounding is the default, to nearest even.
                let v = Self::zero_nan(_mm256_mul_ps(v, inv));
                _mm256_cvtps_epi32(_mm256_min_ps(q, _mm256_max_ps(_mm256_set1_ps(-32767.0), v)))
            };
            let packed = _mm256_packs_epi32(int(_mm256_loadu_ps(x)), int(_mm256_loadu_ps(x.add(8))));
            // packs works per 128-bit half: [a0-3, b0-3, a4-7, b4-7] → [a0-7, b0-7].
            _mm256_storeu_si256(out as *mut __m256i, _mm256_permute4x64_epi64::<0b11_01_10_00>(packed));
        }
        #[inline(always)]
        unsafe fn tile<const AT: bool>(t: &Tile) {
            gemm::tile_nv2::<Self, 6, AT>(t)
        }
        #[inline(always)]
        unsafe fn gemv(x: *const f32, b: &PackedB, c: *mut f32, init: Init) {
            gemm::gemv::<Self, 4, 2>(x, b, c, init)
        }
    }

    /// AVX-512F: 16 lanes. An 8×32 tile keeps 16 of the 32 zmm registers as accumulators; per step
    /// it loads 2 vectors and broadcasts 8 scalars for 16 FMAs, so the FMA ports stay the limit.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx512;

    impl Simd for Avx512 {
        type V = __m512;
        const LANES: usize = 16;
        const MR: usize = 8;
        const NV: usize = 2;
        const BF16_SPLIT: bool = true;

        #[inline(always)]
        unsafe fn splat(x: f32) -> __m512 {
            _mm512_set1_ps(x)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m512 {
            _mm512_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: __m512) {
            _mm512_storeu_ps(p, v)
        }
        #[inline(always)]
        unsafe fn add(a: __m512, b: __m512) -> __m512 {
            _mm512_add_ps(a, b)
        }
        #[inline(always)]
        unsafe fn sub(a: __m512, b: __m512) -> __m512 {
            _mm512_sub_ps(a, b)
        }
        #[inline(always)]
        unsafe fn mul(a: __m512, b: __m512) -> __m512 {
            _mm512_mul_ps(a, b)
        }
        #[inline(always)]
        unsafe fn recip(a: __m512) -> __m512 {
            let y = _mm512_rcp14_ps(a); // 14 bits
            _mm512_fmadd_ps(y, _mm512_fnmadd_ps(a, y, _mm512_set1_ps(1.0)), y)
        }
        #[inline(always)]
        unsafe fn mul_add(a: __m512, b: __m512, c: __m512) -> __m512 {
            _mm512_fmadd_ps(a, b, c)
        }
        #[inline(always)]
        unsafe fn max(a: __m512, b: __m512) -> __m512 {
            _mm512_max_ps(b, a)
        }
        #[inline(always)]
        unsafe fn min(a: __m512, b: __m512) -> __m512 {
            _mm512_min_ps(b, a)
        }
        #[inline(always)]
        unsafe fn select_lt(a: __m512, b: __m512, x: __m512, y: __m512) -> __m512 {
            _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(a, b), y, x)
        }
        #[inline(always)]
        unsafe fn copysign(mag: __m512, sign: __m512) -> __m512 {
            let s = _mm512_set1_epi32(i32::MIN);
            let m = _mm512_andnot_si512(s, _mm512_castps_si512(mag));
            _mm512_castsi512_ps(_mm512_or_si512(m, _mm512_and_si512(s, _mm512_castps_si512(sign))))
        }
        #[inline(always)]
        unsafe fn abs(a: __m512) -> __m512 {
            _mm512_abs_ps(a)
        }
        #[inline(always)]
        unsafe fn zero_nan(a: __m512) -> __m512 {
            _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_ORD_Q>(a, a), a)
        }
        #[inline(always)]
        unsafe fn pow2i(t: __m512) -> __m512 {
            let bits = _mm512_slli_epi32::<23>(_mm512_castps_si512(t));
            _mm512_castsi512_ps(_mm512_add_epi32(bits, _mm512_set1_epi32(0x3f80_0000)))
        }
        #[inline(always)]
        unsafe fn hsum(v: __m512) -> f32 {
            _mm512_reduce_add_ps(v)
        }
        #[inline(always)]
        unsafe fn hmax(v: __m512) -> f32 {
            _mm512_reduce_max_ps(v)
        }
        #[inline(always)]
        unsafe fn load_bf16(p: *const u32) -> (__m512, __m512) {
            let w = _mm512_loadu_si512(p as *const __m512i);
            let hi = _mm512_and_si512(w, _mm512_set1_epi32(0xFFFF_0000u32 as i32));
            (_mm512_castsi512_ps(_mm512_slli_epi32::<16>(w)), _mm512_castsi512_ps(hi))
        }
        #[inline(always)]
        unsafe fn zero_i32() -> __m512 {
            _mm512_setzero_ps()
        }
        #[inline(always)]
        unsafe fn dot_i16_acc(acc: __m512, p: *const u32, x: u32) -> __m512 {
            // AVX-512F has no 16-bit multiply (that is AVX-512BW): two AVX2 halves.
            let (w, xv) = (_mm512_loadu_si512(p as *const __m512i), _mm256_set1_epi32(x as i32));
            let lo = _mm256_madd_epi16(_mm512_castsi512_si256(w), xv);
            let hi = _mm256_madd_epi16(_mm512_extracti64x4_epi64::<1>(w), xv);
            let prod = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(lo), hi);
            _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(acc), prod))
        }
        #[inline(always)]
        unsafe fn i32_to_f32(v: __m512) -> __m512 {
            _mm512_cvtepi32_ps(_mm512_castps_si512(v))
        }
        #[inline(always)]
        unsafe fn quantise_i16(x: *const f32, inv: __m512, out: *mut u32) {
            let q = _mm512_set1_ps(32767.0);
            let int = |v: __m512| {
                // NaN → 0 (the conversion would give i32::MIN); rounding is the default, to nearest even.
                let v = Self::zero_nan(_mm512_mul_ps(v, inv));
                _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(_mm512_min_ps(q, _mm512_max_ps(_mm512_set1_ps(-32767.0), v))))
            };
            _mm256_storeu_si256(out as *mut __m256i, int(_mm512_loadu_ps(x)));
            _mm256_storeu_si256((out as *mut __m256i).add(1), int(_mm512_loadu_ps(x.add(16))));
        }
        #[inline(always)]
        unsafe fn tile<const AT: bool>(t: &Tile) {
            gemm::tile_nv2::<Self, 8, AT>(t)
        }
        #[inline(always)]
        unsafe fn gemv(x: *const f32, b: &PackedB, c: *mut f32, init: Init) {
            gemm::gemv::<Self, 4, 2>(x, b, c, init)
        }
    }
}

/// The index `j` of a kernel's scalar tail (the at most LANES − 1 elements after its vector loop),
/// made opaque to the optimiser: otherwise the compiler vectorizes those few iterations once more,
/// with the runtime checks that takes — code that never runs when the width is a multiple of the
/// lanes, and was ~3 KB of wasm in each cell's forward step. The arithmetic is unchanged.
#[inline(always)]
pub(crate) fn tail_index(j: usize) -> usize {
    std::hint::black_box(j)
}
