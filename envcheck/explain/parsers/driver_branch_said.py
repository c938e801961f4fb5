"""A person naming the driver by its branch alone: "the version of the driver is 525", "my
driver is 470", "driver version 535", "the 550 driver", "nvidia driver 525".

Full versions ("driver version is 525.85.12") are freetext's; a branch is only three digits,
so it is kept apart (``derived/driver_branch.py``): a failed ``nvml.driver_version`` reading
below every real one, whose detail holds the branch. Not read: a driver someone should install
or moved to ("need driver 525", "upgraded to the 535 driver", "install nvidia-driver-550"), a
question, another machine's driver, a package name ("nvidia-driver-525"), and a text naming
two different branches (a change).
"""

from __future__ import annotations

import re

from envcheck.derived.driver_branch import BRANCH_SAID_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

# "driver is 525", "driver version: 470", "version of the driver is 525", "driver 535", "the
# 550 driver"; the number not part of a longer one (a full version "525.85.12", "5250") nor of a
# package or path name ("nvidia-driver-525", "driver-525").
_BRANCH = lazy(
    r"(?<![\w-])(?:nvidia\s+)?driver(?:'s)?(?:\s+version)?\s*(?:is|:|=|of|was)?\s*(?:r|version\s+)?(?P<a>\d{3})(?![\w-])(?!\.\d)"
    r"|\bversion\s+of\s+(?:the\s+|my\s+)?(?:nvidia\s+)?driver\s+(?:is|was|:)\s*(?P<b>\d{3})(?![\w-])(?!\.\d)"
    r"|(?<![\w.-])(?P<c>\d{3})\s+(?:nvidia\s+)?driver\b", _I)
# What a driver should be, not what this one is ("need driver 525", "upgraded to the 535 driver").
_WANTED = lazy(r"\b(?:need\w*|requir\w*|install\w*|upgrad\w*|updat\w*|download\w*|newer|latest|recommend\w*|"
               r"switch\w*|to|least|above|minimum|min)\b|>=?", _I)
# What a document or table says a branch is good for, not this machine's ("the docs say the 525 driver
# is enough for CUDA 12.0", "according to the table, driver 470 supports 11.4").
_DOCUMENTED = lazy(r"\b(?:docs?|documentation|according\s+to|readme|table|matrix|release\s+notes|nvidia\s+says"
                   r"|enough|sufficient|compatible\s+with)\b", _I)
_QUESTION = lazy(r"\?|？|\b(?:does|do|can|should|which|whether|if)\b", _I)
_OTHER_MACHINE = lazy(r"\b(?:old|older|previous|former|other|another|last|second|friend'?s|colleague'?s)\b", _I)
_END = lazy(r"[.!?;。！？](?=\s|$)")


def _sentence(line: str, start: int, end: int) -> str:
    ends = [m.end() for m in _END.finditer(line)]
    first = max((e for e in ends if e <= start), default=0)
    last = min((e for e in ends if e >= end), default=len(line))
    return line[first:last]


def _branches(line: str):
    """The branches ``line`` names for this machine's driver, each with the words naming it."""
    if "|" in line:
        return ()  # a table's row: nvidia-smi's, read by its parser
    out = []
    for m in _BRANCH.finditer(line):
        branch = m.group("a") or m.group("b") or m.group("c")
        if not 300 <= int(branch) <= 999:  # CUDA-era driver branches
            continue
        before = line[max(0, m.start() - 30):m.start()]
        if _WANTED.search(before) or _WANTED.search(m.group(0)) or _OTHER_MACHINE.search(before) \
                or _QUESTION.search(_sentence(line, m.start(), m.end())) \
                or _DOCUMENTED.search(_sentence(line, m.start(), m.end())):
            continue
        out.append((branch, m.group(0).strip()))
    return tuple(out)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    said = {}
    # each distinct line is read once (a long log repeats its lines; Pasted.where)
    for i, branches in doc.where(_branches, "driver", ignorecase=True):
        for branch, words in branches:
            said.setdefault(branch, (i, words))
    if len(said) != 1:
        return f  # none, or a change from one branch to another
    (branch, (i, words)), = said.items()
    f.fail("nvml.driver_version", Status.UNKNOWN, i, rank=STATED - 1,
           detail=f"{BRANCH_SAID_DETAIL} {branch} ({words[:80]})")
    return f
