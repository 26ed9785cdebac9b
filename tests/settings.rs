//! The settings table (src/settings.rs) and everything derived from it: `Config`'s defaults,
//! bounds, JSON and command-line parsing, `SampleSettings`, the schema the page reads, and (natively)
//! the command-line tool's flags.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use rnn_playground::config::{self, CellKind, ClipKind, Config, InitKind, OptimizerKind, TokenKind};
use rnn_playground::json::{self, F32};
use rnn_playground::sample::SampleOptions;
use rnn_playground::settings::{self, schema_json, Group, Kind, SampleSettings, Setting, Val, SETTINGS};
use rnn_playground::Error;

fn config_settings() -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(|s| s.group != Group::Sample)
}

/// `v` as a command-line argument.
fn arg(s: &Setting, v: Val) -> String {
    match v {
        Val::Text(t) => t.to_string(),
        v => s.display(v),
    }
}

/// A config whose chunk is small, so that any one setting can reach its bound.
fn small() -> Config {
    Config { seq_len: 1, batch: 1, hidden: 1, layers: 1, ..Config::default() }
}

/// Sets `s` to the command-line text `text` on a small struct of its group, and validates it.
fn set(s: &Setting, text: &str) -> Result<(), Error> {
    if s.group == Group::Sample {
        let mut t = SampleSettings::default();
        t.set_str(s.name, text)?;
        t.validate()
    } else {
        let mut c = small();
        c.set_str(s.name, text)?;
        c.validate()
    }
}

/// Sets `s` to `v` through the JSON config (sample settings have none: through the command line).
fn set_json(s: &Setting, v: &str) -> Result<(), Error> {
    if s.group == Group::Sample {
        return Ok(());
    }
    let mut members: Vec<String> = ["seq_len", "batch", "hidden", "layers"]
        .iter()
        .filter(|&&k| k != s.name)
        .map(|k| format!("\"{k}\":1"))
        .collect();
    members.push(format!("\"{}\":{v}", s.name));
    Config::from_json(&format!("{{{}}}", members.join(","))).map(|_| ())
}

fn assert_rejected(s: &Setting, text: &str) {
    match set(s, text) {
        Err(Error::Config(m)) => assert!(m.starts_with(&format!("{} ", s.name)), "{}: {text}: {m}", s.name),
        other => panic!("{} = {text} accepted: {other:?}", s.name),
    }
}

#[test]
fn the_table_is_well_formed() {
    let groups: Vec<Group> = SETTINGS.iter().map(|s| s.group).collect();
    let mut sorted = groups.clone();
    sorted.sort_by_key(|&g| g as usize);
    assert_eq!(groups, sorted, "settings are grouped model, train, sample");
    for (i, s) in SETTINGS.iter().enumerate() {
        assert!(SETTINGS[..i].iter().all(|t| t.name != s.name), "{} twice", s.name);
        assert!(s.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{}", s.name);
        assert!(!s.help.is_empty() && s.help.chars().count() <= 70 && !s.help.contains('\n'), "{}: {}", s.name, s.help);
        assert_eq!(settings::get(s.name), s);
        match s.kind {
            Kind::Choice { names, default } => assert!(default < names.len()),
            Kind::Int { min, max, default } => {
                assert!(min <= default && default <= max, "{}", s.name)
            }
            Kind::Real { min, max, min_open, default } => {
                assert!(
                    min < max && default <= max && if min_open { default > min } else { default >= min },
                    "{}",
                    s.name
                )
            }
            Kind::Text { max_len, default } => assert!(default.chars().count() <= max_len),
        }
    }
    let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "cell",
            "layers",
            "hidden",
            "embed",
            "init",
            "seed",
            "seq_len",
            "batch",
            "optimizer",
            "lr",
            "clip_mode",
            "clip",
            "lr_decay",
            "lr_decay_every",
            "momentum",
            "beta1",
            "beta2",
            "eps",
            "val_fraction",
            "tokens",
            "max_vocab",
            "workers",
            "temperature",
            "top_k",
            "top_p",
            "length",
            "prime"
        ]
    );
}

#[test]
fn every_default_parses_and_validates() {
    Config::default().validate().unwrap();
    SampleSettings::default().validate().unwrap();
    assert_eq!(Config::from_json("{}").unwrap(), Config::default());
    for s in SETTINGS {
        s.check(s.default()).unwrap();
        set(s, &arg(s, s.default())).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        let mut json = String::new();
        s.write_json(&mut json, s.default());
        set_json(s, &json).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    }
    // The defaults the engine uses are the table's.
    let d = SampleSettings::default();
    assert_eq!(SampleOptions::from(&d), SampleOptions::default());
    assert_eq!((d.temperature, d.top_k, d.top_p, d.length, d.prime.as_str()), (0.8, 0, 1.0, 300, ""));
    assert_eq!(config::MAX_HIDDEN, 4096);
    assert_eq!(config::MAX_BATCH, settings::int_max("batch") as usize);
    assert_eq!(config::MAX_VOCAB, 65536);
}

#[test]
fn the_default_config_json_is_the_table() {
    let text = Config::default().to_json();
    let json::Value::Object(members) = json::parse(&text).unwrap() else { panic!("{text}") };
    let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    let want: Vec<&str> = config_settings().map(|s| s.name).collect();
    assert_eq!(keys, want, "to_json has every config setting, in table order");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let obj = v.as_object().unwrap();
    for s in config_settings() {
        let got = &obj[s.name];
        match s.kind {
            Kind::Choice { names, default } => {
                assert_eq!(got.as_str(), Some(names[default]), "{}", s.name)
            }
            Kind::Int { default, .. } => assert_eq!(got.as_u64(), Some(default), "{}", s.name),
            Kind::Real { default, .. } => {
                assert_eq!(got.as_f64().map(|x| x as f32), Some(default), "{}", s.name)
            }
            Kind::Text { .. } => panic!("{} is text", s.name),
        }
    }
    let mut sample: serde_json::Value = serde_json::from_str(&SampleSettings::default().to_json()).unwrap();
    assert_eq!(sample["prime"].take(), "");
    assert_eq!(sample["length"], 300);
}

#[test]
fn each_bound_is_enforced() {
    for s in SETTINGS {
        let name = s.name;
        match s.kind {
            Kind::Choice { names, .. } => {
                for n in names {
                    set(s, n).unwrap();
                    set(s, &n.to_uppercase()).unwrap(); // the command line ignores case
                    set_json(s, &format!("\"{n}\"")).unwrap();
                }
                assert_rejected(s, "transformer");
                assert!(set_json(s, "\"transformer\"").is_err());
            }
            Kind::Int { min, max, .. } => {
                for ok in [min, max] {
                    set(s, &ok.to_string()).unwrap_or_else(|e| panic!("{name} = {ok}: {e}"));
                    set_json(s, &ok.to_string()).unwrap_or_else(|e| panic!("{name} = {ok}: {e}"));
                }
                let mut outside = vec!["-1".to_string(), "1.5".into(), "x".into(), "".into()];
                if min > 0 {
                    outside.push((min - 1).to_string());
                }
                outside.push((max as u128 + 1).to_string());
                for bad in &outside {
                    assert_rejected(s, bad);
                    let json = match bad.as_str() {
                        "" => "null",
                        "x" => "\"3\"",
                        b => b,
                    };
                    if s.group != Group::Sample {
                        match set_json(s, json) {
                            Err(Error::Config(m)) => {
                                assert!(m.starts_with(&format!("{name} ")), "{m}")
                            }
                            other => panic!("{name} = {json} accepted from JSON: {other:?}"),
                        }
                    }
                }
                if min > 0 {
                    let Err(e) = set(s, &(min - 1).to_string()) else { unreachable!() };
                    assert_eq!(e.to_string(), format!("config: {name} = {} is out of range [{min}, {max}]", min - 1));
                }
            }
            Kind::Real { min, max, min_open, .. } => {
                let lowest = if min_open { min.next_up() } else { min };
                for ok in [lowest, max] {
                    set(s, &F32(ok).to_string()).unwrap_or_else(|e| panic!("{name} = {ok}: {e}"));
                    set_json(s, &F32(ok).to_string()).unwrap_or_else(|e| panic!("{name} = {ok}: {e}"));
                }
                let below = if min_open { min } else { min.next_down() };
                for bad in [below, max.next_up(), f32::NAN, f32::INFINITY] {
                    assert_rejected(s, &F32(bad).to_string());
                }
                for bad in [below, max.next_up()] {
                    assert!(set_json(s, &F32(bad).to_string()).is_err() || s.group == Group::Sample, "{name} = {bad}");
                }
                assert_rejected(s, "x");
                let Err(e) = set(s, &F32(max.next_up()).to_string()) else { unreachable!() };
                let l = if min_open { '(' } else { '[' };
                assert_eq!(
                    e.to_string(),
                    format!(
                        "config: {name} = {} must be a finite number in {l}{}, {}]",
                        F32(max.next_up()),
                        F32(min),
                        F32(max)
                    )
                );
            }
            Kind::Text { max_len, .. } => {
                set(s, &"é".repeat(max_len)).unwrap();
                assert_rejected(s, &"é".repeat(max_len + 1));
            }
        }
    }
    // Messages the page parses: `config: <key> = `.
    let e = Config::from_json(r#"{"hidden": 0}"#).unwrap_err().to_string();
    assert_eq!(e, "config: hidden = 0 is out of range [1, 4096]");
    let e = Config { lr: 0.0, ..Config::default() }.validate().unwrap_err().to_string();
    assert_eq!(e, "config: lr = 0 must be a finite number in (0, 10]");
    let e = Config { seq_len: 4096, batch: 4096, ..Config::default() }.validate().unwrap_err().to_string();
    assert!(e.contains("too large"), "{e}");
    assert!(matches!(Config::default().set_str("colour", "1"), Err(Error::Config(m)) if m.contains("hidden")));
    assert!(Config::default().set_str("temperature", "1").is_err(), "sampling is not in Config");
    assert!(SampleSettings::default().set_str("hidden", "1").is_err());
}

#[test]
fn set_str_reaches_each_field() {
    let mut c = Config::default();
    for (k, v) in [
        ("cell", "GRU"),
        ("layers", "3"),
        ("hidden", "17"),
        ("embed", "9"),
        ("init", "orthogonal"),
        ("seed", "18446744073709551615"),
        ("seq_len", "5"),
        ("batch", "6"),
        ("optimizer", "rmsprop"),
        ("lr", "0.5"),
        ("clip_mode", "value"),
        ("clip", "2.5"),
        ("lr_decay", "0.25"),
        ("lr_decay_every", "77"),
        ("momentum", "0.125"),
        ("beta1", "0.375"),
        ("beta2", "0.625"),
        ("eps", "1e-6"),
        ("val_fraction", "0.3"),
        ("tokens", "Words"),
        ("max_vocab", "99"),
        ("workers", "3"),
    ] {
        c.set_str(k, v).unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    let want = Config {
        cell: CellKind::Gru,
        layers: 3,
        hidden: 17,
        embed: 9,
        init: InitKind::Orthogonal,
        seed: u64::MAX,
        seq_len: 5,
        batch: 6,
        optimizer: OptimizerKind::Rmsprop,
        lr: 0.5,
        clip_mode: ClipKind::Value,
        clip: 2.5,
        lr_decay: 0.25,
        lr_decay_every: 77,
        momentum: 0.125,
        beta1: 0.375,
        beta2: 0.625,
        eps: 1e-6,
        val_fraction: 0.3,
        tokens: TokenKind::Words,
        max_vocab: 99,
        workers: 3,
    };
    assert_eq!(c, want);
    assert_eq!(Config::from_json(&c.to_json()).unwrap(), c);
    let mut s = SampleSettings::default();
    for (k, v) in [("temperature", "0"), ("top_k", "5"), ("top_p", "0.5"), ("length", "7"), ("prime", "Hi \"you\"\n")] {
        s.set_str(k, v).unwrap();
    }
    assert_eq!(s, SampleSettings { temperature: 0.0, top_k: 5, top_p: 0.5, length: 7, prime: "Hi \"you\"\n".into() });
    let o = s.options(rnn_playground::model::Precision::F32);
    assert_eq!((o.temperature, o.top_k, o.top_p), (0.0, 5, 0.5));
}

#[test]
fn choice_lists_are_the_enums_names() {
    let choices = |name: &str| match settings::get(name).kind {
        Kind::Choice { names, .. } => names,
        _ => panic!("{name} is not a choice"),
    };
    assert_eq!(choices("cell"), ["rnn", "lstm", "gru"]);
    assert_eq!(choices("optimizer"), ["adam", "sgd", "adagrad", "rmsprop"]);
    assert_eq!(choices("clip_mode"), ["norm", "value", "none"]);
    assert_eq!(choices("init"), ["pytorch", "xavier", "orthogonal", "identity"]);
    assert_eq!(choices("cell"), CellKind::NAMES);
    assert_eq!(choices("optimizer"), OptimizerKind::NAMES);
    assert_eq!(choices("clip_mode"), ClipKind::NAMES);
    assert_eq!(choices("init"), InitKind::NAMES);
    assert_eq!(choices("tokens"), ["characters", "words"]);
    assert_eq!(choices("tokens"), TokenKind::NAMES);
    for (i, k) in CellKind::ALL.iter().enumerate() {
        assert_eq!((*k as usize, CellKind::from_name(k.name())), (i, Some(*k)));
    }
    for (i, k) in OptimizerKind::ALL.iter().enumerate() {
        assert_eq!((*k as usize, OptimizerKind::from_name(k.name())), (i, Some(*k)));
    }
    for (i, k) in ClipKind::ALL.iter().enumerate() {
        assert_eq!((*k as usize, ClipKind::from_name(k.name())), (i, Some(*k)));
    }
    for (i, k) in InitKind::ALL.iter().enumerate() {
        assert_eq!((*k as usize, InitKind::from_name(k.name())), (i, Some(*k)));
    }
    assert_eq!(CellKind::parse("LSTM").unwrap(), CellKind::Lstm);
    assert!(CellKind::parse("transformer").is_err());
}

#[test]
fn the_schema_has_every_setting() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).expect("the schema is JSON");
    let list = schema["settings"].as_array().unwrap();
    assert_eq!(schema.as_object().unwrap().len(), 2);
    assert_eq!(schema["tasks"], serde_json::json!(rnn_playground::tasks::Task::NAMES));
    assert_eq!(list.len(), SETTINGS.len());
    for (v, s) in list.iter().zip(SETTINGS) {
        let o = v.as_object().unwrap();
        assert_eq!(o["name"], s.name);
        assert_eq!(o["group"], s.group.name());
        assert_eq!(o["kind"], s.kind.name());
        assert_eq!(o["help"], s.help);
        // `live` appears, as true, exactly for the settings that may change during a run.
        assert_eq!(o.get("live"), if s.live { Some(&serde_json::Value::Bool(true)) } else { None }, "{}", s.name);
        let mut keys: Vec<&str> = o.keys().map(String::as_str).filter(|k| *k != "live").collect();
        keys.sort();
        match s.kind {
            Kind::Choice { names, default } => {
                assert_eq!(o["default"], names[default]);
                assert_eq!(o["choices"], serde_json::json!(names));
                assert_eq!(keys, ["choices", "default", "group", "help", "kind", "name"]);
            }
            Kind::Int { min, max, default } => {
                assert_eq!(
                    (o["default"].as_u64(), o["min"].as_u64(), o["max"].as_u64()),
                    (Some(default), Some(min), Some(max))
                );
                assert_eq!(keys, ["default", "group", "help", "kind", "max", "min", "name"]);
            }
            Kind::Real { min, max, min_open, default } => {
                let f = |k: &str| o[k].as_f64().map(|x| x as f32);
                assert_eq!((f("default"), f("min"), f("max")), (Some(default), Some(min), Some(max)), "{}", s.name);
                if min_open {
                    assert_eq!(o["min_open"], true);
                    assert_eq!(keys, ["default", "group", "help", "kind", "max", "min", "min_open", "name"]);
                } else {
                    assert_eq!(keys, ["default", "group", "help", "kind", "max", "min", "name"]);
                }
            }
            Kind::Text { max_len, default } => {
                assert_eq!((o["default"].as_str(), o["max_len"].as_u64()), (Some(default), Some(max_len as u64)));
                assert_eq!(keys, ["default", "group", "help", "kind", "max_len", "name"]);
            }
        }
    }
    // Reals are the shortest f32 text; the documented shapes, verbatim.
    let text = schema_json();
    let lr = settings::get("lr").help;
    assert!(text.contains(&format!(
        r#"{{"name":"lr","group":"train","kind":"real","default":0.002,"min":0,"max":10,"min_open":true,"help":"{lr}","live":true}}"#
    )));
    assert!(
        text.contains(r#""name":"eps","group":"train","kind":"real","default":1e-8,"min":0,"max":1,"min_open":true,"#)
    );
    assert!(text.contains(r#"{"name":"hidden","group":"model","kind":"int","default":128,"min":1,"max":4096,"help":"#));
    assert!(text.contains(
        r#"{"name":"cell","group":"model","kind":"choice","default":"lstm","choices":["rnn","lstm","gru"],"help":"#
    ));
    assert!(text.contains(r#"{"name":"prime","group":"sample","kind":"text","default":"","max_len":1000,"help":"#));
    assert!(text.starts_with(r#"{"settings":[{"name":"cell""#) && text.contains(r#""}],"tasks":["anbn","#));
}

/// The command-line tool's flags come from the table; bad input is one line and exit code 2.
#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use super::*;
    use crate::common::cli::{fails, run};

    fn help(cmd: &str) -> String {
        let o = run(&[cmd, "--help"]);
        assert!(o.status.success(), "{cmd} --help");
        String::from_utf8(o.stdout).unwrap()
    }

    fn lists(help: &str, s: &Setting) {
        let flag = format!("--{}", s.flag());
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{flag} ")))
            .unwrap_or_else(|| panic!("{flag} missing from\n{help}"));
        let start: String = s.help.chars().take(20).collect();
        assert!(line.contains(&start), "{flag}: {line}");
        if let Kind::Choice { names, .. } = s.kind {
            let text = help.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&format!("[possible values: {}]", names.join(", "))), "{flag}");
        }
    }

    #[test]
    fn each_commands_help_lists_the_tables_flags() {
        for cmd in ["train", "bench"] {
            let h = help(cmd);
            for s in config_settings() {
                lists(&h, s);
            }
            assert!(h.contains("--config <FILE.json>"));
            let text = h.split_whitespace().collect::<Vec<_>>().join(" ");
            for d in ["[default: 64]", "[default: 0.002]", "[default: 1e-8]", "[default: lstm]"] {
                assert!(text.contains(d), "{d}: {h}");
            }
        }
        let train = help("train");
        lists(&train, settings::get("temperature"));
        for flag in [
            "--steps",
            "--out",
            "--resume",
            "--val-every",
            "--val-tokens",
            "--sample-every",
            "--sample-length",
            "--quiet",
        ] {
            assert!(train.contains(flag), "{flag}");
        }
        let sample = help("sample");
        for s in settings::in_group(Group::Sample) {
            lists(&sample, s);
        }
        lists(&sample, settings::get("seed"));
        assert!(sample.contains("--model") && sample.contains("--precision") && sample.contains("--vocab"));
        assert!(!sample.contains("--hidden"), "sampling has no model settings");
        let eval = help("eval");
        assert!(["--model", "--text", "--vocab", "--grads", "--precision"].iter().all(|f| eval.contains(f)));
        assert!(help("info").contains("--model"));
        assert!(help("bench").contains("--corpus") && help("bench").contains("--seconds"));
        let top = run(&["--help"]);
        let top = String::from_utf8(top.stdout).unwrap();
        assert!(["train", "sample", "eval", "info", "bench", "--help"].iter().all(|c| top.contains(c)), "{top}");
    }

    #[test]
    fn bad_flags_are_one_line_errors() {
        let e = fails(&["train", "corpus.txt", "--hiden", "10"]);
        assert!(e.contains("'--hiden'") && e.contains("'--hidden'"), "{e}");
        let e = fails(&["bench"]);
        assert!(e.contains("--corpus"), "{e}");
        let e = fails(&["train", "corpus.txt", "extra"]);
        assert!(e.contains("'extra'"), "{e}");
        let e = fails(&["train", "corpus.txt", "--cell", "lstn"]);
        assert!(e.contains("rnn, lstm, gru") && e.contains("'lstm'"), "{e}");
        assert!(fails(&["frobnicate"]).contains("frobnicate"));
        let e = fails(&["sample", "--model", "m.safetensors", "--temperature", "11"]);
        assert_eq!(e, "error: config: temperature = 11 must be a finite number in [0, 10]\n");
        let e = fails(&["sample", "--model", "m.safetensors", "--seed", "-1"]);
        assert!(e.contains("seed must be a non-negative integer"), "{e}");
    }

    #[test]
    fn out_of_range_settings_fail_before_training() {
        let dir = std::env::temp_dir().join(format!("rnn-playground-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let corpus = dir.join("corpus.txt");
        std::fs::write(&corpus, "hello world, a small corpus. ".repeat(100)).unwrap();
        let out = dir.join("model.safetensors");
        let (corpus, out_s) = (corpus.to_str().unwrap(), out.to_str().unwrap());
        let e = fails(&["train", corpus, "--hidden", "0", "--out", out_s]);
        assert_eq!(e, "error: config: hidden = 0 is out of range [1, 4096]\n");
        assert_eq!(fails(&["train", corpus, "--lr", "abc"]), "error: config: lr must be a number, not \"abc\"\n");
        let e = fails(&["bench", "--corpus", corpus, "--seq-len", "4096", "--batch", "4096"]);
        assert!(e.contains("too large"), "{e}");
        assert!(!out.exists(), "nothing trained, nothing saved");
        // Flags override --config; the file's own errors name it.
        let config = dir.join("config.json");
        std::fs::write(&config, r#"{"hidden": 0}"#).unwrap();
        let e = fails(&["train", corpus, "--config", config.to_str().unwrap()]);
        assert!(e.contains("config.json: config: hidden = 0 is out of range"), "{e}");
        std::fs::write(&config, r#"{"hidden": 8, "cell": "gru"}"#).unwrap();
        let o = run(&[
            "train",
            corpus,
            "--config",
            config.to_str().unwrap(),
            "--cell",
            "RNN",
            "--steps",
            "2",
            "--seq-len",
            "8",
            "--batch",
            "2",
            "--quiet",
            "--out",
            out_s,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let info = run(&["info", "--model", out_s]);
        let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        assert_eq!((v["cell"].as_str(), v["hidden"].as_u64()), (Some("rnn"), Some(8)));
        assert_eq!(v["config"]["seq_len"], 8);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
