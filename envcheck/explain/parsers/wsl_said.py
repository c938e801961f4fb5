"""A person saying which WSL runs the Linux: "I'm using Windows with WSL1", "on WSL 1", "WSL
version: 1", a bug template's ticked box "- [x] WSL 1".

freetext reads "WSL" alone as WSL of an unknown version; the number, where the person gives 1,
is ``host.wsl = "wsl1"`` as their claim, just above freetext's (rank ``STATED + 1``): a
kernel release (``microsoft-standard-WSL2``, ``-Microsoft``) or ``wsl -l -v`` (system.py)
outranks it. Not read: a text that also names WSL 2 (a change, a comparison: "moved from WSL1
to WSL2", "WSL 1 or 2?"), a box left empty ("- [ ] WSL 1"), a question, a negation, and words
of changing ("switch / convert / upgrade from WSL 1").
"""

from __future__ import annotations

import re

from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# "WSL1", "WSL 1", "WSL version 1", "WSL version: 1", "WSL-1"; not "WSL 1.0.3.0" (the WSL
# app's own release, printed by `wsl --version`), nor "WSL 10".
_ONE = lazy(r"\bWSL\s*(?:-|version\s*:?\s*)?1(?!\d)(?!\.\d)", _I)
_TWO = lazy(r"\bWSL\s*(?:-|version\s*:?\s*)?2(?!\d)(?!\.\d)|microsoft-standard-WSL2", _I)
_EMPTY_BOX = lazy(r"^\s*[-*]?\s*\[\s\]")
_TICKED_BOX = lazy(r"^\s*[-*]?\s*\[[xX✓✔]\]")
_QUESTION = lazy(r"\?|？|\b(?:does|do|can|should|which|whether|if)\b", _I)
_NOT = lazy(r"\b(?:not|no\s+longer|never|instead\s+of|rather\s+than|from|switch\w*|convert\w*|upgrad\w*|"
            r"migrat\w*|mov\w*|chang\w*|set-version|set-default-version)\b", _I)
_END = lazy(r"[.!?;。！？](?=\s|$)")


def _sentence(line: str, start: int, end: int) -> str:
    ends = [m.end() for m in _END.finditer(line)]
    first = max((e for e in ends if e <= start), default=0)
    last = min((e for e in ends if e >= end), default=len(line))
    return line[first:last]


def _ones(line: str):
    if _EMPTY_BOX.match(line):
        return ()
    out = []
    for m in _ONE.finditer(line):
        sentence = _sentence(line, m.start(), m.end())
        if not _TICKED_BOX.match(line) and (_QUESTION.search(sentence) or _NOT.search(sentence)):
            continue
        out.append(m.group(0))
    return tuple(out)


def _twos(line: str) -> bool:
    return not _EMPTY_BOX.match(line) and bool(_TWO.search(line))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    ones = doc.where(_ones, "wsl", ignorecase=True)
    if not ones or doc.where(_twos, "wsl", ignorecase=True):
        return f  # none, or WSL 2 named too: which one runs is not said
    i, words = ones[0]
    f.set("host.wsl", "wsl1", i, rank=STATED + 1, detail=f"{STATED_DETAIL}: WSL 1 ({words[0]})")
    return f
