//! `rnn-playground`: the native command-line tool over the same engine the page runs as wasm.
//!
//! ```text
//! rnn-playground train CORPUS [options]      train, with progress, samples and checkpoints
//! rnn-playground train --task NAME [...]     train on a synthetic task the engine generates
//! rnn-playground task NAME [--seed S]        print a task's text (--split val: its validation text)
//! rnn-playground sample --model M [options]  generate text
//! rnn-playground eval --model M --text FILE  loss of a model on a text (+ gradients)
//! rnn-playground info --model M              what a model file holds
//! rnn-playground bench --corpus FILE [...]   training speed, one JSON line
//! ```
//!
//! The flags of the engine's settings (`--hidden`, `--seq-len`, `--top-k`, …) are made from the
//! settings table (`rnn_playground::settings::SETTINGS`): kebab-case of the name, its help line
//! and default; their values go through `Config::set_str` / `SampleSettings::set_str`, so a bad
//! value gets the engine's message. `rnn-playground <command> --help` lists them.

/// Cargo builds the binary (and never runs it) for wasm32 too, when it compiles the integration
/// tests there; clap and indicatif are native-only dependencies.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::builder::{PossibleValuesParser, ValueParser};
    use clap::error::ErrorKind;
    use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use rnn_playground::checkpoint;
    use rnn_playground::config::Config;
    use rnn_playground::loss::{bits_per_char, perplexity};
    use rnn_playground::model::{Model, Precision};
    use rnn_playground::rng::Rng;
    use rnn_playground::sample::{SampleOptions, Sampler};
    use rnn_playground::settings::{self, Group, Kind, SampleSettings, Setting, SETTINGS};
    use rnn_playground::tasks::{self, Split, Task};
    use rnn_playground::trainer::{decode_corpus, recorded_task, sequence_loss, sequence_loss_at, Trainer};
    use rnn_playground::vocab::Vocab;
    use std::io::Write;
    use std::process::ExitCode;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Prints a line to stdout, ignoring a closed pipe (`rnn-playground info … | head`).
    macro_rules! out {
        ($($arg:tt)*) => {{
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }};
    }

    const COMMANDS: [&str; 6] = ["train", "sample", "eval", "info", "bench", "task"];
    const PRECISIONS: [Precision; 3] = [Precision::I16, Precision::Bf16, Precision::F32];

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().collect();
        let matches = match command().try_get_matches_from(&args) {
            Ok(m) => m,
            Err(e) => return clap_error(e, &args),
        };
        match run(&matches) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(2)
            }
        }
    }

    /// Help goes to stdout (exit 0); a usage error is one line on stderr (exit 2), keeping clap's
    /// explanation and suggestion (`tip: a similar argument exists: '--hidden'`).
    fn clap_error(e: clap::Error, args: &[String]) -> ExitCode {
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                ExitCode::SUCCESS
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                out!("{}", command().render_help());
                ExitCode::SUCCESS
            }
            _ => {
                let mut line = String::new();
                for l in e.render().to_string().lines().map(str::trim) {
                    if l.is_empty() || l.starts_with("Usage:") || l.starts_with("For more information") {
                        continue;
                    }
                    if !line.is_empty() {
                        line.push_str(if l.starts_with("tip:") { "; " } else { " " });
                    }
                    line.push_str(l.strip_prefix("error: ").unwrap_or(l));
                }
                let cmd = args.iter().skip(1).find(|a| COMMANDS.contains(&a.as_str()));
                let help = cmd.map_or("rnn-playground --help".to_string(), |c| format!("rnn-playground {c} --help"));
                eprintln!("error: {line} (see {help})");
                ExitCode::from(2)
            }
        }
    }

    // ---- the command line, made from the settings table ----

    fn heading(group: Group) -> &'static str {
        match group {
            Group::Model => "Model settings",
            Group::Train => "Training settings",
            Group::Sample => "Sampling settings",
        }
    }

    /// `--seq-len N`: the setting's flag, help line, default and (for a choice) its values.
    fn setting_arg(s: &'static Setting) -> Arg {
        let value_name = match s.kind {
            Kind::Choice { .. } => s.flag().to_uppercase(),
            Kind::Int { .. } => "N".into(),
            Kind::Real { .. } => "X".into(),
            Kind::Text { .. } => "TEXT".into(),
        };
        let arg = Arg::new(s.name)
            .long(s.flag())
            .value_name(value_name)
            .action(ArgAction::Set)
            .help(format!("{} [default: {}]", s.help, s.display(s.default())))
            .help_heading(heading(s.group));
        match s.kind {
            Kind::Choice { names, .. } => {
                arg.value_parser(PossibleValuesParser::new(names.iter().copied())).ignore_case(true)
            }
            Kind::Text { .. } => arg.allow_hyphen_values(true),
            _ => arg.allow_negative_numbers(true), // so that `--seed -1` gets the engine's message
        }
    }

    fn group_args(group: Group) -> impl Iterator<Item = Arg> {
        settings::in_group(group).map(setting_arg)
    }

    fn config_args(cmd: Command) -> Command {
        cmd.arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE.json")
                .help("A JSON config, as the page saves it; the flags below override it"),
        )
        .args(group_args(Group::Model))
        .args(group_args(Group::Train))
    }

    fn model_arg() -> Arg {
        Arg::new("model")
            .long("model")
            .value_name("M")
            .required(true)
            .help("Model or checkpoint (.safetensors) made by this tool, the page or PyTorch")
    }

    fn vocab_arg() -> Arg {
        Arg::new("vocab")
            .long("vocab")
            .value_name("VOCAB.json")
            .help("The vocabulary (a JSON array of characters in id order), for a file without one")
    }

    fn precision_arg(default: Precision, help: &'static str) -> Arg {
        Arg::new("precision")
            .long("precision")
            .value_name("P")
            .value_parser(PossibleValuesParser::new(PRECISIONS.map(Precision::name)))
            .ignore_case(true)
            .default_value(default.name())
            .help(help)
    }

    /// `--name VALUE_NAME` with a default, read by `parser` (`value_parser!(u64)`).
    fn number(name: &'static str, value_name: &'static str, default: &'static str, parser: ValueParser) -> Arg {
        Arg::new(name).long(name).value_name(value_name).default_value(default).value_parser(parser)
    }

    fn command() -> Command {
        let train = config_args(
            Command::new("train")
                .about("Train a model on a text file, with a progress bar, samples and checkpoints")
                .arg(Arg::new("corpus").value_name("CORPUS").help("The text to train on (UTF-8)"))
                .arg(
                    Arg::new("task")
                        .long("task")
                        .value_name("NAME")
                        .value_parser(PossibleValuesParser::new(Task::NAMES))
                        .conflicts_with("corpus")
                        .help("Train on a synthetic task instead (its data from --seed; see the task command)"),
                )
                .arg(number("steps", "N", "2000", value_parser!(u64).into()).help("Training steps to run"))
                .arg(
                    Arg::new("out")
                        .long("out")
                        .value_name("PATH")
                        .default_value("model.safetensors")
                        .help("Model file; the checkpoint goes to PATH with .ckpt.safetensors"),
                )
                .arg(
                    Arg::new("resume")
                        .long("resume")
                        .value_name("CKPT")
                        .help("Continue from a checkpoint (exactly, on the same corpus) with its config"),
                )
                .arg(
                    number("val-every", "N", "500", value_parser!(u64).into())
                        .help("Steps between validation losses (0: only at the end)"),
                )
                .arg(
                    number("val-chars", "N", "20000", value_parser!(usize).into())
                        .help("Validation characters per check (the last uses all)"),
                )
                .arg(
                    number("sample-every", "N", "500", value_parser!(u64).into())
                        .help("Steps between samples (0: none)"),
                )
                .arg(number("sample-length", "N", "200", value_parser!(usize).into()).help("Characters per sample"))
                .arg(setting_arg(settings::get("temperature")).help_heading(None::<&str>))
                .arg(
                    Arg::new("quiet")
                        .long("quiet")
                        .action(ArgAction::SetTrue)
                        .help("No progress bar and no samples; the final JSON line only"),
                ),
        )
        .after_help("Ctrl-C during training saves the model and checkpoint before exiting.");
        let sample = Command::new("sample")
            .about("Generate text from a model")
            .arg(model_arg())
            .arg(vocab_arg())
            .args(group_args(Group::Sample))
            .arg(setting_arg(settings::get("seed")).help_heading(None::<&str>))
            .arg(precision_arg(
                Precision::I16,
                "Weight matrices as i16 or bf16 (compact, faster) or f32 (exactly the training forward pass)",
            ));
        let eval = Command::new("eval")
            .about("Loss of a model on a text, as one JSON line (optionally its gradients)")
            .arg(model_arg())
            .arg(Arg::new("text").long("text").value_name("FILE").required(true).help("The text to evaluate (UTF-8)"))
            .arg(vocab_arg())
            .arg(Arg::new("grads").long("grads").value_name("OUT.safetensors").help("Write ∂L/∂θ of every tensor here"))
            .arg(precision_arg(Precision::F32, "Weight matrices as f32 (exact), bf16 or i16, as sampling reads them"));
        let info = Command::new("info").about("What a model file holds, as JSON").arg(model_arg());
        let task = Command::new("task")
            .about("Print a synthetic task's text: what train --task NAME --seed S trains (or validates) on")
            .arg(
                Arg::new("name")
                    .value_name("NAME")
                    .required(true)
                    .value_parser(PossibleValuesParser::new(Task::NAMES))
                    .help("The task"),
            )
            .arg(number("seed", "S", "1", value_parser!(u64).into()).help("The data's seed"))
            .arg(
                Arg::new("split")
                    .long("split")
                    .value_name("SPLIT")
                    .value_parser(PossibleValuesParser::new(["train", "val"]))
                    .default_value("train")
                    .help("The training text or the validation text"),
            );
        let bench = config_args(
            Command::new("bench")
                .about("Training speed on a corpus, as one JSON line")
                .arg(
                    Arg::new("corpus")
                        .long("corpus")
                        .value_name("FILE")
                        .required(true)
                        .help("The text to train on (UTF-8)"),
                )
                .arg(
                    number("seconds", "S", "10", value_parser!(f64).into())
                        .help("Seconds of timed training (after 3 warm-up steps)"),
                ),
        );
        Command::new("rnn-playground")
            .about("Train character-level RNN / LSTM / GRU language models, exact to PyTorch")
            .version(env!("CARGO_PKG_VERSION"))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands([train, sample, eval, info, bench, task])
            .after_help(
                "Each command's flags, with the engine's settings and their defaults: rnn-playground <COMMAND> --help",
            )
    }

    // ---- reading the flags ----

    /// The config from `--config FILE` (if any) with every setting flag applied on top.
    fn config_from(m: &ArgMatches) -> Result<Config, String> {
        let mut c = match m.get_one::<String>("config") {
            Some(path) => {
                let s = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                Config::from_json(&s).map_err(|e| format!("{path}: {e}"))?
            }
            None => Config::default(),
        };
        for s in SETTINGS.iter().filter(|s| s.group != Group::Sample) {
            if let Some(v) = m.get_one::<String>(s.name) {
                c.set_str(s.name, v).map_err(|e| e.to_string())?;
            }
        }
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }

    /// The sampling settings from their flags (those the command has).
    fn sample_settings_from(m: &ArgMatches) -> Result<SampleSettings, String> {
        let mut ss = SampleSettings::default();
        for s in settings::in_group(Group::Sample) {
            if let Ok(Some(v)) = m.try_get_one::<String>(s.name) {
                ss.set_str(s.name, v).map_err(|e| e.to_string())?;
            }
        }
        ss.validate().map_err(|e| e.to_string())?;
        Ok(ss)
    }

    fn precision_from(m: &ArgMatches) -> Precision {
        let v = m.get_one::<String>("precision").map_or("", String::as_str);
        PRECISIONS.into_iter().find(|p| p.name().eq_ignore_ascii_case(v)).unwrap_or(Precision::F32)
    }

    fn string(m: &ArgMatches, name: &str) -> Option<String> {
        m.get_one::<String>(name).cloned()
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

    fn run(m: &ArgMatches) -> Result<(), String> {
        match m.subcommand() {
            Some(("train", m)) => train(m),
            Some(("sample", m)) => sample(m),
            Some(("eval", m)) => eval(m),
            Some(("info", m)) => info(m),
            Some(("bench", m)) => bench(m),
            Some(("task", m)) => task(m),
            _ => Err("no command (see rnn-playground --help)".into()),
        }
    }

    // ---- the commands ----

    /// The trainer `train` runs: on CORPUS or on `--task` (its data seed the config's `--seed`),
    /// fresh or from `--resume`; resuming with neither, on the task the checkpoint records.
    fn trainer_for(m: &ArgMatches, config: Config, resume: Option<&String>) -> Result<Trainer, String> {
        let bytes = match resume {
            Some(path) => Some(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?),
            None => None,
        };
        let recorded = bytes.as_deref().and_then(recorded_task);
        let task = match string(m, "task") {
            Some(name) => {
                let task = Task::parse(&name).map_err(|e| e.to_string())?;
                // Resuming on the recorded task keeps its seed unless --seed says otherwise.
                let seed = match recorded {
                    Some((t, s)) if t == task && m.get_one::<String>("seed").is_none() => s,
                    _ => config.seed,
                };
                Some((task, seed))
            }
            None if string(m, "corpus").is_none() => Some(recorded.ok_or("give a CORPUS file or --task NAME")?),
            None => None,
        };
        let corpus = match (task, string(m, "corpus")) {
            (None, Some(path)) => read_text(&path)?,
            _ => String::new(),
        };
        let t = match (&bytes, task) {
            (Some(b), Some((task, seed))) => Trainer::from_file_for_task(b, task, seed),
            (Some(b), None) => Trainer::from_file(b, &corpus),
            (None, Some((task, seed))) => Trainer::for_task(config, task, seed),
            (None, None) => Trainer::new(config, &corpus),
        };
        let t = t.map_err(|e| format!("{}{e}", resume.map_or(String::new(), |p| format!("{p}: "))))?;
        if let (Some(path), false) = (resume, t.report.resumed) {
            eprintln!("note: {path} was trained on other text; continuing from its weights with a fresh optimizer");
        }
        if let Some((task, seed)) = t.task {
            eprintln!("task: {0}, seed {seed} (its text: rnn-playground task {0} --seed {seed})", task.name());
        }
        Ok(t)
    }

    fn train(m: &ArgMatches) -> Result<(), String> {
        let steps = *m.get_one::<u64>("steps").unwrap_or(&0);
        let out = string(m, "out").unwrap_or_default();
        let ckpt = out.strip_suffix(".safetensors").unwrap_or(&out).to_string() + ".ckpt.safetensors";
        let resume = string(m, "resume");
        let val_every = *m.get_one::<u64>("val-every").unwrap_or(&0);
        let val_chars = *m.get_one::<usize>("val-chars").unwrap_or(&0);
        let sample_every = *m.get_one::<u64>("sample-every").unwrap_or(&0);
        let sample_len = *m.get_one::<usize>("sample-length").unwrap_or(&0);
        let sampling = sample_settings_from(m)?;
        let quiet = m.get_flag("quiet");
        let config = config_from(m)?;
        let mut t = trainer_for(m, config, resume.as_ref())?;
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
                format!(
                    "; {} rare characters ({} occurrences) over the cap map to unknown",
                    r.dropped_chars, r.dropped_occurrences
                )
            } else {
                String::new()
            }
        );
        eprintln!(
            "model: {} {}×{}, embedding {}, {} parameters; T {}, B {}, {} lr {}",
            d.cell.name(),
            d.layers,
            d.hidden,
            d.embed,
            t.model.params.count(),
            t.config.seq_len,
            t.batcher.streams,
            t.config.optimizer.name(),
            t.config.lr
        );
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(|e| e.to_string())?;
        let save = |t: &Trainer| -> Result<(), String> {
            write_file(&out, &t.save_model().map_err(|e| e.to_string())?)?;
            write_file(&ckpt, &t.save_checkpoint().map_err(|e| e.to_string())?)
        };
        // The bar is drawn on stderr (only when it is a terminal); samples and notes are printed
        // above it, or straight to stderr when it is not drawn.
        let pb = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr())
        };
        pb.set_style(
            ProgressStyle::with_template("[{bar:24}] step {pos}/{len} {msg} | {elapsed}")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        let note = |pb: &ProgressBar, text: String| {
            if pb.is_hidden() {
                eprintln!("{text}");
            } else {
                pb.println(text);
            }
        };
        let start = Instant::now();
        let first_step = t.optimizer.step;
        let mut last_draw: Option<Instant> = None;
        let mut val: Option<f32> = None;
        let mut smooth: Option<f32> = None;
        let sample_opts = SampleOptions::from(&sampling);
        while t.optimizer.step < first_step + steps {
            if stop.load(Ordering::SeqCst) {
                pb.abandon();
                eprintln!("interrupted: saving {out} and {ckpt}");
                save(&t)?;
                return Err("interrupted (model and checkpoint saved)".into());
            }
            let s = match t.step() {
                Ok(s) => s,
                Err(e) => {
                    pb.abandon();
                    return Err(format!("{e} (the last good weights are kept in memory; nothing saved)"));
                }
            };
            smooth = Some(smooth.map_or(s.loss, |m| 0.98 * m + 0.02 * s.loss));
            let done = s.step - first_step;
            let validated = val_every > 0 && done % val_every == 0;
            if validated {
                val = t.validate(Some(val_chars));
            }
            pb.set_position(done);
            if validated || done == steps || last_draw.is_none_or(|l| l.elapsed() >= Duration::from_millis(100)) {
                last_draw = Some(Instant::now());
                let cps = (done * (t.config.seq_len * t.batcher.streams) as u64) as f64
                    / start.elapsed().as_secs_f64().max(1e-9);
                pb.set_message(format!(
                    "loss {:.3} val {} | {:.0} chars/s | epoch {:.2}",
                    smooth.unwrap_or(s.loss),
                    val.map_or("-".to_string(), |v| format!("{v:.3}")),
                    cps,
                    s.epoch as f32 + s.epoch_progress
                ));
            }
            if sample_every > 0 && done % sample_every == 0 && !quiet {
                if let Ok(sm) = t.sample("", sample_len, &sample_opts, s.step, false) {
                    note(&pb, format!("--- sample at step {} ---\n{}\n---", s.step, sm.text));
                }
            }
        }
        pb.finish();
        save(&t)?;
        let val = t.validate(None);
        let train_loss = smooth.unwrap_or(f32::NAN);
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

    fn sample(m: &ArgMatches) -> Result<(), String> {
        let path = string(m, "model").unwrap_or_default();
        let ss = sample_settings_from(m)?;
        let opts = ss.options(precision_from(m));
        let mut seed = Config::default();
        if let Some(v) = m.get_one::<String>("seed") {
            seed.set_str("seed", v).map_err(|e| e.to_string())?;
        }
        let (model, vocab) = model_and_vocab(&path, string(m, "vocab"))?;
        let mut sampler = Sampler::new(&model);
        let s = sampler
            .generate(&model, &vocab, &ss.prime, ss.length, &opts, &mut Rng::new(seed.seed))
            .map_err(|e| e.to_string())?;
        if !s.unknown.is_empty() {
            let list: String = s.unknown.iter().collect();
            eprintln!("note: the prime has characters the model never saw, read as unknown: {list}");
        }
        out!("{}{}", ss.prime, s.text);
        Ok(())
    }

    fn eval(m: &ArgMatches) -> Result<(), String> {
        let path = string(m, "model").unwrap_or_default();
        let text_path = string(m, "text").unwrap_or_default();
        let grads = string(m, "grads");
        let precision = precision_from(m);
        if grads.is_some() && precision != Precision::F32 {
            return Err("--grads needs --precision f32".into());
        }
        let (model, vocab) = model_and_vocab(&path, string(m, "vocab"))?;
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

    fn info(m: &ArgMatches) -> Result<(), String> {
        let path = string(m, "model").unwrap_or_default();
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

    fn task(m: &ArgMatches) -> Result<(), String> {
        let task = Task::parse(&string(m, "name").unwrap_or_default()).map_err(|e| e.to_string())?;
        let seed = *m.get_one::<u64>("seed").unwrap_or(&1);
        let split = if string(m, "split").as_deref() == Some("val") { Split::Val } else { Split::Train };
        // Ignoring a closed pipe, like out! (`rnn-playground task anbn | head`).
        let _ = std::io::stdout().write_all(tasks::text(task, seed, split).as_bytes());
        Ok(())
    }

    fn bench(m: &ArgMatches) -> Result<(), String> {
        let corpus_path = string(m, "corpus").unwrap_or_default();
        let seconds = *m.get_one::<f64>("seconds").unwrap_or(&10.0);
        let config = config_from(m)?;
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
}
