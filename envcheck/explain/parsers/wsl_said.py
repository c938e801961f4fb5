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
_QUESTION = lazy(r"\?|？|\b(?:does|do|can|should|which|whether|if)\b(?!['’]t)", _I)
_NOT = lazy(r"\b(?:instead\s+of|rather\s+than|from|switch\w*|convert\w*|upgrad\w*|"
            r"migrat\w*|mov\w*|chang\w*|set-version|set-default-version)\b", _I)
# Before the name, in its sentence: a WSL 1 left behind ("I previously used WSL1", "I used to run WSL
# 1", "back when I had WSL1"); and, just before it, a denial of it ("not WSL 1", "I'm not using WSL1",
# "I don't use WSL1", "this isn't WSL 1"), in other languages too (Chinese 不是 / 没有用, German kein /
# nicht unter, Spanish and Portuguese no uso / não é, Russian не / не использую). A failure told before
# it ("CUDA is not available on WSL1", "no GPU on WSL1") is no denial of it.
_DENIED_BEFORE = lazy(r"\b(?:no\s+longer|previous\w*|formerly|earlier|used\s+to|back\s+when)\b"
                      r"|(?:\bnot|n't|\bnever)(?:\s+(?:use|using|used|run|running|on|in|under|a|an|the|be|i'?m|am))*\s*$"
                      r"|(?:不是|没有用|没有使用|没用|不用|\bkein\w*|\bnicht(?:\s+(?:unter|mit|auf))?"
                      r"|\b(?:no|não|nao)\s+(?:uso|usa|utilizo|es|é|estoy\s+en|estou\s+(?:no|em)|tengo)"
                      r"|(?<!\w)не(?:\s+(?:на|в|использую))?)\s*$", _I)
# Just after it: Japanese "WSL1ではありません" / "ではない" / "じゃない" (is not WSL 1).
_DENIED_AFTER = lazy(r"^\s*(?:では(?:な|あり)|じゃな)")
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
        start = max((e.end() for e in _END.finditer(line, 0, m.start())), default=0)
        if _DENIED_BEFORE.search(line, start, m.start()) or _DENIED_AFTER.search(line[m.end():]):
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
