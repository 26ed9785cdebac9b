//! Model files and training checkpoints in the safetensors format.
//!
//! A *model* file holds exactly PyTorch's `state_dict` of `Embedding → nn.RNN/LSTM/GRU
//! (batch_first) → Linear` named `embedding`, `rnn`, `fc`, so `model.load_state_dict(
//! safetensors.torch.load_file(path))` accepts it; config, the token kind (`tokens`: `characters`
//! or `words`), the vocabulary (a JSON array of its tokens in id order) and format version are in
//! the metadata. A file without `tokens` (made before words existed) reads characters. A *checkpoint* adds `optim.m.*` / `optim.v.*` moments and `train.h` / `train.c` (the
//! carried state), plus the step, data position and RNG state in its metadata, for an exact resume.
//! A checkpoint may also carry its training text (opt-in, [`save_with`]) as the metadata entry
//! `corpus` ([`CORPUS`]), so that it resumes without the text file (the header, and so the text
//! with its JSON escapes, is limited to 100 MB as in the `safetensors` crate).
//!
//! Loading checks every tensor: F32 (or F64, converted), the expected shape, and no NaN or
//! infinity, each failure naming the tensor.

use crate::config::{CellKind, Config, TokenKind};
use crate::error::{Error, Result};
use crate::json::{self, Value};
use crate::model::{Dims, Params, State};
use crate::optim::Optimizer;
use crate::tensorfile::{self, File};
use crate::vocab::Vocab;

/// The value of the `format` metadata key.
pub const FORMAT: &str = "rnn-playground";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// The metadata key of a checkpoint's training text.
pub const CORPUS: &str = "corpus";

/// Training progress stored in a checkpoint's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Optimizer steps taken.
    pub step: u64,
    /// Completed epochs.
    pub epoch: usize,
    /// Next chunk within the epoch.
    pub chunk: usize,
    /// Streams the batcher used.
    pub streams: usize,
    /// RNG state.
    pub rng: [u64; 4],
    /// Fingerprint of the training corpus, to refuse resuming on other text.
    pub corpus_hash: u64,
}

impl Progress {
    /// The metadata JSON: `{"step":…,"epoch":…,"chunk":…,"streams":…,"rng":[…],"corpus_hash":…}`.
    pub fn to_json(&self) -> String {
        let [r0, r1, r2, r3] = self.rng;
        format!(
            "{{\"step\":{},\"epoch\":{},\"chunk\":{},\"streams\":{},\"rng\":[{r0},{r1},{r2},{r3}],\"corpus_hash\":{}}}",
            self.step, self.epoch, self.chunk, self.streams, self.corpus_hash
        )
    }

    /// Parses [`Progress::to_json`]'s output (other members are ignored).
    pub fn from_json(s: &str) -> std::result::Result<Progress, String> {
        let v = json::parse(s)?;
        let int = |key: &str| v.get(key).and_then(Value::as_u64).ok_or(format!("{key} is missing or not an integer"));
        let size = |key: &str| int(key).and_then(|n| usize::try_from(n).map_err(|_| format!("{key} is too large")));
        let rng = match v.get("rng") {
            Some(Value::Array(a)) if a.len() == 4 => a.iter().map(Value::as_u64).collect::<Option<Vec<_>>>(),
            _ => None,
        }
        .ok_or("rng is not a list of 4 integers")?;
        Ok(Progress {
            step: int("step")?,
            epoch: size("epoch")?,
            chunk: size("chunk")?,
            streams: size("streams")?,
            rng: [rng[0], rng[1], rng[2], rng[3]],
            corpus_hash: int("corpus_hash")?,
        })
    }
}

/// Everything a checkpoint adds to a model.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState {
    /// Step, data position, RNG.
    pub progress: Progress,
    /// Optimizer moments.
    pub optimizer: Optimizer,
    /// The state carried into the next chunk.
    pub state: State,
}

/// What a file contained.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The model's tensors.
    pub params: Params,
    /// The config, when the file was written by this project.
    pub config: Option<Config>,
    /// The vocabulary, when the file was written by this project.
    pub vocab: Option<Vocab>,
    /// Training state, when the file is a checkpoint.
    pub train: Option<TrainState>,
    /// The training text, when the checkpoint carries it ([`CORPUS`]).
    pub corpus: Option<String>,
}

/// `x` as little-endian bytes. Not inlined: one copy serves every tensor.
#[inline(never)]
fn f32_bytes(x: &[f32]) -> Vec<u8> {
    let mut out = vec![0; 4 * x.len()];
    for (o, v) in out.chunks_exact_mut(4).zip(x) {
        o.copy_from_slice(&v.to_le_bytes());
    }
    out
}

/// Every tensor of `params` as (name, shape, little-endian bytes).
fn named_tensors(params: &Params) -> Vec<(String, Vec<usize>, Vec<u8>)> {
    let mut names = params.names_and_shapes().into_iter();
    let mut out = Vec::new();
    params.for_each(|t| {
        let (name, shape) = names.next().expect("one name per tensor");
        out.push((name, shape, f32_bytes(t)));
    });
    out
}

/// Serialises a model (and, with `train`, a checkpoint).
pub fn save(params: &Params, config: &Config, vocab: &Vocab, train: Option<&TrainState>) -> Result<Vec<u8>> {
    save_with(params, config, vocab, train, None)
}

/// [`save`], carrying `corpus` (the training text) in the metadata when given ([`CORPUS`]).
pub fn save_with(
    params: &Params,
    config: &Config,
    vocab: &Vocab,
    train: Option<&TrainState>,
    corpus: Option<&str>,
) -> Result<Vec<u8>> {
    // The header must stay readable: bound the text's JSON length (an escape takes at most 6 bytes).
    let mut room = tensorfile::MAX_HEADER - (1 << 20);
    for b in corpus.unwrap_or("").bytes() {
        room = room
            .checked_sub(if b < 32 || b == b'"' || b == b'\\' { 6 } else { 1 })
            .ok_or_else(|| Error::Corpus("the text is too large to carry in a checkpoint".into()))?;
    }
    let names = params.names_and_shapes();
    let mut tensors = named_tensors(params);
    let mut meta = vec![
        ("format", FORMAT.to_string()),
        ("version", VERSION.to_string()),
        ("cell", config.cell.name().to_string()),
        ("config", config.to_json()),
        ("tokens", vocab.kind().name().to_string()),
        ("vocab", vocab.to_json()),
        ("kind", if train.is_some() { "checkpoint" } else { "model" }.to_string()),
    ];
    if let Some(ts) = train {
        for (prefix, moments) in [("optim.m.", &ts.optimizer.m), ("optim.v.", &ts.optimizer.v)] {
            for ((name, shape), m) in names.iter().zip(moments) {
                if !m.is_empty() {
                    tensors.push((format!("{prefix}{name}"), shape.clone(), f32_bytes(m)));
                }
            }
        }
        let d = params.dims();
        let b = ts.progress.streams;
        tensors.push(("train.h".into(), vec![d.layers, b, d.hidden], f32_bytes(&ts.state.h)));
        if !ts.state.c.is_empty() {
            tensors.push(("train.c".into(), vec![d.layers, b, d.hidden], f32_bytes(&ts.state.c)));
        }
        // A JSON string, as serde_json wrote it before.
        meta.push(("optimizer", format!("\"{}\"", ts.optimizer.kind.name())));
        meta.push(("progress", ts.progress.to_json()));
        meta.push((
            "note",
            "training checkpoint: optim.* and train.* are optimizer and loop state, not model weights".to_string(),
        ));
    }
    if let Some(c) = corpus {
        meta.push((CORPUS, c.to_string()));
    }
    Ok(tensorfile::write(&tensors, &meta))
}

/// Serialises gradients (or any tensors shaped like the model) under the model's tensor names.
pub fn save_gradients(grad: &Params) -> Result<Vec<u8>> {
    let tensors = named_tensors(grad);
    let meta = [("format", FORMAT.to_string()), ("kind", "gradients".to_string())];
    Ok(tensorfile::write(&tensors, &meta))
}

/// A shape as `[a, b]` (as `{:?}` prints it, without linking Debug formatting).
fn shape_text(shape: &[usize]) -> String {
    let mut out = String::from("[");
    for (i, d) in shape.iter().enumerate() {
        out.push_str(if i > 0 { ", " } else { "" });
        out.push_str(&d.to_string());
    }
    out + "]"
}

/// Reads a tensor as f32 values, checking its shape and that every value is finite. F64 is
/// converted.
fn read(st: &File<'_>, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
    let t = st.tensor(name).ok_or_else(|| Error::ModelFile(format!("tensor {name} is missing")))?;
    if t.shape != shape {
        return Err(Error::ModelFile(format!(
            "tensor {name} has shape {}, expected {}",
            shape_text(&t.shape),
            shape_text(shape)
        )));
    }
    let v: Vec<f32> = match t.dtype.as_str() {
        "F32" => t.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        "F64" => t
            .data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        other => {
            return Err(Error::ModelFile(format!(
                "tensor {name} is {other}; this tool reads F32 (and F64) only — convert with .float() in PyTorch"
            )))
        }
    };
    if v.iter().any(|x| !x.is_finite()) {
        return Err(Error::ModelFile(format!("tensor {name} contains NaN or infinity")));
    }
    Ok(v)
}

/// The training text a file carries ([`CORPUS`]), if it is a checkpoint saved with one (`None`
/// for anything else, including bytes that are not a valid file).
pub fn file_corpus(bytes: &[u8]) -> Option<String> {
    load(bytes).ok()?.corpus
}

fn shape_of(st: &File<'_>, name: &str) -> Result<Vec<usize>> {
    st.tensor(name).map(|t| t.shape.clone()).ok_or_else(|| {
        Error::ModelFile(format!("tensor {name} is missing (is this a model of this project or a PyTorch state_dict?)"))
    })
}

/// Infers the model's shape from tensor names and shapes alone (as for a file made by PyTorch).
fn infer_dims(st: &File<'_>) -> Result<Dims> {
    let emb = shape_of(st, "embedding.weight")?;
    let hh = shape_of(st, "rnn.weight_hh_l0")?;
    if emb.len() != 2 || hh.len() != 2 || hh[1] == 0 || emb[0] == 0 || emb[1] == 0 {
        return Err(Error::ModelFile("embedding.weight and rnn.weight_hh_l0 must be non-empty matrices".into()));
    }
    let hidden = hh[1];
    let cell = match hh[0] / hidden {
        1 if hh[0] == hidden => CellKind::Rnn,
        3 if hh[0] == 3 * hidden => CellKind::Gru,
        4 if hh[0] == 4 * hidden => CellKind::Lstm,
        _ => {
            return Err(Error::ModelFile(format!(
                "rnn.weight_hh_l0 has shape {}: rows must be 1, 3 or 4 times the columns (rnn, gru, lstm)",
                shape_text(&hh)
            )))
        }
    };
    let mut layers = 0;
    while st.tensor(&format!("rnn.weight_hh_l{layers}")).is_some() {
        layers += 1;
    }
    Ok(Dims { cell, vocab: emb[0], embed: emb[1], hidden, layers })
}

/// Loads a model file or checkpoint. Every shape is checked against the tensors' names, so a
/// truncated, corrupt or hostile file gives an error and allocates no more than its own size.
pub fn load(bytes: &[u8]) -> Result<Loaded> {
    let st = File::parse(bytes).map_err(|e| Error::ModelFile(format!("not a valid safetensors file ({e})")))?;
    if let Some(v) = st.meta("version") {
        if st.meta("format") == Some(FORMAT) && v.parse::<u32>().ok() != Some(VERSION) {
            return Err(Error::ModelFile(format!("format version {v} is not supported (this build reads {VERSION})")));
        }
    }
    let d = infer_dims(&st)?;
    let mut params = Params::zeros_checked(d, bytes.len())?;
    let names = params.names_and_shapes();
    let mut values = Vec::with_capacity(names.len());
    for (name, shape) in &names {
        values.push(read(&st, name, shape)?);
    }
    let mut it = values.into_iter();
    params.for_each_mut(|t| t.copy_from_slice(&it.next().expect("one value per tensor")));
    let known = |n: &str| names.iter().any(|(m, _)| m == n) || n.starts_with("optim.") || n.starts_with("train.");
    if let Some(extra) = st.tensors.iter().map(|t| t.name.as_str()).find(|n| !known(n)) {
        return Err(Error::ModelFile(format!(
            "unexpected tensor {extra} (bidirectional or other architectures are not supported)"
        )));
    }
    let config = match st.meta("config") {
        Some(s) => {
            let mut c = Config::from_json(s)?;
            (c.cell, c.layers, c.embed, c.hidden) = (d.cell, d.layers, d.embed, d.hidden);
            Some(c)
        }
        None => None,
    };
    let kind = match st.meta("tokens") {
        Some(name) => (TokenKind::NAMES.iter().position(|&n| n == name).map(|i| TokenKind::ALL[i]))
            .ok_or_else(|| Error::ModelFile(format!("tokens = {} is not characters or words", json::quoted(name))))?,
        None => config.as_ref().map_or(TokenKind::Characters, |c| c.tokens),
    };
    if let Some(c) = &config {
        if c.tokens != kind {
            return Err(Error::ModelFile(format!(
                "the metadata says tokens = {} but the config says {}",
                kind.name(),
                c.tokens.name()
            )));
        }
    }
    let vocab = match st.meta("vocab") {
        Some(s) => {
            let v = Vocab::from_json(kind, s)?;
            if v.len() != d.vocab {
                return Err(Error::ModelFile(format!(
                    "the vocabulary has {} tokens but embedding.weight has {} rows",
                    v.len(),
                    d.vocab
                )));
            }
            Some(v)
        }
        None => None,
    };
    let train = match (st.meta("kind"), st.meta("progress"), &config) {
        (Some("checkpoint"), Some(p), Some(c)) => {
            let progress =
                Progress::from_json(p).map_err(|e| Error::ModelFile(format!("bad progress metadata: {e}")))?;
            if progress.streams == 0 || progress.streams > crate::config::MAX_BATCH {
                return Err(Error::ModelFile("bad stream count in checkpoint".into()));
            }
            let mut optimizer = Optimizer::new(c.optimizer, &params);
            optimizer.step = progress.step;
            for (prefix, moments) in [("optim.m.", &mut optimizer.m), ("optim.v.", &mut optimizer.v)] {
                for ((name, shape), m) in names.iter().zip(moments.iter_mut()) {
                    if !m.is_empty() {
                        *m = read(&st, &format!("{prefix}{name}"), shape)?;
                    }
                }
            }
            let sshape = [d.layers, progress.streams, d.hidden];
            // Read from the file (its size bounds them) rather than allocated from the metadata.
            let h = read(&st, "train.h", &sshape)?;
            let c = if d.cell == CellKind::Lstm { read(&st, "train.c", &sshape)? } else { Vec::new() };
            let state = State { h, c };
            Some(TrainState { progress, optimizer, state })
        }
        (Some("checkpoint"), ..) => return Err(Error::ModelFile("checkpoint metadata is incomplete".into())),
        _ => None,
    };
    let corpus = st.meta(CORPUS).map(str::to_string);
    Ok(Loaded { params, config, vocab, train, corpus })
}

impl Params {
    /// Zero tensors of shape `d`, refusing shapes whose size the file (of `file_len` bytes) cannot
    /// hold: a hostile header cannot make us allocate more than the file justifies.
    pub fn zeros_checked(d: Dims, file_len: usize) -> Result<Params> {
        let gh = d.cell.gates().checked_mul(d.hidden);
        let total = (|| {
            let gh = gh?;
            let mut n = d.vocab.checked_mul(d.embed)?;
            for k in 0..d.layers {
                let input = if k == 0 { d.embed } else { d.hidden };
                n = n.checked_add(gh.checked_mul(input.checked_add(d.hidden)?.checked_add(2)?)?)?;
            }
            n.checked_add(d.vocab.checked_mul(d.hidden.checked_add(1)?)?)
        })();
        match total {
            Some(n) if n.saturating_mul(4) <= file_len => Ok(Params::zeros(d)),
            _ => Err(Error::ModelFile("the tensor shapes do not fit in the file (truncated or corrupt)".into())),
        }
    }
}
