//! Honest signals about a run, fed every step's loss and every validation loss; the CLI and the
//! page's worker read the same verdicts, so a run is never shown as "training" while it diverges.
//!
//! - **Smoothed loss**: an exponential moving average over steps with bias correction,
//!   `m_t = 0.95 m_{t-1} + 0.05 ℓ_t`, shown as `m_t / (1 − 0.95^t)`.
//! - **Diverged** (training stops): a loss that is NaN or infinite, at once; otherwise judged on
//!   the mean loss of each window of 10 steps (one noisy step proves nothing):
//!   a window more than 10× the recent average of windows and at least 1 nat above it (a jump);
//!   after a window below 90 % of the uniform guess log V, windows above log V for 50 steps;
//!   windows above 2 log V for 20 steps (worse than guessing, fallen or not).
//! - **Memorising** (a notice; training goes on): the validation loss has not improved for 5
//!   checks in a row and the latest is more than 5 % above the best. Said once per best.

use std::fmt;

/// Per-step decay of the smoothed loss.
pub const SMOOTH: f64 = 0.95;
/// Steps per window of the divergence rules.
pub const WINDOW: u64 = 10;
/// A window averaging this many times the recent average…
pub const JUMP_FACTOR: f32 = 10.0;
/// …and at least this many nats above it is a jump.
pub const JUMP_NATS: f32 = 1.0;
/// Per-window decay of the recent average (about ten windows of memory).
pub const RECENT: f32 = 0.9;
/// The loss has "fallen" once a window is below this fraction of log V…
pub const FALLEN: f32 = 0.9;
/// …after which this many steps above log V are divergence.
pub const UNIFORM_STEPS: u64 = 50;
/// Windows above FAR · log V…
pub const FAR: f32 = 2.0;
/// …for this many steps are divergence, fallen or not.
pub const FAR_STEPS: u64 = 20;
/// Memorising: no better validation loss for this many checks…
pub const STALE_CHECKS: u32 = 5;
/// …and the latest this fraction above the best.
pub const STALE_ABOVE: f32 = 0.05;

/// Why training must stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The loss or gradient is NaN or infinite.
    NotFinite,
    /// A window far above the recent average.
    Jump,
    /// Back above the uniform guess after having fallen below it.
    Uniform,
    /// Far above the uniform guess.
    Far,
}

impl Reason {
    /// The name the page and the CLI's JSON use.
    pub fn name(self) -> &'static str {
        match self {
            Reason::NotFinite => "nan",
            Reason::Jump => "jump",
            Reason::Uniform => "uniform",
            Reason::Far => "far",
        }
    }
}

/// A stop: the rule, the step it fired at, the loss that fired it (a window's mean, or the
/// non-finite value) and what it was compared with (the recent average or log V; NaN for none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Divergence {
    pub reason: Reason,
    pub step: u64,
    pub loss: f32,
    pub reference: f32,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (l, r) = (self.loss, self.reference);
        match self.reason {
            Reason::NotFinite => write!(f, "the loss or gradient became {l} at step {}", self.step),
            Reason::Jump => write!(f, "at step {} the loss jumped to {l:.3}, more than 10× its recent {r:.3}", self.step),
            Reason::Uniform => {
                write!(f, "by step {} the loss ({l:.3}) stayed above the uniform guess ({r:.3}) for 50 steps", self.step)
            }
            Reason::Far => write!(f, "by step {} the loss ({l:.3}) stayed above twice the uniform guess ({r:.3})", self.step),
        }?;
        f.write_str("; lower the learning rate or clip the gradient")
    }
}

/// The validation loss has stopped improving: the best and where it was, the latest, and for how
/// many checks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Memorising {
    pub best: f32,
    pub best_step: u64,
    pub loss: f32,
    pub checks: u32,
}

/// What one validation check says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    /// A new best.
    pub improved: bool,
    /// The memorising notice, the first time its rule holds for the current best.
    pub memorising: Option<Memorising>,
}

/// The running state of the rules above (see the module's doc comment).
#[derive(Clone, Copy, Debug)]
pub struct Monitor {
    log_v: f32,        // the uniform guess, nats
    ema: f64,          // Σ decayed losses (the smoothed loss before bias correction)
    ema_weight: f64,   // 1 − 0.95^steps: the bias correction
    window_sum: f64,   // losses of the window in progress
    window_len: u64,   // its steps
    recent: Option<f32>, // decaying average of window means
    fallen: bool,
    above: u64, // steps in a row above log V, once fallen
    far: u64,   // steps in a row above 2 log V
    best: Option<(f32, u64)>,
    stale: u32, // validation checks since the best
    warned: bool,
}

impl Monitor {
    /// A monitor for a vocabulary of `vocab_size` characters (log V is the uniform guess).
    pub fn new(vocab_size: usize) -> Monitor {
        Monitor {
            log_v: (vocab_size.max(2) as f32).ln(),
            ema: 0.0,
            ema_weight: 0.0,
            window_sum: 0.0,
            window_len: 0,
            recent: None,
            fallen: false,
            above: 0,
            far: 0,
            best: None,
            stale: 0,
            warned: false,
        }
    }

    /// The uniform guess log V (nats).
    pub fn log_v(&self) -> f32 {
        self.log_v
    }

    /// One step's `loss`, at `step`. Returns the divergence when a rule fires (the caller stops
    /// training; a run continued anyway is judged on from there).
    pub fn observe(&mut self, loss: f32, step: u64) -> Option<Divergence> {
        if !loss.is_finite() {
            return Some(Divergence { reason: Reason::NotFinite, step, loss, reference: f32::NAN });
        }
        self.ema = SMOOTH * self.ema + (1.0 - SMOOTH) * loss as f64;
        self.ema_weight = SMOOTH * self.ema_weight + (1.0 - SMOOTH);
        self.window_sum += loss as f64;
        self.window_len += 1;
        if self.window_len < WINDOW {
            return None;
        }
        let mean = (self.window_sum / WINDOW as f64) as f32;
        (self.window_sum, self.window_len) = (0.0, 0);
        if let Some(r) = self.recent {
            if mean > JUMP_FACTOR * r && mean > r + JUMP_NATS {
                return Some(Divergence { reason: Reason::Jump, step, loss: mean, reference: r });
            }
        }
        if mean > FAR * self.log_v {
            self.far += WINDOW;
            if self.far >= FAR_STEPS {
                return Some(Divergence { reason: Reason::Far, step, loss: mean, reference: self.log_v });
            }
        } else {
            self.far = 0;
        }
        self.fallen |= mean < FALLEN * self.log_v;
        if self.fallen && mean > self.log_v {
            self.above += WINDOW;
            if self.above >= UNIFORM_STEPS {
                return Some(Divergence { reason: Reason::Uniform, step, loss: mean, reference: self.log_v });
            }
        } else {
            self.above = 0;
        }
        self.recent = Some(self.recent.map_or(mean, |r| RECENT * r + (1.0 - RECENT) * mean));
        None
    }

    /// The smoothed training loss (nats); `None` before the first step.
    pub fn smooth(&self) -> Option<f32> {
        (self.ema_weight > 0.0).then(|| (self.ema / self.ema_weight) as f32)
    }

    /// One validation `loss` at `step` (`None` or non-finite: no validation text, nothing said).
    pub fn validation(&mut self, loss: Option<f32>, step: u64) -> Check {
        let Some(loss) = loss.filter(|l| l.is_finite()) else {
            return Check { improved: false, memorising: None };
        };
        match self.best {
            Some((b, _)) if loss >= b => {}
            _ => {
                self.best = Some((loss, step));
                self.stale = 0;
                self.warned = false;
                return Check { improved: true, memorising: None };
            }
        }
        self.stale += 1;
        let (best, best_step) = self.best.unwrap_or((loss, step));
        let memorising = (!self.warned && self.stale >= STALE_CHECKS && loss > best * (1.0 + STALE_ABOVE))
            .then(|| Memorising { best, best_step, loss, checks: self.stale });
        self.warned |= memorising.is_some();
        Check { improved: false, memorising }
    }

    /// The best validation loss and its step.
    pub fn best(&self) -> Option<(f32, u64)> {
        self.best
    }

    /// True once a window of steps has been judged and while the loss sits neither above the
    /// uniform guess (after having fallen below it) nor far above it: a point worth rolling back to.
    /// Before the first window there is no evidence either way (a few steps at a wild learning
    /// rate can wreck the weights before any rule can fire).
    pub fn healthy(&self) -> bool {
        self.recent.is_some() && self.above == 0 && self.far == 0
    }

    /// After a rollback: the averages and the smoothed loss start again (the losses after the
    /// snapshot are gone); the best validation point is kept.
    pub fn restart(&mut self) {
        *self = Monitor { log_v: self.log_v, best: self.best, fallen: self.fallen, ..Monitor::new(2) };
    }
}
