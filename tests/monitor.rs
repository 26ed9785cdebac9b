//! The honest-signal rules (src/monitor.rs) fed loss sequences, and the trainer feeding them: a
//! run at learning rate 10 without clipping is stopped, a sane one is not.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rnn_playground::config::{CellKind, ClipKind, Config};
use rnn_playground::monitor::{Check, Divergence, Memorising, Monitor, Reason, WINDOW};
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

#[test]
fn memorising_is_five_checks_without_a_better_loss_and_five_percent_above_the_best_said_once() {
    let mut m = Monitor::new(V);
    assert_eq!(m.validation(Some(2.0), 0), Check { improved: true, memorising: None });
    assert!(m.validation(Some(1.5), 100).improved);
    for i in 1..=4 {
        assert_eq!(m.validation(Some(1.6), 100 + i * 100), Check { improved: false, memorising: None });
    }
    let w = m.validation(Some(1.6), 600).memorising;
    assert_eq!(w, Some(Memorising { best: 1.5, best_step: 100, loss: 1.6, checks: 5 }));
    assert_eq!(m.validation(Some(1.7), 700).memorising, None, "said once per best");
    assert_eq!(m.best(), Some((1.5, 100)));
    // A new best, then five stale checks: said again.
    assert!(m.validation(Some(1.4), 800).improved);
    for i in 1..=4 {
        assert_eq!(m.validation(Some(1.5), 800 + i).memorising, None);
    }
    assert_eq!(m.validation(Some(1.5), 805).memorising.map(|w| (w.best, w.checks)), Some((1.4, 5)));
    // Stale but within 5 % of the best: no notice. No validation text: nothing said.
    let mut n = Monitor::new(V);
    n.validation(Some(1.0), 0);
    for i in 1..=10 {
        assert_eq!(n.validation(Some(1.04), i).memorising, None);
    }
    assert_eq!(n.validation(None, 11), Check { improved: false, memorising: None });
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
    m.validation(Some(1.2), 2);
    let log_v = (V as f32).ln();
    let mut at = 2;
    feed(&mut m, &mut at, 8, 0.5 * log_v);
    feed(&mut m, &mut at, 20, log_v + 0.5);
    assert!(!m.healthy());
    m.restart();
    assert!(!m.healthy(), "no window judged since the restart");
    assert_eq!((m.smooth(), m.best()), (None, Some((1.2, 2))));
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
