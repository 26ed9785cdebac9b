//! The honest-signal rules (src/monitor.rs) fed loss sequences and validation evidence, and the
//! trainer feeding them: a run at learning rate 10 without clipping is stopped, a sane one is not;
//! a big model on a small text is caught memorising. (The tutorial's runs, which must never be
//! called memorising, are in tests/tutorial.rs.)

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rnn_playground::config::{CellKind, ClipKind, Config};
use rnn_playground::monitor::{remedies, Check, Divergence, Evidence, Monitor, Reason, Remedy, WINDOW};
use rnn_playground::tasks::Task;
use rnn_playground::Trainer;

const V: usize = 50; // log V = 3.91

/// Feeds `steps` steps of `loss` from step `*at`; the first divergence, if any.
fn feed(m: &mut Monitor, at: &mut u64, steps: u64, loss: f32) -> Option<Divergence> {
    for _ in 0..steps {
        *at += 1;
        if let Some(d) = m.observe(loss, *at) {
            return Some(d);
        }
    }
    None
}

#[test]
fn a_falling_loss_never_trips_a_rule() {
    let mut m = Monitor::new(V);
    assert!(!m.healthy(), "no evidence before the first window");
    for i in 0..5000u64 {
        let loss = 4.0 * (-(i as f32) / 1000.0).exp() + 0.5 + 0.3 * ((i * 7919 % 13) as f32 / 13.0);
        assert_eq!(m.observe(loss, i + 1), None, "step {i}");
    }
    assert!(m.healthy());
}

#[test]
fn a_non_finite_loss_stops_at_once() {
    for bad in [f32::NAN, f32::INFINITY] {
        let mut m = Monitor::new(V);
        assert_eq!(m.observe(3.0, 1), None);
        let d = m.observe(bad, 2).expect("stopped");
        assert_eq!((d.reason, d.step), (Reason::NotFinite, 2));
    }
}

#[test]
fn a_jump_of_more_than_ten_times_the_recent_average_and_a_nat_stops_a_smaller_one_does_not() {
    let mut at = 0;
    let mut m = Monitor::new(V);
    assert_eq!(feed(&mut m, &mut at, 500, 0.3), None);
    assert_eq!(feed(&mut m, &mut at, WINDOW, 2.9), None, "9.7× is not a jump");

    let (mut at, mut n) = (0, Monitor::new(V));
    feed(&mut n, &mut at, 500, 0.3);
    let d = feed(&mut n, &mut at, WINDOW, 3.1).expect("a jump");
    assert_eq!((d.reason, d.step), (Reason::Jump, 510));
    assert!((d.reference - 0.3).abs() < 1e-5 && (d.loss - 3.1).abs() < 1e-5, "{d:?}");

    // Tiny losses: 50× but less than a nat is noise, not a jump.
    let (mut at, mut t) = (0, Monitor::new(V));
    feed(&mut t, &mut at, 500, 0.01);
    assert_eq!(feed(&mut t, &mut at, WINDOW, 0.5), None);

    // One wild step inside a window is averaged, not a jump: (9 × 0.3 + 20) / 10 = 2.27 < 3.
    let (mut at, mut w) = (0, Monitor::new(V));
    feed(&mut w, &mut at, 500, 0.3);
    assert_eq!(feed(&mut w, &mut at, 1, 20.0), None);
    assert_eq!(feed(&mut w, &mut at, WINDOW - 1, 0.3), None);
}

#[test]
fn after_having_fallen_fifty_steps_above_log_v_stop_forty_do_not() {
    let log_v = (V as f32).ln();
    let (mut at, mut m) = (0, Monitor::new(V));
    feed(&mut m, &mut at, 10, 0.85 * log_v);
    assert_eq!(feed(&mut m, &mut at, 40, log_v + 0.2), None, "40 steps");
    let d = feed(&mut m, &mut at, 10, log_v + 0.2).expect("50 steps");
    assert_eq!((d.reason, d.step), (Reason::Uniform, 60));
    assert!(!m.healthy());
    // A window back below log V starts the count again.
    let (mut at, mut n) = (0, Monitor::new(V));
    feed(&mut n, &mut at, 10, 0.85 * log_v);
    for _ in 0..10 {
        assert_eq!(feed(&mut n, &mut at, 40, log_v + 0.2), None);
        assert!(!n.healthy());
        assert_eq!(feed(&mut n, &mut at, 10, log_v - 0.2), None);
        assert!(n.healthy());
    }
    // Never fallen: above log V (but below twice it) is a slow start.
    let (mut at, mut s) = (0, Monitor::new(V));
    assert_eq!(feed(&mut s, &mut at, 1000, log_v + 0.1), None);
}

#[test]
fn far_above_the_uniform_guess_for_twenty_steps_stops_fallen_or_not() {
    let (mut at, mut m) = (0, Monitor::new(V));
    assert_eq!(feed(&mut m, &mut at, 10, 300.0), None);
    let d = feed(&mut m, &mut at, 10, 1500.0).expect("20 steps far above");
    assert_eq!((d.reason, d.step), (Reason::Far, 20), "{d:?}");
    let (mut at, mut n) = (0, Monitor::new(V));
    let d = feed(&mut n, &mut at, 30, 9.0).expect("2.3 log V for 20 steps");
    assert_eq!((d.reason, d.step, d.reference), (Reason::Far, 20, (V as f32).ln()));
}

/// A check's evidence: 32 pieces of validation text at about `val` nats and 32 of training text
/// at about `train`, each piece with its own fixed difficulty and a little noise of check `k`
/// (`noise` nats at most).
fn evidence(val: f32, train: f32, k: u64, noise: f32) -> Evidence {
    let pieces = |base: f32, salt: u64| -> Vec<f32> {
        (0..32u64)
            .map(|i| {
                let hard = 0.1 * ((i * 37 + salt) % 11) as f32 / 10.0;
                let wobble = ((i * 7919 + k * 104_729 + salt) % 17) as f32 / 8.0 - 1.0;
                base + hard + noise * wobble
            })
            .collect()
    };
    let (val, train) = (pieces(val, 1), pieces(train, 5));
    let loss = val.iter().sum::<f32>() / 32.0;
    Evidence { loss, val, train }
}

#[test]
fn memorising_is_validation_rising_while_training_text_falls_beyond_noise_said_once_per_best() {
    let mut m = Monitor::new(V);
    let first = m.validation(Some(&evidence(2.0, 2.0, 0, 0.01)), 0);
    assert_eq!(first, Check { improved: true, memorising: None, plateau: None });
    let best = evidence(1.5, 1.45, 1, 0.01);
    assert!(m.validation(Some(&best), 100).improved);
    // Training text falls, validation rises: the gap grows by 0.3 nats a check, far beyond noise.
    let check = |k: u64| evidence(1.5 + 0.1 * k as f32, 1.45 - 0.2 * k as f32, k + 1, 0.01);
    assert_eq!(m.validation(Some(&check(1)), 200).memorising, None, "one check is not enough");
    let w = m.validation(Some(&check(2)), 300).memorising.expect("two checks in a row");
    assert_eq!((w.best, w.best_step), (best.loss, 100));
    assert!((w.rise - 0.2).abs() < 0.01 && (w.widening - 0.6).abs() < 0.01 && w.rise_se < 0.01, "{w:?}");
    assert!((w.train_best - 1.5).abs() < 0.03 && (w.train - 1.1).abs() < 0.03, "{w:?}");
    assert!(w.to_string().contains("rose from its best, 1.5"), "{w}");
    assert_eq!(m.validation(Some(&check(3)), 400).memorising, None, "said once per best");
    // A new best, then the same again: said again.
    assert!(m.validation(Some(&evidence(1.2, 1.0, 9, 0.01)), 500).improved);
    assert_eq!(m.validation(Some(&evidence(1.4, 0.8, 10, 0.01)), 600).memorising, None);
    let again = m.validation(Some(&evidence(1.45, 0.7, 11, 0.01)), 700).memorising.expect("said again");
    assert_eq!(again.best_step, 500);
    // No validation text, or a loss that is not finite: nothing said.
    assert_eq!(m.validation(None, 800), Check { improved: false, memorising: None, plateau: None });
    let nan = Evidence { loss: f32::NAN, ..evidence(1.0, 1.0, 0, 0.0) };
    assert_eq!(m.validation(Some(&nan), 900), Check { improved: false, memorising: None, plateau: None });
}

#[test]
fn training_and_validation_moving_together_is_not_memorising_however_far_validation_rises() {
    // The weights' own noise at a plateau, and a learning rate too high: both losses move alike.
    let mut m = Monitor::new(V);
    m.validation(Some(&evidence(0.28, 0.28, 0, 0.005)), 100);
    for k in 1..200u64 {
        let shift = [0.02, 0.3, 0.01, 0.6, 0.05][k as usize % 5];
        let c = m.validation(Some(&evidence(0.28 + shift, 0.28 + shift - 0.001, k, 0.005)), 100 + k * 50);
        assert_eq!(c.memorising, None, "check {k}");
    }
    // Validation rising alone, training text flat: the gap grows, but the training text does not
    // improve, so the model is not learning it by heart (it is getting worse everywhere it reads).
    let mut n = Monitor::new(V);
    n.validation(Some(&evidence(1.0, 1.0, 0, 0.005)), 0);
    for k in 1..20u64 {
        assert_eq!(n.validation(Some(&evidence(1.0 + 0.05 * k as f32, 1.01, k, 0.005)), k * 100).memorising, None);
    }
}

#[test]
fn a_gap_within_its_noise_or_under_a_tenth_of_the_loss_is_not_memorising() {
    // Pieces that scatter by ±0.5 nat from check to check: a rise of 0.1 is within their noise.
    let mut m = Monitor::new(V);
    m.validation(Some(&evidence(2.0, 2.0, 0, 0.5)), 0);
    for k in 1..50u64 {
        assert_eq!(m.validation(Some(&evidence(2.1, 1.95, k, 0.5)), k * 100).memorising, None, "check {k}");
    }
    // Quiet pieces: a gap grown by 0.15 nats is far beyond their noise but under a tenth of 2 nats.
    let mut n = Monitor::new(V);
    n.validation(Some(&evidence(2.0, 2.0, 0, 0.001)), 0);
    for k in 1..50u64 {
        assert_eq!(n.validation(Some(&evidence(2.1, 1.95, k, 0.001)), k * 100).memorising, None, "check {k}");
    }
    // The same with a gap of 0.25 nats: memorising.
    let mut o = Monitor::new(V);
    o.validation(Some(&evidence(2.0, 2.0, 0, 0.001)), 0);
    o.validation(Some(&evidence(2.1, 1.85, 1, 0.001)), 100);
    assert!(o.validation(Some(&evidence(2.1, 1.85, 2, 0.001)), 200).memorising.is_some());
    // Too few pieces for a standard error: nothing is said.
    let few = |v: f32, u: f32| Evidence { loss: v, val: vec![v; 7], train: vec![u; 7] };
    let mut p = Monitor::new(V);
    p.validation(Some(&few(1.0, 1.0)), 0);
    for k in 1..10u64 {
        assert_eq!(p.validation(Some(&few(1.0 + k as f32, 0.1)), k * 100).memorising, None);
    }
}

#[test]
fn a_plateau_is_said_after_two_thousand_steps_without_a_one_percent_gain_and_withdrawn_when_it_ends() {
    let mut m = Monitor::new(V);
    let mut plateaus = vec![];
    // Down to 0.28 by step 1,000, then flat with the weights' noise (both losses alike).
    for k in 0..=60u64 {
        let step = k * 100;
        let level = if step < 1000 { 2.0 - 0.00172 * step as f32 } else { 0.28 + 0.004 * ((k + 2) % 3) as f32 };
        let c = m.validation(Some(&evidence(level, level, k, 0.0)), step);
        assert_eq!(c.memorising, None);
        if let Some(p) = c.plateau {
            plateaus.push((step, p.new));
        }
    }
    // Judged from step 2,000 on: at 2,000 the second half (steps 1,001–2,000) is flat against the
    // first's best (step 1,000's).
    assert_eq!(plateaus.first(), Some(&(2000, true)), "{plateaus:?}");
    assert!(plateaus.iter().skip(1).all(|&(s, new)| s > 2000 && !new), "said once: {plateaus:?}");
    assert_eq!(plateaus.len(), 41, "held from 2,000 to 6,000");
    let c = m.validation(Some(&evidence(0.28, 0.28, 61, 0.0)), 6100).plateau.expect("a plateau");
    assert_eq!((c.since, c.best_step), (3051, 1000));
    assert!(c.to_string().contains("training and validation agree"), "{c}");
    // Falling again by more than 1 % in the second half: withdrawn.
    assert_eq!(m.validation(Some(&evidence(0.25, 0.25, 62, 0.0)), 6200).plateau, None);
    // A model still falling by a few percent per half-run is not on a plateau.
    let mut n = Monitor::new(V);
    for k in 0..=100u64 {
        let level = 2.0 / (1.0 + k as f32 / 10.0);
        assert_eq!(n.validation(Some(&evidence(level, level, k, 0.002)), k * 100).plateau, None, "check {k}");
    }
}

#[test]
fn a_plateau_where_the_gap_grows_is_not_a_plateau_but_remedies_follow_the_settings() {
    // Validation flat while training text falls: not "training and validation agree".
    let mut m = Monitor::new(V);
    for k in 0..=40u64 {
        let c = m.validation(Some(&evidence(1.0, 1.0 - 0.01 * k as f32, k, 0.0)), k * 100);
        assert_eq!(c.plateau, None, "check {k}");
    }
    let config = Config { cell: CellKind::Rnn, seq_len: 4, ..Config::default() };
    assert_eq!(remedies(&config), [Remedy::Gated, Remedy::LongerT, Remedy::Bigger, Remedy::LowerLr]);
    let gru = Config { cell: CellKind::Gru, hidden: 512, lr_decay: 0.5, ..Config::default() };
    assert_eq!(remedies(&gru), []);
}

#[test]
fn the_smoothed_loss_is_a_bias_corrected_average_and_a_restart_keeps_the_best() {
    let mut m = Monitor::new(V);
    assert_eq!(m.smooth(), None);
    m.observe(2.0, 1);
    assert!((m.smooth().unwrap() - 2.0).abs() < 1e-6, "one step: the loss itself");
    m.observe(1.0, 2);
    // (0.95 · 0.05 · 2 + 0.05 · 1) / (1 − 0.95²)
    let want = (0.95 * 0.05 * 2.0 + 0.05 * 1.0) / (1.0 - 0.95f64 * 0.95);
    assert!((m.smooth().unwrap() as f64 - want).abs() < 1e-6);
    m.validation(Some(&evidence(1.2, 1.2, 0, 0.0)), 2);
    let log_v = (V as f32).ln();
    let mut at = 2;
    feed(&mut m, &mut at, 8, 0.5 * log_v);
    feed(&mut m, &mut at, 20, log_v + 0.5);
    assert!(!m.healthy());
    m.restart(2);
    assert!(!m.healthy(), "no window judged since the restart");
    let best = evidence(1.2, 1.2, 0, 0.0).loss;
    assert_eq!((m.smooth(), m.best()), (None, Some((best, 2))));
    feed(&mut m, &mut at, WINDOW, 0.5 * log_v);
    assert!(m.healthy());
    // Still fallen: 50 steps above log V stop again.
    let d = feed(&mut m, &mut at, 50, log_v + 0.5).expect("stopped");
    assert_eq!(d.reason, Reason::Uniform);
}

fn brackets(lr: f32, clip_mode: ClipKind) -> Trainer {
    let config = Config { cell: CellKind::Rnn, hidden: 32, embed: 8, seq_len: 32, batch: 8, lr, clip_mode, ..Config::default() };
    Trainer::for_task(config, Task::Brackets, 3).unwrap()
}

#[test]
fn the_trainer_stops_a_run_at_learning_rate_ten_without_clipping_and_not_a_sane_one() {
    let mut wild = brackets(10.0, ClipKind::None);
    let stopped = (0..200).find_map(|_| match wild.step() {
        Ok(s) => s.diverged,
        Err(e) => panic!("{e}"),
    });
    let d = stopped.expect("a divergence within 200 steps");
    assert!(d.step <= 200 && matches!(d.reason, Reason::Far | Reason::Jump | Reason::Uniform), "{d:?}");
    assert!(d.to_string().contains("learning rate"), "{d}");

    let mut sane = brackets(3e-3, ClipKind::Norm);
    for _ in 0..200 {
        let s = sane.step().unwrap();
        assert_eq!(s.diverged, None, "step {}", s.step);
        assert_eq!(Some(s.smooth), sane.monitor.smooth());
    }
    let (loss, check) = sane.check_validation(None, || false);
    assert!(check.improved, "the first check is a best");
    assert_eq!(sane.monitor.best(), Some((loss.unwrap().loss, 200)));
}

#[test]
fn a_big_model_on_a_small_text_of_random_letters_is_caught_memorising_and_its_evidence_is_exact() {
    // 4,000 random letters: nothing to learn but the text itself, everything to memorise.
    let mut rng = rnn_playground::rng::Rng::new(9);
    let text: String = (0..4000).map(|_| (b'a' + rng.below(20) as u8) as char).collect();
    let config = Config { hidden: 128, lr: 0.01, seq_len: 32, batch: 16, ..Config::default() };
    let mut t = Trainer::new(config, &text).unwrap();
    let mut caught = None;
    while t.optimizer.step < 400 && caught.is_none() {
        for _ in 0..10 {
            t.step().unwrap();
        }
        let (loss, check) = t.check_validation(None, || false);
        // Held-out random letters cannot be predicted: no better than ln 20 = 3.0 nats.
        assert!(loss.unwrap().loss > 2.9, "{loss:?}");
        caught = check.memorising.map(|m| (m, t.optimizer.step));
    }
    let (m, at) = caught.expect("memorising within 400 steps");
    assert!(m.loss > m.best + 3.0 * m.rise_se && m.train < m.train_best, "{m:?} at {at}");
    // The evidence is what the trainer reads: the validation pieces average to the validation loss.
    let (_, e) = t.evidence(None, || false).unwrap();
    let mean = e.val.iter().sum::<f32>() / e.val.len() as f32;
    assert!((mean - e.loss).abs() < 1e-4 && e.val.len() >= 8 && e.train.len() >= 8, "{} pieces", e.val.len());
    assert_eq!(Some(e.loss), t.validate(None).map(|v| v.loss));
}
