//! Activations for a probe text: every layer's hidden state over time (one step per token), plus
//! the LSTM cell state and gates or the GRU gates, for the page's heatmap.

use crate::config::CellKind;
use crate::error::{Error, Result};
use crate::model::{Model, State, Workspace};
use crate::tokenizer;
use crate::vocab::Vocab;

/// Longest activation probe, in tokens: the heatmap's columns. (The diagnostics' probe is shorter,
/// [`crate::diagnose::MAX_DIAGNOSE_TOKENS`]: their cost grows with its square.)
pub const MAX_PROBE_TOKENS: usize = 2048;

/// One named (T × H) activation matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    /// "h", "c", or a gate name ("i", "f", "g", "o", "r", "z", "n").
    pub name: &'static str,
    /// Row-major (T, H).
    pub values: Vec<f32>,
}

/// Activations of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerProbe {
    /// `h` first, then `c` (LSTM), then the gates.
    pub activations: Vec<Activation>,
}

/// The probe: its tokens and every layer's activations.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// The probe text's tokens (T), as written.
    pub tokens: Vec<String>,
    /// Their ids (T); the unknown id marks a token the vocabulary lacks.
    pub ids: Vec<u32>,
    /// Hidden size H.
    pub hidden: usize,
    /// One entry per layer, bottom first.
    pub layers: Vec<LayerProbe>,
}

/// Runs the first [`MAX_PROBE_TOKENS`] tokens of `text` through the model from the zero state, one
/// stream, and collects activations.
pub fn probe(model: &Model, vocab: &Vocab, text: &str) -> Result<Probe> {
    let text = crate::trainer::first_tokens(vocab.kind(), text, MAX_PROBE_TOKENS);
    if text.is_empty() {
        return Err(Error::Text("the probe text is empty".into()));
    }
    let tokens: Vec<&str> = tokenizer::tokens(vocab.kind(), text).collect();
    let ids = vocab.encode(text)?.ids;
    let d = model.dims();
    let steps = ids.len();
    let mut ws = Workspace::new(d, steps, 1);
    model.forward(&mut ws, &ids, &State::zeros(d, 1));
    let hs = d.hidden;
    let gate_names: &[&'static str] = match d.cell {
        CellKind::Rnn => &[],
        CellKind::Lstm => &["i", "f", "g", "o"],
        CellKind::Gru => &["r", "z", "n"],
    };
    let g = d.cell.gates();
    let layers = ws
        .caches
        .iter()
        .map(|cache| {
            let mut activations = vec![Activation { name: "h", values: cache.outputs().to_vec() }];
            if d.cell == CellKind::Lstm {
                activations.push(Activation { name: "c", values: cache.c[hs..].to_vec() });
            }
            for (k, &name) in gate_names.iter().enumerate() {
                let mut values = Vec::with_capacity(steps * hs); // (T, H) gate k's block of every row
                for row in cache.gates.chunks_exact(g * hs) {
                    values.extend_from_slice(&row[k * hs..(k + 1) * hs]);
                }
                activations.push(Activation { name, values });
            }
            LayerProbe { activations }
        })
        .collect();
    Ok(Probe { tokens: tokens.into_iter().map(String::from).collect(), ids, hidden: hs, layers })
}
