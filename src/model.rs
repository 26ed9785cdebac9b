//! The language model `Embedding(V, E) → L × {rnn, lstm, gru}(H) → Linear(H, V)`, exactly PyTorch's
//! modules, with its forward and backward pass over a chunk of T steps × B streams.

use crate::cell::{Compact, CompactLayer, Layer, LayerCache, Packed};
use crate::config::{CellKind, Config, InitKind};
use crate::kernels::{gemm, gemm_tn_acc, sum_rows_acc, Isa, Out, PackedB};
use crate::loss::{cross_entropy, cross_entropy_sum};
use crate::rng::Rng;
use std::sync::OnceLock;

/// All trainable tensors, named as PyTorch's `state_dict`. Gradients use the same struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `embedding.weight`, (V, E).
    pub embedding: Vec<f32>,
    /// `rnn.*_l{k}` for k = 0..L.
    pub layers: Vec<Layer>,
    /// `fc.weight`, (V, H).
    pub fc_w: Vec<f32>,
    /// `fc.bias`, (V).
    pub fc_b: Vec<f32>,
}

/// Largest vocabulary for which layer 0's input projection is precomputed per id after each
/// optimizer step (V rows of `E·W_ihᵀ`, then a row copy per character) rather than computed per
/// character (T·B rows): a win whenever V < T·B (2048 by default), and always for sampling.
pub const TABLE_MAX_VOCAB: usize = 1024;

/// Shape of a model: what is needed to allocate its tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Cell type.
    pub cell: CellKind,
    /// Vocabulary size V.
    pub vocab: usize,
    /// Embedding size E.
    pub embed: usize,
    /// Hidden size H.
    pub hidden: usize,
    /// Layers L.
    pub layers: usize,
}

impl Dims {
    /// Dims from a config and a vocabulary size.
    pub fn new(config: &Config, vocab: usize) -> Self {
        Dims { cell: config.cell, vocab, embed: config.embed, hidden: config.hidden, layers: config.layers }
    }

    /// Whether layer 0 reads its input projection from a table of projected embeddings (see
    /// [`Model`]): when the vocabulary is at most [`TABLE_MAX_VOCAB`].
    pub fn embedding_table(&self) -> bool {
        self.vocab <= TABLE_MAX_VOCAB
    }

    /// Multiply-adds per character of the forward pass (embedding gather excluded).
    pub fn forward_macs(&self) -> usize {
        let gh = self.cell.gates() * self.hidden;
        let mut macs = self.hidden * self.vocab;
        for k in 0..self.layers {
            let input = if k == 0 { self.embed } else { self.hidden };
            macs += gh * (input + self.hidden);
        }
        macs
    }
}

impl Params {
    /// All-zero tensors of the given shape.
    pub fn zeros(d: Dims) -> Self {
        Params {
            embedding: vec![0.0; d.vocab * d.embed],
            layers: (0..d.layers)
                .map(|k| Layer::zeros(d.cell, if k == 0 { d.embed } else { d.hidden }, d.hidden))
                .collect(),
            fc_w: vec![0.0; d.vocab * d.hidden],
            fc_b: vec![0.0; d.vocab],
        }
    }

    /// The shape of these tensors.
    pub fn dims(&self) -> Dims {
        let l0 = &self.layers[0];
        Dims {
            cell: l0.kind,
            vocab: self.fc_b.len(),
            embed: l0.input,
            hidden: l0.hidden,
            layers: self.layers.len(),
        }
    }

    /// Freshly initialised parameters.
    pub fn init(d: Dims, init: InitKind, rng: &mut Rng) -> Self {
        let mut p = Params::zeros(d);
        let k = 1.0 / (d.hidden as f32).sqrt();
        for v in p.embedding.iter_mut() {
            *v = rng.normal();
        }
        let hs = d.hidden;
        for layer in p.layers.iter_mut() {
            let input = layer.input;
            match init {
                InitKind::Pytorch | InitKind::Orthogonal | InitKind::Identity => {
                    for w in [&mut layer.w_ih, &mut layer.w_hh, &mut layer.b_ih, &mut layer.b_hh] {
                        fill_uniform(w, k, rng);
                    }
                }
                InitKind::Xavier => {
                    fill_uniform(&mut layer.w_ih, (6.0 / (input + hs) as f32).sqrt(), rng);
                    fill_uniform(&mut layer.w_hh, (6.0 / (2 * hs) as f32).sqrt(), rng);
                }
            }
            match init {
                InitKind::Orthogonal => {
                    for block in layer.w_hh.chunks_exact_mut(hs * hs) {
                        orthogonal(block, hs, rng);
                    }
                }
                InitKind::Identity => {
                    for block in layer.w_hh.chunks_exact_mut(hs * hs) {
                        block.fill(0.0);
                        for i in 0..hs {
                            block[i * hs + i] = 1.0;
                        }
                    }
                    layer.b_ih.fill(0.0);
                    layer.b_hh.fill(0.0);
                }
                _ => {}
            }
        }
        match init {
            InitKind::Xavier => fill_uniform(&mut p.fc_w, (6.0 / (d.hidden + d.vocab) as f32).sqrt(), rng),
            _ => {
                fill_uniform(&mut p.fc_w, k, rng);
                fill_uniform(&mut p.fc_b, k, rng);
            }
        }
        p
    }

    /// Tensor names and shapes in `state_dict` order, matching [`Params::for_each`].
    pub fn names_and_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let d = self.dims();
        let gh = d.cell.gates() * d.hidden;
        let mut out = vec![("embedding.weight".to_string(), vec![d.vocab, d.embed])];
        for (k, l) in self.layers.iter().enumerate() {
            out.push((format!("rnn.weight_ih_l{k}"), vec![gh, l.input]));
            out.push((format!("rnn.weight_hh_l{k}"), vec![gh, d.hidden]));
            out.push((format!("rnn.bias_ih_l{k}"), vec![gh]));
            out.push((format!("rnn.bias_hh_l{k}"), vec![gh]));
        }
        out.push(("fc.weight".to_string(), vec![d.vocab, d.hidden]));
        out.push(("fc.bias".to_string(), vec![d.vocab]));
        out
    }

    /// Visits every tensor in `state_dict` order.
    pub fn for_each(&self, mut f: impl FnMut(&[f32])) {
        self.visit(&mut f)
    }

    /// Visits every tensor mutably in `state_dict` order.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&mut [f32])) {
        self.visit_mut(&mut f)
    }

    /// Visits every tensor of `self` mutably beside the same tensor of `other` (e.g. its gradient),
    /// with the tensor's index in `state_dict` order.
    pub fn zip_mut(&mut self, other: &Params, mut f: impl FnMut(usize, &mut [f32], &[f32])) {
        self.visit_zip(other, &mut f)
    }

    // The walks take the visitor as `dyn`, and are not inlined: a closure's body is then compiled
    // once, not at each of the walk's 4·L + 3 call sites (the loops of clipping, zeroing, counting,
    // saving… duplicated at each were 2.7 KB of wasm). One indirect call per tensor is nothing
    // beside the tensor.

    #[inline(never)]
    fn visit(&self, f: &mut dyn FnMut(&[f32])) {
        f(&self.embedding);
        for l in &self.layers {
            f(&l.w_ih);
            f(&l.w_hh);
            f(&l.b_ih);
            f(&l.b_hh);
        }
        f(&self.fc_w);
        f(&self.fc_b);
    }

    #[inline(never)]
    fn visit_mut(&mut self, f: &mut dyn FnMut(&mut [f32])) {
        f(&mut self.embedding);
        for l in &mut self.layers {
            f(&mut l.w_ih);
            f(&mut l.w_hh);
            f(&mut l.b_ih);
            f(&mut l.b_hh);
        }
        f(&mut self.fc_w);
        f(&mut self.fc_b);
    }

    #[inline(never)]
    fn visit_zip(&mut self, other: &Params, f: &mut ZipVisitor<'_>) {
        f(0, &mut self.embedding, &other.embedding);
        for (k, (l, o)) in self.layers.iter_mut().zip(&other.layers).enumerate() {
            f(1 + 4 * k, &mut l.w_ih, &o.w_ih);
            f(2 + 4 * k, &mut l.w_hh, &o.w_hh);
            f(3 + 4 * k, &mut l.b_ih, &o.b_ih);
            f(4 + 4 * k, &mut l.b_hh, &o.b_hh);
        }
        let n = 1 + 4 * self.layers.len();
        f(n, &mut self.fc_w, &other.fc_w);
        f(n + 1, &mut self.fc_b, &other.fc_b);
    }

    /// Tensor `index` in `state_dict` order (the order of [`Params::for_each`]); panics past the
    /// last one.
    pub fn tensor_mut(&mut self, index: usize) -> &mut [f32] {
        let n = 4 * self.layers.len();
        match index {
            0 => &mut self.embedding,
            i if i <= n => {
                let l = &mut self.layers[(i - 1) / 4];
                [&mut l.w_ih, &mut l.w_hh, &mut l.b_ih, &mut l.b_hh][(i - 1) % 4]
            }
            i if i == n + 1 => &mut self.fc_w,
            i if i == n + 2 => &mut self.fc_b,
            _ => panic!("tensor index past the last tensor"),
        }
    }

    /// Number of scalar parameters.
    pub fn count(&self) -> usize {
        let mut n = 0;
        self.for_each(|t| n += t.len());
        n
    }

    /// Sets every element to zero.
    pub fn zero(&mut self) {
        self.for_each_mut(|t| t.fill(0.0));
    }

    /// Adds `other` element by element (how the shards' gradients are summed, in shard order).
    pub fn add(&mut self, other: &Params) {
        self.zip_mut(other, |_, a, b| a.iter_mut().zip(b).for_each(|(a, b)| *a += b));
    }

    /// Every tensor in `state_dict` order, one after another, into `out` (cleared first): what
    /// travels between Web Workers.
    pub fn write_flat(&self, out: &mut Vec<f32>) {
        out.clear();
        self.for_each(|t| out.extend_from_slice(t));
    }

    /// Reads back what [`Params::write_flat`] wrote for tensors of this shape; false (and nothing
    /// changed) when `src` has another length.
    pub fn read_flat(&mut self, src: &[f32]) -> bool {
        if src.len() != self.count() {
            return false;
        }
        let mut at = 0;
        self.for_each_mut(|t| {
            t.copy_from_slice(&src[at..at + t.len()]);
            at += t.len();
        });
        true
    }
}

/// What [`Params::zip_mut`] calls: (tensor index, tensor, the same tensor of the other set).
type ZipVisitor<'a> = dyn FnMut(usize, &mut [f32], &[f32]) + 'a;

fn fill_uniform(w: &mut [f32], bound: f32, rng: &mut Rng) {
    for v in w.iter_mut() {
        *v = rng.uniform_range(-bound, bound);
    }
}

/// Fills `w` (n×n) with a random orthogonal matrix: Gram–Schmidt on Gaussian rows.
fn orthogonal(w: &mut [f32], n: usize, rng: &mut Rng) {
    let mut q = vec![0.0f64; n * n];
    for i in 0..n {
        loop {
            let mut row: Vec<f64> = (0..n).map(|_| rng.normal() as f64).collect();
            for j in 0..i {
                let qj = &q[j * n..(j + 1) * n];
                let dot: f64 = row.iter().zip(qj).map(|(a, b)| a * b).sum();
                for (r, &b) in row.iter_mut().zip(qj) {
                    *r -= dot * b;
                }
            }
            let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 1e-6 {
                for (dst, v) in q[i * n..(i + 1) * n].iter_mut().zip(&row) {
                    *dst = v / norm;
                }
                break;
            }
        }
    }
    for (d, &v) in w.iter_mut().zip(&q) {
        *d = v as f32;
    }
}

/// Recurrent state of every layer: `h` (L, B, H) and, for LSTM, `c` (L, B, H).
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Hidden states, (L, B, H).
    pub h: Vec<f32>,
    /// LSTM cell states, (L, B, H); empty for rnn and gru.
    pub c: Vec<f32>,
}

impl State {
    /// The zero state for `batch` streams.
    pub fn zeros(d: Dims, batch: usize) -> Self {
        let n = d.layers * batch * d.hidden;
        State { h: vec![0.0; n], c: if d.cell == CellKind::Lstm { vec![0.0; n] } else { Vec::new() } }
    }

    /// Resets to zero.
    pub fn reset(&mut self) {
        self.h.fill(0.0);
        self.c.fill(0.0);
    }
}

/// Buffers for one chunk shape (T, B), allocated once and reused every step.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Steps T.
    pub steps: usize,
    /// Streams B.
    pub batch: usize,
    x: Vec<f32>, // (T·B, E) embedded inputs; unused with an embedding table
    g: Vec<f32>, // (V, G·H) layer 0's d_pre summed per input id, with an embedding table
    /// Per-layer forward caches.
    pub caches: Vec<LayerCache>,
    /// Output logits, (T·B, V), row t·B + b.
    pub logits: Vec<f32>,
    d_logits: Vec<f32>, // (T·B, V)
    d_out: Vec<f32>,    // (T·B, H) ∂L/∂(layer output)
    dx: Vec<f32>,       // (T·B, max(E, H)) ∂L/∂(layer input)
    /// ∂L/∂h_0 of every layer, (L, B, H), after a backward pass that asked for it.
    pub d_h0: Vec<f32>,
    /// ∂L/∂c_0 of every layer (LSTM), (L, B, H).
    pub d_c0: Vec<f32>,
}

impl Workspace {
    /// Buffers for chunks of `steps` × `batch` of a model of shape `d`.
    pub fn new(d: Dims, steps: usize, batch: usize) -> Self {
        let tb = steps * batch;
        let n_state = d.layers * batch * d.hidden;
        let table = d.embedding_table();
        Workspace {
            steps,
            batch,
            x: if table { Vec::new() } else { vec![0.0; tb * d.embed] },
            g: if table { vec![0.0; d.vocab * d.cell.gates() * d.hidden] } else { Vec::new() },
            caches: (0..d.layers).map(|_| LayerCache::new(d.cell, d.hidden, steps, batch)).collect(),
            logits: vec![0.0; tb * d.vocab],
            d_logits: vec![0.0; tb * d.vocab],
            d_out: vec![0.0; tb * d.hidden],
            dx: vec![0.0; tb * d.embed.max(d.hidden)],
            d_h0: vec![0.0; n_state],
            d_c0: vec![0.0; n_state],
        }
    }

    /// Copies the state after the last step of the forward pass into `state`.
    pub fn final_state(&self, state: &mut State) {
        let n = state.h.len() / self.caches.len().max(1);
        for (k, cache) in self.caches.iter().enumerate() {
            state.h[k * n..(k + 1) * n].copy_from_slice(cache.last_h());
            if !state.c.is_empty() {
                state.c[k * n..(k + 1) * n].copy_from_slice(cache.last_c());
            }
        }
    }

    /// The top layer's outputs h_t, (T·B, H).
    pub fn top_outputs(&self) -> &[f32] {
        self.caches.last().map(|c| c.outputs()).unwrap_or(&[])
    }
}

/// Number format of the weight matrices in a forward pass.
///
/// Training, validation and probes are always [`Precision::F32`]. Sampling defaults to
/// [`Precision::I16`]: one character at a time, a forward pass is a row times each weight matrix,
/// and its cost is streaming the matrices from memory — 3.2 MB of f32 for a 2 × 256 LSTM, more
/// than a core's L2, 1.6 MB in bf16 or i16 — and, once they fit, the multiply-adds, which i16 does
/// 8 per instruction. Measured on such a model (English, 400 training steps) over 50k validation
/// characters: loss 1.976473 nats in f32, 1.976424 in bf16, 1.976416 in i16; KL(f32 ‖ ·) of the
/// next-character distribution on average 9e-7 nats (bf16) and 3e-7 (i16), at most 1.3e-5 and
/// 7e-5; total variation on average 0.05 % and 0.03 %, at most 0.23 % and 0.48 %.
/// i16's step grows with a column's inner size k (its scale bounds Σ|w|), yet on wider LSTMs the
/// validation loss (30k characters) still moved by under 5e-5 nats: H = 512, f32 2.311313, bf16
/// 2.311300, i16 2.311357; H = 1024, f32 2.166210, bf16 2.166238, i16 2.166235.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// f32 weights: exactly the training forward pass, within PyTorch's numerics.
    F32,
    /// Weight matrices rounded to bf16 (nearest, ties to even) once per change of the weights;
    /// the embedding table, biases, states, activations and sums stay f32. Native only (the
    /// command-line tool's `--precision bf16`): the page samples in i16, and leaving it out keeps
    /// 6 KB out of the wasm module.
    #[cfg(not(target_arch = "wasm32"))]
    Bf16,
    /// Weight matrices quantised to i16 per output column, each input row to i16 per product,
    /// summed exactly in i32 and rescaled; the embedding table, biases and states stay f32.
    I16,
}

impl Precision {
    /// Lower-case name: `f32`, `bf16` or `i16`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            #[cfg(not(target_arch = "wasm32"))]
            Precision::Bf16 => "bf16",
            Precision::I16 => "i16",
        }
    }
}

/// A model: parameters plus the packed copies of the weights the kernels read.
#[derive(Clone, Debug)]
pub struct Model {
    /// The trainable tensors.
    pub params: Params,
    isa: Isa,
    packed: Vec<Packed>,
    fc_w_t: PackedB, // (H, V): logits = h·fc_wᵀ
    fc_w: PackedB,   // (V, H): ∂L/∂h = d_logits·fc_w
    /// (V, G·H) row v = layer 0's input projection of character v (embedding·W_ih0ᵀ + folded
    /// biases) when [`Dims::embedding_table`]; empty otherwise.
    emb_proj: Vec<f32>,
    /// Copies for [`Precision::Bf16`] and [`Precision::I16`], made on first use after each
    /// [`Model::repack`] (so training, which repacks every step, never pays for them).
    compact: [OnceLock<CompactWeights>; 2],
}

/// The weight matrices of a forward pass in a compact precision.
#[derive(Clone, Debug)]
struct CompactWeights {
    layers: Vec<CompactLayer>,
    fc_w_t: Compact, // (H, V): logits = h·fc_wᵀ
}

impl Model {
    /// Wraps parameters, packing them for the kernels of [`Isa::detect`].
    pub fn new(params: Params) -> Self {
        Model::with_isa(params, Isa::detect())
    }

    /// Wraps parameters for the kernels of a given instruction set.
    pub fn with_isa(params: Params, isa: Isa) -> Self {
        let mut m = Model {
            params,
            isa,
            packed: Vec::new(),
            fc_w_t: PackedB::default(),
            fc_w: PackedB::default(),
            emb_proj: Vec::new(),
            compact: Default::default(),
        };
        m.repack();
        m
    }

    /// The instruction set the model's arithmetic runs on.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// The model's shape.
    pub fn dims(&self) -> Dims {
        self.params.dims()
    }

    /// Rebuilds the packed weights; call after changing `params`.
    pub fn repack(&mut self) {
        let d = self.dims();
        self.packed.resize_with(d.layers, Packed::default);
        for (layer, packed) in self.params.layers.iter().zip(self.packed.iter_mut()) {
            layer.pack(self.isa, packed);
        }
        self.fc_w_t.pack(self.isa, d.hidden, d.vocab, &self.params.fc_w, true);
        self.fc_w.pack(self.isa, d.vocab, d.hidden, &self.params.fc_w, false);
        if d.embedding_table() {
            self.emb_proj.resize(d.vocab * d.cell.gates() * d.hidden, 0.0);
            let (l0, p0) = (&self.params.layers[0], &self.packed[0]);
            l0.project(self.isa, p0, d.vocab, &self.params.embedding, &mut self.emb_proj);
        }
        self.compact = Default::default();
    }

    /// The weights in `precision` (not f32), rounded from the current ones on first use.
    fn compact(&self, precision: Precision) -> &CompactWeights {
        self.compact[(precision == Precision::I16) as usize].get_or_init(|| {
            let d = self.dims();
            let table = !self.emb_proj.is_empty();
            let layers = self
                .params
                .layers
                .iter()
                .enumerate()
                .map(|(k, layer)| layer.pack_compact(self.isa, precision, k == 0 && table))
                .collect();
            let fc_w_t = Compact::pack(self.isa, precision, d.hidden, d.vocab, &self.params.fc_w, true);
            CompactWeights { layers, fc_w_t }
        })
    }

    /// Forward over a chunk. `inputs` (T·B) are time-major ids (row t·B + b), all `< V`; the chunk
    /// starts from `state`. Fills `ws.logits` and the layer caches. Exactly f32 (PyTorch's numbers).
    pub fn forward(&self, ws: &mut Workspace, inputs: &[u32], state: &State) {
        self.forward_at(Precision::F32, ws, inputs, state);
    }

    /// [`Model::forward`] with the weight matrices in `precision`. bf16 products run a row at a
    /// time, which suits sampling (T = B = 1), not long chunks.
    pub fn forward_at(&self, precision: Precision, ws: &mut Workspace, inputs: &[u32], state: &State) {
        let compact = match precision {
            Precision::F32 => None,
            p => Some(self.compact(p)),
        };
        let d = self.dims();
        let tb = ws.steps * ws.batch;
        debug_assert_eq!(inputs.len(), tb);
        let table = !self.emb_proj.is_empty();
        if table {
            let gh = d.cell.gates() * d.hidden;
            for (row, &id) in ws.caches[0].gates.chunks_exact_mut(gh).zip(inputs) {
                let id = id as usize;
                row.copy_from_slice(&self.emb_proj[id * gh..(id + 1) * gh]);
            }
        } else {
            for (row, &id) in ws.x.chunks_exact_mut(d.embed).zip(inputs) {
                let id = id as usize;
                row.copy_from_slice(&self.params.embedding[id * d.embed..(id + 1) * d.embed]);
            }
        }
        let n = ws.batch * d.hidden;
        for k in 0..d.layers {
            let (below, rest) = ws.caches.split_at_mut(k);
            let x = if k > 0 { Some(below[k - 1].outputs()) } else if table { None } else { Some(&ws.x[..]) };
            let c0 = if state.c.is_empty() { &[][..] } else { &state.c[k * n..(k + 1) * n] };
            let h0 = &state.h[k * n..(k + 1) * n];
            let q = compact.map(|w| &w.layers[k]);
            self.params.layers[k].forward(self.isa, &self.packed[k], q, x, h0, c0, &mut rest[0]);
        }
        let top = ws.caches.last().expect("at least one layer").outputs();
        let out = Out::Bias(&self.params.fc_b);
        match compact {
            None => gemm(self.isa, tb, top, d.hidden, &self.fc_w_t, &mut ws.logits, d.vocab, out),
            Some(w) => w.fc_w_t.gemm(self.isa, tb, top, d.hidden, &mut ws.logits, d.vocab, out),
        }
    }

    /// Mean cross-entropy of the last forward pass against `targets` (T·B, time-major), no gradient.
    pub fn loss(&self, ws: &Workspace, targets: &[u32]) -> f32 {
        cross_entropy(self.isa, &ws.logits, self.dims().vocab, targets, None)
    }

    /// Backpropagates one loss ℓ through the hidden states of the last forward pass only, for
    /// the diagnostics: no parameter gradient, so none of the weight-gradient GEMMs.
    ///
    /// `seed` (n·B, V) is ∂ℓ/∂logits of steps `first..first + n`; the steps before `first` get none
    /// from the output, and steps from `first + n` on are not visited at all (ℓ does not depend on
    /// them), so BPTT runs over `steps = first + n` steps. Then, top layer first, it runs layer k's
    /// [`Layer::backward_through_time`] and calls `visit(k, dh, cache)` with `dh` (steps·B, H) the
    /// total ∂ℓ/∂h_t^(k) — the cache holding `d_pre` and `dh_norm` of those steps — and hands
    /// `∂ℓ/∂x = d_pre · W_ih` to the layer below. Cost: `first + n` rows of `d_logits · fc_w` less
    /// the zero ones (n·B × V × H), and per layer `steps` cell steps with a `W_hh` product (B × G·H ×
    /// H) each, plus for k > 0 a (steps·B × G·H × H) product for the layer below.
    pub fn backward_hidden(
        &self,
        ws: &mut Workspace,
        seed: &[f32],
        first: usize,
        visit: &mut dyn FnMut(usize, &[f32], &LayerCache),
    ) {
        let d = self.dims();
        let (isa, b, hs, v) = (self.isa, ws.batch, d.hidden, d.vocab);
        let seeded = seed.len() / (v * b);
        let steps = first + seeded;
        assert!(steps <= ws.steps && seeded * v * b == seed.len(), "backward_hidden: seed rows");
        let rows = steps * b;
        ws.d_out[..first * b * hs].fill(0.0);
        gemm(isa, seeded * b, seed, v, &self.fc_w, &mut ws.d_out[first * b * hs..rows * hs], hs, Out::Overwrite);
        for k in (0..d.layers).rev() {
            let (layer, packed, cache) = (&self.params.layers[k], &self.packed[k], &mut ws.caches[k]);
            layer.backward_through_time(isa, packed, cache, &mut ws.d_out, steps);
            visit(k, &ws.d_out[..rows * hs], cache);
            if k > 0 {
                layer.input_grad(isa, packed, cache, rows, &mut ws.dx);
                ws.d_out[..rows * hs].copy_from_slice(&ws.dx[..rows * hs]);
            }
        }
    }

    /// Loss of the last forward pass and its backward pass: adds ∂loss/∂params into `grad` (which
    /// the caller zeroes) and leaves ‖∂L/∂h_t‖ in each layer cache and ∂L/∂h_0, ∂L/∂c_0 in `ws`.
    pub fn backward(&self, ws: &mut Workspace, inputs: &[u32], targets: &[u32], grad: &mut Params) -> f32 {
        let n = targets.len();
        (self.backward_sum(ws, inputs, targets, grad, 1.0 / n as f32) / n as f64) as f32
    }

    /// [`Model::backward`] of `scale` × the summed loss: returns the sum (nats) and adds
    /// `scale`·∂sum/∂params into `grad`. A shard of a batch of M positions passes scale = 1/M: its
    /// gradient is then its share of the batch mean's ([`crate::shard`]).
    pub fn backward_sum(&self, ws: &mut Workspace, inputs: &[u32], targets: &[u32], grad: &mut Params, scale: f32) -> f64 {
        let d = self.dims();
        let tb = ws.steps * ws.batch;
        let (isa, v, hs) = (self.isa, d.vocab, d.hidden);
        let loss = cross_entropy_sum(isa, &ws.logits, v, targets, Some(&mut ws.d_logits), scale);
        let top = ws.caches.last().expect("at least one layer").outputs();
        gemm_tn_acc(isa, v, hs, tb, &ws.d_logits, v, top, hs, &mut grad.fc_w, hs);
        sum_rows_acc(isa, &ws.d_logits, &mut grad.fc_b);
        gemm(isa, tb, &ws.d_logits, v, &self.fc_w, &mut ws.d_out, hs, Out::Overwrite);
        let n = ws.batch * d.hidden;
        let table = !self.emb_proj.is_empty();
        for k in (0..d.layers).rev() {
            let (below, rest) = ws.caches.split_at_mut(k);
            let x = if k > 0 { Some(below[k - 1].outputs()) } else if table { None } else { Some(&ws.x[..]) };
            let layer = &self.params.layers[k];
            let dx = if k > 0 || !table { Some(&mut ws.dx[..tb * layer.input]) } else { None };
            let state_grad = Some((&mut ws.d_h0[k * n..(k + 1) * n], &mut ws.d_c0[k * n..(k + 1) * n]));
            let (packed, grad) = (&self.packed[k], &mut grad.layers[k]);
            layer.backward(isa, packed, x, &mut rest[0], &mut ws.d_out, grad, dx, state_grad);
            if k > 0 {
                ws.d_out.copy_from_slice(&ws.dx[..tb * d.hidden]);
            }
        }
        if table {
            // Sum layer 0's d_pre per id, then two V-row GEMMs give ∂W_ih0 and ∂embedding.
            let gh = d.cell.gates() * d.hidden;
            ws.g.fill(0.0);
            for (row, &id) in ws.caches[0].d_pre().chunks_exact(gh).zip(inputs) {
                let id = id as usize;
                sum_rows_acc(isa, row, &mut ws.g[id * gh..(id + 1) * gh]);
            }
            let (l0, p0) = (&self.params.layers[0], &self.packed[0]);
            l0.table_grads(isa, p0, &ws.g, &self.params.embedding, &mut grad.layers[0].w_ih, &mut grad.embedding);
        } else {
            for (row, &id) in ws.dx.chunks_exact(d.embed).zip(inputs) {
                let id = id as usize;
                sum_rows_acc(isa, row, &mut grad.embedding[id * d.embed..(id + 1) * d.embed]);
            }
        }
        loss
    }
}
