//! The vocabulary: a map between tokens and ids, owning the tokenizer that cuts text into tokens
//! ([`crate::tokenizer`]: characters or words, [`TokenKind`]), so that text becomes ids and ids
//! become text in one place.
//!
//! Id 0 is always the unknown token [`UNKNOWN`] (U+FFFD, the replacement character), so that
//! text with tokens the model never saw (a prime, or the rare tail beyond the cap) still encodes.
//! No other entry contains U+FFFD (a U+FFFD in the text is read as unknown too), so in what a
//! model generates U+FFFD means the unknown token and nothing else. The rest are the most frequent
//! tokens sorted by their text (code-point order): the same corpus always gives the same ids.

use crate::config::TokenKind;
use crate::error::{Error, Result};
use crate::heap::heapsort;
use crate::json::{self, Value};
use crate::tokenizer;
use std::collections::HashMap;

/// The text of the unknown token.
pub const UNKNOWN: &str = "\u{FFFD}";

/// How many of the distinct unknown tokens [`Encoded::unknown`] lists (it counts them all).
pub const MAX_LISTED_UNKNOWN: usize = 100;

/// A map between tokens and ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Vocab {
    kind: TokenKind,
    tokens: Vec<String>,       // (V) id -> token; tokens[unk] = UNKNOWN
    lens: Vec<u32>,            // (V) characters of each token
    ids: HashMap<String, u32>, // token -> id, without the unknown entry
    unk: Option<u32>,
}

/// What building a vocabulary from a corpus had to drop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VocabReport {
    /// Distinct tokens in the corpus.
    pub distinct: usize,
    /// Distinct tokens beyond the cap, mapped to the unknown id.
    pub dropped_tokens: usize,
    /// Occurrences in the corpus of those tokens.
    pub dropped_occurrences: usize,
}

/// A text as ids, with what the unknown id hides of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encoded {
    /// One id per token.
    pub ids: Vec<u32>,
    /// Characters of the text.
    pub chars: usize,
    /// `(position, characters)` of every token mapped to the unknown id, by position: its
    /// spelling is gone, its length is kept (bits per character count every character).
    pub unknown_at: Vec<(usize, usize)>,
    /// Distinct tokens mapped to the unknown id, in order of first appearance (the first
    /// [`MAX_LISTED_UNKNOWN`]).
    pub unknown: Vec<String>,
    /// How many distinct tokens were mapped to the unknown id.
    pub unknown_distinct: usize,
}

impl Encoded {
    /// Occurrences mapped to the unknown id.
    pub fn unknown_tokens(&self) -> usize {
        self.unknown_at.len()
    }

    /// Characters of the text inside tokens mapped to the unknown id.
    pub fn unknown_chars(&self) -> usize {
        self.unknown_at.iter().map(|x| x.1).sum()
    }
}

impl Vocab {
    /// Builds a vocabulary of at most `max_size` ids (including the unknown id) from the tokens of
    /// `text`. The most frequent tokens are kept; ties go to the lower code point.
    pub fn build(kind: TokenKind, text: &str, max_size: usize) -> Result<(Vocab, VocabReport)> {
        if max_size < 2 {
            return Err(Error::Config(format!("max_vocab = {max_size} must be at least 2")));
        }
        // u32 counts (a corpus is at most 64 MB): the same map type as `ids`, one copy of its code.
        let mut counts: HashMap<String, u32> = HashMap::new();
        for t in tokenizer::tokens(kind, text) {
            match counts.get_mut(t) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(t.to_string(), 1);
                }
            }
        }
        if counts.is_empty() {
            return Err(Error::Corpus("the corpus is empty".into()));
        }
        let mut by_count: Vec<(String, u32)> = counts.into_iter().collect();
        heapsort(&mut by_count, &|a: &(String, u32), b: &(String, u32)| (b.1, &a.0) < (a.1, &b.0));
        let keep = (max_size - 1).min(by_count.len());
        let report = VocabReport {
            distinct: by_count.len(),
            dropped_tokens: by_count.len() - keep,
            dropped_occurrences: by_count[keep..].iter().map(|x| x.1 as usize).sum(),
        };
        by_count.truncate(keep);
        heapsort(&mut by_count, &|a: &(String, u32), b: &(String, u32)| a.0 < b.0);
        let mut tokens = vec![UNKNOWN.to_string()];
        tokens.extend(by_count.into_iter().map(|x| x.0).filter(|t| !t.chars().any(|c| c == '\u{FFFD}')));
        Ok((Vocab::from_tokens(kind, tokens)?, report))
    }

    /// A vocabulary given in id order, such as one saved next to a PyTorch model. Its first
    /// [`UNKNOWN`] is the unknown id, which takes unseen tokens; without one, unseen tokens are an
    /// error. A character vocabulary's entries are single characters.
    pub fn from_tokens(kind: TokenKind, tokens: Vec<String>) -> Result<Vocab> {
        if tokens.is_empty() {
            return Err(Error::ModelFile("the vocabulary is empty".into()));
        }
        let mut ids = HashMap::with_capacity(tokens.len());
        let mut unk = None;
        let mut lens = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            let n = t.chars().count();
            if n == 0 || (kind == TokenKind::Characters && n != 1) {
                let what = if kind == TokenKind::Characters { "exactly one character" } else { "a token" };
                return Err(Error::ModelFile(format!("vocabulary entry {i} ({}) is not {what}", json::quoted(t))));
            }
            lens.push(n as u32);
            if t == UNKNOWN && unk.is_none() {
                unk = Some(i as u32);
            } else if ids.insert(t.clone(), i as u32).is_some() {
                return Err(Error::ModelFile(format!("the vocabulary lists {} twice", json::quoted(t))));
            }
        }
        Ok(Vocab { kind, tokens, lens, ids, unk })
    }

    /// [`Vocab::from_tokens`] for characters.
    pub fn from_chars(chars: Vec<char>) -> Result<Vocab> {
        Vocab::from_tokens(TokenKind::Characters, chars.into_iter().map(String::from).collect())
    }

    /// Parses a JSON array of strings in id order (for characters, one character each).
    pub fn from_json(kind: TokenKind, s: &str) -> Result<Vocab> {
        let not_list = |e: &str| Error::ModelFile(format!("vocabulary is not a JSON array of strings: {e}"));
        let list = match json::parse(s).map_err(|e| not_list(&e))? {
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(not_list(&format!("an entry is {}", other.kind()))),
                })
                .collect::<Result<Vec<String>>>()?,
            other => return Err(not_list(&format!("it is {}", other.kind()))),
        };
        Vocab::from_tokens(kind, list)
    }

    /// The vocabulary as a JSON array of strings in id order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, t) in self.tokens.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_str(&mut out, t);
        }
        out.push(']');
        out
    }

    /// What a token is: a character or a word.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// Number of ids V.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Always false: a vocabulary has at least one id.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The unknown id, if this vocabulary has one.
    pub fn unknown_id(&self) -> Option<u32> {
        self.unk
    }

    /// The text of an id ([`UNKNOWN`] for the unknown id or an out-of-range id).
    pub fn token(&self, id: u32) -> &str {
        self.tokens.get(id as usize).map_or(UNKNOWN, String::as_str)
    }

    /// Tokens in id order.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Characters of each token, in id order (1 for the unknown token: its spelling is unknown).
    pub fn lens(&self) -> &[u32] {
        &self.lens
    }

    /// The id of a token, if it is in the vocabulary.
    pub fn id_of(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// Cuts `text` into tokens ([`crate::tokenizer`]) and maps them to ids; tokens not in the
    /// vocabulary map to the unknown id and are reported. Without an unknown id they are an error.
    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let mut out = Encoded { ids: Vec::with_capacity(text.len() / 2), ..Encoded::default() };
        let mut seen: HashMap<String, u32> = HashMap::new(); // a set, as the map type of `ids`
        for t in tokenizer::tokens(self.kind, text) {
            let n = t.chars().count();
            out.chars += n;
            if let Some(&id) = self.ids.get(t) {
                out.ids.push(id);
                continue;
            }
            let Some(u) = self.unk else {
                return Err(Error::Text(match self.kind {
                    TokenKind::Characters => format!(
                        "character {} (U+{:04X}) is not in the vocabulary",
                        json::quoted(t),
                        t.chars().next().map_or(0, |c| c as u32)
                    ),
                    TokenKind::Words => {
                        format!("token {} is not in the vocabulary", json::quoted(t))
                    }
                }));
            };
            if !seen.contains_key(t) {
                seen.insert(t.to_string(), 0);
                if out.unknown.len() < MAX_LISTED_UNKNOWN {
                    out.unknown.push(t.to_string());
                }
            }
            out.unknown_at.push((out.ids.len(), n));
            out.ids.push(u);
        }
        out.unknown_distinct = seen.len();
        Ok(out)
    }

    /// Decodes ids into text (the unknown id as [`UNKNOWN`]).
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter().map(|&i| self.token(i)).collect()
    }
}
