//! The safetensors file format (<https://github.com/huggingface/safetensors>), read and written
//! here instead of by the `safetensors` crate, whose `serde_json` header code made up a fifth of
//! the wasm module.
//!
//! A file is an 8-byte little-endian header length N, N bytes of JSON header (padded with spaces
//! to a multiple of 8), then the tensors' bytes. The header maps each tensor name to
//! `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data after the header) and
//! may hold a `"__metadata__"` object of strings. [`File::parse`] checks what the `safetensors` crate
//! checks: the header fits the file, every tensor's size matches its dtype and shape, and the
//! tensors tile the data exactly, without gaps or overlaps.

use crate::json::{self, Value};
use std::fmt::Write;

/// The largest header accepted, as in the `safetensors` crate.
pub(crate) const MAX_HEADER: usize = 100_000_000;
/// The most tensors (or metadata entries) accepted: far above this project's 16-layer checkpoints
/// (about 200), and low enough that the quadratic checks below stay fast on hostile headers.
const MAX_ENTRIES: usize = 4096;

/// The name of the metadata entry in the header.
const METADATA: &str = "__metadata__";

/// Element types of the format with their sizes in bits (as in the `safetensors` crate 0.8). Only
/// F32 and F64 are read by the engine; the others are known so that a file holding them still
/// validates (and its error names the dtype).
const DTYPES: [(&str, usize); 22] = [
    ("BOOL", 8),
    ("F4", 4),
    ("F6_E2M3", 6),
    ("F6_E3M2", 6),
    ("U8", 8),
    ("I8", 8),
    ("F8_E5M2", 8),
    ("F8_E4M3", 8),
    ("F8_E8M0", 8),
    ("F8_E4M3FNUZ", 8),
    ("F8_E5M2FNUZ", 8),
    ("I16", 16),
    ("U16", 16),
    ("F16", 16),
    ("BF16", 16),
    ("I32", 32),
    ("U32", 32),
    ("F32", 32),
    ("F64", 64),
    ("C64", 64),
    ("I64", 64),
    ("U64", 64),
];

/// One tensor of a parsed file.
#[derive(Clone, Debug)]
pub struct Tensor<'a> {
    /// The tensor's name.
    pub name: String,
    /// Its dtype name, as in the header (e.g. `F32`).
    pub dtype: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its bytes, little-endian, row-major.
    pub data: &'a [u8],
}

/// A parsed, validated safetensors file borrowing its bytes.
#[derive(Clone, Debug)]
pub struct File<'a> {
    /// Tensors in header order.
    pub tensors: Vec<Tensor<'a>>,
    /// The `__metadata__` entries in header order (empty when absent).
    pub metadata: Vec<(String, String)>,
}

/// The first name that occurs twice (quadratic: callers cap the count at [`MAX_ENTRIES`]).
fn has_duplicate<'s>(names: impl Iterator<Item = &'s str> + Clone) -> Option<&'s str> {
    names.clone().enumerate().find_map(|(i, a)| names.clone().skip(i + 1).any(|b| b == a).then_some(a))
}

impl<'a> File<'a> {
    /// Parses and validates `bytes`; every defect is an error message, never a panic.
    pub fn parse(bytes: &'a [u8]) -> Result<File<'a>, String> {
        let len_bytes: [u8; 8] =
            bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or("the file is too short for a header")?;
        let n = usize::try_from(u64::from_le_bytes(len_bytes)).unwrap_or(usize::MAX);
        if n > MAX_HEADER {
            return Err("the header is too large".into());
        }
        let header = bytes.get(8..8 + n).ok_or("the header is longer than the file")?;
        let data = &bytes[8 + n..];
        let header = std::str::from_utf8(header).map_err(|_| "the header is not UTF-8".to_string())?;
        let Value::Object(members) = json::parse(header).map_err(|e| format!("bad header JSON: {e}"))? else {
            return Err("the header is not a JSON object".into());
        };
        if members.len() > MAX_ENTRIES {
            return Err(format!("the header has more than {MAX_ENTRIES} entries"));
        }
        if let Some(name) = has_duplicate(members.iter().map(|(k, _)| k.as_str())) {
            return Err(format!("the header lists {name} twice"));
        }
        let mut metadata = Vec::new();
        let mut tensors = Vec::new();
        let mut spans = Vec::new();
        for (name, v) in members {
            if name == METADATA {
                let Value::Object(entries) = v else {
                    return Err("__metadata__ is not an object".into());
                };
                for (k, v) in entries {
                    match v {
                        Value::String(s) => metadata.push((k, s)),
                        other => return Err(format!("metadata {k} is {}, not a string", other.kind())),
                    }
                }
                if let Some(k) = has_duplicate(metadata.iter().map(|(k, _)| k.as_str())) {
                    return Err(format!("metadata {k} is given twice"));
                }
                continue;
            }
            let bad = |what: &str| format!("tensor {name}: {what}");
            let dtype = v.get("dtype").and_then(Value::as_str).ok_or_else(|| bad("no dtype"))?;
            let bits = DTYPES.iter().find(|d| d.0 == dtype).ok_or_else(|| bad("unknown dtype"))?.1;
            let shape = match v.get("shape") {
                Some(Value::Array(dims)) => dims.iter().map(Value::as_usize).collect::<Option<Vec<_>>>(),
                _ => None,
            }
            .ok_or_else(|| bad("shape is not a list of sizes"))?;
            let (begin, end) = match v.get("data_offsets") {
                Some(Value::Array(o)) if o.len() == 2 => o[0].as_usize().zip(o[1].as_usize()),
                _ => None,
            }
            .ok_or_else(|| bad("data_offsets is not a pair of offsets"))?;
            let size = shape
                .iter()
                .try_fold(bits, |acc, &d| acc.checked_mul(d))
                .filter(|b| b % 8 == 0)
                .map(|b| b / 8)
                .ok_or_else(|| bad("the shape's size overflows"))?;
            if end < begin || end - begin != size {
                return Err(bad("data_offsets do not match the dtype and shape"));
            }
            let bytes = data.get(begin..end).ok_or_else(|| bad("data_offsets point past the end of the file"))?;
            spans.push((begin, end));
            tensors.push(Tensor { name, dtype: dtype.to_string(), shape, data: bytes });
        }
        // The tensors must tile the data exactly (the crate sorts by offset; this avoids a sort):
        // the non-empty ones follow one another from 0, each starting where the previous ended,
        // all of them reached and the last ending the data; empty ones sit on those boundaries.
        let mut at = 0;
        let mut boundaries = vec![0];
        while let Some(s) = spans.iter().find(|s| s.0 == at && s.1 > at) {
            at = s.1;
            boundaries.push(at);
        }
        let non_empty = spans.iter().filter(|s| s.1 > s.0).count();
        let empty_ok = spans.iter().filter(|s| s.1 == s.0).all(|s| boundaries.contains(&s.0));
        if boundaries.len() != non_empty + 1 || at != data.len() || !empty_ok {
            return Err("the tensors' data_offsets overlap, leave gaps, or do not end with the file".into());
        }
        Ok(File { tensors, metadata })
    }

    /// The tensor named `name`.
    pub fn tensor(&self, name: &str) -> Option<&Tensor<'a>> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// The metadata entry `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Writes f32 tensors (name, shape, little-endian bytes) and string metadata as a safetensors
/// file, tensors in the given order.
pub fn write(tensors: &[(String, Vec<usize>, Vec<u8>)], metadata: &[(&str, String)]) -> Vec<u8> {
    let mut h = String::from("{");
    if !metadata.is_empty() {
        json::write_str(&mut h, METADATA);
        h.push_str(":{");
        for (i, (k, v)) in metadata.iter().enumerate() {
            if i > 0 {
                h.push(',');
            }
            json::write_str(&mut h, k);
            h.push(':');
            json::write_str(&mut h, v);
        }
        h.push('}');
    }
    let mut offset = 0;
    for (i, (name, shape, bytes)) in tensors.iter().enumerate() {
        if i > 0 || !metadata.is_empty() {
            h.push(',');
        }
        json::write_str(&mut h, name);
        h.push_str(":{\"dtype\":\"F32\",\"shape\":[");
        for (j, d) in shape.iter().enumerate() {
            if j > 0 {
                h.push(',');
            }
            let _ = write!(h, "{d}");
        }
        let _ = write!(h, "],\"data_offsets\":[{offset},{}]}}", offset + bytes.len());
        offset += bytes.len();
    }
    h.push('}');
    // Pad with spaces so the data starts 8-byte aligned, as the format recommends.
    while h.len() % 8 != 0 {
        h.push(' ');
    }
    let mut out = Vec::with_capacity(8 + h.len() + offset);
    out.extend_from_slice(&(h.len() as u64).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    for (_, _, bytes) in tensors {
        out.extend_from_slice(bytes);
    }
    out
}
