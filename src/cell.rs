//! One recurrent layer over a chunk of T steps and B streams: the GEMMs shared by every cell,
//! around the per-step math of [`crate::rnn`], [`crate::lstm`] and [`crate::gru`].
//!
//! Activations are time-major: row `t·B + b` is stream b at step t. The input projections of all T
//! steps are one GEMM before the recurrence, and the weight gradients one GEMM after it.

use crate::config::CellKind;
use crate::kernels::{gemm, gemm_i16, gemm_tn_acc, sum_rows_acc, Isa, Out, PackedB, PackedI16};
#[cfg(not(target_arch = "wasm32"))]
use crate::kernels::{gemm_bf16, PackedBf16};
use crate::model::Precision;
use crate::{gru, lstm, rnn};

/// Parameters of one layer, exactly PyTorch's `nn.RNN/LSTM/GRU` layer k (G = 1, 4, 3).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Cell type.
    pub kind: CellKind,
    /// Input width (E for layer 0, H above).
    pub input: usize,
    /// Hidden size H.
    pub hidden: usize,
    /// Input weights, (G·H, In), gate blocks in PyTorch order.
    pub w_ih: Vec<f32>,
    /// Recurrent weights, (G·H, H).
    pub w_hh: Vec<f32>,
    /// Input bias, (G·H).
    pub b_ih: Vec<f32>,
    /// Recurrent bias, (G·H).
    pub b_hh: Vec<f32>,
}

/// A layer's weights in the GEMM micro-kernel's panel layout, rebuilt after each optimizer step
/// (no allocation once sized), and the biases folded for the forward pass.
#[derive(Clone, Debug, Default)]
pub struct Packed {
    w_ih_t: PackedB,  // (In, G·H): x·W_ihᵀ
    w_hh_t: PackedB,  // (H, G·H): h·W_hhᵀ
    w_ih: PackedB,    // (G·H, In): ∂L/∂x = d_pre·W_ih
    w_hh: PackedB,    // (G·H, H): ∂L/∂h_{t−1} = d_pre·W_hh
    bias_x: Vec<f32>, // (G·H) added by the input projection: b_ih + b_hh, except GRU's b_hn
    bias_h: Vec<f32>, // (G·H) GRU only, added to W_hh h: 0, 0, b_hn
}

/// A weight matrix rounded for sampling: bf16 (native only, as [`Precision::Bf16`]), or i16 per
/// column.
#[derive(Clone, Debug)]
pub enum Compact {
    /// Rounded to bf16.
    #[cfg(not(target_arch = "wasm32"))]
    Bf16(PackedBf16),
    /// Quantised to i16.
    I16(PackedI16),
}

impl Compact {
    /// `B (k × n)` (`src` as in [`PackedB::pack`]) in `precision` (not f32) for `isa`.
    pub fn pack(isa: Isa, precision: Precision, k: usize, n: usize, src: &[f32], transposed: bool) -> Compact {
        match precision {
            #[cfg(not(target_arch = "wasm32"))]
            Precision::Bf16 => {
                let mut b = PackedBf16::default();
                b.pack(isa, k, n, src, transposed);
                Compact::Bf16(b)
            }
            _ => {
                let mut b = PackedI16::default();
                b.pack(isa, k, n, src, transposed);
                Compact::I16(b)
            }
        }
    }

    /// [`gemm`] with this B.
    #[allow(clippy::too_many_arguments)]
    pub fn gemm(&self, isa: Isa, m: usize, a: &[f32], lda: usize, c: &mut [f32], ldc: usize, out: Out) {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Compact::Bf16(b) => gemm_bf16(isa, m, a, lda, b, c, ldc, out),
            Compact::I16(b) => gemm_i16(isa, m, a, lda, b, c, ldc, out),
        }
    }
}

/// A layer's forward matrices rounded for sampling (see [`crate::model::Precision`]); the biases
/// stay f32, in [`Packed`].
#[derive(Clone, Debug)]
pub struct CompactLayer {
    w_ih_t: Option<Compact>, // (In, G·H): x·W_ihᵀ; none when the layer reads an embedding table
    w_hh_t: Compact,         // (H, G·H): h·W_hhᵀ
}

/// Everything a layer keeps from its forward pass over a chunk for the backward pass, plus scratch.
#[derive(Clone, Debug, Default)]
pub struct LayerCache {
    steps: usize,
    batch: usize,
    /// Gate activations, (T·B, G·H): rnn pre-activations; lstm i,f,g,o; gru r,z,n.
    pub gates: Vec<f32>,
    /// Hidden states, ((T+1)·B, H): block 0 is the initial state, block t+1 is h_t.
    pub h: Vec<f32>,
    /// LSTM cell states, ((T+1)·B, H), same indexing as `h`.
    pub c: Vec<f32>,
    /// LSTM tanh(c_t), (T·B, H).
    tanh_c: Vec<f32>,
    /// GRU `W_hn h_{t−1} + b_hn`, (T·B, H).
    hn: Vec<f32>,
    h_proj: Vec<f32>,  // (B, G·H) GRU scratch: W_hh h_{t−1} + (0, 0, b_hn)
    d_pre: Vec<f32>,   // (T·B, G·H) input-side pre-activation gradients
    d_pre_h: Vec<f32>, // (T·B, G·H) gru hidden-side pre-activation gradients
    dh_next: Vec<f32>, // (B, H) ∂L/∂h_{t−1} flowing backwards
    dc: Vec<f32>,      // (B, H) ∂L/∂c flowing backwards
    db: Vec<f32>,      // (2, G·H) bias gradients of the chunk: input side, hidden side (GRU)
    /// ‖∂L/∂h_t‖₂ over the batch for every t of the last backward pass, (T).
    pub dh_norm: Vec<f32>,
}

impl LayerCache {
    /// Buffers for a chunk of `steps` × `batch`.
    pub fn new(kind: CellKind, hidden: usize, steps: usize, batch: usize) -> Self {
        let gh = kind.gates() * hidden;
        let tb = steps * batch;
        let lstm = kind == CellKind::Lstm;
        let gru = kind == CellKind::Gru;
        LayerCache {
            steps,
            batch,
            gates: vec![0.0; tb * gh],
            h: vec![0.0; (tb + batch) * hidden],
            c: if lstm { vec![0.0; (tb + batch) * hidden] } else { Vec::new() },
            tanh_c: if lstm { vec![0.0; tb * hidden] } else { Vec::new() },
            hn: if gru { vec![0.0; tb * hidden] } else { Vec::new() },
            h_proj: if gru { vec![0.0; batch * gh] } else { Vec::new() },
            d_pre: vec![0.0; tb * gh],
            d_pre_h: if gru { vec![0.0; tb * gh] } else { Vec::new() },
            dh_next: vec![0.0; batch * hidden],
            dc: vec![0.0; batch * hidden],
            db: vec![0.0; 2 * gh],
            dh_norm: vec![0.0; steps],
        }
    }

    /// The layer's outputs h_1..h_T, (T·B, H): the next layer's input.
    pub fn outputs(&self) -> &[f32] {
        let bh = self.h.len() / (self.steps + 1);
        &self.h[bh..]
    }

    /// ∂L/∂(input-side pre-activations) of the last backward pass, (T·B, G·H).
    pub fn d_pre(&self) -> &[f32] {
        &self.d_pre
    }

    /// Final hidden state h_T, (B, H).
    pub fn last_h(&self) -> &[f32] {
        let bh = self.h.len() / (self.steps + 1);
        &self.h[self.steps * bh..]
    }

    /// Final LSTM cell state c_T, (B, H); empty for other cells.
    pub fn last_c(&self) -> &[f32] {
        if self.c.is_empty() {
            return &[];
        }
        let bh = self.c.len() / (self.steps + 1);
        &self.c[self.steps * bh..]
    }
}

impl Layer {
    /// A zero layer of the given shape.
    pub fn zeros(kind: CellKind, input: usize, hidden: usize) -> Self {
        let gh = kind.gates() * hidden;
        Layer {
            kind,
            input,
            hidden,
            w_ih: vec![0.0; gh * input],
            w_hh: vec![0.0; gh * hidden],
            b_ih: vec![0.0; gh],
            b_hh: vec![0.0; gh],
        }
    }

    /// Rebuilds the packed weights and folded biases for `isa`.
    pub fn pack(&self, isa: Isa, packed: &mut Packed) {
        let (gh, hs, input) = (self.kind.gates() * self.hidden, self.hidden, self.input);
        packed.w_ih_t.pack(isa, input, gh, &self.w_ih, true);
        packed.w_hh_t.pack(isa, hs, gh, &self.w_hh, true);
        packed.w_ih.pack(isa, gh, input, &self.w_ih, false);
        packed.w_hh.pack(isa, gh, hs, &self.w_hh, false);
        packed.bias_x.clear();
        packed.bias_x.extend(self.b_ih.iter().zip(&self.b_hh).map(|(a, b)| a + b));
        if self.kind == CellKind::Gru {
            // b_hn is multiplied by r, so it stays on the hidden side.
            packed.bias_x[2 * hs..].copy_from_slice(&self.b_ih[2 * hs..]);
            packed.bias_h.clear();
            packed.bias_h.resize(2 * hs, 0.0);
            packed.bias_h.extend_from_slice(&self.b_hh[2 * hs..]);
        }
    }

    /// The forward matrices in `precision` (not f32) for `isa`: `W_hh`, and `W_ih` unless `table`
    /// (layer 0 reading projected embeddings, which stay f32).
    pub fn pack_compact(&self, isa: Isa, precision: Precision, table: bool) -> CompactLayer {
        let gh = self.kind.gates() * self.hidden;
        CompactLayer {
            w_ih_t: (!table).then(|| Compact::pack(isa, precision, self.input, gh, &self.w_ih, true)),
            w_hh_t: Compact::pack(isa, precision, self.hidden, gh, &self.w_hh, true),
        }
    }

    /// The input projection `out (rows, G·H) = x (rows, In) · W_ihᵀ + b_ih` plus the parts of `b_hh`
    /// that add to it (all but GRU's `b_hn`): what [`Layer::forward`] starts from.
    pub fn project(&self, isa: Isa, packed: &Packed, rows: usize, x: &[f32], out: &mut [f32]) {
        let gh = self.kind.gates() * self.hidden;
        gemm(isa, rows, x, self.input, &packed.w_ih_t, out, gh, Out::Bias(&packed.bias_x));
    }

    /// Forward over a chunk from the initial state `h0` (B, H) and, for LSTM, `c0`. With `x`
    /// (T·B, In) the input projections of all T steps are one GEMM; without, `cache.gates` already
    /// holds them (see [`Layer::project`]). Fills `cache`; the outputs are `cache.outputs()`. With
    /// `compact` the matrix products read those copies instead of the f32 weights (biases stay f32).
    #[allow(clippy::too_many_arguments)]
    pub fn forward(
        &self,
        isa: Isa,
        packed: &Packed,
        compact: Option<&CompactLayer>,
        x: Option<&[f32]>,
        h0: &[f32],
        c0: &[f32],
        cache: &mut LayerCache,
    ) {
        let (hs, b, steps) = (self.hidden, cache.batch, cache.steps);
        let gh = self.kind.gates() * hs;
        let (bh, bg) = (b * hs, b * gh);
        if let Some(x) = x {
            match compact.and_then(|q| q.w_ih_t.as_ref()) {
                None => self.project(isa, packed, steps * b, x, &mut cache.gates),
                Some(w) => w.gemm(isa, steps * b, x, self.input, &mut cache.gates, gh, Out::Bias(&packed.bias_x)),
            }
        }
        // out (B, G·H) = h_prev (B, H)·W_hhᵀ (+ out or a bias, per `init`)
        let hidden_product = |h_prev: &[f32], out: &mut [f32], init: Out| match compact {
            None => gemm(isa, b, h_prev, hs, &packed.w_hh_t, out, gh, init),
            Some(q) => q.w_hh_t.gemm(isa, b, h_prev, hs, out, gh, init),
        };
        cache.h[..bh].copy_from_slice(h0);
        if self.kind == CellKind::Lstm {
            cache.c[..bh].copy_from_slice(c0);
        }
        for t in 0..steps {
            let (h_done, h_rest) = cache.h.split_at_mut((t + 1) * bh);
            let h_prev = &h_done[t * bh..];
            let h_out = &mut h_rest[..bh];
            let gates = &mut cache.gates[t * bg..(t + 1) * bg];
            match self.kind {
                CellKind::Rnn => {
                    hidden_product(h_prev, gates, Out::Accumulate);
                    rnn::forward_step(isa, gates, h_out)
                }
                CellKind::Lstm => {
                    hidden_product(h_prev, gates, Out::Accumulate);
                    let (c_done, c_rest) = cache.c.split_at_mut((t + 1) * bh);
                    let tanh_c = &mut cache.tanh_c[t * bh..(t + 1) * bh];
                    lstm::forward_step(isa, hs, gates, &c_done[t * bh..], &mut c_rest[..bh], tanh_c, h_out);
                }
                CellKind::Gru => {
                    hidden_product(h_prev, &mut cache.h_proj, Out::Bias(&packed.bias_h));
                    let hn = &mut cache.hn[t * bh..(t + 1) * bh];
                    gru::forward_step(isa, hs, gates, &cache.h_proj, h_prev, hn, h_out)
                }
            }
        }
    }

    /// Backward over the chunk last run forward in `cache` (truncated BPTT: no gradient arrives from
    /// beyond step T). `d_out` (T·B, H) holds ∂L/∂h_t from the layer above on entry and is overwritten with
    /// the total ∂L/∂h_t. Adds the parameter gradients into `grad` — `W_ih`'s only when the inputs
    /// `x` are given (otherwise see [`Layer::table_grads`]); writes ∂L/∂x into `dx` (T·B, In) when
    /// given, and ∂L/∂h_0, ∂L/∂c_0 into `dh0`, `dc0` when given.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        isa: Isa,
        packed: &Packed,
        x: Option<&[f32]>,
        cache: &mut LayerCache,
        d_out: &mut [f32],
        grad: &mut Layer,
        dx: Option<&mut [f32]>,
        state_grad: Option<(&mut [f32], &mut [f32])>,
    ) {
        let (hs, steps) = (self.hidden, cache.steps);
        let gh = self.kind.gates() * hs;
        let tb = steps * cache.batch;
        let gru = self.kind == CellKind::Gru;
        self.backward_through_time(isa, packed, cache, d_out, steps);
        if let Some((dh0, dc0)) = state_grad {
            dh0.copy_from_slice(&cache.dh_next);
            if self.kind == CellKind::Lstm {
                dc0.copy_from_slice(&cache.dc);
            }
        }
        // Weight gradients over all T·B rows at once.
        let (db_x, db_h) = cache.db.split_at(gh);
        let d_hidden = if gru { &cache.d_pre_h } else { &cache.d_pre };
        if let Some(x) = x {
            gemm_tn_acc(isa, gh, self.input, tb, &cache.d_pre, gh, x, self.input, &mut grad.w_ih, self.input);
        }
        gemm_tn_acc(isa, gh, hs, tb, d_hidden, gh, &cache.h[..tb * hs], hs, &mut grad.w_hh, hs);
        // b_ih and b_hh add to the same pre-activations: the same gradient, except GRU's b_hn.
        sum_rows_acc(isa, db_x, &mut grad.b_ih);
        sum_rows_acc(isa, if gru { db_h } else { db_x }, &mut grad.b_hh);
        if let Some(dx) = dx {
            self.input_grad(isa, packed, cache, tb, dx);
        }
    }

    /// Backpropagation through time over the first `steps` steps of the chunk in `cache` (from step
    /// `steps − 1` down to 0), nothing arriving from beyond: the recurrence of [`Layer::backward`]
    /// without its parameter gradients. `d_out` (≥ steps·B, H) holds ∂L/∂h_t from the layer above
    /// on entry and the total ∂L/∂h_t on exit,
    ///
    /// ```text
    /// ∂L/∂h_t = ∂L/∂h_t|above + ∂L/∂h_{t+1} · ∂h_{t+1}/∂h_t      (c_t a separate variable, LSTM)
    /// ```
    ///
    /// Fills, for those steps, `cache`'s pre-activation gradients ([`LayerCache::d_pre`]),
    /// `dh_norm` (‖∂L/∂h_t‖₂ over the batch) and the chunk's bias gradients, and leaves ∂L/∂h_0
    /// (and ∂L/∂c_0) in its carried gradients. Per step: the cell's backward step and one product
    /// with `W_hh` (B × G·H × H multiply-adds).
    pub fn backward_through_time(
        &self,
        isa: Isa,
        packed: &Packed,
        cache: &mut LayerCache,
        d_out: &mut [f32],
        steps: usize,
    ) {
        assert!(steps <= cache.steps, "backward_through_time: more steps than the chunk");
        let (hs, b) = (self.hidden, cache.batch);
        let gh = self.kind.gates() * hs;
        let (bh, bg) = (b * hs, b * gh);
        let gru = self.kind == CellKind::Gru;
        cache.dh_next.fill(0.0);
        cache.dc.fill(0.0);
        cache.db.fill(0.0);
        let (db_x, db_h) = cache.db.split_at_mut(gh);
        for t in (0..steps).rev() {
            let dh = &mut d_out[t * bh..(t + 1) * bh];
            let gates = &cache.gates[t * bg..(t + 1) * bg];
            let d_pre = &mut cache.d_pre[t * bg..(t + 1) * bg];
            let sum_sq = match self.kind {
                CellKind::Rnn => {
                    let h = &cache.h[(t + 1) * bh..(t + 2) * bh];
                    rnn::backward_step(isa, hs, dh, &cache.dh_next, h, d_pre, db_x)
                }
                CellKind::Lstm => lstm::backward_step(
                    isa,
                    hs,
                    gates,
                    &cache.c[t * bh..(t + 1) * bh],
                    &cache.tanh_c[t * bh..(t + 1) * bh],
                    dh,
                    &cache.dh_next,
                    &mut cache.dc,
                    d_pre,
                    db_x,
                ),
                CellKind::Gru => gru::backward_step(
                    isa,
                    hs,
                    gates,
                    &cache.hn[t * bh..(t + 1) * bh],
                    &cache.h[t * bh..(t + 1) * bh],
                    dh,
                    &mut cache.dh_next,
                    d_pre,
                    &mut cache.d_pre_h[t * bg..(t + 1) * bg],
                    db_x,
                    db_h,
                ),
            };
            cache.dh_norm[t] = sum_sq.sqrt() as f32;
            let d_hidden = if gru { &cache.d_pre_h[t * bg..(t + 1) * bg] } else { &cache.d_pre[t * bg..(t + 1) * bg] };
            // GRU's dh_next already holds the direct path dh ⊙ z.
            let out = if gru { Out::Accumulate } else { Out::Overwrite };
            gemm(isa, b, d_hidden, gh, &packed.w_hh, &mut cache.dh_next, hs, out);
        }
    }

    /// `dx (rows, In) = d_pre · W_ih`: ∂L/∂(layer input) from the first `rows` rows of the
    /// pre-activation gradients of the last backward pass.
    pub fn input_grad(&self, isa: Isa, packed: &Packed, cache: &LayerCache, rows: usize, dx: &mut [f32]) {
        let gh = self.kind.gates() * self.hidden;
        gemm(isa, rows, &cache.d_pre, gh, &packed.w_ih, dx, self.input, Out::Overwrite);
    }

    /// The input-side gradients when the inputs are rows of an embedding table `E` (V, In): with
    /// `g` (V, G·H) the sum of the rows of `cache.d_pre()` per id, adds `∂L/∂W_ih += gᵀ·E` and
    /// `∂L/∂E += g·W_ih` — V rows instead of T·B.
    #[allow(clippy::too_many_arguments)]
    pub fn table_grads(
        &self,
        isa: Isa,
        packed: &Packed,
        g: &[f32],
        embedding: &[f32],
        grad_w_ih: &mut [f32],
        grad_embedding: &mut [f32],
    ) {
        let (gh, input) = (self.kind.gates() * self.hidden, self.input);
        let v = embedding.len() / input.max(1);
        gemm_tn_acc(isa, gh, input, v, g, gh, embedding, input, grad_w_ih, input);
        gemm(isa, v, g, gh, &packed.w_ih, grad_embedding, input, Out::Accumulate);
    }
}
