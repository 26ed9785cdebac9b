//! The training loop: truncated BPTT over B streams (in k shards, [`crate::shard`]), clipping, the
//! optimizer step, validation, sampling and diagnostics. The CLI and the Web Worker both drive the
//! engine through [`Trainer`].

use crate::checkpoint::{self, Progress, TrainState};
use crate::config::Config;
use crate::config::TokenKind;
use crate::data::{split, Batcher, TokenIds};
use crate::diagnose::{self, entropy, GradCheck, GradFlow, Trace};
use crate::error::{Error, Result};
use crate::json::F32;
use crate::model::{Dims, Model, Params, Precision, State, Workspace};
use crate::loss::cross_entropy;
use crate::monitor::{Check, Divergence, Evidence, Monitor};
use crate::shard::{self, Shard};
use crate::optim::{clip, grad_norm, Optimizer};
use crate::probe::{probe, Probe, MAX_PROBE_TOKENS};
use crate::rng::Rng;
use crate::sample::{Sample, SampleOptions, Sampler};
use crate::tasks::{self, Split, Task};
use crate::tensorfile::File;
use crate::tokenizer;
use crate::vocab::{Vocab, VocabReport};

/// Largest corpus accepted, in bytes of UTF-8.
pub const MAX_CORPUS_BYTES: usize = 64 << 20;

/// Most memory `sequence_loss` may use for full backpropagation.
pub const MAX_GRAD_BYTES: u64 = if usize::BITS == 32 { 1 << 30 } else { 4 << 30 };

/// About how many positions of one stream make a piece of a validation pass, whose losses the
/// monitor compares ([`Evidence`]): long enough that neighbouring pieces are nearly independent.
pub const PIECE_TOKENS: usize = 512;

/// Which of the trainer's two texts.
#[derive(Clone, Copy)]
enum Text {
    Train,
    Val,
}

/// How a pass reads a text: stream b reads `chunks · steps` inputs from `starts[b]` (and the
/// targets one further), a chunk of `steps` at a time.
struct Layout {
    starts: Vec<usize>,
    steps: usize,
    chunks: usize,
}

/// What one optimizer step measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepStats {
    /// Steps taken so far (this one included).
    pub step: u64,
    /// Completed epochs.
    pub epoch: usize,
    /// Fraction of the current epoch done.
    pub epoch_progress: f32,
    /// Mean cross-entropy of the chunk, nats.
    pub loss: f32,
    /// Global gradient norm before clipping.
    pub grad_norm: f32,
    /// Whether clipping changed the gradients.
    pub clipped: bool,
    /// Learning rate used.
    pub lr: f32,
    /// Tokens trained on so far (steps × T × B).
    pub tokens: u64,
    /// Characters of the tokens this trainer has predicted so far (a resumed run counts from its
    /// resume): what a speed in characters per second counts.
    pub chars: u64,
    /// The chunk's loss in bits per character: its total bits over the characters of its targets.
    pub bits_per_char: f32,
    /// The smoothed training loss after this step (nats per token; [`Monitor::smooth`]).
    pub smooth: f32,
    /// The smoothed bits per character: smoothed bits over smoothed characters, with the same
    /// decay as [`StepStats::smooth`].
    pub smooth_bpc: f32,
    /// Set when this step tripped a divergence rule ([`crate::monitor`]): the caller stops.
    pub diverged: Option<Divergence>,
}

/// What preparing the corpus found (for a trainer with its own validation text, both texts).
/// Tokens are what the model reads ([`crate::tokenizer`]); for characters, tokens and
/// characters are the same counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CorpusReport {
    /// What a token is.
    pub kind: TokenKind,
    /// Tokens in the corpus (training plus validation text).
    pub tokens: usize,
    /// Characters in the corpus.
    pub chars: usize,
    /// Distinct tokens (of a fresh vocabulary's corpus; 0 for a loaded model).
    pub distinct: usize,
    /// Vocabulary size V (kept tokens plus the unknown id).
    pub vocab: usize,
    /// Distinct tokens beyond the vocabulary cap, mapped to the unknown id.
    pub dropped_tokens: usize,
    /// Their occurrences.
    pub dropped_occurrences: usize,
    /// Training tokens.
    pub train_tokens: usize,
    /// Characters of the training text.
    pub train_chars: usize,
    /// Validation tokens.
    pub val_tokens: usize,
    /// Characters of the validation text.
    pub val_chars: usize,
    /// Streams used (fewer than `batch` when the text is short).
    pub streams: usize,
    /// Tokens of the corpus read as the unknown token (beyond the cap, or not in a loaded
    /// model's vocabulary).
    pub unknown_tokens: usize,
    /// Characters inside those tokens: the share of the text whose spelling the model never sees.
    pub unknown_chars: usize,
    /// Distinct tokens of the corpus not in the vocabulary (for a trainer with its own validation
    /// text, the validation text's are counted among the first 100 of the training text's).
    pub unknown_distinct: usize,
    /// Whether a checkpoint resumed exactly (same corpus) rather than only its weights being loaded.
    pub resumed: bool,
    /// Unigram entropy H(X) of the training text's ids, bits per token ([`entropy`]): the loss of
    /// a model that knows only the token frequencies.
    pub unigram_bits: f64,
    /// Bigram conditional entropy H(X_t | X_{t−1}) of the training text's ids, bits per token.
    pub bigram_bits: f64,
}

/// A validation loss ([`Trainer::validate`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Validation {
    /// Mean cross-entropy per predicted token, nats.
    pub loss: f32,
    /// Total bits over the characters of the predicted tokens.
    pub bits_per_char: f32,
    /// Tokens predicted.
    pub tokens: usize,
    /// Characters of the tokens predicted.
    pub chars: usize,
}

/// A model with everything needed to train it on one corpus.
pub struct Trainer {
    /// Hyperparameters.
    pub config: Config,
    /// The vocabulary, with its tokenizer.
    pub vocab: Vocab,
    /// What the corpus preparation found.
    pub report: CorpusReport,
    /// The model being trained.
    pub model: Model,
    /// Optimizer state.
    pub optimizer: Optimizer,
    /// The layout of the B streams over the training text, and the position in it.
    pub batcher: Batcher,
    /// The last step's measurements.
    pub last: Option<StepStats>,
    /// The smoothed loss and the divergence and memorising rules, fed by [`Trainer::step`] and
    /// [`Trainer::check_validation`].
    pub monitor: Monitor,
    /// The k shards of the B streams (k = `config.workers`, at most B), each with its carried state.
    pub shards: Vec<Shard>,
    rng: Rng,
    train: TokenIds,     // training ids
    val: TokenIds,       // validation ids
    probe_text: String,  // the start of the validation text (or training text): the default probe
    read_chunk: usize,   // the chunk of the epoch the last read_chunks read
    chars: u64,          // characters predicted by this trainer's steps
    bpc_ema: (f64, f64), // smoothed (bits, characters) per step
    val_ws: Option<Workspace>,
    sampler: Sampler,
    corpus_hash: u64,
    /// The synthetic task and seed the texts were generated from, recorded in saved files.
    pub task: Option<(Task, u64)>,
}

fn fnv1a(h: u64, s: &str) -> u64 {
    s.bytes().fold(h, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Decodes bytes as UTF-8 strictly, naming the first invalid byte offset.
pub fn decode_corpus(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        Error::Corpus(format!(
            "the file is not valid UTF-8 text (invalid byte at offset {}); is it a binary file?",
            e.valid_up_to()
        ))
    })
}

fn check_corpus(corpus: &str) -> Result<()> {
    if corpus.is_empty() {
        return Err(Error::Corpus("the corpus is empty".into()));
    }
    if corpus.len() > MAX_CORPUS_BYTES {
        return Err(Error::Corpus(format!(
            "the corpus is {} MB; the limit is {} MB",
            corpus.len() >> 20,
            MAX_CORPUS_BYTES >> 20
        )));
    }
    if corpus.contains('\0') {
        return Err(Error::Corpus("the corpus contains NUL bytes; it looks like a binary file, not text".into()));
    }
    Ok(())
}

/// The two texts of `task` for `seed`, which are read as characters (`tokens`): their rules are
/// per character.
fn task_texts(task: Task, seed: u64, tokens: TokenKind) -> Result<(String, String)> {
    if tokens != TokenKind::Characters {
        return Err(Error::Config(format!(
            "tokens = {}: the synthetic task {} is defined per character (its rules count characters); train it with tokens = characters",
            tokens.name(),
            task.name()
        )));
    }
    Ok((tasks::text(task, seed, Split::Train), tasks::text(task, seed, Split::Val)))
}

/// The start of `text`: its first `n` tokens of `kind`.
pub fn first_tokens(kind: TokenKind, text: &str, n: usize) -> &str {
    let end = tokenizer::tokens(kind, text).take(n).map(str::len).sum();
    text.get(..end).unwrap_or(text)
}

/// The task a file made by [`Trainer::save_model`] or [`Trainer::save_checkpoint`] records (its
/// metadata `task`, the name, and `task_seed`), if any.
pub fn recorded_task(bytes: &[u8]) -> Option<(Task, u64)> {
    let file = File::parse(bytes).ok()?;
    Some((Task::parse(file.meta("task")?).ok()?, file.meta("task_seed")?.parse().ok()?))
}

impl Trainer {
    /// A fresh model for `corpus`, initialised from `config.seed`; the validation text is the end
    /// of the corpus ([`split`]).
    pub fn new(config: Config, corpus: &str) -> Result<Trainer> {
        Trainer::fresh(config, corpus, None, None)
    }

    /// A fresh model trained on `train` and validated on `val` (all of it, whatever
    /// `config.val_fraction` says); the vocabulary covers both.
    pub fn with_validation(config: Config, train: &str, val: &str) -> Result<Trainer> {
        Trainer::fresh(config, train, Some(val), None)
    }

    /// A fresh model for the synthetic `task`: trained on its training text for `seed`, validated
    /// on its validation text ([`tasks`]). Saved files record the task.
    pub fn for_task(config: Config, task: Task, seed: u64) -> Result<Trainer> {
        let (train, val) = task_texts(task, seed, config.tokens)?;
        Trainer::fresh(config, &train, Some(&val), Some((task, seed)))
    }

    fn fresh(config: Config, train: &str, val: Option<&str>, task: Option<(Task, u64)>) -> Result<Trainer> {
        config.validate()?;
        check_corpus(train)?;
        let mut text = String::from(train);
        if let Some(v) = val {
            check_corpus(v)?;
            text.push_str(v);
        }
        let (vocab, vr) = Vocab::build(config.tokens, &text, config.max_vocab)?;
        drop(text);
        let mut rng = Rng::new(config.seed);
        let params = Params::init(Dims::new(&config, vocab.len()), config.init, &mut rng);
        Trainer::assemble(config, vocab, vr, params, rng, train, val, task, None)
    }

    /// A trainer from a model file or checkpoint. A checkpoint made on the same corpus resumes
    /// exactly; otherwise the weights are loaded and training starts with a fresh optimizer.
    pub fn from_file(bytes: &[u8], corpus: &str) -> Result<Trainer> {
        Trainer::load(bytes, corpus, None, None)
    }

    /// [`Trainer::from_file`] for the synthetic `task` and `seed`: a checkpoint made on the same
    /// task and seed resumes exactly.
    pub fn from_file_for_task(bytes: &[u8], task: Task, seed: u64) -> Result<Trainer> {
        let kind = checkpoint::load(bytes)?.vocab.map_or(TokenKind::Characters, |v| v.kind());
        let (train, val) = task_texts(task, seed, kind)?;
        Trainer::load(bytes, &train, Some(&val), Some((task, seed)))
    }

    fn load(bytes: &[u8], corpus: &str, val: Option<&str>, task: Option<(Task, u64)>) -> Result<Trainer> {
        check_corpus(corpus)?;
        let loaded = checkpoint::load(bytes)?;
        let config = loaded.config.ok_or_else(|| {
            Error::ModelFile("the file has no training config (was it made by PyTorch?); use the CLI's eval".into())
        })?;
        let vocab = loaded.vocab.ok_or_else(|| Error::ModelFile("the file has no vocabulary".into()))?;
        let rng = loaded.train.as_ref().map(|t| Rng::from_state(t.progress.rng)).unwrap_or(Rng::new(config.seed));
        Trainer::assemble(config, vocab, VocabReport::default(), loaded.params, rng, corpus, val, task, loaded.train)
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        config: Config,
        vocab: Vocab,
        vr: VocabReport,
        params: Params,
        rng: Rng,
        corpus: &str,
        val_text: Option<&str>,
        task: Option<(Task, u64)>,
        resume: Option<TrainState>,
    ) -> Result<Trainer> {
        let kind = vocab.kind();
        let enc = vocab.encode(corpus)?;
        if enc.ids.len() < 2 {
            return Err(Error::Corpus("the corpus has a single token; there is nothing to predict".into()));
        }
        let mut unknown_distinct = enc.unknown_distinct;
        let mut corpus_hash = fnv1a(0xcbf2_9ce4_8422_2325, corpus);
        let (train, val, probe_text) = match val_text {
            Some(v) => {
                let ev = vocab.encode(v)?;
                unknown_distinct += ev.unknown.iter().filter(|c| !enc.unknown.contains(c)).count();
                corpus_hash = fnv1a(corpus_hash, v);
                (TokenIds::from(enc), TokenIds::from(ev), first_tokens(kind, v, MAX_PROBE_TOKENS).to_string())
            }
            None => {
                let (train, val) = split(&TokenIds::from(enc), config.val_fraction);
                let from = if val.len() >= 2 { first_tokens(kind, corpus, train.len()).len() } else { 0 };
                let probe_text = first_tokens(kind, corpus.get(from..).unwrap_or(corpus), MAX_PROBE_TOKENS).to_string();
                (train, val, probe_text)
            }
        };
        let mut batcher = Batcher::new(train.len(), config.seq_len, config.batch)?;
        let d = params.dims();
        let b = batcher.streams;
        let model = Model::new(params);
        let mut optimizer = Optimizer::new(config.optimizer, &model.params);
        let mut state = State::zeros(d, b);
        let mut resumed = false;
        if let Some(ts) = resume {
            if ts.progress.corpus_hash == corpus_hash && ts.progress.streams == b {
                batcher.chunk = ts.progress.chunk.min(batcher.chunks_per_epoch - 1);
                batcher.epoch = ts.progress.epoch;
                optimizer = ts.optimizer;
                state = ts.state;
                resumed = true;
            }
        }
        let h = entropy(&train.ids);
        let lens = vocab.lens();
        let (train_chars, val_chars) = (train.chars(0..train.len(), lens), val.chars(0..val.len(), lens));
        let report = CorpusReport {
            kind,
            tokens: train.len() + val.len(),
            chars: train_chars + val_chars,
            distinct: vr.distinct,
            vocab: vocab.len(),
            dropped_tokens: vr.dropped_tokens,
            dropped_occurrences: vr.dropped_occurrences,
            train_tokens: train.len(),
            train_chars,
            val_tokens: val.len(),
            val_chars,
            streams: b,
            unknown_tokens: train.unknown_tokens() + val.unknown_tokens(),
            unknown_chars: train.unknown_chars() + val.unknown_chars(),
            unknown_distinct,
            resumed,
            unigram_bits: h.unigram_bits,
            bigram_bits: h.bigram_bits,
        };
        let shards = shard::split(d, &batcher, &state, config.workers);
        let monitor = Monitor::new(vocab.len());
        Ok(Trainer {
            monitor,
            shards,
            sampler: Sampler::new(&model),
            config,
            vocab,
            report,
            model,
            optimizer,
            batcher,
            last: None,
            rng,
            train,
            val,
            probe_text,
            read_chunk: 0,
            chars: 0,
            bpc_ema: (0.0, 0.0),
            val_ws: None,
            corpus_hash,
            task,
        })
    }

    /// Changes the settings that may change during a run (the learning rate and its decay, the
    /// optimizer's constants, clipping, the workers: `live` in the settings table), from the next
    /// step on; the weights, optimizer state and position stay. Any other difference is an error
    /// naming it.
    pub fn update_live(&mut self, next: &Config) -> Result<()> {
        next.validate()?;
        let workers = self.config.workers;
        self.config = crate::settings::apply_live(&self.config, next)?;
        if self.config.workers != workers {
            self.set_workers(self.config.workers);
        }
        Ok(())
    }

    /// Re-cuts the B streams into `k` shards (0 means one, and at most B), each carrying its
    /// streams' state: from the next step, the run goes on on k workers.
    pub fn set_workers(&mut self, k: usize) {
        let d = self.model.dims();
        let state = shard::gather(&self.shards, d);
        self.shards = shard::split(d, &self.batcher, &state, k);
        self.config.workers = k;
    }

    /// One truncated-BPTT step: every shard reads its streams' next chunk and runs forward from
    /// its carried state and backward within the chunk ([`Shard::backprop`], in parallel), then
    /// [`Trainer::apply`] sums their gradients and takes the step.
    pub fn step(&mut self) -> Result<StepStats> {
        self.read_chunks();
        let scale = self.grad_scale();
        shard::backprop_all(&mut self.shards, &self.model, scale);
        self.apply()
    }

    /// Every shard reads its streams' next chunk (its state reset at an epoch's start): the first
    /// half of [`Trainer::step`], for a caller that runs the shards' [`Shard::backprop`] itself
    /// (the page's pool of Web Workers), then calls [`Trainer::apply`].
    pub fn read_chunks(&mut self) {
        for s in &mut self.shards {
            s.read(&self.train.ids);
        }
        self.read_chunk = self.batcher.chunk;
        self.batcher.advance();
    }

    /// What a shard scales its loss gradient by: 1/(T·B), the mean over the whole batch.
    pub fn grad_scale(&self) -> f32 {
        1.0 / (self.config.seq_len * self.batcher.streams) as f32
    }

    /// The update from the shards' gradients: their sum in shard order, clipped on its global
    /// norm, one optimizer step. A non-finite loss or gradient leaves the weights untouched and
    /// returns [`Error::Diverged`].
    pub fn apply(&mut self) -> Result<StepStats> {
        let (first, rest) = self.shards.split_first_mut().expect("at least one shard");
        let grad = &mut first.grad;
        let mut loss_sum = first.loss_sum;
        for s in rest.iter() {
            grad.add(&s.grad);
            loss_sum += s.loss_sum;
        }
        let loss = (loss_sum / (self.config.seq_len * self.batcher.streams) as f64) as f32;
        let norm = grad_norm(grad);
        if !loss.is_finite() || !norm.is_finite() {
            return Err(Error::Diverged(format!(
                "the loss or gradient became {} at step {}; reset and lower the learning rate or clip harder",
                F32(if loss.is_finite() { norm } else { loss }),
                self.optimizer.step + 1
            )));
        }
        let clipped = clip(grad, self.config.clip_mode, self.config.clip, norm);
        let lr = self.optimizer.lr(&self.config);
        self.optimizer.update(&self.config, &mut self.model.params, grad);
        self.model.repack();
        let diverged = self.monitor.observe(loss, self.optimizer.step);
        // Bits per character: the chunk's total bits over the characters its targets stand for.
        let chars = self.batcher.target_chars(self.read_chunk, &self.train, self.vocab.lens());
        self.chars += chars as u64;
        let tokens = (self.config.seq_len * self.batcher.streams) as u64;
        let bits = loss_sum / std::f64::consts::LN_2;
        let d = crate::monitor::SMOOTH;
        self.bpc_ema = (d * self.bpc_ema.0 + (1.0 - d) * bits, d * self.bpc_ema.1 + (1.0 - d) * chars as f64);
        let stats = StepStats {
            smooth: self.monitor.smooth().unwrap_or(loss),
            smooth_bpc: (self.bpc_ema.0 / self.bpc_ema.1.max(1.0)) as f32,
            bits_per_char: (bits / chars.max(1) as f64) as f32,
            tokens: self.optimizer.step * tokens,
            chars: self.chars,
            diverged,
            step: self.optimizer.step,
            epoch: self.batcher.epoch,
            epoch_progress: self.batcher.progress(),
            loss,
            grad_norm: norm,
            clipped,
            lr,
        };
        self.last = Some(stats.clone());
        Ok(stats)
    }

    /// The validation loss over at most `max_tokens` of the validation text (all of it when
    /// `None`), run as B streams in chunks of T with the state carried: nats per token and bits per
    /// character; `None` without validation text.
    pub fn validate(&mut self, max_tokens: Option<usize>) -> Option<Validation> {
        self.validate_until(max_tokens, || false)
    }

    /// [`Trainer::evidence`] judged by the monitor at the current step: the validation loss and
    /// what the monitor says of it (a new best, memorising, a plateau).
    pub fn check_validation(
        &mut self,
        max_tokens: Option<usize>,
        stop: impl FnMut() -> bool,
    ) -> (Option<Validation>, Check) {
        let (validation, evidence) = self.evidence(max_tokens, stop).unzip();
        (validation, self.monitor.validation(evidence.as_ref(), self.optimizer.step))
    }

    /// [`Trainer::validate`] that gives up, returning `None`, as soon as `stop()` says so (asked
    /// before each chunk): the command-line tool's Ctrl-C.
    pub fn validate_until(&mut self, max_tokens: Option<usize>, mut stop: impl FnMut() -> bool) -> Option<Validation> {
        let layout = self.val_layout(max_tokens)?;
        self.read(Text::Val, &layout, None, &mut stop)
    }

    /// The validation pass over at most `max_tokens` tokens ([`Trainer::validate_until`]) and,
    /// with the same weights, about as many tokens of training text read as training reads them
    /// at the start of an epoch: the validation and the evidence the monitor judges ([`Evidence`]).
    /// `None` without validation text or when `stop()` says so.
    pub fn evidence(
        &mut self,
        max_tokens: Option<usize>,
        mut stop: impl FnMut() -> bool,
    ) -> Option<(Validation, Evidence)> {
        let layout = self.val_layout(max_tokens)?;
        let mut val = Vec::new();
        let validation = self.read(Text::Val, &layout, Some(&mut val), &mut stop)?;
        // Training text as training reads it (its streams and chunks), about as much as validation
        // reads: `chunks` chunks of every stream, from the zero state, stream b's from a later
        // chunk of its segment than stream b − 1's. Staggered through the epoch, the pieces were
        // not all trained on a moment ago (a text's first chunks are, just after an epoch starts).
        let (streams, steps) = (self.batcher.streams, self.config.seq_len);
        let seg = (self.train.len() - 1) / streams;
        let per_epoch = self.batcher.chunks_per_epoch;
        let want = (layout.starts.len() * layout.chunks * layout.steps).div_ceil(streams * steps);
        let chunks = want.clamp(1, per_epoch);
        let first = |b: usize| b * (per_epoch - chunks) / (streams - 1).max(1);
        let starts = (0..streams).map(|b| b * seg + first(b) * steps).collect();
        let train_layout = Layout { starts, steps, chunks };
        let mut train = Vec::new();
        self.read(Text::Train, &train_layout, Some(&mut train), &mut stop)?;
        Some((validation, Evidence { loss: validation.loss, val, train }))
    }

    /// How validation reads at most `max_tokens` of the validation text: the training layout (same
    /// streams, same chunks), one pass; `None` without validation text.
    fn val_layout(&self, max_tokens: Option<usize>) -> Option<Layout> {
        let n = self.val.len().min(max_tokens.unwrap_or(usize::MAX));
        if n < 2 {
            return None;
        }
        let steps = self.config.seq_len.min(n - 1);
        let batcher = Batcher::new(n, steps, self.config.batch).ok()?;
        let seg = (n - 1) / batcher.streams;
        Some(Layout { starts: (0..batcher.streams).map(|b| b * seg).collect(), steps, chunks: batcher.chunks_per_epoch })
    }

    /// The loss of `text` read as `layout` says, from the zero state with the state carried between
    /// chunks: the mean of the chunks' mean losses, and the bits per character of their targets.
    /// With `pieces`, also the mean loss of each piece, stream by stream: every stream's span cut
    /// into pieces of about [`PIECE_TOKENS`] positions. `None` as soon as `stop()` says so (asked
    /// before each chunk).
    fn read(
        &mut self,
        text: Text,
        layout: &Layout,
        pieces: Option<&mut Vec<f32>>,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Validation> {
        let Layout { ref starts, steps, chunks } = *layout;
        let streams = starts.len();
        let ids = match text {
            Text::Val => &self.val,
            Text::Train => &self.train,
        };
        let d = self.model.dims();
        let ws = match &mut self.val_ws {
            Some(ws) if ws.steps == steps && ws.batch == streams => ws,
            slot => slot.insert(Workspace::new(d, steps, streams)),
        };
        let per_stream = ((chunks * steps + PIECE_TOKENS / 2) / PIECE_TOKENS).max(1);
        let piece_len = (chunks * steps).div_ceil(per_stream);
        // (S · pieces per stream) sums of the pieces' losses and their positions
        let mut sums = vec![(0.0f64, 0u32); if pieces.is_some() { streams * per_stream } else { 0 }];
        let mut state = State::zeros(d, streams);
        let (mut inputs, mut targets) = (vec![0u32; steps * streams], vec![0u32; steps * streams]);
        let mut total = 0.0f64;
        let mut chars = 0;
        for c in 0..chunks {
            if stop() {
                return None;
            }
            for t in 0..steps {
                for (b, &s) in starts.iter().enumerate() {
                    let i = s + c * steps + t;
                    (inputs[t * streams + b], targets[t * streams + b]) = (ids.ids[i], ids.ids[i + 1]);
                }
            }
            let lens = self.vocab.lens();
            chars += starts.iter().map(|&s| s + c * steps + 1).map(|a| ids.chars(a..a + steps, lens)).sum::<usize>();
            self.model.forward(ws, &inputs, &state);
            total += self.model.loss(ws, &targets) as f64;
            if !sums.is_empty() {
                let v = d.vocab;
                for (r, row) in ws.logits.chunks_exact(v).enumerate() {
                    let (t, b) = (r / streams, r % streams);
                    let piece = &mut sums[b * per_stream + (c * steps + t) / piece_len];
                    piece.0 += cross_entropy(self.model.isa(), row, v, &targets[r..r + 1], None) as f64;
                    piece.1 += 1;
                }
            }
            ws.final_state(&mut state);
        }
        if let Some(out) = pieces {
            *out = sums.iter().map(|&(sum, n)| (sum / n as f64) as f32).collect();
        }
        let bits = total * (steps * streams) as f64 / std::f64::consts::LN_2;
        Some(Validation {
            loss: (total / chunks as f64) as f32,
            bits_per_char: (bits / chars.max(1) as f64) as f32,
            tokens: chunks * steps * streams,
            chars,
        })
    }

    /// ‖∂L/∂h_t‖ for every t of the last chunk, per layer (bottom first): the vanishing/exploding
    /// profile, over every shard's streams.
    pub fn dh_norms(&self) -> Vec<Vec<f32>> {
        shard::dh_norms(&self.shards)
    }

    /// Samples `length` tokens after `prime` (tokenized as the training text), with its own seeded
    /// RNG so that sampling never changes the training run. With `keep_state` it continues from
    /// the previous sample's state. The bounds are the settings table's.
    pub fn sample(
        &mut self,
        prime: &str,
        length: usize,
        opts: &SampleOptions,
        seed: u64,
        keep_state: bool,
    ) -> Result<Sample> {
        crate::settings::get("length").check(crate::settings::Val::Int(length as u64))?;
        if !keep_state {
            self.sampler.reset();
        }
        let mut rng = Rng::new(seed);
        self.sampler.generate(&self.model, &self.vocab, prime, length, opts, &mut rng)
    }

    /// Real text for a sample to continue, chosen by `seed`: at most [`PRIME_CHARS`] characters of
    /// the validation text (of the training text when there is none), from the start of a line,
    /// sentence or word to the end of one ([`prime_bounds`]), cut between tokens. A sample from the
    /// zero state starts with junk until its state warms up; primed with text the model has not
    /// trained on, it continues mid-text, as the model was trained to read.
    pub fn sample_prime(&self, seed: u64) -> String {
        let ids = if self.val.len() >= 2 { &self.val.ids } else { &self.train.ids };
        let n = ids.len().min(PRIME_CHARS);
        let end = n + Rng::new(seed).below(ids.len() - n + 1);
        let mut window = &ids[end - n..end];
        // A word is several characters: keep the last tokens that fit in PRIME_CHARS.
        let lens = self.vocab.lens();
        let mut chars: usize = window.iter().map(|&id| lens[id as usize] as usize).sum();
        while chars > PRIME_CHARS && window.len() > 1 {
            chars -= lens[window[0] as usize] as usize;
            window = &window[1..];
        }
        let tokens: Vec<&str> = window.iter().map(|&id| self.vocab.token(id)).collect();
        let (from, to) = prime_bounds(&tokens);
        self.vocab.decode(&window[from..to])
    }

    /// Activations of every layer for the first [`MAX_PROBE_TOKENS`] tokens of `text`, from the
    /// zero state.
    pub fn probe(&self, text: &str) -> Result<Probe> {
        probe(&self.model, &self.vocab, text)
    }

    /// The tokens the diagnostics read of `text`: its first [`diagnose::MAX_DIAGNOSE_TOKENS`],
    /// at least two (one prediction).
    pub fn diagnose_tokens<'a>(&self, text: &'a str) -> Result<Vec<&'a str>> {
        let tokens: Vec<&str> =
            tokenizer::tokens(self.vocab.kind(), text).take(diagnose::MAX_DIAGNOSE_TOKENS).collect();
        diagnose::check_probe(tokens.len())?;
        Ok(tokens)
    }

    /// The ids of [`Trainer::diagnose_tokens`], unknown ones mapped to the unknown id.
    pub fn diagnose_ids(&self, text: &str) -> Result<Vec<u32>> {
        let n = self.diagnose_tokens(text)?.len();
        Ok(self.vocab.encode(first_tokens(self.vocab.kind(), text, n))?.ids)
    }

    /// ‖∂ℓ_t/∂h_k‖ of every layer over the first 128 tokens of `text` (at least 2) from the zero
    /// state ([`diagnose::grad_flow`]).
    pub fn grad_flow(&self, text: &str) -> Result<GradFlow> {
        diagnose::grad_flow(&self.model, &self.diagnose_ids(text)?)
    }

    /// Everything a forward and backward pass compute over the first 128 tokens of `text` (at
    /// least 2), position by position ([`diagnose::trace`]).
    pub fn trace(&self, text: &str) -> Result<Trace> {
        diagnose::trace(&self.model, &self.diagnose_ids(text)?)
    }

    /// σ_max of every gate block of every layer's `W_hh`, (L, G) ([`diagnose::sigma_max`]).
    pub fn sigma_max(&self) -> Vec<Vec<f32>> {
        diagnose::sigma_max(&self.model)
    }

    /// The chunk the next [`Trainer::step`] will train on — inputs and targets (T·B, time-major)
    /// and the state it starts from — without moving the data position or changing any state.
    pub fn next_chunk(&self) -> (Vec<u32>, Vec<u32>, State) {
        let mut batcher = self.batcher.clone();
        let tb = self.config.seq_len * batcher.streams;
        let (mut inputs, mut targets) = (vec![0; tb], vec![0; tb]);
        let fresh = batcher.next(&self.train.ids, &mut inputs, &mut targets);
        let d = self.model.dims();
        let state = if fresh { State::zeros(d, self.batcher.streams) } else { shard::gather(&self.shards, d) };
        (inputs, targets, state)
    }

    /// Backprop against central finite differences on the next training chunk, `per_tensor`
    /// (1 to 1000) parameters of every tensor chosen by `seed` ([`diagnose::grad_check`]). The run
    /// is left exactly as it was: the data position, the carried state, the last chunk's gradient
    /// norms and the weights (changed one at a time and put back). `only`: one tensor, in
    /// `state_dict` order (the page checks a tensor at a time, reporting progress between).
    pub fn grad_check(&mut self, per_tensor: usize, seed: u64, only: Option<usize>) -> Result<GradCheck> {
        let (inputs, targets, state) = self.next_chunk();
        let d = self.model.dims();
        let mut ws = Workspace::new(d, self.config.seq_len, self.batcher.streams);
        self.model.forward(&mut ws, &inputs, &state);
        let mut grad = Params::zeros(d);
        self.model.backward(&mut ws, &inputs, &targets, &mut grad);
        diagnose::grad_check(&mut self.model, &mut ws, &inputs, &targets, &state, &grad, per_tensor, seed, only)
    }

    /// The default probe text: the first `tokens` tokens (at most [`MAX_PROBE_TOKENS`]) of the
    /// validation text (or of the training text), as written.
    pub fn default_probe_text(&self, tokens: usize) -> String {
        first_tokens(self.vocab.kind(), &self.probe_text, tokens).to_string()
    }

    /// The model alone, as a safetensors file PyTorch loads.
    pub fn save_model(&self) -> Result<Vec<u8>> {
        checkpoint::save(&self.model.params, &self.config, &self.vocab, None).map(|f| self.record_task(f))
    }

    /// `file` with the metadata `task` and `task_seed` when the texts came from a task
    /// ([`recorded_task`]), inserted at the start of the `__metadata__` object that
    /// [`tensorfile::write`] puts first in the header, padded with spaces to a multiple of 8 bytes
    /// so the data stays aligned (its offsets are relative to the header's end, so they stand).
    /// Here rather than in [`checkpoint::save`], which knows nothing of tasks.
    fn record_task(&self, file: Vec<u8>) -> Vec<u8> {
        const AT: usize = 8 + b"{\"__metadata__\":{".len();
        let Some((task, seed)) = self.task else {
            return file;
        };
        debug_assert_eq!(&file[8..AT], b"{\"__metadata__\":{");
        let mut h = format!("\"task\":\"{}\",\"task_seed\":\"{seed}\",", task.name()).into_bytes();
        h.resize(h.len().next_multiple_of(8), b' ');
        let mut out = file[..AT].to_vec();
        let n = u64::from_le_bytes(file[..8].try_into().unwrap_or_default()) + h.len() as u64;
        out[..8].copy_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(&file[AT..]);
        out
    }

    /// A checkpoint for an exact resume on the same corpus.
    pub fn save_checkpoint(&self) -> Result<Vec<u8>> {
        self.save_checkpoint_with(None)
    }

    /// [`Trainer::save_checkpoint`], carrying `corpus` when given ([`checkpoint::CORPUS`]): it must
    /// be the text the trainer was built on (the CLI's file, or [`Trainer::text`]).
    pub fn save_checkpoint_with(&self, corpus: Option<&str>) -> Result<Vec<u8>> {
        let ts = TrainState {
            progress: Progress {
                step: self.optimizer.step,
                epoch: self.batcher.epoch,
                chunk: self.batcher.chunk,
                streams: self.batcher.streams,
                rng: self.rng.state(),
                corpus_hash: self.corpus_hash,
            },
            optimizer: self.optimizer.clone(),
            state: shard::gather(&self.shards, self.model.dims()),
        };
        checkpoint::save_with(&self.model.params, &self.config, &self.vocab, Some(&ts), corpus)
            .map(|f| self.record_task(f))
    }

    /// The text the trainer was built on (training then validation part), decoded from its ids:
    /// exact, or `None` when some of its tokens were mapped to the unknown id. (For a trainer with
    /// its own validation text, the two texts joined, which it would not resume on.)
    pub fn text(&self) -> Option<String> {
        (self.report.unknown_tokens == 0)
            .then(|| self.vocab.decode(&self.train.ids) + &self.vocab.decode(&self.val.ids))
    }
}

/// Most characters of a sample's default prime ([`Trainer::sample_prime`]).
pub const PRIME_CHARS: usize = 100;

/// Where a prime cut from `tokens` starts and ends, in tokens: it ends after the last line end in
/// its last two thirds, else after the last sentence end there (with its space), else after the
/// last space there; it starts after the first line end, else the first sentence end, else the
/// first space, in what is left before that end's last quarter; a line end takes the blank lines
/// after it along. A token is such a boundary when it ends with one (a word model's whitespace
/// runs). Without a boundary, the edge stays.
pub fn prime_bounds(tokens: &[&str]) -> (usize, usize) {
    const SENTENCE: &[char] = &['.', '!', '?', '。', '！', '？'];
    let n = tokens.len();
    let is = |set: &[char], i: usize| tokens[i].chars().next_back().is_some_and(|c| set.contains(&c));
    // The position after a boundary at i: a sentence end takes its space along, a line end the
    // blank lines after it.
    let after = |i: usize| {
        if is(SENTENCE, i) && tokens.get(i + 1) == Some(&" ") {
            return i + 2;
        }
        let blank = |t: &str| !t.is_empty() && t.chars().all(|c| c == '\n');
        i + 1 + if blank(tokens[i]) { tokens[i + 1..].iter().take_while(|t| blank(t)).count() } else { 0 }
    };
    let last = |set: &[char]| (n / 3..n).rev().find(|&i| is(set, i)).map(after);
    let end = last(&['\n']).or_else(|| last(SENTENCE)).or_else(|| last(&[' '])).unwrap_or(n);
    let first = |set: &[char]| (0..end - end / 4).find(|&i| is(set, i)).map(after);
    let start = first(&['\n']).or_else(|| first(SENTENCE)).or_else(|| first(&[' '])).unwrap_or(0);
    (start.min(end), end)
}

/// Loss of `model` on one stream over all of `ids` from the zero state, without truncation: inputs
/// are every id but the last, targets the ids after them. With `want_grad` also returns ∂loss/∂params
/// (full backpropagation through the whole text, so its activations must fit in memory).
pub fn sequence_loss(model: &Model, ids: &[u32], want_grad: bool) -> Result<(f32, Option<Params>)> {
    if ids.len() < 2 {
        return Err(Error::Text("the text needs at least two tokens".into()));
    }
    let d = model.dims();
    let steps = ids.len() - 1;
    if want_grad {
        // Activations and their gradients per token: gates twice, h, c, tanh c per layer.
        let floats = steps as f64 * ((2 * d.cell.gates() + 4) * d.hidden * d.layers + 2 * d.vocab) as f64;
        if floats * 4.0 > MAX_GRAD_BYTES as f64 {
            return Err(Error::Text(format!(
                "{steps} tokens need about {:.1} GB for full backpropagation; the limit is {} GB",
                floats * 4.0 / 1e9,
                MAX_GRAD_BYTES >> 30
            )));
        }
        let mut ws = Workspace::new(d, steps, 1);
        model.forward(&mut ws, &ids[..steps], &State::zeros(d, 1));
        let mut grad = Params::zeros(d);
        let loss = model.backward(&mut ws, &ids[..steps], &ids[1..], &mut grad);
        return Ok((loss, Some(grad)));
    }
    Ok((sequence_loss_at(model, ids, Precision::F32)?, None))
}

/// [`sequence_loss`] without gradients, with the weight matrices in `precision` (to measure what
/// bf16 sampling gives up). The forward pass runs in chunks with the state carried: the same
/// numbers as one long pass, in bounded memory.
pub fn sequence_loss_at(model: &Model, ids: &[u32], precision: Precision) -> Result<f32> {
    if ids.len() < 2 {
        return Err(Error::Text("the text needs at least two tokens".into()));
    }
    let d = model.dims();
    let steps = ids.len() - 1;
    let chunk = steps.min(1024);
    let mut ws = Workspace::new(d, chunk, 1);
    let mut state = State::zeros(d, 1);
    let mut total = 0.0f64;
    let mut start = 0;
    while start < steps {
        let n = chunk.min(steps - start);
        if n != ws.steps {
            ws = Workspace::new(d, n, 1);
        }
        model.forward_at(precision, &mut ws, &ids[start..start + n], &state);
        total += model.loss(&ws, &ids[start + 1..start + n + 1]) as f64 * n as f64;
        ws.final_state(&mut state);
        start += n;
    }
    Ok((total / steps as f64) as f32)
}
