//! Gradient clipping and the optimizers: Adam, SGD with momentum, Adagrad, RMSProp (PyTorch's
//! update rules), with step learning-rate decay.

use crate::config::{ClipKind, Config, OptimizerKind};
use crate::kernels::sum_sq;
use crate::model::Params;

/// Global L2 norm of all gradients, ‖g‖₂.
pub fn grad_norm(grad: &Params) -> f32 {
    let mut s = 0.0f64;
    grad.for_each(|t| s += sum_sq(t));
    s.sqrt() as f32
}

/// Clips gradients in place given their norm; returns whether anything changed.
/// `Norm` scales by `min(1, clip / (‖g‖ + 1e-6))` as `torch.nn.utils.clip_grad_norm_` does.
pub fn clip(grad: &mut Params, mode: ClipKind, clip: f32, norm: f32) -> bool {
    match mode {
        ClipKind::None => false,
        ClipKind::Norm => {
            let scale = clip / (norm + 1e-6);
            if scale < 1.0 {
                grad.for_each_mut(|t| t.iter_mut().for_each(|g| *g *= scale));
                true
            } else {
                false
            }
        }
        ClipKind::Value => {
            let mut clipped = false;
            grad.for_each_mut(|t| {
                for g in t.iter_mut() {
                    if g.abs() > clip {
                        // Not clamp: its panic message for NaN bounds links float Debug (~8 KB of wasm).
                        *g = clip.copysign(*g);
                        clipped = true;
                    }
                }
            });
            clipped
        }
    }
}

/// Optimizer state: first and second moments per tensor (those the chosen rule uses) and the step.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    /// Update rule.
    pub kind: OptimizerKind,
    /// Steps taken so far.
    pub step: u64,
    /// First moments (Adam m, SGD velocity), one per tensor in `state_dict` order; empty if unused.
    pub m: Vec<Vec<f32>>,
    /// Second moments (Adam v, Adagrad sum, RMSProp square average); empty if unused.
    pub v: Vec<Vec<f32>>,
}

impl Optimizer {
    /// Zero state for parameters shaped like `params`.
    pub fn new(kind: OptimizerKind, params: &Params) -> Self {
        let mut zeros = Vec::new();
        params.for_each(|t| zeros.push(vec![0.0; t.len()]));
        let (uses_m, uses_v) = match kind {
            OptimizerKind::Adam => (true, true),
            OptimizerKind::Sgd => (true, false),
            OptimizerKind::Adagrad | OptimizerKind::Rmsprop => (false, true),
        };
        let empty = || zeros.iter().map(|_| Vec::new()).collect();
        Optimizer {
            kind,
            step: 0,
            m: if uses_m { zeros.clone() } else { empty() },
            v: if uses_v { zeros } else { empty() },
        }
    }

    /// The learning rate in effect for the next step, after decay.
    pub fn lr(&self, c: &Config) -> f32 {
        c.lr * c.lr_decay.powi((self.step / c.lr_decay_every as u64) as i32)
    }

    /// One update of `params` from `grad`.
    pub fn update(&mut self, c: &Config, params: &mut Params, grad: &Params) {
        let lr = self.lr(c);
        self.step += 1;
        let (kind, t) = (self.kind, self.step as i32);
        let (m, v) = (&mut self.m, &mut self.v);
        params.zip_mut(grad, |i, p, g| update_tensor(kind, c, lr, t, p, g, &mut m[i], &mut v[i]));
    }
}

/// One tensor's update at step `t` (from 1): parameters `p`, gradient `g`, and the moments `m` and
/// `v` (empty when the rule does not use them). Not inlined: when `zip_mut` called its visitor at
/// each of its seven call sites, every rule's loops inlined at each of them were 10 KB of wasm.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn update_tensor(
    kind: OptimizerKind,
    c: &Config,
    lr: f32,
    t: i32,
    p: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    match kind {
        OptimizerKind::Adam => {
            let bc1 = 1.0 - c.beta1.powi(t);
            let bc2_sqrt = (1.0 - c.beta2.powi(t)).sqrt();
            let step_size = lr / bc1;
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                *m = c.beta1 * *m + (1.0 - c.beta1) * g;
                *v = c.beta2 * *v + (1.0 - c.beta2) * g * g;
                *p -= step_size * *m / (v.sqrt() / bc2_sqrt + c.eps);
            }
        }
        OptimizerKind::Sgd => {
            for ((p, &g), m) in p.iter_mut().zip(g).zip(m) {
                // PyTorch: the first step sets the buffer to g; after that buf = μ·buf + g.
                *m = if t == 1 { g } else { c.momentum * *m + g };
                *p -= lr * *m;
            }
        }
        OptimizerKind::Adagrad => {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
                *v += g * g;
                *p -= lr * g / (v.sqrt() + c.eps);
            }
        }
        OptimizerKind::Rmsprop => {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
                *v = c.beta2 * *v + (1.0 - c.beta2) * g * g;
                *p -= lr * g / (v.sqrt() + c.eps);
            }
        }
    }
}
