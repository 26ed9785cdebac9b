#!/usr/bin/env python3
"""`scripts/test torch`: the same run carried from the engine to PyTorch (tools/train_torch.py) and
back, on the CPU.

  python3 tests/torch/roundtrip.py --python VENV/bin/python --cli target/release/rnn-playground

For each case (the four optimizers, the three clipping modes, the three cells, one and two layers,
a learning-rate decay; and a word model on the README's text, whose tokens the script gets from the
engine's `tokenize`): the command-line tool trains 10 steps on the engine's `brackets` task and
writes a checkpoint; from it the engine and PyTorch each take 20 steps, and their losses and
gradient norms must agree within 1e-4 relative (measured: losses within 7e-7, gradient norms within
3e-5; two f32 implementations of the same arithmetic, with other summation orders and exp, over
20 steps); the
command-line tool then continues PyTorch's checkpoint as PyTorch continues it (within 1e-4), and the
page's engine (www/pkg, as its worker loads files) resumes it exactly where it stopped. torchrun
--nproc_per_node 2 (gloo) gives the single process's losses within 1e-5 (measured 3e-7: the two
ranks' gradients are summed in another order, as the engine's workers' are). A fresh model from a
settings link (its text= too) and from a JSON config train, and the tool resumes them. The
script's defaults are the engine's table's and every link version's.

Prints `ok - NAME` or `not ok - NAME: why` per check, then `# pass N` and `# fail M`.
"""

import argparse
import base64
import json
import math
import os
import subprocess
import sys
import tempfile
import traceback
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "tools", "train_torch.py")
TASK, SEED = "brackets", 2

CASES = {
    "lstm-adam-norm": dict(cell="lstm", layers=1, hidden=48, embed=16, seq_len=32, batch=8, optimizer="adam", lr=5e-3, clip_mode="norm", clip=0.5),
    "gru2-sgd-value": dict(cell="gru", layers=2, hidden=32, embed=8, seq_len=16, batch=6, optimizer="sgd", lr=0.3, momentum=0.9, clip_mode="value", clip=0.01),
    "rnn-rmsprop-none": dict(cell="rnn", layers=1, hidden=40, embed=8, seq_len=24, batch=8, optimizer="rmsprop", lr=2e-3, clip_mode="none"),
    "lstm2-adagrad-decay": dict(cell="lstm", layers=2, hidden=24, embed=8, seq_len=16, batch=4, optimizer="adagrad", lr=0.05, lr_decay=0.5, lr_decay_every=7),
}


class Check:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, name, fn):
        try:
            fn()
            self.passed += 1
            print(f"ok - {name}", flush=True)
        except Exception as e:  # noqa: BLE001
            self.failed += 1
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print(f"not ok - {name}: {detail}", flush=True)


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f]


def close(a, b, rtol, what):
    assert len(a) == len(b) and a, f"{what}: {len(a)} vs {len(b)} steps"
    for x, y in zip(a, b):
        assert x["step"] == y["step"], f"{what}: step {x['step']} vs {y['step']}"
        for key in ("loss", "grad_norm"):
            err = abs(x[key] - y[key]) / max(abs(y[key]), 1e-12)
            assert err <= rtol, f"{what}: step {x['step']} {key} {x[key]} vs {y[key]} ({err:.2e} > {rtol:g})"


def flags(settings):
    out = []
    for k, v in settings.items():
        out += [f"--{k.replace('_', '-')}", str(v)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True, help="a Python with torch and safetensors")
    ap.add_argument("--cli", required=True, help="the release build of rnn-playground")
    ap.add_argument("--node", default="node")
    a = ap.parse_args()
    py, cli, node = a.python, a.cli, a.node
    torchrun = os.path.join(os.path.dirname(py), "torchrun")
    tmp = tempfile.mkdtemp(prefix="rnn-playground-torch-")
    path = lambda name: os.path.join(tmp, name)  # noqa: E731
    check = Check()
    torch_env = dict(os.environ, OMP_NUM_THREADS="1")

    def torch(*args):
        return run([py, SCRIPT, "--threads", "1", "--log-every", "0", *args], env=torch_env)

    def engine_train(*args):
        return run([cli, "train", "--val-every", "0", "--sample-every", "0", "--quiet", *args])

    with open(path("train.txt"), "w", encoding="utf-8") as f:
        f.write(run([cli, "task", TASK, "--seed", str(SEED)]).stdout)
    with open(path("val.txt"), "w", encoding="utf-8") as f:
        f.write(run([cli, "task", TASK, "--seed", str(SEED), "--split", "val"]).stdout)
    texts = ["--corpus", path("train.txt"), "--val", path("val.txt")]

    def defaults():
        sys.path.insert(0, os.path.dirname(SCRIPT))
        import train_torch  # noqa: PLC0415

        got = json.loads(run([node, os.path.join(ROOT, "tests/torch/page_engine.mjs"), "links"]).stdout)
        table = {s["name"]: s["default"] for s in got["settings"] if s["group"] in ("model", "train")}
        assert train_torch.DEFAULTS == table, f"tools/train_torch.py DEFAULTS {train_torch.DEFAULTS} != the engine's {table}"
        versions = sorted(int(v) for v in got["LINK_DEFAULTS"])
        assert tuple(versions) == train_torch.LINK_VERSIONS, f"link versions {versions} vs the script's {train_torch.LINK_VERSIONS}"
        for v, d in got["LINK_DEFAULTS"].items():
            for k, x in d.items():
                if k in table:
                    assert x == train_torch.DEFAULTS[k], f"link version {v}: {k} = {x}, the script reads {train_torch.DEFAULTS[k]}"

    check("the script's defaults are the engine's table's and every link version's", defaults)

    for name, settings in CASES.items():
        start, e_log, t_log = path(f"{name}.e.safetensors"), path(f"{name}.e.jsonl"), path(f"{name}.t.jsonl")
        t_ckpt = path(f"{name}.t.ckpt.safetensors")

        def torch_matches_engine():
            engine_train("--task", TASK, "--seed", str(SEED), *flags(settings), "--steps", "10", "--threads", "1", "--out", start)
            ckpt = start.replace(".safetensors", ".ckpt.safetensors")
            engine_train("--resume", ckpt, "--steps", "20", "--out", path(f"{name}.e2.safetensors"), "--log-steps", e_log)
            torch("--from", ckpt, *texts, "--steps", "20", "--out", t_ckpt, "--log-steps", t_log)
            close(lines(t_log), lines(e_log), 1e-4, f"{name}: PyTorch against the engine")

        def engine_continues_torch():
            ckpt2, tool_log, torch_log = path(f"{name}.c.safetensors"), path(f"{name}.c.jsonl"), path(f"{name}.t2.jsonl")
            p = engine_train("--resume", t_ckpt, "--steps", "5", "--out", ckpt2, "--log-steps", tool_log)
            assert "other text" not in p.stderr, p.stderr
            torch("--from", t_ckpt, *texts, "--steps", "5", "--out", path(f"{name}.t2.ckpt.safetensors"), "--log-steps", torch_log)
            got = lines(tool_log)
            assert got[0]["step"] == 31, f"the tool went on from step {got[0]['step']}, not 31"
            close(got, lines(torch_log), 1e-4, f"{name}: the tool on PyTorch's checkpoint")

        def page_loads_torch():
            r = json.loads(run([node, os.path.join(ROOT, "tests/torch/page_engine.mjs"), "load", t_ckpt, "--task", TASK, str(SEED)]).stdout)
            assert r["resumed"] and r["step"] == 30, r
            assert all(math.isfinite(x) for x in r["losses"]), r
            first = lines(path(f"{name}.t2.jsonl"))[0]["loss"]
            assert abs(r["losses"][0] - first) <= 1e-4 * first, f"the page's engine's next loss {r['losses'][0]} vs PyTorch's {first}"

        check(f"{name}: PyTorch takes the engine's steps", torch_matches_engine)
        check(f"{name}: the command-line tool continues PyTorch's checkpoint", engine_continues_torch)
        check(f"{name}: the page's engine resumes PyTorch's checkpoint", page_loads_torch)

    def torchrun_matches_one_process():
        name = "lstm-adam-norm"
        ckpt = path(f"{name}.e.ckpt.safetensors")
        d_ckpt, d_log = path("ddp.ckpt.safetensors"), path("ddp.jsonl")
        run([torchrun, "--nproc_per_node", "2", "--master-port", str(29500 + os.getpid() % 1000), SCRIPT, "--threads", "1", "--log-every", "0",
             "--from", ckpt, *texts, "--steps", "20", "--out", d_ckpt, "--log-steps", d_log], env=torch_env)
        close(lines(d_log), lines(path(f"{name}.t.jsonl")), 1e-5, "torchrun 2 ranks against one process")
        r = json.loads(run([node, os.path.join(ROOT, "tests/torch/page_engine.mjs"), "load", d_ckpt, "--task", TASK, str(SEED)]).stdout)
        assert r["resumed"] and r["step"] == 30 and r["workers"] == 2, r
        p = engine_train("--resume", d_ckpt, "--steps", "2", "--out", path("ddp.c.safetensors"))
        assert "2 threads (the checkpoint's" in p.stderr and "other text" not in p.stderr, p.stderr

    check("torchrun --nproc_per_node 2 (gloo) gives one process's losses; the checkpoint records 2", torchrun_matches_one_process)

    # A word model: the script cuts its text with the engine's own tokenizer (--cli).
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        words_text = f.read()[:40000]
    with open(path("words.txt"), "w", encoding="utf-8") as f:
        f.write(words_text)
    words = dict(tokens="words", max_vocab=600, hidden=32, embed=16, seq_len=16, batch=4, lr=5e-3)

    def torch_matches_engine_on_words():
        start, e_log, t_log = path("words.e.safetensors"), path("words.e.jsonl"), path("words.t.jsonl")
        engine_train(path("words.txt"), *flags(words), "--steps", "10", "--threads", "1", "--out", start)
        ckpt = start.replace(".safetensors", ".ckpt.safetensors")
        engine_train(path("words.txt"), "--resume", ckpt, "--steps", "20", "--out", path("words.e2.safetensors"), "--log-steps", e_log)
        t_ckpt = path("words.t.ckpt.safetensors")
        torch("--from", ckpt, "--corpus", path("words.txt"), "--cli", cli, "--steps", "20", "--out", t_ckpt, "--log-steps", t_log)
        close(lines(t_log), lines(e_log), 1e-4, "words: PyTorch against the engine")
        # The tool continues PyTorch's word checkpoint on the same text, and the page's engine loads it.
        p = engine_train(path("words.txt"), "--resume", t_ckpt, "--steps", "2", "--out", path("words.c.safetensors"))
        assert "other text" not in p.stderr and json.loads(p.stdout)["steps"] == 32 and json.loads(p.stdout)["tokens"] == "words", p.stdout + p.stderr
        r = json.loads(run([node, os.path.join(ROOT, "tests/torch/page_engine.mjs"), "load", t_ckpt, "--corpus", path("words.txt")]).stdout)
        assert r["resumed"] and r["step"] == 30 and all(math.isfinite(x) for x in r["losses"]), r

    check("words: PyTorch takes the engine's steps on a word model, and the tool and the page continue its checkpoint", torch_matches_engine_on_words)

    def fresh_from_link():
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            text = f.read()[:3000]
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        param = base64.urlsafe_b64encode(z.compress(text.encode()) + z.flush()).decode().rstrip("=")
        link = f"https://example.org/rnn-playground/index.html#v=2&cell=gru&hidden=24&embed=8&seq_len=16&batch=4&lr=0.01&views=loss&text={param}"
        ckpt, log = path("link.ckpt.safetensors"), path("link.jsonl")
        torch("--link", link, "--steps", "40", "--out", ckpt, "--log-steps", log)
        got = lines(log)
        v = len(set(text)) + 1
        assert abs(got[0]["loss"] - math.log(v)) < 0.5, f"first loss {got[0]['loss']} vs ln V {math.log(v)}"
        assert got[-1]["loss"] < got[0]["loss"] - 0.5, f"{got[0]['loss']} -> {got[-1]['loss']}"
        # The checkpoint carries the link's text: the tool resumes it with no corpus given.
        p = engine_train("--resume", ckpt, "--steps", "3", "--out", path("link.c.safetensors"))
        assert "other text" not in p.stderr and json.loads(p.stdout)["steps"] == 43, p.stdout + p.stderr

    check("a settings link (and its text) starts a fresh model the tool resumes", fresh_from_link)

    def fresh_from_config():
        cfg = path("cfg.json")
        with open(cfg, "w") as f:
            json.dump({"cell": "rnn", "hidden": 16, "embed": 4, "seq_len": 8, "batch": 2, "optimizer": "sgd", "lr": 0.1, "init": "orthogonal"}, f)
        ckpt = path("cfg.ckpt.safetensors")
        torch("--config", cfg, *texts, "--steps", "3", "--out", ckpt)
        p = engine_train("--task", TASK, "--seed", str(SEED), "--resume", ckpt, "--steps", "2", "--out", path("cfg.c.safetensors"))
        assert "other text" not in p.stderr and json.loads(p.stdout)["steps"] == 5, p.stdout + p.stderr

    check("a JSON config starts a fresh model the tool resumes", fresh_from_config)

    def bad_input():
        with open(path("not-a-model.safetensors"), "w") as f:
            f.write("hello")
        for args, want in [
            (["--from", path("not-a-model.safetensors"), *texts], "not a readable safetensors file"),
            (["--from", path("lstm-adam-norm.e.ckpt.safetensors")], "write its texts with `rnn-playground task brackets"),
            (["--link", "https://x/#v=9"], "version"),
            (["--config", path("cfg.json"), "--corpus", "/nonexistent"], "No such file"),
        ]:
            p = subprocess.run([py, SCRIPT, *args], capture_output=True, text=True, env=torch_env)
            err = p.stderr.strip().splitlines()
            assert p.returncode == 2 and len(err) == 1 and err[0].startswith("error: ") and want in err[0], f"{args}: {p.returncode} {p.stderr}"

    check("bad input is one line and exit code 2", bad_input)

    print(f"# pass {check.passed}")
    print(f"# fail {check.failed}")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
