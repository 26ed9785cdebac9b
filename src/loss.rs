//! Softmax cross-entropy over logits, in nats, with its gradient.

/// Mean cross-entropy (nats) of `logits` (N, V) against `targets` (N); when `grad` is given it
/// receives ∂loss/∂logits = (softmax − onehot) / N. The log-sum-exp is shifted by the row maximum.
pub fn cross_entropy(logits: &[f32], vocab: usize, targets: &[u32], mut grad: Option<&mut [f32]>) -> f32 {
    let n = targets.len();
    let inv_n = 1.0 / n as f32;
    let mut total = 0.0f64;
    for (r, (row, &y)) in logits.chunks_exact(vocab).zip(targets).enumerate() {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f32 = row.iter().map(|&v| (v - max).exp()).sum();
        let log_z = max + sum.ln();
        total += (log_z - row[y as usize]) as f64;
        if let Some(g) = grad.as_deref_mut() {
            let g_row = &mut g[r * vocab..(r + 1) * vocab];
            for (gv, &v) in g_row.iter_mut().zip(row) {
                *gv = (v - log_z).exp() * inv_n;
            }
            g_row[y as usize] -= inv_n;
        }
    }
    (total / n as f64) as f32
}

/// Converts a loss in nats to bits per character.
pub fn bits_per_char(nats: f32) -> f32 {
    nats / std::f32::consts::LN_2
}

/// Converts a loss in nats to perplexity.
pub fn perplexity(nats: f32) -> f32 {
    nats.exp()
}
