//! The tokenizer ([`rnn_playground::tokenizer`]): joining the tokens gives the text back byte for
//! byte, in every script, with emoji sequences, combining marks and any white space; word tokens
//! never split a grapheme cluster (checked against the `unicode-segmentation` crate, the reference
//! the engine's tables come from) and follow the rules of the module's doc. Natively and as wasm.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rnn_playground::config::TokenKind::{self, Characters, Words};
use rnn_playground::rng::Rng;
use rnn_playground::tokenizer::tokens;
use unicode_segmentation::UnicodeSegmentation;

fn words(text: &str) -> Vec<&str> {
    tokens(Words, text).collect()
}

/// Pieces a random text is made of: every script and sequence the rules name, and their edges.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "7",
    "é",
    "e\u{301}",
    "n\u{303}\u{323}",
    "\u{301}",
    "ß",
    "Ёлка",
    "я",
    "αβγ",
    "ά",
    "שָׁלוֹם",
    "مَرْحَبًا",
    "\u{640}",
    "नमस्ते",
    "क्षि",
    "ไทย",
    "กำ",
    "ລາວ",
    "ខ្មែរ",
    "မြန်",
    "学",
    "生",
    "们",
    "。",
    "，",
    "ア",
    "ガ",
    "カ\u{3099}",
    "ー",
    "ひ",
    "한",
    "국",
    "\u{1100}\u{1161}\u{11A8}",
    "\u{1100}",
    "\u{1161}",
    "\u{11A8}",
    "👍",
    "👍🏽",
    "👩\u{200D}👩\u{200D}👧",
    "🇫🇷",
    "🇩",
    "🇪",
    "1\u{FE0F}\u{20E3}",
    "❤\u{FE0F}",
    "\u{200D}",
    "\u{200C}",
    "\u{FE0F}",
    "'",
    "\u{2019}",
    "\u{FF07}",
    ".",
    ",",
    "!",
    "?",
    ":",
    ";",
    "-",
    "_",
    "\"",
    "(",
    ")",
    "…",
    "—",
    "©",
    "+",
    "$",
    "²",
    "½",
    " ",
    "  ",
    "\t",
    "\u{A0}",
    "\u{3000}",
    "\u{2009}",
    "\n",
    "\r",
    "\r\n",
    "\u{B}",
    "\u{C}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{1B}",
    "\u{0}",
    "\u{AD}",
    "\u{200B}",
    "\u{FFFD}",
    "\u{600}",
    "\u{110BD}",
    "\u{E0001}",
    "𝔘",
    "\u{10FFFF}",
];

/// A seeded random text of `n` pieces.
fn random_text(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

/// Byte offsets where the tokens of `text` start (after the first).
fn boundaries(parts: &[&str]) -> Vec<usize> {
    parts
        .iter()
        .scan(0, |at, t| {
            *at += t.len();
            Some(*at)
        })
        .collect()
}

#[test]
fn joining_the_tokens_gives_the_text_back_byte_for_byte() {
    let mut rng = Rng::new(15);
    for round in 0..10_000 {
        let n = 1 + rng.below(40);
        let text = random_text(&mut rng, n);
        for kind in [Characters, Words] {
            let parts: Vec<&str> = tokens(kind, &text).collect();
            assert_eq!(parts.concat(), text, "round {round}, {kind:?}");
            assert!(parts.iter().all(|t| !t.is_empty()), "{kind:?}: an empty token in {text:?}");
        }
        let chars: Vec<String> = text.chars().map(String::from).collect();
        assert_eq!(tokens(Characters, &text).collect::<Vec<_>>(), chars, "characters: one scalar each");
    }
    assert_eq!(tokens(Words, "").count(), 0);
    assert_eq!(tokens(Characters, "").count(), 0);
}

/// Word tokens never split a grapheme cluster: each boundary is one of the crate's (UAX #29
/// extended grapheme clusters), on random texts of every piece above.
#[test]
fn word_tokens_never_split_a_grapheme_cluster() {
    let mut rng = Rng::new(29);
    for _ in 0..10_000 {
        let n = 1 + rng.below(30);
        let text = random_text(&mut rng, n);
        let graphemes: Vec<usize> = text.grapheme_indices(true).map(|(at, _)| at).skip(1).collect();
        let parts = words(&text);
        for at in boundaries(&parts) {
            assert!(
                at == text.len() || graphemes.contains(&at),
                "{text:?}: a token boundary inside a cluster at {at}: {parts:?}"
            );
        }
    }
}

/// The crate's UAX #29 word boundaries with the rules of the module's doc on top (what the
/// tokenizer does with its own small table), as the reference on natural text in many scripts.
fn reference(text: &str) -> Vec<&str> {
    let cjk = |c: char| {
        matches!(c as u32, 0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1100..=0x11FF | 0x1780..=0x17FF | 0x3040..=0x30FF
            | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7FF)
    };
    let word_part = |g: &str| g.chars().next().is_some_and(|c| c.is_alphanumeric() && !cjk(c));
    let apostrophe = |g: &str| matches!(g, "'" | "\u{2019}");
    let mut out: Vec<&str> = Vec::new();
    let mut blank_run: Option<usize> = None; // start of a run of blank segments
    for (at, seg) in text.split_word_bound_indices() {
        let blank = seg.chars().all(|c| c.is_whitespace() && !matches!(c, '\n' | '\r'));
        if let (true, Some(start)) = (blank, blank_run) {
            out.pop();
            out.push(&text[start..at + seg.len()]);
            continue;
        }
        blank_run = blank.then_some(at);
        if seg.starts_with(char::is_whitespace) {
            out.push(seg);
            continue;
        }
        let clusters: Vec<(usize, &str)> = seg.grapheme_indices(true).collect();
        let mut i = 0;
        while i < clusters.len() {
            let start = clusters[i].0;
            let mut end = start + clusters[i].1.len();
            if word_part(clusters[i].1) {
                i += 1;
                while i < clusters.len() {
                    let g = clusters[i].1;
                    if word_part(g) {
                        end = clusters[i].0 + g.len();
                        i += 1;
                    } else if apostrophe(g) && clusters.get(i + 1).is_some_and(|n| word_part(n.1)) {
                        end = clusters[i + 1].0 + clusters[i + 1].1.len();
                        i += 2;
                    } else {
                        break;
                    }
                }
            } else {
                i += 1;
            }
            out.push(&seg[start..end]);
        }
    }
    out
}

#[test]
fn words_are_unicode_word_boundaries_with_the_rules() {
    let texts = [
        "The quick brown fox — don't stop! It's 3.14, e.g. 1,000 times; (really?) \"yes\"…\n\nNew para.\r\nCRLF.",
        "Café naïve Zoë façade Ångström; e\u{301}te\u{301} (decomposed), l’homme qu’il aime.",
        "Ёлка и пальма — «ёлки-палки»! Привет, мир. Ελληνικά: καλημέρα κόσμε.",
        "שָׁלוֹם עולם; مَرْحَبًا بالعالم، نعم. नमस्ते दुनिया। क्षत्रिय",
        "我们学习中文。她说：“你好！”学生们很高兴，123个。",
        "カタカナとひらがな、漢字。ガギグ。한국어 문장입니다. 안녕하세요!",
        "Emoji 👍🏽 and 👩\u{200D}👩\u{200D}👧 family, flags 🇫🇷🇩🇪, keycap 1\u{FE0F}\u{20E3}, heart ❤\u{FE0F} ok.",
        "snake_case and kebab-case, a:b, x.y.z, tabs\tand  spaces   end  \n",
    ];
    for text in texts {
        assert_eq!(words(text), reference(text), "{text:?}");
    }
}

#[test]
fn words_follow_the_rules_of_the_issue() {
    // A mixed English/Chinese text with emoji: the tokens and the text, byte for byte.
    let text = "Hello, 世界! I'm fine 👍🏽 — naïve café 🇫🇷\r\n👩\u{200D}👩\u{200D}👧 ok";
    let want = [
        "Hello",
        ",",
        " ",
        "世",
        "界",
        "!",
        " ",
        "I'm",
        " ",
        "fine",
        " ",
        "👍🏽",
        " ",
        "—",
        " ",
        "naïve",
        " ",
        "café",
        " ",
        "🇫🇷",
        "\r\n",
        "👩\u{200D}👩\u{200D}👧",
        " ",
        "ok",
    ];
    assert_eq!(words(text), want);
    assert_eq!(words(text).concat().as_bytes(), text.as_bytes());
    // Accented Latin, Cyrillic, Greek whole; an apostrophe inside a word stays, at its edges not.
    assert_eq!(words("Ёлка Ελλάδα Ångström"), ["Ёлка", " ", "Ελλάδα", " ", "Ångström"]);
    assert_eq!(
        words("don't l’homme 'quoted' rock'n'roll"),
        ["don't", " ", "l’homme", " ", "'", "quoted", "'", " ", "rock'n'roll"]
    );
    // Each punctuation mark its own token, inside words and numbers too.
    assert_eq!(
        words("e.g. 3.14 a:b x_y ...!?"),
        ["e", ".", "g", ".", " ", "3", ".", "14", " ", "a", ":", "b", " ", "x", "_", "y", " ", ".", ".", ".", "!", "?"]
    );
    // Each Han, Kana and Hangul character its own token, with its marks; Hangul jamo as a syllable.
    assert_eq!(words("学生カタカナ한국"), ["学", "生", "カ", "タ", "カ", "ナ", "한", "국"]);
    assert_eq!(words("カ\u{3099}\u{1100}\u{1161}\u{11A8}x"), ["カ\u{3099}", "\u{1100}\u{1161}\u{11A8}", "x"]);
    // White space: runs of spaces and tabs, each line break (CR LF one).
    assert_eq!(
        words("a  \t b\n\n\r\nc \u{A0}\u{3000}d \r"),
        ["a", "  \t ", "b", "\n", "\n", "\r\n", "c", " \u{A0}\u{3000}", "d", " ", "\r"]
    );
    assert_eq!(words("   "), ["   "]);
    assert_eq!(words("\n"), ["\n"]);
    // Grapheme clusters never split: combining marks (even many), emoji sequences, flags in pairs.
    let zalgo = "Z\u{334}\u{327}\u{31B}\u{34D}a\u{338}l\u{335}g\u{336}o";
    assert_eq!(words(&format!("{zalgo}!")), [zalgo, "!"]);
    assert_eq!(words("\u{301}ab"), ["\u{301}", "ab"], "a mark with nothing before it");
    assert_eq!(words("🇫🇷🇩🇪🇮"), ["🇫🇷", "🇩🇪", "🇮"]);
    assert_eq!(words("👍👍🏿"), ["👍", "👍🏿"]);
    assert_eq!(words("!\u{301}"), ["!\u{301}"]);
    assert_eq!(words("\t\u{301}"), ["\t", "\u{301}"], "a tab is a control: the mark is a cluster of its own");
    // Scripts without spaces: one token per character with its marks.
    assert_eq!(words("กำลัง"), ["กำ", "ลั", "ง"]);
}

#[test]
fn characters_are_one_scalar_value_each() {
    let text = "e\u{301}👩\u{200D}👧\r\n";
    let parts: Vec<&str> = tokens(TokenKind::Characters, text).collect();
    assert_eq!(parts, ["e", "\u{301}", "👩", "\u{200D}", "👧", "\r", "\n"]);
}
