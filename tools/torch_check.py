#!/usr/bin/env python3
"""Cross-checks rnn-playground against PyTorch (needs `torch` and `safetensors`; not part of the tests).

  python3 tools/torch_check.py load MODEL.safetensors TEXT [--cli PATH]
      Loads a model exported by the CLI or the page into PyTorch's Embedding -> nn.RNN/LSTM/GRU ->
      Linear (the article's language model) with a strict load_state_dict and prints the loss on
      TEXT (one stream from a zero state, inputs all tokens but the last) in nats per token and in
      bits per character, to compare with `rnn-playground eval --model MODEL --text TEXT`. A word
      model's text is cut by `rnn-playground tokenize --tokens words` (--cli: the binary; default
      target/release/rnn-playground, then target/debug/, then the PATH), so both read the same tokens.

  python3 tools/torch_check.py train CORPUS --steps N [--hidden 128 --embed 32 --seq-len 64 --batch 32 ...]
      Trains the same model with the same data layout as the CLI (last 10 % validation, B contiguous
      streams, chunks of T with the state carried and detached, Adam, gradient-norm clipping) and
      prints the validation loss measured as the CLI measures it.
"""
import argparse, json, math, os, shutil, subprocess, sys, time

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import load_file

torch.set_num_threads(1)


class CharModel(nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(embed, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embedding(x), state)
        return self.fc(out), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def cli_path(given):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for p in [given] if given else [os.path.join(root, "target", d, "rnn-playground") for d in ("release", "debug")]:
        if p and os.path.exists(p):
            return p
    found = shutil.which("rnn-playground")
    if not found:
        sys.exit("rnn-playground not found: build it (cargo build --release) or pass --cli PATH")
    return found


def cmd_load(args):
    with safe_open(args.model, "pt") as f:
        meta = f.metadata()
    cfg = json.loads(meta["config"])
    vocab = json.loads(meta["vocab"])
    kind = meta.get("tokens", "characters")
    sd = load_file(args.model)
    layers = sum(1 for k in sd if k.startswith("rnn.weight_hh_l"))
    model = CharModel(cfg["cell"], len(vocab), cfg["embed"], cfg["hidden"], layers)
    model.load_state_dict(sd, strict=True)
    index = {t: i for i, t in enumerate(vocab)}  # id 0, U+FFFD, is the unknown token
    text = open(args.text, encoding="utf-8").read()
    if kind == "words":
        out = subprocess.run([cli_path(args.cli), "tokenize", "--tokens", "words", args.text], check=True, capture_output=True)
        tokens = json.loads(out.stdout)
        assert "".join(tokens) == text, "the tokens join to the text"
    else:
        tokens = list(text)
    x = torch.tensor([[index.get(t, 0) for t in tokens]])
    with torch.no_grad():
        logits, _ = model(x[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), x[:, 1:].reshape(-1))
    predicted_chars = sum(len(t) for t in tokens[1:])
    bits = loss.item() * (len(tokens) - 1) / math.log(2)
    print(json.dumps({"tokens_kind": kind, "torch_loss": loss.item(), "bits_per_char": bits / predicted_chars,
                      "tokens": len(tokens), "chars": len(text), "strict_load_state_dict": "ok"}))


def batches(ids, T, B):
    """The CLI's layout: B contiguous segments, consecutive chunks of T, targets shifted by one."""
    pairs = len(ids) - 1
    B = max(1, min(B, pairs // T))
    seg = pairs // B
    chunks = seg // T
    data = torch.tensor(ids)
    while True:
        for c in range(chunks):
            idx = torch.arange(B)[:, None] * seg + c * T + torch.arange(T)[None, :]
            yield c == 0, data[idx], data[idx + 1]


def evaluate(model, ids, T, B):
    pairs = len(ids) - 1
    T = min(T, pairs)
    B = max(1, min(B, pairs // T))
    seg = pairs // B
    data = torch.tensor(ids)
    state, total, n = None, 0.0, 0
    with torch.no_grad():
        for c in range(seg // T):
            idx = torch.arange(B)[:, None] * seg + c * T + torch.arange(T)[None, :]
            logits, state = model(data[idx], state)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), data[idx + 1].reshape(-1)).item()
            n += 1
    return total / n


def cmd_train(args):
    text = open(args.corpus, encoding="utf-8").read()
    chars = sorted(set(text))
    ids_of = {c: i + 1 for i, c in enumerate(chars)}  # id 0 is the unknown character, as in the CLI
    ids = [ids_of[c] for c in text]
    n_val = int(len(ids) * 0.1)
    train, val = ids[: len(ids) - n_val], ids[len(ids) - n_val :]
    torch.manual_seed(args.seed)
    model = CharModel(args.cell, len(chars) + 1, args.embed, args.hidden, args.layers)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = None
    start = time.time()
    it = batches(train, args.seq_len, args.batch)
    for step in range(args.steps):
        fresh, x, y = next(it)
        if fresh:
            state = None
        logits, state = model(x, state)
        state = detach(state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
    secs = time.time() - start
    print(json.dumps({"steps": args.steps, "train_loss": loss.item(), "val_loss": evaluate(model, val, args.seq_len, args.batch),
                      "seconds": secs, "chars_per_sec": args.steps * args.seq_len * args.batch / secs}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("model")
    l.add_argument("text")
    l.add_argument("--cli", help="the rnn-playground binary (for a word model's tokens)")
    t = sub.add_parser("train")
    t.add_argument("corpus")
    t.add_argument("--steps", type=int, default=2000)
    t.add_argument("--cell", default="lstm")
    t.add_argument("--layers", type=int, default=1)
    t.add_argument("--hidden", type=int, default=128)
    t.add_argument("--embed", type=int, default=32)
    t.add_argument("--seq-len", type=int, default=64)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--clip", type=float, default=5.0)
    t.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    {"load": cmd_load, "train": cmd_train}[args.cmd](args)


if __name__ == "__main__":
    main()
