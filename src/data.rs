//! Train/validation split and the batcher: B parallel streams over the training text, read in
//! consecutive chunks of T steps with targets shifted by one (the layout truncated BPTT needs).
//! Everything here counts tokens ([`crate::tokenizer`]); [`TokenIds::chars`] counts the
//! characters they stand for, for bits per character.

use crate::error::{Error, Result};
use crate::vocab::Encoded;
use std::ops::Range;

/// Fewest validation tokens [`split`] holds out when `val_fraction` is above 0 (a validation loss
/// over a few hundred predictions is mostly noise), as long as training keeps half the text.
pub const MIN_VAL_TOKENS: usize = 2000;

/// A text as token ids, with the length of each token the unknown id hides, so that its
/// characters can be counted exactly.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenIds {
    /// One id per token.
    pub ids: Vec<u32>,
    /// `(position, characters)` of every token mapped to the unknown id, by position.
    pub unknown_at: Vec<(usize, usize)>,
}

impl From<Encoded> for TokenIds {
    fn from(e: Encoded) -> TokenIds {
        TokenIds { ids: e.ids, unknown_at: e.unknown_at }
    }
}

impl TokenIds {
    /// Tokens.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Characters of the tokens at `range`: a known token's from `lens` (the vocabulary's
    /// [`crate::vocab::Vocab::lens`]), an unknown one's its own.
    pub fn chars(&self, range: Range<usize>, lens: &[u32]) -> usize {
        let ids = &self.ids[range.clone()];
        let mut n: usize = ids.iter().map(|&i| lens[i as usize] as usize).sum();
        let first = self.unknown_at.partition_point(|u| u.0 < range.start);
        for &(at, chars) in self.unknown_at[first..].iter().take_while(|u| u.0 < range.end) {
            n = n + chars - lens[self.ids[at] as usize] as usize;
        }
        n
    }

    /// Tokens mapped to the unknown id.
    pub fn unknown_tokens(&self) -> usize {
        self.unknown_at.len()
    }

    /// Characters inside tokens mapped to the unknown id.
    pub fn unknown_chars(&self) -> usize {
        self.unknown_at.iter().map(|u| u.1).sum()
    }

    /// The tokens before `cut` and from `cut` on.
    fn split_at(&self, cut: usize) -> (TokenIds, TokenIds) {
        let k = self.unknown_at.partition_point(|u| u.0 < cut);
        let head = TokenIds { ids: self.ids[..cut].to_vec(), unknown_at: self.unknown_at[..k].to_vec() };
        let tail = self.unknown_at[k..].iter().map(|&(at, n)| (at - cut, n)).collect();
        (head, TokenIds { ids: self.ids[cut..].to_vec(), unknown_at: tail })
    }
}

/// Splits a text into (train, validation) on a token boundary: the last `val_fraction` of its
/// tokens is validation, but at least [`MIN_VAL_TOKENS`] (or half the text, when that is shorter)
/// unless `val_fraction` is 0. A validation part shorter than two tokens (nothing to predict) is
/// dropped.
pub fn split(text: &TokenIds, val_fraction: f32) -> (TokenIds, TokenIds) {
    let n = text.len();
    let mut n_val = (n as f64 * val_fraction as f64).floor() as usize;
    if val_fraction > 0.0 {
        n_val = n_val.max(MIN_VAL_TOKENS.min(n / 2));
    }
    if n_val < 2 || n - n_val < 2 {
        return (text.clone(), TokenIds::default());
    }
    text.split_at(n - n_val)
}

/// Walks B streams over a text. Stream b covers the b-th of B equal segments; each call to
/// [`Batcher::next`] yields the next T tokens of every stream. At the end of a segment the epoch
/// ends and every stream starts again from its beginning. A shard of the streams
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
    /// A batcher over a text of `len` tokens. Needs at least T+1 tokens; uses fewer than `batch`
    /// streams when the text cannot give every stream one chunk.
    pub fn new(len: usize, steps: usize, batch: usize) -> Result<Batcher> {
        if len < steps + 1 {
            return Err(Error::Corpus(format!(
                "the training text has {len} tokens; sequence length {steps} needs at least {}",
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

    /// Characters of the targets of chunk `chunk` of an epoch over `text`, for this batcher's
    /// streams (`lens`: the vocabulary's characters per id): the characters its loss predicts.
    pub fn target_chars(&self, chunk: usize, text: &TokenIds, lens: &[u32]) -> usize {
        let start = chunk * self.steps + 1;
        (self.first..self.first + self.streams)
            .map(|b| b * self.seg_len + start)
            .map(|a| text.chars(a..a + self.steps, lens))
            .sum()
    }

    /// Fraction of the current epoch done, in [0, 1).
    pub fn progress(&self) -> f32 {
        self.chunk as f32 / self.chunks_per_epoch as f32
    }
}
