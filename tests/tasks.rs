//! The synthetic tasks (src/tasks.rs): determinism, sizes, every line obeys its task's rule,
//! validation text apart from the training text, training on a task, checkpoints that record it;
//! and the minimum validation share of a plain corpus (src/data.rs).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use rnn_playground::config::{CellKind, Config, TokenKind};
use rnn_playground::data::{split, TokenIds, MIN_VAL_TOKENS};
use rnn_playground::tasks::{generate, text, Split, Task, TRAIN_CHARS, VAL_CHARS};
use rnn_playground::trainer::recorded_task;
use rnn_playground::Trainer;

/// Longest line any task writes (`remember`: 1 + 40 + 1 + newline; the period string is 50).
const LONGEST_LINE: usize = 50;

fn tiny() -> Config {
    Config { cell: CellKind::Gru, hidden: 16, embed: 8, seq_len: 16, batch: 4, lr: 1e-2, ..Config::default() }
}

/// Panics unless `line` obeys `task`'s rule.
fn check_line(task: Task, line: &str) {
    let b = line.as_bytes();
    let letters = |s: &[u8], k: u8| s.iter().all(|&c| (b'a'..b'a' + k).contains(&c));
    match task {
        Task::Anbn => {
            let n = line.len() / 2;
            assert!((1..=12).contains(&n) && line.len() == 2 * n, "anbn: {line:?}");
            assert!(b[..n].iter().all(|&c| c == b'a') && b[n..].iter().all(|&c| c == b'b'), "anbn: {line:?}");
        }
        Task::Brackets => {
            let (mut stack, mut pairs, mut deepest) = (Vec::new(), 0, 0);
            for &c in b {
                match c {
                    b'(' | b'[' | b'{' => {
                        stack.push(c);
                        pairs += 1;
                        deepest = deepest.max(stack.len());
                    }
                    b')' => assert_eq!(stack.pop(), Some(b'('), "brackets: {line:?}"),
                    b']' => assert_eq!(stack.pop(), Some(b'['), "brackets: {line:?}"),
                    b'}' => assert_eq!(stack.pop(), Some(b'{'), "brackets: {line:?}"),
                    _ => panic!("brackets: {line:?} has {:?}", c as char),
                }
            }
            assert!(stack.is_empty(), "brackets: {line:?} leaves {} open", stack.len());
            assert!((1..=17).contains(&pairs) && deepest <= 6, "brackets: {line:?}");
        }
        Task::Remember => {
            let n = line.len();
            assert!((12..=42).contains(&n), "remember: {line:?}");
            assert!(b[0] == b[n - 1] && letters(&b[..1], 8), "remember: {line:?}");
            assert!(b[1..n - 1].iter().all(|&c| c == b'.'), "remember: {line:?}");
        }
        Task::Copy => {
            let (w, again) = line.split_once('|').unwrap_or_else(|| panic!("copy: {line:?}"));
            assert!((5..=12).contains(&w.len()) && letters(w.as_bytes(), 8), "copy: {line:?}");
            assert_eq!(w, again, "copy: {line:?}");
        }
        Task::Parity => {
            let (bits, p) = line.split_once('=').unwrap_or_else(|| panic!("parity: {line:?}"));
            assert!((1..=12).contains(&bits.len()) && bits.bytes().all(|c| c == b'0' || c == b'1'), "parity: {line:?}");
            let ones = bits.bytes().filter(|&c| c == b'1').count();
            assert_eq!(p, if ones % 2 == 0 { "0" } else { "1" }, "parity: {line:?}");
        }
        Task::Period => unreachable!(),
    }
}

/// Panics unless every line (or, for `period`, the whole string) obeys the rule.
fn check_text(task: Task, s: &str) {
    if task == Task::Period {
        let b = s.as_bytes();
        assert!(b.iter().all(|c| b"abcd".contains(c)), "period: letters outside abcd");
        assert!(b.windows(51).all(|w| w[0] == w[50]), "period: not periodic with period 50");
        for d in [10, 25] {
            assert!(!b.windows(d + 1).all(|w| w[0] == w[d]), "period: a shorter period {d}");
        }
        return;
    }
    let body = s.strip_suffix('\n').expect("the text ends at a line end");
    for line in body.split('\n') {
        check_line(task, line);
    }
}

#[test]
fn tasks_are_named_and_parsed() {
    assert_eq!(Task::NAMES, ["anbn", "brackets", "remember", "period", "copy", "parity"]);
    for (task, name) in Task::ALL.into_iter().zip(Task::NAMES) {
        assert_eq!(task.name(), name);
        assert_eq!(Task::parse(name).unwrap(), task);
    }
    let e = Task::parse("dyck").unwrap_err().to_string();
    assert!(Task::NAMES.iter().all(|n| e.contains(n)), "{e}");
}

#[test]
fn every_text_obeys_its_rule_and_its_size() {
    for task in Task::ALL {
        for (split, size) in [(Split::Train, TRAIN_CHARS), (Split::Val, VAL_CHARS)] {
            let s = text(task, 7, split);
            assert!(s.len() >= size && s.len() < size + LONGEST_LINE, "{task:?} {split:?}: {} chars", s.len());
            check_text(task, &s);
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_text_and_another_seed_another() {
    for task in Task::ALL {
        let a = text(task, 1, Split::Train);
        assert_eq!(a.as_bytes(), text(task, 1, Split::Train).as_bytes(), "{task:?}");
        assert_ne!(a, text(task, 2, Split::Train), "{task:?}");
        assert_ne!(text(task, 1, Split::Val), text(task, 2, Split::Val), "{task:?}");
        // A prefix is exactly the start of the whole text.
        for n in [0, 1, 999, 20_000] {
            assert_eq!(generate(task, 1, Split::Train, n), a[..n], "{task:?} first {n}");
        }
        assert_eq!(generate(task, 1, Split::Val, usize::MAX), text(task, 1, Split::Val));
    }
    // The period string itself depends on the seed.
    assert_ne!(text(Task::Period, 1, Split::Train)[..50], text(Task::Period, 2, Split::Train)[..50]);
}

#[test]
fn validation_text_is_not_in_the_training_text() {
    for task in Task::ALL {
        let (train, val) = (text(task, 3, Split::Train), text(task, 3, Split::Val));
        assert_ne!(train[..VAL_CHARS], val[..VAL_CHARS], "{task:?}");
        if task == Task::Period {
            // The one string both texts repeat, from another phase: what is measured is whether
            // the model knows the cycle, so validation is (necessarily) a part of it.
            assert!(train.contains(&val[..VAL_CHARS - 50]));
        } else {
            assert!(!train.contains(&val), "{task:?}: the validation text occurs in the training text");
            // Not even its first 2,000 characters.
            assert!(!train.contains(&val[..2000]), "{task:?}");
        }
    }
}

#[test]
fn a_model_trains_on_a_task_and_validates_on_its_validation_text() {
    for task in Task::ALL {
        let mut t = Trainer::for_task(tiny(), task, 5).unwrap();
        let r = t.report.clone();
        assert_eq!(t.task, Some((task, 5)));
        assert_eq!(r.train_chars, text(task, 5, Split::Train).len(), "{task:?}");
        assert_eq!(r.val_chars, text(task, 5, Split::Val).len(), "{task:?}");
        assert_eq!((r.train_tokens, r.val_tokens), (r.train_chars, r.val_chars), "characters");
        assert_eq!(r.chars, r.train_chars + r.val_chars);
        assert_eq!((r.unknown_tokens, r.unknown_chars), (0, 0));
        for _ in 0..3 {
            assert!(t.step().unwrap().loss.is_finite());
        }
        let v = t.validate(Some(2000)).unwrap();
        assert!(v.loss.is_finite() && v.loss > 0.0, "{task:?}: validation loss {v:?}");
    }
}

/// The tasks' rules count characters: a word model of one is refused, naming the setting.
#[test]
fn a_task_trains_on_characters_only() {
    let words = Config { tokens: TokenKind::Words, ..tiny() };
    let Err(e) = Trainer::for_task(words, Task::Copy, 1) else { panic!("a word model of a task") };
    assert!(e.to_string().contains("tokens = words") && e.to_string().contains("per character"), "{e}");
    let word_model = Trainer::new(Config { tokens: TokenKind::Words, ..tiny() }, &"ab cd. ".repeat(100)).unwrap();
    let Err(e) = Trainer::from_file_for_task(&word_model.save_model().unwrap(), Task::Copy, 1) else {
        panic!("a word model loaded onto a task")
    };
    assert!(e.to_string().contains("per character"), "{e}");
}

#[test]
fn checkpoints_record_the_task_and_resume_exactly_on_it() {
    let mut straight = Trainer::for_task(tiny(), Task::Copy, 9).unwrap();
    for _ in 0..4 {
        straight.step().unwrap();
    }
    let bytes = straight.save_checkpoint().unwrap();
    assert_eq!(recorded_task(&bytes), Some((Task::Copy, 9)));
    assert_eq!(recorded_task(&straight.save_model().unwrap()), Some((Task::Copy, 9)));
    // Still a valid safetensors file, its data 8-byte aligned, the metadata intact.
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(header % 8, 0);
    safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().as_ref().unwrap();
    assert_eq!((meta["task"].as_str(), meta["task_seed"].as_str(), meta["kind"].as_str()), ("copy", "9", "checkpoint"));
    let expected: Vec<f32> = (0..5).map(|_| straight.step().unwrap().loss).collect();
    let mut resumed = Trainer::from_file_for_task(&bytes, Task::Copy, 9).unwrap();
    assert!(resumed.report.resumed);
    assert_eq!(resumed.task, Some((Task::Copy, 9)));
    let got: Vec<f32> = (0..5).map(|_| resumed.step().unwrap().loss).collect();
    assert_eq!(got, expected);
    // Another seed is other data: the weights load, the optimizer starts again.
    assert!(!Trainer::from_file_for_task(&bytes, Task::Copy, 10).unwrap().report.resumed);
    // A trainer on a plain corpus records nothing.
    let plain = Trainer::new(tiny(), &"abc, abd. ".repeat(50)).unwrap();
    assert_eq!(recorded_task(&plain.save_checkpoint().unwrap()), None);
}

#[test]
fn with_validation_takes_its_own_text_and_a_vocabulary_covering_both() {
    let train = "abab abba baab ".repeat(40);
    let val = "abc cab ".repeat(20);
    let mut t = Trainer::with_validation(Config { val_fraction: 0.0, ..tiny() }, &train, &val).unwrap();
    assert!(t.vocab.id_of("c").is_some(), "the vocabulary covers the validation text");
    assert_eq!((t.report.train_chars, t.report.val_chars), (train.len(), val.len()));
    assert_eq!(t.report.unknown_tokens, 0);
    assert!(t.validate(None).unwrap().loss.is_finite());
    assert_eq!(t.default_probe_text(7), "abc cab");
}

#[test]
fn a_corpus_holds_out_at_least_the_minimum_for_validation() {
    let ids = |n: usize| TokenIds { ids: (0..n as u32).collect(), unknown_at: Vec::new() };
    let sizes = |n: usize, f: f32| {
        let (t, v) = split(&ids(n), f);
        (t.len(), v.len())
    };
    // A fraction above the minimum is kept.
    assert_eq!(sizes(100_000, 0.1), (90_000, 10_000));
    // Below it, the minimum …
    assert_eq!(MIN_VAL_TOKENS, 2000);
    assert_eq!(sizes(10_000, 0.1), (8_000, 2_000));
    // … as long as training keeps half the text.
    assert_eq!(sizes(3_000, 0.1), (1_500, 1_500));
    assert_eq!(sizes(600, 0.05), (300, 300));
    // 0 holds out nothing; too little text to hold out two tokens holds out nothing.
    assert_eq!(sizes(10_000, 0.0), (10_000, 0));
    assert_eq!(sizes(3, 0.5), (3, 0));
    // The validation part is the end of the text, as before.
    let (t, v) = split(&ids(5000), 0.1);
    assert_eq!((t.ids[t.len() - 1], v.ids[0]), (2999, 3000));
    // The unknown tokens' lengths follow their tokens to either side.
    let marked = TokenIds { ids: vec![0; 5000], unknown_at: vec![(10, 3), (2999, 4), (3000, 5), (4999, 6)] };
    let (t, v) = split(&marked, 0.1);
    assert_eq!((t.unknown_at, v.unknown_at), (vec![(10, 3), (2999, 4)], vec![(0, 5), (1999, 6)]));
    // The trainer reports it.
    let text = "the quick brown fox. ".repeat(300);
    let t = Trainer::new(Config { val_fraction: 0.1, ..tiny() }, &text).unwrap();
    assert_eq!((t.report.train_chars, t.report.val_chars), (text.len() - 2000, 2000));
    // For words the minimum is 2,000 tokens, and the cut falls between two of them: 9 tokens a
    // sentence ("the", " ", "quick", " ", "brown", " ", "fox", ".", " "), so the last 2,000 are
    // ". " and 222 sentences.
    let text = "the quick brown fox. ".repeat(1000);
    let t = Trainer::new(Config { val_fraction: 0.1, tokens: TokenKind::Words, ..tiny() }, &text).unwrap();
    assert_eq!((t.report.train_tokens, t.report.val_tokens), (7000, 2000));
    assert_eq!((t.report.val_chars, t.report.train_chars), (2 + 222 * 21, text.len() - 2 - 222 * 21));
    assert_eq!(t.default_probe_text(4), ". the ", "the validation text as written, from its first token");
}

/// `rnn-playground task` prints the same text; `train --task` trains on it and resumes on it.
#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use super::*;
    use crate::common::cli::{fails, run};

    #[test]
    fn the_task_command_prints_the_engines_text() {
        let o = run(&["task", "brackets", "--seed", "4", "--split", "val"]);
        assert!(o.status.success());
        assert_eq!(o.stdout, text(Task::Brackets, 4, Split::Val).as_bytes());
        assert_eq!(run(&["task", "anbn"]).stdout, text(Task::Anbn, 1, Split::Train).as_bytes());
        assert!(fails(&["task", "dyck"]).contains("anbn, brackets, remember, period, copy, parity"));
    }

    #[test]
    fn train_takes_a_corpus_or_a_task_and_resumes_on_the_recorded_task() {
        assert!(fails(&["train"]).contains("CORPUS file or --task NAME"));
        assert!(fails(&["train", "corpus.txt", "--task", "anbn"]).contains("cannot be used with"));
        let dir = std::env::temp_dir().join(format!("rnn-playground-tasks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("m.safetensors");
        let ckpt = dir.join("m.ckpt.safetensors");
        let small = ["--hidden", "8", "--embed", "4", "--seq-len", "8", "--batch", "2", "--val-every", "0", "--quiet"];
        let train = |extra: &[&str]| {
            let mut args = vec!["train", "--out", out.to_str().unwrap()];
            args.extend_from_slice(&small);
            args.extend_from_slice(extra);
            let o = run(&args);
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            assert!(o.status.success(), "{args:?}: {err}");
            (serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(), err)
        };
        let (first, err) = train(&["--task", "parity", "--seed", "6", "--steps", "3"]);
        assert_eq!(first["steps"], 3);
        assert!(err.contains("task: parity, seed 6"), "{err}");
        let bytes = std::fs::read(&ckpt).unwrap();
        assert_eq!(recorded_task(&bytes), Some((Task::Parity, 6)));
        // Neither CORPUS nor --task: the checkpoint's task and seed, resumed exactly.
        let (again, err) = train(&["--resume", ckpt.to_str().unwrap(), "--steps", "2"]);
        assert_eq!(again["steps"], 5);
        assert!(err.contains("task: parity, seed 6") && !err.contains("other text"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
