#!/usr/bin/env python3
"""PyTorch CPU reference for the rnn-playground speed benchmark (bench/run), on --threads N CPU
threads (default 1; torch.set_num_threads, one inter-op thread).

Trains the same character-level model as the engine on the same kind of batches and prints one
JSON line, the same contract as the engine's `bench` CLI subcommand:

    {"chars_per_sec": ..., "steps": ..., "macs_per_char": ..., "vocab": ..., ...}

Model: nn.Embedding(V, E) -> nn.LSTM/RNN/GRU(E, H, L, batch_first=True) -> nn.Linear(H, V),
next-character cross-entropy, Adam(lr 2e-3), clip_grad_norm_(5), truncated BPTT over T-character
chunks of B parallel streams with the hidden state carried between chunks and detached.

Prints {"error": "..."} and exits 3 when torch cannot be imported.
"""

import argparse
import json
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--embed", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time (after warm-up)")
    ap.add_argument("--warmup", type=float, default=None, help="warm-up seconds (default: min(3, seconds/3))")
    ap.add_argument("--min-steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="intra-op CPU threads (torch.set_num_threads)")
    args = ap.parse_args()

    try:
        import torch
        import torch.nn as nn
    except Exception as e:  # noqa: BLE001 - any import failure means "not available"
        print(json.dumps({"error": f"torch not importable: {e}"}))
        return 3

    torch.set_num_threads(max(1, args.threads))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(1)

    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    V = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    n_train = int(len(ids) * 0.9)
    ids = ids[:n_train]

    B, T, E, H, L = args.batch, args.seq_len, args.embed, args.hidden, args.layers
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[args.cell]
    macs = sum(gates * H * ((E if l == 0 else H) + H) for l in range(L)) + H * V

    class CharModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, E)
            rnn_cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[args.cell]
            self.rnn = rnn_cls(E, H, L, batch_first=True)
            self.out = nn.Linear(H, V)

        def forward(self, x, state):
            y, state = self.rnn(self.emb(x), state)
            return self.out(y), state

    model = CharModel()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()

    # B streams, each a contiguous stretch of the training text; chunk k of stream b starts at
    # b*stride + k*T (wrapping to the stream's start when it runs out), as the engine's batcher.
    stride = (len(ids) - 1) // B
    chunks_per_stream = stride // T
    offsets = torch.arange(B).unsqueeze(1) * stride + torch.arange(T + 1).unsqueeze(0)  # (B, T+1)

    state = None
    chunk = 0

    def detach(s):
        if s is None:
            return None
        if isinstance(s, tuple):
            return tuple(t.detach() for t in s)
        return s.detach()

    def step():
        nonlocal state, chunk
        if chunk >= chunks_per_stream:
            chunk = 0
            state = None
        window = ids[offsets + chunk * T]  # (B, T+1)
        chunk += 1
        x, y = window[:, :-1], window[:, 1:]
        state = detach(state)
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        return loss.item()

    warm = args.warmup if args.warmup is not None else min(3.0, args.seconds / 3)
    t_end = time.perf_counter() + warm
    warm_steps = 0
    while warm_steps < 2 or time.perf_counter() < t_end:
        step()
        warm_steps += 1

    steps = 0
    t0 = time.perf_counter()
    last_loss = float("nan")
    while True:
        last_loss = step()
        steps += 1
        el = time.perf_counter() - t0
        if el >= args.seconds and steps >= args.min_steps:
            break
    cps = steps * B * T / el
    print(json.dumps({
        "chars_per_sec": cps,
        "steps": steps,
        "seconds": el,
        "warmup_steps": warm_steps,
        "macs_per_char": macs,
        "vocab": V,
        "last_loss": last_loss,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
