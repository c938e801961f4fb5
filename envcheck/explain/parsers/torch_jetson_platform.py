"""The machine said or shown to be a Jetson without its module named: "On my Jetson, …", JetPack and
L4T releases ("JetPack 5.1 (L4T 35.3.1)", "Jetpack 6.2 [L4T 36.4.3]", "R32 (release), REVISION: 7.1"
from /etc/nv_tegra_release), a kernel built for Tegra ("5.15.148-tegra", "4.9.253-tegra": L4T's kernel
release suffix, uname -r / -a), jtop's "Jetson" header.

A Jetson's GPU is reached only by PyTorch builds made for its JetPack (NVIDIA's wheels); the aarch64
wheels pip takes from PyPI have no CUDA for it. ``rules/arm_wheel_sigill.jetson_torch_without_cuda``
reads this note beside torch saying CUDA is unavailable, as it reads a Jetson module named (the GPU
tables' ``jetson`` rows). A note, the line quoted: the rule's finding is "likely".

Not from a question ("does PyTorch run on a Jetson?"), a plan or a condition ("I will deploy to a
Jetson later", "if you are on a Jetson …"), another machine ("my Jetson works, my PC does not"), nor
a sentence that names a desktop machine as the one failing.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.torch_arch_said import JETSON_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# "jetson" (with or without its module), JetPack / L4T with a release, a Tegra kernel release, and
# /etc/nv_tegra_release's first line ("# R32 (release), REVISION: 7.1").
_JETSON = lazy(r"\bjetson\b|\bjet\s?pack\s*v?\d|\bL4T\b\s*(?:r|v)?\s*\d|\b\d+\.\d+\.\d+-tegra\b"
               r"|#\s*R\d{2}\s+\(release\),\s*REVISION", _I)
# Not this machine now: a plan, a condition, a deployment target, or a sentence about a desktop or
# another machine besides it.
_PLAN = lazy(r"\b(?:will|going\s+to|plan\w*|later|eventually|deploy\w*\s+(?:to|on)|target\w*|if|whether|unless"
             r"|for\s+example|e\.g\.|such\s+as|like\s+a)\b", _I)
_ELSEWHERE = lazy(r"\b(?:desktop|laptop|my\s+pc|workstation|server|x86|windows|my\s+other|another)\b"
                  # the Jetson said to work: the failure is another machine's ("My Jetson works fine; on my laptop …")
                  r"|\bworks?\b|\bworking\b|\bfine\b|\bno\s+(?:problem|issue)s?\b", _I)
_NEEDLES = ("jetson", "jetpack", "jet pack", "l4t", "tegra")


def _said(line: str) -> Optional[re.Match]:
    if len(line) > 600:
        return None
    for m in _JETSON.finditer(line):
        sentence = sentence_around(line, m.start(), m.end())
        if asked(line, m.end(), clause=False) or _PLAN.search(sentence) or _ELSEWHERE.search(sentence):
            continue
        if general_statement(line, m.start(), m.end()) or not_here_now(line, m.start(), m.end()):
            continue
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_said, *_NEEDLES, ignorecase=True)
    if hit is not None:
        i = hit[0]
        f.note(f"{JETSON_SAID}“{' '.join(doc.lines[i].split())[:160]}” (line {i + 1})")
    return f
