#!/usr/bin/env python3
"""Train an rnn-playground model with PyTorch, and hand it back.

The same model (nn.Embedding -> nn.RNN/LSTM/GRU(batch_first) -> nn.Linear, the engine's state_dict
names), vocabulary, data layout (B streams over contiguous segments of the training text, read in
chunks of T tokens, the state carried across chunks and detached, reset at each epoch),
truncated BPTT, clipping (norm, value, none) and optimizer (Adam, SGD with momentum, Adagrad,
RMSProp: the engine's update rules, src/optim.rs, and its step learning-rate decay) as the engine
(src/), on CUDA when there is one, else on the CPU; under torchrun, with DistributedDataParallel,
the B streams split across the ranks as the engine splits them across its workers (src/shard.rs).

Start from
  --from FILE        a model or checkpoint made by the page, the command-line tool or this script:
                     its weights, config and vocabulary; a checkpoint also its optimizer moments,
                     step, data position and carried state (the engine's RNG state is kept, unused)
  --config FILE      a JSON config (the engine's: {"cell": "gru", "hidden": 64, ...}), or
  --link URL         a settings link of the page (index.html#v=2&cell=gru&...; its text= too):
                     a fresh model, initialised by PyTorch's generator seeded with `seed` (the
                     engine's initialisation scheme, not its numbers)
and train on
  --corpus FILE      the text (UTF-8); a checkpoint that carries its text needs none; with
  --val FILE         a separate validation text (as the engine's synthetic tasks have: write both
                     with `rnn-playground task NAME --seed S [--split val]`)

  python3 tools/train_torch.py --from run.ckpt.safetensors --corpus corpus.txt --steps 2000 --out torch.ckpt.safetensors
  torchrun --nproc_per_node 2 tools/train_torch.py --from run.ckpt.safetensors --corpus corpus.txt --steps 2000
  torchrun --nnodes 2 --nproc_per_node 8 --rdzv-endpoint HOST:29500 tools/train_torch.py ...

--out (default torch.ckpt.safetensors) is a checkpoint in the engine's format, which the page's
"Load a model or checkpoint" and `rnn-playground train CORPUS --resume FILE` continue from (exactly,
on the same text). One JSON line per --log-every steps ({"step", "loss", "grad_norm", "lr"}) and
one at the end ({"steps", "train_loss", "val_loss", "seconds", "tokens_per_sec", "chars_per_sec",
"device", "ranks", "out"}) go to stdout (rank 0 only).

A word model (tokens = words) reads its text as the engine cuts it, by Unicode's word boundaries:
the engine's command-line tool cuts it (`rnn-playground tokenize --tokens words`; --cli PATH, else
RNN_PLAYGROUND_CLI, else rnn-playground on the PATH or in target/release beside this script).
"""

import argparse
import base64
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zlib

# The engine's model and training settings as of link versions 1 and 2 (www/state.js): a settings
# link or a config file names only what differs from these. `scripts/test torch` checks them
# against the engine's table (`rnn-playground settings`) and the page's link versions.
DEFAULTS = {
    "cell": "lstm", "layers": 1, "hidden": 128, "embed": 32, "init": "pytorch", "seed": 1,
    "seq_len": 64, "batch": 32, "optimizer": "adam", "lr": 0.002, "clip_mode": "norm", "clip": 5.0,
    "lr_decay": 1.0, "lr_decay_every": 1000, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
    "val_fraction": 0.1, "tokens": "characters", "max_vocab": 8000, "workers": 0,
}
LINK_VERSIONS = (1, 2)
CHOICES = {
    "cell": ("rnn", "lstm", "gru"),
    "init": ("pytorch", "xavier", "orthogonal", "identity"),
    "optimizer": ("adam", "sgd", "adagrad", "rmsprop"),
    "clip_mode": ("norm", "value", "none"),
    "tokens": ("characters", "words"),
}
UNKNOWN = "\ufffd"  # id 0: tokens outside the vocabulary (src/vocab.rs)
MIN_VAL_TOKENS = 2000  # src/data.rs
MAX_CORPUS_BYTES = 64 << 20  # src/trainer.rs
FORMAT, VERSION = "rnn-playground", "1"  # src/checkpoint.rs


class Fail(Exception):
    """A message for the person running the script (exit code 2)."""


# ---- settings ----------------------------------------------------------------------------------


def checked_config(values, where):
    """The engine config from `values` over DEFAULTS, with types and choices checked (the engine
    checks the bounds again when it loads the checkpoint)."""
    cfg = dict(DEFAULTS)
    for key, raw in values.items():
        if key not in DEFAULTS:
            continue
        want = DEFAULTS[key]
        try:
            if key in CHOICES:
                v = str(raw).lower()
                if v not in CHOICES[key]:
                    raise ValueError
            elif isinstance(want, int):
                v = int(str(raw))
                if v < 0:
                    raise ValueError
            else:
                v = float(raw)
                if not math.isfinite(v):
                    raise ValueError
        except ValueError:
            raise Fail(f"{where}: {key} = {raw!r} is not valid")
        cfg[key] = v
    for key in ("layers", "hidden", "embed", "seq_len", "batch", "lr_decay_every"):
        if cfg[key] < 1:
            raise Fail(f"{where}: {key} must be at least 1")
    return cfg


def config_from_link(url):
    """The config and the text (or None) of a settings link of the page."""
    fragment = urllib.parse.urlsplit(url).fragment if "#" in url else url
    params = urllib.parse.parse_qs(fragment, keep_blank_values=True)
    version = int(params.get("v", ["2"])[0]) if params.get("v", ["2"])[0].isdigit() else None
    if version not in LINK_VERSIONS:
        raise Fail(f"the link's version {params.get('v')} is not one this script knows ({LINK_VERSIONS})")
    cfg = checked_config({k: v[0] for k, v in params.items()}, "the link")
    text = None
    if "text" in params:
        b64 = params["text"][0].replace("-", "+").replace("_", "/")
        try:
            text = zlib.decompress(base64.b64decode(b64 + "=" * (-len(b64) % 4)), -15).decode("utf-8")
        except Exception as e:  # noqa: BLE001
            raise Fail(f"the text in the link is damaged ({e})")
    return cfg, text


def read_text(path, what="the corpus"):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CORPUS_BYTES + 1)
    except OSError as e:
        raise Fail(f"{path}: {e.strerror}")
    if len(data) > MAX_CORPUS_BYTES:
        raise Fail(f"{path}: {what} is over {MAX_CORPUS_BYTES >> 20} MB, the engine's limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Fail(f"{path}: not valid UTF-8 text (invalid byte at offset {e.start}); is it a binary file?")
    if not text:
        raise Fail(f"{path}: {what} is empty")
    if "\0" in text:
        raise Fail(f"{path}: {what} contains NUL bytes; it looks like a binary file, not text")
    return text


# ---- the engine's data layout ------------------------------------------------------------------


def tokenize(text, kind, cli):
    """The tokens of `text` as the engine cuts them (src/tokenizer.rs): its characters, or its words
    by Unicode's word boundaries (UAX #29), which Python's standard library does not implement, so
    the engine's own command-line tool cuts them (`rnn-playground tokenize --tokens words`)."""
    if kind == "characters":
        return list(text)
    tool = cli or os.environ.get("RNN_PLAYGROUND_CLI") or shutil.which("rnn-playground")
    if not tool:
        built = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "rnn-playground")
        tool = built if os.path.isfile(built) else None
    if not tool:
        raise Fail("a word model's text is cut by the engine's tokenizer: give its command-line tool with --cli PATH "
                   "(or RNN_PLAYGROUND_CLI, or put rnn-playground on the PATH; `cargo build --release` makes it)")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        p = subprocess.run([tool, "tokenize", "--tokens", "words", f.name], capture_output=True, text=True)
    except OSError as e:
        raise Fail(f"{tool}: {e.strerror}")
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        raise Fail(f"{tool} tokenize: {p.stderr.strip() or f'exit code {p.returncode}'}")
    tokens = json.loads(p.stdout)
    if "".join(tokens) != text:
        raise Fail(f"{tool} tokenize did not give the text back; is it an rnn-playground of this version?")
    return tokens


def build_vocab(tokens, max_vocab):
    """src/vocab.rs's Vocab::build: the most frequent tokens (ties to the lower string), at most
    max_vocab − 1 of them, in string order, after the unknown token; a kept token that holds
    U+FFFD is dropped (it would read as the unknown token)."""
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    kept = sorted(counts, key=lambda t: (-counts[t], t))[: max_vocab - 1]
    return [UNKNOWN] + sorted(t for t in kept if UNKNOWN not in t)


def encode(vocab, tokens):
    ids = {t: i for i, t in enumerate(vocab) if i > 0 or t != UNKNOWN}
    return [ids.get(t, 0) for t in tokens]


def split(ids, val_fraction):
    """src/data.rs's split: the last val_fraction of the tokens, at least 2,000 (or half)."""
    n_val = math.floor(len(ids) * val_fraction)
    if val_fraction > 0:
        n_val = max(n_val, min(MIN_VAL_TOKENS, len(ids) // 2))
    if n_val < 2 or len(ids) - n_val < 2:
        return ids, []
    return ids[: len(ids) - n_val], ids[len(ids) - n_val :]


def layout(n, steps, batch):
    """src/data.rs's Batcher::new: (streams, segment length, chunks per epoch) over n tokens."""
    if n < steps + 1:
        raise Fail(f"the training text has {n} tokens; sequence length {steps} needs at least {steps + 1}")
    pairs = n - 1
    streams = max(1, min(batch, pairs // steps))
    seg = pairs // streams
    return streams, seg, seg // steps


def shard_ranges(streams, k):
    """src/shard.rs's ranges: k runs of consecutive streams, the first streams mod k one longer."""
    k = max(1, min(k, streams))
    each, extra = divmod(streams, k)
    out, first = [], 0
    for i in range(k):
        n = each + (1 if i < extra else 0)
        out.append(range(first, first + n))
        first += n
    return out


def fnv1a(h, text):
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def rng_state(seed):
    """src/rng.rs's Rng::new(seed).state(): SplitMix64 seeding of xoshiro256**."""
    x, out = seed, []
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        out.append(z ^ (z >> 31))
    return out


# ---- the model and the engine's optimizers -----------------------------------------------------


def make_model(torch, nn, cfg, vocab_size):
    class CharModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, cfg["embed"])
            rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cfg["cell"]]
            self.rnn = rnn(cfg["embed"], cfg["hidden"], num_layers=cfg["layers"], batch_first=True)
            self.fc = nn.Linear(cfg["hidden"], vocab_size)

        def forward(self, x, state):
            out, state = self.rnn(self.embedding(x), state)
            return self.fc(out), state

    return CharModel()


def initialise(torch, model, cfg):
    """The engine's initialisation schemes (src/model.rs's Params::init) with PyTorch's generator."""
    torch.manual_seed(cfg["seed"])
    H, init = cfg["hidden"], cfg["init"]
    k = 1.0 / math.sqrt(H)
    with torch.no_grad():
        model.embedding.weight.normal_()
        for name, p in model.rnn.named_parameters():
            if init == "xavier":
                if name.startswith("weight"):
                    p.uniform_(-math.sqrt(6.0 / (p.shape[1] + H)), math.sqrt(6.0 / (p.shape[1] + H)))
                else:
                    p.zero_()
            else:
                p.uniform_(-k, k)
            if name.startswith("weight_hh") and init in ("orthogonal", "identity"):
                for g in range(p.shape[0] // H):
                    block = p[g * H : (g + 1) * H]
                    torch.nn.init.orthogonal_(block) if init == "orthogonal" else block.copy_(torch.eye(H))
            if name.startswith("bias") and init == "identity":
                p.zero_()
        if init == "xavier":
            b = math.sqrt(6.0 / (H + model.fc.weight.shape[0]))
            model.fc.weight.uniform_(-b, b)
            model.fc.bias.zero_()
        else:
            model.fc.weight.uniform_(-k, k)
            model.fc.bias.uniform_(-k, k)


class EngineOptimizer:
    """The engine's update rules (src/optim.rs), tensor by tensor in state_dict order. They are
    PyTorch's (torch.optim.Adam, SGD with momentum and no dampening, Adagrad, RMSprop uncentred),
    written out so that the moments read from and written to a checkpoint are the engine's."""

    def __init__(self, torch, cfg, params, m=None, v=None, step=0):
        kind = cfg["optimizer"]
        uses_m, uses_v = {"adam": (True, True), "sgd": (True, False), "adagrad": (False, True), "rmsprop": (False, True)}[kind]
        zeros = lambda: [torch.zeros_like(p) for p in params]  # noqa: E731
        self.cfg, self.kind, self.step = cfg, kind, step
        self.m = (m or zeros()) if uses_m else None
        self.v = (v or zeros()) if uses_v else None

    def lr(self):
        c = self.cfg
        return c["lr"] * c["lr_decay"] ** (self.step // c["lr_decay_every"])

    def update(self, params):
        c, lr = self.cfg, self.lr()
        self.step += 1
        t = self.step
        for i, p in enumerate(params):
            g = p.grad
            if self.kind == "adam":
                m, v = self.m[i], self.v[i]
                m.mul_(c["beta1"]).add_(g, alpha=1 - c["beta1"])
                v.mul_(c["beta2"]).addcmul_(g, g, value=1 - c["beta2"])
                denom = v.sqrt().div_(math.sqrt(1 - c["beta2"] ** t)).add_(c["eps"])
                p.data.addcdiv_(m, denom, value=-lr / (1 - c["beta1"] ** t))
            elif self.kind == "sgd":
                m = self.m[i]
                # PyTorch: the first step sets the buffer to g; after that buf = μ·buf + g.
                m.copy_(g) if t == 1 else m.mul_(c["momentum"]).add_(g)
                p.data.add_(m, alpha=-lr)
            elif self.kind == "adagrad":
                v = self.v[i]
                v.addcmul_(g, g)
                p.data.addcdiv_(g, v.sqrt().add_(c["eps"]), value=-lr)
            else:  # rmsprop
                v = self.v[i]
                v.mul_(c["beta2"]).addcmul_(g, g, value=1 - c["beta2"])
                p.data.addcdiv_(g, v.sqrt().add_(c["eps"]), value=-lr)
        return lr


def clip_grads(torch, params, mode, threshold):
    """The pre-clip global norm and whether clipping changed anything (src/optim.rs's clip)."""
    grads = [p.grad for p in params]
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g.double()) for g in grads])).item()
    if mode == "norm":
        scale = threshold / (norm + 1e-6)
        if scale < 1.0:
            for g in grads:
                g.mul_(scale)
            return norm, True
    elif mode == "value":
        clipped = any(bool((g.abs() > threshold).any()) for g in grads)
        for g in grads:
            g.clamp_(-threshold, threshold)
        return norm, clipped
    return norm, False


# ---- files -------------------------------------------------------------------------------------


def load_file(torch, path):
    """(config, vocab, state_dict, metadata, train state or None) of an engine file."""
    from safetensors import safe_open
    from safetensors.torch import load_file as load_tensors

    try:
        with safe_open(path, "pt") as f:
            meta = f.metadata() or {}
        tensors = load_tensors(path)
    except Exception as e:  # noqa: BLE001
        raise Fail(f"{path}: not a readable safetensors file ({e})")
    if "config" not in meta or "vocab" not in meta:
        raise Fail(f"{path}: no config or vocabulary in its metadata (made by PyTorch alone?); give --config and --corpus to start fresh")
    if meta.get("format") == FORMAT and meta.get("version") != VERSION:
        raise Fail(f"{path}: format version {meta.get('version')} is not supported (this script reads {VERSION})")
    cfg = checked_config(json.loads(meta["config"]), path)
    vocab = json.loads(meta["vocab"])
    one = cfg["tokens"] == "characters"
    if not isinstance(vocab, list) or not vocab or not all(isinstance(t, str) and t and (len(t) == 1 or not one) for t in vocab):
        raise Fail(f"{path}: the vocabulary is not a list of {'single characters' if one else 'tokens'}")
    for name, t in tensors.items():
        if t.dtype != torch.float32 and not name.startswith("train."):
            tensors[name] = t.float()
    train = None
    if meta.get("kind") == "checkpoint":
        try:
            train = {"progress": json.loads(meta["progress"])}
        except (KeyError, ValueError):
            raise Fail(f"{path}: the checkpoint's progress metadata is missing or damaged")
    return cfg, vocab, tensors, meta, train


def save_checkpoint(torch, path, model, cfg, vocab, opt, progress, state, meta_extra):
    from safetensors.torch import save_file

    sd = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    names = list(sd)
    tensors = dict(sd)
    for prefix, moments in (("optim.m.", opt.m), ("optim.v.", opt.v)):
        if moments is not None:
            for name, t in zip(names, moments):
                tensors[prefix + name] = t.detach().float().cpu().contiguous()
    h, c = state
    tensors["train.h"] = h.detach().float().cpu().contiguous()
    if c is not None:
        tensors["train.c"] = c.detach().float().cpu().contiguous()
    meta = dict(meta_extra)
    meta.update({
        "format": FORMAT, "version": VERSION, "cell": cfg["cell"], "tokens": cfg["tokens"],
        "config": json.dumps(cfg, separators=(",", ":")),
        "vocab": json.dumps(vocab, ensure_ascii=False, separators=(",", ":")),
        "kind": "checkpoint", "optimizer": json.dumps(cfg["optimizer"]),
        "progress": json.dumps(progress, separators=(",", ":")),
        "note": "training checkpoint: optim.* and train.* are optimizer and loop state, not model weights",
    })
    tmp = f"{path}.{os.getpid()}.tmp"
    save_file(tensors, tmp, metadata=meta)
    os.replace(tmp, path)


# ---- training ----------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--from", dest="from_file", metavar="FILE", help="a model or checkpoint of the engine")
    src.add_argument("--config", metavar="FILE.json", help="a JSON config: a fresh model")
    src.add_argument("--link", metavar="URL", help="a settings link of the page: a fresh model")
    ap.add_argument("--corpus", metavar="FILE", help="the training text (UTF-8)")
    ap.add_argument("--val", metavar="FILE", help="a separate validation text (else the end of the corpus)")
    ap.add_argument("--steps", type=int, default=1000, help="optimizer steps to take (default 1000)")
    ap.add_argument("--out", default="torch.ckpt.safetensors", help="the checkpoint to write")
    ap.add_argument("--save-corpus", action="store_true", help="the checkpoint carries the training text")
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads per process (torch.set_num_threads); 0: PyTorch's choice")
    ap.add_argument("--log-every", type=int, default=100, help="steps between progress lines on stdout (0: none)")
    ap.add_argument("--log-steps", metavar="FILE.jsonl", help="every step's line, as `rnn-playground train --log-steps` writes them")
    ap.add_argument("--val-tokens", "--val-chars", type=int, default=20000, help="validation tokens at the end (0: all)")
    ap.add_argument("--cli", metavar="PATH", help="rnn-playground, to cut a word model's text (else RNN_PLAYGROUND_CLI or the PATH)")
    args = ap.parse_args()
    try:
        run(args)
    except Fail as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


def run(args):
    try:
        import torch
        import torch.nn as nn
        import torch.distributed as dist
    except ImportError as e:
        raise Fail(f"PyTorch is not installed ({e}): pip install torch safetensors")
    if args.steps < 0:
        raise Fail("--steps must be 0 or more")
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    # One process, or one rank of several under torchrun (which sets WORLD_SIZE, RANK, LOCAL_RANK).
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if args.device == "auto":
        device = torch.device(f"cuda:{local}" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(args.device)
        if device.type == "cuda" and device.index is None:
            device = torch.device(f"cuda:{local}")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    say = print if rank == 0 else (lambda *a, **k: None)

    # The config, vocabulary and weights; the texts.
    meta, train_state, tensors, carried_text = {}, None, None, None
    if args.from_file:
        cfg, vocab, tensors, meta, train_state = load_file(torch, args.from_file)
        carried_text = meta.get("corpus")
    elif args.config:
        try:
            cfg = checked_config(json.loads(read_text(args.config, "the config")), args.config)
        except ValueError as e:
            raise Fail(f"{args.config}: invalid JSON ({e})")
        vocab = None
    else:
        cfg, carried_text = config_from_link(args.link)
        vocab = None
    if args.corpus:
        text = read_text(args.corpus)
    elif carried_text is not None:
        text = carried_text
    elif "task" in meta:
        raise Fail(
            f"{args.from_file} trained on the engine's task {meta['task']} (seed {meta.get('task_seed')}): write its texts with "
            f"`rnn-playground task {meta['task']} --seed {meta.get('task_seed')} > train.txt` and `... --split val > val.txt`, "
            "then pass --corpus train.txt --val val.txt"
        )
    else:
        raise Fail("give the training text with --corpus FILE")
    val_text = read_text(args.val, "the validation text") if args.val else None
    tokens = tokenize(text, cfg["tokens"], args.cli)
    val_tokens = tokenize(val_text, cfg["tokens"], args.cli) if val_text is not None else None
    if vocab is None:
        vocab = build_vocab(tokens + (val_tokens or []), cfg["max_vocab"])
    ids = encode(vocab, tokens)
    if len(ids) < 2:
        raise Fail("the corpus has a single token; there is nothing to predict")
    if val_text is not None:
        train_ids, val_ids = ids, encode(vocab, val_tokens)
    else:
        train_ids, val_ids = split(ids, cfg["val_fraction"])
    corpus_hash = fnv1a(0xCBF29CE484222325, text)
    if val_text is not None:
        corpus_hash = fnv1a(corpus_hash, val_text)
    T = cfg["seq_len"]
    B, seg, chunks = layout(len(train_ids), T, cfg["batch"])
    if world > B:
        raise Fail(f"{world} ranks but only {B} streams: each rank needs at least one")
    mine = shard_ranges(B, world)[rank]
    V, L, H = len(vocab), cfg["layers"], cfg["hidden"]
    lstm = cfg["cell"] == "lstm"

    model = make_model(torch, nn, cfg, V)
    if tensors is not None:
        try:
            model.load_state_dict({k: v for k, v in tensors.items() if "." in k and not k.startswith(("optim.", "train."))}, strict=True)
        except RuntimeError as e:
            raise Fail(f"{args.from_file}: its tensors do not fit the model its config describes ({e})")
    else:
        initialise(torch, model, cfg)
    model.to(device)
    params = list(model.parameters())
    names = list(model.state_dict())

    # Resume exactly when the checkpoint was made on this text with this layout, as the engine does.
    step, chunk, epoch, rng = 0, 0, 0, rng_state(cfg["seed"])
    h = torch.zeros(L, B, H)
    c = torch.zeros(L, B, H) if lstm else None
    m = v = None
    resumed = False
    if train_state is not None:
        p = train_state["progress"]
        rng = p.get("rng", rng)
        if p.get("corpus_hash") == corpus_hash and p.get("streams") == B:
            step, chunk, epoch = p["step"], min(p["chunk"], chunks - 1), p["epoch"]
            h = tensors["train.h"].float()
            c = tensors["train.c"].float() if lstm else None
            moment = lambda prefix: [tensors[prefix + n].to(device) for n in names] if prefix + names[0] in tensors else None  # noqa: E731
            m, v = moment("optim.m."), moment("optim.v.")
            resumed = True
        else:
            say(json.dumps({"note": "the checkpoint was made on other text (or another layout): its weights, a fresh optimizer"}), file=sys.stderr)
    opt = EngineOptimizer(torch, cfg, params, m, v, step)
    # This rank's streams' carried state: (L, b, H), PyTorch's h0 layout.
    state = (h[:, mine.start : mine.stop].contiguous().to(device), c[:, mine.start : mine.stop].contiguous().to(device) if lstm else None)

    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    data = torch.tensor(train_ids, dtype=torch.long, device=device)
    offsets = torch.arange(mine.start, mine.stop, device=device)[:, None] * seg + torch.arange(T, device=device)[None, :]
    scale = world / (T * B)  # DDP averages the ranks' gradients: the batch mean's gradient is their sum

    def as_state(s):
        return (s[0], s[1]) if lstm else s[0]

    start, loss, lines = time.time(), float("nan"), []
    first_step = opt.step
    for _ in range(args.steps):
        if chunk == 0:
            state = (torch.zeros_like(state[0]), torch.zeros_like(state[1]) if lstm else None)
        idx = offsets + chunk * T
        logits, out = net(data[idx], as_state(state))
        loss_sum = nn.functional.cross_entropy(logits.reshape(-1, V), data[idx + 1].reshape(-1), reduction="sum")
        for p_ in params:
            p_.grad = None
        (loss_sum * scale).backward()
        state = (out[0].detach(), out[1].detach()) if lstm else (out.detach(), None)
        total = loss_sum.detach().double()
        if world > 1:
            dist.all_reduce(total)
        loss = total.item() / (T * B)
        if not math.isfinite(loss):
            raise Fail(f"the loss became {loss} at step {opt.step + 1}; lower the learning rate or clip harder")
        norm, clipped = clip_grads(torch, params, cfg["clip_mode"], cfg["clip"])
        with torch.no_grad():
            lr = opt.update(params)
        chunk += 1
        if chunk == chunks:
            chunk, epoch = 0, epoch + 1
        line = json.dumps({"step": opt.step, "loss": loss, "grad_norm": norm, "clipped": clipped, "lr": lr})
        if args.log_steps:
            lines.append(line)
        if args.log_every and (opt.step - first_step) % args.log_every == 0:
            say(line, flush=True)
    seconds = time.time() - start

    # Every rank's carried state, in stream order, for the checkpoint.
    hs, cs = state[0].cpu(), state[1].cpu() if lstm else None
    if world > 1:
        parts = [None] * world
        dist.all_gather_object(parts, (hs, cs))
        hs = torch.cat([p[0] for p in parts], dim=1)
        cs = torch.cat([p[1] for p in parts], dim=1) if lstm else None
    val_loss = evaluate(torch, nn, model, val_ids, T, cfg["batch"], device, args.val_tokens, lstm) if rank == 0 else None
    if rank == 0:
        out_cfg = dict(cfg, workers=world)
        progress = {"step": opt.step, "epoch": epoch, "chunk": chunk, "streams": B, "rng": rng, "corpus_hash": corpus_hash}
        extra = {k: meta[k] for k in ("task", "task_seed") if k in meta}
        if args.save_corpus or (carried_text is not None and carried_text == text):
            extra["corpus"] = text
        save_checkpoint(torch, args.out, model, out_cfg, vocab, opt, progress, (hs, cs), extra)
        if args.log_steps:
            with open(args.log_steps, "w", encoding="utf-8") as f:
                f.write("".join(x + "\n" for x in lines))
        per_sec = (opt.step - first_step) * T * B / max(seconds, 1e-9)
        say(json.dumps({
            "steps": opt.step, "train_loss": loss, "val_loss": val_loss, "seconds": seconds,
            "tokens_per_sec": per_sec, "chars_per_sec": per_sec * len(text) / len(tokens), "device": str(device),
            "ranks": world, "resumed": resumed, "out": args.out,
        }), flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def evaluate(torch, nn, model, ids, T, batch, device, max_tokens, lstm):
    """src/trainer.rs's validate: the training layout over the validation text, one pass."""
    n = len(ids) if max_tokens <= 0 else min(len(ids), max_tokens)
    if n < 2:
        return None
    T = min(T, n - 1)
    B, seg, chunks = layout(n, T, batch)
    data = torch.tensor(ids[:n], dtype=torch.long, device=device)
    offsets = torch.arange(B, device=device)[:, None] * seg + torch.arange(T, device=device)[None, :]
    state, total = None, 0.0
    with torch.no_grad():
        for ch in range(chunks):
            idx = offsets + ch * T
            logits, state = model(data[idx], state)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), data[idx + 1].reshape(-1)).item()
    return total / chunks


if __name__ == "__main__":
    main()
