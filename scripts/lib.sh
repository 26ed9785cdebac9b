# shellcheck shell=bash
# Shared helpers for scripts/build, scripts/serve and scripts/test. Source it; don't run it.
#
# Every ensure_* function installs what is missing and is silent-and-fast when the thing is
# already there, so reruns cost (almost) nothing.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# rustup puts cargo in ~/.cargo/bin, which a non-login shell (CI) may not have on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) [ -d "$HOME/.cargo/bin" ] && PATH="$HOME/.cargo/bin:$PATH" ;;
esac
export PATH

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  _B=$'\e[1m'; _G=$'\e[32m'; _R=$'\e[31m'; _Y=$'\e[33m'; _0=$'\e[0m'
else
  _B=''; _G=''; _R=''; _Y=''; _0=''
fi
say()  { printf '%s==> %s%s\n' "$_B" "$*" "$_0"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$_Y" "$_0" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$_R" "$_0" "$*" >&2; exit 1; }

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }

# Root runs apt-get directly; anyone else needs sudo.
_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The exact wasm-bindgen version the crate is locked to (Cargo.lock, else the `=x.y.z` pin in Cargo.toml).
wasm_bindgen_version() {
  local v=""
  if [ -f "$REPO_ROOT/Cargo.lock" ]; then
    v="$(awk '/^name = "wasm-bindgen"$/ {f=1; next} f && /^version = / {gsub(/"/, "", $3); print $3; exit}' "$REPO_ROOT/Cargo.lock")"
  fi
  if [ -z "$v" ]; then
    v="$(sed -n 's/^wasm-bindgen *= *"=\{0,1\}\([0-9][0-9.]*\)".*/\1/p' "$REPO_ROOT/Cargo.toml" | head -n1)"
  fi
  [ -n "$v" ] || die "cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml"
  printf '%s\n' "$v"
}

ensure_rust() {
  need_cmd cargo "install Rust with rustup: https://rustup.rs"
  need_cmd rustup "the wasm32 target is added with rustup"
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
    say "Adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli (wasm-bindgen + wasm-bindgen-test-runner) must match the library version exactly.
ensure_wasm_bindgen() {
  local want have=""
  want="$(wasm_bindgen_version)"
  if command -v wasm-bindgen >/dev/null 2>&1; then
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
  fi
  if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    say "Installing wasm-bindgen-cli $want${have:+ (found $have)} — compiles from source, takes several minutes"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# npm ci when node_modules does not match package-lock.json (tracked by a hash stamp).
ensure_npm() {
  need_cmd node "install Node.js 20 or newer"
  need_cmd npm "install npm (comes with Node.js)"
  local stamp="$REPO_ROOT/node_modules/.rnn-playground-lock-sha256" want
  want="$(sha256sum "$REPO_ROOT/package-lock.json" | awk '{print $1}')"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing npm dev dependencies (npm ci)"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    printf '%s\n' "$want" >"$stamp"
  fi
}

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM CHROMEDRIVER

# Debian's chromium + chromium-driver (headless browser tests). apt-get update only when needed.
ensure_chromium() {
  if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then return 0; fi
  need_cmd apt-get "browser tests need Debian's chromium and chromium-driver packages"
  say "Installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  if ! _as_root apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; then
    _as_root apt-get update -q >/dev/null
    _as_root apt-get install -y -q chromium chromium-driver >/dev/null
  fi
  [ -x "$CHROMIUM" ] || die "chromium did not install to $CHROMIUM"
  [ -x "$CHROMEDRIVER" ] || die "chromedriver did not install to $CHROMEDRIVER"
}

FIREFOX="${FIREFOX:-/usr/bin/firefox-esr}"
export FIREFOX

# Debian's firefox-esr: the end-to-end tests run in Firefox too (puppeteer-core, WebDriver BiDi).
ensure_firefox() {
  if [ -x "$FIREFOX" ]; then return 0; fi
  need_cmd apt-get "browser tests need Debian's firefox-esr package"
  say "Installing Debian's firefox-esr"
  export DEBIAN_FRONTEND=noninteractive
  if ! _as_root apt-get install -y -q firefox-esr >/dev/null 2>&1; then
    _as_root apt-get update -q >/dev/null
    _as_root apt-get install -y -q firefox-esr >/dev/null
  fi
  [ -x "$FIREFOX" ] || die "firefox-esr did not install to $FIREFOX"
}

# A Python with PyTorch for `scripts/test torch` and the benchmark's PyTorch rows: the virtual
# environment named by RNN_PLAYGROUND_TORCH_VENV (used as it is), else target/torch-venv, made with
# `python3 -m venv` and filled from PyPI (`pip install torch safetensors numpy`: about 3.5 GB with
# the CUDA libraries the PyPI wheel brings) the first time. Sets TORCH_PYTHON.
ensure_torch() {
  local venv="${RNN_PLAYGROUND_TORCH_VENV:-$REPO_ROOT/target/torch-venv}"
  TORCH_PYTHON="$venv/bin/python"
  export TORCH_PYTHON
  if "$TORCH_PYTHON" -c 'import torch, safetensors' >/dev/null 2>&1; then return 0; fi
  [ -z "${RNN_PLAYGROUND_TORCH_VENV:-}" ] || die "RNN_PLAYGROUND_TORCH_VENV=$venv has no Python with torch and safetensors"
  need_cmd python3 "the PyTorch phase needs Python 3"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    need_cmd apt-get "python3 -m venv needs Debian's python3-venv package"
    say "Installing Debian's python3-venv"
    _as_root apt-get install -y -q python3-venv >/dev/null 2>&1 || { _as_root apt-get update -q >/dev/null; _as_root apt-get install -y -q python3-venv >/dev/null; }
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv $venv failed"
  fi
  say "Installing PyTorch into $venv (pip install torch safetensors numpy; several GB, once)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check torch safetensors numpy || die "pip install torch failed"
}

# Seconds since the epoch with millisecond precision, and a pretty duration.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# RUSTFLAGS of the relaxed-SIMD engine (www/pkg-relaxed): .cargo/config.toml's wasm32 flags plus
# +relaxed-simd (RUSTFLAGS replaces the config's rustflags, so they are repeated here).
RELAXED_RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd -C llvm-args=-inline-threshold=100"
