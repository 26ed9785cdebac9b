//! Dense kernels on flat row-major `f32` buffers: the only place the arithmetic is heavy.
//!
//! Every kernel is written once, generic over a small SIMD vocabulary ([`simd`]), and compiled per
//! instruction set: AVX-512 or AVX2+FMA on x86-64 (chosen at run time, so the binary still runs on
//! any x86-64), WebAssembly SIMD on wasm32, and a scalar fallback elsewhere. An [`Isa`] value says
//! which one runs; the model keeps one, so all of its arithmetic is deterministic on a machine.
//!
//! Two GEMM shapes cover training: `C = A·B` with B a weight matrix packed once per optimizer step
//! into the micro-kernel's panel layout ([`PackedB`], [`gemm`]), and `C += Aᵀ·B` for the weight
//! gradients summed over all time steps ([`gemm_tn_acc`]). One-row products (sampling) take a GEMV
//! path over the same packed panels, or over a bf16 copy of the weights ([`PackedBf16`],
//! [`gemm_bf16`]) where sampling may trade exactness for half the memory traffic.

mod bf16;
mod gemm;
mod int16;
pub(crate) mod math;
pub(crate) mod simd;

pub use bf16::{bf16_bits, bf16_round, PackedBf16};
pub use gemm::PackedB;
pub use int16::PackedI16;
use simd::{Scalar, Simd};
use std::sync::OnceLock;

/// An instruction set the kernels can run on: one detected on this CPU (only such values exist).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isa(Level);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    // Not in a SIMD wasm build: that module cannot run without SIMD anyway, and one copy of each
    // kernel keeps it small.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

impl Isa {
    /// Every instruction set this CPU supports, slowest first.
    pub fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut all = Vec::new();
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        all.push(Isa(Level::Scalar));
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            all.push(Isa(Level::Avx2));
            if is_x86_feature_detected!("avx512f") {
                all.push(Isa(Level::Avx512));
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        all.push(Isa(Level::Simd128));
        all
    }

    /// The fastest available instruction set, or the one named by the environment variable
    /// `RNN_PLAYGROUND_ISA` (`scalar`, `avx2`, `avx512`) when available — for measuring fallbacks.
    /// Decided once per process.
    pub fn detect() -> Isa {
        static DETECTED: OnceLock<Isa> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let all = Isa::available();
            let wanted = std::env::var("RNN_PLAYGROUND_ISA").ok();
            all.iter().copied().find(|i| Some(i.name()) == wanted.as_deref()).unwrap_or(all[all.len() - 1])
        })
    }

    /// Lower-case name: `scalar`, `avx2`, `avx512` or `simd128`.
    pub fn name(self) -> &'static str {
        match self.0 {
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Level::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => "avx512",
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => "simd128",
        }
    }

    /// `f32` lanes of this ISA's vectors.
    fn lanes(self) -> usize {
        fn lanes<S: Simd>() -> usize {
            S::LANES
        }
        match self.0 {
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Level::Scalar => lanes::<Scalar>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => lanes::<simd::Avx2>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => lanes::<simd::Avx512>(),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => lanes::<simd::Simd128>(),
        }
    }

    /// [`Simd::BF16_SPLIT`] of this ISA: the order of the columns in a bf16 sub-panel row.
    fn bf16_split(self) -> bool {
        fn split<S: Simd>() -> bool {
            S::BF16_SPLIT
        }
        match self.0 {
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Level::Scalar => split::<Scalar>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => split::<simd::Avx2>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => split::<simd::Avx512>(),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => split::<simd::Simd128>(),
        }
    }

    /// Panel width NR of this ISA's packed matrices.
    fn nr(self) -> usize {
        fn nr<S: Simd>() -> usize {
            S::NV * S::LANES
        }
        match self.0 {
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Level::Scalar => nr::<Scalar>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => nr::<simd::Avx2>(),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => nr::<simd::Avx512>(),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Level::Simd128 => nr::<simd::Simd128>(),
        }
    }
}

/// Defines `$vis fn $name(isa: Isa, args…)` that runs the generic `unsafe fn $imp::<S: Simd>(args…)`
/// compiled for the ISA `isa` names: on x86-64 inside a `#[target_feature]` function per level, so
/// that the `#[inline(always)]` SIMD methods become straight vector code.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $imp:ident;) => {
        $(#[$attr])*
        $vis fn $name(isa: $crate::kernels::Isa, $($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                unsafe { $imp::<$crate::kernels::simd::Avx2>($($arg),*) }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                unsafe { $imp::<$crate::kernels::simd::Avx512>($($arg),*) }
            }
            // SAFETY: an `Isa` names only instruction sets detected on this CPU.
            unsafe {
                match isa.level() {
                    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                    $crate::kernels::Level::Scalar => $imp::<$crate::kernels::simd::Scalar>($($arg),*),
                    #[cfg(target_arch = "x86_64")]
                    $crate::kernels::Level::Avx2 => avx2($($arg),*),
                    #[cfg(target_arch = "x86_64")]
                    $crate::kernels::Level::Avx512 => avx512($($arg),*),
                    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                    $crate::kernels::Level::Simd128 => $imp::<$crate::kernels::simd::Simd128>($($arg),*),
                }
            }
        }
    };
}
pub(crate) use multiversion;

impl Isa {
    /// The level `multiversion!` dispatches on.
    pub(crate) fn level(self) -> Level {
        self.0
    }
}

/// How a product is written into C.
#[derive(Clone, Copy, Debug)]
pub enum Out<'a> {
    /// `C = A·B`.
    Overwrite,
    /// `C += A·B`.
    Accumulate,
    /// `C = A·B + bias` with the bias (n) added to every row.
    Bias(&'a [f32]),
}

impl PackedB {
    /// Packs `B (k×n)` for `isa`: `src` is row-major `k × n`, or with `transposed` its transpose
    /// `n × k` (a PyTorch weight `W (out, in)` is packed as `Wᵀ` for `x·Wᵀ`). Reuses the allocation.
    pub fn pack(&mut self, isa: Isa, k: usize, n: usize, src: &[f32], transposed: bool) {
        self.pack_nr(isa.nr(), k, n, src, transposed);
    }
}

/// The checks of every `gemm*` entry point: strides, A, C and a bias large enough for
/// `C (m × n) = A (m × k) · B`. False when there is nothing to compute (m or n is 0).
fn check_shapes(name: &str, (m, k, n): (usize, usize, usize), (a, lda): (&[f32], usize), (c, ldc): (&[f32], usize), out: Out) -> bool {
    if m == 0 || n == 0 {
        return false;
    }
    assert!(lda >= k && ldc >= n, "{name}: strides");
    assert!(a.len() >= (m - 1) * lda + k, "{name}: A has {} floats for {m}×{k}", a.len());
    assert!(c.len() >= (m - 1) * ldc + n, "{name}: C has {} floats for {m}×{n}", c.len());
    if let Out::Bias(bias) = out {
        assert!(bias.len() >= n, "{name}: bias of {} for {n} columns", bias.len());
    }
    true
}

/// `C (m × n) = A (m × k) · B` (or `+=`, or `+ bias`, per `out`), B packed as `k × n`. A has row
/// stride `lda ≥ k`, C row stride `ldc ≥ n`. One row (m = 1) runs as a GEMV.
#[allow(clippy::too_many_arguments)]
pub fn gemm(isa: Isa, m: usize, a: &[f32], lda: usize, b: &PackedB, c: &mut [f32], ldc: usize, out: Out) {
    let (k, n) = (b.k, b.n);
    assert_eq!(b.nr, isa.nr(), "gemm: B was packed for another instruction set");
    if !check_shapes("gemm", (m, k, n), (a, lda), (c, ldc), out) {
        return;
    }
    gemm_dispatch(isa, m, a.as_ptr(), lda, b, c.as_mut_ptr(), ldc, out);
}

multiversion! {
    #[allow(clippy::too_many_arguments)]
    fn gemm_dispatch(m: usize, a: *const f32, lda: usize, b: &PackedB, c: *mut f32, ldc: usize, out: Out) = gemm_impl;
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_impl<S: Simd>(m: usize, a: *const f32, lda: usize, b: &PackedB, c: *mut f32, ldc: usize, out: Out) {
    gemm::gemm_packed::<S>(m, a, lda, b, c, ldc, gemm::Init::of(out))
}

impl PackedBf16 {
    /// Rounds `B (k×n)` to bf16 and packs it for `isa`'s [`gemm_bf16`]: `src` as in
    /// [`PackedB::pack`]. Reuses the allocation.
    pub fn pack(&mut self, isa: Isa, k: usize, n: usize, src: &[f32], transposed: bool) {
        self.pack_lanes(isa.lanes(), isa.bf16_split(), k, n, src, transposed);
    }
}

/// [`gemm`] with B in bf16: `C (m × n) = A (m × k) · B` (or `+=`, or `+ bias`), each row a GEMV
/// that widens B to f32 and accumulates in f32. For one-row products (sampling), where streaming
/// the weights is the cost.
#[allow(clippy::too_many_arguments)]
pub fn gemm_bf16(isa: Isa, m: usize, a: &[f32], lda: usize, b: &PackedBf16, c: &mut [f32], ldc: usize, out: Out) {
    let (k, n) = (b.k, b.n);
    let layout = (isa.lanes(), isa.bf16_split());
    assert_eq!((b.lanes, b.split), layout, "gemm_bf16: B was packed for another instruction set");
    if !check_shapes("gemm_bf16", (m, k, n), (a, lda), (c, ldc), out) {
        return;
    }
    for i in 0..m {
        gemv_bf16_dispatch(isa, a[i * lda..].as_ptr(), b, c[i * ldc..].as_mut_ptr(), out);
    }
}

multiversion! {
    fn gemv_bf16_dispatch(x: *const f32, b: &PackedBf16, c: *mut f32, out: Out) = gemv_bf16_impl;
}

#[inline(always)]
unsafe fn gemv_bf16_impl<S: Simd>(x: *const f32, b: &PackedBf16, c: *mut f32, out: Out) {
    bf16::gemv_bf16::<S>(x, b, c, gemm::Init::of(out))
}

impl PackedI16 {
    /// Quantises `B (k×n)` to i16 per column and packs it for `isa`'s [`gemm_i16`]: `src` as in
    /// [`PackedB::pack`]. Reuses the allocation.
    pub fn pack(&mut self, isa: Isa, k: usize, n: usize, src: &[f32], transposed: bool) {
        self.pack_lanes(isa.lanes(), k, n, src, transposed);
    }
}

/// [`gemm`] in 16-bit integers: each row of A is quantised (one scale per row) and multiplied by
/// the quantised B with exact i32 sums, then rescaled to f32 and written per `out`.
#[allow(clippy::too_many_arguments)]
pub fn gemm_i16(isa: Isa, m: usize, a: &[f32], lda: usize, b: &PackedI16, c: &mut [f32], ldc: usize, out: Out) {
    let (k, n) = (b.k, b.n);
    assert_eq!(b.lanes, isa.lanes(), "gemm_i16: B was packed for another instruction set");
    if !check_shapes("gemm_i16", (m, k, n), (a, lda), (c, ldc), out) {
        return;
    }
    // The quantised row: on the stack up to k = 2048.
    let mut stack = [0u32; 1024];
    let mut heap = Vec::new();
    let xq = if k.div_ceil(2) <= stack.len() {
        &mut stack[..k.div_ceil(2)]
    } else {
        heap.resize(k.div_ceil(2), 0);
        &mut heap[..]
    };
    for i in 0..m {
        gemv_i16_dispatch(isa, &a[i * lda..i * lda + k], xq, b, c[i * ldc..].as_mut_ptr(), out);
    }
}

multiversion! {
    fn gemv_i16_dispatch(x: &[f32], xq: &mut [u32], b: &PackedI16, c: *mut f32, out: Out) = gemv_i16_impl;
}

#[inline(always)]
unsafe fn gemv_i16_impl<S: Simd>(x: &[f32], xq: &mut [u32], b: &PackedI16, c: *mut f32, out: Out) {
    let scale = int16::quantise_row::<S>(x, xq);
    int16::gemv_i16::<S>(xq.as_ptr(), scale, b, c, gemm::Init::of(out))
}

/// `C (m × n) += Aᵀ · B` with `A (k × m)` and `B (k × n)` (row strides `lda ≥ m`, `ldb ≥ n`,
/// `ldc ≥ n`): a sum of outer products over the k rows, e.g. a weight gradient over all time steps.
#[allow(clippy::too_many_arguments)]
pub fn gemm_tn_acc(
    isa: Isa,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(lda >= m && ldb >= n && ldc >= n, "gemm_tn_acc: strides");
    assert!(a.len() >= (k - 1) * lda + m, "gemm_tn_acc: A has {} floats for {k}×{m}", a.len());
    assert!(b.len() >= (k - 1) * ldb + n, "gemm_tn_acc: B has {} floats for {k}×{n}", b.len());
    assert!(c.len() >= (m - 1) * ldc + n, "gemm_tn_acc: C has {} floats for {m}×{n}", c.len());
    gemm_tn_dispatch(isa, m, n, k, a.as_ptr(), lda, b.as_ptr(), ldb, c.as_mut_ptr(), ldc);
}

multiversion! {
    #[allow(clippy::too_many_arguments)]
    fn gemm_tn_dispatch(
        m: usize, n: usize, k: usize, a: *const f32, lda: usize, b: *const f32, ldb: usize, c: *mut f32, ldc: usize,
    ) = gemm_tn_impl;
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_tn_impl<S: Simd>(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
) {
    gemm::gemm_tn::<S>(m, n, k, a, lda, b, ldb, c, ldc)
}

multiversion! {
    /// `out (n) += Σ_rows x (m×n)`: a bias gradient.
    pub fn sum_rows_acc(x: &[f32], out: &mut [f32]) = sum_rows_acc_impl;
}

#[inline(always)]
unsafe fn sum_rows_acc_impl<S: Simd>(x: &[f32], out: &mut [f32]) {
    let n = out.len();
    for row in x.chunks_exact(n) {
        let mut j = 0;
        while j + S::LANES <= n {
            let o = out.as_mut_ptr().add(j);
            S::store(o, S::add(S::load(o), S::load(row.as_ptr().add(j))));
            j += S::LANES;
        }
        for (o, &v) in out[j..].iter_mut().zip(&row[j..]) {
            *o += v;
        }
    }
}

/// Sum of squares: f32 lanes over blocks of 1024, the blocks summed in f64 so that norms of large
/// models stay exact enough. Runs on [`Isa::detect`].
pub fn sum_sq(x: &[f32]) -> f64 {
    sum_sq_isa(Isa::detect(), x)
}

multiversion! {
    /// [`sum_sq`] on a given instruction set.
    pub fn sum_sq_isa(x: &[f32]) -> f64 = sum_sq_impl;
}

#[inline(always)]
unsafe fn sum_sq_impl<S: Simd>(x: &[f32]) -> f64 {
    let mut total = 0.0f64;
    for block in x.chunks(1024) {
        let mut acc = S::splat(0.0);
        let mut j = 0;
        while j + S::LANES <= block.len() {
            let v = S::load(block.as_ptr().add(j));
            acc = S::mul_add(v, v, acc);
            j += S::LANES;
        }
        let tail: f32 = block[j..].iter().map(|v| v * v).sum();
        total += (S::hsum(acc) + tail) as f64;
    }
    total
}

multiversion! {
    /// Unnormalised softmax weights: `out[i] = e^{(x[i] − shift)·scale}` (`shift` the largest x,
    /// `scale` 1 / temperature), exactly 0 where the exponent is below −87 (e^−87 ≈ 1.6e−38; a
    /// masked −∞ logit is 0); returns their sum.
    pub fn softmax_weights(x: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 = softmax_weights_impl;
}

#[inline(always)]
unsafe fn softmax_weights_impl<S: Simd>(x: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 {
    #[inline(always)]
    unsafe fn weight<S: Simd>(x: S::V, shift: f32, scale: f32) -> S::V {
        let arg = S::mul(S::sub(x, S::splat(shift)), S::splat(scale));
        S::select_lt(arg, S::splat(-87.0), S::splat(0.0), math::exp::<S>(arg))
    }
    let n = x.len();
    assert!(out.len() >= n, "softmax_weights: out of {} for {n}", out.len());
    let (mut sum, mut j) = (S::splat(0.0), 0);
    while j + S::LANES <= n {
        let w = weight::<S>(S::load(x.as_ptr().add(j)), shift, scale);
        S::store(out.as_mut_ptr().add(j), w);
        sum = S::add(sum, w);
        j += S::LANES;
    }
    let mut tail = 0.0;
    while j < n {
        let w = weight::<Scalar>(x[j], shift, scale);
        out[j] = w;
        tail += w;
        j += 1;
    }
    S::hsum(sum) + tail
}

/// The logistic function σ(x) = 1 / (1 + e^(−x)), the same approximation the vector kernels use.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    // SAFETY: the scalar ISA needs no CPU feature.
    unsafe { math::sigmoid::<Scalar>(x) }
}

/// `tanh x`, the same approximation the vector kernels use.
#[inline]
pub fn tanh(x: f32) -> f32 {
    // SAFETY: as above.
    unsafe { math::tanh::<Scalar>(x) }
}
