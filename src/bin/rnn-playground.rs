//! `rnn-playground`: the native command-line tool over the same engine the page runs as wasm.
//!
//! ```text
//! rnn-playground train CORPUS [options]      train, with progress, samples and checkpoints
//! rnn-playground train --task NAME [...]     train on a synthetic task the engine generates
//! rnn-playground task NAME [--seed S]        print a task's text (--split val: its validation text)
//! rnn-playground sample --model M [options]  generate text
//! rnn-playground eval --model M --text FILE  loss of a model on a text (+ gradients)
//! rnn-playground tokenize [--tokens K] FILE   the tokens of a text, as a JSON array of strings
//! rnn-playground diagnose --model M --text F  gradient flow, σ_max, loss and entropies, one JSON line
//! rnn-playground info --model M              what a model file holds
//! rnn-playground bench --corpus FILE [...]   training speed, one JSON line
//! ```
//!
//! The flags of the engine's settings (`--hidden`, `--seq-len`, `--top-k`, …) are made from the
//! settings table (`rnn_playground::settings::SETTINGS`): kebab-case of the name (or the flag the
//! table names: `workers` is `--threads`), its help line and default; their values go through
//! `Config::set_str` / `SampleSettings::set_str`, so a bad value gets the engine's message.
//! `rnn-playground <command> --help` lists them.

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
    use rnn_playground::config::{Config, TokenKind};
    use rnn_playground::data::TokenIds;
    use rnn_playground::diagnose::{self, MAX_DIAGNOSE_TOKENS};
    use rnn_playground::loss::{bits_per_char, perplexity};
    use rnn_playground::model::{Model, Precision};
    use rnn_playground::monitor::{remedies, Remedy};
    use rnn_playground::rng::Rng;
    use rnn_playground::sample::{SampleOptions, Sampler};
    use rnn_playground::settings::{self, Group, Kind, SampleSettings, Setting, SETTINGS};
    use rnn_playground::tasks::{self, Split, Task};
    use rnn_playground::trainer::{
        decode_corpus, recorded_task, sequence_loss, sequence_loss_at, Trainer, MAX_CORPUS_BYTES,
    };
    use rnn_playground::vocab::{Encoded, Vocab, UNKNOWN};
    use rnn_playground::{json, tensorfile, tokenizer};
    use std::borrow::Cow;
    use std::ffi::OsString;
    use std::io::{IsTerminal, Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::{Mutex, PoisonError};
    use std::time::{Duration, Instant};

    /// Prints a line to stdout, ignoring a closed pipe (`rnn-playground info … | head`).
    macro_rules! out {
        ($($arg:tt)*) => {{
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }};
    }

    const COMMANDS: [&str; 9] =
        ["train", "sample", "eval", "diagnose", "tokenize", "info", "bench", "task", "settings"];
    const PRECISIONS: [Precision; 3] = [Precision::I16, Precision::Bf16, Precision::F32];

    pub fn main() -> ExitCode {
        // As given (clap refuses a value that is not UTF-8 with a message, where env::args panics).
        let args: Vec<OsString> = std::env::args_os().collect();
        let matches = match command().try_get_matches_from(&args) {
            Ok(m) => m,
            Err(e) => {
                let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
                return clap_error(e, &args);
            }
        };
        if let Err(e) = ctrlc::set_handler(on_interrupt) {
            eprintln!("error: cannot handle Ctrl-C: {e}");
            return ExitCode::from(2);
        }
        match run(&matches) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("error: {}", esc(&msg));
                ExitCode::from(2)
            }
        }
    }

    // ---- Ctrl-C ----
    //
    // Most stages (reading and decoding a text, building the trainer, sampling, evaluating) have
    // nothing to lose: Ctrl-C ends the process at once with exit code 130, even while a read
    // blocks. Training sets DEFER: the loop (and a validation within it) sees STOP, saves the
    // model and checkpoint, and then exits with 130. A file being written (WRITING held) is
    // finished first, so that no temporary file is left behind.

    static STOP: AtomicBool = AtomicBool::new(false);
    static DEFER: AtomicBool = AtomicBool::new(false);
    static WRITING: Mutex<()> = Mutex::new(());
    /// Standard output (a terminal) has an unfinished line: the interrupt message starts a new one.
    static MIDLINE: AtomicBool = AtomicBool::new(false);

    fn on_interrupt() {
        STOP.store(true, SeqCst);
        if !DEFER.load(SeqCst) {
            let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
            interrupted("interrupted");
        }
    }

    /// Ends the process as interrupted: the message, exit code 130.
    fn interrupted(msg: &str) -> ! {
        let newline = if MIDLINE.load(SeqCst) { "\n" } else { "" };
        eprintln!("{newline}error: {}", esc(msg));
        std::process::exit(130)
    }

    // ---- what is printed ----

    /// `s` with every control character escaped (`\n`, `\u{1b}`): a name or text from a file or an
    /// argument can neither send the terminal an escape sequence nor break a one-line message.
    fn esc(s: &str) -> Cow<'_, str> {
        escape(s, false)
    }

    /// [`esc`], keeping newlines and tabs when `layout` (text shown as text: samples).
    fn escape(s: &str, layout: bool) -> Cow<'_, str> {
        let bad = |c: char| c.is_control() && !(layout && (c == '\n' || c == '\t'));
        if !s.chars().any(bad) {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 16);
        for c in s.chars() {
            if bad(c) {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// Prints `v` as JSON on one line (or `pretty`), with no control character left raw: serde_json
    /// escapes U+0000–U+001F, this also U+007F–U+009F (C1 controls, which some terminals obey).
    fn print_json(v: &serde_json::Value, pretty: bool) {
        let text = if pretty { serde_json::to_string_pretty(v) } else { serde_json::to_string(v) }.expect("json");
        let mut safe = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_control() && c != '\n' {
                safe.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                safe.push(c);
            }
        }
        out!("{safe}");
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
                eprintln!("error: {} (see {help})", esc(&line));
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

    /// Every core this process may use: what `--threads 0` (the default) means.
    fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// `--seq-len N`: the setting's flag, help line, default and (for a choice) its values. A flag
    /// the table renames (`--threads`) keeps the name's kebab-case (`--workers`) as an alias.
    fn setting_arg(s: &'static Setting) -> Arg {
        let value_name = match s.kind {
            Kind::Choice { .. } => s.flag().to_uppercase(),
            Kind::Int { .. } => "N".into(),
            Kind::Real { .. } => "X".into(),
            Kind::Text { .. } => "TEXT".into(),
        };
        let default = match s.name {
            "workers" => format!("0, every core: {} here; --resume: the checkpoint's", cores()),
            _ => s.display(s.default()),
        };
        let mut arg = Arg::new(s.name)
            .long(s.flag())
            .value_name(value_name)
            .action(ArgAction::Set)
            .help(format!("{} [default: {default}]", s.help))
            .help_heading(heading(s.group));
        if s.cli.is_some() {
            arg = arg.visible_alias(s.name.replace('_', "-"));
        }
        match s.kind {
            Kind::Choice { names, .. } => {
                arg.value_parser(PossibleValuesParser::new(names.iter().copied())).ignore_case(true)
            }
            // `--prime --length` must not make "--length" the prime: a text that starts with `-` is
            // given as `--prime=-x`.
            Kind::Text { .. } => arg,
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
            .help("The vocabulary (a JSON array of its tokens in id order), for a file without one; see --tokens")
    }

    /// `--tokens characters|words`: what the vocabulary of `--vocab` holds (a file of this tool
    /// says it itself).
    fn tokens_arg() -> Arg {
        setting_arg(settings::get("tokens"))
            .help("What the --vocab file's tokens are: characters (default) or words; a model file of this tool records it")
            .help_heading(None::<&str>)
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
                        .help("Continue from a checkpoint (exactly, on the same corpus, or on the text it carries) with its config"),
                )
                .arg(
                    Arg::new("allow-new-text")
                        .long("allow-new-text")
                        .action(ArgAction::SetTrue)
                        .requires("resume")
                        .help("With --resume on other text: continue from the weights with a fresh optimizer"),
                )
                .arg(
                    Arg::new("save-corpus")
                        .long("save-corpus")
                        .action(ArgAction::SetTrue)
                        .conflicts_with("task")
                        .help("Checkpoints carry the training text, so --resume needs no CORPUS"),
                )
                .arg(
                    number("val-every", "N", "500", value_parser!(u64).into())
                        .help("Steps between validation losses (0: only at the end)"),
                )
                .arg(
                    number("val-tokens", "N", "20000", value_parser!(usize).into())
                        .alias("val-chars")
                        .help("Validation tokens per check, and as many of training text (the last check reads all)"),
                )
                .arg(
                    number("sample-every", "N", "500", value_parser!(u64).into())
                        .help("Steps between samples (0: none)"),
                )
                .arg(number("sample-length", "N", "200", value_parser!(usize).into()).help("Characters per sample"))
                .arg(setting_arg(settings::get("temperature")).help_heading(None::<&str>))
                .arg(Arg::new("log-steps").long("log-steps").value_name("FILE.jsonl").help(
                    "Every step's loss, gradient norm and learning rate, one JSON line each (as tools/train_torch.py --log-steps writes them), saved with the model",
                ))
                .arg(
                    Arg::new("quiet")
                        .long("quiet")
                        .action(ArgAction::SetTrue)
                        .help("No progress bar and no samples; the final JSON line only"),
                ),
        )
        .after_help(
            "Ctrl-C during training saves the model and checkpoint before exiting (exit code 130). \
             Limits: the text at most 64 MiB (RNN_PLAYGROUND_MAX_CORPUS_BYTES lowers it).",
        );
        let sample = Command::new("sample")
            .about("Generate text from a model (a word model's unknown token is printed as U+FFFD, reversed on a terminal)")
            .arg(model_arg())
            .arg(vocab_arg())
            .arg(tokens_arg())
            .args(group_args(Group::Sample))
            .arg(setting_arg(settings::get("seed")).help_heading(None::<&str>))
            .arg(precision_arg(
                Precision::I16,
                "Weight matrices as i16 or bf16 (compact, faster) or f32 (exactly the training forward pass)",
            ));
        let eval = Command::new("eval")
            .about("Loss of a model on a text, per token and in bits per character, as one JSON line (optionally its gradients)")
            .arg(model_arg())
            .arg(Arg::new("text").long("text").value_name("FILE").required(true).help("The text to evaluate (UTF-8)"))
            .arg(vocab_arg())
            .arg(tokens_arg())
            .arg(Arg::new("grads").long("grads").value_name("OUT.safetensors").help("Write ∂L/∂θ of every tensor here"))
            .arg(precision_arg(Precision::F32, "Weight matrices as f32 (exact), bf16 or i16, as sampling reads them"));
        let diagnose = Command::new("diagnose")
            .about("Gradient flow, σ_max of the recurrent gate blocks, loss and entropies of a text, as one JSON line")
            .arg(model_arg())
            .arg(
                Arg::new("text")
                    .long("text")
                    .value_name("FILE")
                    .required(true)
                    .help(format!(
                        "The text (UTF-8): grad_flow over its first {MAX_DIAGNOSE_TOKENS} tokens, the rest over all of it"
                    )),
            )
            .arg(vocab_arg())
            .arg(tokens_arg())
            .after_help(format!(
                "Prints {{\"grad_flow\": [layer][t][k], \"sigma_max\": [layer][gate], \"loss_per_token\", \"bits_per_char\", \"unigram_bits\", \"bigram_bits\", …}}:\n\
                 grad_flow[l][t][k] = ‖∂ℓ_t/∂h_k‖₂ of layer l (0 for k > t) over the first {MAX_DIAGNOSE_TOKENS} tokens of the text, read \
                 from the zero state, ℓ_t the cross-entropy predicting token t + 1; sigma_max: the largest singular value of \
                 each H×H gate block of W_hh, in PyTorch's gate order (rnn: one; lstm: i, f, g, o; gru: r, z, n); loss_per_token: \
                 the mean cross-entropy (nats) over the whole text, as eval computes it, and bits_per_char its total bits over \
                 the characters predicted; unigram_bits and bigram_bits: H(X) and H(X_t | X_{{t−1}}) of the whole text's tokens, \
                 bits per token."
            ));
        let tokenize = Command::new("tokenize")
            .about("Print the tokens of a text as a JSON array of strings: how the model cuts it (joined, they give the text back)")
            .arg(Arg::new("text").value_name("FILE").required(true).help("The text (UTF-8)"))
            .arg(setting_arg(settings::get("tokens")).help_heading(None::<&str>));
        let info = Command::new("info").about("What a model file holds, as JSON").arg(model_arg());
        let settings = Command::new("settings").about(
            "Print the settings table as JSON: every setting's name, group, kind, default, bounds and help \
             (the build writes the page's form from it)",
        );
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
            .about("Train character- or word-level RNN / LSTM / GRU language models, exact to PyTorch")
            .version(env!("CARGO_PKG_VERSION"))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands([train, sample, eval, diagnose, tokenize, info, bench, task, settings])
            .after_help(
                "Each command's flags, with the engine's settings and their defaults: rnn-playground <COMMAND> --help",
            )
    }

    // ---- reading the flags ----

    /// The config from `--config FILE` (if any) with every setting flag applied on top; workers
    /// 0 (auto) become every core.
    fn config_from(m: &ArgMatches) -> Result<Config, String> {
        let mut c = match m.get_one::<String>("config") {
            Some(path) => Config::from_json(&read_json(path)?).map_err(|e| format!("{path}: {e}"))?,
            None => Config::default(),
        };
        for s in SETTINGS.iter().filter(|s| s.group != Group::Sample) {
            if let Some(v) = m.get_one::<String>(s.name) {
                c.set_str(s.name, v).map_err(|e| e.to_string())?;
            }
        }
        c.validate().map_err(|e| e.to_string())?;
        if c.workers == 0 {
            c.workers = cores();
        }
        Ok(c)
    }

    /// How many threads a trainer runs on, and why, for the report: `2 threads (every core)`.
    fn threads_text(t: &Trainer, asked: usize, resumed_with: Option<usize>) -> String {
        let k = t.shards.len();
        let why = if resumed_with.is_some() {
            "the checkpoint's; --threads N to change".to_string()
        } else if k < asked {
            format!("one per stream: B is {}", t.batcher.streams)
        } else if k == cores() {
            "every core".to_string()
        } else {
            format!("of {} cores", cores())
        };
        format!("{k} thread{} ({why})", if k == 1 { "" } else { "s" })
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

    // ---- reading files, within limits ----

    /// The most bytes read from one input, overridable (lowered, mostly) by an environment variable.
    struct Limit {
        what: &'static str,
        var: &'static str,
        default: u64,
    }

    /// A text to train on or evaluate: the engine's corpus limit (64 MiB).
    const TEXT_LIMIT: Limit =
        Limit { what: "text", var: "RNN_PLAYGROUND_MAX_CORPUS_BYTES", default: MAX_CORPUS_BYTES as u64 };
    /// A model or checkpoint: 4 GiB (a 16×4096 LSTM's checkpoint is far beyond anything trainable here).
    const MODEL_LIMIT: Limit = Limit { what: "model file", var: "RNN_PLAYGROUND_MAX_MODEL_BYTES", default: 4 << 30 };
    /// A JSON config or vocabulary.
    const JSON_LIMIT: Limit = Limit { what: "JSON file", var: "RNN_PLAYGROUND_MAX_JSON_BYTES", default: 16 << 20 };

    impl Limit {
        fn bytes(&self) -> Result<u64, String> {
            match std::env::var(self.var) {
                Ok(v) => v.trim().parse().map_err(|_| format!("{} = {v:?} is not a number of bytes", self.var)),
                Err(_) => Ok(self.default),
            }
        }
    }

    /// `n` bytes as a person reads it: `64 MiB`, `1000 bytes`.
    fn size_text(n: u64) -> String {
        match n {
            n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
            n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
            n => format!("{n} bytes"),
        }
    }

    /// What a file that is not a regular file is, for messages.
    fn kind_of(t: &std::fs::FileType) -> &'static str {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return "a FIFO (named pipe)";
            } else if t.is_char_device() {
                return "a character device";
            } else if t.is_block_device() {
                return "a block device";
            } else if t.is_socket() {
                return "a socket";
            }
        }
        if t.is_file() {
            "a regular file"
        } else if t.is_dir() {
            "a directory"
        } else if t.is_symlink() {
            "a symbolic link"
        } else {
            "not a regular file"
        }
    }

    fn is_pipe(t: &std::fs::FileType) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            t.is_fifo()
        }
        #[cfg(not(unix))]
        {
            let _ = t;
            false
        }
    }

    /// The bytes of `path`, at most the limit: a regular file, or with `pipes` also a pipe or FIFO
    /// (`<(zcat text.gz)`). Directories and devices (`/dev/zero` never ends) are refused before
    /// anything is read; a file that grows past the limit while it is read is refused when it
    /// does, through `take(limit + 1)`, so memory never grows beyond the limit.
    fn read_bounded(path: &str, limit: &Limit, pipes: bool) -> Result<Vec<u8>, String> {
        let max = limit.bytes()?;
        let kind_ok = |t: &std::fs::FileType| t.is_file() || (pipes && is_pipe(t));
        let refuse = |t: &std::fs::FileType| {
            let also = if pipes { " or a pipe" } else { "" };
            format!("{path} is {}, not a regular file{also}", kind_of(t))
        };
        let too_large = || {
            format!(
                "{path} is larger than the {} limit of {} (set {} to change it)",
                limit.what,
                size_text(max),
                limit.var
            )
        };
        // Looked at before opening: opening a FIFO that nobody writes to would wait.
        let meta = std::fs::metadata(path).map_err(|e| format!("{path}: {e}"))?;
        if !kind_ok(&meta.file_type()) {
            return Err(refuse(&meta.file_type()));
        }
        if meta.is_file() && meta.len() > max {
            return Err(too_large());
        }
        let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        // And again once open, in case the path was replaced in between.
        let meta = file.metadata().map_err(|e| format!("{path}: {e}"))?;
        if !kind_ok(&meta.file_type()) {
            return Err(refuse(&meta.file_type()));
        }
        let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
        file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| format!("{path}: {e}"))?;
        if bytes.len() as u64 > max {
            return Err(too_large());
        }
        Ok(bytes)
    }

    /// A text file (or pipe) as UTF-8, within [`TEXT_LIMIT`].
    fn read_text(path: &str) -> Result<String, String> {
        String::from_utf8(read_bounded(path, &TEXT_LIMIT, true)?).map_err(|e| {
            decode_corpus(e.as_bytes()).err().map_or_else(|| format!("{path}: not UTF-8"), |e| format!("{path}: {e}"))
        })
    }

    /// A JSON file (or pipe), within [`JSON_LIMIT`].
    fn read_json(path: &str) -> Result<String, String> {
        String::from_utf8(read_bounded(path, &JSON_LIMIT, true)?).map_err(|_| format!("{path}: not UTF-8 text"))
    }

    /// A model or checkpoint's bytes: a regular file within [`MODEL_LIMIT`].
    fn read_model_bytes(path: &str) -> Result<Vec<u8>, String> {
        read_bounded(path, &MODEL_LIMIT, false)
    }

    fn read_model(path: &str) -> Result<checkpoint::Loaded, String> {
        checkpoint::load(&read_model_bytes(path)?).map_err(|e| format!("{path}: {e}"))
    }

    // ---- writing files ----
    //
    // A file is written to a new temporary file created in the destination's folder (exclusively,
    // so a link planted there is never followed), then renamed over the destination: a reader sees
    // the old file or the new one, and a failure leaves the old one as it was and no temporary
    // behind. Only a regular file (or nothing) is replaced. A symbolic link at the destination is
    // replaced by the file itself: what it pointed to is never written through.

    /// The folder `path` is written in, after checking that nothing but a regular file or a
    /// symbolic link is in the way.
    fn target_dir(path: &str) -> Result<PathBuf, String> {
        let p = Path::new(path);
        if path.is_empty() || path.ends_with('/') || p.file_name().is_none() {
            return Err(format!("{path:?} is not a file name"));
        }
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(m) => {
                return Err(format!(
                    "cannot write {path}: {} is {}, not a directory",
                    dir.display(),
                    kind_of(&m.file_type())
                ))
            }
            Err(e) => return Err(format!("cannot write {path}: {}: {e}", dir.display())),
        }
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_file() || m.file_type().is_symlink() => Ok(dir.to_path_buf()),
            Ok(m) => Err(format!("{path} is {}; refusing to write over it", kind_of(&m.file_type()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(dir.to_path_buf()),
            Err(e) => Err(format!("{path}: {e}")),
        }
    }

    /// A new temporary file in `dir`, for `path`: `.rnn-playground-XXXXXX.tmp`.
    fn temp_in(dir: &Path, path: &str) -> std::io::Result<tempfile::NamedTempFile> {
        let mut b = tempfile::Builder::new();
        b.prefix(".rnn-playground-").suffix(".tmp");
        #[cfg(unix)]
        {
            // The mode a new file gets (less the umask), or that of the file it replaces.
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()).map_or(0o666, |m| m.permissions().mode());
            b.permissions(std::fs::Permissions::from_mode(mode & 0o777));
        }
        #[cfg(not(unix))]
        let _ = path;
        b.tempfile_in(dir)
    }

    /// Fails unless `path` can be written: its folder exists and takes a new file (tried by
    /// creating and removing one, as permissions alone do not tell, e.g. for root or a read-only
    /// file system), and nothing but a regular file or a link is at `path`.
    fn check_writable(path: &str) -> Result<(), String> {
        // Ctrl-C waits until the trial file is gone.
        let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = target_dir(path)?;
        temp_in(&dir, path).map(drop).map_err(|e| format!("cannot write {path}: {}: {e}", dir.display()))
    }

    /// Writes `bytes` to `path` through a temporary file renamed into place (see above).
    fn write_file(path: &str, bytes: &[u8]) -> Result<(), String> {
        // Ctrl-C waits for the rename or the clean-up.
        let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = target_dir(path)?;
        let mut tmp = temp_in(&dir, path).map_err(|e| format!("cannot write {path}: {}: {e}", dir.display()))?;
        tmp.write_all(bytes).and_then(|_| tmp.as_file().sync_all()).map_err(|e| format!("cannot write {path}: {e}"))?;
        // On failure the temporary file is removed as `PersistError` drops it.
        tmp.persist(path).map_err(|e| format!("cannot write {path}: {}", e.error))?;
        Ok(())
    }

    /// After a failed save: `bytes` in a new file in the system's temporary folder (or else the
    /// current folder), kept; its path.
    fn rescue(bytes: &[u8], name: &str) -> Option<PathBuf> {
        let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
        for dir in [std::env::temp_dir(), PathBuf::from(".")] {
            let Ok(mut f) = tempfile::Builder::new()
                .prefix(&format!("rnn-playground-{name}-"))
                .suffix(".safetensors")
                .tempfile_in(&dir)
            else {
                continue;
            };
            if f.write_all(bytes).and_then(|_| f.as_file().sync_all()).is_ok() {
                if let Ok((_, path)) = f.keep() {
                    return Some(path);
                }
            }
        }
        None
    }

    fn run(m: &ArgMatches) -> Result<(), String> {
        match m.subcommand() {
            Some(("train", m)) => train(m),
            Some(("sample", m)) => sample(m),
            Some(("eval", m)) => eval(m),
            Some(("diagnose", m)) => diagnose(m),
            Some(("tokenize", m)) => tokenize(m),
            Some(("info", m)) => info(m),
            Some(("bench", m)) => bench(m),
            Some(("task", m)) => task(m),
            Some(("settings", _)) => {
                out!("{}", rnn_playground::settings::schema_json());
                Ok(())
            }
            _ => Err("no command (see rnn-playground --help)".into()),
        }
    }

    // ---- the commands ----

    /// The trainer `train` runs, and the text its checkpoints carry (`--save-corpus`, or resuming
    /// from a checkpoint that carried its text): on CORPUS or on `--task` (its data seed the
    /// config's `--seed`), fresh or from `--resume`; resuming with neither, on the text the
    /// checkpoint carries or the task it records. Resuming on other text is an error unless
    /// `--allow-new-text`.
    fn trainer_for(
        m: &ArgMatches,
        config: Config,
        resume: Option<&String>,
    ) -> Result<(Trainer, Option<String>), String> {
        let bytes = match resume {
            Some(path) => Some(read_model_bytes(path)?),
            None => None,
        };
        let recorded = bytes.as_deref().and_then(recorded_task);
        let carried = bytes.as_deref().and_then(checkpoint::file_corpus);
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
            None if string(m, "corpus").is_none() && carried.is_none() => Some(recorded.ok_or_else(|| match resume {
                Some(p) => format!("give a CORPUS file or --task NAME ({p} carries no text: train --save-corpus saves it in checkpoints)"),
                None => "give a CORPUS file or --task NAME".to_string(),
            })?),
            None => None,
        };
        let from_file = string(m, "corpus").is_some();
        let corpus = match (task, string(m, "corpus")) {
            (None, Some(path)) => read_text(&path)?,
            (None, None) => carried.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let t = match (&bytes, task) {
            (Some(b), Some((task, seed))) => Trainer::from_file_for_task(b, task, seed),
            (Some(b), None) => Trainer::from_file(b, &corpus),
            (None, Some((task, seed))) => Trainer::for_task(config, task, seed),
            (None, None) => Trainer::new(config, &corpus),
        };
        let t = t.map_err(|e| format!("{}{e}", resume.map_or(String::new(), |p| format!("{p}: "))))?;
        if let (Some(path), Some(b), false) = (resume, &bytes, t.report.resumed) {
            let is_checkpoint = tensorfile::File::parse(b).is_ok_and(|f| f.meta("kind") == Some("checkpoint"));
            if !is_checkpoint {
                eprintln!(
                    "note: {} is a model, not a checkpoint: training continues from its weights with a fresh optimizer",
                    esc(path)
                );
            } else if m.get_flag("allow-new-text") {
                eprintln!(
                    "note: {} was trained on other text; continuing from its weights with a fresh optimizer",
                    esc(path)
                );
            } else {
                return Err(format!(
                    "{path} was trained on other text; it resumes exactly only on its own (pass --allow-new-text to continue from its weights with a fresh optimizer)"
                ));
            }
        }
        if let Some((task, seed)) = t.task {
            eprintln!("task: {0}, seed {seed} (its text: rnn-playground task {0} --seed {seed})", task.name());
        }
        let mut t = t;
        if resume.is_some() {
            let next = check_resume_flags(m, &t.config, resume.map_or("", String::as_str), t.task.is_some())?;
            if next != t.config {
                t.update_live(&next).map_err(|e| e.to_string())?;
            }
        }
        // The text keeps travelling with the checkpoints once it did, unless other text replaced it.
        let carry = task.is_none()
            && (m.get_flag("save-corpus")
                || (carried.is_some() && (!from_file || carried.as_deref() == Some(corpus.as_str()))));
        Ok((t, carry.then_some(corpus)))
    }

    /// `--resume` continues with the checkpoint's settings, except the ones a run may change as it
    /// goes (`live` in the settings table: the learning rate and its decay, the optimizer's
    /// constants, clipping), which apply from the next step, as on the page, each named in a note:
    /// the config to continue with. Any other model or training setting (a flag or in `--config`)
    /// that differs would be silently ignored: an error, naming each one. The same values are
    /// accepted, so that a command line can be rerun with `--resume` added. (With a task,
    /// `--seed` picks the task's data and is not compared.)
    fn check_resume_flags(m: &ArgMatches, ckpt: &Config, path: &str, task: bool) -> Result<Config, String> {
        let mut asked = ckpt.clone();
        if let Some(file) = m.get_one::<String>("config") {
            let text = read_json(file)?;
            let Ok(json::Value::Object(members)) = json::parse(&text) else {
                return Err(format!("{file}: not a JSON object"));
            };
            for (k, v) in &members {
                asked.set(k, v).map_err(|e| format!("{file}: {e}"))?;
            }
        }
        for s in SETTINGS.iter().filter(|s| s.group != Group::Sample) {
            if let Some(v) = m.get_one::<String>(s.name) {
                asked.set_str(s.name, v).map_err(|e| e.to_string())?;
            }
        }
        if task {
            asked.seed = ckpt.seed;
        }
        if asked.workers == 0 {
            asked.workers = cores();
        }
        if asked == *ckpt {
            return Ok(asked);
        }
        let a: serde_json::Value = serde_json::from_str(&asked.to_json()).map_err(|e| e.to_string())?;
        let c: serde_json::Value = serde_json::from_str(&ckpt.to_json()).map_err(|e| e.to_string())?;
        let show = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        let (live, fixed): (Vec<&Setting>, Vec<&Setting>) =
            SETTINGS.iter().filter(|s| s.group != Group::Sample && a[s.name] != c[s.name]).partition(|s| s.live);
        let list = |ss: &[&Setting]| -> String {
            let each = ss.iter().map(|s| format!("--{} {} (the checkpoint's: {})", s.flag(), show(&a[s.name]), show(&c[s.name])));
            each.collect::<Vec<_>>().join(", ")
        };
        if !fixed.is_empty() {
            return Err(format!(
                "--resume continues with {path}'s settings, and these differ: {}; drop them, or train anew without --resume",
                list(&fixed)
            ));
        }
        eprintln!("note: resuming with {}, from the next step", list(&live));
        Ok(asked)
    }

    /// Saves the model and the checkpoint (carrying `text` when given). A file that cannot be
    /// written where asked goes to a new file in the system's temporary folder (or the current
    /// folder) instead, and the error says where: training is never lost to a full disk or a
    /// folder removed meanwhile.
    fn save_run(t: &Trainer, out: &str, ckpt: &str, text: Option<&str>) -> Result<(), String> {
        let model = t.save_model().map_err(|e| e.to_string())?;
        let check = match t.save_checkpoint_with(text) {
            Ok(b) => b,
            Err(e) if text.is_some() => {
                eprintln!("warning: the checkpoint is saved without its text: {}", esc(&e.to_string()));
                t.save_checkpoint().map_err(|e| e.to_string())?
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut failed = Vec::new();
        for (path, bytes, name) in [(out, &model, "model"), (ckpt, &check, "checkpoint")] {
            if let Err(e) = write_file(path, bytes) {
                failed.push(match rescue(bytes, name) {
                    Some(p) => format!("{e}; the {name} was saved to {} instead", p.display()),
                    None => format!("{e}; the {name} could not be saved anywhere else either"),
                });
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }

    fn train(m: &ArgMatches) -> Result<(), String> {
        let steps = *m.get_one::<u64>("steps").unwrap_or(&0);
        let out = string(m, "out").unwrap_or_default();
        let ckpt = out.strip_suffix(".safetensors").unwrap_or(&out).to_string() + ".ckpt.safetensors";
        let resume = string(m, "resume");
        let val_every = *m.get_one::<u64>("val-every").unwrap_or(&0);
        let val_tokens = *m.get_one::<usize>("val-tokens").unwrap_or(&0);
        let sample_every = *m.get_one::<u64>("sample-every").unwrap_or(&0);
        let sample_len = *m.get_one::<usize>("sample-length").unwrap_or(&0);
        SampleSettings::default()
            .set_str("length", &sample_len.to_string())
            .map_err(|e| format!("--sample-length: {e}"))?;
        let sampling = sample_settings_from(m)?;
        let quiet = m.get_flag("quiet");
        let log_path = string(m, "log-steps");
        // Where the results go is checked before anything is read or trained.
        check_writable(&out)?;
        check_writable(&ckpt)?;
        if let Some(p) = &log_path {
            check_writable(p)?;
        }
        let log = std::cell::RefCell::new(String::new());
        let config = config_from(m)?;
        let asked = config.workers;
        let (mut t, text) = trainer_for(m, config, resume.as_ref())?;
        // Resuming without --threads (or a config naming it) continues on the checkpoint's count.
        let kept_k = (resume.is_some() && m.get_one::<String>("workers").is_none() && m.get_one::<String>("config").is_none())
            .then_some(t.shards.len());
        // From here Ctrl-C stops the training loop, which saves before exiting.
        DEFER.store(true, SeqCst);
        let r = &t.report;
        let d = t.model.dims();
        let words = r.kind == TokenKind::Words;
        eprintln!(
            "corpus: {} {}, vocabulary {} ({} train / {} validation {}, {} streams){}",
            r.tokens,
            if words { format!("words and marks ({} chars)", r.chars) } else { "chars".to_string() },
            r.vocab,
            r.train_tokens,
            r.val_tokens,
            if words { "tokens" } else { "chars" },
            r.streams,
            if r.unknown_tokens > 0 {
                format!(
                    "; {} {} ({:.1} % of the characters) read as unknown{}",
                    r.unknown_tokens,
                    if words { "tokens" } else { "chars" },
                    100.0 * r.unknown_chars as f64 / r.chars.max(1) as f64,
                    if r.dropped_tokens > 0 {
                        format!(", {} rare ones over the cap", r.dropped_tokens)
                    } else {
                        String::new()
                    }
                )
            } else {
                String::new()
            }
        );
        eprintln!(
            "model: {} {}×{}, embedding {}, {} parameters; T {}, B {}, {} lr {}; {}",
            d.cell.name(),
            d.layers,
            d.hidden,
            d.embed,
            t.model.params.count(),
            t.config.seq_len,
            t.batcher.streams,
            t.config.optimizer.name(),
            t.config.lr,
            threads_text(&t, asked, kept_k)
        );
        let stop = || STOP.load(SeqCst);
        let save = |t: &Trainer| {
            save_run(t, &out, &ckpt, text.as_deref())?;
            log_path.as_deref().map_or(Ok(()), |p| write_file(p, log.borrow().as_bytes()))
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
        let mut val = None;
        let mut smooth: Option<f32> = None; // the engine's smoothed loss (monitor.rs)
        let mut smooth_bpc: Option<f32> = None;
        let tokens_per_step = (t.config.seq_len * t.batcher.streams) as u64;
        // The step of the checkpoint at `ckpt` that is known good: the last written at a healthy
        // validation, or the one this run resumed from when it is that file.
        let same_file = |p: &str| std::fs::canonicalize(p).ok().is_some_and(|a| std::fs::canonicalize(&ckpt).ok() == Some(a));
        let mut kept: Option<u64> = resume.as_deref().filter(|p| same_file(p)).map(|_| first_step);
        let sample_opts = SampleOptions::from(&sampling);
        while t.optimizer.step < first_step + steps {
            if stop() {
                pb.abandon();
                eprintln!("interrupted: saving {} and {}", esc(&out), esc(&ckpt));
                let step = t.optimizer.step;
                match save(&t) {
                    Ok(()) => interrupted(&format!("interrupted at step {step} (model and checkpoint saved)")),
                    Err(e) => interrupted(&format!("interrupted at step {step}: {e}")),
                }
            }
            let s = match t.step() {
                Ok(s) => s,
                Err(e) => {
                    pb.abandon();
                    return Err(format!("{e} (the last good weights are kept in memory; nothing saved)"));
                }
            };
            smooth = Some(s.smooth);
            smooth_bpc = Some(s.smooth_bpc);
            if log_path.is_some() {
                let line = serde_json::json!({"step": s.step, "loss": s.loss, "grad_norm": s.grad_norm, "clipped": s.clipped, "lr": s.lr});
                log.borrow_mut().push_str(&format!("{line}\n"));
            }
            if let Some(d) = s.diverged {
                pb.abandon();
                return Err(match kept {
                    Some(k) => format!(
                        "training diverged: {d}; {} holds step {k}, the last healthy validation: continue from it with --resume {} and a lower --lr (or clipping on)",
                        esc(&ckpt),
                        esc(&ckpt)
                    ),
                    None => format!("training diverged: {d} (nothing saved)"),
                });
            }
            let done = s.step - first_step;
            let validated = val_every > 0 && done % val_every == 0;
            if validated {
                let (loss, check) = t.check_validation(Some(val_tokens), stop);
                val = loss;
                // A healthy run's checkpoint is written at each validation, so that a divergence
                // (or a crash) later on loses at most --val-every steps.
                if t.monitor.healthy() {
                    let bytes = t.save_checkpoint_with(text.as_deref()).or_else(|_| t.save_checkpoint());
                    match bytes.map_err(|e| e.to_string()).and_then(|b| write_file(&ckpt, &b)) {
                        Ok(()) => kept = Some(s.step),
                        Err(e) => note(&pb, format!("warning: the checkpoint of step {} was not written: {}", s.step, esc(&e))),
                    }
                }
                if let Some(m) = check.memorising {
                    note(&pb, format!(
                        "memorising: {m}. More training will not make it better on new text; more text, a smaller \
                         model or a lower --lr would generalise better"
                    ));
                }
                if let Some(p) = check.plateau.filter(|p| p.new) {
                    note(&pb, format!("plateau: {p}. {}", remedy_words(&t.config)));
                }
            }
            pb.set_position(done);
            if validated || done == steps || last_draw.is_none_or(|l| l.elapsed() >= Duration::from_millis(100)) {
                last_draw = Some(Instant::now());
                let secs = start.elapsed().as_secs_f64().max(1e-9);
                let speed = if words {
                    format!(
                        "{:.0} tokens/s, {:.0} chars/s",
                        (done * tokens_per_step) as f64 / secs,
                        s.chars as f64 / secs
                    )
                } else {
                    format!("{:.0} chars/s", s.chars as f64 / secs)
                };
                pb.set_message(format!(
                    "loss {:.3} val {} | {speed} | epoch {:.2}",
                    smooth.unwrap_or(s.loss),
                    val.map_or("-".to_string(), |v| format!("{:.3}", v.loss)),
                    s.epoch as f32 + s.epoch_progress
                ));
            }
            if sample_every > 0 && done % sample_every == 0 && !quiet {
                // Continuing real text from a warmed state, not the zero state's junk.
                let prime = t.sample_prime(s.step);
                if let Ok(sm) = t.sample(&prime, sample_len, &sample_opts, s.step, false) {
                    let from = if t.report.val_tokens >= 2 { "validation" } else { "training" };
                    let text = escape(&sm.text, true);
                    let shown = marked(&text, std::io::stderr().is_terminal());
                    note(&pb, format!(
                        "--- sample at step {}, after the prime \"{}\" ({from} text) ---\n{shown}\n---",
                        s.step,
                        escape(&prime, false),
                    ));
                }
            }
        }
        pb.finish();
        save(&t)?;
        let val = t.validate_until(None, stop);
        if stop() {
            interrupted("interrupted during the final validation (model and checkpoint saved)");
        }
        let train_loss = smooth.unwrap_or(f32::NAN);
        print_json(
            &serde_json::json!({
                "steps": t.optimizer.step,
                "tokens": t.vocab.kind().name(),
                "train_loss": train_loss,
                "train_bits_per_char": smooth_bpc,
                "val_loss": val.map(|v| v.loss),
                "val_bits_per_char": val.map(|v| v.bits_per_char),
                "val_perplexity": val.map(|v| perplexity(v.loss)),
                "val_tokens": val.map(|v| v.tokens),
                "val_chars": val.map(|v| v.chars),
                "seconds": start.elapsed().as_secs_f64(),
                "threads": t.shards.len(),
                "model": out,
                "checkpoint": ckpt,
            }),
            false,
        );
        Ok(())
    }

    /// What may take a model that has stopped improving further, as flags ([`remedies`]).
    fn remedy_words(config: &Config) -> String {
        let words: Vec<&str> = remedies(config)
            .into_iter()
            .map(|r| match r {
                Remedy::Gated => "a gated cell (--cell lstm or gru) carries information further back",
                Remedy::LongerT => "a longer --seq-len lets the gradient reach further back",
                Remedy::Bigger => "a bigger --hidden (or more --layers) holds more",
                Remedy::LowerLr => "a lower --lr or a decay (--lr-decay 0.5) lets the weights settle lower",
            })
            .collect();
        if words.is_empty() {
            "If its samples still go wrong, the text may need a model of another kind".into()
        } else {
            format!("If its samples still go wrong: {}", words.join("; "))
        }
    }

    /// The model of `--model` and its vocabulary: the file's own, or `--vocab`'s read as
    /// `--tokens` says (else as the file's config says, else characters). A `--tokens` that
    /// differs from what the file records is an error.
    fn model_and_vocab(m: &ArgMatches) -> Result<(Model, Vocab), String> {
        let path = string(m, "model").unwrap_or_default();
        let loaded = read_model(&path)?;
        let flag = match m.try_get_one::<String>("tokens") {
            Ok(Some(v)) => {
                Some(TokenKind::from_name(v).ok_or_else(|| format!("--tokens {v}: not characters or words"))?)
            }
            _ => None,
        };
        let recorded = loaded.vocab.as_ref().map(Vocab::kind).or(loaded.config.as_ref().map(|c| c.tokens));
        if let (Some(f), Some(r)) = (flag, recorded) {
            if f != r {
                return Err(format!("--tokens {}: {path} reads {}", f.name(), r.name()));
            }
        }
        let kind = flag.or(recorded).unwrap_or(TokenKind::Characters);
        let vocab = match string(m, "vocab") {
            Some(p) => Vocab::from_json(kind, &read_json(&p)?).map_err(|e| format!("{p}: {e}"))?,
            None => loaded.vocab.ok_or_else(|| format!("{path} has no vocabulary; pass --vocab VOCAB.json"))?,
        };
        let v = loaded.params.dims().vocab;
        if vocab.len() != v {
            return Err(format!("the vocabulary has {} tokens but the model has {v} rows", vocab.len()));
        }
        Ok((Model::new(loaded.params), vocab))
    }

    /// `text` with every U+FFFD (the unknown token: no other token holds one) shown in reverse
    /// video on a terminal, so that it cannot be read as text.
    fn marked(text: &str, terminal: bool) -> Cow<'_, str> {
        if terminal && text.contains(UNKNOWN) {
            Cow::Owned(text.replace(UNKNOWN, &format!("\u{1b}[7m{UNKNOWN}\u{1b}[27m")))
        } else {
            Cow::Borrowed(text)
        }
    }

    fn sample(m: &ArgMatches) -> Result<(), String> {
        let ss = sample_settings_from(m)?;
        let opts = ss.options(precision_from(m));
        let mut seed = Config::default();
        if let Some(v) = m.get_one::<String>("seed") {
            seed.set_str("seed", v).map_err(|e| e.to_string())?;
        }
        let (model, vocab) = model_and_vocab(m)?;
        let unknown = vocab.encode(&ss.prime).map_err(|e| e.to_string())?.unknown;
        if !unknown.is_empty() {
            let what = if vocab.kind() == TokenKind::Words { "tokens" } else { "characters" };
            let list = serde_json::to_string(&unknown).expect("json");
            eprintln!("note: the prime has {what} the model never saw, read as unknown: {}", esc(&list));
        }
        // Streamed: each token is printed (and flushed) as it is chosen. On a terminal, control
        // characters other than newline and tab are shown escaped and the unknown token (U+FFFD)
        // in reverse video; a file or a pipe gets the text exactly. A closed pipe
        // (`| head -c 100`) ends the sampling quietly.
        let stdout = std::io::stdout();
        let tty = stdout.is_terminal();
        let mut open = true;
        let mut put = |text: &str| {
            let shown =
                if tty { Cow::Owned(marked(&escape(text, true), true).into_owned()) } else { Cow::Borrowed(text) };
            let mut lock = stdout.lock();
            open = open && lock.write_all(shown.as_bytes()).and_then(|_| lock.flush()).is_ok();
            MIDLINE.store(tty && !text.ends_with('\n'), SeqCst);
            open
        };
        put(&ss.prime);
        Sampler::new(&model)
            .generate_each(&model, &vocab, &ss.prime, ss.length, &opts, &mut Rng::new(seed.seed), |id| {
                put(vocab.token(id))
            })
            .map_err(|e| e.to_string())?;
        put("\n");
        Ok(())
    }

    fn eval(m: &ArgMatches) -> Result<(), String> {
        let text_path = string(m, "text").unwrap_or_default();
        let grads = string(m, "grads");
        let precision = precision_from(m);
        if grads.is_some() && precision != Precision::F32 {
            return Err("--grads needs --precision f32".into());
        }
        if let Some(out) = &grads {
            check_writable(out)?;
        }
        let (model, vocab) = model_and_vocab(m)?;
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
        let n = Numbers::of(&vocab, &enc, loss);
        print_json(
            &serde_json::json!({
                "tokens_kind": vocab.kind().name(),
                "loss": loss,
                "perplexity": perplexity(loss),
                "bits_per_token": bits_per_char(loss),
                "bits_per_char": n.bits_per_char,
                "tokens": enc.ids.len(),
                "predicted": enc.ids.len() - 1,
                "chars": enc.chars,
                "predicted_chars": n.predicted_chars,
                "unknown_tokens": enc.unknown_tokens(),
                "unknown_chars": enc.unknown_chars(),
                "unknown_share": n.unknown_share,
                "unknown": enc.unknown,
                "unknown_distinct": enc.unknown_distinct,
                "precision": precision.name(),
            }),
            false,
        );
        Ok(())
    }

    /// The numbers `eval` and `diagnose` print beside a loss in nats per token.
    struct Numbers {
        /// Characters of the predicted tokens (every token but the first).
        predicted_chars: usize,
        /// Total bits over those characters.
        bits_per_char: f64,
        /// Share of the predicted characters inside unknown tokens (their spelling unseen).
        unknown_share: f64,
    }

    impl Numbers {
        fn of(vocab: &Vocab, enc: &Encoded, loss: f32) -> Numbers {
            let ids = TokenIds { ids: enc.ids.clone(), unknown_at: enc.unknown_at.clone() };
            let predicted_chars = ids.chars(1..ids.len(), vocab.lens());
            let predicted = ids.len().saturating_sub(1);
            let bits = loss as f64 * predicted as f64 / std::f64::consts::LN_2;
            let unknown: usize = enc.unknown_at.iter().filter(|u| u.0 > 0).map(|u| u.1).sum();
            Numbers {
                predicted_chars,
                bits_per_char: bits / predicted_chars.max(1) as f64,
                unknown_share: unknown as f64 / predicted_chars.max(1) as f64,
            }
        }
    }

    fn diagnose(m: &ArgMatches) -> Result<(), String> {
        let text_path = string(m, "text").unwrap_or_default();
        let (model, vocab) = model_and_vocab(m)?;
        let text = read_text(&text_path)?;
        let enc = vocab.encode(&text).map_err(|e| format!("{text_path}: {e}"))?;
        let loss = sequence_loss_at(&model, &enc.ids, Precision::F32).map_err(|e| format!("{text_path}: {e}"))?;
        let probe = &enc.ids[..enc.ids.len().min(MAX_DIAGNOSE_TOKENS)];
        let flow = diagnose::grad_flow(&model, probe).map_err(|e| format!("{text_path}: {e}"))?;
        // [layer][t][k]: row t of each (T, T) matrix.
        let grad_flow: Vec<Vec<&[f32]>> = flow.layers.iter().map(|g| g.chunks_exact(flow.steps).collect()).collect();
        let h = diagnose::text_entropy(vocab.kind(), &text);
        let n = Numbers::of(&vocab, &enc, loss);
        print_json(
            &serde_json::json!({
                "tokens_kind": vocab.kind().name(),
                "grad_flow": grad_flow,
                "sigma_max": diagnose::sigma_max(&model),
                "loss_per_token": loss,
                "bits_per_char": n.bits_per_char,
                "unigram_bits": h.unigram_bits,
                "bigram_bits": h.bigram_bits,
                "tokens": enc.ids.len(),
                "chars": enc.chars,
                "probe_tokens": probe.len(),
                "unknown_tokens": enc.unknown_tokens(),
                "unknown_chars": enc.unknown_chars(),
                "unknown": enc.unknown,
            }),
            false,
        );
        Ok(())
    }

    fn tokenize(m: &ArgMatches) -> Result<(), String> {
        let path = string(m, "text").unwrap_or_default();
        let mut kind = TokenKind::default();
        if let Some(v) = m.get_one::<String>("tokens") {
            kind = TokenKind::from_name(v).ok_or_else(|| format!("--tokens {v}: not characters or words"))?;
        }
        let text = read_text(&path)?;
        let tokens: Vec<&str> = tokenizer::tokens(kind, &text).collect();
        print_json(&serde_json::json!(tokens), false);
        Ok(())
    }

    fn info(m: &ArgMatches) -> Result<(), String> {
        let path = string(m, "model").unwrap_or_default();
        let loaded = read_model(&path)?;
        let d = loaded.params.dims();
        print_json(
            &serde_json::json!({
                "kind": if loaded.train.is_some() { "checkpoint" } else { "model" },
                "cell": d.cell.name(),
                "layers": d.layers,
                "hidden": d.hidden,
                "embed": d.embed,
                "vocab": d.vocab,
                "parameters": loaded.params.count(),
                "tensors": loaded.params.names_and_shapes().into_iter().map(|(n, s)| format!("{n} {s:?}")).collect::<Vec<_>>(),
                "config": loaded.config.map(|c| serde_json::from_str::<serde_json::Value>(&c.to_json()).expect("config json")),
                "tokens": loaded.vocab.as_ref().map(|v| v.kind().name()),
                "vocabulary": loaded.vocab.as_ref().map(|v| v.tokens()),
                "step": loaded.train.as_ref().map(|t| t.progress.step),
                "corpus_chars": loaded.corpus.as_ref().map(|c| c.chars().count()),
            }),
            true,
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
        let asked = config.workers;
        let mut t = Trainer::new(config, &corpus).map_err(|e| e.to_string())?;
        eprintln!("bench: {}", threads_text(&t, asked, None));
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
        let tokens_per_step = (t.config.seq_len * t.batcher.streams) as f64;
        let d = t.model.dims();
        let opts = SampleOptions::default();
        let s0 = Instant::now();
        t.sample("The ", 1000, &opts, 1, false).map_err(|e| e.to_string())?;
        let sample_ms = s0.elapsed().as_secs_f64() * 1e3;
        let tokens_per_sec = steps as f64 * tokens_per_step / secs;
        // The characters the timed steps' targets stand for (the warm-up steps' excluded).
        let chars_per_token = t.last.as_ref().map_or(1.0, |s| s.chars as f64 / (s.tokens as f64).max(1.0));
        print_json(
            &serde_json::json!({
                "tokens": t.vocab.kind().name(),
                "tokens_per_sec": tokens_per_sec,
                "chars_per_sec": tokens_per_sec * chars_per_token,
                "steps": steps,
                "seconds": secs,
                "macs_per_token": d.forward_macs(),
                "gflops": tokens_per_sec * 6.0 * d.forward_macs() as f64 / 1e9,
                "vocab": d.vocab,
                "loss": t.last.as_ref().map(|s| s.loss),
                "sample_1000_ms": sample_ms,
                "threads": t.shards.len(),
            }),
            false,
        );
        Ok(())
    }
}
