//! The command-line tool, run as a program on temporary folders: writes that never follow a
//! planted link or replace what is not a regular file, outputs checked before training, a save
//! that fails rescued elsewhere, inputs read within limits (devices, FIFOs, large files), the
//! sample length bound and streamed output, NaN and BF16 tensors, resuming (other text, flags it
//! would ignore, the text a checkpoint carries), usage errors, Ctrl-C at each stage, and names with
//! escape sequences printed escaped, the memorising and plateau notices and primed samples of
//! `train`. Every run has a deadline, so a regression that hangs fails
//! instead of stalling the suite.
#![cfg(not(target_arch = "wasm32"))]

use rnn_playground::checkpoint;
use rnn_playground::config::Config;
use rnn_playground::model::{Model, Precision};
use rnn_playground::rng::Rng;
use rnn_playground::sample::{SampleOptions, Sampler};
use rnn_playground::tensorfile::File;
use rnn_playground::Trainer;
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_rnn-playground");

/// A few kilobytes of English, enough for a validation split.
fn text() -> String {
    "The quick brown fox jumps over the lazy dog. A recurrent network reads one character at a \
     time and carries a hidden state forward; the gradient flows backward through time.\n"
        .repeat(20)
}

/// Flags for a tiny, fast training run.
const TINY: [&str; 14] = [
    "--hidden",
    "8",
    "--embed",
    "4",
    "--seq-len",
    "8",
    "--batch",
    "2",
    "--val-every",
    "0",
    "--sample-every",
    "0",
    "--quiet",
    "--steps",
];

/// A temporary folder holding `corpus.txt`.
fn folder() -> TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("corpus.txt"), text()).unwrap();
    d
}

/// The program with `args`, run in `dir`, its temporary folder `dir/tmp` (made here).
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env("TMPDIR", &tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Waits for `child` at most `secs` seconds; kills it and fails the test past that.
fn finish(mut child: Child, secs: u64, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(secs);
    // Drain the pipes meanwhile, so that a chatty child never blocks on a full pipe.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut b);
        }
        b
    });
    let err_t = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut b);
        }
        b
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {secs} s (killed)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: out_t.join().unwrap(), stderr: err_t.join().unwrap() }
}

/// Runs the program in `dir` (at most 120 s).
fn run(dir: &Path, args: &[&str]) -> Output {
    run_env(dir, args, &[])
}

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = cmd(dir, args);
    c.envs(env.iter().copied());
    finish(c.spawn().unwrap(), 120, &format!("{args:?}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code `code` and that stderr contains `needle`.
fn fails_with(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
}

/// A failure that printed one line, `error: …`, and nothing else.
fn one_line_error(o: &Output, needle: &str) {
    fails_with(o, 2, needle);
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "more than one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
}

/// Trains a tiny model in `dir` (`model.safetensors` and `model.ckpt.safetensors`).
fn train_tiny(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "corpus.txt"];
    args.extend(TINY);
    args.push("5");
    args.extend(extra);
    let o = run(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

/// The names in `dir`, sorted (the temporary folder `tmp` left out).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "tmp")
        .collect();
    v.sort();
    v
}

fn no_temporaries(dir: &Path) {
    for n in names(dir) {
        assert!(
            !n.starts_with(".rnn-playground-") && !n.ends_with(".tmp"),
            "temporary file left: {n} in {:?}",
            names(dir)
        );
    }
}

/// `bytes` with the first value of tensor `name` set to `v`.
fn poke(bytes: &[u8], name: &str, v: f32) -> Vec<u8> {
    let at = File::parse(bytes).unwrap().tensor(name).unwrap().data.as_ptr() as usize - bytes.as_ptr() as usize;
    let mut b = bytes.to_vec();
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    b
}

/// Reads the child's stderr on a thread; `wait_for` returns once a line contains a string.
struct Lines(mpsc::Receiver<String>, Vec<String>);

impl Lines {
    fn of(child: &mut Child) -> Lines {
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines(rx, Vec::new())
    }

    fn wait_for(&mut self, needle: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(l) = self.0.recv_timeout(Duration::from_millis(50)) {
                let hit = l.contains(needle);
                self.1.push(l);
                if hit {
                    return;
                }
            }
        }
        panic!("no line with {needle:?} within {secs} s: {:?}", self.1);
    }

    /// Everything printed, once the child has ended.
    fn rest(mut self) -> String {
        while let Ok(l) = self.0.recv_timeout(Duration::from_secs(10)) {
            self.1.push(l);
        }
        self.1.join("\n")
    }
}

fn interrupt(child: &Child) {
    let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -INT failed");
}

/// Waits at most `secs` for the child to end; its exit code.
fn exit_code_within(child: &mut Child, secs: u64) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("did not exit within {secs} s of Ctrl-C (killed)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo failed");
}

// ---- writing ----

#[cfg(unix)]
#[test]
fn a_link_planted_at_the_old_temporary_path_is_never_followed() {
    let d = folder();
    let victim = d.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    // Where the tool used to write before renaming: PATH.tmp.
    for link in ["model.safetensors.tmp", "model.ckpt.safetensors.tmp"] {
        std::os::unix::fs::symlink(&victim, d.path().join(link)).unwrap();
    }
    train_tiny(d.path(), &[]);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    for link in ["model.safetensors.tmp", "model.ckpt.safetensors.tmp"] {
        assert_eq!(std::fs::read_link(d.path().join(link)).unwrap(), victim);
    }
    assert!(checkpoint::load(&std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap()).is_ok());
    assert_eq!(
        names(d.path()),
        [
            "corpus.txt",
            "model.ckpt.safetensors",
            "model.ckpt.safetensors.tmp",
            "model.safetensors",
            "model.safetensors.tmp",
            "victim"
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_link_at_the_destination_is_replaced_not_written_through() {
    let d = folder();
    let victim = d.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, d.path().join("model.safetensors")).unwrap();
    train_tiny(d.path(), &[]);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let meta = std::fs::symlink_metadata(d.path().join("model.safetensors")).unwrap();
    assert!(meta.is_file(), "the link was not replaced by the file");
    assert!(checkpoint::load(&std::fs::read(d.path().join("model.safetensors")).unwrap()).is_ok());
    assert_eq!(names(d.path()), ["corpus.txt", "model.ckpt.safetensors", "model.safetensors", "victim"]);
}

#[test]
fn an_existing_model_is_replaced_whole_and_keeps_its_mode() {
    let d = folder();
    train_tiny(d.path(), &[]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.path().join("model.safetensors"), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = std::fs::read(d.path().join("model.safetensors")).unwrap();
    train_tiny(d.path(), &["--seed", "2"]);
    let after = std::fs::read(d.path().join("model.safetensors")).unwrap();
    assert_ne!(before, after);
    assert!(checkpoint::load(&after).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path().join("model.safetensors")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    no_temporaries(d.path());
}

#[test]
fn a_directory_at_the_destination_is_refused_before_training() {
    let d = folder();
    std::fs::create_dir(d.path().join("model.safetensors")).unwrap();
    std::fs::write(d.path().join("model.safetensors").join("inside"), b"keep").unwrap();
    let o = run(d.path(), &["train", "corpus.txt", "--steps", "5"]);
    one_line_error(&o, "model.safetensors is a directory; refusing to write over it");
    assert_eq!(std::fs::read(d.path().join("model.safetensors/inside")).unwrap(), b"keep");
    assert_eq!(names(d.path()), ["corpus.txt", "model.safetensors"]);
    // The checkpoint's path too.
    std::fs::remove_dir_all(d.path().join("model.safetensors")).unwrap();
    std::fs::create_dir(d.path().join("model.ckpt.safetensors")).unwrap();
    let o = run(d.path(), &["train", "corpus.txt", "--steps", "5"]);
    one_line_error(&o, "model.ckpt.safetensors is a directory; refusing to write over it");
    assert_eq!(names(d.path()), ["corpus.txt", "model.ckpt.safetensors"]);
}

#[cfg(unix)]
#[test]
fn a_device_or_fifo_at_the_destination_is_refused() {
    let d = folder();
    let o = run(d.path(), &["train", "corpus.txt", "--steps", "5", "--out", "/dev/null"]);
    one_line_error(&o, "/dev/null is a character device; refusing to write over it");
    mkfifo(&d.path().join("grads.safetensors"));
    train_tiny(d.path(), &[]);
    let o = run(
        d.path(),
        &["eval", "--model", "model.safetensors", "--text", "corpus.txt", "--grads", "grads.safetensors"],
    );
    one_line_error(&o, "grads.safetensors is a FIFO (named pipe); refusing to write over it");
    no_temporaries(d.path());
}

#[test]
fn an_output_under_a_regular_file_fails_before_anything_is_read() {
    // Tests run as root, for whom permissions are no obstacle: a parent that is a file is.
    let d = folder();
    for out in ["corpus.txt/model.safetensors", "missing/model.safetensors"] {
        let o = run(d.path(), &["train", "corpus.txt", "--steps", "5", "--out", out]);
        let want = if out.starts_with("corpus") { "corpus.txt is a regular file, not a directory" } else { "missing" };
        one_line_error(&o, &format!("cannot write {out}: "));
        fails_with(&o, 2, want);
        assert!(!stderr(&o).contains("corpus:"), "the corpus was read first");
    }
    let o = run(
        d.path(),
        &["eval", "--model", "nonexistent", "--text", "corpus.txt", "--grads", "corpus.txt/g.safetensors"],
    );
    one_line_error(&o, "cannot write corpus.txt/g.safetensors: corpus.txt is a regular file, not a directory");
    assert_eq!(names(d.path()), ["corpus.txt"]);
}

#[cfg(unix)]
#[test]
fn a_save_that_fails_is_rescued_and_the_old_file_is_left_intact() {
    let d = folder();
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("model.safetensors"), b"the old model").unwrap();
    let mut c = cmd(
        d.path(),
        &["train", "corpus.txt", "--out", "out/model.safetensors", "--steps", "100000000", "--hidden", "16"],
    );
    c.args(["--val-every", "0", "--sample-every", "0"]);
    let mut child = c.spawn().unwrap();
    let mut lines = Lines::of(&mut child);
    lines.wait_for("model:", 60);
    // The folder goes away while training and a file takes its name: saving there now fails.
    std::fs::rename(&out, d.path().join("moved")).unwrap();
    std::fs::write(&out, b"not a folder").unwrap();
    interrupt(&child);
    let code = exit_code_within(&mut child, 30);
    let err = lines.rest();
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("cannot write out/model.safetensors: out is a regular file, not a directory"), "{err}");
    let tmp = d.path().join("tmp");
    let rescued = names(&tmp);
    assert_eq!(rescued.len(), 2, "{rescued:?}");
    for name in &rescued {
        let p = tmp.join(name);
        assert!(err.contains(&p.display().to_string()), "{err} does not name {}", p.display());
        let loaded = checkpoint::load(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(loaded.train.is_some(), name.starts_with("rnn-playground-checkpoint-"), "{name}");
    }
    assert_eq!(std::fs::read(d.path().join("moved/model.safetensors")).unwrap(), b"the old model");
    assert_eq!(names(&d.path().join("moved")), ["model.safetensors"]);
    let err_line = err.lines().last().unwrap();
    assert!(err_line.starts_with("error: ") && err_line.contains("the model was saved to"), "{err_line}");
}

// ---- reading ----

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_as_a_text_and_as_a_model_at_once() {
    let d = folder();
    train_tiny(d.path(), &[]);
    let cases: [(&[&str], &str); 4] = [
        (&["train", "/dev/zero", "--steps", "1"], "/dev/zero is a character device, not a regular file or a pipe"),
        (&["eval", "--model", "model.safetensors", "--text", "/dev/zero"], "/dev/zero is a character device"),
        (&["sample", "--model", "/dev/zero"], "/dev/zero is a character device, not a regular file"),
        (&["train", "corpus.txt", "--resume", "/dev/zero"], "/dev/zero is a character device, not a regular file"),
    ];
    for (args, want) in cases {
        // At most 10 s: reading /dev/zero to its end would never finish.
        let o = finish(cmd(d.path(), args).spawn().unwrap(), 10, &format!("{args:?}"));
        one_line_error(&o, want);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_as_a_model_and_read_within_the_limit_as_a_text() {
    let d = folder();
    let fifo = d.path().join("fifo");
    mkfifo(&fifo);
    // No writer: opening it would wait forever. It is looked at first and refused.
    let o = finish(cmd(d.path(), &["sample", "--model", "fifo"]).spawn().unwrap(), 10, "sample --model fifo");
    one_line_error(&o, "fifo is a FIFO (named pipe), not a regular file");
    // A writer that never stops: the text is refused once it passes the limit.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            let block = [b'a'; 65536];
            while f.write_all(&block).is_ok() {}
        })
    };
    let mut c = cmd(d.path(), &["train", "fifo", "--steps", "1"]);
    c.env("RNN_PLAYGROUND_MAX_CORPUS_BYTES", "1048576");
    let o = finish(c.spawn().unwrap(), 20, "train fifo");
    // Whatever happened, the writer is released: a reader that comes and goes (O_NONBLOCK, so that
    // this open never waits) makes its open return and its writes fail.
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new().read(true).custom_flags(0o4000).open(&fifo);
    }
    one_line_error(
        &o,
        "fifo is larger than the text limit of 1 MiB (set RNN_PLAYGROUND_MAX_CORPUS_BYTES to change it)",
    );
    writer.join().unwrap();
}

#[test]
fn a_text_or_model_over_its_limit_is_refused() {
    let d = folder();
    train_tiny(d.path(), &[]);
    let o = run_env(d.path(), &["train", "corpus.txt", "--steps", "1"], &[("RNN_PLAYGROUND_MAX_CORPUS_BYTES", "1000")]);
    one_line_error(
        &o,
        "corpus.txt is larger than the text limit of 1000 bytes (set RNN_PLAYGROUND_MAX_CORPUS_BYTES to change it)",
    );
    let o = run_env(d.path(), &["info", "--model", "model.safetensors"], &[("RNN_PLAYGROUND_MAX_MODEL_BYTES", "4096")]);
    one_line_error(
        &o,
        "model.safetensors is larger than the model file limit of 4096 bytes (set RNN_PLAYGROUND_MAX_MODEL_BYTES",
    );
    let o = run_env(d.path(), &["info", "--model", "model.safetensors"], &[("RNN_PLAYGROUND_MAX_MODEL_BYTES", "lots")]);
    one_line_error(&o, "RNN_PLAYGROUND_MAX_MODEL_BYTES = \"lots\" is not a number of bytes");
    // At the limit is fine.
    let size = std::fs::metadata(d.path().join("corpus.txt")).unwrap().len().to_string();
    let o = run_env(
        d.path(),
        &["train", "corpus.txt", "--steps", "1", "--hidden", "8", "--quiet"],
        &[("RNN_PLAYGROUND_MAX_CORPUS_BYTES", &size)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_directory_and_bad_text_are_refused_as_input() {
    let d = folder();
    std::fs::create_dir(d.path().join("dir")).unwrap();
    one_line_error(&run(d.path(), &["train", "dir"]), "dir is a directory, not a regular file or a pipe");
    std::fs::write(d.path().join("bin"), b"abc\xffdef").unwrap();
    one_line_error(
        &run(d.path(), &["train", "bin"]),
        "bin: corpus: the file is not valid UTF-8 text (invalid byte at offset 3)",
    );
    std::fs::write(d.path().join("nul"), b"abc\0def").unwrap();
    one_line_error(&run(d.path(), &["train", "nul", "--steps", "1"]), "NUL bytes");
    std::fs::write(d.path().join("empty"), b"").unwrap();
    one_line_error(&run(d.path(), &["train", "empty", "--steps", "1"]), "the corpus is empty");
}

// ---- sampling ----

#[test]
fn sample_length_has_a_maximum_with_the_engine_message() {
    let d = folder();
    train_tiny(d.path(), &[]);
    one_line_error(
        &run(d.path(), &["sample", "--model", "model.safetensors", "--length", "20001"]),
        "config: length = 20001 is out of range [1, 20000]",
    );
    one_line_error(
        &run(d.path(), &["train", "corpus.txt", "--sample-length", "20001"]),
        "--sample-length: config: length = 20001 is out of range [1, 20000]",
    );
    let o = run(d.path(), &["sample", "--model", "model.safetensors", "--length", "20000"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap().chars().count(), 20001);
}

/// A small model, as the library makes it, and its file.
fn small_model(dir: &Path, hidden: usize, layers: usize) -> (Model, rnn_playground::vocab::Vocab, PathBuf) {
    let mut t =
        Trainer::new(Config { hidden, layers, embed: 8, seq_len: 8, batch: 2, ..Config::default() }, &text()).unwrap();
    t.step().unwrap();
    let path = dir.join(format!("m{hidden}.safetensors"));
    std::fs::write(&path, t.save_model().unwrap()).unwrap();
    let loaded = checkpoint::load(&std::fs::read(&path).unwrap()).unwrap();
    (Model::new(loaded.params), loaded.vocab.unwrap(), path)
}

#[test]
fn streamed_samples_are_the_generated_text() {
    let d = folder();
    let (model, vocab, _) = small_model(d.path(), 16, 2);
    for (seed, temperature, top_k, top_p, precision) in [
        (1, 0.8, 0, 1.0, Precision::I16),
        (7, 1.5, 5, 1.0, Precision::F32),
        (3, 1.0, 0, 0.9, Precision::Bf16),
        (4, 0.0, 0, 1.0, Precision::F32),
    ] {
        let opts = SampleOptions { temperature, top_k, top_p, precision };
        let whole = Sampler::new(&model).generate(&model, &vocab, "The ", 300, &opts, &mut Rng::new(seed)).unwrap();
        let mut streamed = String::new();
        let unknown = Sampler::new(&model)
            .generate_each(&model, &vocab, "The ", 300, &opts, &mut Rng::new(seed), |id| {
                streamed.push_str(vocab.token(id));
                true
            })
            .unwrap();
        assert_eq!(streamed, whole.text, "seed {seed}");
        assert_eq!(unknown, whole.unknown);
        // Stopping early gives a prefix.
        let mut part = String::new();
        Sampler::new(&model)
            .generate_each(&model, &vocab, "The ", 300, &opts, &mut Rng::new(seed), |id| {
                part.push_str(vocab.token(id));
                part.chars().count() < 40
            })
            .unwrap();
        assert_eq!(part, whole.text.chars().take(40).collect::<String>());
    }
}

#[test]
fn the_sample_command_prints_the_generated_text() {
    let d = folder();
    let (model, vocab, path) = small_model(d.path(), 16, 1);
    let path = path.to_str().unwrap();
    let opts = SampleOptions { temperature: 0.9, top_k: 0, top_p: 1.0, precision: Precision::I16 };
    let want = Sampler::new(&model).generate(&model, &vocab, "The q", 500, &opts, &mut Rng::new(11)).unwrap();
    let o = run(
        d.path(),
        &["sample", "--model", path, "--prime", "The q", "--length", "500", "--temperature", "0.9", "--seed", "11"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), format!("The q{}\n", want.text));
}

// ---- model files ----

#[test]
fn a_nan_in_a_recurrent_weight_is_named() {
    let d = folder();
    train_tiny(d.path(), &[]);
    let model = std::fs::read(d.path().join("model.safetensors")).unwrap();
    std::fs::write(d.path().join("nan.safetensors"), poke(&model, "rnn.weight_hh_l0", f32::NAN)).unwrap();
    for args in [
        &["sample", "--model", "nan.safetensors"][..],
        &["info", "--model", "nan.safetensors"],
        &["train", "corpus.txt", "--resume", "nan.safetensors", "--steps", "1"],
    ] {
        one_line_error(
            &run(d.path(), args),
            "nan.safetensors: model file: tensor rnn.weight_hh_l0 contains NaN or infinity",
        );
    }
    // In a checkpoint, an optimizer moment and the carried state too.
    let ckpt = std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap();
    for name in ["optim.v.rnn.weight_hh_l0", "train.h"] {
        std::fs::write(d.path().join("bad.ckpt"), poke(&ckpt, name, f32::INFINITY)).unwrap();
        one_line_error(
            &run(d.path(), &["train", "corpus.txt", "--resume", "bad.ckpt", "--steps", "1"]),
            &format!("tensor {name} contains NaN or infinity"),
        );
    }
}

#[test]
fn a_bf16_tensor_gets_a_message_that_says_so() {
    let d = folder();
    train_tiny(d.path(), &[]);
    let model = std::fs::read(d.path().join("model.safetensors")).unwrap();
    let f = File::parse(&model).unwrap();
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = f
        .tensors
        .iter()
        .map(|t| {
            // bf16 is the top half of each f32.
            let b = if t.name == "rnn.weight_ih_l0" {
                t.data.chunks_exact(4).flat_map(|w| [w[2], w[3]]).collect()
            } else {
                t.data.to_vec()
            };
            (t.name.clone(), t.shape.clone(), b)
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> = data
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                TensorView::new(if n == "rnn.weight_ih_l0" { Dtype::BF16 } else { Dtype::F32 }, s.clone(), b).unwrap(),
            )
        })
        .collect();
    std::fs::write(d.path().join("bf16.safetensors"), safetensors::serialize(views, None).unwrap()).unwrap();
    one_line_error(
        &run(d.path(), &["info", "--model", "bf16.safetensors"]),
        "tensor rnn.weight_ih_l0 is BF16; this tool reads F32 (and F64) only — convert with .float() in PyTorch",
    );
}

// ---- resuming ----

#[test]
fn resuming_on_other_text_needs_allow_new_text() {
    let d = folder();
    train_tiny(d.path(), &[]);
    std::fs::write(d.path().join("other.txt"), text().to_uppercase()).unwrap();
    let before = std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap();
    let mut args = vec![
        "train",
        "other.txt",
        "--resume",
        "model.ckpt.safetensors",
        "--out",
        "next.safetensors",
        "--quiet",
        "--steps",
        "3",
    ];
    one_line_error(
        &run(d.path(), &args),
        "model.ckpt.safetensors was trained on other text; it resumes exactly only on its own (pass --allow-new-text",
    );
    assert_eq!(std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap(), before);
    assert!(!d.path().join("next.safetensors").exists());
    args.push("--allow-new-text");
    let o = run(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(
        "note: model.ckpt.safetensors was trained on other text; continuing from its weights with a fresh optimizer"
    ));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["steps"], 3);
    // On its own text it resumes exactly: the step count goes on.
    let o = run(d.path(), &["train", "corpus.txt", "--resume", "model.ckpt.safetensors", "--quiet", "--steps", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["steps"], 7);
    // --allow-new-text means nothing without --resume.
    fails_with(&run(d.path(), &["train", "corpus.txt", "--allow-new-text"]), 2, "--resume");
}

#[test]
fn flags_that_a_resume_would_ignore_are_errors_unless_they_agree_or_may_change_during_a_run() {
    let d = folder();
    train_tiny(d.path(), &[]);
    let base = ["train", "corpus.txt", "--resume", "model.ckpt.safetensors", "--quiet", "--steps", "1"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        run(d.path(), &a)
    };
    one_line_error(
        &with(&["--hidden", "64", "--lr", "0.1", "--cell", "gru"]),
        "--resume continues with model.ckpt.safetensors's settings, and these differ: --cell gru (the checkpoint's: lstm), --hidden 64 (the checkpoint's: 8); drop them",
    );
    // The learning rate and clipping may change during a run, as on the page: noted, applied.
    let o = with(&["--lr", "0.1", "--clip-mode", "value", "--clip", "0.5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("note: resuming with --lr 0.1 (the checkpoint's: 0.002), --clip-mode value (the checkpoint's: norm), --clip 0.5 (the checkpoint's: 5), from the next step"), "{err}");
    let ckpt = checkpoint::load(&std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap()).unwrap();
    let config = ckpt.config.unwrap();
    assert_eq!((config.lr, config.clip), (0.1, 0.5), "the checkpoint keeps the settings it trained with");
    std::fs::write(d.path().join("c.json"), r#"{"batch": 16, "hidden": 8}"#).unwrap();
    one_line_error(&with(&["--config", "c.json"]), "these differ: --batch 16 (the checkpoint's: 2)");
    // The same values as the checkpoint's: the command line of the first run, rerun with --resume.
    let o =
        with(&["--hidden", "8", "--embed", "4", "--seq-len", "8", "--batch", "2", "--cell", "LSTM", "--lr", "0.002"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_checkpoint_can_carry_its_text() {
    let d = folder();
    // Without the text, resuming needs the corpus.
    train_tiny(d.path(), &[]);
    one_line_error(
        &run(d.path(), &["train", "--resume", "model.ckpt.safetensors", "--steps", "1"]),
        "give a CORPUS file or --task NAME (model.ckpt.safetensors carries no text: train --save-corpus saves it in checkpoints)",
    );
    train_tiny(d.path(), &["--save-corpus", "--out", "c.safetensors"]);
    let ckpt = std::fs::read(d.path().join("c.ckpt.safetensors")).unwrap();
    assert_eq!(checkpoint::file_corpus(&ckpt).as_deref(), Some(text().as_str()));
    assert_eq!(checkpoint::file_corpus(&std::fs::read(d.path().join("c.safetensors")).unwrap()), None);
    let o = run(d.path(), &["info", "--model", "c.ckpt.safetensors"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["corpus_chars"], text().chars().count());
    // The corpus file gone, the checkpoint resumes exactly on its text, and keeps carrying it.
    std::fs::remove_file(d.path().join("corpus.txt")).unwrap();
    let o = run(
        d.path(),
        &["train", "--resume", "c.ckpt.safetensors", "--out", "c.safetensors", "--quiet", "--steps", "2"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("other text"), "{}", stderr(&o));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["steps"], 7);
    let ckpt = std::fs::read(d.path().join("c.ckpt.safetensors")).unwrap();
    assert_eq!(checkpoint::file_corpus(&ckpt).as_deref(), Some(text().as_str()));
}

// ---- usage ----

#[test]
fn extra_arguments_and_values_that_look_like_flags_are_errors() {
    let d = folder();
    train_tiny(d.path(), &[]);
    one_line_error(&run(d.path(), &["train", "corpus.txt", "extra.txt"]), "unexpected argument 'extra.txt' found");
    one_line_error(
        &run(d.path(), &["train", "corpus.txt", "--out", "--steps", "5"]),
        "a value is required for '--out <PATH>'",
    );
    one_line_error(&run(d.path(), &["sample", "--model", "--length", "5"]), "a value is required for '--model <M>'");
    one_line_error(&run(d.path(), &["sample", "--model", "model.safetensors", "--prime", "--length", "5"]), "--prime");
    one_line_error(
        &run(d.path(), &["info", "--model", "model.safetensors", "model.safetensors"]),
        "unexpected argument",
    );
    // A text value that starts with a dash is given with `=`.
    let o = run(d.path(), &["sample", "--model", "model.safetensors", "--prime=-x", "--length", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"-x"));
    assert!(!names(d.path()).iter().any(|n| n.starts_with("--")), "a flag became a file: {:?}", names(d.path()));
}

#[cfg(unix)]
#[test]
fn names_with_escape_sequences_are_printed_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let d = folder();
    let evil = "evil\u{1b}[2J\u{1b}]0;owned\u{7}.txt";
    let o = run(d.path(), &["train", evil, "--steps", "1"]);
    one_line_error(&o, "evil\\u{1b}[2J\\u{1b}]0;owned\\u{7}.txt: No such file or directory");
    assert!(!o.stderr.contains(&0x1b) && !o.stderr.contains(&0x07), "raw control bytes printed");
    // A hostile model file: a tensor name and a vocabulary entry with escape sequences.
    train_tiny(d.path(), &[]);
    let model = std::fs::read(d.path().join("model.safetensors")).unwrap();
    let f = File::parse(&model).unwrap();
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> =
        f.tensors.iter().map(|t| (t.name.clone(), t.shape.clone(), t.data.to_vec())).collect();
    tensors.push(("x\u{1b}[31m\u{9b}".into(), vec![1], vec![0; 4]));
    let meta: Vec<(&str, String)> = f.metadata.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    std::fs::write(d.path().join("hostile.safetensors"), rnn_playground::tensorfile::write(&tensors, &meta)).unwrap();
    let o = run(d.path(), &["info", "--model", "hostile.safetensors"]);
    one_line_error(&o, "unexpected tensor x\\u{1b}[31m\\u{9b}");
    assert!(!o.stderr.contains(&0x1b) && !o.stderr.windows(2).any(|w| w == [0xc2, 0x9b]));
    // info prints the vocabulary as JSON, every control character escaped.
    std::fs::write(d.path().join("ctl.txt"), text() + "\u{1b}[2J \u{9b}6n \u{7f}").unwrap();
    let o =
        run(d.path(), &["train", "ctl.txt", "--out", "ctl.safetensors", "--steps", "1", "--quiet", "--hidden", "8"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(d.path(), &["info", "--model", "ctl.safetensors"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!o.stdout.contains(&0x1b) && !o.stdout.contains(&0x7f) && !o.stdout.windows(2).any(|w| w == [0xc2, 0x9b]));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let vocabulary: Vec<String> = serde_json::from_value(v["vocabulary"].clone()).unwrap();
    assert!(vocabulary.iter().any(|t| t == "\u{1b}") && vocabulary.iter().any(|t| t == "\u{9b}"));
    assert_eq!(v["tokens"], "characters");
    // A file name that is not UTF-8 is an error too, not a crash.
    let o =
        run(d.path(), &["train", std::ffi::OsStr::from_bytes(b"bad\xff.txt").to_str().unwrap_or("bad\u{fffd}.txt")]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- Ctrl-C ----

#[test]
fn ctrl_c_during_training_saves_then_exits_130() {
    let d = folder();
    let mut c = cmd(d.path(), &["train", "corpus.txt", "--steps", "100000000", "--hidden", "16", "--val-every", "50"]);
    c.arg("--sample-every").arg("0");
    let mut child = c.spawn().unwrap();
    let mut lines = Lines::of(&mut child);
    lines.wait_for("model:", 60);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    let code = exit_code_within(&mut child, 30);
    let err = lines.rest();
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: saving model.safetensors and model.ckpt.safetensors"), "{err}");
    assert!(err.lines().last().unwrap().starts_with("error: interrupted at step "), "{err}");
    let ckpt = checkpoint::load(&std::fs::read(d.path().join("model.ckpt.safetensors")).unwrap()).unwrap();
    assert!(ckpt.train.unwrap().progress.step > 0);
    assert_eq!(names(d.path()), ["corpus.txt", "model.ckpt.safetensors", "model.safetensors"]);
}

#[test]
fn ctrl_c_while_sampling_stops_at_once() {
    let d = folder();
    let (_, _, path) = small_model(d.path(), 512, 2);
    let mut child =
        cmd(d.path(), &["sample", "--model", path.to_str().unwrap(), "--length", "20000", "--precision", "f32"])
            .spawn()
            .unwrap();
    // The text streams: the first characters arrive long before the 20,000th.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    stdout.read_exact(&mut first).unwrap();
    interrupt(&child);
    let code = exit_code_within(&mut child, 10);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    assert_eq!(code, Some(130));
    assert!(rest.len() + 8 < 20000, "the whole sample was printed: not interrupted");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(err.trim_end(), "error: interrupted");
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_to_read_a_fifo_exits_at_once() {
    let d = folder();
    mkfifo(&d.path().join("fifo"));
    let mut child = cmd(d.path(), &["train", "fifo", "--steps", "1"]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "it did not wait for a writer");
    interrupt(&child);
    assert_eq!(exit_code_within(&mut child, 10), Some(130));
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(err.trim_end(), "error: interrupted");
    assert_eq!(names(d.path()), ["corpus.txt", "fifo"]);
}

#[test]
fn settings_prints_the_engine_table_the_page_is_built_from() {
    let dir = folder();
    let o = run(dir.path(), &["settings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON value");
    let table: serde_json::Value = serde_json::from_str(&rnn_playground::settings::schema_json()).unwrap();
    assert_eq!(printed, table);
    let names: Vec<&str> = printed["settings"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    let want: Vec<&str> = rnn_playground::SETTINGS.iter().map(|s| s.name).collect();
    assert_eq!(names, want);
}

#[test]
fn a_diverging_run_stops_with_the_rule_that_fired_and_saves_nothing() {
    let dir = folder();
    let o = run(dir.path(), &["train", "--task", "brackets", "--lr", "10", "--clip-mode", "none", "--steps", "300", "--quiet"]);
    fails_with(&o, 2, "error: training diverged: by step 20 the loss");
    assert!(stderr(&o).contains("lower the learning rate or clip the gradient"), "{}", stderr(&o));
    assert!(!dir.path().join("model.safetensors").exists(), "nothing saved");
}

#[test]
fn a_run_that_diverges_after_a_healthy_validation_keeps_that_checkpoint_and_resumes_with_a_lower_rate() {
    let dir = folder();
    // 40 steps at a sane rate, then on at rate 10 without clipping.
    // --val-chars: the older name of --val-tokens.
    let o = run(dir.path(), &["train", "--task", "brackets", "--hidden", "32", "--steps", "40", "--val-every", "20", "--val-chars", "2000", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &["train", "--task", "brackets", "--resume", "model.ckpt.safetensors", "--lr", "10", "--clip-mode", "none", "--steps", "300", "--val-every", "10", "--val-tokens", "2000", "--quiet"]);
    let err = stderr(&o);
    assert!(err.contains("note: resuming with --lr 10 (the checkpoint's: 0.002), --clip-mode none (the checkpoint's: norm)"), "{err}");
    fails_with(&o, 2, "error: training diverged: ");
    let kept: u64 = err.split(" holds step ").nth(1).and_then(|r| r.split(',').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{err}"));
    // The step resumed from, or a validation after it that was still healthy.
    assert!((40..=60).contains(&kept) && kept % 10 == 0, "{err}");
    let ckpt = checkpoint::load(&std::fs::read(dir.path().join("model.ckpt.safetensors")).unwrap()).unwrap();
    assert_eq!(ckpt.train.unwrap().optimizer.step, kept);
    // From there, at a lower rate with clipping, training goes on.
    let o = run(dir.path(), &["train", "--task", "brackets", "--resume", "model.ckpt.safetensors", "--lr", "0.002", "--clip-mode", "norm", "--steps", "20", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Settings a run cannot change are still refused on --resume.
    let o = run(dir.path(), &["train", "--task", "brackets", "--resume", "model.ckpt.safetensors", "--hidden", "12", "--steps", "1"]);
    fails_with(&o, 2, "error: --resume continues with model.ckpt.safetensors's settings, and these differ: --hidden 12 (the checkpoint's: 32)");
}

#[test]
fn a_healthy_run_writes_its_checkpoint_at_each_validation() {
    let dir = folder();
    let mut c = cmd(dir.path(), &["train", "--task", "brackets", "--hidden", "16", "--steps", "100000000"]);
    c.args(["--val-every", "10", "--val-tokens", "2000", "--sample-every", "0", "--quiet"]);
    let mut child = c.spawn().unwrap();
    let path = dir.path().join("model.ckpt.safetensors");
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Written while training runs (renamed into place whole, so it reads complete).
    let step = checkpoint::load(&std::fs::read(&path).unwrap()).unwrap().train.unwrap().optimizer.step;
    assert!(step >= 10 && step % 10 == 0, "step {step}");
    interrupt(&child);
    assert_eq!(exit_code_within(&mut child, 30), Some(130));
}

/// `train`'s notices and samples: the engine's signals, worded for the command line.
#[test]
fn train_says_when_a_model_memorises_or_stops_improving_and_primes_its_samples() {
    let d = folder();
    // 4,000 random letters: a big model learns them by heart and forgets everything else.
    let mut rng = Rng::new(9);
    let letters: String = (0..4000).map(|_| (b'a' + rng.below(20) as u8) as char).collect();
    std::fs::write(d.path().join("letters.txt"), letters).unwrap();
    let args = ["train", "letters.txt", "--hidden", "128", "--lr", "0.01", "--seq-len", "32", "--batch", "16"];
    let out = run(d.path(), &[&args[..], &["--steps", "300", "--val-every", "10", "--sample-every", "0"]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err.lines().find(|l| l.starts_with("memorising: ")).unwrap_or_else(|| panic!("no notice:\n{err}"));
    assert!(line.contains("the validation loss rose from its best") && line.contains("while the loss on training text fell"), "{line}");
    assert!(line.ends_with("a smaller model or a lower --lr would generalise better"), "{line}");
    assert_eq!(err.matches("memorising: ").count(), 1, "said once per best:\n{err}");

    // A tanh RNN on the memory task stalls near 0.28 nats: a plateau, with what fits a tanh RNN.
    let task = ["train", "--task", "remember", "--cell", "rnn", "--hidden", "32", "--steps", "2400", "--val-every", "200", "--threads", "1"];
    let out = run(d.path(), &[&task[..], &["--val-tokens", "5000", "--sample-every", "1200", "--sample-length", "80"]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err.lines().find(|l| l.starts_with("plateau: ")).unwrap_or_else(|| panic!("no plateau:\n{err}"));
    assert!(line.contains("training and validation agree") && line.contains("so it is not memorising"), "{line}");
    assert!(line.contains("a gated cell (--cell lstm or gru)") && !line.contains("--seq-len"), "{line}");
    assert!(!err.lines().any(|l| l.starts_with("memorising: ")), "{err}");
    // Samples continue whole lines of validation text.
    let head = err.lines().find(|l| l.starts_with("--- sample at step 1200, after the prime \"")).unwrap_or_else(|| panic!("{err}"));
    assert!(head.ends_with("\\n\" (validation text) ---"), "{head}");
}

// ---- threads ----

/// The JSON line `train` prints last.
fn report(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn threads_shard_the_streams_reproducibly_and_carry_over_a_resume() {
    let d = folder();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let train = |out: &str, extra: &[&str]| {
        let mut a = vec!["train", "corpus.txt", "--batch", "4", "--out", out, "--log-steps"];
        let log = format!("{out}.jsonl");
        a.push(&log);
        a.extend(&TINY[..6]);
        a.extend(&TINY[8..]);
        a.push("6");
        a.extend(extra);
        let o = run(d.path(), &a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (o, std::fs::read_to_string(d.path().join(log)).unwrap())
    };
    // By default every core, said in the report; the same thread count gives the same run.
    let (o, all) = train("a.safetensors", &[]);
    let k = cores.min(4);
    assert_eq!(report(&o)["threads"], k);
    assert!(stderr(&o).contains(&format!("; {k} thread")), "{}", stderr(&o));
    let (_, two) = train("b.safetensors", &["--threads", "2"]);
    let (_, again) = train("c.safetensors", &["--workers", "2"]);
    assert_eq!(two, again, "--threads 2 twice, bit for bit (--workers is its alias)");
    assert_eq!(all.lines().count(), 6);
    let ckpt = |name: &str| checkpoint::load(&std::fs::read(d.path().join(name)).unwrap()).unwrap();
    assert_eq!(ckpt("b.ckpt.safetensors").config.unwrap().workers, 2, "the checkpoint records the count");
    // Another count: the same run up to the order of float additions.
    let (o, one) = train("e.safetensors", &["--threads", "1"]);
    let why = if cores == 1 { "; 1 thread (every core)" } else { "; 1 thread (of" };
    assert!(stderr(&o).contains(why), "{}", stderr(&o));
    let loss = |log: &str| -> Vec<f64> { log.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["loss"].as_f64().unwrap()).collect() };
    for (a, b) in loss(&one).iter().zip(loss(&two)) {
        assert!((a - b).abs() <= 1e-5 * b, "1 thread {a} vs 2 threads {b}");
    }
    // More threads than streams: one per stream.
    let (o, _) = train("f.safetensors", &["--threads", "9"]);
    assert_eq!(report(&o)["threads"], 4);
    assert!(stderr(&o).contains("4 threads (one per stream: B is 4)"), "{}", stderr(&o));
    // --resume keeps the checkpoint's count (the run goes on bit for bit) unless --threads says
    // otherwise, which is not a difference that stops it.
    let resume = |extra: &[&str]| {
        let mut a = vec!["train", "corpus.txt", "--resume", "b.ckpt.safetensors", "--out", "r.safetensors", "--quiet", "--steps", "2"];
        a.extend(extra);
        run(d.path(), &a)
    };
    let o = resume(&[]);
    assert!(stderr(&o).contains("2 threads (the checkpoint's; --threads N to change)"), "{}", stderr(&o));
    assert_eq!(report(&o)["threads"], 2);
    let o = resume(&["--threads", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("note: resuming with --threads 3 (the checkpoint's: 2), from the next step"), "{}", stderr(&o));
    assert_eq!((report(&o)["threads"].as_u64(), report(&o)["steps"].as_u64()), (Some(3), Some(8)));
    assert_eq!(ckpt("r.ckpt.safetensors").config.unwrap().workers, 3);
    one_line_error(&run(d.path(), &["bench", "--corpus", "corpus.txt", "--threads", "x"]), "workers must be a non-negative integer");
}
