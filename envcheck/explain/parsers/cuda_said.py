"""A person naming the machine's CUDA version in their own words: "CUDA version: 10.0",
"my cuda is 11.2", "cuda 10.1, torch 1.7.1", "CUDA版本是10.2", "CUDA 버전은 11.2",
"CUDAのバージョンは11.4", "versión de CUDA 11.2", "CUDA-Version 11.4".

Which CUDA that is (nvidia-smi's header, the driver's; nvcc's, the toolkit's) the sentence does
not say, so it is never the driver's CUDA reading: it is a failed ``nvml.cuda_driver_version``
(rank below ``STATED``) whose detail carries the number (``derived/driver_claims.py``); any
tool's reading, and driver_prose's "the driver is too old", outrank it. Only
``rules/driver_claims.py`` reads it, beside a failure and a PyTorch whose CUDA is known.

Nothing is claimed where the number is another thing's CUDA: a PyTorch build's ("torch 2.1
with CUDA 11.8", "built with CUDA", "pytorch-cuda=11.8", "+cu118"), an image's
("nvidia/cuda:11.8.0-…"), a package's ("cuda-toolkit-12-4", "cudatoolkit=11.3"); nor where the
text names two different CUDA versions this way (a change, a comparison), nor in a question.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

from envcheck.derived.driver_claims import CUDA_SAID_DETAIL
from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

# "CUDA" (not part of a longer name: "pytorch-cuda", "nvidia/cuda:", "cuda_12.4", "CUDA_HOME"),
# then optionally "version"/"版本"/"버전"/"バージョン" and a verb or colon, then X.Y.
_SAID = lazy(
    # "CUDA7.5", "cuda11.3" (the release run into the word; round 28)
    r"(?<![A-Za-z0-9_/=:.+-])(?:(?:my|the|our|system|installed|local)\s+)?cuda(?![A-Za-z_/=.+-]|\d+(?![.\d]))"
    r"(?:\s*(?:の|的)?\s*(?:version|ver\.?|版本(?:号)?|버전|バージョン|-version)\s*(?:は|은|는|이|号)?)?"
    r"\s*(?:is|=|:|：|是|为|為|of)?\s*v?(?P<v>\d{1,2}\.\d)(?:\.\d{1,3})?(?![\d.]*\d)(?!\s*(?:toolkit|sdk)\b)"
    r"|versi[oó]n\s+de\s+cuda\s*(?:es\s+)?(?::\s*)?v?(?P<es>\d{1,2}\.\d)(?:\.\d{1,3})?(?![\d.]*\d)", _I)
# The number is a PyTorch build's or a package's, by what comes just before it on the line.
_OTHERS = lazy(r"(?:torch|built|compiled|for|wheel|pip|conda|install\w*|cudatoolkit|tensorflow|jax|"
               r"paddle|onnxruntime|cupy|\+cu\d+|requires?|needs?|supports?|upgrad\w*|downgrad\w*|switch\w*|"
               r"instead|from|to)\W*(?:\w+\W+){0,2}$", _I)
# "with CUDA X" is a build's or a package's when one is named just before ("torch 1.10 with CUDA 11.3",
# "a docker image with cuda 11.8"), the machine's otherwise ("an Nvidia P6000 GPU with Cuda 10.1",
# "Ubuntu 20.04 with CUDA 11.3"; round 28).
_WITH_OTHER = lazy(r"(?:torch|tensorflow|\btf|jax|paddle|mxnet|onnxruntime|cupy|wheel|build|compiled|package|image|container|"
                   r"docker|env\w*|\+cu\d+)\S*(?:\s+\S+){0,2}?\s+with\W*(?:\w+\W+){0,2}$", _I)
_WITH = lazy(r"\bwith\W*(?:\w+\W+){0,2}$", _I)
# "with CUDA X" in a sentence about another setup: the one a project was tested on, its authors' or README's
# ("The README says the code was tested on a V100 with CUDA 10.1"; review of round 28).
_WITH_ELSEWHERE = lazy(r"\b(?:tested|verified|developed|authors?|paper|readme|docs?|documentation|official\w*|requirements?"
                       r"|recommended|original|their|his|her|colleague\w*|friend\w*)\b"
                       r"|测试|作者|论文", _I)
# nvidia-smi's header without its frame ("Driver Version: 535.54.03   CUDA Version: 12.2") and the
# key rows of `nvidia-smi -q` / `--version` ("CUDA Version                              : 12.2"):
# tools pad the key before the colon, people do not.
_TOOL_ROW = lazy(r"Driver Version|^\s*CUDA Version\s+:", _I)
_QUESTION = lazy(r"\?|？|\b(?:does|do|can|should|which|whether|if)\b|吗|么|是否|까요|ですか", _I)
_NEEDLES = ("cuda",)

# The number retold with the tool that printed it: "nvidia-smi shows CUDA Version 11.4" (the
# header's CUDA: the driver's), "nvcc -V says release 11.8" / "nvcc is 12.4" (the toolkit's);
# "显示", "표시", "表示" for "shows".
_SHOWS = r"(?:\s*(?:--version|-V))?\s*(?:shows?|says?|reports?|gives?|displays?|prints?|is|:|显示(?:的是)?|显示为|에서|表示)?\s*"
_TOOL_SAID = (
    (lazy(r"\bnvidia-smi" + _SHOWS + r"(?:(?:the\s+)?cuda\s*(?:version|版本|버전)?\s*(?:is|:|=|是|为)?\s*)v?"
          r"(?P<v>\d{1,2}\.\d)(?![\d.]*\d)", _I), "nvml.cuda_driver_version", "nvidia-smi's CUDA (the driver's)"),
    # A person giving the driver's own CUDA: "my driver supports CUDA 11.4", "the driver only supports up to
    # CUDA 11.4", "driver's CUDA version is 11.4" (nvidia-smi's header, retold); "the CUDA driver is version
    # 550.54.15 supporting CUDA Toolkit 12.4", "the installed driver is compatible with CUDA 12.4" (round 26:
    # the driver's own version may stand between, its dots inside the number).
    (lazy(r"\bdriver(?:'s)?\b(?:[^.;\n]|\.(?=\d)){0,40}?(?:\bsupport(?:s|ing)?\s+(?:up\s+to\s+|at\s+most\s+)?"
          r"|\bcompatible\s+with\s+|\bcuda\s+version\s+is\s+|"
          r"\bmax(?:imum)?\s+(?:supported\s+)?)(?:cuda\s*(?:tool\s?kit\s*)?(?:version\s*)?)?v?"
          r"(?P<v>\d{1,2}\.\d)(?![\d.]*\d)", _I), "nvml.cuda_driver_version", "the driver's CUDA"),
    (lazy(r"\bnvcc" + _SHOWS + r"(?:(?:cuda\s*(?:compilation\s+tools,?\s*)?)?(?:release|version|版本|버전)?\s*(?:is|:|=)?\s*)v?"
          r"(?P<v>\d{1,2}\.\d)(?![\d.]*\d)", _I), "toolkit.nvcc_version", "nvcc's CUDA (the toolkit's)"),
)


_END = lazy(r"[.!?;。！？](?=\s|$)")


def _sentence(line: str, start: int, end: int) -> str:
    """The sentence of ``line`` that holds ``start``..``end`` ("torch.cuda" is no sentence end)."""
    ends = [m.end() for m in _END.finditer(line)]
    first = max((e for e in ends if e <= start), default=0)
    last = min((e for e in ends if e >= end), default=len(line))
    return line[first:last]


# Per form of _TOOL_SAID, groups of words of which its line holds one each (lower case).
_TOOL_NEEDLES = ((("nvidia-smi",),), (("driver",), ("support", "cuda version is", "max", "compatible")), (("nvcc",),))
# What a driver should support, not what this one does: "you need a driver that supports CUDA 12.1"
# ("the installed driver supports …" is this one's).
_WANTED_DRIVER = lazy(r"\b(?:need\w*|requir\w*|install(?!ed\b)\w*|upgrad\w*|updat\w*|download\w*|newer|latest|get)\b"
                      r"|\bdriver\s+(?:that|which)\b", _I)


# The driver's own version, then another clause, between "driver" and the CUDA number: "the
# driver is 525 and the cuda version is 12.1" gives two things (the driver, then a CUDA not said
# to be its); "driver 470 supports CUDA 11.4" gives one.
_DRIVER_NUMBER = lazy(r"(?<![\d.])\d{3}(?:\.\d{1,3}){0,2}(?![\d.])\s*(?:,|;|&|\band\b|\bwith\b)", re.IGNORECASE)


# Another machine's driver, not this one's: "my old laptop's driver only supports up to CUDA 10.2".
_OTHER_MACHINE = lazy(r"\b(?:old|older|previous|former|other|another|last|second|friend'?s|colleague'?s)\b", _I)


def _tools_said(doc: Pasted, f: Found) -> None:
    said: Dict[str, list] = {}
    seen = set()
    for i in doc.lines_containing("nvidia-smi", "nvcc", "driver"):
        line = doc.lines[i]
        if "|" in line or line in seen:
            continue  # a table's row; a log repeats its lines, each distinct one is read once
        seen.add(line)
        low = line.lower()
        for (pattern, path, what), needles in zip(_TOOL_SAID, _TOOL_NEEDLES):
            if not all(any(n in low for n in group) for group in needles):
                continue  # the words each form cannot match without (a substring test is cheaper)
            m = pattern.search(line)
            if m and what == "the driver's CUDA" and _WANTED_DRIVER.search(line[max(0, m.start() - 30):m.end()]):
                continue  # the words just before it want a driver ("you need a driver that supports …")
            if m and what == "the driver's CUDA" and _DRIVER_NUMBER.search(line, m.start(), m.start("v")):
                continue  # "driver is 525 and the cuda version is 12.1": the driver's version, then a CUDA
            if m and what == "the driver's CUDA" and _OTHER_MACHINE.search(_sentence(line, m.start(), m.end()),
                                                                          0, m.start() - _start(line, m.start())):
                continue  # another machine's driver
            if m and not _QUESTION.search(_sentence(line, m.start(), m.end())):
                said.setdefault(path, []).append((m.group("v"), i, f"{STATED_DETAIL}: {what} ({m.group(0).strip()[:60]})"))
    for path, values in said.items():
        if len({v for v, _, _ in values}) == 1:  # two values told for one machine: neither is judged
            v, i, detail = values[0]
            f.set(path, v, i, detail=detail)


def _start(line: str, at: int) -> int:
    """Where the sentence of ``line`` holding ``at`` starts (:func:`_sentence`'s first character)."""
    return max((m.end() for m in _END.finditer(line) if m.end() <= at), default=0)


def _versions(line: str) -> Tuple[Tuple[str, str], ...]:
    """The CUDA versions ``line`` says in a person's words, each with the words that say it."""
    if "|" in line or _TOOL_ROW.search(line):  # the tools' own rows are their parsers' to read
        return ()
    out = []
    for m in _SAID.finditer(line):
        before = line[max(0, m.start() - 40):m.start()]
        if _OTHERS.search(before) or _QUESTION.search(_sentence(line, m.start(), m.end())):
            continue
        if _WITH.search(before) and (_WITH_OTHER.search(line[max(0, m.start() - 60):m.start()])
                                     or _WITH_ELSEWHERE.search(_sentence(line, m.start(), m.end()))):
            continue
        out.append((m.group("v") or m.group("es"), m.group(0).strip()))
    return tuple(out)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _tools_said(doc, f)
    said = {}
    # "cuda" is on most lines of a long log, which repeats its lines: each distinct line is read
    # once, and only the copies of those saying a version are visited (Pasted.where).
    for i, versions in doc.where(_versions, *_NEEDLES):
        for version, words in versions:
            said.setdefault(version, (i, words))
    if len(said) != 1 or any(c.path == "nvml.cuda_driver_version" for c in f.claims):
        return f  # none, or several (a change, a comparison), or nvidia-smi's said above
    (version, (i, words)), = said.items()
    f.fail("nvml.cuda_driver_version", Status.UNKNOWN, i, rank=STATED - 1,
           detail=f"{CUDA_SAID_DETAIL} {version} ({words[:80]})")
    return f
