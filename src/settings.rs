//! Every setting, declared once: its name (the JSON config key), group, kind with bounds, default
//! and one line of help, in [`SETTINGS`].
//!
//! Everything else derives from the table: [`Config`]'s defaults, parsing, validation and JSON (the
//! `model` and `train` groups), [`SampleSettings`] (the `sample` group), the schema the page reads
//! ([`schema_json`], printed by `rnn-playground settings`, which the build writes to
//! `www/pkg/settings.js`) and the command-line tool's flags.

use crate::config::{CellKind, ClipKind, Config, InitKind, OptimizerKind, TokenKind};
use crate::error::{Error, Result};
use crate::json::{self, JsonF32, F32};
use crate::model::Precision;
use crate::sample::SampleOptions;
use std::fmt::Write;

/// Where a setting belongs: the model's shape, its training, or sampling text from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The network: cell, sizes, initialisation, seed.
    Model,
    /// The training run: truncated BPTT, batch, optimizer, clipping, validation split.
    Train,
    /// Sampling text from a trained model.
    Sample,
}

impl Group {
    /// Lower-case names, indexed by discriminant.
    pub const NAMES: [&'static str; 3] = ["model", "train", "sample"];

    /// Lower-case name, as in the schema.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The values a setting takes, with its bounds and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// One of `names`; the default is `names[default]`.
    Choice { names: &'static [&'static str], default: usize },
    /// An integer in `[min, max]`.
    Int { min: u64, max: u64, default: u64 },
    /// A finite number in `[min, max]`, or in `(min, max]` when `min_open`.
    Real { min: f32, max: f32, min_open: bool, default: f32 },
    /// Text of at most `max_len` characters.
    Text { max_len: usize, default: &'static str },
}

impl Kind {
    /// `"choice"`, `"int"`, `"real"` or `"text"`, as in the schema.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Choice { .. } => "choice",
            Kind::Int { .. } => "int",
            Kind::Real { .. } => "real",
            Kind::Text { .. } => "text",
        }
    }
}

/// One setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    /// The key in the JSON config (snake_case); the command-line flag is its kebab-case.
    pub name: &'static str,
    /// Where it belongs.
    pub group: Group,
    /// Its values, bounds and default.
    pub kind: Kind,
    /// One line, in the terms of the model's maths.
    pub help: &'static str,
    /// May change while a run trains, from the next step on ([`apply_live`]): the learning rate
    /// and its decay, the optimizer's constants, clipping, the workers. The others shape the
    /// model, the data or the optimizer's state.
    pub live: bool,
    /// The command-line flag when it is not the name's kebab-case ([`Setting::flag`]).
    pub cli: Option<&'static str>,
}

/// A setting's value: a choice by index into its names, an integer, a number or text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val<'a> {
    /// Index into [`Kind::Choice`]'s names.
    Choice(usize),
    /// An integer.
    Int(u64),
    /// A number.
    Real(f32),
    /// Text.
    Text(&'a str),
}

/// 2^53 − 1, the largest integer a JavaScript number holds exactly.
pub const MAX_SAFE_INT: u64 = (1 << 53) - 1;

const fn choice(names: &'static [&'static str], default: usize) -> Kind {
    Kind::Choice { names, default }
}
const fn int(min: u64, max: u64, default: u64) -> Kind {
    Kind::Int { min, max, default }
}
/// A number in `[min, max]`.
const fn real(min: f32, max: f32, default: f32) -> Kind {
    Kind::Real { min, max, min_open: false, default }
}
/// A number in `(min, max]`.
const fn real_above(min: f32, max: f32, default: f32) -> Kind {
    Kind::Real { min, max, min_open: true, default }
}
const fn text(max_len: usize, default: &'static str) -> Kind {
    Kind::Text { max_len, default }
}
const fn set(name: &'static str, group: Group, kind: Kind, help: &'static str) -> Setting {
    Setting { name, group, kind, help, live: false, cli: None }
}
/// A setting that may change during a run.
const fn live(name: &'static str, group: Group, kind: Kind, help: &'static str) -> Setting {
    Setting { name, group, kind, help, live: true, cli: None }
}

impl Setting {
    /// The same setting with the command-line flag `--{flag}` (its name's kebab-case stays an alias).
    const fn cli(self, flag: &'static str) -> Setting {
        Setting { cli: Some(flag), ..self }
    }
}

use Group::{Model, Sample, Train};

/// Every setting, in order: the order of the config's JSON, of the schema and of the flags.
/// Kinds: `choice(names, default)`, `int(min, max, default)`, `real(min, max, default)` for
/// `[min, max]`, `real_above(min, max, default)` for `(min, max]`, `text(max_len, default)`.
/// `live(…)` instead of `set(…)`: the setting may change while a run trains.
#[rustfmt::skip]
pub const SETTINGS: &[Setting] = &[
    set("cell",           Model,  choice(CellKind::NAMES, CellKind::Lstm as usize),           "Recurrent cell: vanilla RNN (tanh), LSTM or GRU (gated)"),
    set("layers",         Model,  int(1, 16, 1),                                              "Stacked layers L: layer k reads the hidden states of layer k−1"),
    set("hidden",         Model,  int(1, 4096, 128),                                          "Hidden size H: units per layer, the network's memory"),
    set("embed",          Model,  int(1, 4096, 32),                                           "Embedding size E: the learned vector of each token"),
    set("init",           Model,  choice(InitKind::NAMES, InitKind::Pytorch as usize),        "Initial weights: PyTorch U(±1/√H), Xavier, or orthogonal/identity W_hh"),
    // Any u64, not just up to MAX_SAFE_INT: model files made by the command-line tool may hold one.
    set("seed",           Model,  int(0, u64::MAX, 1),                                        "Random seed: the same seed, settings and text give the same run"),
    set("seq_len",        Train,  int(1, 4096, 64),                                           "Truncated-BPTT length T: the gradient is cut every T steps"),
    set("batch",          Train,  int(1, 4096, 32),                                           "Batch B: parallel text streams; a step trains on T×B tokens"),
    set("optimizer",      Train,  choice(OptimizerKind::NAMES, OptimizerKind::Adam as usize), "Optimizer: Adam, SGD with momentum, Adagrad or RMSProp"),
    live("lr",             Train,  real_above(0.0, 10.0, 0.002),                               "Learning rate: how far each step moves the weights"),
    live("clip_mode",      Train,  choice(ClipKind::NAMES, ClipKind::Norm as usize),           "Gradient clipping: rescale to norm ≤ clip, clamp each value, or none"),
    live("clip",           Train,  real_above(0.0, 1e6, 5.0),                                  "Clipping threshold: the largest gradient norm (or value) allowed"),
    live("lr_decay",       Train,  real_above(0.0, 1.0, 1.0),                                  "Multiply the learning rate by this every lr_decay_every steps"),
    live("lr_decay_every", Train,  int(1, MAX_SAFE_INT, 1000),                                 "Steps between learning-rate decays"),
    live("momentum",       Train,  real(0.0, 0.999_999, 0.9),                                  "SGD heavy-ball momentum: the share of the last update kept"),
    live("beta1",          Train,  real(0.0, 0.999_999, 0.9),                                  "Adam β1: decay of the running average of the gradient"),
    live("beta2",          Train,  real(0.0, 0.999_999_9, 0.999),                              "Adam β2 (RMSProp α): decay of the average of the squared gradient"),
    live("eps",            Train,  real_above(0.0, 1.0, 1e-8),                                 "ε added to the denominator of Adam, Adagrad and RMSProp"),
    set("val_fraction",   Train,  real(0.0, 0.5, 0.1),                                        "Share of the text held out at its end for validation, ≥ 2,000 tokens"),
    set("tokens",         Train,  choice(TokenKind::NAMES, TokenKind::Characters as usize),   "What a token is: a character, or a word (Unicode word boundaries)"),
    set("max_vocab",      Train,  int(2, 65536, 8000),                                        "Most distinct tokens kept; rarer ones share the unknown id"),
    // "Workers" on the page, where each is a Web Worker; `--threads` in the command-line tool, where
    // each is a thread. The same k either way: the run's numbers depend on it (summation order).
    live("workers",        Train,  int(0, 256, 0),                                             "Workers sharing the B streams, each a shard of the batch; 0: auto").cli("threads"),
    set("temperature",    Sample, real(0.0, 10.0, 0.8),                                       "Softmax temperature: divides the logits; 0 is greedy"),
    set("top_k",          Sample, int(0, 65536, 0),                                           "Sample among the k likeliest tokens only; 0 keeps all"),
    set("top_p",          Sample, real_above(0.0, 1.0, 1.0),                                  "Nucleus: the likeliest tokens up to probability p; 1 keeps all"),
    set("length",         Sample, int(1, 20000, 300),                                         "Tokens generated per sample"),
    set("prime",          Sample, text(1000, ""),                                             "Text fed to the network first, to set its hidden state"),
];

// Compile-time lookups, so that `Config::DEFAULT` and the bounds named in code come from the table
// (a misspelt name or a wrong kind fails the build).

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The setting named `name`; a compile error when used in a constant and there is none.
pub const fn get(name: &str) -> &'static Setting {
    let mut i = 0;
    while i < SETTINGS.len() {
        if same(SETTINGS[i].name, name) {
            return &SETTINGS[i];
        }
        i += 1;
    }
    panic!("no such setting")
}

/// The default of the integer setting `name`.
pub const fn int_default(name: &str) -> u64 {
    match get(name).kind {
        Kind::Int { default, .. } => default,
        _ => panic!("not an integer setting"),
    }
}

/// The upper bound of the integer setting `name`.
pub const fn int_max(name: &str) -> u64 {
    match get(name).kind {
        Kind::Int { max, .. } => max,
        _ => panic!("not an integer setting"),
    }
}

/// The default of the real setting `name`.
pub const fn real_default(name: &str) -> f32 {
    match get(name).kind {
        Kind::Real { default, .. } => default,
        _ => panic!("not a real setting"),
    }
}

/// The default (an index into its names) of the choice setting `name`.
pub const fn choice_default(name: &str) -> usize {
    match get(name).kind {
        Kind::Choice { default, .. } => default,
        _ => panic!("not a choice setting"),
    }
}

/// The default of the text setting `name`.
pub const fn text_default(name: &str) -> &'static str {
    match get(name).kind {
        Kind::Text { default, .. } => default,
        _ => panic!("not a text setting"),
    }
}

/// The settings of `group`, in table order.
pub fn in_group(group: Group) -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(move |s| s.group == group)
}

impl Setting {
    /// The default value.
    pub fn default(&self) -> Val<'static> {
        match self.kind {
            Kind::Choice { default, .. } => Val::Choice(default),
            Kind::Int { default, .. } => Val::Int(default),
            Kind::Real { default, .. } => Val::Real(default),
            Kind::Text { default, .. } => Val::Text(default),
        }
    }

    /// The command-line flag, without its dashes: the name in kebab-case (`seq-len`), unless the
    /// table names another (`workers` is `--threads`).
    pub fn flag(&self) -> String {
        match self.cli {
            Some(flag) => flag.to_string(),
            None => self.name.replace('_', "-"),
        }
    }

    /// Checks `v` against the bounds; the messages name the setting as `name = value` (the page
    /// reads the key from `config: name = `).
    #[inline(never)]
    pub fn check(&self, v: Val) -> Result<()> {
        let name = self.name;
        let ok = match (self.kind, v) {
            (Kind::Choice { names, .. }, Val::Choice(i)) => i < names.len(),
            (Kind::Int { min, max, .. }, Val::Int(n)) => {
                if n < min || n > max {
                    return Err(Error::Config(format!("{name} = {n} is out of range [{min}, {max}]")));
                }
                true
            }
            (Kind::Real { min, max, min_open, .. }, Val::Real(x)) => {
                if !(x.is_finite() && x <= max && if min_open { x > min } else { x >= min }) {
                    let l = if min_open { "(" } else { "[" };
                    return Err(Error::Config(format!(
                        "{name} = {} must be a finite number in {l}{}, {}]",
                        F32(x),
                        F32(min),
                        F32(max)
                    )));
                }
                true
            }
            (Kind::Text { max_len, .. }, Val::Text(s)) => {
                let n = s.chars().count();
                if n > max_len {
                    return Err(Error::Config(format!("{name} has {n} characters, more than {max_len}")));
                }
                true
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(self.expected("a value of another kind"))
        }
    }

    /// The error for a value of the wrong type or name: `what` is what was given instead.
    #[inline(never)]
    fn expected(&self, what: &str) -> Error {
        let expected = match self.kind {
            Kind::Choice { names, .. } => format!("one of {}", list(names.iter().copied(), true)),
            Kind::Int { .. } => "a non-negative integer".to_string(),
            Kind::Real { .. } => "a number".to_string(),
            Kind::Text { .. } => "a string".to_string(),
        };
        Error::Config(format!("{} must be {expected}, not {what}", self.name))
    }

    /// The value of the JSON `v` (not yet checked against the bounds). Choice names are exact.
    #[inline(never)]
    pub fn from_json<'a>(&self, v: &'a json::Value) -> Result<Val<'a>> {
        let val = match self.kind {
            Kind::Choice { names, .. } => {
                let s = v.as_str().unwrap_or("");
                names.iter().position(|&n| n == s).map(Val::Choice)
            }
            Kind::Int { .. } => v.as_u64().map(Val::Int),
            Kind::Real { .. } => v.as_f32().map(Val::Real),
            Kind::Text { .. } => v.as_str().map(Val::Text),
        };
        val.ok_or_else(|| {
            self.expected(&match v {
                json::Value::String(s) => json::quoted(s),
                json::Value::Number(n) => n.clone(),
                _ => v.kind().to_string(),
            })
        })
    }

    /// The value of the command-line text `s` (not yet checked against the bounds). Choice names
    /// ignore case.
    pub fn parse<'a>(&self, s: &'a str) -> Result<Val<'a>> {
        let val = match self.kind {
            Kind::Choice { names, .. } => names.iter().position(|n| n.eq_ignore_ascii_case(s)).map(Val::Choice),
            Kind::Int { .. } => s.trim().parse().ok().map(Val::Int),
            Kind::Real { .. } => s.trim().parse().ok().map(Val::Real),
            Kind::Text { .. } => Some(Val::Text(s)),
        };
        val.ok_or_else(|| self.expected(&json::quoted(s)))
    }

    /// Appends `v` as JSON: a choice as its name, a number, or a string.
    #[inline(never)]
    pub fn write_json(&self, out: &mut String, v: Val) {
        match (self.kind, v) {
            (Kind::Choice { names, .. }, Val::Choice(i)) => json::write_str(out, names.get(i).copied().unwrap_or("")),
            (_, Val::Int(n)) => {
                let _ = write!(out, "{n}");
            }
            (_, Val::Real(x)) => {
                let _ = write!(out, "{}", JsonF32(x));
            }
            (_, Val::Text(s)) => json::write_str(out, s),
            (_, Val::Choice(i)) => {
                let _ = write!(out, "{i}");
            }
        }
    }

    /// `v` as a person reads it: a choice's name, a number, or text as a JSON string.
    pub fn display(&self, v: Val) -> String {
        match (self.kind, v) {
            (Kind::Choice { names, .. }, Val::Choice(i)) => names.get(i).copied().unwrap_or("").to_string(),
            (_, Val::Text(s)) => json::quoted(s),
            (_, Val::Int(n)) => n.to_string(),
            (_, Val::Real(x)) => F32(x).to_string(),
            (_, Val::Choice(i)) => i.to_string(),
        }
    }
}

/// The whole table as JSON, for the page:
/// `{"settings":[{"name","group","kind","default", choices | min, max, min_open | max_len, "help"}, …],
/// "tasks":["anbn", …]}`, `tasks` naming the synthetic tasks ([`crate::tasks::Task::NAMES`]).
/// `min_open` is present (and true) only for a bound that excludes `min`; reals are the shortest
/// text that reads back as the same f32.
pub fn schema_json() -> String {
    let mut out = String::from("{\"settings\":[");
    for s in SETTINGS {
        if out.len() > 13 {
            out.push(',');
        }
        member(&mut out, "{\"name\":", s.name);
        member(&mut out, ",\"group\":", s.group.name());
        member(&mut out, ",\"kind\":", s.kind.name());
        number(&mut out, ",\"default\":", s, s.default());
        match s.kind {
            Kind::Choice { names, .. } => {
                for (j, n) in names.iter().enumerate() {
                    member(&mut out, if j == 0 { ",\"choices\":[" } else { "," }, n);
                }
                out.push(']');
            }
            Kind::Int { min, max, .. } => {
                number(&mut out, ",\"min\":", s, Val::Int(min));
                number(&mut out, ",\"max\":", s, Val::Int(max));
            }
            Kind::Real { min, max, min_open, .. } => {
                number(&mut out, ",\"min\":", s, Val::Real(min));
                number(&mut out, ",\"max\":", s, Val::Real(max));
                if min_open {
                    out.push_str(",\"min_open\":true");
                }
            }
            Kind::Text { max_len, .. } => number(&mut out, ",\"max_len\":", s, Val::Int(max_len as u64)),
        }
        member(&mut out, ",\"help\":", s.help);
        if s.live {
            out.push_str(",\"live\":true");
        }
        out.push('}');
    }
    for (i, n) in crate::tasks::Task::NAMES.iter().enumerate() {
        member(&mut out, if i == 0 { "],\"tasks\":[" } else { "," }, n);
    }
    out.push_str("]}");
    out
}

/// Appends `prefix` and then `value` as a JSON string.
#[inline(never)]
fn member(out: &mut String, prefix: &str, value: &str) {
    out.push_str(prefix);
    json::write_str(out, value);
}

/// Appends `prefix` and then `v`, a value of `s`, as JSON.
#[inline(never)]
fn number(out: &mut String, prefix: &str, s: &Setting, v: Val) {
    out.push_str(prefix);
    s.write_json(out, v);
}

/// An enum whose values are a setting's choices: its index is its position in the names.
pub(crate) trait Choice {
    /// Position in the names.
    fn index(&self) -> usize;
    /// Becomes the value at `i` (ignored when out of range).
    fn set_index(&mut self, i: usize);
}

/// A mutable view of one field of a settings struct.
pub(crate) enum Slot<'a> {
    /// An integer stored as usize (saturating above `usize::MAX`, which only a wasm32 build can
    /// meet, with `lr_decay_every`: then "never" either way).
    Size(&'a mut usize),
    /// An integer stored as u64.
    U64(&'a mut u64),
    /// A number.
    Real(&'a mut f32),
    /// A choice enum.
    Choice(&'a mut dyn Choice),
    /// Text.
    Text(&'a mut String),
}

impl Slot<'_> {
    fn get(&self) -> Val<'_> {
        match self {
            Slot::Size(v) => Val::Int(**v as u64),
            Slot::U64(v) => Val::Int(**v),
            Slot::Real(v) => Val::Real(**v),
            Slot::Choice(v) => Val::Choice(v.index()),
            Slot::Text(v) => Val::Text(v),
        }
    }

    fn put(self, v: Val) {
        match (self, v) {
            (Slot::Size(f), Val::Int(n)) => *f = usize::try_from(n).unwrap_or(usize::MAX),
            (Slot::U64(f), Val::Int(n)) => *f = n,
            (Slot::Real(f), Val::Real(x)) => *f = x,
            (Slot::Choice(f), Val::Choice(i)) => f.set_index(i),
            (Slot::Text(f), Val::Text(s)) => *f = s.to_string(),
            _ => {} // a slot of another kind than its setting: the tests check there is none
        }
    }
}

/// `names` separated by commas, each in double quotes when `quoted`.
fn list<'a>(names: impl Iterator<Item = &'a str>, quoted: bool) -> String {
    let mut out = String::new();
    for n in names {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if quoted {
            json::write_str(&mut out, n);
        } else {
            out.push_str(n);
        }
    }
    out
}

/// `now` with the settings that may change during a run ([`Setting::live`]) taken from `next`.
/// Fails, naming it, when another setting differs: a new model is needed for that.
pub fn apply_live(now: &Config, next: &Config) -> Result<Config> {
    let (mut out, mut next) = (now.clone(), next.clone());
    for s in settings_of::<Config>() {
        if let (Some(to), Some(from)) = (out.slot(s.name), next.slot(s.name)) {
            if s.live {
                to.put(from.get());
            } else if to.get() != from.get() {
                return Err(Error::Config(format!("{} cannot change during a run: press Reset to build a model with it", s.name)));
            }
        }
    }
    Ok(out)
}

/// A struct whose fields are the settings of some groups.
pub(crate) trait Fields: Clone {
    /// The groups whose settings are this struct's fields.
    const GROUPS: &'static [Group];

    /// The field of the setting `name` (the one mapping from names to fields); `None` for a name
    /// not in [`Fields::GROUPS`].
    fn slot(&mut self, name: &str) -> Option<Slot<'_>>;
}

/// This struct's settings, in table order.
fn settings_of<T: Fields>() -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(|s| T::GROUPS.contains(&s.group))
}

/// The setting `key` of `T`, or an error listing them.
#[inline(never)]
fn lookup<T: Fields>(key: &str) -> Result<&'static Setting> {
    settings_of::<T>().find(|s| s.name == key).ok_or_else(|| {
        Error::Config(format!(
            "unknown field `{key}`, expected one of {}",
            list(settings_of::<T>().map(|s| s.name), false)
        ))
    })
}

/// Checks `v` against `s`'s bounds and stores it.
fn assign<T: Fields>(t: &mut T, s: &Setting, v: Val) -> Result<()> {
    s.check(v)?;
    if let Some(slot) = t.slot(s.name) {
        slot.put(v);
    }
    Ok(())
}

/// Sets `key` from its JSON value, within its bounds.
pub(crate) fn set_json<T: Fields>(t: &mut T, key: &str, v: &json::Value) -> Result<()> {
    let s = lookup::<T>(key)?;
    assign(t, s, s.from_json(v)?)
}

/// Sets `key` from command-line text, within its bounds.
pub(crate) fn set_str<T: Fields>(t: &mut T, key: &str, text: &str) -> Result<()> {
    let s = lookup::<T>(key)?;
    assign(t, s, s.parse(text)?)
}

/// Checks every field against its bounds, naming the first out of range.
pub(crate) fn validate<T: Fields>(t: &T) -> Result<()> {
    let mut t = t.clone();
    for s in settings_of::<T>() {
        if let Some(slot) = t.slot(s.name) {
            s.check(slot.get())?;
        }
    }
    Ok(())
}

/// The fields as a JSON object, in table order.
pub(crate) fn to_json<T: Fields>(t: &T) -> String {
    let mut t = t.clone();
    let mut out = String::from("{");
    for s in settings_of::<T>() {
        if let Some(slot) = t.slot(s.name) {
            if out.len() > 1 {
                out.push(',');
            }
            json::write_str(&mut out, s.name);
            out.push(':');
            s.write_json(&mut out, slot.get());
        }
    }
    out.push('}');
    out
}

/// Reads a JSON object onto `t` (missing fields keep their value; unknown or repeated ones are
/// errors); does not validate across fields.
pub(crate) fn read_json<T: Fields>(t: &mut T, text: &str) -> Result<()> {
    let json::Value::Object(members) = json::parse(text).map_err(|e| Error::Config(format!("invalid JSON: {e}")))?
    else {
        return Err(Error::Config("the config must be a JSON object".into()));
    };
    for (i, (key, v)) in members.iter().enumerate() {
        if members[..i].iter().any(|(k, _)| k == key) {
            return Err(Error::Config(format!("duplicate field `{key}`")));
        }
        set_json(t, key, v)?;
    }
    Ok(())
}

/// The `sample` group: how text is sampled from a trained model.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleSettings {
    /// Softmax temperature τ: the logits are divided by it; 0 is greedy.
    pub temperature: f32,
    /// Keep only the k likeliest tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set of likeliest tokens whose probability reaches p; 1 keeps all.
    pub top_p: f32,
    /// Tokens to generate.
    pub length: usize,
    /// Text fed to the network before generating.
    pub prime: String,
}

impl Default for SampleSettings {
    fn default() -> Self {
        SampleSettings {
            temperature: real_default("temperature"),
            top_k: int_default("top_k") as usize,
            top_p: real_default("top_p"),
            length: int_default("length") as usize,
            prime: text_default("prime").to_string(),
        }
    }
}

impl Fields for SampleSettings {
    const GROUPS: &'static [Group] = &[Group::Sample];

    fn slot(&mut self, name: &str) -> Option<Slot<'_>> {
        Some(match name {
            "temperature" => Slot::Real(&mut self.temperature),
            "top_k" => Slot::Size(&mut self.top_k),
            "top_p" => Slot::Real(&mut self.top_p),
            "length" => Slot::Size(&mut self.length),
            "prime" => Slot::Text(&mut self.prime),
            _ => return None,
        })
    }
}

impl SampleSettings {
    /// Sets the setting `key` from command-line text (`"0.5"`, …), within its bounds.
    pub fn set_str(&mut self, key: &str, text: &str) -> Result<()> {
        set_str(self, key, text)
    }

    /// Checks every field against its bounds.
    pub fn validate(&self) -> Result<()> {
        validate(self)
    }

    /// The settings as JSON, in table order.
    pub fn to_json(&self) -> String {
        to_json(self)
    }

    /// The sampler's options, reading the weights in `precision`.
    pub fn options(&self, precision: Precision) -> SampleOptions {
        SampleOptions { temperature: self.temperature, top_k: self.top_k, top_p: self.top_p, precision }
    }
}

impl From<&SampleSettings> for SampleOptions {
    /// The sampler's options at the default precision (i16).
    fn from(s: &SampleSettings) -> SampleOptions {
        s.options(SampleOptions::default().precision)
    }
}
