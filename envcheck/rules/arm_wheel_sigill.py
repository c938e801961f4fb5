"""torch's Linux aarch64 wheels: dying with SIGILL at import on ARMv8.0 CPUs (known_bad_torch_build), and
without CUDA on a Jetson (torch_cpu_only_build: ``jetson_torch_without_cuda`` below).

Several releases' aarch64 wheels were built with instructions that ARMv8.0 cores (the Raspberry
Pi 4's Cortex-A72, AWS a1's Graviton 1, Cortex-A53/A57 boards) lack, and the instruction runs
while torch's libraries load, so ``import torch`` dies before any Python code does:

* 2.0.0: pytorch/pytorch#97226 (Raspberry Pi 4: the CPU index's wheel dies, the manylinux2014
  one works), #100156 (AWS a1.large; 1.13.1 imports);
* the 2.1.0 release candidates: #109312 (a maintainer: "one to one repetition of #97226");
* 2.4.0: #132032 (Raspberry Pi, labelled a regression);
* 2.10.0: #176993 (Raspberry Pi 4; its bundled mimalloc was built with ARMv8.1 LSE atomics,
  fixed for 2.11 by #174401).

Read when the import crash (explain/parsers/torch_import_crash.py, ``torch.import_error``) is
SIGILL and the machine is Linux on aarch64 (``host.arch`` from collect_env, lscpu or a wheel's
platform tag). Not for other signals, nor on macOS (``arm64``: an x86 Python under Rosetta
dying there is another cause), nor when no architecture is known. ``likely``: which release
the text shows is often the one installed after the crash (the reports paste collect_env from
the version that works).
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.torch_arch_said import jetson_build_said, jetson_said
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding

# The crash line's signal, as bash/zsh/fish/CPython's fault handler name SIGILL
# (explain/parsers/torch_import_crash.py cites each printer).
# (and bash under a Chinese or German locale: 非法指令, Ungültiger Maschinenbefehl).
_SIGILL = re.compile(r"illegal (?:hardware )?instruction|\bSIGILL\b|非法指令|Ungültiger Maschinenbefehl", re.IGNORECASE)
ISSUES = ("https://github.com/pytorch/pytorch/issues/97226", "https://github.com/pytorch/pytorch/issues/176993")


def aarch64_wheel_sigill(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    err = f.torch.import_error
    arch = f.host.arch
    if not (err.ok and err.value and _SIGILL.search(str(err.value))):
        return
    if not (arch.ok and str(arch.value).lower() == "aarch64"):
        return
    yield make("known_bad_torch_build",
               "`import torch` died with SIGILL (an illegal instruction) on this aarch64 machine: the Linux aarch64 "
               "wheels of several torch releases (2.0.0, 2.4.0, 2.10.0) use instructions that ARMv8.0 CPUs "
               "(Raspberry Pi 4, AWS a1, Cortex-A53/A57/A72 boards) lack. Install another release "
               "(1.13.1 imported on these machines; 2.11 fixed the 2.10 crash).",
               evidence(("torch.import_error", err), ("host.arch", arch)),
               links=ISSUES, confidence=Confidence.LIKELY)


# NVIDIA's own Jetson builds of torch: "2.1.0a0+41361538.nv23.06", "1.10.0a0+git36449ea.nv21.12"
# (https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform-release-notes/),
# and a source build's "a0" version: CUDA builds whose is_available() False is another cause.
_JETSON_BUILD = re.compile(r"[.+]nv\d|\bl4t\b|a0(?:\+|$)", re.IGNORECASE)  # and JetPack 5's "2.0.0+nv23.05"


def _not_a_jetson(ctx: RuleContext) -> bool:
    """The text shows the failing machine is none: an x86 ``uname -m``, WSL, or Windows (L4T is aarch64 Linux),
    as when a Jetson is named only as a target beside the laptop that fails."""
    h = ctx.facts.host
    if h.arch.ok and h.arch.value and str(h.arch.value).lower() not in ("aarch64", "arm64"):
        return True
    if h.wsl.ok and h.wsl.value and h.wsl.value != "none":  # "wsl1", "wsl2", or "wsl" said in words
        return True
    return h.os_id.ok and str(h.os_id.value or "").lower() == "windows"


def jetson_torch_without_cuda(ctx: RuleContext) -> Iterator[Finding]:
    """A Jetson module (its integrated GPU: kb ``jetson``) where torch is installed and says CUDA is
    unavailable: torch_cpu_only_build. The Linux aarch64 wheels pip takes from PyPI had no CUDA
    (pytorch/pytorch#134790: "PyTorch is built with CUDA support for x86-64 but not for arm64"; the
    CUDA aarch64 wheels added since target SBSA servers, not Tegra's L4T), so on a Jetson only
    NVIDIA's builds for its JetPack reach the GPU
    (https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform/index.html).
    A GPU too old for a build leaves is_available() True and warns, so this is not the GPU's age.
    Not where the build is shown as a CUDA one (torch.version.cuda, NVIDIA's ".nvYY.MM" version,
    a source build's "a0"), nor beside a desktop GPU, whose own build may be the one meant; a CPU
    build the text shows is compat.py's. ``likely``: the wheel's origin is not in the text."""
    tv = ctx.torch_view
    # PyPI's default variant guessed from a bare version is x86's: its CUDA says nothing here
    if tv is not None and (tv.is_cpu or (tv.cuda is not None and not str(tv.cuda.source).startswith(
            "torch_variants table"))):
        return
    if tv is not None and tv.version is not None and _JETSON_BUILD.search(str(tv.version.value)):
        return
    if jetson_build_said(ctx.facts):  # NVIDIA's wheel, its l4t-pytorch container or index named in the text
        return
    if _not_a_jetson(ctx):
        return
    t = ctx.facts.torch
    unavailable = (t.cuda_available.ok and t.cuda_available.value is False) or (
        t.device_count.ok and t.device_count.value == 0)
    gpus = [g for g in ctx.gpus if g.cc]
    if not unavailable:
        return
    rows = [ctx.kb.compute_capability(g.cc) for g in gpus]
    platform = jetson_said(ctx.facts) if not gpus else None  # JetPack, L4T, a -tegra kernel, "my Jetson"
    if not (platform or (gpus and all(r is not None and r.jetson for r in rows))):
        return
    g = gpus[0] if gpus else None
    where = ([(g.cc_source, g.cc)] if g is not None else [("text", platform)])
    yield make("torch_cpu_only_build",
               f"{(g.name if g else None) or 'This machine'} is a Jetson, and torch says CUDA is unavailable on it. The Linux "
               "aarch64 wheels pip installs from PyPI carry no CUDA for a Jetson's GPU: only NVIDIA's PyTorch builds "
               "for this JetPack release (or its jetson-containers images) use it. A GPU too old for a build would "
               "still report CUDA available and warn. Install NVIDIA's wheel for this JetPack.",
               evidence(*where, ("torch.cuda_available", t.cuda_available if t.cuda_available.ok else t.device_count))
               + ([(tv.version.source, tv.version)] if tv is not None and tv.version is not None else []),
               gpu=g.index if g is not None else None, links=("https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform/"
                                   "index.html",), confidence=Confidence.LIKELY)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (aarch64_wheel_sigill, jetson_torch_without_cuda)
