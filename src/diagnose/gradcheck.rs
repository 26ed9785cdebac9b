//! Gradient check: backprop against central finite differences, in the engine's own f32.
//!
//! For a parameter w with backprop gradient g_bp,
//!
//! ```text
//! g_fd    = (L(w + h) − L(w − h)) / ((w + h) − (w − h)),      h = 1e-2 · max(1, |w|)
//! rel_err = |g_fd − g_bp| / max(|g_fd|, |g_bp|, floor),         floor = ε^(2/3) · max(1, L)
//! ```
//!
//! with L the chunk's mean cross-entropy and ε = 2⁻²³ the f32 machine epsilon. The denominator of
//! g_fd is the difference of the two perturbed weights as f32 holds them. Each L is an f32 forward
//! pass of the engine, its cross-entropy summed in f64 from the f32 logits and sums of
//! exponentials (so that rounding ℓ or L to f32 adds nothing).
//!
//! The step: the error of g_fd is the truncation of the central difference, h²·L‴/6, plus the
//! rounding noise of the two f32 forward passes divided by 2h. In f32 the noise wins: on small
//! trained models the errors of the recurrent tensors fell 2–3× from h = ∛ε ≈ 4.9e-3 (the
//! textbook step, balancing the two when the noise is ε of the loss) to 1e-2, and kept falling to
//! 3e-2, so h is 1e-2 relative to the weight, where truncation stays far below the noise.
//! The floor: a central difference resolves about ε^(2/3) of the function's scale (its rounding
//! and truncation balanced); a gradient below that is compared absolutely, not relatively.
//! Measured on small trained models (H = 32, T = 16, B = 4, 200 steps; 50 per tensor): largest
//! errors 1e-2 to 5e-2 on the recurrent tensors, mean errors 1e-3 to 8e-3, and below 3e-4 on the
//! output layer.

use crate::error::{Error, Result};
use crate::kernels::softmax_weights;
use crate::model::{Model, Params, State, Workspace};
use crate::rng::Rng;

/// The step relative to the weight: h = FD_STEP · max(1, |w|).
pub const FD_STEP: f32 = 1e-2;

/// ε^(2/3) of f32, (2⁻²³)^(2/3): the floor of a relative error's denominator is this times
/// max(1, L).
pub const FD_FLOOR: f64 = 2.422e-5;

/// Most parameters checked per tensor.
pub const MAX_PER_TENSOR: usize = 1000;

/// What the check found for one tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorCheck {
    /// The tensor's `state_dict` name.
    pub name: String,
    /// Parameters checked: `per_tensor`, or all of them when the tensor is smaller.
    pub checked: usize,
    /// Largest relative error.
    pub max_rel_err: f64,
    /// Mean relative error.
    pub mean_rel_err: f64,
}

/// The result of [`grad_check`].
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// [`FD_STEP`]: h = step · max(1, |w|).
    pub step: f32,
    /// The chunk's mean cross-entropy L (nats) at the unperturbed weights.
    pub loss: f64,
    /// The floor of the relative errors' denominators, [`FD_FLOOR`] · max(1, L).
    pub floor: f64,
    /// One entry per tensor, in `state_dict` order.
    pub tensors: Vec<TensorCheck>,
}

/// Checks that `per_tensor` is 1 to [`MAX_PER_TENSOR`].
pub fn check_per_tensor(per_tensor: usize) -> Result<()> {
    if per_tensor == 0 || per_tensor > MAX_PER_TENSOR {
        return Err(Error::Config(format!(
            "a gradient check takes 1 to {MAX_PER_TENSOR} parameters per tensor, not {per_tensor}"
        )));
    }
    Ok(())
}

/// Mean cross-entropy of the last forward pass in `ws`, ℓ = max + ln Σ e^(z − max) − z_target per
/// row: the sums of exponentials by the engine's kernel (f32, as the training loss), the rest in
/// f64, so that no rounding of a row's ℓ or of the mean to f32 adds noise. `scratch` holds (V).
fn loss_f64(model: &Model, ws: &Workspace, targets: &[u32], scratch: &mut [f32]) -> f64 {
    let v = scratch.len();
    let mut total = 0.0f64;
    for (row, &y) in ws.logits.chunks_exact(v).zip(targets) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &z| m.max(z));
        let sum = softmax_weights(model.isa(), row, max, 1.0, scratch);
        total += max as f64 + (sum as f64).ln() - row[y as usize] as f64;
    }
    total / targets.len() as f64
}

/// Checks `analytic` — the backprop gradient of the mean cross-entropy of the chunk (`inputs`,
/// `targets`: T·B time-major, in `ws`'s shape) from `state` — against central differences, for
/// `per_tensor` (1 to [`MAX_PER_TENSOR`]) parameters of every tensor, chosen without repetition by
/// the engine's [`Rng`] seeded with `seed` (all of a smaller tensor). Each parameter costs two
/// forward passes of the chunk and two repacks of the weights, plus one forward pass for L. The
/// parameters are changed one at a time and put back bit for bit, and the model is repacked at
/// the end: it is left as it was.
#[allow(clippy::too_many_arguments)]
pub fn grad_check(
    model: &mut Model,
    ws: &mut Workspace,
    inputs: &[u32],
    targets: &[u32],
    state: &State,
    analytic: &Params,
    per_tensor: usize,
    seed: u64,
) -> Result<GradCheck> {
    check_per_tensor(per_tensor)?;
    let mut scratch = vec![0.0f32; model.dims().vocab]; // (V)
                                                        // The parameters to check, (tensor, index, backprop gradient), chosen tensor by tensor.
    let mut rng = Rng::new(seed);
    let (mut chosen, mut counts) = (Vec::new(), Vec::new());
    analytic.for_each(|g| {
        let (ti, n) = (counts.len(), per_tensor.min(g.len()));
        let first = chosen.len();
        while chosen.len() - first < n {
            let i = if n == g.len() { chosen.len() - first } else { rng.below(g.len()) };
            if !chosen[first..].iter().any(|&(_, j, _)| j == i) {
                chosen.push((ti, i, g[i] as f64));
            }
        }
        counts.push(n);
    });
    model.forward(ws, inputs, state);
    let loss = loss_f64(model, ws, targets, &mut scratch);
    let floor = FD_FLOOR * loss.max(1.0);
    let mut errors = Vec::with_capacity(chosen.len()); // (checked) relative errors, tensor by tensor
    for &(ti, i, g) in &chosen {
        let w = model.params.tensor_mut(ti)[i];
        let h = FD_STEP * w.abs().max(1.0);
        let (plus, minus) = (w + h, w - h);
        let mut at = |value: f32| {
            model.params.tensor_mut(ti)[i] = value;
            model.repack();
            model.forward(ws, inputs, state);
            loss_f64(model, ws, targets, &mut scratch)
        };
        let fd = (at(plus) - at(minus)) / (plus as f64 - minus as f64);
        model.params.tensor_mut(ti)[i] = w;
        errors.push((fd - g).abs() / fd.abs().max(g.abs()).max(floor));
    }
    model.repack();
    let mut rest = &errors[..];
    let tensors = model
        .params
        .names_and_shapes()
        .into_iter()
        .zip(counts)
        .map(|((name, _), n)| {
            let (mine, next) = rest.split_at(n);
            rest = next;
            let max_rel_err = mine.iter().fold(0.0f64, |m, &e| m.max(e));
            TensorCheck { name, checked: n, max_rel_err, mean_rel_err: mine.iter().sum::<f64>() / n as f64 }
        })
        .collect();
    Ok(GradCheck { step: FD_STEP, loss, floor, tensors })
}
