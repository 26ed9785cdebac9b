//! `rnn-playground`: the native command-line tool over the same engine the page runs as wasm.
//!
//! ```text
//! rnn-playground train CORPUS [options]      train, with progress, samples and checkpoints
//! rnn-playground sample --model M [options]  generate text
//! rnn-playground eval --model M --text FILE  loss of a model on a text (+ gradients)
//! rnn-playground info --model M              what a model file holds
//! rnn-playground bench [options]             training speed, one JSON line
//! ```

use rnn_playground::checkpoint;
use rnn_playground::config::{CellKind, ClipKind, Config, InitKind, OptimizerKind};
use rnn_playground::loss::{bits_per_char, perplexity};
use rnn_playground::model::{Model, Precision};
use rnn_playground::rng::Rng;
use rnn_playground::sample::{SampleOptions, Sampler};
use rnn_playground::trainer::{decode_corpus, sequence_loss, sequence_loss_at, Trainer};
use rnn_playground::vocab::Vocab;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

const USAGE: &str = "\
rnn-playground: train character-level RNN / LSTM / GRU language models (exact to PyTorch)

USAGE:
  rnn-playground train CORPUS [--steps N] [--out model.safetensors] [--resume CKPT] [config flags]
  rnn-playground sample --model M [--prime TEXT] [--length N] [--temperature T] [--top-k K] [--top-p P] [--seed S]
                        [--precision i16|bf16|f32]   (i16, the default, and bf16: compact weights, faster; f32: exact)
  rnn-playground eval --model M --text FILE [--vocab VOCAB.json] [--grads OUT.safetensors] [--precision f32|bf16|i16]
  rnn-playground info --model M
  rnn-playground bench [--corpus FILE] [--seconds S] [config flags]

CONFIG FLAGS (defaults in parentheses):
  --cell rnn|lstm|gru (lstm)   --layers N (1)   --hidden H (128)   --embed E (32)
  --seq-len T (64)   --batch B (32)   --optimizer adam|sgd|adagrad|rmsprop (adam)   --lr X (0.002)
  --lr-decay X (1.0) --lr-decay-every N (1000)   --momentum X (0.9)   --beta1 X (0.9)   --beta2 X (0.999)
  --eps X (1e-8)   --clip-mode norm|value|none (norm)   --clip X (5.0)
  --init pytorch|xavier|orthogonal|identity (pytorch)   --seed N (1)   --val-fraction X (0.1)
  --max-vocab N (8000)   --config FILE.json (a JSON config; flags override it)

TRAIN OPTIONS:
  --steps N (2000)   --out PATH (model.safetensors; the checkpoint goes to PATH with .ckpt.safetensors)
  --resume CKPT   --val-every N (500)   --val-chars N (20000; the final validation uses all of it)
  --sample-every N (500)   --sample-length N (200)   --temperature T (0.8)   --quiet

Ctrl-C during training saves the model and checkpoint before exiting.";

/// Prints a line to stdout, ignoring a closed pipe (`rnn-playground info … | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Parsed `--flag value` pairs and positional arguments.
struct Args {
    flags: HashMap<String, String>,
    switches: Vec<String>,
    positional: Vec<String>,
}

const SWITCHES: &[&str] = &["quiet", "help"];

impl Args {
    fn parse(raw: Vec<String>) -> Result<Args, String> {
        let mut a = Args { flags: HashMap::new(), switches: Vec::new(), positional: Vec::new() };
        let mut it = raw.into_iter();
        while let Some(s) = it.next() {
            if let Some(name) = s.strip_prefix("--") {
                if let Some((k, v)) = name.split_once('=') {
                    a.flags.insert(k.to_string(), v.to_string());
                } else if SWITCHES.contains(&name) {
                    a.switches.push(name.to_string());
                } else {
                    let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                    a.flags.insert(name.to_string(), v);
                }
            } else if s == "-h" {
                a.switches.push("help".into());
            } else {
                a.positional.push(s);
            }
        }
        Ok(a)
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.flags.remove(name)
    }

    fn num<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.take(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name}: '{v}' is not a valid number")),
        }
    }

    fn required(&mut self, name: &str) -> Result<String, String> {
        self.take(name).ok_or_else(|| format!("--{name} is required (see --help)"))
    }

    fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }

    /// Fails on any flag nobody asked for, so typos are not silently ignored.
    fn finish(self) -> Result<(), String> {
        match self.flags.keys().next() {
            Some(k) => Err(format!("unknown option --{k} (see --help)")),
            None => Ok(()),
        }
    }
}

fn parse_enum<T>(name: &str, v: &str, options: &[(&str, T)]) -> Result<T, String>
where
    T: Copy,
{
    options.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)).map(|x| x.1).ok_or_else(|| {
        let names: Vec<&str> = options.iter().map(|x| x.0).collect();
        format!("--{name}: '{v}' is not one of {}", names.join(", "))
    })
}

/// The config from `--config FILE` (if any) with every config flag applied on top.
fn config_from(a: &mut Args) -> Result<Config, String> {
    let mut c = match a.take("config") {
        Some(path) => {
            let s = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            Config::from_json(&s).map_err(|e| format!("{path}: {e}"))?
        }
        None => Config::default(),
    };
    if let Some(v) = a.take("cell") {
        c.cell = CellKind::parse(&v).map_err(|e| e.to_string())?;
    }
    if let Some(v) = a.take("optimizer") {
        c.optimizer = parse_enum(
            "optimizer",
            &v,
            &[
                ("adam", OptimizerKind::Adam),
                ("sgd", OptimizerKind::Sgd),
                ("adagrad", OptimizerKind::Adagrad),
                ("rmsprop", OptimizerKind::Rmsprop),
            ],
        )?;
    }
    if let Some(v) = a.take("clip-mode") {
        c.clip_mode =
            parse_enum("clip-mode", &v, &[("norm", ClipKind::Norm), ("value", ClipKind::Value), ("none", ClipKind::None)])?;
    }
    if let Some(v) = a.take("init") {
        c.init = parse_enum(
            "init",
            &v,
            &[
                ("pytorch", InitKind::Pytorch),
                ("xavier", InitKind::Xavier),
                ("orthogonal", InitKind::Orthogonal),
                ("identity", InitKind::Identity),
            ],
        )?;
    }
    c.layers = a.num("layers", c.layers)?;
    c.hidden = a.num("hidden", c.hidden)?;
    c.embed = a.num("embed", c.embed)?;
    c.seq_len = a.num("seq-len", c.seq_len)?;
    c.batch = a.num("batch", c.batch)?;
    c.lr = a.num("lr", c.lr)?;
    c.lr_decay = a.num("lr-decay", c.lr_decay)?;
    c.lr_decay_every = a.num("lr-decay-every", c.lr_decay_every)?;
    c.momentum = a.num("momentum", c.momentum)?;
    c.beta1 = a.num("beta1", c.beta1)?;
    c.beta2 = a.num("beta2", c.beta2)?;
    c.eps = a.num("eps", c.eps)?;
    c.clip = a.num("clip", c.clip)?;
    c.seed = a.num("seed", c.seed)?;
    c.val_fraction = a.num("val-fraction", c.val_fraction)?;
    c.max_vocab = a.num("max-vocab", c.max_vocab)?;
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

fn read_text(path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    decode_corpus(&bytes).map(str::to_string).map_err(|e| format!("{path}: {e}"))
}

fn read_model(path: &str) -> Result<checkpoint::Loaded, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    checkpoint::load(&bytes).map_err(|e| format!("{path}: {e}"))
}

fn write_file(path: &str, bytes: &[u8]) -> Result<(), String> {
    // Write then rename, so an interrupted save never leaves a half-written model.
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| format!("{path}: {e}"))
}

fn run(raw: Vec<String>) -> Result<(), String> {
    let mut a = Args::parse(raw)?;
    if a.positional.is_empty() || a.has("help") {
        out!("{USAGE}");
        return Ok(());
    }
    let cmd = a.positional.remove(0);
    match cmd.as_str() {
        "train" => train(a),
        "sample" => sample(a),
        "eval" => eval(a),
        "info" => info(a),
        "bench" => bench(a),
        other => Err(format!("unknown command '{other}' (expected train, sample, eval, info or bench)")),
    }
}

fn train(mut a: Args) -> Result<(), String> {
    let corpus_path = a.positional.first().cloned().ok_or("train needs a CORPUS file")?;
    let steps: u64 = a.num("steps", 2000)?;
    let out = a.take("out").unwrap_or_else(|| "model.safetensors".into());
    let ckpt = out.strip_suffix(".safetensors").unwrap_or(&out).to_string() + ".ckpt.safetensors";
    let resume = a.take("resume");
    let val_every: u64 = a.num("val-every", 500)?;
    let val_chars: usize = a.num("val-chars", 20_000)?;
    let sample_every: u64 = a.num("sample-every", 500)?;
    let sample_len: usize = a.num("sample-length", 200)?;
    let temperature: f32 = a.num("temperature", 0.8)?;
    let quiet = a.has("quiet");
    let config = config_from(&mut a)?;
    a.finish()?;
    let corpus = read_text(&corpus_path)?;
    let mut t = match &resume {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let t = Trainer::from_file(&bytes, &corpus).map_err(|e| format!("{path}: {e}"))?;
            if !t.report.resumed {
                eprintln!("note: {path} was trained on other text; continuing from its weights with a fresh optimizer");
            }
            t
        }
        None => Trainer::new(config, &corpus).map_err(|e| e.to_string())?,
    };
    let r = &t.report;
    let d = t.model.dims();
    eprintln!(
        "corpus: {} chars, vocabulary {} ({} train / {} validation chars, {} streams){}",
        r.chars,
        r.vocab,
        r.train_chars,
        r.val_chars,
        r.streams,
        if r.dropped_chars > 0 {
            format!("; {} rare characters ({} occurrences) over the cap map to unknown", r.dropped_chars, r.dropped_occurrences)
        } else {
            String::new()
        }
    );
    eprintln!(
        "model: {} {}×{}, embedding {}, {} parameters; T {}, B {}, {:?} lr {}",
        d.cell.name(),
        d.layers,
        d.hidden,
        d.embed,
        t.model.params.count(),
        t.config.seq_len,
        t.batcher.streams,
        t.config.optimizer,
        t.config.lr
    );
    let stop = Arc::new(AtomicBool::new(false));
    // The binary is built (never run) for wasm32 too when cargo compiles the integration tests there.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let flag = stop.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(|e| e.to_string())?;
    }
    let save = |t: &Trainer| -> Result<(), String> {
        write_file(&out, &t.save_model().map_err(|e| e.to_string())?)?;
        write_file(&ckpt, &t.save_checkpoint().map_err(|e| e.to_string())?)
    };
    let start = Instant::now();
    let first_step = t.optimizer.step;
    let mut last_draw = Instant::now();
    let mut val: Option<f32> = None;
    let mut smooth: Option<f32> = None;
    while t.optimizer.step < first_step + steps {
        if stop.load(Ordering::SeqCst) {
            eprintln!("\ninterrupted: saving {out} and {ckpt}");
            save(&t)?;
            return Err("interrupted (model and checkpoint saved)".into());
        }
        let s = match t.step() {
            Ok(s) => s,
            Err(e) => {
                eprintln!();
                return Err(format!("{e} (the last good weights are kept in memory; nothing saved)"));
            }
        };
        smooth = Some(smooth.map_or(s.loss, |m| 0.98 * m + 0.02 * s.loss));
        let done = s.step - first_step;
        if val_every > 0 && done % val_every == 0 {
            val = t.validate(Some(val_chars));
        }
        if !quiet && (last_draw.elapsed().as_millis() >= 100 || done == steps) {
            last_draw = Instant::now();
            let secs = start.elapsed().as_secs_f64();
            let cps = (done * (t.config.seq_len * t.batcher.streams) as u64) as f64 / secs.max(1e-9);
            let width = 24;
            let filled = (done as usize * width / steps.max(1) as usize).min(width);
            eprint!(
                "\r[{}{}] step {}/{} loss {:.3} val {} | {:.0} chars/s | epoch {:.2} | {:.0}s   ",
                "=".repeat(filled),
                " ".repeat(width - filled),
                done,
                steps,
                smooth.unwrap_or(s.loss),
                val.map_or("-".to_string(), |v| format!("{v:.3}")),
                cps,
                s.epoch as f32 + s.epoch_progress,
                secs
            );
            let _ = std::io::stderr().flush();
        }
        if sample_every > 0 && done % sample_every == 0 && !quiet {
            let opts = SampleOptions { temperature, ..SampleOptions::default() };
            if let Ok(sm) = t.sample("", sample_len, &opts, s.step, false) {
                eprintln!("\n--- sample at step {} ---\n{}\n---", s.step, sm.text);
            }
        }
    }
    save(&t)?;
    let val = t.validate(None);
    let train_loss = smooth.unwrap_or(f32::NAN);
    eprintln!();
    out!(
        "{}",
        serde_json::json!({
            "steps": t.optimizer.step,
            "train_loss": train_loss,
            "val_loss": val,
            "val_bits_per_char": val.map(bits_per_char),
            "val_perplexity": val.map(perplexity),
            "seconds": start.elapsed().as_secs_f64(),
            "model": out,
            "checkpoint": ckpt,
        })
    );
    Ok(())
}

fn model_and_vocab(path: &str, vocab_path: Option<String>) -> Result<(Model, Vocab), String> {
    let loaded = read_model(path)?;
    let vocab = match vocab_path {
        Some(p) => {
            let s = std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}"))?;
            Vocab::from_json(&s).map_err(|e| format!("{p}: {e}"))?
        }
        None => loaded.vocab.ok_or_else(|| format!("{path} has no vocabulary; pass --vocab VOCAB.json"))?,
    };
    let v = loaded.params.dims().vocab;
    if vocab.len() != v {
        return Err(format!("the vocabulary has {} characters but the model has {v} rows", vocab.len()));
    }
    Ok((Model::new(loaded.params), vocab))
}

/// `--precision f32|bf16|i16`, or `default`.
fn precision_from(a: &mut Args, default: Precision) -> Result<Precision, String> {
    match a.take("precision") {
        None => Ok(default),
        Some(v) => parse_enum("precision", &v, &[("f32", Precision::F32), ("bf16", Precision::Bf16), ("i16", Precision::I16)]),
    }
}

fn sample(mut a: Args) -> Result<(), String> {
    let path = a.required("model")?;
    let prime = a.take("prime").unwrap_or_default();
    let length: usize = a.num("length", 500)?;
    let opts = SampleOptions {
        temperature: a.num("temperature", 0.8)?,
        top_k: a.num("top-k", 0)?,
        top_p: a.num("top-p", 1.0)?,
        precision: precision_from(&mut a, Precision::I16)?,
    };
    let seed: u64 = a.num("seed", 1)?;
    let vocab_path = a.take("vocab");
    a.finish()?;
    let (model, vocab) = model_and_vocab(&path, vocab_path)?;
    let mut sampler = Sampler::new(&model);
    let s = sampler.generate(&model, &vocab, &prime, length, &opts, &mut Rng::new(seed)).map_err(|e| e.to_string())?;
    if !s.unknown.is_empty() {
        let list: String = s.unknown.iter().collect();
        eprintln!("note: the prime has characters the model never saw, read as unknown: {list}");
    }
    out!("{prime}{}", s.text);
    Ok(())
}

fn eval(mut a: Args) -> Result<(), String> {
    let path = a.required("model")?;
    let text_path = a.required("text")?;
    let vocab_path = a.take("vocab");
    let grads = a.take("grads");
    let precision = precision_from(&mut a, Precision::F32)?;
    a.finish()?;
    if grads.is_some() && precision != Precision::F32 {
        return Err("--grads needs --precision f32".into());
    }
    let (model, vocab) = model_and_vocab(&path, vocab_path)?;
    let text = read_text(&text_path)?;
    let enc = vocab.encode(&text).map_err(|e| format!("{text_path}: {e}"))?;
    let (loss, grad) = match precision {
        Precision::F32 => sequence_loss(&model, &enc.ids, grads.is_some()),
        _ => sequence_loss_at(&model, &enc.ids, precision).map(|l| (l, None)),
    }
    .map_err(|e| format!("{text_path}: {e}"))?;
    if let (Some(out), Some(g)) = (&grads, &grad) {
        write_file(out, &checkpoint::save_gradients(g).map_err(|e| e.to_string())?)?;
    }
    out!(
        "{}",
        serde_json::json!({
            "loss": loss,
            "bits_per_char": bits_per_char(loss),
            "perplexity": perplexity(loss),
            "chars": enc.ids.len(),
            "predicted": enc.ids.len() - 1,
            "unknown_chars": enc.unknown.iter().collect::<String>(),
            "precision": precision.name(),
        })
    );
    Ok(())
}

fn info(mut a: Args) -> Result<(), String> {
    let path = a.required("model")?;
    a.finish()?;
    let loaded = read_model(&path)?;
    let d = loaded.params.dims();
    out!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "kind": if loaded.train.is_some() { "checkpoint" } else { "model" },
            "cell": d.cell.name(),
            "layers": d.layers,
            "hidden": d.hidden,
            "embed": d.embed,
            "vocab": d.vocab,
            "parameters": loaded.params.count(),
            "tensors": loaded.params.names_and_shapes().into_iter().map(|(n, s)| format!("{n} {s:?}")).collect::<Vec<_>>(),
            "config": loaded.config.map(|c| serde_json::from_str::<serde_json::Value>(&c.to_json()).expect("config json")),
            "vocabulary": loaded.vocab.as_ref().map(|v| v.chars().iter().collect::<String>()),
            "step": loaded.train.as_ref().map(|t| t.progress.step),
        }))
        .expect("json")
    );
    Ok(())
}

fn bench(mut a: Args) -> Result<(), String> {
    let corpus_path = a.take("corpus").unwrap_or_else(|| "../shared/corpora/en.txt".into());
    let seconds: f64 = a.num("seconds", 10.0)?;
    let config = config_from(&mut a)?;
    a.finish()?;
    let corpus = read_text(&corpus_path)?;
    let mut t = Trainer::new(config, &corpus).map_err(|e| e.to_string())?;
    for _ in 0..3 {
        t.step().map_err(|e| e.to_string())?;
    }
    let start = Instant::now();
    let mut steps = 0u64;
    while start.elapsed().as_secs_f64() < seconds || steps < 3 {
        t.step().map_err(|e| e.to_string())?;
        steps += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let chars_per_step = (t.config.seq_len * t.batcher.streams) as f64;
    let d = t.model.dims();
    let opts = SampleOptions::default();
    let s0 = Instant::now();
    t.sample("The ", 1000, &opts, 1, false).map_err(|e| e.to_string())?;
    let sample_ms = s0.elapsed().as_secs_f64() * 1e3;
    let chars_per_sec = steps as f64 * chars_per_step / secs;
    out!(
        "{}",
        serde_json::json!({
            "chars_per_sec": chars_per_sec,
            "steps": steps,
            "seconds": secs,
            "macs_per_char": d.forward_macs(),
            "gflops": chars_per_sec * 6.0 * d.forward_macs() as f64 / 1e9,
            "vocab": d.vocab,
            "loss": t.last.as_ref().map(|s| s.loss),
            "sample_1000_ms": sample_ms,
        })
    );
    Ok(())
}
