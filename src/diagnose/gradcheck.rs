//! Gradient check: backprop against central finite differences, in the engine's own f32.
//!
//! For a parameter w with backprop gradient g_bp,
//!
//! ```text
//! D(s)    = (L(w + h) − L(w − h)) / ((w + h) − (w − h)),     h = s · max(1, |w|)
//! g_fd    = median of D(1e-2), D(3e-3), D(1e-3)
//! rel_err = |g_fd − g_bp| / max(|g_fd|, |g_bp|, floor),        floor = 1e-4 · max(1, L)
//! ```
//!
//! with L the chunk's mean cross-entropy. The denominator of D is the difference of the two
//! perturbed weights as f32 holds them. Each L is an f32 forward pass of the engine, its
//! cross-entropy summed in f64 from the f32 logits and sums of exponentials (so that rounding ℓ or
//! L to f32 adds nothing).
//!
//! The steps: the error of D is the truncation of the central difference, h²·L‴/6, plus the
//! rounding noise of the two f32 forward passes divided by 2h. Which wins depends on the
//! parameter: on trained models (H = 24, T = 64, B = 32, up to 3,000 steps) a weight into a
//! sharply curved unit had D(1e-2) 20 % off a gradient that D(1e-3) and smaller steps agreed on to
//! 0.2 %, while small gradients were off by their noise at 1e-3. The median of three steps is
//! the one that is neither. The floor: the three estimates of a gradient below 1e-4 spread by
//! up to 2e-5 in those runs (f32 noise), so a gradient below 1e-4 · max(1, L) is compared
//! absolutely, not relatively.
//! Measured there (20 parameters per tensor, 20 draws, LSTM, GRU and tanh RNN): largest errors
//! below 0.06 up to 1,000 steps; after 3,000 steps 3 of 420 tensor draws above 0.1 (largest
//! 0.15), a wrong derivative gives errors near 1.

use crate::error::{Error, Result};
use crate::kernels::softmax_weights;
use crate::model::{Model, Params, State, Workspace};
use crate::rng::Rng;

/// The steps relative to the weight: h = step · max(1, |w|); the median of the three central
/// differences is compared.
pub const FD_STEPS: [f32; 3] = [1e-2, 3e-3, 1e-3];

/// The floor of a relative error's denominator is this times max(1, L) (see the module's doc).
pub const FD_FLOOR: f64 = 1e-4;

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
    /// [`FD_STEPS`]: h = step · max(1, |w|).
    pub steps: [f32; 3],
    /// The chunk's mean cross-entropy L (nats) at the unperturbed weights.
    pub loss: f64,
    /// The floor of the relative errors' denominators, [`FD_FLOOR`] · max(1, L).
    pub floor: f64,
    /// One entry per tensor checked, in `state_dict` order.
    pub tensors: Vec<TensorCheck>,
    /// Tensors in the model (all of them are checked unless one was asked for).
    pub total: usize,
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
/// the engine's [`Rng`] seeded with `seed` (all of a smaller tensor); only tensor `only` (in
/// `state_dict` order) when given, so that a caller can check a tensor at a time. Each parameter costs six
/// forward passes of the chunk and six repacks of the weights, plus one forward pass for L. The
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
    only: Option<usize>,
) -> Result<GradCheck> {
    check_per_tensor(per_tensor)?;
    let mut scratch = vec![0.0f32; model.dims().vocab]; // (V)
                                                        // The parameters to check, (tensor, index, backprop gradient), chosen tensor by tensor.
    let mut rng = Rng::new(seed);
    let (mut chosen, mut counts) = (Vec::new(), Vec::new());
    analytic.for_each(|g| {
        let ti = counts.len();
        let n = if only.is_none_or(|k| k == ti) { per_tensor.min(g.len()) } else { 0 };
        let first = chosen.len();
        while chosen.len() - first < n {
            let i = if n == g.len() { chosen.len() - first } else { rng.below(g.len()) };
            if !chosen[first..].iter().any(|&(_, j, _)| j == i) {
                chosen.push((ti, i, g[i] as f64));
            }
        }
        counts.push(n);
    });
    let total = counts.len();
    if let Some(k) = only.filter(|&k| k >= total) {
        return Err(Error::Config(format!("the model has {total} tensors; there is no tensor {k}")));
    }
    model.forward(ws, inputs, state);
    let loss = loss_f64(model, ws, targets, &mut scratch);
    let floor = FD_FLOOR * loss.max(1.0);
    let mut errors = Vec::with_capacity(chosen.len()); // (checked) relative errors, tensor by tensor
    for &(ti, i, g) in &chosen {
        let w = model.params.tensor_mut(ti)[i];
        let mut central = |step: f32| {
            let h = step * w.abs().max(1.0);
            let (plus, minus) = (w + h, w - h);
            let mut at = |value: f32| {
                model.params.tensor_mut(ti)[i] = value;
                model.repack();
                model.forward(ws, inputs, state);
                loss_f64(model, ws, targets, &mut scratch)
            };
            (at(plus) - at(minus)) / (plus as f64 - minus as f64)
        };
        let (a, b, c) = (central(FD_STEPS[0]), central(FD_STEPS[1]), central(FD_STEPS[2]));
        let fd = a.min(b).max(a.max(b).min(c)); // the median
        model.params.tensor_mut(ti)[i] = w;
        errors.push((fd - g).abs() / fd.abs().max(g.abs()).max(floor));
    }
    model.repack();
    let mut rest = &errors[..];
    let mut tensors = Vec::new();
    for ((name, _), n) in model.params.names_and_shapes().into_iter().zip(counts) {
        if n == 0 {
            continue; // not asked for
        }
        let (mine, next) = rest.split_at(n);
        rest = next;
        let max_rel_err = mine.iter().fold(0.0f64, |m, &e| m.max(e));
        tensors.push(TensorCheck { name, checked: n, max_rel_err, mean_rel_err: mine.iter().sum::<f64>() / n as f64 });
    }
    Ok(GradCheck { steps: FD_STEPS, loss, floor, tensors, total })
}
