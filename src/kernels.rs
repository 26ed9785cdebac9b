//! Dense kernels on flat row-major `f32` buffers: the only place the arithmetic is heavy.
//!
//! Three GEMM shapes cover all of training: `C = A·B` (inputs times packed, transposed weights,
//! and gradients times weights), and `C += Aᵀ·B` (weight gradients summed over all time steps).

/// `C (m×n) = A (m×k) · B (k×n)`, or `C += A·B` when `accumulate`.
pub fn gemm_nn(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32], accumulate: bool) {
    debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    for i in 0..m {
        let c_row = &mut c[i * n..(i + 1) * n];
        if !accumulate {
            c_row.fill(0.0);
        }
        let a_row = &a[i * k..(i + 1) * k];
        for (p, &a_ip) in a_row.iter().enumerate() {
            if a_ip != 0.0 {
                axpy(c_row, a_ip, &b[p * n..(p + 1) * n]);
            }
        }
    }
}

/// `C (m×n) += Aᵀ · B` with `A (k×m)` and `B (k×n)`: a sum of outer products over the k rows.
pub fn gemm_tn_acc(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    debug_assert!(a.len() >= k * m && b.len() >= k * n && c.len() >= m * n);
    for p in 0..k {
        let a_row = &a[p * m..(p + 1) * m];
        let b_row = &b[p * n..(p + 1) * n];
        for (i, &a_pi) in a_row.iter().enumerate() {
            if a_pi != 0.0 {
                axpy(&mut c[i * n..(i + 1) * n], a_pi, b_row);
            }
        }
    }
}

/// `y += a·x`.
#[inline]
pub fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// `dst (cols×rows) = srcᵀ` for `src (rows×cols)`.
pub fn transpose(rows: usize, cols: usize, src: &[f32], dst: &mut [f32]) {
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

/// Adds `bias` (n) to every row of `x` (m×n).
pub fn add_rows(x: &mut [f32], bias: &[f32]) {
    for row in x.chunks_exact_mut(bias.len()) {
        for (v, &b) in row.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// `out (n) += Σ_rows x (m×n)`.
pub fn sum_rows_acc(x: &[f32], out: &mut [f32]) {
    for row in x.chunks_exact(out.len()) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// The logistic function σ(x) = 1 / (1 + e^(−x)).
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Sum of squares, accumulated in f64 so that norms of large models are exact enough.
pub fn sum_sq(x: &[f32]) -> f64 {
    x.iter().map(|&v| (v as f64) * (v as f64)).sum()
}
