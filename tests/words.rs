//! Word-level models: the article's own language model. A word model's loss, gradients and bits
//! per character against PyTorch on the case `tools/gen_fixtures.py` writes (`words_lstm_l1`: its
//! tokens written out by hand, its vocabulary by the engine's rule); the trainer's numbers count
//! characters; a saved word model loads and samples the same text; model files record the kind.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::{assert_close, tensor_f64, SMALL_TEXT};
use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, Config, TokenKind};
use rnn_playground::data::TokenIds;
use rnn_playground::diagnose;
use rnn_playground::model::Model;
use rnn_playground::rng::Rng;
use rnn_playground::sample::{SampleOptions, Sampler};
use rnn_playground::tensorfile::{self, File};
use rnn_playground::tokenizer::tokens;
use rnn_playground::trainer::sequence_loss;
use rnn_playground::vocab::{Vocab, UNKNOWN};
use rnn_playground::{Error, Trainer};
use safetensors::SafeTensors;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    max_vocab: usize,
    text: String,
    tokens: Vec<String>,
    vocab: Vec<String>,
    ids: Vec<u32>,
    predicted_chars: usize,
    unknown_tokens: usize,
}

const JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/words_lstm_l1.json"));
const WEIGHTS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/words_lstm_l1.weights.safetensors"));
const REFERENCE: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/words_lstm_l1.ref.safetensors"));

fn case() -> Case {
    serde_json::from_str(JSON).unwrap()
}

#[test]
fn the_word_case_cuts_its_text_and_builds_its_vocabulary_as_written() {
    let c = case();
    assert_eq!(tokens(TokenKind::Words, &c.text).collect::<Vec<_>>(), c.tokens, "the tokens written out by hand");
    let (v, _) = Vocab::build(TokenKind::Words, &c.text, c.max_vocab).unwrap();
    assert_eq!(v.tokens(), &c.vocab[..], "the vocabulary by the rule, built in Python");
    let enc = v.encode(&c.text).unwrap();
    assert_eq!(enc.ids, c.ids);
    assert_eq!(enc.unknown_tokens(), c.unknown_tokens);
    let ids = TokenIds::from(enc);
    assert_eq!(ids.chars(1..ids.len(), v.lens()), c.predicted_chars, "the predicted characters, unknown ones included");
}

/// Loss, gradients, each token's loss and bits per character against PyTorch's float64.
#[test]
fn a_word_model_matches_pytorch() {
    let c = case();
    let r = SafeTensors::deserialize(REFERENCE).unwrap();
    let model = Model::new(checkpoint::load(WEIGHTS).unwrap().params);
    assert_eq!((model.dims().cell, model.dims().vocab), (CellKind::Lstm, c.vocab.len()));
    let (loss, grad) = sequence_loss(&model, &c.ids, true).unwrap();
    assert_close("loss", &[loss], &tensor_f64(&r, "f64.loss"), 1e-5, 1e-6);
    let grad = grad.unwrap();
    let names = grad.names_and_shapes();
    let mut i = 0;
    grad.for_each(|g| {
        let name = &names[i].0;
        assert_close(&format!("grad {name}"), g, &tensor_f64(&r, &format!("f64.grad.{name}")), 1e-4, 1e-6);
        i += 1;
    });
    let trace = diagnose::trace(&model, &c.ids).unwrap();
    assert_close("token loss", &trace.loss, &tensor_f64(&r, "f64.token_loss"), 1e-4, 1e-6);
    let bits = loss as f64 * (c.ids.len() - 1) as f64 / std::f64::consts::LN_2;
    let bpc = bits / c.predicted_chars as f64;
    let want = tensor_f64(&r, "f64.bits_per_char")[0];
    assert!((bpc - want).abs() < 1e-5 * want, "bits per character {bpc} vs {want}");
}

fn words(hidden: usize) -> Config {
    Config {
        tokens: TokenKind::Words,
        hidden,
        embed: 8,
        seq_len: 8,
        batch: 4,
        lr: 1e-2,
        val_fraction: 0.2,
        ..Config::default()
    }
}

/// The step's and the validation's bits per character are their total bits over the characters
/// of the tokens they predict, counted here from the targets themselves.
#[test]
fn the_trainer_reports_bits_per_character_of_what_it_predicts() {
    let text = SMALL_TEXT.repeat(8);
    let mut t = Trainer::new(words(16), &text).unwrap();
    assert_eq!(t.report.kind, TokenKind::Words);
    assert_eq!((t.report.unknown_tokens, t.report.chars), (0, text.chars().count()));
    assert_eq!(t.report.tokens, t.report.train_tokens + t.report.val_tokens);
    let mut chars = 0u64;
    for step in 1..=20u64 {
        let (_, targets, _) = t.next_chunk();
        let chunk: usize = targets.iter().map(|&id| t.vocab.token(id).chars().count()).sum();
        chars += chunk as u64;
        let s = t.step().unwrap();
        let want = s.loss as f64 * targets.len() as f64 / std::f64::consts::LN_2 / chunk as f64;
        assert!((s.bits_per_char as f64 - want).abs() < 1e-5 * want, "step {step}: {} vs {want}", s.bits_per_char);
        assert_eq!((s.tokens, s.chars), (step * targets.len() as u64, chars));
        assert!(s.smooth_bpc.is_finite() && s.smooth_bpc > 0.0);
    }
    let v = t.validate(None).unwrap();
    let bits = v.loss as f64 * v.tokens as f64 / std::f64::consts::LN_2;
    assert!((v.bits_per_char as f64 - bits / v.chars as f64).abs() < 1e-5, "{v:?}");
    assert!(v.chars > v.tokens, "words average more than one character: {v:?}");
    // Where every token is one character (Han, no spaces), bits per character are bits per token.
    let han = "我们学习中文她说你好学生们很高兴今天天气很好".repeat(40);
    let mut t = Trainer::new(words(8), &han).unwrap();
    let s = t.step().unwrap();
    assert!((s.bits_per_char - s.loss / std::f32::consts::LN_2).abs() < 1e-5, "{s:?}");
    let v = t.validate(None).unwrap();
    assert_eq!(v.tokens, v.chars);
}

/// A word model saved and loaded (a model file, as the page downloads it) samples the same text
/// from the same seed, through the trainer and through the file's own vocabulary.
#[test]
fn a_saved_word_model_samples_the_same_text() {
    let mut t = Trainer::new(words(16), &SMALL_TEXT.repeat(8)).unwrap();
    for _ in 0..30 {
        t.step().unwrap();
    }
    let opts = SampleOptions::default();
    let want = t.sample("The gradient", 60, &opts, 42, false).unwrap();
    assert_eq!(want.ids.len(), 60);
    assert_eq!(want.text, t.vocab.decode(&want.ids));
    let bytes = t.save_model().unwrap();
    let mut loaded = Trainer::from_file(&bytes, SMALL_TEXT).unwrap();
    assert_eq!(loaded.vocab, t.vocab);
    assert_eq!(loaded.config.tokens, TokenKind::Words);
    assert_eq!(loaded.sample("The gradient", 60, &opts, 42, false).unwrap(), want);
    let file = checkpoint::load(&bytes).unwrap();
    let (model, vocab) = (Model::new(file.params), file.vocab.unwrap());
    let again = Sampler::new(&model).generate(&model, &vocab, "The gradient", 60, &opts, &mut Rng::new(42)).unwrap();
    assert_eq!(again, want);
    // The metadata names the kind and lists the words.
    let f = File::parse(&bytes).unwrap();
    assert_eq!(f.meta("tokens"), Some("words"));
    let listed: Vec<String> = serde_json::from_str(f.meta("vocab").unwrap()).unwrap();
    assert_eq!(listed, t.vocab.tokens());
    assert!(listed.iter().any(|w| w == "gradient"));
}

/// A word model samples its unknown token (the rare words share it), and it is marked: the
/// unknown id in the ids, U+FFFD in the text, which no other token holds.
#[test]
fn a_sampled_unknown_word_is_marked() {
    let config = Config { max_vocab: 12, ..words(8) };
    let mut t = Trainer::new(config, &SMALL_TEXT.repeat(4)).unwrap();
    assert!(t.report.unknown_tokens * 4 > t.report.tokens, "a small cap: many tokens unknown");
    for _ in 0..20 {
        t.step().unwrap();
    }
    let s = t.sample("", 400, &SampleOptions { temperature: 1.5, ..SampleOptions::default() }, 7, false).unwrap();
    let unk = t.vocab.unknown_id().unwrap();
    let marked = s.ids.iter().filter(|&&id| id == unk).count();
    assert!(marked > 0, "the unknown token is sampled: {:?}", s.text);
    assert_eq!(s.text.matches(UNKNOWN).count(), marked);
    // A character model never samples its unknown character.
    let mut c = Trainer::new(Config { tokens: TokenKind::Characters, max_vocab: 8, ..words(8) }, SMALL_TEXT).unwrap();
    c.step().unwrap();
    let s = c.sample("", 400, &SampleOptions { temperature: 10.0, ..SampleOptions::default() }, 7, false).unwrap();
    assert!(!s.ids.contains(&c.vocab.unknown_id().unwrap()));
}

/// Files made before words existed (no `tokens` in the metadata) read characters; a file whose
/// metadata contradicts its config, or names another kind, is refused.
#[test]
fn model_files_record_the_token_kind() {
    let t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    let bytes = t.save_model().unwrap();
    let f = File::parse(&bytes).unwrap();
    assert_eq!(f.meta("tokens"), Some("characters"));
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> =
        f.tensors.iter().map(|t| (t.name.clone(), t.shape.clone(), t.data.to_vec())).collect();
    let rewrite = |edit: &dyn Fn(&str, &str) -> Option<String>| {
        let meta: Vec<(&str, String)> =
            f.metadata.iter().filter_map(|(k, v)| edit(k, v).map(|v| (k.as_str(), v))).collect();
        tensorfile::write(&tensors, &meta)
    };
    // An old file: no `tokens`, a config without it.
    let old = rewrite(&|k, v| match k {
        "tokens" => None,
        "config" => Some(v.replace(",\"tokens\":\"characters\"", "")),
        _ => Some(v.to_string()),
    });
    assert!(!String::from_utf8_lossy(&old[..200]).contains("tokens"));
    let loaded = checkpoint::load(&old).unwrap();
    assert_eq!(loaded.vocab.unwrap(), t.vocab);
    assert_eq!(loaded.config.unwrap().tokens, TokenKind::Characters);
    let said = |what: &str| rewrite(&|k, v| Some(if k == "tokens" { what.to_string() } else { v.to_string() }));
    let Err(Error::ModelFile(m)) = checkpoint::load(&said("words")) else { panic!("a contradiction accepted") };
    assert_eq!(m, "the metadata says tokens = words but the config says characters");
    let Err(Error::ModelFile(m)) = checkpoint::load(&said("bytes")) else { panic!("an unknown kind accepted") };
    assert!(m.contains("\"bytes\" is not characters or words"), "{m}");
}

/// The command-line tool on words: `tokenize`, `eval` (bits per character as computed by hand in
/// the fixture), `sample` of a saved word model, and a task refusing words.
#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use super::*;
    use common::cli::{fails, run};

    fn folder() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn json(out: &std::process::Output) -> serde_json::Value {
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    #[test]
    fn tokenize_prints_the_tokens_as_a_json_array() {
        let d = folder();
        let text = "Hello, 世界! I'm fine 👍🏽 — naïve café 🇫🇷\r\n👩\u{200D}👩\u{200D}👧 ok";
        let path = d.path().join("mixed.txt");
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let words: Vec<String> = serde_json::from_value(json(&run(&["tokenize", "--tokens", "words", p]))).unwrap();
        assert_eq!(words.len(), 24);
        assert_eq!(words[..6], ["Hello", ",", " ", "世", "界", "!"]);
        assert_eq!(words.concat().as_bytes(), std::fs::read(&path).unwrap(), "joined, byte for byte");
        let chars: Vec<String> = serde_json::from_value(json(&run(&["tokenize", p]))).unwrap();
        assert_eq!(chars.len(), text.chars().count(), "characters by default");
        assert!(fails(&["tokenize", "--tokens", "bytes", p]).contains("bytes"));
    }

    #[test]
    fn eval_prints_bits_per_character_as_computed_by_hand() {
        let d = folder();
        let c = case();
        let r = SafeTensors::deserialize(REFERENCE).unwrap();
        for (name, bytes) in [("text.txt", c.text.as_bytes()), ("model.safetensors", WEIGHTS)] {
            std::fs::write(d.path().join(name), bytes).unwrap();
        }
        std::fs::write(d.path().join("vocab.json"), serde_json::to_string(&c.vocab).unwrap()).unwrap();
        let p = |n: &str| d.path().join(n).to_str().unwrap().to_string();
        let (model, text, vocab) = (p("model.safetensors"), p("text.txt"), p("vocab.json"));
        let args = ["eval", "--model", &model, "--text", &text, "--vocab", &vocab, "--tokens", "words"];
        let v = json(&run(&args));
        assert_eq!(v["tokens_kind"], "words");
        assert_eq!(
            (v["tokens"].as_u64(), v["predicted"].as_u64()),
            (Some(c.ids.len() as u64), Some(c.ids.len() as u64 - 1))
        );
        assert_eq!(v["predicted_chars"].as_u64(), Some(c.predicted_chars as u64));
        assert_eq!(
            (v["chars"].as_u64(), v["unknown_tokens"].as_u64()),
            (Some(c.text.chars().count() as u64), Some(c.unknown_tokens as u64))
        );
        let loss = tensor_f64(&r, "f64.loss")[0];
        assert!((v["loss"].as_f64().unwrap() - loss).abs() < 1e-5 * loss, "{v}");
        let bpc = tensor_f64(&r, "f64.bits_per_char")[0];
        assert!((v["bits_per_char"].as_f64().unwrap() - bpc).abs() < 1e-5 * bpc, "{} vs {bpc}", v["bits_per_char"]);
        assert!((v["bits_per_token"].as_f64().unwrap() - loss / std::f64::consts::LN_2).abs() < 1e-5);
        assert!((v["perplexity"].as_f64().unwrap() - loss.exp()).abs() < 1e-4 * loss.exp());
        let share = v["unknown_share"].as_f64().unwrap();
        assert!(share > 0.0 && share < 1.0, "{v}");
        assert_eq!(v["unknown"][0], "cat's", "the unknown words, in order of appearance");
        // Read as characters, the same vocabulary is refused (entries of several characters).
        let chars = ["eval", "--model", &model, "--text", &text, "--vocab", &vocab];
        assert!(fails(&chars).contains("is not exactly one character"));
    }

    #[test]
    fn a_saved_word_model_samples_the_same_text_on_the_command_line() {
        let d = folder();
        let mut t = Trainer::new(Config { max_vocab: 30, ..words(16) }, &SMALL_TEXT.repeat(8)).unwrap();
        for _ in 0..30 {
            t.step().unwrap();
        }
        let path = d.path().join("words.safetensors");
        std::fs::write(&path, t.save_model().unwrap()).unwrap();
        let p = path.to_str().unwrap();
        let want =
            t.sample("The ", 80, &SampleOptions { temperature: 1.2, ..SampleOptions::default() }, 9, false).unwrap();
        assert!(want.text.contains(UNKNOWN), "this sample has an unknown word: {:?}", want.text);
        let o =
            run(&["sample", "--model", p, "--prime", "The ", "--length", "80", "--temperature", "1.2", "--seed", "9"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        // To a pipe the text exactly, the unknown token as U+FFFD.
        assert_eq!(String::from_utf8(o.stdout).unwrap(), format!("The {}\n", want.text));
        let info = json(&run(&["info", "--model", p]));
        assert_eq!(info["tokens"], "words");
        assert_eq!(info["vocabulary"].as_array().unwrap().len(), 30);
        // --tokens must agree with what the file records.
        assert!(fails(&["sample", "--model", p, "--tokens", "characters"]).contains("reads words"));
    }

    #[test]
    fn a_task_refuses_words_on_the_command_line() {
        let d = folder();
        let out = d.path().join("m.safetensors");
        let e =
            fails(&["train", "--task", "copy", "--tokens", "words", "--steps", "1", "--out", out.to_str().unwrap()]);
        assert!(e.contains("tokens = words") && e.contains("per character"), "{e}");
    }
}
