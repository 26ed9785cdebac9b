#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures of tests/parity.rs into tests/fixtures/.

    python3 tools/gen_fixtures.py            # rewrites tests/fixtures/ (needs: pip install torch safetensors numpy)
    python3 tools/gen_fixtures.py --check    # regenerates into a temporary directory and compares

Every case is seeded and computed on the CPU, so a rerun with the same PyTorch writes the same
files (the `torch` version is recorded in each reference file's metadata). For each case NAME:

  NAME.json                  config and inputs; an optional "train" section whose keys other than
                             "steps" are the engine's own config names (src/config.rs)
  NAME.weights.safetensors   the float32 state_dict of Embedding -> nn.RNN/LSTM/GRU -> Linear
  NAME.ref.safetensors       reference outputs computed in float64 from those float32 weights
                             (prefix "f64."), plus the inputs

tests/fixtures/README.md documents the layout and the tolerances. The model is PyTorch's own
modules with their default initialisation; the training steps use PyTorch's own optimizers
(torch.optim.Adam, SGD, Adagrad, RMSprop), clip_grad_norm_ / clip_grad_value_ and
lr_scheduler.StepLR, so the references are PyTorch's and not a re-derivation of the engine.

The diagnostics cases of tests/diagnose.rs (DIAG_CASES, files diag_*) hold a short text as ids and
its vocabulary, the model's weights, and in float64: the gradient flow ||d loss_t / d h_k|| of
every layer by autograd through nn.RNNCell / LSTMCell / GRUCell sharing the nn.RNN / LSTM / GRU
weights, sigma_max of every gate block of W_hh by torch.linalg.matrix_norm(ord=2), the mean loss,
unigram and bigram entropies by numpy, and the trace of a forward and backward pass (written out
gate by gate and checked against the cells).

The word case of tests/words.rs (words_lstm_l1) holds a short text written for the project, its word
tokens written out by hand, the vocabulary built from them by the engine's rule (the most frequent
tokens up to the cap, the unknown token U+FFFD at id 0) and the ids; in float64 from the float32
weights: the mean loss over the text read from the zero state, every parameter's gradient, the loss
of each token, and the bits per character by hand (total bits over the characters of the predicted
tokens).
"""
import argparse
import filecmp
import json
import math
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures")

# The engine's config defaults (src/config.rs), written for the settings a case leaves unset.
ENGINE_DEFAULTS = dict(optimizer="adam", lr=2e-3, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8,
                       clip_mode="norm", clip=5.0, lr_decay=1.0, lr_decay_every=1000)

SMALL = dict(V=17, E=5, H=7, B=3, T=6)
# Two Adam steps with global-norm clipping at 0.2 (the small cases' norms are 0.26-0.57, so every
# step clips).
ADAM2 = dict(steps=2, optimizer="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, clip_mode="norm", clip=0.2)

CASES = [
    dict(name="rnn_l1_small", cell="rnn", L=1, seed=1000, train=ADAM2, **SMALL),
    dict(name="rnn_l2_small", cell="rnn", L=2, seed=1001, train=ADAM2, **SMALL),
    dict(name="lstm_l1_small", cell="lstm", L=1, seed=1002, train=ADAM2, **SMALL),
    dict(name="lstm_l2_small", cell="lstm", L=2, seed=1003, train=ADAM2, **SMALL),
    dict(name="gru_l1_small", cell="gru", L=1, seed=1004, train=ADAM2, **SMALL),
    dict(name="gru_l2_small", cell="gru", L=2, seed=1005, train=ADAM2, **SMALL),
    # Forward and gradients only: a train step would add ~0.5 MB of float64 parameters per step.
    dict(name="lstm_l2_large", cell="lstm", V=80, E=16, H=64, L=2, B=4, T=32, seed=1006, train=None),
    # Optimizers beyond Adam, clipping by value, and step decay of the learning rate.
    # SGD with heavy-ball momentum (from step 2 on the buffer matters), norm clipping at 0.25
    # (norms ~0.45).
    dict(name="rnn_l2_sgd_momentum", cell="rnn", L=2, seed=1007, **SMALL,
         train=dict(steps=4, optimizer="sgd", lr=0.1, momentum=0.9, clip_mode="norm", clip=0.25)),
    # Adagrad (initial_accumulator_value 0, lr_decay 0, PyTorch's eps 1e-10), no clipping.
    dict(name="gru_l1_adagrad", cell="gru", L=1, seed=1008, **SMALL,
         train=dict(steps=3, optimizer="adagrad", lr=0.05, eps=1e-10, clip_mode="none", clip=5.0)),
    # RMSProp (alpha = the engine's beta2 = 0.99, not centered), norm clipping at 0.2 (norms ~0.3).
    dict(name="lstm_l1_rmsprop", cell="lstm", L=1, seed=1009, **SMALL,
         train=dict(steps=3, optimizer="rmsprop", lr=0.01, beta2=0.99, eps=1e-8, clip_mode="norm", clip=0.2)),
    # Clipping by value at 0.01, with plain SGD so that every clipped element moves its parameter
    # less; 12-14 % of the gradient elements are clipped.
    dict(name="gru_l2_clip_value", cell="gru", L=2, seed=1010, **SMALL,
         train=dict(steps=3, optimizer="sgd", lr=0.5, momentum=0.0, clip_mode="value", clip=0.01)),
    # Adam with StepLR(step_size=2, gamma=0.5) over 5 steps: lr 0.01, 0.01, 0.005, 0.005, 0.0025;
    # norm clipping at 0.2 (norms ~0.23).
    dict(name="lstm_l2_lr_decay", cell="lstm", L=2, seed=1011, **SMALL,
         train=dict(steps=5, optimizer="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, clip_mode="norm",
                    clip=0.2, lr_decay=0.5, lr_decay_every=2)),
]


class CharModel(nn.Module):
    def __init__(self, cell, V, E, H, L):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](E, H, num_layers=L, batch_first=True)
        self.fc = nn.Linear(H, V)

    def forward(self, x, state):
        out, state = self.rnn(self.embedding(x), state)
        return self.fc(out), out, state


def train_settings(case):
    """The case's train section: every engine setting, the case's own or the engine's default."""
    t = dict(ENGINE_DEFAULTS)
    t.update({k: v for k, v in case["train"].items() if k != "steps"})
    return dict(steps=case["train"]["steps"], **t)


def make_optimizer(params, t):
    if t["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=t["lr"], betas=(t["beta1"], t["beta2"]), eps=t["eps"])
    if t["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=t["lr"], momentum=t["momentum"])
    if t["optimizer"] == "adagrad":
        return torch.optim.Adagrad(params, lr=t["lr"], lr_decay=0, initial_accumulator_value=0, eps=t["eps"])
    if t["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=t["lr"], alpha=t["beta2"], eps=t["eps"], momentum=0, centered=False)
    raise ValueError(t["optimizer"])


def total_norm(model):
    return torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))


def compute(case, weights, inputs, dtype):
    """Every reference tensor of a case, computed in `dtype` from the float32 weights."""
    cell, V = case["cell"], case["V"]
    model = CharModel(cell, V, case["E"], case["H"], case["L"])
    model.load_state_dict(weights)
    model = model.to(dtype)
    x, y = inputs["input_ids"], inputs["target_ids"]
    # clone(): .to() returns the input itself when the dtype already matches.
    h0 = inputs["h0"].to(dtype).clone().requires_grad_(True)
    c0 = inputs["c0"].to(dtype).clone().requires_grad_(True) if cell == "lstm" else None
    out = {}
    logits, rnn_out, state = model(x, (h0, c0) if c0 is not None else h0)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    loss.backward()
    out["logits"], out["rnn_out"], out["loss"] = logits.detach(), rnn_out.detach(), loss.detach().reshape(1)
    out["h_n"] = (state[0] if c0 is not None else state).detach()
    if c0 is not None:
        out["c_n"] = state[1].detach()
        out["grad.c0"] = c0.grad.clone()
    out["grad.h0"] = h0.grad.clone()
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad.clone()
    out["grad_norm"] = total_norm(model).reshape(1)

    if case["train"]:
        t = train_settings(case)
        opt = make_optimizer(model.parameters(), t)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=t["lr_decay_every"], gamma=t["lr_decay"])
        state = (h0.detach(), c0.detach()) if c0 is not None else h0.detach()
        losses, norms, clipped = [], [], []
        for s in range(1, t["steps"] + 1):
            opt.zero_grad()
            logits, _, new_state = model(x, state)
            loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
            loss.backward()
            # Truncated BPTT: the next step starts from this one's final state, detached.
            state = tuple(z.detach() for z in new_state) if c0 is not None else new_state.detach()
            norm = total_norm(model)
            if t["clip_mode"] == "norm":
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), t["clip"])
                clipped.append(float(norm) > t["clip"])
            elif t["clip_mode"] == "value":
                n = sum(int((p.grad.abs() > t["clip"]).sum()) for p in model.parameters())
                clipped.append(n)
                torch.nn.utils.clip_grad_value_(model.parameters(), t["clip"])
            opt.step()
            sched.step()
            losses.append(loss.detach())
            norms.append(norm.detach())
            for name, p in model.named_parameters():
                out[f"train.step{s}.{name}"] = p.detach().clone()
        out["train.loss"] = torch.stack(losses)
        out["train.grad_norm"] = torch.stack(norms)
        out["_clipped"] = clipped
    return out


def make_case(case):
    torch.manual_seed(case["seed"])
    cell, V, E, H, L, B, T = (case[k] for k in ("cell", "V", "E", "H", "L", "B", "T"))
    model = CharModel(cell, V, E, H, L)  # PyTorch's default initialisation
    weights = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    inputs = dict(
        input_ids=torch.randint(0, V, (B, T)),
        target_ids=torch.randint(0, V, (B, T)),  # random, not shifted inputs
        h0=torch.rand(L, B, H) * 2 - 1,
    )
    if cell == "lstm":
        inputs["c0"] = torch.rand(L, B, H) * 2 - 1
    ref64 = compute(case, weights, inputs, torch.float64)
    ref32 = compute(case, weights, inputs, torch.float32)
    clipped = ref64.pop("_clipped", None)
    ref32.pop("_clipped", None)
    gap = {k: float((ref32[k].double() - v.detach()).abs().max()) for k, v in ref64.items()}

    doc = dict(cell=cell, vocab=V, embed=E, hidden=H, layers=L, batch=B, seq=T, seed=case["seed"],
               input_ids=inputs["input_ids"].tolist(), target_ids=inputs["target_ids"].tolist(),
               # float32 values printed as their exact float64 value
               h0=inputs["h0"].double().tolist())
    if cell == "lstm":
        doc["c0"] = inputs["c0"].double().tolist()
    if case["train"]:
        doc["train"] = train_settings(case)
    tensors = {"f64." + k: v.detach().to(torch.float64).contiguous() for k, v in ref64.items()}
    tensors.update({k: v.contiguous() for k, v in inputs.items()})
    meta = dict(cell=cell, torch=torch.__version__, generator="tools/gen_fixtures.py",
                f32_vs_f64_max_abs={k: f"{v:.3e}" for k, v in gap.items()})
    return doc, weights, tensors, meta, gap, clipped


# ---- diagnostics (tests/diagnose.rs) ----

DIAG_TEXT = "the cat sat on a mat"
DIAG_CASES = [
    dict(name="diag_rnn_l2", cell="rnn", E=5, H=7, L=2, seed=2000),
    dict(name="diag_lstm_l2", cell="lstm", E=5, H=7, L=2, seed=2001),
    dict(name="diag_gru_l2", cell="gru", E=5, H=7, L=2, seed=2002),
]
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def layer_weights(rnn, k):
    return [getattr(rnn, f"{n}_l{k}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def cells_of(model, cell, E, H, L):
    """nn.RNNCell / LSTMCell / GRUCell per layer, sharing (copies of) the module's weights."""
    kind = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[cell]
    cells = []
    for k in range(L):
        c = kind(E if k == 0 else H, H).double()
        with torch.no_grad():
            for dst, src in zip((c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh), layer_weights(model.rnn, k)):
                dst.copy_(src)
        cells.append(c)
    return cells


def grad_flow(model, cells, cell, ids, H):
    """G[l][t][k] = ||d loss_t / d h_k^(l)||_2 for k <= t, by autograd through the cells step by step."""
    T = len(ids) - 1
    x = model.embedding(torch.tensor(ids[:-1]))
    inputs = [x[t:t + 1] for t in range(T)]
    hs = []
    for c in cells:
        h = torch.zeros(1, H, dtype=torch.float64)
        cs = torch.zeros(1, H, dtype=torch.float64)
        layer = []
        for t in range(T):
            if cell == "lstm":
                h, cs = c(inputs[t], (h, cs))
            else:
                h = c(inputs[t], h)
            layer.append(h)
        hs.append(layer)
        inputs = layer
    logits = model.fc(torch.cat(hs[-1]))
    y = torch.tensor(ids[1:])
    G = torch.zeros(len(cells), T, T, dtype=torch.float64)
    for t in range(T):
        loss_t = F.cross_entropy(logits[t:t + 1], y[t:t + 1])
        wrt = [hs[l][k] for l in range(len(cells)) for k in range(t + 1)]
        grads = torch.autograd.grad(loss_t, wrt, retain_graph=True)
        for i, g in enumerate(grads):
            G[i // (t + 1), t, i % (t + 1)] = g.norm()
    return G, torch.cat(hs[-1]).detach()


def trace(model, cell, ids, H, L):
    """Every quantity of the trace, the cells written out gate by gate (pre-activations and h_t kept
    in the graph), and the backward pass of the summed loss."""
    T = len(ids) - 1
    x = model.embedding(torch.tensor(ids[:-1])).detach().requires_grad_(True)  # so every pre-activation is in the graph
    out, keep = {}, []
    inputs = [x[t] for t in range(T)]
    for k in range(L):
        w_ih, w_hh, b_ih, b_hh = (w.detach() for w in layer_weights(model.rnn, k))
        h = torch.zeros(H, dtype=torch.float64)
        c = torch.zeros(H, dtype=torch.float64)
        rec = {n: [] for n in ("x", "h_prev", "pre", "act", "c", "h")}
        for t in range(T):
            xt = inputs[t]
            gi, gh = w_ih @ xt + b_ih, w_hh @ h + b_hh
            if cell == "rnn":
                pre = gi + gh
                act = torch.tanh(pre)
                h_new = act
            elif cell == "lstm":
                pre = gi + gh
                i, f, g, o = pre.split(H)
                act = torch.cat([torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)])
                c = act[H:2 * H] * c + act[:H] * act[2 * H:3 * H]
                h_new = act[3 * H:] * torch.tanh(c)
                rec["c"].append(c)
            else:
                # r feeds pre_n, so the pre-activations are two tensors: (r, z) and n.
                pre_rz = gi[:2 * H] + gh[:2 * H]
                r, z = torch.sigmoid(pre_rz[:H]), torch.sigmoid(pre_rz[H:])
                pre_n = gi[2 * H:] + r * gh[2 * H:]
                n = torch.tanh(pre_n)
                act = torch.cat([r, z, n])
                h_new = (1 - z) * n + z * h
                pre = (pre_rz, pre_n)
            for p in pre if isinstance(pre, tuple) else (pre,):
                p.retain_grad()
            h_new.retain_grad()
            rec["x"].append(xt)
            rec["h_prev"].append(h)
            rec["pre"].append(pre)
            rec["act"].append(act)
            rec["h"].append(h_new)
            h = h_new
        keep.append(rec)
        inputs = rec["h"]
    logits = model.fc(torch.stack(keep[-1]["h"]))
    y = torch.tensor(ids[1:])
    losses = F.cross_entropy(logits, y, reduction="none")
    losses.sum().backward()
    out["trace.probs"] = torch.softmax(logits, dim=1).detach()
    out["trace.loss"] = losses.detach()
    for k, rec in enumerate(keep):
        for n, v in rec.items():
            if v:
                out[f"trace.l{k}.{n}"] = torch.stack([cat(a) for a in v])
        out[f"trace.l{k}.dh"] = torch.stack([a.grad for a in rec["h"]])
        out[f"trace.l{k}.dpre"] = torch.stack([cat(a, grad=True) for a in rec["pre"]])
    return out


def cat(a, grad=False):
    """A recorded tensor (or the GRU's pair of pre-activation tensors) as one row, or its gradient."""
    parts = a if isinstance(a, tuple) else (a,)
    return torch.cat([p.grad if grad else p.detach() for p in parts])


def entropy_bits(ids):
    """Unigram H(X) and bigram H(X_t | X_{t-1}) in bits per character, by counting."""
    a = np.asarray(ids, dtype=np.int64)

    def h(symbols):
        _, counts = np.unique(symbols, return_counts=True)
        p = counts / counts.sum()
        return float(-(p * np.log2(p)).sum())

    pairs = a[:-1] * (a.max() + 1) + a[1:]
    return h(a), h(pairs) - h(a[:-1])


def make_diag_case(case):
    torch.manual_seed(case["seed"])
    cell, E, H, L = (case[k] for k in ("cell", "E", "H", "L"))
    vocab = sorted(set(DIAG_TEXT))
    ids = [vocab.index(c) for c in DIAG_TEXT]
    V = len(vocab)
    model = CharModel(cell, V, E, H, L)
    weights = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    model = model.double()
    x = torch.tensor(ids[:-1])[None]
    logits, rnn_out, _ = model(x, None)
    loss = F.cross_entropy(logits[0], torch.tensor(ids[1:]))
    cells = cells_of(model, cell, E, H, L)
    G, top = grad_flow(model, cells, cell, ids, H)
    assert torch.allclose(top, rnn_out[0].detach(), rtol=0, atol=1e-12), "the cells reproduce the module"
    tr = trace(model, cell, ids, H, L)
    assert torch.allclose(tr[f"trace.l{L - 1}.h"], rnn_out[0].detach(), rtol=0, atol=1e-12), "the trace reproduces the module"
    G_ = GATES[cell]
    sigma = torch.tensor([[float(torch.linalg.matrix_norm(getattr(model.rnn, f"weight_hh_l{k}")[g * H:(g + 1) * H].detach(), ord=2))
                           for g in range(G_)] for k in range(L)], dtype=torch.float64)
    uni, bi = entropy_bits(ids)
    ref = {"grad_flow": G, "sigma_max": sigma, "loss_per_char": loss.detach().reshape(1),
           "unigram_bits": torch.tensor([uni], dtype=torch.float64), "bigram_bits": torch.tensor([bi], dtype=torch.float64)}
    ref.update(tr)
    doc = dict(cell=cell, vocab_size=V, embed=E, hidden=H, layers=L, seed=case["seed"], text=DIAG_TEXT,
               vocab=vocab, ids=ids)
    tensors = {"f64." + k: v.detach().to(torch.float64).contiguous() for k, v in ref.items()}
    meta = dict(cell=cell, torch=torch.__version__, generator="tools/gen_fixtures.py")
    return doc, weights, tensors, meta


def write_diag(out_dir):
    for case in DIAG_CASES:
        doc, weights, tensors, meta = make_diag_case(case)
        name = case["name"]
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            f.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
        save_file(weights, os.path.join(out_dir, name + ".weights.safetensors"),
                  metadata={"meta": json.dumps({"cell": case["cell"], "format": "pytorch state_dict"})})
        save_file(tensors, os.path.join(out_dir, name + ".ref.safetensors"),
                  metadata={"meta": json.dumps(meta, sort_keys=True)})
        size = sum(os.path.getsize(os.path.join(out_dir, name + s))
                   for s in (".json", ".weights.safetensors", ".ref.safetensors"))
        g = tensors["f64.grad_flow"]
        T = g.shape[1]
        print(f"{name:22s} {size:8d} B T {T}: grad_flow diagonal {g[:, range(T), range(T)].min():.2e}..{g.max():.2e}, "
              f"row {T - 1} first column {g[:, T - 1, 0].tolist()}, sigma_max {[round(v, 3) for v in tensors['f64.sigma_max'].flatten().tolist()]}")


# ---- a word-level model (tests/words.rs) ----

# A text written for the project, and its tokens by the tokenizer's rules (src/tokenizer.rs), written
# out by hand: the test checks the engine cuts the text the same way.
WORD_TOKENS = [
    "The", " ", "cat's", " ", "hat", " ", "is", " ", "red", ".", " ", "The", " ", "dog's", " ", "hat", " ", "is",
    " ", "blue", "!", "\n", "我", "们", " ", "爱", " ", "猫", "。", " ", "A", " ", "cat", " ", "naps", ";", " ", "a",
    " ", "dog", " ", "runs", " ", "🐕\u200d🦺", " ", "fast", ",", "  ", "naïve", " ", "l’homme", "…", "\n",
    "The", " ", "end", ",", " ", "the", " ", "end", ".",
]
WORD_TEXT = "".join(WORD_TOKENS)
WORD_CASE = dict(name="words_lstm_l1", cell="lstm", E=6, H=8, L=1, cap=16, seed=3000)


def word_vocab(tokens, cap):
    """The engine's rule: the cap - 1 most frequent tokens (ties to the lower code point), kept in
    code-point order after the unknown token U+FFFD (no kept token holds one)."""
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    by_count = sorted(counts, key=lambda t: (-counts[t], t))
    kept = sorted(t for t in by_count[:cap - 1] if "\ufffd" not in t)
    return ["\ufffd"] + kept


def make_word_case(case):
    torch.manual_seed(case["seed"])
    cell, E, H, L = (case[k] for k in ("cell", "E", "H", "L"))
    vocab = word_vocab(WORD_TOKENS, case["cap"])
    index = {t: i for i, t in enumerate(vocab)}
    ids = [index.get(t, 0) for t in WORD_TOKENS]
    V = len(vocab)
    model = CharModel(cell, V, E, H, L)
    weights = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    model = model.double()
    x, y = torch.tensor(ids[:-1])[None], torch.tensor(ids[1:])
    logits, _, _ = model(x, None)
    token_loss = F.cross_entropy(logits[0], y, reduction="none")
    loss = token_loss.mean()
    loss.backward()
    # Bits per character by hand: the total bits over the characters of the predicted tokens (an
    # unknown token counts the characters it hides).
    predicted_chars = sum(len(t) for t in WORD_TOKENS[1:])
    bpc = token_loss.detach().sum().item() / math.log(2) / predicted_chars
    ref = {"loss": loss.detach().reshape(1), "token_loss": token_loss.detach(),
           "bits_per_char": torch.tensor([bpc], dtype=torch.float64)}
    for name, p in model.named_parameters():
        ref["grad." + name] = p.grad.clone()
    doc = dict(cell=cell, embed=E, hidden=H, layers=L, max_vocab=case["cap"], seed=case["seed"], text=WORD_TEXT,
               tokens=WORD_TOKENS, vocab=vocab, ids=ids, predicted_chars=predicted_chars,
               unknown_tokens=sum(1 for t in WORD_TOKENS if t not in index))
    tensors = {"f64." + k: v.detach().to(torch.float64).contiguous() for k, v in ref.items()}
    meta = dict(cell=cell, torch=torch.__version__, generator="tools/gen_fixtures.py")
    return doc, weights, tensors, meta


def write_words(out_dir):
    case = WORD_CASE
    doc, weights, tensors, meta = make_word_case(case)
    name = case["name"]
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        f.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
    save_file(weights, os.path.join(out_dir, name + ".weights.safetensors"),
              metadata={"meta": json.dumps({"cell": case["cell"], "format": "pytorch state_dict"})})
    save_file(tensors, os.path.join(out_dir, name + ".ref.safetensors"), metadata={"meta": json.dumps(meta, sort_keys=True)})
    print(f"{name:22s} {len(WORD_TOKENS)} tokens, V {len(doc['vocab'])} ({doc['unknown_tokens']} unknown), "
          f"loss {tensors['f64.loss'].item():.6f}, {tensors['f64.bits_per_char'].item():.6f} bits per character")


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):  # no stale case survives a rerun
        if f.endswith((".json", ".safetensors")):
            os.remove(os.path.join(out_dir, f))
    for case in CASES:
        doc, weights, tensors, meta, gap, clipped = make_case(case)
        name = case["name"]
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
        save_file(weights, os.path.join(out_dir, name + ".weights.safetensors"),
                  metadata={"meta": json.dumps({"cell": case["cell"], "format": "pytorch state_dict"})})
        save_file(tensors, os.path.join(out_dir, name + ".ref.safetensors"),
                  metadata={"meta": json.dumps(meta, sort_keys=True)})
        fwd = max(v for k, v in gap.items() if not k.startswith("train.step"))
        steps = max((v for k, v in gap.items() if k.startswith("train.step")), default=0.0)
        size = sum(os.path.getsize(os.path.join(out_dir, name + s))
                   for s in (".json", ".weights.safetensors", ".ref.safetensors"))
        extra = ""
        if case["train"]:
            t = case["train"]
            extra = f"  train {t['steps']}x {t['optimizer']} clip {t.get('clip_mode', 'norm')}: clipped {clipped}"
        norms = ", ".join(f"{v:.3f}" for v in tensors["f64.train.grad_norm"].tolist()) if case["train"] else ""
        print(f"{name:22s} {size:8d} B norms [{norms}]  f32-vs-f64 max: forward/grad {fwd:.1e}, params {steps:.1e}{extra}")
    write_diag(out_dir)
    write_words(out_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="regenerate into a temporary directory and compare")
    ap.add_argument("--out", default=OUT, help="output directory (default tests/fixtures)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if not a.check:
        write(a.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        write(tmp)
        names = sorted(os.listdir(tmp))
        _, mismatch, errors = filecmp.cmpfiles(tmp, a.out, names, shallow=False)
        if mismatch or errors:
            sys.exit(f"differs from {a.out}: {mismatch + errors}")
        print(f"{len(names)} files identical to {a.out}")


if __name__ == "__main__":
    main()
