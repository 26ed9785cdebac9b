//! Entropies of a text by plain counting, the floors a language model is measured against:
//!
//! ```text
//! H(X)              = −Σ_a p(a) log₂ p(a)                       (unigram: tokens alone)
//! H(X_t | X_{t−1})  = −Σ_{a,b} p(a, b) log₂ p(b | a)            (bigram: given the previous one)
//!                   = H(X_{t−1}, X_t) − H(X_{t−1})
//! ```
//!
//! in bits per token (a character or a word, [`crate::tokenizer`]), with p the frequencies in the
//! text: of its n tokens for H(X), of its n − 1 adjacent pairs (a = X_{t−1}, b = X_t) for the
//! bigram, so p(a) there counts a among the first n − 1 tokens. A model that knows only token
//! frequencies reaches H(X); one that also knows the previous token, H(X_t | X_{t−1}).

use crate::config::TokenKind;
use crate::tokenizer;
use std::collections::HashMap;

/// Unigram and bigram conditional entropy of a text, bits per token.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Entropy {
    /// H(X); 0 for an empty text.
    pub unigram_bits: f64,
    /// H(X_t | X_{t−1}); 0 for a text shorter than two tokens.
    pub bigram_bits: f64,
}

/// Counts of u64 keys: open addressing with linear probing, keys spread by a multiplicative hash.
/// Smaller in wasm than another `HashMap` instantiation, and as fast on these keys.
struct Counts {
    keys: Vec<u64>,   // (capacity) EMPTY or a key
    counts: Vec<u64>, // (capacity)
    len: usize,
    bits: u32, // capacity = 2^bits
}

/// A key no symbol pair makes (symbols are below 2³²−1: ids, or chars ≤ U+10FFFF).
const EMPTY: u64 = u64::MAX;

impl Counts {
    fn new() -> Counts {
        let bits = 8;
        Counts { keys: vec![EMPTY; 1 << bits], counts: vec![0; 1 << bits], len: 0, bits }
    }

    fn add(&mut self, key: u64) {
        if 2 * (self.len + 1) > self.keys.len() {
            let (keys, counts) = (std::mem::take(&mut self.keys), std::mem::take(&mut self.counts));
            self.bits += 1;
            self.keys = vec![EMPTY; 1 << self.bits];
            self.counts = vec![0; 1 << self.bits];
            self.len = 0;
            for (k, c) in keys.into_iter().zip(counts).filter(|&(k, _)| k != EMPTY) {
                *self.slot(k) += c;
            }
        }
        *self.slot(key) += 1;
    }

    /// The count of `key`, inserted (at 0) if absent.
    fn slot(&mut self, key: u64) -> &mut u64 {
        let mask = self.keys.len() - 1;
        let mut i = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize;
        while self.keys[i] != key && self.keys[i] != EMPTY {
            i = (i + 1) & mask;
        }
        if self.keys[i] == EMPTY {
            self.keys[i] = key;
            self.len += 1;
        }
        &mut self.counts[i]
    }

    /// Σ c log₂ c over the counts.
    fn sum_c_log_c(&self) -> f64 {
        self.counts.iter().map(|&c| c_log_c(c)).sum()
    }

    fn get(&mut self, key: u64) -> u64 {
        *self.slot(key)
    }
}

/// c log₂ c, 0 for c ≤ 1 (as ln / ln 2: wasm then links one logarithm, not two).
#[inline(never)]
fn c_log_c(c: u64) -> f64 {
    if c > 1 {
        c as f64 * (c as f64).ln() / std::f64::consts::LN_2
    } else {
        0.0
    }
}

/// The entropies of a sequence of symbols (ids, or tokens numbered as they first appear), counted
/// in f64:
/// H = log₂ N − (1/N) Σ c log₂ c over the N symbols or pairs.
pub fn entropy(symbols: &[u32]) -> Entropy {
    let n = symbols.len();
    if n == 0 {
        return Entropy::default();
    }
    let (mut single, mut pairs) = (Counts::new(), Counts::new());
    for &s in symbols {
        single.add(s as u64);
    }
    for w in symbols.windows(2) {
        pairs.add((w[0] as u64) << 32 | w[1] as u64);
    }
    let s_uni = single.sum_c_log_c();
    let unigram_bits = (c_log_c(n as u64) / n as f64 - s_uni / n as f64).max(0.0);
    if n < 2 {
        return Entropy { unigram_bits, bigram_bits: 0.0 };
    }
    // The first symbols of the pairs: every symbol but the last one.
    let last = single.get(symbols[n - 1] as u64);
    let s_prev = s_uni - c_log_c(last) + c_log_c(last - 1);
    // H(pairs) − H(prev) over the same n − 1 pairs: the log₂(n − 1) terms cancel.
    let bigram_bits = ((s_prev - pairs.sum_c_log_c()) / (n - 1) as f64).max(0.0);
    Entropy { unigram_bits, bigram_bits }
}

/// [`entropy`] of a text's tokens of `kind` (all of them: the vocabulary's cap plays no part).
pub fn text_entropy(kind: TokenKind, text: &str) -> Entropy {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let symbols: Vec<u32> = tokenizer::tokens(kind, text)
        .map(|t| {
            let next = numbers.len() as u32;
            *numbers.entry(t).or_insert(next)
        })
        .collect();
    entropy(&symbols)
}
