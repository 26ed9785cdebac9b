//! Train/validation split and the batcher: B parallel streams over the training text, read in
//! consecutive chunks of T steps with targets shifted by one (the layout truncated BPTT needs).

use crate::error::{Error, Result};

/// Fewest validation characters [`split`] holds out when `val_fraction` is above 0 (a validation
/// loss over a few hundred characters is mostly noise), as long as training keeps half the text.
pub const MIN_VAL_CHARS: usize = 2000;

/// Splits ids into (train, validation): the last `val_fraction` of the text is validation, but at
/// least [`MIN_VAL_CHARS`] (or half the text, when that is shorter) unless `val_fraction` is 0.
/// A validation part shorter than two characters (nothing to predict) is dropped.
pub fn split(ids: &[u32], val_fraction: f32) -> (Vec<u32>, Vec<u32>) {
    let mut n_val = (ids.len() as f64 * val_fraction as f64).floor() as usize;
    if val_fraction > 0.0 {
        n_val = n_val.max(MIN_VAL_CHARS.min(ids.len() / 2));
    }
    if n_val < 2 || ids.len() - n_val < 2 {
        return (ids.to_vec(), Vec::new());
    }
    let cut = ids.len() - n_val;
    (ids[..cut].to_vec(), ids[cut..].to_vec())
}

/// Walks B streams over a text. Stream b covers the b-th of B equal segments; each call to
/// [`Batcher::next`] yields the next T characters of every stream. At the end of a segment the
/// epoch ends and every stream starts again from its beginning. A shard of the streams
/// ([`Batcher::shard`]) walks streams `first..first + streams` of the same layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Batcher {
    /// The first stream this batcher reads (0 unless it is a [`Batcher::shard`]).
    pub first: usize,
    /// Streams B actually used (fewer than asked when the text is short); of a shard, its own.
    pub streams: usize,
    /// Steps T per chunk.
    pub steps: usize,
    seg_len: usize,
    /// Chunks per epoch.
    pub chunks_per_epoch: usize,
    /// Index of the next chunk within the epoch.
    pub chunk: usize,
    /// Completed epochs.
    pub epoch: usize,
}

impl Batcher {
    /// A batcher over a text of `len` characters. Needs at least T+1 characters; uses fewer than
    /// `batch` streams when the text cannot give every stream one chunk.
    pub fn new(len: usize, steps: usize, batch: usize) -> Result<Batcher> {
        if len < steps + 1 {
            return Err(Error::Corpus(format!(
                "the training text has {len} characters; sequence length {steps} needs at least {}",
                steps + 1
            )));
        }
        let pairs = len - 1;
        let streams = batch.min(pairs / steps).max(1);
        let seg_len = pairs / streams;
        Ok(Batcher { first: 0, streams, steps, seg_len, chunks_per_epoch: seg_len / steps, chunk: 0, epoch: 0 })
    }

    /// The streams `streams` of this layout (stream indices within it), at the same position.
    pub fn shard(&self, streams: std::ops::Range<usize>) -> Batcher {
        debug_assert!(streams.start < streams.end && streams.end <= self.streams);
        Batcher { first: self.first + streams.start, streams: streams.len(), ..self.clone() }
    }

    /// Fills `inputs` and `targets` (T·B, time-major: row t·B + b) with the next chunk and advances.
    /// Returns true when this chunk starts a new pass over the text (the carried state must be reset).
    pub fn next(&mut self, ids: &[u32], inputs: &mut [u32], targets: &mut [u32]) -> bool {
        let start = self.chunk * self.steps;
        for t in 0..self.steps {
            for b in 0..self.streams {
                let i = (self.first + b) * self.seg_len + start + t;
                inputs[t * self.streams + b] = ids[i];
                targets[t * self.streams + b] = ids[i + 1];
            }
        }
        self.advance()
    }

    /// Moves to the next chunk without reading it; returns what [`Batcher::next`] returns.
    pub fn advance(&mut self) -> bool {
        let fresh = self.chunk == 0;
        self.chunk += 1;
        if self.chunk == self.chunks_per_epoch {
            self.chunk = 0;
            self.epoch += 1;
        }
        fresh
    }

    /// Fraction of the current epoch done, in [0, 1).
    pub fn progress(&self) -> f32 {
        self.chunk as f32 / self.chunks_per_epoch as f32
    }
}
