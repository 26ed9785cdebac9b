//! Finite-difference check of every parameter gradient (and ∂L/∂h0, ∂L/∂c0) for rnn, lstm and gru
//! with one and two layers, from a non-zero initial state.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rnn_playground::config::{CellKind, InitKind};
use rnn_playground::model::{Dims, Model, Params, State, Workspace};
use rnn_playground::rng::Rng;

const STEPS: usize = 5;
const BATCH: usize = 2;

fn loss_at(model: &Model, ws: &mut Workspace, inputs: &[u32], targets: &[u32], state: &State) -> f64 {
    model.forward(ws, inputs, state);
    model.loss(ws, targets) as f64
}

fn check(cell: CellKind, layers: usize) {
    let d = Dims { cell, vocab: 7, embed: 3, hidden: 4, layers };
    let mut rng = Rng::new(7 + layers as u64);
    let mut model = Model::new(Params::init(d, InitKind::Pytorch, &mut rng));
    let inputs: Vec<u32> = (0..STEPS * BATCH).map(|_| rng.below(7) as u32).collect();
    let targets: Vec<u32> = (0..STEPS * BATCH).map(|_| rng.below(7) as u32).collect();
    let mut state = State::zeros(d, BATCH);
    state.h.iter_mut().for_each(|v| *v = rng.uniform_range(-0.5, 0.5));
    state.c.iter_mut().for_each(|v| *v = rng.uniform_range(-0.5, 0.5));
    let mut ws = Workspace::new(d, STEPS, BATCH);
    model.forward(&mut ws, &inputs, &state);
    let mut grad = Params::zeros(d);
    model.backward(&mut ws, &inputs, &targets, &mut grad);
    let (d_h0, d_c0) = (ws.d_h0.clone(), ws.d_c0.clone());

    let eps = 1e-2f32;
    let names = model.params.names_and_shapes();
    let mut analytic = Vec::new();
    grad.for_each(|t| analytic.push(t.to_vec()));
    let mut worst = 0.0f64;
    for (ti, (name, _)) in names.iter().enumerate() {
        let len = analytic[ti].len();
        for i in 0..len {
            let nudge = |delta: f32, model: &mut Model| {
                let mut k = 0;
                model.params.for_each_mut(|t| {
                    if k == ti {
                        t[i] += delta;
                    }
                    k += 1;
                });
                model.repack();
            };
            nudge(eps, &mut model);
            let plus = loss_at(&model, &mut ws, &inputs, &targets, &state);
            nudge(-2.0 * eps, &mut model);
            let minus = loss_at(&model, &mut ws, &inputs, &targets, &state);
            nudge(eps, &mut model);
            let numeric = (plus - minus) / (2.0 * eps as f64);
            let a = analytic[ti][i] as f64;
            let err = (a - numeric).abs();
            worst = worst.max(err);
            assert!(err <= 1e-3 + 1e-2 * numeric.abs(), "{cell:?} L{layers} {name}[{i}]: analytic {a}, numeric {numeric}");
        }
    }
    for (what, analytic, lstm_only) in [("h0", &d_h0, false), ("c0", &d_c0, true)] {
        if lstm_only && cell != CellKind::Lstm {
            continue;
        }
        for i in 0..state.h.len() {
            let mut s = state.clone();
            fn slot(s: &mut State, c: bool, i: usize) -> &mut f32 {
                if c {
                    &mut s.c[i]
                } else {
                    &mut s.h[i]
                }
            }
            *slot(&mut s, lstm_only, i) += eps;
            let plus = loss_at(&model, &mut ws, &inputs, &targets, &s);
            *slot(&mut s, lstm_only, i) -= 2.0 * eps;
            let minus = loss_at(&model, &mut ws, &inputs, &targets, &s);
            let numeric = (plus - minus) / (2.0 * eps as f64);
            let a = analytic[i] as f64;
            assert!((a - numeric).abs() <= 1e-3 + 1e-2 * numeric.abs(), "{cell:?} L{layers} d{what}[{i}]: analytic {a}, numeric {numeric}");
        }
    }
    assert!(worst < 1e-3, "worst error {worst}");
}

#[test]
fn gradcheck_rnn_1_layer() {
    check(CellKind::Rnn, 1);
}

#[test]
fn gradcheck_rnn_2_layers() {
    check(CellKind::Rnn, 2);
}

#[test]
fn gradcheck_lstm_1_layer() {
    check(CellKind::Lstm, 1);
}

#[test]
fn gradcheck_lstm_2_layers() {
    check(CellKind::Lstm, 2);
}

#[test]
fn gradcheck_gru_1_layer() {
    check(CellKind::Gru, 1);
}

#[test]
fn gradcheck_gru_2_layers() {
    check(CellKind::Gru, 2);
}
