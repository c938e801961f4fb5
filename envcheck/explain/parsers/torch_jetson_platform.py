"""The machine said or shown to be a Jetson without its module named: "On my Jetson, …", JetPack and
L4T releases ("JetPack 5.1 (L4T 35.3.1)", "Jetpack 6.2 [L4T 36.4.3]", "R32 (release), REVISION: 7.1"
from /etc/nv_tegra_release), a kernel built for Tegra ("5.15.148-tegra", "4.9.253-tegra": L4T's kernel
release suffix, uname -r / -a), jtop's "Jetson" header.

A Jetson's GPU is reached only by PyTorch builds made for its JetPack (NVIDIA's wheels); the aarch64
wheels pip takes from PyPI have no CUDA for it. ``rules/arm_wheel_sigill.jetson_torch_without_cuda``
reads this note beside torch saying CUDA is unavailable, as it reads a Jetson module named (the GPU
tables' ``jetson`` rows). A note, the line quoted: the rule's finding is "likely".

NVIDIA's own Jetson build of torch named in the text (a "+nv23.05" / ".nv23.06" wheel, an l4t-pytorch
container, NVIDIA's JetPack wheel index, "NVIDIA's wheel") is a second note
(``derived.torch_arch_said.JETSON_BUILD_SAID``): that torch is a CUDA build, and the rule stays silent.

Not from a question ("does PyTorch run on a Jetson?"), a denial ("this is not a Jetson", "unlike a
Jetson"), Jetsons in general ("on Jetson devices …", "Jetson users: …"), the x86 host that flashes one
(SDK Manager), a Raspberry Pi, a plan or a condition ("I will deploy to a
Jetson later", "if you are on a Jetson …"), another machine ("my Jetson works, my PC does not"), nor
a sentence that names a desktop machine as the one failing.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.torch_arch_said import JETSON_BUILD_SAID, JETSON_SAID
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
                  # the PC that flashes a Jetson (NVIDIA SDK Manager runs on an x86 Ubuntu host), or a board
                  # that is not one ("I followed the Jetson tutorial on my Raspberry Pi")
                  r"|\bflash\w*|\bsdk\s?manager\b|\bhost\s+(?:pc|machine|computer)\b|\braspberry\s*pi\b|\brpi\d?\b"
                  # the Jetson said to work: the failure is another machine's ("My Jetson works fine; on my laptop …")
                  r"|\bworks?\b|\bworking\b|\bfine\b|\bno\s+(?:problem|issue)s?\b", _I)
_NEEDLES = ("jetson", "jetpack", "jet pack", "l4t", "tegra")
# Denied or set aside just before the name: "this is not a Jetson", "unlike a Jetson", "instead of my Jetson".
_DENIED = lazy(r"(?:\bnot|n't|\bnever|\bunlike|\binstead\s+of|\brather\s+than|\bbesides|\bapart\s+from)\s+"
               r"(?:(?:an?|the|my|our|any)\s+)?(?:nvidia\s+)?$", _I)

# Jetsons in general, not this one: "on Jetson devices …", "Jetson users: …", "Jetsons ship …".
_PLURAL = lazy(r"(?:s\b|\s+(?:devices|boards|modules|platforms|users|owners|kits|family|series|products)\b)", _I)

# NVIDIA's own Jetson builds of torch named in the text: a wheel with NVIDIA's local version ("torch-2.0.0+nv23.05-
# cp38-cp38-linux_aarch64.whl", "2.1.0a0+41361538.nv23.06": the JetPack wheels' names in
# https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform-release-notes/), NVIDIA's
# L4T PyTorch containers ("nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3", jetson-containers' "dustynv/l4t-pytorch",
# "l4t-ml"), NVIDIA's wheel index for JetPack (developer.download.nvidia.com/compute/redist/jp/…) and the
# jetson-ai-lab pip index jetson-containers publishes. Such a torch is a CUDA build: is_available() False is
# another cause (the container run without NVIDIA's runtime, the user outside the video group).
_NV_BUILD = lazy(r"[+.]nv\d{2}\.\d{2}\b|\bl4t-(?:pytorch|ml)\b|/compute/redist/jp/|\bjetson-ai-lab\b"
                 r"|\bnvidia['’]?s\s+(?:own\s+)?(?:jetson\s+|jetpack\s+)?(?:pytorch\s+|torch\s+)?(?:wheel|whl|build)s?\b", _I)
# A build not taken: "I did not use NVIDIA's wheel", "should I try the l4t-pytorch container?", "instead of NVIDIA's build".
_NOT_TAKEN = lazy(r"\b(?:should|try|trying|recommend\w*|suggest\w*|instead|rather|without|could|would)\b"
                  r"|(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+){0,3}?(?:nvidia|l4t|the|a|an|from)\b", _I)
_NV_NEEDLES = ("+nv", ".nv1", ".nv2", ".nv3", "l4t-", "/redist/jp", "jetson-ai-lab", "nvidia's", "nvidia’s", "nvidias")


def _said(line: str) -> Optional[re.Match]:
    if len(line) > 600:
        return None
    for m in _JETSON.finditer(line):
        sentence = sentence_around(line, m.start(), m.end())
        if _DENIED.search(line[max(0, m.start() - 30):m.start()]) or _PLURAL.match(line, m.end()):
            continue
        if asked(line, m.end(), clause=False) or _PLAN.search(sentence) or _ELSEWHERE.search(sentence):
            continue
        if general_statement(line, m.start(), m.end()) or not_here_now(line, m.start(), m.end()):
            continue
        return m
    return None


def _build_said(line: str) -> Optional[re.Match]:
    if len(line) > 600:
        return None
    for m in _NV_BUILD.finditer(line):
        if asked(line, m.end(), clause=False) or _NOT_TAKEN.search(sentence_around(line, m.start(), m.end())):
            continue
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_said, *_NEEDLES, ignorecase=True)
    if hit is not None:
        i = hit[0]
        f.note(f"{JETSON_SAID}“{' '.join(doc.lines[i].split())[:160]}” (line {i + 1})")
    build = doc.first(_build_said, *_NV_NEEDLES, ignorecase=True)
    if build is not None:
        f.note(f"{JETSON_BUILD_SAID}“{' '.join(doc.lines[build[0]].split())[:160]}” (line {build[0] + 1})")
    return f
