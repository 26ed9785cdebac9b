//! Honest signals about a run, fed every step's loss and every validation check; the CLI and the
//! page's worker read the same verdicts, so a run is never shown as "training" while it diverges,
//! nor as "memorising" while its training and validation losses agree.
//!
//! - **Smoothed loss**: an exponential moving average over steps with bias correction,
//!   `m_t = 0.95 m_{t-1} + 0.05 ℓ_t`, shown as `m_t / (1 − 0.95^t)`.
//! - **Diverged** (training stops): a loss that is NaN or infinite, at once; otherwise judged on
//!   the mean loss of each window of 10 steps (one noisy step proves nothing):
//!   a window more than 10× the recent average of windows and at least 1 nat above it (a jump);
//!   after a window below 90 % of the uniform guess log V, windows above log V for 50 steps;
//!   windows above 2 log V for 20 steps (worse than guessing, fallen or not).
//!
//! A validation check brings [`Evidence`]: with the weights of the moment, the mean loss `v_i` of
//! each of n pieces of the validation text, and `u_i` of each of m pieces of training text read as
//! training reads it (its streams and chunks, from spread-out chunks of its epoch); a piece is
//! about 512 characters of one stream, and the pieces are the same at every check. So two checks
//! compare piece by piece: for the differences `d_i`, the mean `d̄` and its standard error
//! `se(d) = sd(d) / √n`, the noise that the choice of pieces makes. Reading training text with the
//! same weights cancels what moves both losses alike: the weights' own noise (at a plateau, one
//! step of Adam moves the validation loss by many of its standard errors, and the training loss
//! with it) and a learning rate too high (both rise). What is left is the generalisation gap.
//!
//! ```text
//! against the best check b (lowest validation loss), at check k:
//!   rise    R = mean(v_k − v_b)  > 3 se(v_k − v_b)                      validation got worse
//!   fall    F = mean(u_k − u_b)  < 0                                    training text got better
//!   widen   W = R − F            > max(3 √(se(v_k − v_b)² + se(u_k − u_b)²), 0.1 · loss_b)
//! ```
//! The floor of a tenth of the loss: the pieces of one text are not fully independent (the
//! validation text is one stretch of a book, its chapters share their topics), so the standard
//! errors understate how far the gap wanders; on the English preset it moved by up to 3 % of the
//! loss and, at single checks, by 4 standard errors, while a model learning its text by heart
//! grows it by a large part of the loss within a few checks.
//!
//! - **Memorising** (a notice; training goes on): rise, fall and widen at 2 checks in a row, with
//!   at least 8 pieces of each text. Said once per best. On text generated afresh (megabytes,
//!   read a few times) training and validation move together and it never fires; a big model on
//!   a small text soon learns the text by heart, and it does.
//! - **Plateau** (a notice while it holds): after 2,000 steps, the best validation loss of the
//!   second half of the run (at least 3 checks) is not 1 % below the best of the first half (at
//!   least 3 checks), and the gap has not grown beyond noise (no `W > 3 √(…)`): training and
//!   validation agree, the model has stopped improving with these settings ([`remedies`] says
//!   what fits them). Reported at every check while it holds; [`Plateau::new`] at the first.

use crate::config::{CellKind, Config};
use crate::settings;
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
/// Standard errors a difference must exceed to count (one-sided: 0.13 % of noise does).
pub const Z: f32 = 3.0;
/// The gap must also grow by this fraction of the best validation loss.
pub const WIDEN_FLOOR: f32 = 0.1;
/// Checks in a row the memorising evidence must hold at.
pub const CONFIRM: u32 = 2;
/// Fewest pieces for a standard error.
pub const MIN_PIECES: usize = 8;
/// A plateau is judged from this step on…
pub const PLATEAU_STEPS: u64 = 2000;
/// …when the second half's best is not this fraction below the first half's.
pub const PLATEAU_GAIN: f32 = 0.01;
/// Checks each half needs.
pub const PLATEAU_CHECKS: usize = 3;

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

/// One validation check's measurements ([`crate::Trainer::evidence`]), all with the same weights.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// The validation loss (nats): the mean over the validation text read, as shown.
    pub loss: f32,
    /// (n) the mean loss of each piece of the validation text.
    pub val: Vec<f32>,
    /// (n) the same for as many pieces of training text; empty when there is too little of it.
    pub train: Vec<f32>,
}

/// The evidence of memorising: the validation loss rose from its best while the loss on training
/// text fell, beyond their noise ([`Monitor::validation`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Memorising {
    /// The best validation loss and its step.
    pub best: f32,
    pub best_step: u64,
    /// The validation loss now.
    pub loss: f32,
    /// The loss on training text at the best check and now.
    pub train_best: f32,
    pub train: f32,
    /// The rise of the validation loss (`R`) and its standard error.
    pub rise: f32,
    pub rise_se: f32,
    /// How much the gap grew (`W`) and its standard error.
    pub widening: f32,
    pub widening_se: f32,
}

impl fmt::Display for Memorising {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the validation loss rose from its best, {:.3} at step {}, to {:.3} (+{:.3} ± {:.3}), while the loss on \
             training text fell from {:.3} to {:.3}: the gap grew by {:.3} ± {:.3}",
            self.best, self.best_step, self.loss, self.rise, self.rise_se, self.train_best, self.train, self.widening,
            self.widening_se
        )
    }
}

/// The model has stopped improving while training and validation agree ([`Monitor::validation`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plateau {
    /// The best validation loss and its step.
    pub best: f32,
    pub best_step: u64,
    /// The first step of the second half, in which the validation loss improved less than 1 %.
    pub since: u64,
    /// The validation loss and the loss on training text now.
    pub loss: f32,
    pub train: f32,
    /// The first check of this plateau.
    pub new: bool,
}

impl fmt::Display for Plateau {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the validation loss has improved by less than 1 % since step {} (best {:.3} at step {}); training and \
             validation agree ({:.3} and {:.3}), so it is not memorising: the model has learned what it can with these \
             settings",
            self.since, self.best, self.best_step, self.train, self.loss
        )
    }
}

/// A change that may take a model further once it has stopped improving ([`remedies`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// A tanh RNN: an LSTM or a GRU carries information (and gradient) over many more steps.
    Gated,
    /// A truncation length T below the default: the gradient cannot teach anything longer.
    LongerT,
    /// A bigger hidden state (or more layers) holds more.
    Bigger,
    /// A constant learning rate: a lower or decaying one lets the weights settle lower.
    LowerLr,
}

impl Remedy {
    /// The name the page's worker uses.
    pub fn name(self) -> &'static str {
        match self {
            Remedy::Gated => "gated",
            Remedy::LongerT => "longer_t",
            Remedy::Bigger => "bigger",
            Remedy::LowerLr => "lower_lr",
        }
    }
}

/// What may help a model of `config` that has stopped improving, most telling first: a gated
/// cell for a tanh RNN, a longer T below the default, a bigger state below 512 units, a decaying
/// learning rate when it is constant.
pub fn remedies(config: &Config) -> Vec<Remedy> {
    let wanted = [
        (config.cell == CellKind::Rnn, Remedy::Gated),
        (config.seq_len < settings::int_default("seq_len") as usize, Remedy::LongerT),
        (config.hidden < 512, Remedy::Bigger),
        (config.lr_decay >= 1.0, Remedy::LowerLr),
    ];
    wanted.into_iter().filter(|(w, _)| *w).map(|(_, r)| r).collect()
}

/// What one validation check says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    /// A new best.
    pub improved: bool,
    /// The memorising notice, the first time its rule holds for the current best.
    pub memorising: Option<Memorising>,
    /// While the plateau rule holds.
    pub plateau: Option<Plateau>,
}

/// The running state of the rules above (see the module's doc comment).
#[derive(Clone, Debug)]
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
    best: Option<(u64, Evidence)>, // the best check: its step and evidence
    history: Vec<(u64, f32)>,     // (step, validation loss) of every check
    confirmed: u32,               // checks in a row with the memorising evidence
    warned: bool,                 // memorising said for the current best
    plateau: bool,                // the plateau rule held at the last check
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
            history: Vec::new(),
            confirmed: 0,
            warned: false,
            plateau: false,
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

    /// One validation check at `step` (`None`, or a non-finite loss: no validation text, nothing
    /// said): a new best, the memorising notice and the plateau, by the rules of the module's doc.
    pub fn validation(&mut self, evidence: Option<&Evidence>, step: u64) -> Check {
        let Some(e) = evidence.filter(|e| e.loss.is_finite()) else {
            return Check { improved: false, memorising: None, plateau: None };
        };
        self.history.push((step, e.loss));
        let improved = self.best.as_ref().is_none_or(|(_, b)| e.loss < b.loss);
        if improved {
            self.best = Some((step, e.clone()));
            (self.confirmed, self.warned) = (0, false);
        }
        let (best_step, best) = self.best.as_ref().map(|(s, b)| (*s, b)).unwrap_or((step, e));
        let gap = Gap::between(best, e);
        let evident = gap.is_some_and(|g| {
            g.rise > Z * g.rise_se && g.fall < 0.0 && g.widening > (Z * g.widening_se).max(WIDEN_FLOOR * best.loss)
        });
        self.confirmed = if evident { self.confirmed + 1 } else { 0 };
        let memorising = match gap {
            Some(g) if !self.warned && self.confirmed >= CONFIRM => Some(Memorising {
                best: best.loss,
                best_step,
                loss: e.loss,
                train_best: mean(&best.train),
                train: mean(&e.train),
                rise: g.rise,
                rise_se: g.rise_se,
                widening: g.widening,
                widening_se: g.widening_se,
            }),
            _ => None,
        };
        self.warned |= memorising.is_some();
        let agree = gap.is_some_and(|g| g.widening <= Z * g.widening_se);
        let plateau = (agree && self.stalled(step)).then(|| Plateau {
            best: best.loss,
            best_step,
            since: step / 2 + 1,
            loss: e.loss,
            train: mean(&e.train),
            new: !self.plateau,
        });
        self.plateau = plateau.is_some();
        Check { improved, memorising, plateau }
    }

    /// Whether, at `step`, the best validation loss of the second half of the run is not
    /// [`PLATEAU_GAIN`] below the first half's (each with at least [`PLATEAU_CHECKS`] checks).
    fn stalled(&self, step: u64) -> bool {
        if step < PLATEAU_STEPS {
            return false;
        }
        // (checks, best loss) of the first half of the run and of the second
        let mut halves = [(0, f32::INFINITY); 2];
        for &(s, loss) in &self.history {
            let h = &mut halves[(s > step / 2) as usize];
            *h = (h.0 + 1, h.1.min(loss));
        }
        let [(n1, first), (n2, second)] = halves;
        n1 >= PLATEAU_CHECKS && n2 >= PLATEAU_CHECKS && second > first * (1.0 - PLATEAU_GAIN)
    }

    /// The best validation loss and its step.
    pub fn best(&self) -> Option<(f32, u64)> {
        self.best.as_ref().map(|(s, e)| (e.loss, *s))
    }

    /// True once a window of steps has been judged and while the loss sits neither above the
    /// uniform guess (after having fallen below it) nor far above it: a point worth rolling back to.
    /// Before the first window there is no evidence either way (a few steps at a wild learning
    /// rate can wreck the weights before any rule can fire).
    pub fn healthy(&self) -> bool {
        self.recent.is_some() && self.above == 0 && self.far == 0
    }

    /// After a rollback to `step`: the averages and the smoothed loss start again and the checks
    /// after `step` are forgotten (the losses after the snapshot are gone); the best validation
    /// point is kept.
    pub fn restart(&mut self, step: u64) {
        let mut history = std::mem::take(&mut self.history);
        history.retain(|(s, _)| *s <= step);
        *self = Monitor { log_v: self.log_v, best: self.best.take(), fallen: self.fallen, history, ..Monitor::new(2) };
    }
}

/// Two checks compared piece by piece (see the module's doc): `rise` = R, `fall` = F, `widening`
/// = W, with the standard errors of R and W.
#[derive(Clone, Copy, Debug)]
struct Gap {
    rise: f32,
    rise_se: f32,
    fall: f32,
    widening: f32,
    widening_se: f32,
}

impl Gap {
    /// `now` against `then`, each text's pieces paired with themselves; `None` with fewer than
    /// [`MIN_PIECES`] of either text (or pieces that do not pair).
    fn between(then: &Evidence, now: &Evidence) -> Option<Gap> {
        let (rise, rise_se) = paired(&now.val, &then.val)?;
        let (fall, fall_se) = paired(&now.train, &then.train)?;
        // Independent pieces of two texts: the variances add.
        Some(Gap { rise, rise_se, fall, widening: rise - fall, widening_se: (rise_se * rise_se + fall_se * fall_se).sqrt() })
    }
}

/// The mean of the differences `now_i − then_i` and its standard error `sd / √n` (the sample
/// standard deviation); `None` unless at least [`MIN_PIECES`] pair.
fn paired(now: &[f32], then: &[f32]) -> Option<(f32, f32)> {
    let n = now.len();
    if n != then.len() || n < MIN_PIECES {
        return None;
    }
    let (mut sum, mut squares) = (0.0f64, 0.0f64);
    for (a, b) in now.iter().zip(then) {
        let d = (a - b) as f64;
        sum += d;
        squares += d * d;
    }
    let (n, mean) = (n as f64, sum / n as f64);
    let var = ((squares - sum * mean) / (n - 1.0)).max(0.0);
    Some((mean as f32, (var / n).sqrt() as f32))
}

/// The mean (0 for none).
fn mean(x: &[f32]) -> f32 {
    (x.iter().map(|&v| v as f64).sum::<f64>() / x.len().max(1) as f64) as f32
}
