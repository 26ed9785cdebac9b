//! A small JSON reader and writer for the engine's own documents: the config, the vocabulary, a
//! checkpoint's metadata and the safetensors header.
//!
//! It replaces `serde_json` (with `serde` and the `safetensors` crate) to keep the wasm module small.
//! The reader takes any JSON text (RFC 8259) and never panics: malformed input, nesting deeper than
//! [`MAX_DEPTH`] and bad escapes are errors naming the byte offset. Numbers keep their text, so
//! integers up to `u64::MAX` are exact.

use std::fmt::Write;

/// Deepest nesting of arrays and objects accepted (the engine's documents nest 3 deep).
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value. Objects keep their members in document order, duplicates included.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its text (valid JSON number syntax when it comes from [`parse`]).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in document order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value if it is a non-negative integer written without fraction or exponent that fits a u64.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    /// [`Value::as_u64`] as a usize.
    pub fn as_usize(&self) -> Option<usize> {
        self.as_u64().and_then(|v| usize::try_from(v).ok())
    }

    /// The number as the f32 nearest to its f64 value (as `serde_json` reads an f32); infinite
    /// when out of range.
    pub fn as_f32(&self) -> Option<f32> {
        match self {
            Value::Number(n) => Some(number_to_f64(n) as f32),
            _ => None,
        }
    }

    /// The first member named `key`, if this is an object that has one.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Converts validated JSON number text to f64. Exact (one rounding) when the digits fit 2^53 and
/// the decimal exponent is within ±22, which covers every number the engine writes; otherwise
/// within a few f64 roundings, far below f32 precision.
fn number_to_f64(text: &str) -> f64 {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa_text, exp_text) = rest.split_once(['e', 'E']).unwrap_or((rest, ""));
    let mut exp10: i64 = if exp_text.is_empty() {
        0
    } else {
        // Saturate absurd exponents; they give 0 or infinity either way.
        exp_text.parse::<i64>().unwrap_or(if exp_text.starts_with('-') { -100_000 } else { 100_000 })
    };
    let mut mantissa = 0u64;
    let mut seen_point = false;
    for b in mantissa_text.bytes() {
        // Only digits and the point occur in parsed text; anything else is skipped, never a panic.
        let Some(digit) = (b as char).to_digit(10) else {
            seen_point |= b == b'.';
            continue;
        };
        if mantissa < (1 << 60) {
            mantissa = mantissa * 10 + u64::from(digit);
            if seen_point {
                exp10 -= 1;
            }
        } else if !seen_point {
            // Digits beyond u64 precision only scale the value.
            exp10 += 1;
        }
    }
    let mut v = mantissa as f64;
    let exp10 = exp10.clamp(-400, 400) as i32;
    if (0..=22).contains(&exp10) {
        v *= 10f64.powi(exp10);
    } else if (-22..0).contains(&exp10) {
        v /= 10f64.powi(-exp10);
    } else {
        // Two steps so the power itself does not overflow to 0 or infinity first.
        let half = exp10 / 2;
        v = v * 10f64.powi(half) * 10f64.powi(exp10 - half);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Parses a complete JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { s: text.as_bytes(), text, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.i)
    }

    /// The text from `start` to the current position. Both are at ASCII bytes, so `get` always
    /// succeeds; unlike indexing, it links no panic path (whose char Debug is ~4 KB of wasm).
    fn slice(&self, start: usize) -> &str {
        self.text.get(start..self.i).unwrap_or_default()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.ws();
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of JSON")),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("JSON nested too deeply"));
                }
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.eat(b'}') {
                    return Ok(Value::Object(members));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    members.push((key, self.value(depth + 1)?));
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(Value::Object(members));
                    }
                    if !self.eat(b',') {
                        return Err(self.err("expected ',' or '}'"));
                    }
                }
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("JSON nested too deeply"));
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b']') {
                        return Ok(Value::Array(items));
                    }
                    if !self.eat(b',') {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, v) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)] {
                    if self.s[self.i..].starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(v);
                    }
                }
                Err(self.err("expected a JSON value"))
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        self.eat(b'-');
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(self.err("invalid number"));
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.err("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        Ok(Value::Number(self.slice(start).to_string()))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16).ok_or_else(|| self.err("invalid \\u escape"))?;
        }
        self.i += 4;
        Ok(v)
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while self.s.get(self.i).is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.i += 1;
            }
            // The run ends at an ASCII byte or the end, so it is whole UTF-8 characters.
            out.push_str(self.slice(run));
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !(self.eat(b'\\') && self.eat(b'u')) {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.err("unpaired surrogate in \\u escape"))?);
                            continue;
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}

/// Appends `s` as a JSON string literal, escaping as `serde_json` does.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a JSON string literal, for error messages: quotes and control characters escaped like
/// `{:?}` would, without linking `{:?}`'s Unicode tables (~5 KB of wasm).
pub fn quoted(s: &str) -> String {
    let mut out = String::new();
    write_str(&mut out, s);
    out
}

/// Displays an f32 as a JSON number: [`F32`] when finite, `null` otherwise (as `serde_json`).
pub struct JsonF32(pub f32);

impl std::fmt::Display for JsonF32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_finite() {
            F32(self.0).fmt(f)
        } else {
            f.write_str("null")
        }
    }
}

/// Displays an f32 as the shortest decimal that reads back (through [`parse`]) as the same f32,
/// in plain notation for magnitudes from 1e-6 to 1e21 and exponent notation otherwise (as
/// JavaScript prints numbers); `NaN`, `inf` and `-inf` when not finite. Used for JSON and error
/// messages instead of `{}` on floats, whose code (Grisu, Dragon4 and tables) is ~20 KB of wasm.
pub struct F32(pub f32);

impl std::fmt::Display for F32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_nan() {
            return f.write_str("NaN");
        }
        if v.is_sign_negative() {
            f.write_str("-")?;
        }
        let x = (v as f64).abs();
        if x.is_infinite() || x == 0.0 {
            return f.write_str(if x == 0.0 { "0" } else { "inf" });
        }
        // Decimal exponent of the leading digit (corrected below if rounding carries over).
        let mut lead = 0i32;
        while x >= 10f64.powi(lead + 1) {
            lead += 1;
        }
        while x < 10f64.powi(lead) {
            lead -= 1;
        }
        // The fewest significant digits that read back as v. Nine always identify an f32; 17 is a
        // fallback in case the f64 scaling rounded a nine-digit candidate the wrong way.
        let mut digits = String::new();
        let mut scale = 0;
        for k in (1..=9).chain([17]) {
            scale = k - 1 - lead;
            let n = scaled(x, scale).round() as u64;
            digits = n.to_string();
            if number_to_f64(&format!("{n}e{}", -scale)) as f32 == x as f32 {
                break;
            }
        }
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
            scale -= 1;
        }
        let len = digits.len() as i32;
        let point = len - scale; // digits before the decimal point
        if (-5..=21).contains(&point) {
            if point <= 0 {
                write!(f, "0.{}{digits}", "0".repeat(-point as usize))
            } else if point >= len {
                write!(f, "{digits}{}", "0".repeat((point - len) as usize))
            } else {
                let (int, frac) = digits.split_at_checked(point as usize).unwrap_or_default();
                write!(f, "{int}.{frac}")
            }
        } else {
            let (first, rest) = digits.split_at_checked(1).unwrap_or_default();
            let dot = if rest.is_empty() { "" } else { "." };
            write!(f, "{first}{dot}{rest}e{}", point - 1)
        }
    }
}

/// `x · 10^e`, with the power split so that neither factor overflows.
fn scaled(x: f64, e: i32) -> f64 {
    let half = e / 2;
    x * 10f64.powi(half) * 10f64.powi(e - half)
}
