// Honest signals about a run, computed in the worker from the losses it sees:
//
// - Diverged (training stops): the loss turned NaN or infinite (the engine refuses the step);
//   or, after having fallen below 90 % of the uniform guess log V, the loss stayed above log V
//   for 50 steps; or it stayed above twice log V for 20 steps (worse than guessing, from the
//   start); or one slice of steps averaged more than 10× the recent average loss and at least
//   1 nat above it (a jump).
// - Memorising (a notice; training goes on): the validation loss has not improved for 5 checks in
//   a row and the latest is more than 5 % above the best.
//
// Pure module: no DOM, no engine; Node tests drive it with loss sequences.

export const RULES = {
  uniformFallen: 0.9, // the loss counts as having fallen below 0.9 · log V…
  uniformSteps: 50, // …and diverged after this many steps above log V
  farAbove: 2, // a loss above 2 · log V…
  farSteps: 20, // …for this many steps is diverged, fallen or not
  jumpFactor: 10, // a slice averaging 10× the recent average…
  jumpNats: 1, // …and at least 1 nat above it is a jump
  recent: 0.9, // per-slice decay of the recent average (a few seconds of slices)
  staleChecks: 5, // memorising: no better validation loss for 5 checks…
  staleAbove: 0.05, // …and the latest 5 % above the best
};

export class Monitor {
  /** `logV`: the uniform guess, log of the vocabulary size, in nats. */
  constructor(logV) {
    this.logV = logV;
    this.recent = null; // slowly decaying average of slice means
    this.fallen = false;
    this.above = 0; // steps in a row above log V (after having fallen)
    this.far = 0; // steps in a row above 2 · log V
    this.best = null; // {loss, step}
    this.stale = 0; // validation checks since the best
    this.warned = false; // the memorising notice was sent for this best
  }

  /**
   * A slice of `steps` steps with mean loss `mean`, ending at step `step`. Returns null, or
   * {reason: 'nan' | 'jump' | 'uniform' | 'far', step, loss, reference} when training must stop.
   */
  slice(steps, mean, step) {
    if (!(steps > 0)) return null;
    if (!Number.isFinite(mean)) return { reason: 'nan', step, loss: mean, reference: this.recent };
    if (this.recent !== null && mean > RULES.jumpFactor * this.recent && mean > this.recent + RULES.jumpNats) {
      return { reason: 'jump', step, loss: mean, reference: this.recent };
    }
    if (mean > RULES.farAbove * this.logV) {
      this.far += steps;
      if (this.far >= RULES.farSteps) return { reason: 'far', step, loss: mean, reference: this.logV };
    } else {
      this.far = 0;
    }
    if (mean < RULES.uniformFallen * this.logV) this.fallen = true;
    if (this.fallen && mean > this.logV) {
      this.above += steps;
      if (this.above >= RULES.uniformSteps) return { reason: 'uniform', step, loss: mean, reference: this.logV };
    } else {
      this.above = 0;
    }
    this.recent = this.recent === null ? mean : RULES.recent * this.recent + (1 - RULES.recent) * mean;
    return null;
  }

  /**
   * A validation loss at `step`. Returns {improved, memorising}: `memorising` is null, or
   * {best, bestStep, loss, checks} the first time the rule holds for the current best.
   */
  validation(loss, step) {
    if (loss === null || !Number.isFinite(loss)) return { improved: false, memorising: null };
    if (this.best === null || loss < this.best.loss) {
      this.best = { loss, step };
      this.stale = 0;
      this.warned = false;
      return { improved: true, memorising: null };
    }
    this.stale += 1;
    if (!this.warned && this.stale >= RULES.staleChecks && loss > this.best.loss * (1 + RULES.staleAbove)) {
      this.warned = true;
      return { improved: false, memorising: { best: this.best.loss, bestStep: this.best.step, loss, checks: this.stale } };
    }
    return { improved: false, memorising: null };
  }

  /** False while the loss sits above the uniform guess (after having fallen below it) or far above it. */
  healthy() {
    return this.above === 0 && this.far === 0;
  }

  /** After a rollback to `step`: the averages start again from there, the best is kept. */
  restart() {
    this.recent = null;
    this.above = 0;
    this.far = 0;
    this.stale = 0;
    this.warned = false;
  }
}
