//! Parity with PyTorch on every case in `tests/fixtures/` (written by `tools/gen_fixtures.py`):
//! logits, rnn outputs, loss, final state, every parameter gradient, ∂L/∂h0 (and c0), and the
//! parameters after each optimizer step of the case's train section (Adam, SGD with momentum,
//! Adagrad, RMSProp; clipping by norm or value; step learning-rate decay), applied as the trainer
//! applies them.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::{assert_close, tensor_f64};
use rnn_playground::checkpoint;
use rnn_playground::config::Config;
use rnn_playground::model::{Model, Params, State, Workspace};
use rnn_playground::optim::{clip, grad_norm, Optimizer};
use safetensors::SafeTensors;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    layers: usize,
    batch: usize,
    seq: usize,
    hidden: usize,
    input_ids: Vec<Vec<u32>>,
    target_ids: Vec<Vec<u32>>,
    h0: Option<Vec<Vec<Vec<f32>>>>,
    c0: Option<Vec<Vec<Vec<f32>>>>,
    /// `steps` plus the engine's own config fields (`optimizer`, `lr`, `clip_mode`, …).
    train: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The train section as the number of steps and the engine config it describes, read by the
/// engine's own config parser (so an unknown or misspelt setting is an error, not a default).
fn train_config(mut train: serde_json::Map<String, serde_json::Value>) -> (usize, Config) {
    let steps = train.remove("steps").and_then(|v| v.as_u64()).expect("train.steps") as usize;
    let json = serde_json::Value::Object(train).to_string();
    let config = Config::from_json(&json).unwrap_or_else(|e| panic!("train section {json}: {e}"));
    (steps, config)
}

macro_rules! case_files {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".json")),
            &include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".weights.safetensors"))[..],
            &include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, ".ref.safetensors"))[..],
        )
    };
}

/// Batch-first (B, T) ids to our time-major (T·B) layout.
fn time_major(ids: &[Vec<u32>], b: usize, t: usize) -> Vec<u32> {
    (0..t * b).map(|r| ids[r % b][r / b]).collect()
}

/// Our time-major (T·B, X) rows to batch-first (B, T, X).
fn batch_first(x: &[f32], b: usize, t: usize) -> Vec<f32> {
    let w = x.len() / (b * t);
    let mut out = Vec::with_capacity(x.len());
    for bi in 0..b {
        for ti in 0..t {
            let r = ti * b + bi;
            out.extend_from_slice(&x[r * w..(r + 1) * w]);
        }
    }
    out
}

fn flat(x: &Option<Vec<Vec<Vec<f32>>>>, n: usize) -> Vec<f32> {
    match x {
        Some(v) => v.iter().flatten().flatten().copied().collect(),
        None => vec![0.0; n],
    }
}

fn check_params(what: &str, p: &Params, r: &SafeTensors<'_>, prefix: &str, rtol: f64, atol: f64) {
    let names = p.names_and_shapes();
    let mut i = 0;
    p.for_each(|t| {
        let name = &names[i].0;
        assert_close(&format!("{what} {name}"), t, &tensor_f64(r, &format!("{prefix}{name}")), rtol, atol);
        i += 1;
    });
}

fn run_case(name: &str, json: &str, weights: &[u8], reference: &[u8]) {
    let case: Case = serde_json::from_str(json).unwrap();
    let r = SafeTensors::deserialize(reference).unwrap();
    let loaded = checkpoint::load(weights).unwrap();
    let model = Model::new(loaded.params);
    let d = model.dims();
    assert_eq!((d.layers, d.hidden), (case.layers, case.hidden), "{name}: inferred dims");
    let (b, t) = (case.batch, case.seq);
    let inputs = time_major(&case.input_ids, b, t);
    let targets = time_major(&case.target_ids, b, t);
    let mut state = State::zeros(d, b);
    state.h = flat(&case.h0, state.h.len());
    if !state.c.is_empty() {
        state.c = flat(&case.c0, state.c.len());
    }
    let mut ws = Workspace::new(d, t, b);
    model.forward(&mut ws, &inputs, &state);
    let (rtol, atol) = (1e-4, 1e-5);
    assert_close(&format!("{name} logits"), &batch_first(&ws.logits, b, t), &tensor_f64(&r, "f64.logits"), rtol, atol);
    assert_close(&format!("{name} rnn_out"), &batch_first(ws.top_outputs(), b, t), &tensor_f64(&r, "f64.rnn_out"), rtol, atol);
    let mut grad = Params::zeros(d);
    let loss = model.backward(&mut ws, &inputs, &targets, &mut grad);
    assert_close(&format!("{name} loss"), &[loss], &tensor_f64(&r, "f64.loss"), rtol, atol);
    let mut last = State::zeros(d, b);
    ws.final_state(&mut last);
    assert_close(&format!("{name} h_n"), &last.h, &tensor_f64(&r, "f64.h_n"), rtol, atol);
    if !last.c.is_empty() {
        assert_close(&format!("{name} c_n"), &last.c, &tensor_f64(&r, "f64.c_n"), rtol, atol);
        assert_close(&format!("{name} grad c0"), &ws.d_c0, &tensor_f64(&r, "f64.grad.c0"), rtol, atol);
    }
    assert_close(&format!("{name} grad h0"), &ws.d_h0, &tensor_f64(&r, "f64.grad.h0"), rtol, atol);
    check_params(name, &grad, &r, "f64.grad.", rtol, atol);
    assert_close(&format!("{name} grad_norm"), &[grad_norm(&grad)], &tensor_f64(&r, "f64.grad_norm"), rtol, atol);

    let Some(train) = case.train else { return };
    let (steps, config) = train_config(train);
    let mut model = model;
    let mut opt = Optimizer::new(config.optimizer, &model.params);
    let ref_losses = tensor_f64(&r, "f64.train.loss");
    let ref_norms = tensor_f64(&r, "f64.train.grad_norm");
    assert_eq!(ref_losses.len(), steps, "{name}: train steps");
    // As `Trainer::step`: forward from the carried state, backward, norm, carry the final state
    // (detached), clip, optimizer update (its learning rate decayed by the steps already taken).
    for s in 0..steps {
        model.forward(&mut ws, &inputs, &state);
        grad.zero();
        let loss = model.backward(&mut ws, &inputs, &targets, &mut grad);
        let norm = grad_norm(&grad);
        assert_close(&format!("{name} train loss {s}"), &[loss], &ref_losses[s..s + 1], rtol, atol);
        assert_close(&format!("{name} train norm {s}"), &[norm], &ref_norms[s..s + 1], rtol, atol);
        ws.final_state(&mut state);
        clip(&mut grad, config.clip_mode, config.clip, norm);
        opt.update(&config, &mut model.params, &grad);
        model.repack();
        check_params(name, &model.params, &r, &format!("f64.train.step{}.", s + 1), 0.0, 1e-4);
    }
}

#[test]
fn parity_rnn_l1_small() {
    let (n, j, w, r) = case_files!("rnn_l1_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_rnn_l2_small() {
    let (n, j, w, r) = case_files!("rnn_l2_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_lstm_l1_small() {
    let (n, j, w, r) = case_files!("lstm_l1_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_lstm_l2_small() {
    let (n, j, w, r) = case_files!("lstm_l2_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_gru_l1_small() {
    let (n, j, w, r) = case_files!("gru_l1_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_gru_l2_small() {
    let (n, j, w, r) = case_files!("gru_l2_small");
    run_case(n, j, w, r);
}

#[test]
fn parity_lstm_l2_large() {
    let (n, j, w, r) = case_files!("lstm_l2_large");
    run_case(n, j, w, r);
}

#[test]
fn parity_rnn_l2_sgd_momentum() {
    let (n, j, w, r) = case_files!("rnn_l2_sgd_momentum");
    run_case(n, j, w, r);
}

#[test]
fn parity_gru_l1_adagrad() {
    let (n, j, w, r) = case_files!("gru_l1_adagrad");
    run_case(n, j, w, r);
}

#[test]
fn parity_lstm_l1_rmsprop() {
    let (n, j, w, r) = case_files!("lstm_l1_rmsprop");
    run_case(n, j, w, r);
}

#[test]
fn parity_gru_l2_clip_value() {
    let (n, j, w, r) = case_files!("gru_l2_clip_value");
    run_case(n, j, w, r);
}

#[test]
fn parity_lstm_l2_lr_decay() {
    let (n, j, w, r) = case_files!("lstm_l2_lr_decay");
    run_case(n, j, w, r);
}
