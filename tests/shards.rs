//! Data-parallel training (`src/shard.rs`): one shard is the single-batch step bit for bit; a fixed
//! number of shards gives the same numbers run to run; k shards agree with one up to the order of
//! float additions; checkpoints move between worker counts; the diagnostics see every stream.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::SMALL_TEXT;
use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, ClipKind, Config, OptimizerKind};
use rnn_playground::data::{split, Batcher};
use rnn_playground::model::{Model, Params, State, Workspace};
use rnn_playground::optim::{clip, grad_norm, Optimizer};
use rnn_playground::shard::{self, ranges};
use rnn_playground::Trainer;

/// B = 6 streams of T = 16 over a short text: an epoch is three chunks, so twelve steps cross
/// epoch boundaries (where every shard's carried state is reset).
fn config(cell: CellKind, workers: usize) -> Config {
    Config { cell, hidden: 24, embed: 8, seq_len: 16, batch: 6, lr: 1e-2, val_fraction: 0.0, workers, ..Config::default() }
}

fn params_bits(p: &Params) -> Vec<u32> {
    let mut out = Vec::new();
    p.for_each(|t| out.extend(t.iter().map(|v| v.to_bits())));
    out
}

fn flat(p: &Params) -> Vec<f32> {
    let mut out = Vec::new();
    p.write_flat(&mut out);
    out
}

/// The largest |a − b| over all parameters, relative to the largest |b|.
fn max_rel_diff(a: &Params, b: &Params) -> f32 {
    let (a, b) = (flat(a), flat(b));
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs()));
    a.iter().zip(&b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

#[test]
fn shards_are_consecutive_streams_as_equal_as_can_be() {
    assert_eq!(ranges(7, 3), [0..3, 3..5, 5..7]);
    assert_eq!(ranges(32, 2), [0..16, 16..32]);
    assert_eq!(ranges(4, 0), vec![0..4], "0 workers: one shard");
    assert_eq!(ranges(2, 5), [0..1, 1..2], "at most one shard per stream");
}

/// The step written out as it was before shards: one batch of all B streams through the model's
/// own forward and backward passes, the norm, clipping and the optimizer (as tests/parity.rs
/// checks them against PyTorch). The trainer with one worker must take exactly these steps.
#[test]
fn one_shard_is_the_single_batch_step_bit_for_bit() {
    for cell in [CellKind::Lstm, CellKind::Gru] {
        for workers in [0, 1] {
            let c = Config { clip: 0.5, ..config(cell, workers) };
            let mut t = Trainer::new(c.clone(), SMALL_TEXT).unwrap();
            assert_eq!(t.shards.len(), 1);
            let mut model = Model::new(t.model.params.clone());
            let d = model.dims();
            let (train, _) = split(&t.vocab.encode(SMALL_TEXT).unwrap().into(), c.val_fraction);
            let train = train.ids;
            let mut batcher = Batcher::new(train.len(), c.seq_len, c.batch).unwrap();
            let b = batcher.streams;
            let (mut inputs, mut targets) = (vec![0; c.seq_len * b], vec![0; c.seq_len * b]);
            let mut ws = Workspace::new(d, c.seq_len, b);
            let mut state = State::zeros(d, b);
            let mut grad = Params::zeros(d);
            let mut opt = Optimizer::new(c.optimizer, &model.params);
            for step in 0..12 {
                if batcher.next(&train, &mut inputs, &mut targets) {
                    state.reset();
                }
                model.forward(&mut ws, &inputs, &state);
                grad.zero();
                let loss = model.backward(&mut ws, &inputs, &targets, &mut grad);
                let norm = grad_norm(&grad);
                ws.final_state(&mut state);
                let clipped = clip(&mut grad, c.clip_mode, c.clip, norm);
                opt.update(&c, &mut model.params, &grad);
                model.repack();
                let s = t.step().unwrap();
                assert_eq!((s.loss.to_bits(), s.grad_norm.to_bits(), s.clipped), (loss.to_bits(), norm.to_bits(), clipped), "{cell:?} step {step}");
                assert!(params_bits(&t.model.params) == params_bits(&model.params), "{cell:?} workers {workers}: weights after step {step}");
            }
        }
    }
}

#[test]
fn a_fixed_number_of_shards_gives_the_same_numbers_run_to_run() {
    for workers in [2, 3, 6] {
        let run = || {
            let mut t = Trainer::new(config(CellKind::Lstm, workers), SMALL_TEXT).unwrap();
            assert_eq!(t.shards.len(), workers);
            let losses: Vec<u32> = (0..12).map(|_| t.step().unwrap().loss.to_bits()).collect();
            (losses, params_bits(&t.model.params), t.save_checkpoint().unwrap())
        };
        assert!(run() == run(), "{workers} workers");
    }
}

/// With SGD the weights move by exactly −lr × the gradient, so the weights after a few steps
/// differ between k shards and one only as their gradients do: a gradient element sums the T·B
/// positions' contributions (96 here), grouped per shard when there are shards, and regrouping a
/// sum of n f32 terms moves it by at most about n·2⁻²⁴ ≈ 6e-6 of the sum of their magnitudes (in
/// practice far less: the rounding errors cancel), which the steps compound. Measured after 8
/// steps: at most 7.4e-8 of the largest weight, and losses within 1e-7 relative, for k = 2, 3, 6.
/// The test allows 1e-5 for both: 100 times that, and a thousandth of what a wrong scale or a
/// misplaced stream gives (a shard scaled by 1/(T·|S_i|) instead of 1/(T·B) is off by k; swapped
/// carried states move the next loss by 9e-3, below).
#[test]
fn k_shards_agree_with_one_up_to_summation_order() {
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        let sgd = |workers| Config { optimizer: OptimizerKind::Sgd, lr: 0.5, clip_mode: ClipKind::None, ..config(cell, workers) };
        for k in [2, 3, 6] {
            let mut many = Trainer::new(sgd(k), SMALL_TEXT).unwrap();
            let mut one = Trainer::new(sgd(1), SMALL_TEXT).unwrap();
            for step in 0..8 {
                let (a, b) = (many.step().unwrap(), one.step().unwrap());
                assert!((a.loss - b.loss).abs() <= 1e-5 * b.loss, "{cell:?} k {k} step {step}: loss {} vs {}", a.loss, b.loss);
                assert!((a.grad_norm - b.grad_norm).abs() <= 1e-5 * b.grad_norm, "{cell:?} k {k} step {step}: norm");
            }
            let diff = max_rel_diff(&many.model.params, &one.model.params);
            assert!(diff <= 1e-5, "{cell:?} k {k}: weights differ by {diff:e} of the largest");
        }
        // Adam's default run too (its steps divide by √v, so a gradient element near 0 can move a
        // weight by up to lr whatever its rounding: compare losses only).
        let (mut a, mut b) = (Trainer::new(config(cell, 3), SMALL_TEXT).unwrap(), Trainer::new(config(cell, 1), SMALL_TEXT).unwrap());
        for step in 0..8 {
            let (x, y) = (a.step().unwrap().loss, b.step().unwrap().loss);
            assert!((x - y).abs() <= 1e-5 * y, "{cell:?} adam step {step}: {x} vs {y}");
        }
    }
}

#[test]
fn checkpoints_record_k_and_move_between_worker_counts() {
    // Five chunks an epoch; the checkpoint is taken mid-epoch, with a state worth carrying.
    let text = SMALL_TEXT.repeat(2);
    let c = Config { lr: 2e-2, ..config(CellKind::Lstm, 2) };
    let mut straight = Trainer::new(c.clone(), &text).unwrap();
    for _ in 0..23 {
        straight.step().unwrap();
    }
    let bytes = straight.save_checkpoint().unwrap();
    let loaded = checkpoint::load(&bytes).unwrap();
    assert_eq!(loaded.config.unwrap().workers, 2, "the checkpoint records k");
    let carried = loaded.train.unwrap().state;
    let expected: Vec<f32> = (0..10).map(|_| straight.step().unwrap().loss).collect();

    // The same k continues exactly.
    let mut same = Trainer::from_file(&bytes, &text).unwrap();
    assert!(same.report.resumed && same.shards.len() == 2);
    let got: Vec<f32> = (0..10).map(|_| same.step().unwrap().loss).collect();
    assert_eq!(got, expected);

    // Another k: the carried state of every stream goes to the shard that now holds it.
    for k in [1, 3, 6] {
        let mut other = Trainer::from_file(&bytes, &text).unwrap();
        other.update_live(&Config { workers: k, ..other.config.clone() }).unwrap();
        assert_eq!((other.shards.len(), other.config.workers), (k, k));
        let d = other.model.dims();
        assert_eq!(shard::gather(&other.shards, d), carried, "k {k}: the carried state");
        let ckpt = checkpoint::load(&other.save_checkpoint().unwrap()).unwrap();
        assert_eq!(ckpt.train.unwrap().state, carried, "k {k}: saved again, the same state");
        assert_eq!(ckpt.config.unwrap().workers, k);
        for (i, want) in expected.iter().enumerate() {
            let loss = other.step().unwrap().loss;
            assert!((loss - want).abs() <= 1e-5 * want, "k {k} step {i}: {loss} vs {want}");
        }
    }

    // A carried state given to the wrong streams would show: the first loss after resuming moves
    // by far more than summation order does.
    let mut swapped = Trainer::from_file(&bytes, &text).unwrap();
    let (a, b) = swapped.shards.split_at_mut(1);
    std::mem::swap(&mut a[0].state, &mut b[0].state);
    let loss = swapped.step().unwrap().loss;
    assert!((loss - expected[0]).abs() > 1e-3 * expected[0], "swapped states: {loss} vs {}", expected[0]);
    assert_eq!(swapped.batcher.chunk, 4, "mid-epoch");
}

/// Validation, the gradient check's chunk and the gradient profile are of the whole batch,
/// whatever the shards.
#[test]
fn diagnostics_see_every_stream() {
    let mut one = Trainer::new(Config { val_fraction: 0.3, ..config(CellKind::Gru, 1) }, &SMALL_TEXT.repeat(3)).unwrap();
    for _ in 0..5 {
        one.step().unwrap();
    }
    let bytes = one.save_checkpoint().unwrap();
    let mut three = Trainer::from_file(&bytes, &SMALL_TEXT.repeat(3)).unwrap();
    three.set_workers(3);
    assert_eq!(three.validate(None), one.validate(None));
    assert_eq!(three.next_chunk(), one.next_chunk());
    assert_eq!(three.grad_check(3, 7, None).unwrap(), one.grad_check(3, 7, None).unwrap());
    assert_eq!(three.probe("The gradient").unwrap(), one.probe("The gradient").unwrap());
    let (a, b) = (three.step().unwrap(), one.step().unwrap());
    assert!((a.loss - b.loss).abs() <= 1e-5 * b.loss);
    let (p, q) = (three.dh_norms(), one.dh_norms());
    assert_eq!((p.len(), p[0].len()), (1, 16));
    for (x, y) in p[0].iter().zip(&q[0]) {
        assert!((x - y).abs() <= 1e-4 * y.max(1e-6), "‖∂L/∂h_t‖: {x} vs {y}");
    }
}
