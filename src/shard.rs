//! A shard of the B streams: the unit of data-parallel training.
//!
//! A step's loss is the mean over the chunk's T·B positions, so its gradient is a sum over the
//! streams. Cut the B streams into k shards S_1 … S_k of consecutive streams:
//!
//! ```text
//! L = 1/(T·B) · Σ_b Σ_t ℓ_{t,b}          ∂L/∂θ = Σ_i g_i,   g_i = 1/(T·B) · Σ_{b ∈ S_i} Σ_t ∂ℓ_{t,b}/∂θ
//! ```
//!
//! Each shard reads its own streams' next chunk, runs forward from its own carried state and
//! backward within the chunk (truncated BPTT), with the loss gradient scaled by 1/(T·B) rather
//! than 1/(T·|S_i|), so that the shards' gradients add up to the batch's. The trainer then sums
//! them in shard order, clips the sum on its global norm and takes one optimizer step
//! ([`crate::trainer::Trainer::step`]). One shard is exactly the single-batch step; k shards give
//! the same numbers up to the order of float additions. Natively the shards run on k threads
//! ([`backprop_all`]); in the browser on k Web Workers (the page's pool sends a shard's chunk and
//! state to a worker and gets its gradient back), or one after another in one worker.

use crate::data::Batcher;
use crate::model::{Dims, Model, Params, State, Workspace};
use std::ops::Range;

/// One shard: its streams, its position, its carried state and its share of the gradient.
pub struct Shard {
    /// Its streams within the layout and its position in the text: the same chunk as every
    /// other shard's, since all streams advance together.
    pub batcher: Batcher,
    /// The state carried into its next chunk, (L, b, H) for its b streams, cut from the gradient.
    pub state: State,
    /// After [`Shard::backprop`]: its share of the step's gradient (see the module's sum).
    pub grad: Params,
    /// After [`Shard::backprop`]: its positions' summed loss, nats.
    pub loss_sum: f64,
    /// Its chunk's inputs and targets, (T·b) time-major (row t·b + j).
    pub inputs: Vec<u32>,
    /// See `inputs`.
    pub targets: Vec<u32>,
    /// Activations of its chunk; after a backward pass, ‖∂L/∂h_t‖ over its streams per layer.
    pub ws: Workspace,
}

impl Shard {
    /// The streams `streams` of `layout` (at its position), starting from `state` ((L, b, H)).
    pub fn new(d: Dims, layout: &Batcher, streams: Range<usize>, state: State) -> Shard {
        let batcher = layout.shard(streams);
        let (t, b) = (batcher.steps, batcher.streams);
        Shard {
            state,
            grad: Params::zeros(d),
            loss_sum: 0.0,
            inputs: vec![0; t * b],
            targets: vec![0; t * b],
            ws: Workspace::new(d, t, b),
            batcher,
        }
    }

    /// A shard of `streams` streams and `steps` steps outside any layout: a Web Worker of the
    /// page's pool, which is sent each chunk and state ([`Shard::backprop`] only).
    pub fn detached(d: Dims, steps: usize, streams: usize) -> Shard {
        // A text of one chunk: always a layout (and no Debug formatting of errors in the wasm).
        let Ok(layout) = Batcher::new(steps * streams + 1, steps, streams) else { unreachable!() };
        Shard::new(d, &layout, 0..streams, State::zeros(d, streams))
    }

    /// Reads its streams' next chunk; at the start of an epoch the carried state is reset.
    pub fn read(&mut self, ids: &[u32]) {
        if self.batcher.next(ids, &mut self.inputs, &mut self.targets) {
            self.state.reset();
        }
    }

    /// Takes the results of its [`Shard::backprop`] run elsewhere (a Web Worker of the page's
    /// pool, [`Shard::detached`]): the gradient (every tensor in `state_dict` order, as
    /// [`Params::write_flat`] writes them), the summed loss, the final state and ‖∂L/∂h_t‖ of each
    /// layer (L·T). False, and nothing changed, when a length is not this shard's.
    pub fn receive(&mut self, grad: &[f32], loss_sum: f64, h: &[f32], c: &[f32], dh: &[f32]) -> bool {
        let steps = self.ws.steps;
        let fits = h.len() == self.state.h.len() && c.len() == self.state.c.len() && dh.len() == self.ws.caches.len() * steps;
        if !fits || !self.grad.read_flat(grad) {
            return false;
        }
        self.loss_sum = loss_sum;
        self.state.h.copy_from_slice(h);
        self.state.c.copy_from_slice(c);
        for (cache, norms) in self.ws.caches.iter_mut().zip(dh.chunks_exact(steps)) {
            cache.dh_norm.copy_from_slice(norms);
        }
        true
    }

    /// Forward over the chunk from the carried state, backward within it: `grad` becomes `scale`
    /// × ∂(Σ loss)/∂θ over its positions (scale = 1/(T·B) for a shard of a batch of B streams) and
    /// `loss_sum` the summed loss; the final state is carried to its next chunk (h.detach()).
    pub fn backprop(&mut self, model: &Model, scale: f32) {
        model.forward(&mut self.ws, &self.inputs, &self.state);
        self.grad.zero();
        self.loss_sum = model.backward_sum(&mut self.ws, &self.inputs, &self.targets, &mut self.grad, scale);
        self.ws.final_state(&mut self.state);
    }
}

/// The k shards of B streams as ranges of consecutive streams, as equal as can be (the first
/// B mod k get one more); at most B shards.
pub fn ranges(streams: usize, k: usize) -> Vec<Range<usize>> {
    let k = k.min(streams).max(1);
    let (each, extra) = (streams / k, streams % k);
    let mut first = 0;
    (0..k)
        .map(|i| {
            let n = each + (i < extra) as usize;
            first += n;
            first - n..first
        })
        .collect()
}

/// [`Shard::backprop`] of every shard. Natively each on its own thread (the caller's takes the
/// first); in wasm one after another (the page's pool runs them on its workers instead). Each
/// shard's numbers are the same either way.
pub fn backprop_all(shards: &mut [Shard], model: &Model, scale: f32) {
    let Some((first, rest)) = shards.split_first_mut() else { return };
    #[cfg(not(target_arch = "wasm32"))]
    if !rest.is_empty() {
        std::thread::scope(|s| {
            for shard in rest.iter_mut() {
                s.spawn(|| shard.backprop(model, scale));
            }
            first.backprop(model, scale);
        });
        return;
    }
    first.backprop(model, scale);
    for shard in rest {
        shard.backprop(model, scale);
    }
}

/// The carried states of the shards of a layout (all its streams, in order) as one, (L, B, H).
pub fn gather(shards: &[Shard], d: Dims) -> State {
    let b: usize = shards.iter().map(|s| s.batcher.streams).sum();
    let mut out = State::zeros(d, b);
    for s in shards {
        copy_streams(d, &s.state, 0, &mut out, s.batcher.first, s.batcher.streams);
    }
    out
}

/// The streams `streams` of a state of B streams, (L, b, H).
pub fn slice(state: &State, d: Dims, streams: Range<usize>) -> State {
    let mut out = State::zeros(d, streams.len());
    copy_streams(d, state, streams.start, &mut out, 0, streams.len());
    out
}

/// Copies `n` streams' h (and c) of every layer from `src`, from its stream `from`, into `dst`
/// at its stream `to`; each state is (L, its streams, H).
#[inline(never)]
fn copy_streams(d: Dims, src: &State, from: usize, dst: &mut State, to: usize, n: usize) {
    let (hs, layers) = (d.hidden, d.layers.max(1));
    let (sb, db) = (src.h.len() / layers, dst.h.len() / layers);
    for (s, t) in [(&src.h, &mut dst.h), (&src.c, &mut dst.c)] {
        for k in 0..layers.min(s.len()) {
            let (a, b) = (k * sb + from * hs, k * db + to * hs);
            t[b..b + n * hs].copy_from_slice(&s[a..a + n * hs]);
        }
    }
}

/// k shards of `layout`'s streams at its position, carrying the matching streams of `state`.
pub fn split(d: Dims, layout: &Batcher, state: &State, k: usize) -> Vec<Shard> {
    ranges(layout.streams, k).into_iter().map(|r| Shard::new(d, layout, r.clone(), slice(state, d, r))).collect()
}

/// ‖∂L/∂h_t‖ over all the shards' streams, per layer (bottom first) and step: the root of the sum
/// of the shards' squares (one shard's own norms, untouched, when there is one).
pub fn dh_norms(shards: &[Shard]) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = shards[0].ws.caches.iter().map(|c| c.dh_norm.clone()).collect();
    if shards.len() > 1 {
        for (k, layer) in out.iter_mut().enumerate() {
            for (t, v) in layer.iter_mut().enumerate() {
                *v = shards.iter().map(|s| s.ws.caches[k].dh_norm[t].powi(2)).sum::<f32>().sqrt();
            }
        }
    }
    out
}
