//! The microscope: everything one forward and one backward pass compute over a probe text,
//! position by position, for the page to show next to the equations.
//!
//! Forward, at position t (reading token t, predicting token t + 1), for every layer:
//! its input x_t, h_{t−1}, every gate's pre-activation (the argument of its σ or tanh, both biases
//! included) and activation, c_t (LSTM) and h_t; then p_t = softmax(fc(h_t)) and
//! ℓ_t = −ln p_t[target]. Backward, of the probe's total loss L = Σ_t ℓ_t (a sum, not the training
//! mean): ∂L/∂h_t (the total, through the layer above and through step t + 1) and the gate deltas
//! ∂L/∂pre_t.
//!
//! Gates and widths, G·H wide rows with the gate blocks in PyTorch's order:
//!
//! ```text
//! rnn   G = 1:  pre = W_ih x + b_ih + W_hh h + b_hh,    act = h_t = tanh(pre)
//! lstm  G = 4:  i, f, o = σ(pre), g = tanh(pre)          c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
//! gru   G = 3:  r, z = σ(pre), n = tanh(pre),  pre_n = W_in x + b_in + r ⊙ (W_hn h + b_hn)
//!               h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//! ```

use super::check_probe;
use crate::cell::Layer;
use crate::config::CellKind;
use crate::error::Result;
use crate::loss::cross_entropy;
use crate::model::{Model, State, Workspace};

/// One layer's side of the trace, every array row-major with one row per position t (T rows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerTrace {
    /// The layer's input x_t, (T, In): the embedding row of token t for layer 0 (In = E),
    /// the layer below's h_t above it (In = H).
    pub x: Vec<f32>,
    /// h_{t−1}, (T, H); h_{−1} = 0.
    pub h_prev: Vec<f32>,
    /// Pre-activations, (T, G·H).
    pub pre: Vec<f32>,
    /// Activations, (T, G·H): rnn h_t; lstm i, f, g, o; gru r, z, n.
    pub act: Vec<f32>,
    /// Cell states c_t, (T, H); empty for rnn and gru.
    pub c: Vec<f32>,
    /// Hidden states h_t, (T, H).
    pub h: Vec<f32>,
    /// ∂L/∂h_t, (T, H).
    pub dh: Vec<f32>,
    /// ∂L/∂pre_t, (T, G·H).
    pub dpre: Vec<f32>,
}

impl LayerTrace {
    /// Every field by name, in declaration order (`c` is empty for rnn and gru).
    pub fn fields(&self) -> [(&'static str, &[f32]); 8] {
        [
            ("x", &self.x),
            ("h_prev", &self.h_prev),
            ("pre", &self.pre),
            ("act", &self.act),
            ("c", &self.c),
            ("h", &self.h),
            ("dh", &self.dh),
            ("dpre", &self.dpre),
        ]
    }
}

/// The trace of a probe text ([`trace`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Positions T (tokens − 1).
    pub steps: usize,
    /// The target ids (T): the id of token t + 1.
    pub targets: Vec<u32>,
    /// ℓ_t = −ln p_t[target], nats, (T).
    pub loss: Vec<f32>,
    /// p_t = softmax(logits_t), (T, V).
    pub probs: Vec<f32>,
    /// One per layer, bottom first.
    pub layers: Vec<LayerTrace>,
}

/// The trace of `ids` (2 to 128 ids, [`check_probe`]) from the zero state, one stream: one forward
/// pass (the training forward pass, B = 1), the pre-activations recomputed from x_t and h_{t−1}
/// ([`pre_activations`]), the losses and
/// ∂L/∂logits_t = p_t − onehot(target) by the training loss ([`cross_entropy`], one row at a time;
/// p_t read back from it), and one backward pass through the hidden states seeded with them
/// ([`Model::backward_hidden`]).
pub fn trace(model: &Model, ids: &[u32]) -> Result<Trace> {
    check_probe(ids.len())?;
    let d = model.dims();
    let (steps, v, hs) = (ids.len() - 1, d.vocab, d.hidden);
    let gh = d.cell.gates() * hs;
    let mut ws = Workspace::new(d, steps, 1);
    model.forward(&mut ws, &ids[..steps], &State::zeros(d, 1));
    let targets = ids[1..].to_vec();
    // ∂ℓ_t/∂logits_t = p_t − onehot(target) and ℓ_t, by the training loss itself (one row, N = 1).
    let mut seed = vec![0.0f32; steps * v]; // (T, V) ∂L/∂logits
    let mut loss = Vec::with_capacity(steps); // (T)
    for ((row, d_row), y) in ws.logits.chunks_exact(v).zip(seed.chunks_exact_mut(v)).zip(targets.chunks_exact(1)) {
        loss.push(cross_entropy(model.isa(), row, v, y, Some(d_row)));
    }
    let mut probs = owned(&seed); // (T, V) p_t
    for (row, &y) in probs.chunks_exact_mut(v).zip(&targets) {
        row[y as usize] += 1.0;
    }
    let mut layers: Vec<LayerTrace> = Vec::with_capacity(d.layers);
    for (layer, cache) in model.params.layers.iter().zip(&ws.caches) {
        let x = match layers.last() {
            Some(below) => owned(&below.h),
            None => {
                let mut x = Vec::with_capacity(steps * d.embed); // (T, E) embedding rows
                for &id in &ids[..steps] {
                    x.extend_from_slice(&model.params.embedding[id as usize * d.embed..][..d.embed]);
                }
                x
            }
        };
        let h_prev = owned(&cache.h[..steps * hs]);
        let pre = pre_activations(layer, &x, &h_prev, &cache.gates);
        let h = owned(cache.outputs());
        // The RNN's activation is h_t; the others' are the gates the forward pass kept.
        let act = owned(if d.cell == CellKind::Rnn { &h } else { &cache.gates });
        let c = if d.cell == CellKind::Lstm { owned(&cache.c[hs..]) } else { Vec::new() };
        layers.push(LayerTrace { x, h_prev, pre, act, c, h, dh: Vec::new(), dpre: Vec::new() });
    }
    model.backward_hidden(&mut ws, &seed, 0, &mut |k, dh, cache| {
        layers[k].dh = owned(dh);
        layers[k].dpre = owned(&cache.d_pre()[..steps * gh]);
    });
    Ok(Trace { steps, targets, loss, probs, layers })
}

/// A copy of `v`. Not inlined: the trace copies a dozen arrays, and each copy inlined was its own
/// allocation code.
#[inline(never)]
fn owned(v: &[f32]) -> Vec<f32> {
    v.to_vec()
}

/// The pre-activations of a layer over T steps, (T, G·H), from its inputs `x` (T, In), the states
/// before each step `h_prev` (T, H) and, for the GRU's n, the reset gates r_t in `gates` (T, 3H):
///
/// ```text
/// rnn, lstm, gru r and z:  W_ih x_t + b_ih + W_hh h_{t−1} + b_hh     (row j of the weights: unit j)
/// gru n:                   W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)
/// ```
///
/// Dot products summed in f32 in index order: the forward pass's values to rounding (its kernels
/// sum in another order), computed once per probe rather than kept by every training step.
fn pre_activations(layer: &Layer, x: &[f32], h_prev: &[f32], gates: &[f32]) -> Vec<f32> {
    let (input, hs) = (layer.input, layer.hidden);
    let gh = layer.w_hh.len() / hs;
    let gru = layer.kind == CellKind::Gru;
    let dot = |w: &[f32], v: &[f32]| w.iter().zip(v).map(|(a, b)| a * b).sum::<f32>();
    let mut pre = vec![0.0f32; h_prev.len() / hs * gh]; // (T, G·H)
    for (t, row) in pre.chunks_exact_mut(gh).enumerate() {
        let (x_t, h_t) = (&x[t * input..(t + 1) * input], &h_prev[t * hs..(t + 1) * hs]);
        for (j, p) in row.iter_mut().enumerate() {
            let wx = dot(&layer.w_ih[j * input..(j + 1) * input], x_t) + layer.b_ih[j];
            let wh = dot(&layer.w_hh[j * hs..(j + 1) * hs], h_t) + layer.b_hh[j];
            *p = if gru && j >= 2 * hs { wx + gates[t * gh + j - 2 * hs] * wh } else { wx + wh };
        }
    }
    pre
}
