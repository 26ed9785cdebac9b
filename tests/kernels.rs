//! Every kernel on every instruction set this machine has, against plain f64 reference code, on odd
//! shapes that leave tails of every tile size (and k blocks past KC = 256); overwrite, accumulate and
//! bias modes; strided operands.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rnn_playground::config::{CellKind, InitKind};
use rnn_playground::kernels::{
    self, bf16_bits, bf16_round, gemm, gemm_bf16, gemm_i16, gemm_tn_acc, softmax_weights, sum_rows_acc, sum_sq_isa, Isa, Out, PackedB,
    PackedBf16, PackedI16,
};
use rnn_playground::loss::cross_entropy;
use rnn_playground::model::{Dims, Model, Params, State, Workspace};
use rnn_playground::rng::Rng;
use rnn_playground::{gru, lstm, rnn};

const MS: [usize; 11] = [1, 2, 3, 5, 7, 8, 9, 13, 17, 33, 65];
const NS: [usize; 12] = [1, 3, 5, 7, 8, 9, 15, 16, 17, 33, 65, 98];
const KS: [usize; 6] = [1, 3, 7, 17, 65, 300];

fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.uniform_range(-1.0, 1.0)).collect()
}

/// `|got − want| ≤ tol · (1 + |want|)` elementwise.
fn check(what: &str, got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g as f64 - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: got {g}, want {w}");
    }
}

/// `C (m × n) = A · B`, plus C's old values (`mode` 1) or the bias (`mode` 2), in f64; B by element.
fn reference(
    (m, n, k): (usize, usize, usize),
    (a, lda): (&[f32], usize),
    b: impl Fn(usize, usize) -> f64,
    (c0, ldc): (&[f32], usize),
    bias: &[f32],
    mode: usize,
) -> Vec<f64> {
    let mut want: Vec<f64> = c0.iter().map(|&v| v as f64).collect();
    for i in 0..m {
        for j in 0..n {
            let dot: f64 = (0..k).map(|p| a[i * lda + p] as f64 * b(p, j)).sum();
            let start = [0.0, c0[i * ldc + j] as f64, bias[j] as f64][mode];
            want[i * ldc + j] = start + dot;
        }
    }
    want
}

#[test]
fn gemm_matches_reference_on_every_shape_and_mode() {
    let mut rng = Rng::new(1);
    for isa in Isa::available() {
        for &k in &KS {
            for &n in &NS {
                // B given as (k × n) or, like a PyTorch weight, as its transpose (n × k).
                let src = random(k * n, &mut rng);
                let b_at = |p: usize, j: usize, transposed: bool| if transposed { src[j * k + p] } else { src[p * n + j] };
                for transposed in [false, true] {
                    let mut b = PackedB::default();
                    b.pack(isa, k, n, &src, transposed);
                    assert_eq!((b.k(), b.n()), (k, n));
                    for &m in &MS {
                        let (lda, ldc) = (k + 3, n + 2);
                        let a = random(m * lda, &mut rng);
                        let bias = random(n, &mut rng);
                        let c0 = random(m * ldc, &mut rng);
                        for mode in 0..3 {
                            let out = [Out::Overwrite, Out::Accumulate, Out::Bias(&bias)][mode];
                            let mut c = c0.clone();
                            gemm(isa, m, &a, lda, &b, &mut c, ldc, out);
                            let want = reference((m, n, k), (&a, lda), |p, j| b_at(p, j, transposed) as f64, (&c0, ldc), &bias, mode);
                            let what = format!("{} gemm m={m} n={n} k={k} transposed={transposed} mode={mode}", isa.name());
                            check(&what, &c, &want, 1e-6 * k as f64);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn one_row_gemv_is_bit_identical_to_the_tiled_path() {
    let mut rng = Rng::new(2);
    for isa in Isa::available() {
        for &(k, n) in &[(300, 98), (17, 65), (64, 1024)] {
            let mut b = PackedB::default();
            b.pack(isa, k, n, &random(k * n, &mut rng), true);
            let a = random(5 * k, &mut rng);
            let bias = random(n, &mut rng);
            let mut tiled = vec![0.0; 5 * n];
            gemm(isa, 5, &a, k, &b, &mut tiled, n, Out::Bias(&bias));
            let mut row = vec![0.0; n];
            gemm(isa, 1, &a[3 * k..], k, &b, &mut row, n, Out::Bias(&bias));
            assert_eq!(row, tiled[3 * n..4 * n], "{} k={k} n={n}", isa.name());
        }
    }
}

#[test]
fn bf16_rounding_is_to_nearest_even() {
    let bits = |b: u32| bf16_bits(f32::from_bits(b));
    assert_eq!(bits(0x3F80_0000), 0x3F80, "1 is exact");
    assert_eq!(bits(0x3F80_7FFF), 0x3F80, "below the tie: down");
    assert_eq!(bits(0x3F80_8000), 0x3F80, "tie: to even (down)");
    assert_eq!(bits(0x3F81_8000), 0x3F82, "tie: to even (up)");
    assert_eq!(bits(0x3F80_8001), 0x3F81, "above the tie: up");
    assert_eq!(bits(0xBF80_8001), 0xBF81, "negative: away from zero past the tie");
    assert_eq!(bits(0x7F7F_FFFF), 0x7F80, "past the largest bf16: infinity");
    assert!(bf16_round(f32::NAN).is_nan());
    assert_eq!(bf16_round(f32::NEG_INFINITY), f32::NEG_INFINITY);
    let mut rng = Rng::new(11);
    for _ in 0..10_000 {
        let x = rng.normal() * 10f32.powi((rng.uniform() * 20.0) as i32 - 10);
        let err = (bf16_round(x) as f64 - x as f64).abs();
        assert!(err <= x.abs() as f64 / 256.0, "{x}: rounded to {}", bf16_round(x));
    }
}

#[test]
fn gemm_bf16_matches_reference_on_every_shape_and_mode() {
    let mut rng = Rng::new(12);
    for isa in Isa::available() {
        for &k in &KS {
            // Past 128 columns: more than one block of sub-panels on every ISA (AVX-512: 4 × 32).
            for &n in NS.iter().chain(&[129, 200, 300]) {
                let src = random(k * n, &mut rng);
                let b_at = |p: usize, j: usize, transposed: bool| if transposed { src[j * k + p] } else { src[p * n + j] };
                for transposed in [false, true] {
                    let mut b = PackedBf16::default();
                    b.pack(isa, k, n, &src, transposed);
                    assert_eq!((b.k(), b.n()), (k, n));
                    for m in [1, 3] {
                        let (lda, ldc) = (k + 3, n + 2);
                        let a = random(m * lda, &mut rng);
                        let bias = random(n, &mut rng);
                        let c0 = random(m * ldc, &mut rng);
                        for mode in 0..3 {
                            let out = [Out::Overwrite, Out::Accumulate, Out::Bias(&bias)][mode];
                            let mut c = c0.clone();
                            gemm_bf16(isa, m, &a, lda, &b, &mut c, ldc, out);
                            let b_bf16 = |p, j| bf16_round(b_at(p, j, transposed)) as f64;
                            let want = reference((m, n, k), (&a, lda), b_bf16, (&c0, ldc), &bias, mode);
                            let what = format!("{} gemm_bf16 m={m} n={n} k={k} transposed={transposed} mode={mode}", isa.name());
                            check(&what, &c, &want, 1e-6 * k as f64);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn gemm_i16_matches_reference_on_every_shape_and_mode() {
    let mut rng = Rng::new(14);
    for isa in Isa::available() {
        for &k in &KS {
            for &n in NS.iter().chain(&[129, 200, 300]) {
                // Columns of very different magnitudes: each has its own scale.
                let col_scale: Vec<f32> = (0..n).map(|j| 10f32.powi(j as i32 % 5 - 2)).collect();
                let src: Vec<f32> = (0..k * n).map(|i| rng.uniform_range(-1.0, 1.0) * col_scale[i % n]).collect();
                let mut b = PackedI16::default();
                b.pack(isa, k, n, &src, false);
                assert_eq!((b.k(), b.n()), (k, n));
                let m = 2;
                let (lda, ldc) = (k + 3, n + 2);
                let a = random(m * lda, &mut rng);
                let bias = random(n, &mut rng);
                let c0 = random(m * ldc, &mut rng);
                for mode in 0..3 {
                    let out = [Out::Overwrite, Out::Accumulate, Out::Bias(&bias)][mode];
                    let mut c = c0.clone();
                    gemm_i16(isa, m, &a, lda, &b, &mut c, ldc, out);
                    for i in 0..m {
                        let amax = a[i * lda..i * lda + k].iter().fold(0.0f64, |x, &v| x.max(v.abs() as f64));
                        for j in 0..n {
                            let dot: f64 = (0..k).map(|p| a[i * lda + p] as f64 * src[p * n + j] as f64).sum();
                            let start = [0.0, c0[i * ldc + j] as f64, bias[j] as f64][mode];
                            // Each product is off by at most half a quantum of either factor.
                            let wmax = (0..k).fold(0.0f64, |x, p| x.max(src[p * n + j].abs() as f64));
                            let quantum = (b.scale(j) as f64).max(wmax / 32767.0);
                            let tol = k as f64 * (amax * quantum + wmax * amax / 32767.0) + 1e-6 * (1.0 + start.abs());
                            let got = c[i * ldc + j] as f64;
                            assert!(
                                (got - start - dot).abs() <= tol,
                                "{} gemm_i16 n={n} k={k} mode={mode} [{i},{j}]: got {got}, want {}",
                                isa.name(),
                                start + dot
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The i16 quantisation rule, written out: `v` clamped to ±32767 and rounded half to even; NaN is 0.
fn quantise_ref(v: f32) -> i64 {
    if v.is_nan() {
        0
    } else {
        v.clamp(-32767.0, 32767.0).round_ties_even() as i64
    }
}

#[test]
fn gemm_i16_is_exactly_the_quantisation_rule() {
    // Rows whose quantisation is awkward: ties (max 32767 gives scale 1, so x.5 stays x.5), NaN
    // (0), an infinity (scale 1, clamped), all zeros, tiny values, plus random ones; odd lengths
    // leave vector tails and a lone last element.
    let mut rng = Rng::new(15);
    for isa in Isa::available() {
        for &k in &[1usize, 2, 7, 16, 33, 64, 67, 300] {
            let n = 37;
            let src: Vec<f32> = (0..k * n).map(|_| rng.uniform_range(-1.0, 1.0)).collect();
            let mut b = PackedI16::default();
            b.pack(isa, k, n, &src, false);
            let special: [fn(usize) -> f32; 5] = [
                |p| if p == 0 { 32767.0 } else { (p as f32 - 20.0) * 1.5 + 0.5 * (p % 2) as f32 },
                |p| if p % 3 == 1 { f32::NAN } else { p as f32 * 0.25 - 3.0 },
                |p| if p == 1 { f32::NEG_INFINITY } else { p as f32 - 2.5 },
                |_| 0.0,
                |p| (p as f32 - 3.0) * 1e-30,
            ];
            let mut rows: Vec<Vec<f32>> = special.iter().map(|f| (0..k).map(f).collect()).collect();
            rows.push(random(k, &mut rng));
            for a in &rows {
                let mut c = vec![0.0f32; n];
                gemm_i16(isa, 1, a, k, &b, &mut c, n, Out::Overwrite);
                let max = a.iter().fold(0.0f32, |m, v| if v.abs() > m { v.abs() } else { m });
                let x_scale = if max > 0.0 && max.is_finite() { max / 32767.0 } else { 1.0 };
                let inv = 1.0 / x_scale;
                for (j, &got) in c.iter().enumerate() {
                    let w_scale = b.scale(j);
                    let dot: i64 = (0..k).map(|p| quantise_ref(src[p * n + j] / w_scale) * quantise_ref(a[p] * inv)).sum();
                    let want = dot as i32 as f32 * (w_scale * x_scale);
                    assert_eq!(got.to_bits(), want.to_bits(), "{} k={k} row {a:?} [{j}]: got {got}, want {want}", isa.name());
                }
            }
        }
    }
}

#[test]
fn softmax_weights_match_reference_and_zero_masked_logits() {
    let mut rng = Rng::new(13);
    for isa in Isa::available() {
        for &n in NS.iter().filter(|&&n| n > 1) {
            let mut x: Vec<f32> = (0..n).map(|_| rng.normal() * 5.0).collect();
            x[n / 2] = f32::NEG_INFINITY;
            let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for scale in [0.5f32, 1.0, 3.0] {
                let mut w = vec![f32::NAN; n];
                let sum = softmax_weights(isa, &x, max, scale, &mut w);
                let want: Vec<f64> = x
                    .iter()
                    .map(|&v| {
                        let arg = (v - max) as f64 * scale as f64;
                        if arg < -87.0 { 0.0 } else { arg.exp() }
                    })
                    .collect();
                check(&format!("{} softmax_weights n={n} scale={scale}", isa.name()), &w, &want, 1e-6);
                assert_eq!(w[n / 2], 0.0, "a masked logit has weight 0");
                let want_sum: f64 = want.iter().sum();
                assert!((sum as f64 - want_sum).abs() <= 1e-6 * want_sum * n as f64, "sum {sum} vs {want_sum}");
            }
        }
    }
}

#[test]
fn gemm_tn_matches_reference_on_every_shape() {
    let mut rng = Rng::new(3);
    for isa in Isa::available() {
        for &k in &KS {
            for &n in &NS {
                for &m in &MS {
                    let (lda, ldb, ldc) = (m + 1, n + 3, n + 2);
                    let a = random(k * lda, &mut rng);
                    let b = random(k * ldb, &mut rng);
                    let c0 = random(m * ldc, &mut rng);
                    let mut c = c0.clone();
                    gemm_tn_acc(isa, m, n, k, &a, lda, &b, ldb, &mut c, ldc);
                    let mut want: Vec<f64> = c0.iter().map(|&v| v as f64).collect();
                    for i in 0..m {
                        for j in 0..n {
                            let dot: f64 = (0..k).map(|p| a[p * lda + i] as f64 * b[p * ldb + j] as f64).sum();
                            want[i * ldc + j] += dot;
                        }
                    }
                    check(&format!("{} gemm_tn m={m} n={n} k={k}", isa.name()), &c, &want, 1e-6 * k as f64);
                }
            }
        }
    }
}

#[test]
fn reductions_match_reference() {
    let mut rng = Rng::new(4);
    for isa in Isa::available() {
        for &n in &NS {
            let x = random(7 * n, &mut rng);
            let out0 = random(n, &mut rng);
            let mut out = out0.clone();
            sum_rows_acc(isa, &x, &mut out);
            let want: Vec<f64> = (0..n).map(|j| out0[j] as f64 + (0..7).map(|r| x[r * n + j] as f64).sum::<f64>()).collect();
            check(&format!("{} sum_rows_acc n={n}", isa.name()), &out, &want, 1e-6);
        }
        for n in [0, 1, 5, 17, 1023, 1024, 1025, 5000] {
            let x = random(n, &mut rng);
            let want: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
            let got = sum_sq_isa(isa, &x);
            assert!((got - want).abs() <= 1e-6 * (1.0 + want), "{} sum_sq n={n}: {got} vs {want}", isa.name());
        }
    }
}

fn sigmoid64(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn scalar_sigmoid_and_tanh_are_accurate_and_propagate_nan() {
    for i in -40_000..=40_000 {
        let x = i as f32 * 5e-4;
        let (s, t) = (kernels::sigmoid(x), kernels::tanh(x));
        let (ws, wt) = (sigmoid64(x as f64), (x as f64).tanh());
        assert!((s as f64 - ws).abs() <= 3e-7 * ws, "sigmoid({x}) = {s}, want {ws}");
        assert!((t as f64 - wt).abs() <= 3e-7 * wt.abs() + 1e-38, "tanh({x}) = {t}, want {wt}");
    }
    for x in [-1e30f32, -200.0, -88.0, 88.0, 200.0, 1e30, f32::INFINITY, f32::NEG_INFINITY] {
        let (s, t) = (kernels::sigmoid(x), kernels::tanh(x));
        assert!((s as f64 - sigmoid64(x as f64)).abs() <= 1e-37, "sigmoid({x}) = {s}");
        assert_eq!(t, x.signum(), "tanh({x})");
    }
    assert!(kernels::sigmoid(f32::NAN).is_nan() && kernels::tanh(f32::NAN).is_nan());
}

#[test]
fn activations_saturate_exactly_propagate_nan_and_never_return_subnormals() {
    // A subnormal costs a microcode assist per vector instruction on x86, and wasm cannot flush
    // them: σ stays ≥ 1.6e-38 and tanh is exactly ±1 from |x| = 9.2 on, on every ISA.
    let mut xs: Vec<f32> = (-700..=700).map(|i| i as f32 * 0.37).collect();
    xs.extend([-1e30, 1e30, f32::NEG_INFINITY, f32::INFINITY, -87.5, -88.0, -43.8, 43.8, f32::NAN]);
    let n = xs.len();
    for isa in Isa::available() {
        let mut h = vec![0.0; n];
        rnn::forward_step(isa, &xs, &mut h);
        for (&x, &t) in xs.iter().zip(&h) {
            assert!(!t.is_subnormal() && t.is_nan() == x.is_nan(), "{} tanh({x}) = {t:e}", isa.name());
            if x.abs() >= 9.2 {
                assert_eq!(t, x.signum(), "{} tanh({x})", isa.name());
            }
        }
        let mut gates: Vec<f32> = (0..4).flat_map(|_| xs.iter().copied()).collect();
        let (c_prev, mut c, mut tanh_c) = (vec![0.5; n], vec![0.0; n], vec![0.0; n]);
        lstm::forward_step(isa, n, &mut gates, &c_prev, &mut c, &mut tanh_c, &mut h);
        for (q, block) in gates.chunks(n).enumerate() {
            for (&x, &a) in xs.iter().zip(block) {
                assert!(!a.is_subnormal() && a.is_nan() == x.is_nan(), "{} lstm gate {q} of {x} = {a:e}", isa.name());
                if q != 2 && x <= -88.0 {
                    assert!(a > 0.0 && a <= 1.7e-38, "{} σ({x}) = {a:e}", isa.name());
                }
            }
        }
    }
}

/// Pre-activations spread over the range the cells see, including tails of every vector width.
fn cell_inputs(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.uniform_range(-6.0, 6.0)).collect()
}

#[test]
fn lstm_step_matches_reference() {
    let mut rng = Rng::new(5);
    for isa in Isa::available() {
        for hs in [1, 3, 5, 7, 17, 33] {
            let rows = 3;
            let n = rows * hs;
            let pre = cell_inputs(4 * n, &mut rng);
            let c_prev = random(n, &mut rng);
            let mut gates = pre.clone();
            let (mut c, mut tanh_c, mut h) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            lstm::forward_step(isa, hs, &mut gates, &c_prev, &mut c, &mut tanh_c, &mut h);
            let (mut w_gates, mut w_c, mut w_h) = (vec![0.0; 4 * n], vec![0.0; n], vec![0.0; n]);
            for r in 0..rows {
                for j in 0..hs {
                    let p = |g: usize| pre[r * 4 * hs + g * hs + j] as f64;
                    let (i, f, g, o) = (sigmoid64(p(0)), sigmoid64(p(1)), p(2).tanh(), sigmoid64(p(3)));
                    for (q, v) in [i, f, g, o].into_iter().enumerate() {
                        w_gates[r * 4 * hs + q * hs + j] = v;
                    }
                    w_c[r * hs + j] = f * c_prev[r * hs + j] as f64 + i * g;
                    w_h[r * hs + j] = o * w_c[r * hs + j].tanh();
                }
            }
            let what = format!("{} lstm H={hs}", isa.name());
            check(&format!("{what} gates"), &gates, &w_gates, 1e-6);
            check(&format!("{what} c"), &c, &w_c, 1e-6);
            check(&format!("{what} h"), &h, &w_h, 1e-6);
            let w_tc: Vec<f64> = c.iter().map(|&v| (v as f64).tanh()).collect();
            check(&format!("{what} tanh_c"), &tanh_c, &w_tc, 1e-6);

            let dh0 = random(n, &mut rng);
            let dh_next = random(n, &mut rng);
            let dc0 = random(n, &mut rng);
            let (mut dh, mut dc, mut d_pre) = (dh0.clone(), dc0.clone(), vec![0.0; 4 * n]);
            let db0 = random(4 * hs, &mut rng);
            let mut db = db0.clone();
            let ss = lstm::backward_step(isa, hs, &gates, &c_prev, &tanh_c, &mut dh, &dh_next, &mut dc, &mut d_pre, &mut db);
            let (mut w_dh, mut w_dc, mut w_d) = (vec![0.0; n], vec![0.0; n], vec![0.0; 4 * n]);
            for r in 0..rows {
                for j in 0..hs {
                    let u = r * hs + j;
                    let g = |q: usize| gates[r * 4 * hs + q * hs + j] as f64;
                    let (i, f, gg, o) = (g(0), g(1), g(2), g(3));
                    let tc = tanh_c[u] as f64;
                    let dht = dh0[u] as f64 + dh_next[u] as f64;
                    let dct = dc0[u] as f64 + dht * o * (1.0 - tc * tc);
                    w_dh[u] = dht;
                    let row = r * 4 * hs + j;
                    w_d[row] = dct * gg * i * (1.0 - i);
                    w_d[row + hs] = dct * c_prev[u] as f64 * f * (1.0 - f);
                    w_d[row + 2 * hs] = dct * i * (1.0 - gg * gg);
                    w_d[row + 3 * hs] = dht * tc * o * (1.0 - o);
                    w_dc[u] = dct * f;
                }
            }
            check(&format!("{what} dh"), &dh, &w_dh, 1e-6);
            check(&format!("{what} dc"), &dc, &w_dc, 1e-6);
            check(&format!("{what} d_pre"), &d_pre, &w_d, 1e-6);
            check(&format!("{what} db"), &db, &column_sums(&db0, &w_d, rows), 1e-6);
            let w_ss: f64 = w_dh.iter().map(|v| v * v).sum();
            assert!((ss - w_ss).abs() <= 1e-5 * (1.0 + w_ss), "{what} Σdh²: {ss} vs {w_ss}");
        }
    }
}

/// `start + Σ_rows x` for x (rows, start.len()).
fn column_sums(start: &[f32], x: &[f64], rows: usize) -> Vec<f64> {
    let w = start.len();
    (0..w).map(|j| start[j] as f64 + (0..rows).map(|r| x[r * w + j]).sum::<f64>()).collect()
}

#[test]
fn gru_step_matches_reference() {
    let mut rng = Rng::new(6);
    for isa in Isa::available() {
        for hs in [1, 3, 5, 7, 17, 33] {
            let rows = 3;
            let n = rows * hs;
            let gx = cell_inputs(3 * n, &mut rng);
            let hp = cell_inputs(3 * n, &mut rng);
            let h_prev = random(n, &mut rng);
            let mut gates = gx.clone();
            let (mut hn, mut h) = (vec![0.0; n], vec![0.0; n]);
            gru::forward_step(isa, hs, &mut gates, &hp, &h_prev, &mut hn, &mut h);
            let (mut w_gates, mut w_h) = (vec![0.0; 3 * n], vec![0.0; n]);
            for r in 0..rows {
                for j in 0..hs {
                    let at = |q: usize| r * 3 * hs + q * hs + j;
                    let rg = sigmoid64(gx[at(0)] as f64 + hp[at(0)] as f64);
                    let z = sigmoid64(gx[at(1)] as f64 + hp[at(1)] as f64);
                    let nn = (gx[at(2)] as f64 + rg * hp[at(2)] as f64).tanh();
                    (w_gates[at(0)], w_gates[at(1)], w_gates[at(2)]) = (rg, z, nn);
                    w_h[r * hs + j] = (1.0 - z) * nn + z * h_prev[r * hs + j] as f64;
                    assert_eq!(hn[r * hs + j], hp[at(2)]);
                }
            }
            let what = format!("{} gru H={hs}", isa.name());
            check(&format!("{what} gates"), &gates, &w_gates, 1e-6);
            check(&format!("{what} h"), &h, &w_h, 1e-6);

            let dh0 = random(n, &mut rng);
            let dh_next0 = random(n, &mut rng);
            let (mut dh, mut dh_next) = (dh0.clone(), dh_next0.clone());
            let (mut dx, mut dhh) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
            let (db_x0, db_h0) = (random(3 * hs, &mut rng), random(3 * hs, &mut rng));
            let (mut db_x, mut db_h) = (db_x0.clone(), db_h0.clone());
            let ss = gru::backward_step(
                isa, hs, &gates, &hn, &h_prev, &mut dh, &mut dh_next, &mut dx, &mut dhh, &mut db_x, &mut db_h,
            );
            let (mut w_dx, mut w_dhh, mut w_next) = (vec![0.0; 3 * n], vec![0.0; 3 * n], vec![0.0; n]);
            let mut w_ss = 0.0;
            for r in 0..rows {
                for j in 0..hs {
                    let u = r * hs + j;
                    let at = |q: usize| r * 3 * hs + q * hs + j;
                    let (rg, z, nn) = (gates[at(0)] as f64, gates[at(1)] as f64, gates[at(2)] as f64);
                    let dht = dh0[u] as f64 + dh_next0[u] as f64;
                    w_ss += dht * dht;
                    let d_n = dht * (1.0 - z) * (1.0 - nn * nn);
                    let d_z = dht * (h_prev[u] as f64 - nn) * z * (1.0 - z);
                    let d_r = d_n * hn[u] as f64 * rg * (1.0 - rg);
                    (w_dx[at(0)], w_dx[at(1)], w_dx[at(2)]) = (d_r, d_z, d_n);
                    (w_dhh[at(0)], w_dhh[at(1)], w_dhh[at(2)]) = (d_r, d_z, d_n * rg);
                    w_next[u] = dht * z;
                }
            }
            check(&format!("{what} d_pre_x"), &dx, &w_dx, 1e-6);
            check(&format!("{what} d_pre_h"), &dhh, &w_dhh, 1e-6);
            check(&format!("{what} dh_prev"), &dh_next, &w_next, 1e-6);
            check(&format!("{what} db_x"), &db_x, &column_sums(&db_x0, &w_dx, rows), 1e-6);
            check(&format!("{what} db_h"), &db_h, &column_sums(&db_h0, &w_dhh, rows), 1e-6);
            assert!((ss - w_ss).abs() <= 1e-5 * (1.0 + w_ss), "{what} Σdh²: {ss} vs {w_ss}");
        }
    }
}

#[test]
fn rnn_step_matches_reference() {
    let mut rng = Rng::new(7);
    for isa in Isa::available() {
        for hs in [1, 3, 5, 7, 17, 33, 99] {
            let rows = 3;
            let n = rows * hs;
            let pre = cell_inputs(n, &mut rng);
            let mut h = vec![0.0; n];
            rnn::forward_step(isa, &pre, &mut h);
            let w_h: Vec<f64> = pre.iter().map(|&v| (v as f64).tanh()).collect();
            let what = format!("{} rnn H={hs}", isa.name());
            check(&format!("{what} h"), &h, &w_h, 1e-6);
            let (dh0, dh_next, db0) = (random(n, &mut rng), random(n, &mut rng), random(hs, &mut rng));
            let (mut dh, mut d_pre, mut db) = (dh0.clone(), vec![0.0; n], db0.clone());
            let ss = rnn::backward_step(isa, hs, &mut dh, &dh_next, &h, &mut d_pre, &mut db);
            let w_dh: Vec<f64> = (0..n).map(|j| dh0[j] as f64 + dh_next[j] as f64).collect();
            let w_d: Vec<f64> = (0..n).map(|j| w_dh[j] * (1.0 - h[j] as f64 * h[j] as f64)).collect();
            check(&format!("{what} dh"), &dh, &w_dh, 1e-6);
            check(&format!("{what} d_pre"), &d_pre, &w_d, 1e-6);
            check(&format!("{what} db"), &db, &column_sums(&db0, &w_d, rows), 1e-6);
            let w_ss: f64 = w_dh.iter().map(|v| v * v).sum();
            assert!((ss - w_ss).abs() <= 1e-5 * (1.0 + w_ss));
        }
    }
}

#[test]
fn cross_entropy_matches_reference() {
    let mut rng = Rng::new(8);
    for isa in Isa::available() {
        for v in [1, 3, 7, 16, 17, 98] {
            let rows = 5;
            let logits: Vec<f32> = (0..rows * v).map(|_| rng.uniform_range(-8.0, 8.0)).collect();
            let targets: Vec<u32> = (0..rows).map(|_| rng.below(v) as u32).collect();
            let mut grad = vec![0.0; rows * v];
            let loss = cross_entropy(isa, &logits, v, &targets, Some(&mut grad));
            assert_eq!(loss, cross_entropy(isa, &logits, v, &targets, None));
            let (mut w_loss, mut w_grad) = (0.0, vec![0.0; rows * v]);
            for r in 0..rows {
                let row = &logits[r * v..(r + 1) * v];
                let max = row.iter().fold(f64::MIN, |m, &x| m.max(x as f64));
                let lz = max + row.iter().map(|&x| (x as f64 - max).exp()).sum::<f64>().ln();
                w_loss += lz - row[targets[r] as usize] as f64;
                for j in 0..v {
                    w_grad[r * v + j] = ((row[j] as f64 - lz).exp() - (j == targets[r] as usize) as u8 as f64) / rows as f64;
                }
            }
            w_loss /= rows as f64;
            assert!((loss as f64 - w_loss).abs() <= 1e-6 * (1.0 + w_loss), "{} V={v}: {loss} vs {w_loss}", isa.name());
            check(&format!("{} xent V={v} grad", isa.name()), &grad, &w_grad, 1e-6);
        }
    }
}

/// The whole model on every instruction set agrees with the scalar fallback (forward and gradients).
#[test]
fn every_isa_trains_the_same_model() {
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let d = Dims { cell, vocab: 11, embed: 5, hidden: 19, layers: 2 };
        let (steps, batch) = (6, 3);
        let mut rng = Rng::new(9);
        let params = Params::init(d, InitKind::Pytorch, &mut rng);
        let inputs: Vec<u32> = (0..steps * batch).map(|_| rng.below(11) as u32).collect();
        let targets: Vec<u32> = (0..steps * batch).map(|_| rng.below(11) as u32).collect();
        let run = |isa: Isa| {
            let model = Model::with_isa(params.clone(), isa);
            let mut ws = Workspace::new(d, steps, batch);
            model.forward(&mut ws, &inputs, &State::zeros(d, batch));
            let mut grad = Params::zeros(d);
            let loss = model.backward(&mut ws, &inputs, &targets, &mut grad);
            let mut flat = ws.logits.clone();
            grad.for_each(|t| flat.extend_from_slice(t));
            (loss, flat)
        };
        let isas = Isa::available();
        let (loss0, flat0) = run(isas[0]);
        for &isa in &isas[1..] {
            let (loss, flat) = run(isa);
            assert!((loss - loss0).abs() <= 1e-5, "{cell:?} {}: loss {loss} vs {loss0}", isa.name());
            let want: Vec<f64> = flat0.iter().map(|&v| v as f64).collect();
            check(&format!("{cell:?} {} logits+grads", isa.name()), &flat, &want, 1e-5);
        }
    }
}

/// Above `TABLE_MAX_VOCAB` layer 0 projects its inputs per character instead of reading a table of
/// projected embeddings: its input-side gradients there, by central differences.
#[test]
fn large_vocabulary_input_gradients_match_finite_differences() {
    use rnn_playground::model::TABLE_MAX_VOCAB;
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let v = TABLE_MAX_VOCAB + 3;
        let d = Dims { cell, vocab: v, embed: 3, hidden: 4, layers: 1 };
        assert!(!d.embedding_table());
        let (steps, batch) = (5, 2);
        let mut rng = Rng::new(10);
        let mut model = Model::new(Params::init(d, InitKind::Pytorch, &mut rng));
        let inputs: Vec<u32> = (0..steps * batch).map(|_| rng.below(v) as u32).collect();
        let targets: Vec<u32> = (0..steps * batch).map(|_| rng.below(v) as u32).collect();
        let state = State::zeros(d, batch);
        let mut ws = Workspace::new(d, steps, batch);
        model.forward(&mut ws, &inputs, &state);
        let mut grad = Params::zeros(d);
        model.backward(&mut ws, &inputs, &targets, &mut grad);
        let eps = 1e-2f32;
        let mut loss_with = |model: &mut Model, which: usize, i: usize, delta: f32| {
            let t = if which == 0 { &mut model.params.layers[0].w_ih } else { &mut model.params.embedding };
            t[i] += delta;
            model.repack();
            model.forward(&mut ws, &inputs, &state);
            let loss = model.loss(&ws, &targets) as f64;
            let t = if which == 0 { &mut model.params.layers[0].w_ih } else { &mut model.params.embedding };
            t[i] -= delta;
            loss
        };
        let w_ih: Vec<usize> = (0..grad.layers[0].w_ih.len()).collect();
        let emb: Vec<usize> = inputs.iter().flat_map(|&id| (0..3).map(move |j| id as usize * 3 + j)).collect();
        for (which, indices) in [(0, w_ih), (1, emb)] {
            for i in indices {
                let numeric = (loss_with(&mut model, which, i, eps) - loss_with(&mut model, which, i, -eps)) / (2.0 * eps as f64);
                let a = if which == 0 { grad.layers[0].w_ih[i] } else { grad.embedding[i] } as f64;
                assert!((a - numeric).abs() <= 1e-3 + 1e-2 * numeric.abs(), "{cell:?} tensor {which}[{i}]: {a} vs {numeric}");
            }
        }
    }
}
