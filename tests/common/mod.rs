//! Helpers shared by the integration tests (natively and under wasm-bindgen-test).
#![allow(dead_code)]

use safetensors::{Dtype, SafeTensors};

/// Reads a tensor of a reference file as f64 values (F64, F32 or I64).
pub fn tensor_f64(st: &SafeTensors<'_>, name: &str) -> Vec<f64> {
    let t = st.tensor(name).unwrap_or_else(|_| panic!("reference tensor {name} missing"));
    let d = t.data();
    match t.dtype() {
        Dtype::F64 => d.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect(),
        Dtype::F32 => d.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64).collect(),
        Dtype::I64 => d.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap()) as f64).collect(),
        other => panic!("unexpected dtype {other:?}"),
    }
}

/// Asserts `|got − want| ≤ atol + rtol·|want|` elementwise, naming the first offender.
pub fn assert_close(what: &str, got: &[f32], want: &[f64], rtol: f64, atol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - w).abs();
        assert!(err <= atol + rtol * w.abs(), "{what}[{i}]: got {g}, want {w} (err {err:e})");
    }
}

/// A corpus for tests: a few paragraphs of English.
pub const SMALL_TEXT: &str = "The quick brown fox jumps over the lazy dog. A recurrent network reads one \
character at a time and carries a hidden state forward. The gradient flows backward through time, and \
it may vanish or explode. Clipping the gradient norm keeps the steps bounded; gates keep the memory open.\n";

/// Running the command-line tool (native only).
#[cfg(not(target_arch = "wasm32"))]
pub mod cli {
    use std::process::{Command, Output};

    /// `rnn-playground ARGS…`, run to the end.
    pub fn run(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rnn-playground")).args(args).output().expect("the binary runs")
    }

    /// Exit code 2 and one `error: …` line on stderr, which is returned.
    pub fn fails(args: &[&str]) -> String {
        let o = run(args);
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.ends_with('\n') && err.lines().count() == 1, "{args:?}: {err:?}");
        err
    }
}
