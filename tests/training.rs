//! Training behaviour: overfitting a tiny text, determinism, exact resume from a checkpoint,
//! model files, sampling, and every kind of bad input giving a clear error value.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::SMALL_TEXT;
use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, Config, InitKind, OptimizerKind, TokenKind};
use rnn_playground::kernels::Isa;
use rnn_playground::model::{Precision, State, Workspace};
use rnn_playground::rng::Rng;
use rnn_playground::sample::{pick, PickScratch, SampleOptions, Sampler};
use rnn_playground::tokenizer;
use rnn_playground::trainer::{decode_corpus, prime_bounds, sequence_loss, sequence_loss_at, PRIME_CHARS};
use rnn_playground::vocab::{Vocab, UNKNOWN};
use rnn_playground::{Error, Trainer};

fn tiny(cell: CellKind) -> Config {
    Config { cell, hidden: 32, embed: 8, seq_len: 16, batch: 4, lr: 1e-2, val_fraction: 0.0, ..Config::default() }
}

#[test]
fn small_models_overfit_a_tiny_text() {
    let text = "hello world, hello rnn. ".repeat(4);
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let mut t = Trainer::new(tiny(cell), &text).unwrap();
        let first = t.step().unwrap().loss;
        let mut last = first;
        for _ in 0..400 {
            last = t.step().unwrap().loss;
        }
        assert!(last < 0.05, "{cell:?}: loss {first} -> {last}, expected below 0.05 nats");
    }
}

#[test]
fn every_optimizer_and_init_learns() {
    for (opt, lr) in [(OptimizerKind::Sgd, 0.5), (OptimizerKind::Adagrad, 0.05), (OptimizerKind::Rmsprop, 3e-3)] {
        for init in [InitKind::Pytorch, InitKind::Xavier, InitKind::Orthogonal, InitKind::Identity] {
            let c = Config { optimizer: opt, lr, init, cell: CellKind::Rnn, ..tiny(CellKind::Rnn) };
            let mut t = Trainer::new(c, SMALL_TEXT).unwrap();
            let first = t.step().unwrap().loss;
            let mut last = first;
            for _ in 0..150 {
                last = t.step().unwrap().loss;
            }
            assert!(last < first * 0.75, "{opt:?} {init:?}: loss {first} -> {last}");
        }
    }
}

#[test]
fn same_seed_gives_identical_losses_and_samples() {
    let run = |seed| {
        let mut t = Trainer::new(Config { seed, ..tiny(CellKind::Lstm) }, SMALL_TEXT).unwrap();
        let losses: Vec<u32> = (0..20).map(|_| t.step().unwrap().loss.to_bits()).collect();
        let s = t.sample("The ", 50, &SampleOptions::default(), 3, false).unwrap();
        (losses, s.text)
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5).0, run(6).0);
}

#[test]
fn checkpoint_resume_continues_exactly() {
    let config = Config { val_fraction: 0.1, ..tiny(CellKind::Gru) };
    let mut straight = Trainer::new(config.clone(), SMALL_TEXT).unwrap();
    for _ in 0..7 {
        straight.step().unwrap();
    }
    let bytes = straight.save_checkpoint().unwrap();
    let expected: Vec<f32> = (0..10).map(|_| straight.step().unwrap().loss).collect();
    let mut resumed = Trainer::from_file(&bytes, SMALL_TEXT).unwrap();
    assert!(resumed.report.resumed);
    let got: Vec<f32> = (0..10).map(|_| resumed.step().unwrap().loss).collect();
    assert_eq!(got, expected);
    // Another corpus: the weights load, the optimizer starts fresh.
    let other = Trainer::from_file(&bytes, &SMALL_TEXT.to_uppercase()).unwrap();
    assert!(!other.report.resumed);
}

#[test]
fn model_file_holds_exactly_the_state_dict() {
    let t = Trainer::new(Config { layers: 2, ..tiny(CellKind::Lstm) }, SMALL_TEXT).unwrap();
    let bytes = t.save_model().unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<&str> = st.names();
    names.sort();
    let mut want = vec!["embedding.weight", "fc.bias", "fc.weight"];
    for k in 0..2 {
        for n in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] {
            want.push(Box::leak(format!("rnn.{n}_l{k}").into_boxed_str()));
        }
    }
    want.sort();
    assert_eq!(names, want);
    assert_eq!(st.tensor("rnn.weight_ih_l0").unwrap().shape(), &[128, 8]);
    assert_eq!(st.tensor("rnn.weight_hh_l1").unwrap().shape(), &[128, 32]);
    let loaded = checkpoint::load(&bytes).unwrap();
    assert_eq!(loaded.params, t.model.params);
    assert_eq!(loaded.vocab.unwrap(), t.vocab);
    assert!(loaded.train.is_none());
}

#[test]
fn corrupt_model_files_are_errors() {
    let t = Trainer::new(tiny(CellKind::Rnn), SMALL_TEXT).unwrap();
    let bytes = t.save_checkpoint().unwrap();
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(matches!(checkpoint::load(&bytes[..cut]), Err(Error::ModelFile(_))), "truncated at {cut}");
    }
    // A header claiming an enormous tensor must not allocate it.
    let header = br#"{"embedding.weight":{"dtype":"F32","shape":[1000000000,1000000],"data_offsets":[0,4]}}"#;
    let mut hostile = (header.len() as u64).to_le_bytes().to_vec();
    hostile.extend_from_slice(header);
    hostile.extend_from_slice(&[0; 4]);
    assert!(matches!(checkpoint::load(&hostile), Err(Error::ModelFile(_))));
    let mut flipped = bytes.clone();
    flipped[10] ^= 0xff;
    assert!(checkpoint::load(&flipped).is_err());
    // Random corruption anywhere: an error or a valid load, never a panic.
    let mut rng = rnn_playground::rng::Rng::new(11);
    for _ in 0..500 {
        let mut b = bytes.clone();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(b.len());
            b[i] = rng.below(256) as u8;
        }
        if let Ok(loaded) = checkpoint::load(&b) {
            assert_eq!(loaded.params.dims(), t.model.dims());
        }
        let _ = Trainer::from_file(&b, SMALL_TEXT);
    }
    assert!(matches!(Trainer::from_file(b"not a model", SMALL_TEXT), Err(Error::ModelFile(_))));
}

#[test]
fn bad_corpora_are_clear_errors() {
    let c = tiny(CellKind::Lstm);
    assert!(matches!(Trainer::new(c.clone(), ""), Err(Error::Corpus(m)) if m.contains("empty")));
    assert!(matches!(Trainer::new(c.clone(), "x"), Err(Error::Corpus(_))));
    assert!(matches!(Trainer::new(c.clone(), "short text"), Err(Error::Corpus(m)) if m.contains("sequence length")));
    assert!(matches!(Trainer::new(c.clone(), "abc\0def".repeat(10).as_str()), Err(Error::Corpus(_))));
    assert!(matches!(decode_corpus(&[b'a', 0xff, 0xfe, b'b']), Err(Error::Corpus(m)) if m.contains("UTF-8")));
    assert_eq!(decode_corpus("héllo 你好".as_bytes()).unwrap(), "héllo 你好");
    // Short but trainable: fewer streams than asked.
    let t = Trainer::new(c, &"ab".repeat(30)).unwrap();
    assert_eq!(t.report.streams, 3);
}

#[test]
fn absurd_hyperparameters_are_clear_errors() {
    let bad = [
        Config { lr: f32::NAN, ..Config::default() },
        Config { lr: -1.0, ..Config::default() },
        Config { clip: f32::INFINITY, ..Config::default() },
        Config { hidden: 0, ..Config::default() },
        Config { hidden: 1 << 20, ..Config::default() },
        Config { layers: 1000, ..Config::default() },
        Config { seq_len: 4096, batch: 4096, ..Config::default() },
        Config { beta2: 1.0, ..Config::default() },
        Config { max_vocab: 1, ..Config::default() },
    ];
    for c in bad {
        assert!(matches!(Trainer::new(c.clone(), SMALL_TEXT), Err(Error::Config(_))), "{c:?}");
    }
    assert!(matches!(Config::from_json(r#"{"cell":"transformer"}"#), Err(Error::Config(_))));
    assert!(matches!(Config::from_json(r#"{"hidden":"big"}"#), Err(Error::Config(_))));
    assert_eq!(Config::from_json("{}").unwrap(), Config::default());
}

#[test]
fn divergence_is_reported_and_the_weights_kept() {
    let mut t = Trainer::new(tiny(CellKind::Rnn), SMALL_TEXT).unwrap();
    t.step().unwrap();
    t.model.params.fc_b[3] = f32::NAN;
    t.model.repack();
    let before = t.model.params.clone();
    match t.step() {
        Err(Error::Diverged(m)) => assert!(m.contains("learning rate"), "{m}"),
        other => panic!("expected divergence, got {other:?}"),
    }
    assert_eq!(t.model.params.fc_w, before.fc_w, "a diverged step must not update the weights");
}

#[test]
fn vocabulary_handles_any_unicode_and_the_cap() {
    let text = "你好世界🙂 e\u{301}a 你好";
    let (v, report) = Vocab::build(TokenKind::Characters, text, 8000).unwrap();
    assert_eq!(report.dropped_tokens, 0);
    assert_eq!(v.decode(&v.encode(text).unwrap().ids), text);
    assert_eq!(v.token(0), UNKNOWN);
    let (capped, report) = Vocab::build(TokenKind::Characters, "aaaabbbcc d", 3).unwrap();
    assert_eq!(capped.len(), 3);
    assert_eq!(report.dropped_tokens, 3);
    assert_eq!(report.dropped_occurrences, 4);
    let enc = capped.encode("abz").unwrap();
    assert_eq!(enc.ids[2], 0);
    assert_eq!(enc.unknown, vec!["z"]);
    assert_eq!((enc.unknown_tokens(), enc.unknown_chars(), enc.chars), (1, 1, 3));
    let (v1, _) = Vocab::build(TokenKind::Characters, "cab", 10).unwrap();
    let (v2, _) = Vocab::build(TokenKind::Characters, "bca", 10).unwrap();
    assert_eq!(v1, v2);
    assert!(Vocab::from_json(TokenKind::Characters, r#"["a","bb"]"#).is_err());
    let plain = Vocab::from_json(TokenKind::Characters, r#"["a","b"]"#).unwrap();
    assert!(matches!(plain.encode("c"), Err(Error::Text(_))));
}

/// A word vocabulary: the most frequent words, the rest unknown, each unknown token keeping its
/// length (so bits per character count every character) and the text coming back without them.
#[test]
fn word_vocabulary_keeps_the_frequent_words_and_counts_the_unknown_ones() {
    let text = "the cat and the dog and the bird. A \u{FFFD} is never a word.";
    let (v, report) = Vocab::build(TokenKind::Words, text, 5).unwrap();
    // " " 13, "the" 3, "and" 2, "." 2: kept in code-point order after the unknown token.
    assert_eq!(v.tokens(), &[UNKNOWN, " ", ".", "and", "the"]);
    assert_eq!(v.lens(), &[1, 1, 1, 3, 3]);
    assert_eq!((report.distinct, report.dropped_tokens), (13, 9));
    let enc = v.encode(text).unwrap();
    assert_eq!(enc.ids.len(), 29);
    assert_eq!(enc.chars, text.chars().count());
    assert_eq!(enc.unknown[..3], ["cat", "dog", "bird"]);
    assert_eq!(enc.unknown_distinct, 9, "cat dog bird A � is never a word, U+FFFD among them");
    assert_eq!((enc.unknown_tokens(), enc.unknown_chars()), (9, 3 + 3 + 4 + 1 + 1 + 2 + 5 + 1 + 4));
    assert_eq!(enc.unknown_at[0], (2, 3), "cat: position 2, 3 characters");
    let decoded = v.decode(&enc.ids);
    assert_eq!(decoded, "the � and the � and the �. � � � � � �.");
    // Every U+FFFD of what the model writes is the unknown token: none of the others holds one.
    assert!(v.tokens()[1..].iter().all(|t| !t.contains(UNKNOWN)));
    let (all, _) = Vocab::build(TokenKind::Words, text, 100).unwrap();
    assert_eq!(all.len(), 13, "the unknown token and 12 tokens (U+FFFD is none of them)");
    assert_eq!(all.decode(&all.encode("the dog").unwrap().ids), "the dog");
}

#[test]
fn vocabulary_keeps_the_most_frequent_characters_in_code_point_order() {
    // Against a reference built with std's sort: most frequent first, ties to the lower code
    // point, the kept ones in code-point order after the unknown id.
    let mut rng = rnn_playground::rng::Rng::new(7);
    for _ in 0..200 {
        let (len, span) = (rng.below(300) + 1, rng.below(60) + 1);
        let text: String = (0..len).map(|_| char::from_u32(0x61 + rng.below(span) as u32).unwrap()).collect();
        let cap = 2 + rng.below(40);
        let mut counts = std::collections::BTreeMap::new();
        for c in text.chars() {
            *counts.entry(c).or_insert(0usize) += 1;
        }
        let mut order: Vec<(char, usize)> = counts.into_iter().collect();
        order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut want: Vec<char> = order.iter().take(cap - 1).map(|x| x.0).collect();
        want.sort();
        want.insert(0, '\u{FFFD}');
        let want: Vec<String> = want.into_iter().map(String::from).collect();
        let (v, report) = Vocab::build(TokenKind::Characters, &text, cap).unwrap();
        assert_eq!(v.tokens(), &want[..], "{text:?} cap {cap}");
        assert_eq!(report.dropped_occurrences, order.iter().skip(cap - 1).map(|x| x.1).sum::<usize>());
    }
}

#[test]
fn sampling_respects_its_options() {
    let mut t = Trainer::new(tiny(CellKind::Lstm), SMALL_TEXT).unwrap();
    for _ in 0..30 {
        t.step().unwrap();
    }
    let greedy = SampleOptions { temperature: 0.0, ..SampleOptions::default() };
    let a = t.sample("The ", 40, &greedy, 1, false).unwrap();
    let b = t.sample("The ", 40, &greedy, 2, false).unwrap();
    assert_eq!(a.text, b.text, "greedy ignores the seed");
    assert_eq!(a.text.chars().count(), 40);
    let top1 = SampleOptions { top_k: 1, ..SampleOptions::default() };
    assert_eq!(t.sample("The ", 40, &top1, 9, false).unwrap().text, a.text);
    let nucleus = SampleOptions { top_p: 1e-6, ..SampleOptions::default() };
    assert_eq!(t.sample("The ", 40, &nucleus, 9, false).unwrap().text, a.text);
    let s = t.sample("Zebra 🦓", 10, &SampleOptions::default(), 1, false).unwrap();
    assert_eq!(s.unknown, vec!["Z", "🦓"]);
    let hot = SampleOptions { temperature: 10.0, ..SampleOptions::default() };
    let wild = t.sample("", 2000, &hot, 4, false).unwrap();
    assert!(!wild.text.contains(UNKNOWN), "the unknown character is never sampled");
    // The bounds are the settings table's, with its messages.
    let Err(e) = t.sample("", 10, &SampleOptions { temperature: 10.5, ..greedy }, 1, false) else { panic!() };
    assert_eq!(e.to_string(), "config: temperature = 10.5 must be a finite number in [0, 10]");
    let Err(e) = t.sample("", 20_001, &greedy, 1, false) else { panic!() };
    assert_eq!(e.to_string(), "config: length = 20001 is out of range [1, 20000]");
    let cont = t.sample("", 10, &greedy, 1, true).unwrap();
    assert_eq!(cont.text.chars().count(), 10);
    assert!(t.sample("x", 10, &SampleOptions { temperature: f32::NAN, ..greedy }, 1, false).is_err());
}

#[test]
fn a_prime_is_cut_at_line_then_sentence_then_word_boundaries() {
    let cut = |tokens: Vec<&str>| {
        let (a, b) = prime_bounds(&tokens);
        tokens[a..b].concat()
    };
    let bounds = |s: &str| cut(tokenizer::tokens(TokenKind::Characters, s).collect());
    let words = |s: &str| cut(tokenizer::tokens(TokenKind::Words, s).collect());
    // Whole lines when there are line ends (the first, cut, line dropped; the last, cut, too).
    assert_eq!(bounds("..a\nb......b\nc.....c\nd..."), "b......b\nc.....c\n");
    // Whole sentences, the space after the full stop kept, when there is no line end.
    assert_eq!(bounds("ing home. The river rose. Anna watched it. She ran to"), "The river rose. Anna watched it. ");
    // Whole words otherwise; a Chinese full stop is a sentence end.
    assert_eq!(bounds("ver the bridge and into the vill"), "the bridge and into the ");
    assert_eq!(bounds("天很冷。我们去学校。妈妈在"), "我们去学校。");
    // No boundary at all: the text as it is.
    assert_eq!(bounds("abcdefgh"), "abcdefgh");
    assert_eq!(bounds(""), "");
    // Blank lines go with the line end before them.
    assert_eq!(bounds("ing home.\n\nThe river rose.\n\nAnna"), "The river rose.\n\n");
    // Words: the same boundaries between tokens.
    assert_eq!(words("ing home.\n\nThe river rose. Anna watched it.\n\nShe ran"), "The river rose. Anna watched it.\n\n");
    assert_eq!(words("ing home. The river rose. Anna watched it. She ran to"), "The river rose. Anna watched it. ");
}

#[test]
fn a_default_prime_is_real_validation_text_ending_at_a_line_end() {
    let config = Config { hidden: 16, embed: 8, ..Config::default() };
    let t = Trainer::for_task(config, rnn_playground::tasks::Task::Remember, 1).unwrap();
    let val = rnn_playground::tasks::text(rnn_playground::tasks::Task::Remember, 1, rnn_playground::tasks::Split::Val);
    let primes: Vec<String> = (0..20).map(|seed| t.sample_prime(seed)).collect();
    for p in &primes {
        assert!(!p.is_empty() && p.chars().count() <= PRIME_CHARS, "{p:?}");
        assert!(p.ends_with('\n') && val.contains(&format!("\n{p}")), "whole lines of the validation text: {p:?}");
    }
    assert!(primes.iter().any(|p| p != &primes[0]), "the seed chooses where");
    assert_eq!(t.sample_prime(7), t.sample_prime(7));
    // Without validation text, the training text.
    let no_val = Trainer::new(Config { val_fraction: 0.0, ..tiny(CellKind::Gru) }, "one two. three four. five six. ").unwrap();
    assert!("one two. three four. five six. ".contains(&no_val.sample_prime(3)));
}

#[test]
fn top_k_and_top_p_draw_from_exactly_the_most_likely_ids() {
    // 60 logits with ties (ties rank the lower id first), against a reference that sorts in f64.
    let logits: Vec<f32> = (0..60u32).map(|i| ((i * 7919 + 13) % 17) as f32 * 0.37 - 2.0).collect();
    let temperature = 0.9f32;
    let mut ranked: Vec<usize> = (0..logits.len()).collect();
    ranked.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
    let max = logits[ranked[0]] as f64;
    let weight = |i: usize| ((logits[i] as f64 - max) / temperature as f64).exp();
    let mut scratch = PickScratch::default();
    for (top_k, top_p) in [(1, 1.0), (4, 1.0), (0, 0.3), (0, 0.75), (9, 0.6), (60, 0.95), (200, 1.0), (0, 1.0)] {
        let mut kept = ranked.clone();
        if top_k > 0 {
            kept.truncate(top_k);
        }
        let total: f64 = kept.iter().map(|&i| weight(i)).sum();
        if top_p < 1.0 {
            let mut acc = 0.0;
            let n = kept.iter().position(|&i| {
                acc += weight(i) / total;
                acc >= top_p as f64
            });
            kept.truncate(n.map_or(kept.len(), |n| n + 1));
        }
        let total: f64 = kept.iter().map(|&i| weight(i)).sum();
        let opts = SampleOptions { temperature, top_k, top_p, ..SampleOptions::default() };
        let mut rng = Rng::new(11);
        let draws = 20_000;
        let mut counts = vec![0usize; logits.len()];
        for _ in 0..draws {
            counts[pick(Isa::detect(), &logits, &opts, &mut rng, &mut scratch) as usize] += 1;
        }
        for (i, &c) in counts.iter().enumerate() {
            let want = if kept.contains(&i) { weight(i) / total } else { 0.0 };
            let got = c as f64 / draws as f64;
            // 5 standard deviations of a binomial frequency: a fixed seed, so this never flakes.
            let tol = 5.0 * (want * (1.0 - want) / draws as f64).sqrt() + 1e-9;
            assert!((got - want).abs() <= tol, "top_k {top_k} top_p {top_p}: id {i} drawn {got}, expected {want}");
        }
    }
}

#[test]
fn exact_sampling_steps_are_the_training_forward_pass() {
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let mut t = Trainer::new(Config { layers: 2, ..tiny(cell) }, SMALL_TEXT).unwrap();
        for _ in 0..20 {
            t.step().unwrap();
        }
        let d = t.model.dims();
        let (mut ws, mut state) = (Workspace::new(d, 1, 1), State::zeros(d, 1));
        let mut sampler = Sampler::new(&t.model);
        for id in t.vocab.encode("The quick brown fox").unwrap().ids {
            t.model.forward(&mut ws, &[id], &state);
            ws.final_state(&mut state);
            sampler.feed(&t.model, id, Precision::F32);
            assert_eq!(sampler.logits(), &ws.logits[..], "{cell:?}: bit for bit");
            assert_eq!(sampler.state, state);
        }
    }
}

/// The compact sampling precisions of this build: bf16 is native only (the command-line tool's).
#[cfg(not(target_arch = "wasm32"))]
const COMPACT: [Precision; 2] = [Precision::Bf16, Precision::I16];
#[cfg(target_arch = "wasm32")]
const COMPACT: [Precision; 1] = [Precision::I16];

#[test]
fn compact_sampling_is_close_to_f32_and_deterministic() {
    for (cell, precision) in
        [CellKind::Rnn, CellKind::Lstm, CellKind::Gru].into_iter().flat_map(|c| COMPACT.map(|p| (c, p)))
    {
        let mut t = Trainer::new(Config { layers: 2, ..tiny(cell) }, SMALL_TEXT).unwrap();
        for _ in 0..50 {
            t.step().unwrap();
        }
        // The next-character distributions of both precisions along a text, fed the same ids.
        let (mut exact, mut fast) = (Sampler::new(&t.model), Sampler::new(&t.model));
        let mut worst_kl = 0.0f64;
        for id in t.vocab.encode(SMALL_TEXT).unwrap().ids {
            exact.feed(&t.model, id, Precision::F32);
            fast.feed(&t.model, id, precision);
            let (p, q) = (softmax(exact.logits()), softmax(fast.logits()));
            let kl: f64 = p.iter().zip(&q).map(|(&p, &q)| if p > 0.0 { p * (p / q).ln() } else { 0.0 }).sum();
            worst_kl = worst_kl.max(kl);
        }
        assert!(worst_kl < 1e-3, "{cell:?} {precision:?}: KL(f32 ‖ compact) up to {worst_kl}");
        let ids = t.vocab.encode(SMALL_TEXT).unwrap().ids;
        let f32_loss = sequence_loss_at(&t.model, &ids, Precision::F32).unwrap();
        let compact_loss = sequence_loss_at(&t.model, &ids, precision).unwrap();
        assert!((f32_loss - compact_loss).abs() < 1e-2, "{cell:?} {precision:?}: loss {f32_loss} vs {compact_loss}");
        assert_eq!(sequence_loss(&t.model, &ids, false).unwrap().0, f32_loss);

        assert_eq!(SampleOptions::default().precision, Precision::I16, "i16 is the default");
        let opts = SampleOptions { temperature: 1.0, precision, ..SampleOptions::default() };
        let a = t.sample("The ", 300, &opts, 7, false).unwrap().text;
        assert_eq!(a.chars().count(), 300);
        assert_eq!(t.sample("The ", 300, &opts, 7, false).unwrap().text, a, "{cell:?}: same seed, same text");
        assert_ne!(t.sample("The ", 300, &opts, 8, false).unwrap().text, a, "{cell:?}: another seed");
        let hot = SampleOptions { temperature: 10.0, top_p: 0.999, ..opts };
        assert!(!t.sample("", 2000, &hot, 4, false).unwrap().text.contains(UNKNOWN));
        // Training changes the weights: the next sample reads fresh copies.
        let greedy = |t: &mut Trainer, precision| {
            let o = SampleOptions { temperature: 0.0, precision, ..SampleOptions::default() };
            t.sample("The ", 100, &o, 1, false).unwrap().text
        };
        for _ in 0..5 {
            t.step().unwrap();
        }
        let mut fresh = Trainer::from_file(&t.save_model().unwrap(), SMALL_TEXT).unwrap();
        assert_eq!(greedy(&mut t, precision), greedy(&mut fresh, precision), "{cell:?} {precision:?}: no stale copy");
    }
}

/// Softmax in f64.
fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
    let e: Vec<f64> = logits.iter().map(|&v| (v as f64 - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

#[test]
fn diagnostics_cover_every_step_and_layer() {
    let mut t = Trainer::new(Config { layers: 2, ..tiny(CellKind::Lstm) }, SMALL_TEXT).unwrap();
    t.step().unwrap();
    let norms = t.dh_norms();
    assert_eq!(norms.len(), 2);
    assert!(norms.iter().all(|l| l.len() == 16 && l.iter().all(|v| v.is_finite() && *v > 0.0)));
    let p = t.probe("The gradient").unwrap();
    assert_eq!(p.tokens.concat(), "The gradient");
    assert_eq!((p.tokens.len(), p.ids.len()), (12, 12));
    let names: Vec<&str> = p.layers[1].activations.iter().map(|a| a.name).collect();
    assert_eq!(names, ["h", "c", "i", "f", "g", "o"]);
    assert!(p.layers[0].activations.iter().all(|a| a.values.len() == 12 * 32));
    let h = &p.layers[0].activations[0].values;
    assert!(h.iter().all(|v| v.abs() <= 1.0));
}

#[test]
fn validation_and_sequence_loss_agree_on_scale() {
    let mut t = Trainer::new(Config { val_fraction: 0.3, ..tiny(CellKind::Gru) }, &SMALL_TEXT.repeat(3)).unwrap();
    let before = t.validate(None).unwrap().loss;
    assert!((before - (t.vocab.len() as f32).ln()).abs() < 1.0, "untrained loss {before} near ln V");
    for _ in 0..100 {
        t.step().unwrap();
    }
    let after = t.validate(None).unwrap();
    assert!(after.loss < before);
    // Characters: one per token, so bits per character are the loss in bits.
    assert_eq!(after.tokens, after.chars);
    assert!((after.bits_per_char - after.loss / std::f32::consts::LN_2).abs() < 1e-5, "{after:?}");
    let ids = t.vocab.encode(SMALL_TEXT).unwrap().ids;
    let (loss, grad) = sequence_loss(&t.model, &ids, true).unwrap();
    assert!(loss.is_finite() && grad.is_some());
    let long: Vec<u32> = ids.iter().cycle().take(3000).copied().collect();
    let (chunked, _) = sequence_loss(&t.model, &long, false).unwrap();
    let (whole, _) = sequence_loss(&t.model, &long, true).unwrap();
    assert!((chunked - whole).abs() < 1e-5, "chunked {chunked} vs one pass {whole}");
}

#[test]
fn live_settings_change_from_the_next_step_and_the_others_are_refused() {
    use rnn_playground::config::ClipKind;
    use rnn_playground::settings::SETTINGS;
    let live: Vec<&str> = SETTINGS.iter().filter(|s| s.live).map(|s| s.name).collect();
    assert_eq!(live, ["lr", "clip_mode", "clip", "lr_decay", "lr_decay_every", "momentum", "beta1", "beta2", "eps", "workers"]);
    let config = tiny(CellKind::Lstm);
    let mut a = Trainer::new(config.clone(), SMALL_TEXT).unwrap();
    let mut b = Trainer::new(config.clone(), SMALL_TEXT).unwrap();
    for _ in 0..3 {
        assert_eq!(a.step().unwrap().loss, b.step().unwrap().loss);
    }
    let next = Config { lr: 0.05, clip_mode: ClipKind::Norm, clip: 0.01, ..config.clone() };
    b.update_live(&next).unwrap();
    let (sa, sb) = (a.step().unwrap(), b.step().unwrap());
    // The step after the change reads the same weights (same loss) but updates with the new rate
    // and clips at the new threshold.
    assert_eq!(sa.loss, sb.loss);
    assert_eq!((sa.lr, sb.lr), (config.lr, 0.05));
    assert!(sb.clipped && sb.grad_norm > 0.01, "norm {} against clip 0.01", sb.grad_norm);
    assert_ne!(a.step().unwrap().loss, b.step().unwrap().loss, "the new rate moved the weights differently");
    assert_eq!(b.config, next);
    // What shapes the model, the data or the optimizer's state cannot change during a run.
    for (bad, name) in [
        (Config { hidden: 33, ..next.clone() }, "hidden"),
        (Config { optimizer: OptimizerKind::Sgd, ..next.clone() }, "optimizer"),
        (Config { seq_len: 8, ..next.clone() }, "seq_len"),
        (Config { seed: 2, ..next.clone() }, "seed"),
    ] {
        let e = b.update_live(&bad).unwrap_err().to_string();
        assert!(e.contains(&format!("{name} cannot change during a run")), "{e}");
        assert_eq!(b.config, next, "a refused change changes nothing");
    }
    assert!(b.update_live(&Config { lr: -1.0, ..next.clone() }).unwrap_err().to_string().contains("lr = -1"));
}
