//! The tokenizer between the text and everything else: it cuts a text into tokens, each a slice of
//! the text, so that joining them gives the text back byte for byte. The vocabulary
//! ([`crate::vocab::Vocab`]) owns one and maps its tokens to ids.
//!
//! Two kinds ([`TokenKind`], the `tokens` setting):
//!
//! - **characters**: one Unicode scalar value (a Rust `char`) per token, as the playground has
//!   always read text;
//! - **words**: Unicode's word boundaries (UAX #29) with the playground's rules on top:
//!   ```text
//!   a run of letters and digits            one token   café  Ёлка  2026  naïve (n a ̈ i v e)
//!   an apostrophe between two of them      stays in it  don't  l’homme
//!   each punctuation mark or symbol        one token   ,  .  !  -  _  "  …  ©  +
//!   each Han, Kana or Hangul character     one token   学  生  ア  イ  한  국
//!   (and Thai, Lao, Khmer, Myanmar: scripts written without spaces between words)
//!   a run of spaces and tabs               one token   "   "  " \t"
//!   each line break (CR LF is one)         one token   "\n"  "\r\n"
//!   an emoji, with its joiners/modifiers   one token   👩‍👩‍👧  👍🏽  🇫🇷
//!   ```
//!   A grapheme cluster (a letter with its combining marks, an emoji sequence, a Hangul syllable
//!   written as jamo) is never split. Numbers split at their punctuation (`3.14` is `3` `.` `14`).
//!
//! Of UAX #29 these rules keep what a word is (letters and digits, Unicode's Alphabetic and
//! Numeric, with the marks that extend them) and drop its joins across punctuation (`e.g`, `3.14`,
//! `a:b`, `snake_case`), which the rules above split. They need to know only which characters
//! extend a grapheme cluster: `build.rs` asks the `unicode-segmentation` crate (Unicode 16) and
//! writes a 2 KB table, where the crate's own word and grapheme tables would add 58 KB (22 KB
//! gzipped) to the wasm. `tests/tokenizer.rs` checks the words against the crate's UAX #29 word
//! boundaries with the rules above, and every token boundary against its grapheme boundaries.

use crate::config::TokenKind;

mod tables {
    include!(concat!(env!("OUT_DIR"), "/unicode_tables.rs"));
}

/// The tokens of `text` as slices of it, in order; joining them gives `text` exactly.
pub fn tokens(kind: TokenKind, text: &str) -> Tokens<'_> {
    Tokens { kind, rest: text }
}

/// The iterator of [`tokens`].
pub struct Tokens<'a> {
    kind: TokenKind,
    rest: &'a str, // the text not yet cut
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let first = self.rest.chars().next()?;
        let n = match self.kind {
            TokenKind::Characters => first.len_utf8(),
            TokenKind::Words => word_len(self.rest),
        };
        let (token, tail) = self.rest.split_at_checked(n).unwrap_or((self.rest, ""));
        self.rest = tail;
        Some(token)
    }
}

/// Whether `c` is in a table of ranges packed as `start << 11 | (len − 1)`, sorted.
fn in_table(table: &[u32], c: char) -> bool {
    let c = c as u32;
    let i = table.partition_point(|&r| r >> 11 <= c);
    i > 0 && c - (table[i - 1] >> 11) <= table[i - 1] & 0x7FF
}

/// Extends the grapheme cluster before it (Unicode's Extend, ZWJ, SpacingMark).
fn attaches(c: char) -> bool {
    in_table(&tables::ATTACH, c)
}

/// A line break: LF, VT, FF, CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// White space within a line: spaces, tabs, no-break and ideographic spaces.
fn is_blank(c: char) -> bool {
    c.is_whitespace() && !is_line_break(c)
}

/// Scripts written without spaces between words, one token per character: Han, Hiragana,
/// Katakana, Hangul, Bopomofo, and Thai, Lao, Myanmar and Khmer.
fn is_per_char(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF       // Thai, Lao
        | 0x1000..=0x109F     // Myanmar
        | 0x1100..=0x11FF     // Hangul Jamo
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
        | 0x2E80..=0x2FDF     // CJK and Kangxi radicals
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3021..=0x3029 | 0x3038..=0x303C
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3100..=0x31FF     // Bopomofo, Hangul compatibility jamo, Kanbun, Katakana extensions
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF // CJK ideographs
        | 0xA960..=0xA97F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Hangul jamo ext. A, Myanmar ext.
        | 0xAC00..=0xD7FF     // Hangul syllables, jamo extended B
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFF66..=0xFFDC     // halfwidth Katakana and Hangul
        | 0x1B000..=0x1B16F   // Kana supplement and extended
        | 0x20000..=0x3FFFF) // CJK ideographs, planes 2 and 3
}

/// A letter or digit of a script that separates its words.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() && !is_per_char(c)
}

/// An apostrophe: ' (U+0027), ’ (U+2019), ＇ (U+FF07).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{FF07}')
}

/// Regional indicator: two make a flag.
fn is_regional(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Hangul syllable structure (Unicode's L, V, T jamo and LV, LVT syllables): whether `b` joins
/// the syllable that `a` ends (GB6–GB8).
fn hangul_joins(a: char, b: char) -> bool {
    let (a, b) = (a as u32, b as u32);
    let l = |x: u32| (0x1100..=0x115F).contains(&x) || (0xA960..=0xA97C).contains(&x);
    let v = |x: u32| (0x1160..=0x11A7).contains(&x) || (0xD7B0..=0xD7C6).contains(&x);
    let t = |x: u32| (0x11A8..=0x11FF).contains(&x) || (0xD7CB..=0xD7FB).contains(&x);
    let syllable = (0xAC00..=0xD7A3).contains(&a);
    let lv = syllable && (a - 0xAC00) % 28 == 0;
    (l(a) && (l(b) || v(b) || (0xAC00..=0xD7A3).contains(&b)))
        || ((lv || v(a)) && (v(b) || t(b)))
        || ((syllable && !lv || t(a)) && t(b))
}

/// The length in bytes of the first word token of `text` (not empty).
fn word_len(text: &str) -> usize {
    let mut chars = text.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let mut last = first;
    let mut end = first.len_utf8();
    // Takes the next character into the token.
    macro_rules! take {
        ($c:expr) => {{
            let (at, c) = $c;
            chars.next();
            end = at + c.len_utf8();
            last = c;
        }};
    }
    if first == '\r' {
        if let Some(&(at, '\n')) = chars.peek() {
            return at + 1;
        }
    }
    if is_line_break(first) {
        return end;
    }
    // A prepended mark (Arabic number signs, some Indic vowels) starts the cluster of what follows.
    while in_table(&tables::PREPEND, last) {
        match chars.peek() {
            Some(&(at, c)) if !c.is_control() && !is_line_break(c) => take!((at, c)),
            _ => return end,
        }
    }
    let base = last; // the cluster's first character after any prepended ones
    let word = is_word(last);
    let blank = is_blank(first);
    let mut regionals = is_regional(last) as usize;
    let after = |at: usize, c: char| text.get(at + c.len_utf8()..).and_then(|s| s.chars().next());
    while let Some(&(at, c)) = chars.peek() {
        let joins = if attaches(c) {
            !last.is_control() // a mark after a tab starts a cluster of its own
        } else if blank {
            is_blank(c)
        } else if word {
            is_word(c) || (is_apostrophe(c) && after(at, c).is_some_and(is_word))
        } else {
            (last == '\u{200D}' && in_table(&tables::PICTOGRAPHIC, base) && in_table(&tables::PICTOGRAPHIC, c)) // 👩‍👧
                || (is_regional(last) && is_regional(c) && regionals == 1) // a flag: two regional indicators
                || hangul_joins(last, c)
                || (in_table(&tables::LINKER, last) && c.is_alphanumeric()) // a conjunct: consonant, virama, consonant
        };
        if !joins {
            break;
        }
        regionals += is_regional(c) as usize;
        take!((at, c));
    }
    end
}
