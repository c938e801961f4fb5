"""Benchmark: `envcheck explain` on the largest input it accepts, and on the diagnosis corpus.

Generated inputs, each just under the 4 MiB limit (``explain.source.MAX_BYTES``):

* ``paste``: what a long issue holds — collect_env, nvidia-smi, pip list, a traceback with
  upstream messages, loader errors, install logs, prose — then a training log in which
  those turn up again every few hundred lines;
* ``dense``: the report blocks back to back, every line something explain reads (a stress
  test: 85,000 claims);
* ``colour``: the dense text with colour codes around every word, window titles (OSC ended
  by BEL and by ST), hyperlinks, and a 200 KB run of unterminated ``ESC ]`` (which took 13 s
  with the old stripping pattern);
* ``one-line``: 4 MiB without a newline (words and messages; lines are cut at MAX_LINE);
* ``near-miss``: every catalogued message's first words without the rest, repeated.

Then every case of ``tests/corpus/diagnosis/cases`` (the development half only) and, when
present, ``../shared/realcases``. Each input goes the whole way: bytes → normalised text →
parsers → facts → rules → rendered text report. Prints the best of ``--runs`` times.

Usage: python benchmarks/explain_speed.py [--runs N] [--stages]
"""

from __future__ import annotations

import argparse
import gc
import glob
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envcheck.errors import EnvcheckError  # noqa: E402
from envcheck.explain import diagnose, source  # noqa: E402
from envcheck.knowledge import messages  # noqa: E402
from envcheck.report import render  # noqa: E402

LIMIT = source.MAX_BYTES - 4096

BLOCK = """\
Collecting environment information...
PyTorch version: 2.4.1+cu124
Is debug build: False
CUDA used to build PyTorch: 12.4
OS: Ubuntu 22.04.4 LTS (x86_64)
Python version: 3.11.{n} (main, Apr 19 2024, 16:48:06) [GCC 11.2.0] (64-bit runtime)
Is CUDA available: False
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 3090
Nvidia driver version: 535.{n}.03
[pip3] torch==2.4.1
[pip3] nvidia-cudnn-cu12==9.1.0.70
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.{n}.03             Driver Version: 535.{n}.03     CUDA Version: 12.2     |
|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0  On |                  N/A |
|  30%   45C    P8             20W /  350W |     {n}MiB /  24576MiB |      0%      Default |
/opt/venv/lib/python3.11/site-packages/torch/cuda/__init__.py:128: UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 12020). Please update your GPU driver
Traceback (most recent call last):
  File "/home/user{n}/train.py", line {n}, in <module>
    model.cuda()
RuntimeError: CUDA error: no kernel image is available for execution on the device
ImportError: /usr/local/cuda/lib64/libcudnn_cnn_train.so.8: undefined symbol: _ZN5cudnn3cnn5inferEv, version libcudnn_cnn_infer.so.8
  Downloading torch-2.4.1-cp311-cp311-manylinux1_x86_64.whl (797.1 MB)
>>> torch.cuda.is_available()
False
docker run -it --rm pytorch/pytorch:2.4.1-cuda12.4-cudnn9-runtime bash
I use torch 2.4 with CUDA 12.4 on a RTX 3090 inside a docker container, step {n} loss 0.{n}
我的显卡是3090，驱动版本 535.{n}.03

"""


LOG_LINE = ("2025-03-{d:02d} 12:{m:02d}:{s:02d} | INFO | epoch {e} step {n}/12000 loss={loss:.4f} lr=3.0e-04 "
            "grad_norm={g:.3f} throughput={t} samples/s gpu_mem=21{n3:03d}MiB\n")


def paste() -> str:
    """A long issue: the report blocks once, then a training log of 4 MiB in which a warning,
    a traceback with upstream messages and a REPL check turn up every few hundred lines."""
    parts, size, n = [BLOCK.replace("{n}", "1")], 0, 0
    while size < LIMIT:
        if n % 400 == 399:
            line = BLOCK.replace("{n}", str(n % 997))
        else:
            line = LOG_LINE.format(d=1 + n % 28, m=n % 60, s=(n * 7) % 60, e=n // 12000, n=n % 12000,
                                   loss=1 / (1 + n % 977), g=(n % 131) / 7, t=900 + n % 101, n3=n % 1000)
        parts.append(line)
        size += len(line.encode())
        n += 1
    return "".join(parts)


def dense() -> str:
    """Every line something explain reads: the report blocks back to back."""
    parts, size, n = [], 0, 0
    while size < LIMIT:
        block = BLOCK.replace("{n}", str(n % 997))
        parts.append(block)
        size += len(block.encode())
        n += 1
    return "".join(parts)


def colour() -> str:
    words = dense().split(" ")
    out, size = [], 0
    for i, w in enumerate(words):
        piece = f"\x1b[1;3{i % 8}m{w}\x1b[0m "
        if i % 500 == 0:
            piece += "\x1b]0;user@host: ~/work\x07\x1b]2;title\x1b\\\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\ "
        out.append(piece)
        size += len(piece.encode())
        if size > LIMIT - 210_000:
            break
    return "".join(out) + "\x1b]" * 100_000


def one_line() -> str:
    text = dense().replace("\n", " ")
    return text.encode()[:LIMIT].decode(errors="ignore")


def near_miss() -> str:
    heads = []
    for m in messages.catalogue().messages:
        for example in m.examples:
            words = example.split()
            heads.append(" ".join(words[: max(1, len(words) // 3)]))
    block = "\n".join(heads) + "\n"
    # cut in bytes: the catalogue's examples hold Chinese, Korean and Japanese (characters are not bytes)
    return (block * (LIMIT // len(block.encode()) + 1)).encode()[:LIMIT].decode(errors="ignore")


def run_once(data: bytes) -> Tuple[float, float, str]:
    """Wall and CPU seconds (the machine is shared: CPU time is what explain itself costs)."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        explanation, report = diagnose(source.from_bytes(data, "input"), collected_at="2026-01-01T00:00:00+00:00")
        render(report, "text", colour=False, unicode=True)
        what = f"{len(explanation.recognised)} kinds, {len(report.findings)} findings"
    except EnvcheckError as exc:
        what = f"refused: {exc}"
    return time.perf_counter() - t0, time.process_time() - c0, what


def best(data: bytes, runs: int) -> Tuple[float, float, str]:
    results = [run_once(data) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results), results[-1][2]


def stages(data: bytes) -> List[Tuple[str, float]]:
    """CPU seconds of each step of explain on one input (what to optimise, and whose it is)."""
    from envcheck import snapshot
    from envcheck.explain import PARSERS
    from envcheck.explain.assemble import assemble
    from envcheck.rules import evaluate

    out = []
    clock = time.process_time
    gc.disable()  # as explain() does while its parsers and the assembler run
    try:
        t = clock()
        doc = source.from_bytes(data, "input")
        out.append(("source.normalise", clock() - t))
        t = clock()
        doc.lower, doc.distinct, doc.words  # what the first parser to search would pay for
        out.append(("source.lower+distinct+words", clock() - t))
        t = clock()
        doc.messages
        out.append(("knowledge.messages.match", clock() - t))
        found = []
        for parse in PARSERS:
            t = clock()
            found.append(parse(doc))
            out.append((f"parsers.{parse.__module__.rsplit('.', 1)[-1]}", clock() - t))
        t = clock()
        facts = snapshot.drop_secrets(assemble(found))
        out.append(("assemble + drop_secrets", clock() - t))
    finally:
        gc.enable()
    t = clock()
    evaluate(facts)
    out.append(("rules", clock() - t))
    return out


def corpus() -> List[Tuple[str, bytes]]:
    out = []
    for path in sorted(glob.glob(str(ROOT / "tests/corpus/diagnosis/cases/*.json"))):
        out.append((Path(path).name, json.loads(Path(path).read_text())["text"].encode()))
    for path in sorted(glob.glob(str(ROOT.parent / "shared/realcases/case_*.json"))):
        doc = json.loads(Path(path).read_text())
        text = doc.get("text") or doc.get("input") or doc.get("paste")
        if isinstance(text, str):
            out.append((Path(path).name, text.encode()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", action="store_true", help="also print each step's CPU time per input")
    args = parser.parse_args()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average: {', '.join(f'{x:.2f}' for x in load) if load else 'unknown'}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; best of {args.runs}")
    diagnose(source.normalise("RuntimeError: No CUDA GPUs are available"), collected_at="x")  # load tables once

    generated: List[Tuple[str, Callable[[], str]]] = [
        ("paste", paste), ("dense", dense), ("colour", colour), ("one-line", one_line), ("near-miss", near_miss)]
    print(f"\n{'input':<12} {'MiB':>5} {'wall s':>7} {'CPU s':>6}  result")
    for name, make in generated:
        data = make().encode()
        wall, cpu, what = best(data, args.runs)
        flag = "" if wall < 2 else "  (wall over 2 s)"
        print(f"{name:<12} {len(data) / 2**20:5.2f} {wall:7.2f} {cpu:6.2f}  {what}{flag}")
        if args.stages:
            steps = stages(data)
            print("             " + ", ".join(f"{step} {seconds:.2f}" for step, seconds in steps if seconds >= 0.05))

    cases = corpus()
    if cases:
        times = [(best(data, args.runs)[0], name) for name, data in cases]
        total = sum(t for t, _ in times)
        slowest = max(times)
        print(f"\ncorpus: {len(cases)} cases, {total:.2f} s in all, median "
              f"{sorted(t for t, _ in times)[len(times) // 2] * 1000:.0f} ms, slowest {slowest[0] * 1000:.0f} ms "
              f"({slowest[1]})")


if __name__ == "__main__":
    main()
