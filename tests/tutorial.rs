//! The tutorial's experiments, natively: every `<rnn-playground>` of tutorial.html, configured by
//! its attributes as the page's worker configures it, trains for its `steps` (10,000), is judged
//! by the monitor at a validation check every 200 steps, and must meet the claims the prose makes
//! (tests/tutorial-claims.json, which `node e2e/tutorial-long.mjs` checks in Chromium and Firefox
//! too) and never be called memorising. The English text comes from the page's own module
//! (`node`, as the page generates it). Native only: ~20 million characters per experiment.
#![cfg(not(target_arch = "wasm32"))]

use rnn_playground::config::Config;
use rnn_playground::sample::SampleOptions;
use rnn_playground::settings::{self, Group};
use rnn_playground::tasks::Task;
use rnn_playground::Trainer;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Steps between validation checks (the page checks every ~3 s: every 100 to 1,000 steps).
const CHECK_EVERY: u64 = 200;
/// Validation tokens per check, as the worker's VAL_TOKENS.
const VAL_TOKENS: usize = 20_000;

/// The attributes of every `<rnn-playground>` element of `html`, in order.
fn elements(html: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(at) = rest.find("<rnn-playground ") {
        let tag = &rest[at + "<rnn-playground ".len()..];
        let end = tag.find('>').expect("a closed tag");
        let mut attrs = BTreeMap::new();
        let mut body = &tag[..end];
        while let Some(eq) = body.find("=\"") {
            let name = body[..eq].trim().rsplit(char::is_whitespace).next().unwrap_or("").to_string();
            let value_end = body[eq + 2..].find('"').expect("a closed value");
            attrs.insert(name, body[eq + 2..eq + 2 + value_end].to_string());
            body = &body[eq + 2 + value_end + 1..];
        }
        out.push(attrs);
        rest = &tag[end..];
    }
    out
}

/// The English preset, exactly as the page makes it (www/corpora/english.js).
fn english() -> String {
    let out = Command::new("node")
        .current_dir(ROOT)
        .args([
            "--input-type=module",
            "-e",
            "import { englishText } from './www/corpora/english.js'; process.stdout.write(englishText());",
        ])
        .output()
        .expect("node (Node.js 20 or later, as the README says) makes the English preset");
    assert!(out.status.success(), "node: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// What one experiment did, in the terms of the claims.
#[derive(Debug, Default)]
struct Record {
    checks: Vec<(u64, f32, f32)>, // (step, validation loss, smoothed training loss)
    memorising: Vec<String>,
    plateau_at: Option<u64>,
    diverged: Option<(u64, f32)>, // (step, the loss that fired the rule)
    samples: Vec<String>,         // the generated text of the last samples (without their primes)
    sigma_max: f32,               // the largest σ_max of W_hh's gate blocks at the end
    flow_30: f32,                 // ‖∂ℓ_T/∂h_{T−30}‖ / ‖∂ℓ_T/∂h_T‖ on the probe text at the end
}

/// Trains the experiment of `attrs` as the page's worker does and records it.
fn run(attrs: &BTreeMap<String, String>, english: &str) -> Record {
    let mut config = Config::default();
    for (name, value) in attrs {
        let name = if name == "hidden-size" { "hidden" } else { name.as_str() };
        let engine = settings::SETTINGS.iter().any(|s| s.name == name && s.group != Group::Sample);
        if engine {
            config.set_str(name, value).unwrap_or_else(|e| panic!("{name}=\"{value}\": {e}"));
        }
    }
    let steps: u64 = attrs.get("steps").map_or(10_000, |s| s.parse().unwrap());
    let mut t = match attrs.get("preset").map(String::as_str) {
        Some("english") | None => Trainer::new(config.clone(), english).unwrap(),
        Some(task) => Trainer::for_task(config.clone(), Task::parse(task).unwrap(), config.seed).unwrap(),
    };
    let mut r = Record::default();
    while t.optimizer.step < steps {
        let s = match t.step() {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        if let Some(d) = s.diverged {
            r.diverged = Some((d.step, d.loss));
            break;
        }
        if s.step % CHECK_EVERY == 0 {
            let (loss, check) = t.check_validation(Some(VAL_TOKENS), || false);
            r.checks.push((s.step, loss.unwrap().loss, s.smooth));
            r.memorising.extend(check.memorising.map(|m| format!("step {}: {m}", s.step)));
            if check.plateau.is_some() {
                r.plateau_at.get_or_insert(s.step);
            }
        }
    }
    // Ten samples as the page makes them: primed with validation text, 300 characters at 0.8.
    let opts = SampleOptions { temperature: 0.8, ..SampleOptions::default() };
    for k in 1..=10u64 {
        let seed = config.seed * 1_000_003 + k;
        let prime = t.sample_prime(seed);
        r.samples.push(t.sample(&prime, 300, &opts, seed, false).unwrap().text);
    }
    r.sigma_max = t.sigma_max().iter().flatten().fold(0.0, |m, &v| m.max(v));
    let probe: String = t.default_probe_text(240).chars().take(128).collect();
    let flow = t.grad_flow(&probe).unwrap();
    let (n, last) = (flow.steps, &flow.layers[flow.layers.len() - 1]);
    r.flow_30 = last[(n - 1) * n + n - 31] / last[(n - 1) * n + n - 1];
    r
}

/// The fraction of complete generated lines `x.....x` (remember) that close with their first letter.
fn closing_letters(samples: &[String]) -> (f32, usize) {
    // Primes end at a line end, so every line but the last (cut) is whole.
    let lines: Vec<&[u8]> = samples
        .iter()
        .flat_map(|s| {
            let mut l: Vec<&str> = s.split('\n').collect();
            l.pop();
            l
        })
        .map(str::as_bytes)
        .filter(|l| l.len() >= 12 && l[1..l.len() - 1].iter().all(|&c| c == b'.'))
        .filter(|l| l[0].is_ascii_lowercase() && l[l.len() - 1].is_ascii_lowercase())
        .collect();
    let right = lines.iter().filter(|l| l[0] == l[l.len() - 1]).count();
    (right as f32 / lines.len().max(1) as f32, lines.len())
}

/// The fraction of generated words (letters only, first and last dropped: cut) found in `text`.
fn known_words(samples: &[String], text: &str) -> f32 {
    let words = |s: &str| s.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>();
    let known: std::collections::HashSet<String> = words(text).into_iter().collect();
    let mut all = vec![];
    for s in samples {
        let w = words(s);
        all.extend(w.iter().skip(1).take(w.len().saturating_sub(2)).cloned());
    }
    all.iter().filter(|w| known.contains(*w)).count() as f32 / all.len().max(1) as f32
}

/// The value of `metric` for `r` (the names of tests/tutorial-claims.json).
fn metric(r: &Record, metric: &str, english: &str) -> Option<f64> {
    let (name, arg) = metric.split_once(':').map_or((metric, 0), |(a, b)| (a, b.parse::<u64>().unwrap()));
    let vals = |f: &dyn Fn(u64) -> bool| r.checks.iter().filter(|c| f(c.0)).map(|c| c.1 as f64).collect::<Vec<_>>();
    let min = |v: Vec<f64>| v.into_iter().reduce(f64::min);
    let max = |v: Vec<f64>| v.into_iter().reduce(f64::max);
    match name {
        "val_final" => r.checks.last().map(|c| c.1 as f64),
        "val_best" => min(vals(&|_| true)),
        "val_best_by" => min(vals(&|s| s <= arg)),
        "val_max_after" => max(vals(&|s| s > arg)),
        "train_min_after" => r.checks.iter().filter(|c| c.0 > arg).map(|c| c.2 as f64).reduce(f64::min),
        "plateau_at" => r.plateau_at.map(|s| s as f64),
        "diverged_at" => r.diverged.map(|d| d.0 as f64),
        "diverged_loss" => r.diverged.map(|d| d.1 as f64),
        "closing_letters" => Some(closing_letters(&r.samples).0 as f64),
        "known_words" => Some(known_words(&r.samples, english) as f64),
        "sigma_max" => Some(r.sigma_max as f64),
        "flow_30" => Some(r.flow_30 as f64),
        _ => panic!("unknown metric {metric}"),
    }
}

/// Runs the experiments of tutorial.html whose labels start with one of `labels` and checks
/// every claim about them.
fn experiments(labels: &[&str]) {
    let html = std::fs::read_to_string(Path::new(ROOT).join("tutorial.html")).unwrap();
    let claims: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join("tests/tutorial-claims.json")).unwrap()).unwrap();
    let english = english();
    let chosen: Vec<_> = elements(&html).into_iter().filter(|a| labels.iter().any(|l| a["label"].starts_with(l))).collect();
    assert_eq!(chosen.len(), labels.len(), "the experiments {labels:?} in tutorial.html");
    let mut failures = vec![];
    for attrs in &chosen {
        let label = &attrs["label"];
        let r = run(attrs, &english);
        let list = claims["experiments"][label.as_str()]["claims"].as_array().unwrap_or_else(|| panic!("no claims for “{label}”"));
        let last = r.checks.last().copied();
        eprintln!("{label}: final check {last:?}, plateau at {:?}, diverged {:?}", r.plateau_at, r.diverged);
        for c in list {
            let name = c["metric"].as_str().unwrap();
            let v = metric(&r, name, &english);
            eprintln!("  {name} = {v:?} ({})", c["says"].as_str().unwrap_or(""));
            let ok = v.is_some_and(|v| c["min"].as_f64().is_none_or(|m| v >= m) && c["max"].as_f64().is_none_or(|m| v <= m));
            if !ok {
                failures.push(format!("{label}: {name} = {v:?}, claimed {c}"));
            }
        }
        if let Some(s) = r.samples.first() {
            eprintln!("  sample: {:?}", s.chars().take(120).collect::<String>());
        }
        if !r.memorising.is_empty() {
            failures.push(format!("{label}: called memorising: {:?}", r.memorising));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// One test per experiment, so that two cores share them evenly.

#[test]
fn one_character_at_a_time() {
    experiments(&["An LSTM learning English"]);
}

#[test]
fn a_tanh_rnn_stalls_on_the_memory_task() {
    experiments(&["First: a tanh RNN on"]);
}

#[test]
fn an_lstm_learns_the_memory_task() {
    experiments(&["Second: an LSTM on"]);
}

#[test]
fn without_clipping_a_high_learning_rate_diverges() {
    experiments(&["First: a tanh RNN at learning rate"]);
}

#[test]
fn with_clipping_the_same_learning_rate_trains() {
    experiments(&["Second: the same RNN"]);
}

#[test]
fn truncation_at_four_cannot_teach_the_memory_task() {
    experiments(&["First: a GRU"]);
}

#[test]
fn truncation_at_sixty_four_can() {
    experiments(&["Second: a GRU"]);
}

#[test]
fn every_experiment_of_the_tutorial_has_claims_and_trains_ten_thousand_steps_or_diverges() {
    let html = std::fs::read_to_string(Path::new(ROOT).join("tutorial.html")).unwrap();
    let claims: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join("tests/tutorial-claims.json")).unwrap()).unwrap();
    let all = elements(&html);
    let labels: Vec<&str> = all.iter().map(|a| a["label"].as_str()).collect();
    assert_eq!(labels.len(), 7, "{labels:?}");
    for a in &all {
        let list = claims["experiments"][a["label"].as_str()]["claims"].as_array();
        let list = list.unwrap_or_else(|| panic!("claims for {:?}", a["label"]));
        // 10,000 steps, or a run that the claims say diverges (and so stops by itself).
        let diverges = list.iter().any(|c| c["metric"] == "diverged_at");
        assert!(a.get("steps").map(String::as_str) == Some("10000") || diverges && !a.contains_key("steps"), "{a:?}");
    }
    assert_eq!(claims["experiments"].as_object().unwrap().len(), 7, "no claims about experiments that are gone");
}
