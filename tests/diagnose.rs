//! The diagnostics (`rnn_playground::diagnose`) against independent references: PyTorch's autograd,
//! `torch.linalg.matrix_norm` and numpy in `tests/fixtures/diag_*` (written by
//! `tools/gen_fixtures.py`) for the gradient flow, σ_max, the loss, the entropies and the trace of
//! a two-layer rnn, lstm and gru; closed forms and direct counting for σ_max and the entropies; the
//! gradient check on a healthy model and on a wrong gradient; and `rnn-playground diagnose`
//! (natively) against the same references.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::{assert_close, tensor_f64, SMALL_TEXT};
use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, Config, TokenKind};
use rnn_playground::diagnose::{self, entropy, spectral_norm, text_entropy};
use rnn_playground::model::{Model, Params, Precision, Workspace};
use rnn_playground::trainer::sequence_loss_at;
use rnn_playground::vocab::Vocab;
use rnn_playground::{Error, Trainer};
use safetensors::SafeTensors;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Case {
    cell: String,
    layers: usize,
    hidden: usize,
    text: String,
    vocab: Vec<char>,
    ids: Vec<u32>,
}

macro_rules! case_files {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".json")),
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".weights.safetensors"))
                as &[u8],
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".ref.safetensors"))
                as &[u8],
        )
    };
}

const CASES: [(&str, &str, &[u8], &[u8]); 3] =
    [case_files!("diag_rnn_l2"), case_files!("diag_lstm_l2"), case_files!("diag_gru_l2")];

/// Gradient flow and trace: the engine's f32 against PyTorch's f64.
const RTOL: f64 = 1e-4;
const ATOL: f64 = 1e-6;

fn load(json: &str, weights: &[u8]) -> (Case, Model) {
    let case: Case = serde_json::from_str(json).unwrap();
    let model = Model::new(checkpoint::load(weights).unwrap().params);
    let d = model.dims();
    assert_eq!((d.cell.name(), d.layers, d.hidden), (case.cell.as_str(), case.layers, case.hidden));
    (case, model)
}

fn check_case(name: &str, json: &str, weights: &[u8], reference: &[u8]) {
    let (case, model) = load(json, weights);
    let r = SafeTensors::deserialize(reference).unwrap();
    let d = model.dims();
    let steps = case.ids.len() - 1;
    assert_eq!(Vocab::from_chars(case.vocab.clone()).unwrap().encode(&case.text).unwrap().ids, case.ids, "{name}: ids");

    let flow = diagnose::grad_flow(&model, &case.ids).unwrap();
    assert_eq!((flow.steps, flow.layers.len()), (steps, d.layers));
    assert_close(&format!("{name} grad_flow"), &flow.layers.concat(), &tensor_f64(&r, "f64.grad_flow"), RTOL, ATOL);

    let sigma = diagnose::sigma_max(&model);
    assert_eq!(sigma.len(), d.layers);
    assert!(sigma.iter().all(|g| g.len() == d.cell.gates()), "{name}: one σ_max per gate block");
    assert_close(&format!("{name} sigma_max"), &sigma.concat(), &tensor_f64(&r, "f64.sigma_max"), RTOL, 0.0);

    let loss = sequence_loss_at(&model, &case.ids, Precision::F32).unwrap();
    assert_close(&format!("{name} loss_per_char"), &[loss], &tensor_f64(&r, "f64.loss_per_char"), RTOL, 0.0);

    for h in [entropy(&case.ids), text_entropy(TokenKind::Characters, &case.text)] {
        let (uni, bi) = (tensor_f64(&r, "f64.unigram_bits")[0], tensor_f64(&r, "f64.bigram_bits")[0]);
        assert!((h.unigram_bits - uni).abs() < 1e-9, "{name}: unigram {} vs {uni}", h.unigram_bits);
        assert!((h.bigram_bits - bi).abs() < 1e-9, "{name}: bigram {} vs {bi}", h.bigram_bits);
    }

    let tr = diagnose::trace(&model, &case.ids).unwrap();
    assert_eq!(tr.targets, case.ids[1..]);
    assert_close(&format!("{name} trace probs"), &tr.probs, &tensor_f64(&r, "f64.trace.probs"), RTOL, ATOL);
    assert_close(&format!("{name} trace loss"), &tr.loss, &tensor_f64(&r, "f64.trace.loss"), RTOL, ATOL);
    for (k, l) in tr.layers.iter().enumerate() {
        for (field, got) in l.fields() {
            if field == "c" && d.cell != CellKind::Lstm {
                assert!(got.is_empty(), "{name}: c only for the LSTM");
                continue;
            }
            let want = tensor_f64(&r, &format!("f64.trace.l{k}.{field}"));
            assert_close(&format!("{name} trace l{k} {field}"), got, &want, RTOL, ATOL);
        }
    }
}

#[test]
fn rnn_grad_flow_sigma_max_loss_entropies_and_trace_match_pytorch() {
    let (n, j, w, r) = CASES[0];
    check_case(n, j, w, r);
}

#[test]
fn lstm_grad_flow_sigma_max_loss_entropies_and_trace_match_pytorch() {
    let (n, j, w, r) = CASES[1];
    check_case(n, j, w, r);
}

#[test]
fn gru_grad_flow_sigma_max_loss_entropies_and_trace_match_pytorch() {
    let (n, j, w, r) = CASES[2];
    check_case(n, j, w, r);
}

#[test]
fn grad_flow_is_lower_triangular_and_its_diagonal_is_the_output_gradient_of_the_top_layer() {
    let (_, json, weights, _) = CASES[1];
    let (case, model) = load(json, weights);
    let flow = diagnose::grad_flow(&model, &case.ids).unwrap();
    let t_max = flow.steps;
    let top = flow.layers.last().unwrap();
    let tr = diagnose::trace(&model, &case.ids).unwrap();
    let (v, hs) = (model.dims().vocab, model.dims().hidden);
    for t in 0..t_max {
        for g in &flow.layers {
            assert!(
                g[t * t_max + t + 1..(t + 1) * t_max].iter().all(|&x| x == 0.0),
                "row {t}: zero right of the diagonal"
            );
        }
        // ∂ℓ_t/∂h_t of the top layer is fc_wᵀ (p_t − onehot): nothing else reaches it.
        let dlogits: Vec<f64> =
            (0..v).map(|j| tr.probs[t * v + j] as f64 - (j == tr.targets[t] as usize) as u8 as f64).collect();
        let norm = (0..hs)
            .map(|i| (0..v).map(|j| dlogits[j] * model.params.fc_w[j * hs + i] as f64).sum::<f64>().powi(2))
            .sum::<f64>()
            .sqrt();
        assert_close(&format!("diagonal {t}"), &[top[t * t_max + t]], &[norm], 1e-5, 1e-7);
    }
}

/// The diagnostics read the first 128 tokens of their text: a longer text is cut (the same
/// numbers as its first 128), a text of fewer than two tokens is refused.
#[test]
fn the_probe_is_the_first_two_to_128_tokens() {
    let mut t =
        Trainer::new(Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, ..Config::default() }, SMALL_TEXT).unwrap();
    for text in ["", "T"] {
        assert!(matches!(t.grad_flow(text), Err(Error::Text(_))), "grad_flow({text:?})");
        assert!(matches!(t.trace(text), Err(Error::Text(_))), "trace({text:?})");
    }
    let ok: String = SMALL_TEXT.chars().take(128).collect();
    assert_eq!(t.grad_flow(&ok).unwrap().steps, 127);
    assert_eq!(t.trace(&ok).unwrap().loss.len(), 127);
    assert_eq!(t.grad_flow(SMALL_TEXT).unwrap(), t.grad_flow(&ok).unwrap(), "the first 128 of a longer text");
    assert_eq!(t.trace(SMALL_TEXT).unwrap(), t.trace(&ok).unwrap());
    assert_eq!(t.diagnose_tokens(SMALL_TEXT).unwrap().concat(), ok);
    assert_eq!(t.grad_flow("Th").unwrap().layers[0].len(), 1);
    // A word model counts words: 128 of them reach far further into the text.
    let words = Config { tokens: TokenKind::Words, ..t.config.clone() };
    let w = Trainer::new(words, SMALL_TEXT).unwrap();
    let twice = SMALL_TEXT.repeat(2); // 104 tokens each
    let tokens = w.diagnose_tokens(&twice).unwrap();
    assert_eq!((tokens.len(), tokens[..4].to_vec()), (128, vec!["The", " ", "quick", " "]));
    assert_eq!(w.grad_flow(&twice).unwrap().steps, 127);
    assert_eq!(w.grad_flow(SMALL_TEXT).unwrap().steps, 103);
    assert!(matches!(w.grad_flow("The"), Err(Error::Text(_))), "one word: nothing to predict");
    for n in [0, 1001] {
        assert!(matches!(t.grad_check(n, 1, None), Err(Error::Config(_))), "grad_check({n})");
    }
}

#[test]
fn the_trace_loss_is_the_evaluated_loss_and_its_probabilities_sum_to_one() {
    for (_, json, weights, _) in CASES {
        let (case, model) = load(json, weights);
        let tr = diagnose::trace(&model, &case.ids).unwrap();
        let v = model.dims().vocab;
        for (t, row) in tr.probs.chunks_exact(v).enumerate() {
            assert!((row.iter().map(|&p| p as f64).sum::<f64>() - 1.0).abs() < 1e-6, "row {t} sums to 1");
            let p = row[tr.targets[t] as usize] as f64;
            assert!((-p.ln() - tr.loss[t] as f64).abs() < 1e-5, "ℓ_{t} = −ln p");
        }
        let mean = tr.loss.iter().map(|&l| l as f64).sum::<f64>() / tr.loss.len() as f64;
        let eval = sequence_loss_at(&model, &case.ids, Precision::F32).unwrap() as f64;
        assert!((mean - eval).abs() < 1e-6, "{} mean {mean} vs eval {eval}", case.cell);
    }
}

/// σ_max of a 2×2 matrix [[a, b], [c, d]] in closed form.
fn sigma_2x2(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let s = a * a + b * b + c * c + d * d;
    let det = a * d - b * c;
    ((s + (s * s - 4.0 * det * det).max(0.0).sqrt()) / 2.0).sqrt()
}

#[test]
fn spectral_norm_matches_closed_forms() {
    // Diagonal: the largest |entry|.
    assert!((spectral_norm(&[3.0, 0.0, 0.0, 0.0, -5.0, 0.0, 0.0, 0.0, 1.0], 3) - 5.0).abs() < 1e-6);
    // A rotation: 1.
    let (c, s) = (0.6f32, 0.8f32);
    assert!((spectral_norm(&[c, -s, s, c], 2) - 1.0).abs() < 1e-6);
    // Rank one u vᵀ: |u| |v|.
    let (u, v) = ([1.0f32, 2.0, -2.0], [0.5f32, -1.0, 0.25]);
    let w: Vec<f32> = u.iter().flat_map(|&a| v.iter().map(move |&b| a * b)).collect();
    let want = 3.0 * (0.25f64 + 1.0 + 0.0625).sqrt();
    assert!((spectral_norm(&w, 3) - want).abs() < 1e-5 * want);
    // General 2×2, including nearly equal singular values (slow convergence).
    for m in [[1.0f32, 2.0, 3.0, 4.0], [0.3, -0.7, 0.2, 0.9], [1.0, 0.001, 0.0, 0.999], [0.0, 0.0, 0.0, 0.0]] {
        let want = sigma_2x2(m[0] as f64, m[1] as f64, m[2] as f64, m[3] as f64);
        let got = spectral_norm(&m, 2);
        assert!((got - want).abs() <= 1e-6 * want.max(1e-30), "{m:?}: {got} vs {want}");
    }
}

/// Unigram and bigram entropies by counting into ordered maps: the reference.
fn entropies_by_maps(s: &[u32]) -> (f64, f64) {
    let h = |counts: BTreeMap<Vec<u32>, usize>| {
        let n: usize = counts.values().sum();
        -counts.values().map(|&c| c as f64 / n as f64).map(|p| p * p.log2()).sum::<f64>()
    };
    let count = |w: usize, of: &[u32]| {
        let mut m = BTreeMap::new();
        for g in of.windows(w) {
            *m.entry(g.to_vec()).or_insert(0) += 1;
        }
        m
    };
    (h(count(1, s)), h(count(2, s)) - h(count(1, &s[..s.len() - 1])))
}

#[test]
fn entropies_match_direct_counting_and_closed_forms() {
    let ids = Vocab::build(TokenKind::Characters, SMALL_TEXT, 100).unwrap().0.encode(SMALL_TEXT).unwrap().ids;
    let many: Vec<u32> = (0..50_000u32).map(|i| (i * 7919 + i / 13) % 300).collect(); // grows the table
    for s in [&ids[..], &many[..], &[5, 5][..], &[1, 2, 1, 2, 3][..]] {
        let (uni, bi) = entropies_by_maps(s);
        let h = entropy(s);
        assert!((h.unigram_bits - uni).abs() < 1e-9 && (h.bigram_bits - bi).abs() < 1e-9, "{h:?} vs {uni}, {bi}");
    }
    // k equally frequent symbols: log₂ k; a fixed cycle: nothing left to guess given the previous one.
    let cycle: Vec<u32> = (0..4000).map(|i| i % 8).collect();
    let h = entropy(&cycle);
    assert!((h.unigram_bits - 3.0).abs() < 1e-12 && h.bigram_bits.abs() < 1e-12, "{h:?}");
    assert_eq!(entropy(&[]), diagnose::Entropy::default());
    assert_eq!(entropy(&[7]).bigram_bits, 0.0);
    assert_eq!(text_entropy(TokenKind::Characters, "abab").unigram_bits, 1.0);
    // Words: "ab", " ", "ab", " ", "cd" — three symbols, two of them twice.
    let h = text_entropy(TokenKind::Words, "ab ab cd");
    let want = -(0.4f64 * 0.4f64.log2() * 2.0 + 0.2 * 0.2f64.log2());
    assert!((h.unigram_bits - want).abs() < 1e-12, "{h:?} vs {want}");
}

#[test]
fn the_corpus_report_carries_the_training_text_entropies() {
    let config = Config { hidden: 8, embed: 4, seq_len: 8, batch: 2, val_fraction: 0.0, ..Config::default() };
    let t = Trainer::new(config, SMALL_TEXT).unwrap();
    // Counted over ids here, over characters there: the same counts, summed in another order.
    let h = text_entropy(TokenKind::Characters, SMALL_TEXT);
    assert!((t.report.unigram_bits - h.unigram_bits).abs() < 1e-12, "{} vs {}", t.report.unigram_bits, h.unigram_bits);
    assert!((t.report.bigram_bits - h.bigram_bits).abs() < 1e-12, "{} vs {}", t.report.bigram_bits, h.bigram_bits);
    assert!(t.report.bigram_bits < t.report.unigram_bits);
}

fn trained(cell: CellKind, steps: usize) -> Trainer {
    let config = Config { cell, hidden: 16, embed: 8, seq_len: 16, batch: 4, lr: 5e-3, ..Config::default() };
    let mut t = Trainer::new(config, SMALL_TEXT).unwrap();
    for _ in 0..steps {
        t.step().unwrap();
    }
    t
}

#[test]
fn the_gradient_check_is_small_for_a_healthy_model_and_catches_a_wrong_gradient() {
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let mut t = trained(cell, 100);
        let g = t.grad_check(20, 3, None).unwrap();
        assert_eq!(g.tensors.len(), 3 + 4 * t.model.dims().layers);
        for c in &g.tensors {
            assert!(c.checked == 20 || c.name.starts_with("rnn.bias"), "{cell:?} {}: {} checked", c.name, c.checked);
            assert!(c.mean_rel_err < 1e-2 && c.max_rel_err < 0.1, "{cell:?} {}: {c:?}", c.name);
        }
        // The same check with a wrong gradient: W_hh's scaled by 1.5, fc.bias's sign flipped.
        let (inputs, targets, state) = t.next_chunk();
        let d = t.model.dims();
        let mut ws = Workspace::new(d, 16, t.batcher.streams);
        t.model.forward(&mut ws, &inputs, &state);
        let mut grad = Params::zeros(d);
        t.model.backward(&mut ws, &inputs, &targets, &mut grad);
        grad.layers[0].w_hh.iter_mut().for_each(|g| *g *= 1.5);
        grad.fc_b.iter_mut().for_each(|g| *g = -*g);
        let bad = diagnose::grad_check(&mut t.model, &mut ws, &inputs, &targets, &state, &grad, 20, 3, None).unwrap();
        for (c, ok) in bad.tensors.iter().zip(&g.tensors) {
            match c.name.as_str() {
                "rnn.weight_hh_l0" => assert!(c.max_rel_err > 0.3 && c.mean_rel_err > 0.1, "{cell:?} caught: {c:?}"),
                "fc.bias" => assert!(c.max_rel_err > 1.9 && c.mean_rel_err > 1.0, "{cell:?} caught: {c:?}"),
                _ => assert_eq!(c, ok, "{cell:?}: the other tensors check as before"),
            }
        }
    }
}

#[test]
fn the_gradient_check_takes_one_tensor_at_a_time_when_asked() {
    let mut t = trained(CellKind::Gru, 50);
    let all = t.grad_check(20, 3, None).unwrap();
    assert_eq!(all.total, all.tensors.len());
    for k in 0..all.total {
        let one = t.grad_check(20, 3, Some(k)).unwrap();
        assert_eq!((one.total, one.tensors.len(), one.loss), (all.total, 1, all.loss), "tensor {k}");
        let (c, want) = (&one.tensors[0], &all.tensors[k]);
        assert_eq!((&c.name, c.checked), (&want.name, want.checked));
        assert!(c.mean_rel_err < 1e-2 && c.max_rel_err < 0.1, "{c:?}");
    }
    assert!(matches!(t.grad_check(20, 3, Some(all.total)), Err(Error::Config(m)) if m.contains("no tensor 7")));
}

#[test]
fn the_gradient_check_leaves_the_run_as_it_was() {
    let (mut a, mut b) = (trained(CellKind::Lstm, 5), trained(CellKind::Lstm, 5));
    let norms = a.dh_norms();
    a.grad_check(25, 9, None).unwrap();
    assert_eq!(a.dh_norms(), norms, "the last chunk's gradient profile");
    assert_eq!(a.save_checkpoint().unwrap(), b.save_checkpoint().unwrap(), "weights, optimizer, position, state");
    for _ in 0..3 {
        assert_eq!(a.step().unwrap(), b.step().unwrap());
    }
}

/// `rnn-playground diagnose` on fixture `name`'s weights, `text` and `vocab` (as files): its stdout.
#[cfg(not(target_arch = "wasm32"))]
fn diagnose_cli(name: &str, text: &str, vocab: &[char]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (text_path, vocab_path) = (dir.path().join("text.txt"), dir.path().join("vocab.json"));
    std::fs::write(&text_path, text).unwrap();
    std::fs::write(&vocab_path, serde_json::to_string(vocab).unwrap()).unwrap();
    let weights = format!("{}/tests/fixtures/{name}.weights.safetensors", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rnn-playground"))
        .args(["diagnose", "--model", &weights, "--text"])
        .arg(&text_path)
        .arg("--vocab")
        .arg(&vocab_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `rnn-playground diagnose` on a fixture model, its vocabulary given with `--vocab`: the JSON line
/// against the same references.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_cli_prints_the_references() {
    let (name, json, _, reference) = CASES[1];
    let case: Case = serde_json::from_str(json).unwrap();
    let r = SafeTensors::deserialize(reference).unwrap();
    let stdout = diagnose_cli(name, &case.text, &case.vocab);
    assert_eq!(stdout.lines().count(), 1, "one JSON line");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let floats = |v: &serde_json::Value| -> Vec<f32> {
        fn walk(v: &serde_json::Value, out: &mut Vec<f32>) {
            match v {
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                x => out.push(x.as_f64().expect("a number") as f32),
            }
        }
        let mut out = Vec::new();
        walk(v, &mut out);
        out
    };
    let steps = case.ids.len() - 1;
    let layers = v["grad_flow"].as_array().unwrap();
    assert_eq!(layers.len(), case.layers);
    assert!(layers.iter().all(|l| l.as_array().unwrap().len() == steps), "[layer][t][k], T rows");
    assert_close("cli grad_flow", &floats(&v["grad_flow"]), &tensor_f64(&r, "f64.grad_flow"), RTOL, ATOL);
    assert_eq!(v["sigma_max"].as_array().unwrap()[0].as_array().unwrap().len(), 4, "lstm: i, f, g, o");
    assert_close("cli sigma_max", &floats(&v["sigma_max"]), &tensor_f64(&r, "f64.sigma_max"), RTOL, 0.0);
    assert_close("cli loss", &floats(&v["loss_per_token"]), &tensor_f64(&r, "f64.loss_per_char"), RTOL, 0.0);
    let bpc = v["bits_per_char"].as_f64().unwrap();
    let want = tensor_f64(&r, "f64.loss_per_char")[0] / std::f64::consts::LN_2;
    assert!((bpc - want).abs() < 1e-4 * want, "characters: bits per char = nats / ln 2 ({bpc} vs {want})");
    for key in ["unigram_bits", "bigram_bits"] {
        let want = tensor_f64(&r, &format!("f64.{key}"))[0];
        assert!((v[key].as_f64().unwrap() - want).abs() < 1e-9, "cli {key}: {} vs {want}", v[key]);
    }
    assert_eq!((v["tokens"].as_u64(), v["chars"].as_u64(), v["probe_tokens"].as_u64()), (Some(20), Some(20), Some(20)));
    assert_eq!(v["tokens_kind"], "characters");
}

/// On a text longer than 128 characters the gradient flow covers its first 128 (T = 127) and the
/// rest covers all of it; the flow being causal, its first T rows of the fixture's 20-character
/// text are the fixture's.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_cli_reads_the_first_128_characters_for_the_gradient_flow() {
    let (name, json, weights, reference) = CASES[2];
    let case: Case = serde_json::from_str(json).unwrap();
    let r = SafeTensors::deserialize(reference).unwrap();
    let long = case.text.repeat(10); // 200 characters
    let v: serde_json::Value = serde_json::from_str(&diagnose_cli(name, &long, &case.vocab)).unwrap();
    assert_eq!((v["tokens"].as_u64(), v["probe_tokens"].as_u64()), (Some(200), Some(128)));
    let (_, model) = load(json, weights);
    let ids = Vocab::from_chars(case.vocab.clone()).unwrap().encode(&long).unwrap().ids;
    let want_loss = sequence_loss_at(&model, &ids, Precision::F32).unwrap();
    assert_eq!(v["loss_per_token"].as_f64().unwrap() as f32, want_loss, "the loss over all 200 characters");
    let h = text_entropy(TokenKind::Characters, &long);
    assert_eq!((v["unigram_bits"].as_f64(), v["bigram_bits"].as_f64()), (Some(h.unigram_bits), Some(h.bigram_bits)));
    let (steps, want) = (case.ids.len() - 1, tensor_f64(&r, "f64.grad_flow"));
    for (l, layer) in v["grad_flow"].as_array().unwrap().iter().enumerate() {
        let rows = layer.as_array().unwrap();
        assert_eq!(rows.len(), 127);
        assert!(rows.iter().all(|row| row.as_array().unwrap().len() == 127));
        for t in 0..steps {
            let got: Vec<f32> =
                rows[t].as_array().unwrap()[..steps].iter().map(|x| x.as_f64().unwrap() as f32).collect();
            let at = (l * steps + t) * steps;
            assert_close(&format!("long text grad_flow[{l}][{t}]"), &got, &want[at..at + steps], RTOL, ATOL);
        }
    }
}
