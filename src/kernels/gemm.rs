//! Register-tiled GEMM, generic over the [`Simd`] ISA.
//!
//! The micro-kernel [`tile`] computes an `MR × NR` block of C in registers, streaming one row of a
//! B panel (`NR` contiguous floats) and broadcasting `MR` elements of A per step of k. In `C = A·B`
//! ([`gemm_packed`]) B is a [`PackedB`] — weights packed once per optimizer step into zero-padded
//! panels of `k × NR` — and A is read in place; k is blocked by [`KC`] and m by [`MC`] so that a B
//! panel stays in L1 and the block of A in L2 while the tiles sweep it. In the weight gradients
//! `C += Aᵀ·B` ([`gemm_tn`]) both operands are activations whose rows are k, far apart in memory;
//! both are packed per block (on the stack) so that the tile streams contiguous memory.

use super::simd::Simd;
use super::Out;

/// Depth of a k block: a B panel of `KC × NR` floats (32 KB for NR = 32) stays in L1.
const KC: usize = 256;
/// Widest panel of any ISA (AVX-512: 2 × 16 lanes): sizes the stack buffers for edge tiles.
pub(super) const NR_MAX: usize = 32;

/// A `k × n` matrix in the micro-kernel's layout: `⌈n / NR⌉` panels, each `k` rows of `NR`
/// contiguous floats, columns past `n` zero. Rebuilt in place (no allocation once sized).
#[derive(Clone, Debug, Default)]
pub struct PackedB {
    pub(crate) k: usize,
    pub(crate) n: usize,
    pub(crate) nr: usize,
    data: Vec<Line>, // (⌈n/NR⌉, k, NR) floats
}

/// 16 floats on a 64-byte boundary: whole-cache-line panel rows (a load split over two lines
/// costs two), also in clones.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Line([f32; 16]);

impl PackedB {
    /// Rows k (the inner dimension of the product).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns n.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The packed floats.
    fn floats(&self) -> &[f32] {
        // SAFETY: `Line` is 16 plain f32s with no padding (size 64 = 16 × 4).
        unsafe { std::slice::from_raw_parts(self.data.as_ptr() as *const f32, self.data.len() * 16) }
    }

    /// [`PackedB::pack`] with the panel width `nr` of the target ISA.
    pub(crate) fn pack_nr(&mut self, nr: usize, k: usize, n: usize, src: &[f32], transposed: bool) {
        assert!(src.len() >= k * n, "pack: source of {} floats for {k}×{n}", src.len());
        let panels = n.div_ceil(nr);
        (self.k, self.n, self.nr) = (k, n, nr);
        self.data.clear();
        self.data.resize((panels * k * nr).div_ceil(16), Line::default());
        // SAFETY: as in `floats`.
        let data = unsafe { std::slice::from_raw_parts_mut(self.data.as_mut_ptr() as *mut f32, self.data.len() * 16) };
        for (jp, panel) in data.chunks_exact_mut((k * nr).max(1)).enumerate().take(panels) {
            let j0 = jp * nr;
            let cols = nr.min(n - j0);
            for (p, row) in panel.chunks_exact_mut(nr).enumerate() {
                for (c, v) in row[..cols].iter_mut().enumerate() {
                    *v = if transposed { src[(j0 + c) * k + p] } else { src[p * n + j0 + c] };
                }
            }
        }
    }

    /// Start of panel `jp` at row `p`.
    #[inline(always)]
    fn at(&self, jp: usize, p: usize) -> *const f32 {
        self.floats()[jp * self.k * self.nr + p * self.nr..].as_ptr()
    }
}

/// How a tile starts before the products are added.
#[derive(Clone, Copy)]
pub(crate) enum Init {
    Zero,
    /// From C (accumulate).
    Load,
    /// From a row vector (bias), at least `cols` long.
    Bias(*const f32),
}

impl Init {
    pub(crate) fn of(out: Out) -> Init {
        match out {
            Out::Overwrite => Init::Zero,
            Out::Accumulate => Init::Load,
            Out::Bias(b) => Init::Bias(b.as_ptr()),
        }
    }

    /// The init for a later k block, after an earlier one stored its partial sums in C.
    fn next_block(self) -> Init {
        Init::Load
    }

    /// The same init for the block of columns starting at `j0`.
    pub(super) fn at_col(self, j0: usize) -> Init {
        match self {
            Init::Bias(b) => Init::Bias(unsafe { b.add(j0) }),
            other => other,
        }
    }
}

/// Arguments of one micro-kernel call: `C[rows × cols] (init) + Σ_p A(r, p) · B(p, c)` over `k`.
pub(crate) struct Tile {
    pub k: usize,
    /// A(r, p) is `a[r·a_rs + p]`, or with A transposed (`AT`) `a[r + p·a_rs]`.
    pub a: *const f32,
    pub a_rs: usize,
    /// Valid rows, `1..=MR`; the missing ones are computed from row 0 and not stored.
    pub rows: usize,
    /// B(p, c) is `b[p·b_rs + c]` for c < NR (readable, zero past the valid columns or ignored).
    pub b: *const f32,
    pub b_rs: usize,
    pub c: *mut f32,
    pub ldc: usize,
    /// Valid columns, `1..=NV·LANES`.
    pub cols: usize,
    pub init: Init,
}

/// The micro-kernel: `MR × NV` vector accumulators in registers over the whole depth `t.k`.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indexed loops over const-sized arrays unroll into registers
pub(crate) unsafe fn tile<S: Simd, const MR: usize, const NV: usize, const AT: bool>(t: &Tile) {
    let l = S::LANES;
    let full = t.cols == NV * l;
    let mut buf = [0.0f32; NR_MAX];
    let mut acc = [[S::splat(0.0); NV]; MR];
    match t.init {
        Init::Zero => {}
        Init::Load => {
            for (r, acc_r) in acc.iter_mut().enumerate().take(t.rows) {
                let src = load_row(t.c.add(r * t.ldc), t.cols, full, &mut buf);
                for (v, a) in acc_r.iter_mut().enumerate() {
                    *a = S::load(src.add(v * l));
                }
            }
        }
        Init::Bias(bias) => {
            let src = load_row(bias, t.cols, full, &mut buf);
            for v in 0..NV {
                let bv = S::load(src.add(v * l));
                for acc_r in acc.iter_mut() {
                    acc_r[v] = bv;
                }
            }
        }
    }
    // Rows past the edge repeat row 0: same work, nothing stored, no out-of-bounds reads.
    let mut a_row = [t.a; MR];
    for (r, p) in a_row.iter_mut().enumerate() {
        let r = if r < t.rows { r } else { 0 };
        *p = if AT { t.a.add(r) } else { t.a.add(r * t.a_rs) };
    }
    let (a_step, mut b) = (if AT { t.a_rs } else { 1 }, t.b);
    for p in 0..t.k {
        let mut bv = [S::splat(0.0); NV];
        for (v, x) in bv.iter_mut().enumerate() {
            *x = S::load(b.add(v * l));
        }
        let off = p * a_step;
        for r in 0..MR {
            let av = S::splat(*a_row[r].add(off));
            for v in 0..NV {
                acc[r][v] = S::mul_add(av, bv[v], acc[r][v]);
            }
        }
        b = b.add(t.b_rs);
    }
    for (r, acc_r) in acc.iter().enumerate().take(t.rows) {
        store_row::<S, NV>(t.c.add(r * t.ldc), acc_r, t.cols, &mut buf);
    }
}

/// `src` itself when the row is full, else its first `cols` floats copied into `buf`.
#[inline(always)]
pub(super) unsafe fn load_row(src: *const f32, cols: usize, full: bool, buf: &mut [f32; NR_MAX]) -> *const f32 {
    if full {
        src
    } else {
        std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), cols);
        buf.as_ptr()
    }
}

/// [`tile`] for two-vector ISAs: a one-vector tile when the edge panel has at most `LANES` columns.
#[inline(always)]
pub(crate) unsafe fn tile_nv2<S: Simd, const MR: usize, const AT: bool>(t: &Tile) {
    if t.cols <= S::LANES {
        tile::<S, MR, 1, AT>(t)
    } else {
        tile::<S, MR, 2, AT>(t)
    }
}

/// `c (n) = x (k) · B + init` for one row: `P` panels at a time (`P · NV` independent accumulators
/// hide the add latency), summing over k in the same order as [`tile`], so a row gives
/// bit-identical results either way.
#[inline(always)]
pub(crate) unsafe fn gemv<S: Simd, const P: usize, const NV: usize>(x: *const f32, b: &PackedB, c: *mut f32, init: Init) {
    let panels = b.n.div_ceil(b.nr);
    let mut jp = 0;
    while jp + P <= panels {
        gemv_panels::<S, P, NV>(x, b, jp, c, init);
        jp += P;
    }
    while jp < panels {
        gemv_panels::<S, 1, NV>(x, b, jp, c, init);
        jp += 1;
    }
}

/// [`gemv`] on panels `jp..jp + P`.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn gemv_panels<S: Simd, const P: usize, const NV: usize>(
    x: *const f32,
    b: &PackedB,
    jp: usize,
    c: *mut f32,
    init: Init,
) {
    let (l, nr) = (S::LANES, b.nr);
    let mut buf = [0.0f32; NR_MAX];
    let mut acc = [[S::splat(0.0); NV]; P];
    let mut cols = [nr; P];
    for (q, acc_q) in acc.iter_mut().enumerate() {
        let j0 = (jp + q) * nr;
        cols[q] = nr.min(b.n - j0);
        let full = cols[q] == nr;
        let src = match init.at_col(j0) {
            Init::Zero => continue,
            Init::Load => load_row(c.add(j0), cols[q], full, &mut buf),
            Init::Bias(bias) => load_row(bias, cols[q], full, &mut buf),
        };
        for (v, a) in acc_q.iter_mut().enumerate() {
            *a = S::load(src.add(v * l));
        }
    }
    let mut bp = [std::ptr::null::<f32>(); P];
    for (q, p) in bp.iter_mut().enumerate() {
        *p = b.at(jp + q, 0);
    }
    for p in 0..b.k {
        let xv = S::splat(*x.add(p));
        for q in 0..P {
            for v in 0..NV {
                acc[q][v] = S::mul_add(xv, S::load(bp[q].add(p * nr + v * l)), acc[q][v]);
            }
        }
    }
    for (q, acc_q) in acc.iter().enumerate() {
        store_row::<S, NV>(c.add((jp + q) * nr), acc_q, cols[q], &mut buf);
    }
}

/// Stores the first `cols` floats of a tile row.
#[inline(always)]
pub(super) unsafe fn store_row<S: Simd, const NV: usize>(dst: *mut f32, row: &[S::V; NV], cols: usize, buf: &mut [f32; NR_MAX]) {
    let l = S::LANES;
    if cols == NV * l {
        for (v, &a) in row.iter().enumerate() {
            S::store(dst.add(v * l), a);
        }
    } else {
        for (v, &a) in row.iter().enumerate() {
            S::store(buf.as_mut_ptr().add(v * l), a);
        }
        std::ptr::copy_nonoverlapping(buf.as_ptr(), dst, cols);
    }
}

/// Packs columns `i0..i0 + mc` of A (k rows, stride lda) over the rows `pc..pc + kc` into `MR`-wide
/// micro-panels of `kc × MR` contiguous floats, read by [`tile`] with `AT` and `a_rs = MR`. Columns
/// past `mc` in the last micro-panel are left as they are (the tile never stores them).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn pack_at<S: Simd>(a: *const f32, lda: usize, i0: usize, mc: usize, pc: usize, kc: usize, dst: *mut f32) {
    let mr = S::MR;
    let full = mc / mr;
    for p in 0..kc {
        let src = a.add((pc + p) * lda + i0);
        for t in 0..full {
            // A constant size (MR): inline vector moves, not a memcpy call.
            std::ptr::copy_nonoverlapping(src.add(t * mr), dst.add((t * kc + p) * mr), S::MR);
        }
    }
    if full * mr < mc {
        for p in 0..kc {
            let src = a.add((pc + p) * lda + i0 + full * mr);
            std::ptr::copy_nonoverlapping(src, dst.add((full * kc + p) * mr), mc - full * mr);
        }
    }
}

/// Rows of A per block in [`gemm_packed`]: `MC × KC` floats (32 KB) stay in L1 while every panel
/// of B passes (AVX-512, 2048 × 1024 × 256: 125 GFLOP/s with 256 rows, 138 with 32).
const MC: usize = 32;
/// Columns of A (k rows) packed per block by [`gemm_tn`]: `PACK_MC × KC` floats (64 KB) on the stack.
const PACK_MC: usize = 64;

thread_local! {
    /// [`gemm_tn`]'s packed B, `⌈n / NR⌉ · KC · NR` floats: grown by the first product that needs
    /// more (in training, the first step), reused by every later one.
    static B_PACK: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `C (m × b.n) = A (m × b.k, row stride lda) · B`, started as `init` says.
///
/// # Safety
/// The CPU has `S`'s features; A, C (row stride ldc) and a bias hold what the shapes need.
#[inline(always)]
pub(crate) unsafe fn gemm_packed<S: Simd>(m: usize, a: *const f32, lda: usize, b: &PackedB, c: *mut f32, ldc: usize, init: Init) {
    let (k, n, nr, mr) = (b.k, b.n, b.nr, S::MR);
    if m == 1 {
        return S::gemv(a, b, c, init);
    }
    let panels = n.div_ceil(nr);
    // k = 0 still runs one (empty) block so that C is initialised.
    for pc in (0..k.max(1)).step_by(KC) {
        let kc = KC.min(k - pc);
        let init = if pc == 0 { init } else { init.next_block() };
        for ic in (0..m).step_by(MC) {
            let mc = MC.min(m - ic);
            for jp in 0..panels {
                let j0 = jp * nr;
                for ir in (0..mc).step_by(mr) {
                    S::tile::<false>(&Tile {
                        k: kc,
                        a: a.add((ic + ir) * lda + pc),
                        a_rs: lda,
                        rows: mr.min(mc - ir),
                        b: b.at(jp, pc),
                        b_rs: nr,
                        c: c.add((ic + ir) * ldc + j0),
                        ldc,
                        cols: nr.min(n - j0),
                        init: init.at_col(j0),
                    });
                }
            }
        }
    }
}

/// `C (m × n) += Aᵀ · B` for `A (k × m, row stride lda)` and `B (k × n, row stride ldb)`: row p of
/// A holds the values a tile broadcasts, row p of B the panel row it loads. Per k block, all of B
/// is packed once into `kc × NR` panels (a buffer kept per thread, grown on first use) and A's
/// columns `PACK_MC` at a time into micro-panels (64 KB of stack), so the tile streams contiguous
/// memory instead of rows that are G·H floats apart. Packing B per block of A instead measured
/// 118 against 130–134 GFLOP/s (AVX-512, 1024 × 256 × 2048).
///
/// # Safety
/// The CPU has `S`'s features; A, B and C (row stride ldc) hold what the shapes need.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm_tn<S: Simd>(
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
    let (nr, mr) = (S::NV * S::LANES, S::MR);
    let panels = n.div_ceil(nr);
    let block = PACK_MC / mr * mr; // whole micro-panels
    let mut a_pack = [0.0f32; PACK_MC * KC]; // (block / MR, kc, MR)
    // Taken out of the thread-local and put back, not used in a closure: a closure would be
    // compiled without this function's target features (measured 60× slower).
    let mut b_pack = B_PACK.with(|buf| std::mem::take(&mut *buf.borrow_mut())); // (panels, kc, NR)
    if b_pack.len() < panels * KC * nr {
        b_pack.resize(panels * KC * nr, 0.0);
    }
    for pc in (0..k).step_by(KC) {
        let kc = KC.min(k - pc);
        for jp in 0..panels {
            let (j0, dst) = (jp * nr, b_pack.as_mut_ptr().add(jp * kc * nr));
            let cols = nr.min(n - j0);
            // Past `cols` a panel keeps earlier values: computed, never stored.
            let src = b.add(pc * ldb + j0);
            if cols == nr {
                for p in 0..kc {
                    // A constant size (NR): inline vector moves, not a memcpy call.
                    std::ptr::copy_nonoverlapping(src.add(p * ldb), dst.add(p * nr), S::NV * S::LANES);
                }
            } else {
                for p in 0..kc {
                    std::ptr::copy_nonoverlapping(src.add(p * ldb), dst.add(p * nr), cols);
                }
            }
        }
        for ic in (0..m).step_by(block) {
            let mc = block.min(m - ic);
            pack_at::<S>(a, lda, ic, mc, pc, kc, a_pack.as_mut_ptr());
            for jp in 0..panels {
                let j0 = jp * nr;
                for (t, ir) in (0..mc).step_by(mr).enumerate() {
                    S::tile::<true>(&Tile {
                        k: kc,
                        a: a_pack.as_ptr().add(t * kc * mr),
                        a_rs: mr,
                        rows: mr.min(mc - ir),
                        b: b_pack.as_ptr().add(jp * kc * nr),
                        b_rs: nr,
                        c: c.add((ic + ir) * ldc + j0),
                        ldc,
                        cols: nr.min(n - j0),
                        init: Init::Load,
                    });
                }
            }
        }
    }
    B_PACK.with(|buf| *buf.borrow_mut() = b_pack);
}
