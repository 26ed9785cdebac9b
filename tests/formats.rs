//! The engine's own JSON and safetensors code against `serde_json` and the `safetensors` crate:
//! what one writes the other reads, and malformed or hostile input is an error, never a panic.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::SMALL_TEXT;
use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, ClipKind, Config, InitKind, OptimizerKind, TokenKind};
use rnn_playground::json::{self, Value};
use rnn_playground::rng::Rng;
use rnn_playground::tensorfile::File;
use rnn_playground::vocab::{Vocab, UNKNOWN};
use rnn_playground::{Error, Trainer};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;

#[test]
fn json_reads_what_serde_json_reads() {
    let text = r#" {"a": [1, -2.5e-3, 0, 1E+2, true, false, null], "s": "q\"b\\s\/\b\f\n\r\t\u00e9\ud83d\ude00", "e": {}, "l": []} "#;
    let v = json::parse(text).unwrap();
    let Some(Value::Array(a)) = v.get("a") else { panic!("a is not an array") };
    assert_eq!(a[0].as_u64(), Some(1));
    assert_eq!(a[1].as_f32(), Some(-2.5e-3));
    assert_eq!(a[1].as_u64(), None);
    assert_eq!(a[3].as_f32(), Some(100.0));
    assert_eq!(a[4], Value::Bool(true));
    assert_eq!(a[6], Value::Null);
    let want: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(v.get("s").and_then(Value::as_str), want["s"].as_str());
    assert_eq!(json::parse("18446744073709551615").unwrap().as_u64(), Some(u64::MAX));
    assert_eq!(json::parse("18446744073709551616").unwrap().as_u64(), None);
    assert_eq!(json::parse("1e400").unwrap().as_f32(), Some(f32::INFINITY));
    assert_eq!(json::parse("-1e-400").unwrap().as_f32(), Some(-0.0));
    for x in [0.1f32, 2e-3, 1e-8, 0.999_999_9, 3.4028235e38, f32::MIN_POSITIVE, 1e-45, 123456.79, 5.0] {
        let s = json::JsonF32(x).to_string();
        assert_eq!(json::parse(&s).unwrap().as_f32(), Some(x), "{s}");
        assert_eq!(serde_json::from_str::<f32>(&s).unwrap(), x, "{s}");
    }
}

#[test]
fn floats_print_shortest_and_read_back() {
    for (v, want) in [
        (0.002f32, "0.002"),
        (1e-8, "1e-8"),
        (5.0, "5"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123456.79, "123456.79"),
        (f32::MAX, "3.4028235e38"),
        (1e20, "100000000000000000000"),
        (1e21, "1e21"),
        (f32::NAN, "NaN"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        assert_eq!(json::F32(v).to_string(), want);
    }
    // Random bit patterns: the text reads back exactly (here and in serde_json) and has no more
    // significant digits than Rust's own shortest Display.
    let mut rng = Rng::new(9);
    let mut longer = 0;
    for _ in 0..20_000 {
        let v = f32::from_bits(rng.next_u64() as u32);
        if !v.is_finite() {
            continue;
        }
        let text = json::F32(v).to_string();
        assert_eq!(json::parse(&text).unwrap().as_f32(), Some(v), "{text}");
        assert_eq!(serde_json::from_str::<f32>(&text).unwrap(), v, "{text}");
        let sig = |s: &str| {
            s.split('e')
                .next()
                .unwrap()
                .trim_start_matches(['-', '0', '.'])
                .replace('.', "")
                .trim_end_matches('0')
                .len()
        };
        longer += (sig(&text) > sig(&format!("{v:e}"))) as u32;
    }
    assert_eq!(longer, 0, "texts longer than Rust's shortest");
}

#[test]
fn malformed_json_is_an_error() {
    let bad = [
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "[,1]",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1,}",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "tru",
        "nul",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"a\u{1}b\"",
        "1 2",
        "[1] x",
        "NaN",
        "Infinity",
    ];
    for b in bad {
        assert!(json::parse(b).is_err(), "{b:?} parsed");
        assert!(serde_json::from_str::<serde_json::Value>(b).is_err(), "serde_json accepts {b:?}");
    }
    assert!(json::parse(&"[".repeat(100_000)).is_err(), "deep nesting");
    assert!(json::parse(&format!("{}1{}", "[".repeat(64), "]".repeat(64))).is_ok());
    // Random bytes: an error or a value, never a panic.
    let mut rng = Rng::new(3);
    let alphabet = b"{}[]:,\"\\u0123456789eE.+-tfnrl ad\xc3\xa9";
    for _ in 0..3000 {
        let n = rng.below(24);
        let bytes: Vec<u8> = (0..n).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        if let Ok(s) = std::str::from_utf8(&bytes) {
            assert_eq!(json::parse(s).is_ok(), serde_json::from_str::<serde_json::Value>(s).is_ok(), "{s:?}");
        }
    }
}

#[test]
fn config_json_round_trips_and_rejects_bad_fields() {
    let c = Config {
        cell: CellKind::Gru,
        optimizer: OptimizerKind::Rmsprop,
        clip_mode: ClipKind::None,
        init: InitKind::Orthogonal,
        lr: 0.1,
        eps: 1e-30,
        beta2: 0.999_999_9,
        seed: u64::MAX,
        ..Config::default()
    };
    assert_eq!(Config::from_json(&c.to_json()).unwrap(), c);
    let v: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
    assert_eq!(v["cell"], "gru");
    assert_eq!(v["clip_mode"], "none");
    assert_eq!(v["seed"].as_u64(), Some(u64::MAX));
    assert_eq!(
        Config::from_json(r#"{"lr": 1, "hidden": 64}"#).unwrap(),
        Config { lr: 1.0, hidden: 64, ..Config::default() }
    );
    for bad in [
        "[]",
        "{",
        r#"{"hidden": 1.5}"#,
        r#"{"hidden": -1}"#,
        r#"{"hidden": null}"#,
        r#"{"lr": "0.1"}"#,
        r#"{"cell": "LSTM"}"#,
        r#"{"cell": 1}"#,
        r#"{"colour": 1}"#,
        r#"{"lr": 0.1, "lr": 0.2}"#,
        r#"{"seed": 18446744073709551616}"#,
        r#"{"lr": 1e39}"#,
    ] {
        assert!(matches!(Config::from_json(bad), Err(Error::Config(_))), "{bad} accepted");
    }
    let Err(Error::Config(m)) = Config::from_json(r#"{"colour": 1}"#) else { unreachable!() };
    assert!(m.contains("colour") && m.contains("hidden"), "{m}");
}

#[test]
fn vocabulary_json_round_trips_through_serde_json() {
    let chars = vec!['\u{FFFD}', '\u{0}', '\n', '"', '\\', '/', '\u{7f}', 'é', '你', '😀', '\u{2028}'];
    assert_eq!(UNKNOWN, "\u{FFFD}");
    let v = Vocab::from_chars(chars.clone()).unwrap();
    let list: Vec<String> = serde_json::from_str(&v.to_json()).unwrap();
    assert_eq!(list, chars.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    assert_eq!(v.to_json(), serde_json::to_string(&list).unwrap());
    assert_eq!(Vocab::from_json(TokenKind::Characters, &v.to_json()).unwrap(), v);
    for bad in ["", "{}", "[1]", "[\"a\", null]", "[\"ab\"]", "[\"a\", \"a\"]", "[\"\"]"] {
        assert!(matches!(Vocab::from_json(TokenKind::Characters, bad), Err(Error::ModelFile(_))), "{bad} accepted");
    }
    // A word vocabulary holds any tokens, each once.
    let words = vec!["\u{FFFD}", "don't", "\n\n", "学", "👩\u{200d}👩\u{200d}👧", "\"", "é"];
    let w = Vocab::from_json(TokenKind::Words, &serde_json::to_string(&words).unwrap()).unwrap();
    assert_eq!(w.tokens(), &words[..]);
    assert_eq!(Vocab::from_json(TokenKind::Words, &w.to_json()).unwrap(), w);
    for bad in ["[\"\"]", "[\"ab\", \"ab\"]", "[2]"] {
        assert!(matches!(Vocab::from_json(TokenKind::Words, bad), Err(Error::ModelFile(_))), "{bad} accepted");
    }
}

#[test]
fn checkpoints_read_the_same_with_the_safetensors_crate() {
    let mut t =
        Trainer::new(Config { layers: 2, hidden: 16, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT)
            .unwrap();
    t.step().unwrap();
    let bytes = t.save_checkpoint().unwrap();
    let ours = File::parse(&bytes).unwrap();
    let theirs = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(ours.tensors.len(), theirs.len());
    for tensor in &ours.tensors {
        let other = theirs.tensor(&tensor.name).unwrap();
        assert_eq!((other.dtype(), other.shape(), other.data()), (Dtype::F32, &tensor.shape[..], tensor.data));
    }
    let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().clone().unwrap();
    assert_eq!(meta.len(), ours.metadata.len());
    for (k, v) in &ours.metadata {
        assert_eq!(meta.get(k), Some(v));
    }
    assert_eq!(meta["optimizer"], "\"adam\"");
}

#[test]
fn files_written_by_the_safetensors_crate_load() {
    let t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    let model = t.save_model().unwrap();
    let ours = File::parse(&model).unwrap();
    // Re-write every tensor with the crate, as F64, in its own order, with only foreign metadata.
    let f64s: Vec<(String, Vec<usize>, Vec<u8>)> = ours
        .tensors
        .iter()
        .map(|t| {
            let b = t
                .data
                .chunks_exact(4)
                .flat_map(|b| (f32::from_le_bytes(b.try_into().unwrap()) as f64).to_le_bytes())
                .collect();
            (t.name.clone(), t.shape.clone(), b)
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> =
        f64s.iter().map(|(n, s, b)| (n.clone(), TensorView::new(Dtype::F64, s.clone(), b).unwrap())).collect();
    let meta = HashMap::from([("source".to_string(), "torch".to_string())]);
    let bytes = safetensors::serialize(views, Some(meta)).unwrap();
    let loaded = checkpoint::load(&bytes).unwrap();
    assert_eq!(loaded.params, t.model.params);
    assert!(loaded.config.is_none() && loaded.vocab.is_none());
}

/// A file from a header and a data length.
fn file(header: &str, data: usize) -> Vec<u8> {
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(header.as_bytes());
    b.extend(std::iter::repeat_n(0u8, data));
    b
}

#[test]
fn bad_tensor_layouts_are_errors() {
    let t = |name: &str, dtype: &str, shape: &str, a: usize, b: usize| {
        format!(r#""{name}":{{"dtype":"{dtype}","shape":{shape},"data_offsets":[{a},{b}]}}"#)
    };
    let ok = format!("{{{},{}}}", t("x", "F32", "[2]", 0, 8), t("y", "BF16", "[1,2]", 8, 12));
    assert!(File::parse(&file(&ok, 12)).is_ok());
    let empty =
        format!("{{{},{},{}}}", t("x", "F32", "[2]", 0, 8), t("e", "F32", "[0,3]", 8, 8), t("y", "F32", "[]", 8, 12));
    assert!(File::parse(&file(&empty, 12)).is_ok());
    let bad = [
        (format!("{{{}}}", t("x", "F32", "[2]", 0, 8)), 9), // trailing bytes
        (format!("{{{}}}", t("x", "F32", "[2]", 0, 8)), 7), // truncated
        (format!("{{{}}}", t("x", "F32", "[3]", 0, 8)), 8), // size mismatch
        (format!("{{{},{}}}", t("x", "F32", "[2]", 0, 8), t("y", "F32", "[1]", 4, 8)), 8), // overlap
        (format!("{{{},{}}}", t("x", "F32", "[1]", 0, 4), t("y", "F32", "[1]", 8, 12)), 12), // gap
        (format!("{{{},{}}}", t("x", "F32", "[1]", 0, 4), t("x", "F32", "[1]", 4, 8)), 8), // duplicate
        (format!("{{{},{}}}", t("x", "F32", "[2]", 0, 8), t("e", "F32", "[0]", 4, 4)), 8), // empty inside x
        (format!("{{{}}}", t("x", "Q7", "[1]", 0, 4)), 4),  // unknown dtype
        (format!("{{{}}}", t("x", "F32", "[-1]", 0, 4)), 4), // negative size
        (format!("{{{}}}", t("x", "F32", "[4294967296,4294967296,4294967296]", 0, 4)), 4), // overflow
        (format!("{{{}}}", t("x", "F32", "[1]", 4, 0)), 4), // reversed
        (r#"{"__metadata__":{"a":1}}"#.to_string(), 0),     // metadata not a string
        (r#"{"__metadata__":{"a":"1","a":"2"}}"#.to_string(), 0), // repeated metadata
        (r#"{"x":{"dtype":"F32","shape":[1]}}"#.to_string(), 4), // no offsets
        ("[]".to_string(), 0),
    ];
    for (header, data) in bad {
        assert!(File::parse(&file(&header, data)).is_err(), "{header} with {data} bytes accepted");
        assert!(matches!(checkpoint::load(&file(&header, data)), Err(Error::ModelFile(_))));
    }
    let mut huge = (u64::MAX).to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    assert!(File::parse(&huge).is_err());
}

#[test]
fn corrupt_headers_never_panic_and_never_pass_what_the_crate_refuses() {
    let t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    let bytes = t.save_checkpoint().unwrap();
    let header_end = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut rng = Rng::new(5);
    for _ in 0..2000 {
        let mut b = bytes.clone();
        for _ in 0..1 + rng.below(3) {
            let i = 8 + rng.below(header_end - 8);
            b[i] = b"{}[]:,\"0123456789 -.eE\\"[rng.below(23)];
        }
        if File::parse(&b).is_ok() {
            assert!(
                SafeTensors::deserialize(&b).is_ok(),
                "accepted a header the crate refuses: {:?}",
                String::from_utf8_lossy(&b[8..header_end])
            );
        }
        let _ = checkpoint::load(&b);
    }
}

/// `bytes` with the first value of tensor `name` set to `v` (an F32 tensor of a file we wrote).
fn poke(bytes: &[u8], name: &str, v: f32) -> Vec<u8> {
    let at = {
        let f = File::parse(bytes).unwrap();
        f.tensor(name).unwrap_or_else(|| panic!("no tensor {name}")).data.as_ptr() as usize - bytes.as_ptr() as usize
    };
    let mut b = bytes.to_vec();
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    b
}

#[test]
fn a_nan_or_infinity_in_any_tensor_is_refused_by_name() {
    let mut t =
        Trainer::new(Config { layers: 2, hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT)
            .unwrap();
    t.step().unwrap();
    let model = t.save_model().unwrap();
    let ckpt = t.save_checkpoint().unwrap();
    assert!(checkpoint::load(&model).is_ok() && checkpoint::load(&ckpt).is_ok());
    let cases = [
        (&model, "rnn.weight_hh_l0", f32::NAN),
        (&model, "rnn.bias_ih_l1", f32::INFINITY),
        (&model, "embedding.weight", f32::NEG_INFINITY),
        (&ckpt, "fc.weight", f32::NAN),
        (&ckpt, "optim.m.rnn.weight_ih_l1", f32::NAN),
        (&ckpt, "optim.v.fc.bias", f32::INFINITY),
        (&ckpt, "train.h", f32::NAN),
        (&ckpt, "train.c", f32::INFINITY),
    ];
    for (file, name, v) in cases {
        let Err(Error::ModelFile(m)) = checkpoint::load(&poke(file, name, v)) else { panic!("{name} = {v} loaded") };
        assert_eq!(m, format!("tensor {name} contains NaN or infinity"));
        assert!(Trainer::from_file(&poke(file, name, v), SMALL_TEXT).is_err(), "{name}");
    }
}

#[test]
fn half_precision_tensors_get_a_message_that_says_so() {
    let t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    let model = t.save_model().unwrap();
    let ours = File::parse(&model).unwrap();
    for (dtype, name) in [(Dtype::BF16, "BF16"), (Dtype::F16, "F16"), (Dtype::I32, "I32")] {
        // Every tensor as the crate writes it, fc.bias in `dtype` (its bytes halved or kept).
        let data: Vec<(String, Vec<usize>, Vec<u8>)> = ours
            .tensors
            .iter()
            .map(|x| {
                let bytes = if x.name == "fc.bias" && dtype != Dtype::I32 {
                    x.data[..x.data.len() / 2].to_vec()
                } else {
                    x.data.to_vec()
                };
                (x.name.clone(), x.shape.clone(), bytes)
            })
            .collect();
        let views: Vec<(String, TensorView<'_>)> = data
            .iter()
            .map(|(n, s, b)| {
                (n.clone(), TensorView::new(if n == "fc.bias" { dtype } else { Dtype::F32 }, s.clone(), b).unwrap())
            })
            .collect();
        let bytes = safetensors::serialize(views, None).unwrap();
        let Err(Error::ModelFile(m)) = checkpoint::load(&bytes) else { panic!("{name} loaded") };
        assert_eq!(
            m,
            format!("tensor fc.bias is {name}; this tool reads F32 (and F64) only — convert with .float() in PyTorch")
        );
    }
}

#[test]
fn a_checkpoint_carries_its_text_when_asked() {
    // Quotes, backslashes, control characters, newlines and astral characters survive the header.
    let text = format!("{SMALL_TEXT}\"quoted\" back\\slash\ttab\u{1b}[31mred\u{7f}\u{9b} é 你 😀\r\n").repeat(3);
    let mut t = Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, &text).unwrap();
    t.step().unwrap();
    assert_eq!(t.text().as_deref(), Some(text.as_str()));
    let plain = t.save_checkpoint().unwrap();
    let carried = t.save_checkpoint_with(Some(&text)).unwrap();
    assert_eq!(checkpoint::load(&plain).unwrap().corpus, None);
    assert_eq!(checkpoint::file_corpus(&plain), None);
    assert_eq!(checkpoint::file_corpus(&t.save_model().unwrap()), None);
    assert_eq!(checkpoint::file_corpus(b"not a file"), None);
    let loaded = checkpoint::load(&carried).unwrap();
    assert_eq!(loaded.corpus.as_deref(), Some(text.as_str()));
    assert_eq!(checkpoint::file_corpus(&carried).as_deref(), Some(text.as_str()));
    // The same tensors as without the text; the safetensors crate reads the text back too.
    assert_eq!(loaded.params, checkpoint::load(&plain).unwrap().params);
    assert_eq!(loaded.train, checkpoint::load(&plain).unwrap().train);
    let (_, meta) = SafeTensors::read_metadata(&carried).unwrap();
    assert_eq!(meta.metadata().as_ref().unwrap()[checkpoint::CORPUS], text);
    assert_eq!(SafeTensors::deserialize(&carried).unwrap().len(), File::parse(&plain).unwrap().tensors.len());
    // The carried text resumes exactly.
    let resumed = Trainer::from_file(&carried, &checkpoint::file_corpus(&carried).unwrap()).unwrap();
    assert!(resumed.report.resumed);
}

#[test]
fn text_that_cannot_be_given_back_or_carried_is_refused() {
    // Over the vocabulary cap, rare characters map to the unknown id: the ids no longer spell the text.
    let capped = Trainer::new(
        Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, max_vocab: 10, ..Config::default() },
        SMALL_TEXT,
    )
    .unwrap();
    assert_eq!(capped.text(), None);
    // Escaped, this text would not fit the 100 MB header limit of the format.
    let t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    let huge = "\u{1}".repeat(17_000_000);
    assert!(matches!(t.save_checkpoint_with(Some(&huge)), Err(Error::Corpus(_))));
}
