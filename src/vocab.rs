//! Character vocabulary over Unicode scalar values (Rust `char`).
//!
//! Id 0 is always the unknown character, so that text with characters the model never saw (a prime,
//! or the rare tail beyond the cap) still encodes. The rest are sorted by code point: the same corpus
//! always gives the same ids.

use crate::error::{Error, Result};
use crate::heap::heapsort;
use crate::json::{self, Value};
use std::collections::HashMap;

/// The character shown for the unknown id.
pub const UNKNOWN: char = '\u{FFFD}';

/// A map between characters and ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Vocab {
    chars: Vec<char>,        // (V) id -> char; chars[unk] = UNKNOWN
    ids: HashMap<char, u32>, // char -> id, without the unknown entry
    unk: Option<u32>,
}

/// What building a vocabulary from a corpus had to drop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VocabReport {
    /// Distinct characters in the corpus.
    pub distinct: usize,
    /// Distinct characters beyond the cap, mapped to the unknown id.
    pub dropped_chars: usize,
    /// Occurrences in the corpus of those characters.
    pub dropped_occurrences: usize,
}

/// The result of encoding text: ids plus the characters that were not in the vocabulary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encoded {
    /// One id per character.
    pub ids: Vec<u32>,
    /// Distinct characters mapped to the unknown id, in order of first appearance.
    pub unknown: Vec<char>,
}

impl Vocab {
    /// Builds a vocabulary of at most `max_size` ids (including the unknown id) from `text`.
    /// The most frequent characters are kept; ties go to the lower code point.
    pub fn build(text: &str, max_size: usize) -> Result<(Vocab, VocabReport)> {
        if max_size < 2 {
            return Err(Error::Config(format!("max_vocab = {max_size} must be at least 2")));
        }
        // u32 counts (a corpus is at most 64 MB): the same map type as `ids`, one copy of its code.
        let mut counts: HashMap<char, u32> = HashMap::new();
        for c in text.chars() {
            *counts.entry(c).or_insert(0) += 1;
        }
        if counts.is_empty() {
            return Err(Error::Corpus("the corpus is empty".into()));
        }
        let mut by_count: Vec<(char, u32)> = counts.into_iter().collect();
        heapsort(&mut by_count, &|a: &(char, u32), b: &(char, u32)| (b.1, a.0) < (a.1, b.0));
        let keep = (max_size - 1).min(by_count.len());
        let report = VocabReport {
            distinct: by_count.len(),
            dropped_chars: by_count.len() - keep,
            dropped_occurrences: by_count[keep..].iter().map(|x| x.1 as usize).sum(),
        };
        let mut kept = by_count[..keep].to_vec();
        heapsort(&mut kept, &|a: &(char, u32), b: &(char, u32)| a.0 < b.0);
        let mut chars = vec![UNKNOWN];
        chars.extend(kept.into_iter().map(|x| x.0).filter(|&c| c != UNKNOWN));
        Ok((Vocab::with_unknown(chars), report))
    }

    fn with_unknown(chars: Vec<char>) -> Vocab {
        let ids = chars.iter().enumerate().skip(1).map(|(i, &c)| (c, i as u32)).collect();
        Vocab { chars, ids, unk: Some(0) }
    }

    /// A vocabulary given in id order, such as one saved next to a PyTorch model. If it contains
    /// [`UNKNOWN`], that id takes unseen characters; otherwise unseen characters are an error.
    pub fn from_chars(chars: Vec<char>) -> Result<Vocab> {
        if chars.is_empty() {
            return Err(Error::ModelFile("the vocabulary is empty".into()));
        }
        let mut ids = HashMap::new();
        let mut unk = None;
        for (i, &c) in chars.iter().enumerate() {
            if c == UNKNOWN && unk.is_none() {
                unk = Some(i as u32);
                continue;
            }
            if ids.insert(c, i as u32).is_some() {
                let c = json::quoted(c.encode_utf8(&mut [0; 4]));
                return Err(Error::ModelFile(format!("the vocabulary lists {c} twice")));
            }
        }
        Ok(Vocab { chars, ids, unk })
    }

    /// Parses a JSON array of one-character strings in id order.
    pub fn from_json(s: &str) -> Result<Vocab> {
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
        let mut chars = Vec::with_capacity(list.len());
        for (i, s) in list.iter().enumerate() {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => chars.push(c),
                _ => {
                    return Err(Error::ModelFile(format!(
                        "vocabulary entry {i} ({}) is not exactly one character",
                        json::quoted(s)
                    )))
                }
            }
        }
        Vocab::from_chars(chars)
    }

    /// The vocabulary as a JSON array of one-character strings in id order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, c) in self.chars.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_str(&mut out, c.encode_utf8(&mut [0; 4]));
        }
        out.push(']');
        out
    }

    /// Number of ids V.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Always false: a vocabulary has at least one id.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The unknown id, if this vocabulary has one.
    pub fn unknown_id(&self) -> Option<u32> {
        self.unk
    }

    /// The character of an id (the unknown character for the unknown id or an out-of-range id).
    pub fn char_of(&self, id: u32) -> char {
        self.chars.get(id as usize).copied().unwrap_or(UNKNOWN)
    }

    /// Characters in id order.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The id of a character, if it is in the vocabulary.
    pub fn id_of(&self, c: char) -> Option<u32> {
        self.ids.get(&c).copied()
    }

    /// Encodes text; characters not in the vocabulary map to the unknown id and are reported.
    /// Without an unknown id they are an error.
    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let mut out = Encoded { ids: Vec::with_capacity(text.len()), unknown: Vec::new() };
        let mut seen = HashMap::new(); // a set, as the map type of `ids` (one copy of its code)
        for c in text.chars() {
            match self.ids.get(&c) {
                Some(&id) => out.ids.push(id),
                None => {
                    if seen.insert(c, 0u32).is_none() {
                        out.unknown.push(c);
                    }
                    match self.unk {
                        Some(u) => out.ids.push(u),
                        None => {
                            return Err(Error::Text(format!(
                                "character {} (U+{:04X}) is not in the vocabulary",
                                json::quoted(c.encode_utf8(&mut [0; 4])),
                                c as u32
                            )))
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Decodes ids into text.
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter().map(|&i| self.char_of(i)).collect()
    }
}
