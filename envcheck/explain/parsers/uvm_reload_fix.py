"""Reloading nvidia_uvm told as what brought CUDA back.

``rmmod nvidia_uvm`` (or ``modprobe -r nvidia_uvm``) followed by ``modprobe nvidia_uvm``
unloads a module that was loaded and loads it again: the commands (kmod's rmmod/modprobe) are
the known workaround for nvidia_uvm left broken by a suspend and resume
(https://github.com/pop-os/default-settings/pull/64, ollama's docs/gpu.md "Laptop Suspend
Resume"). A person telling that running them fixed the run ("sudo rmmod nvidia_uvm / sudo
modprobe nvidia_uvm … ollama is running at full speed now", "reloading nvidia_uvm fixed it")
tells that CUDA had failed with the module loaded and broken, not missing (loading a missing
module needs no rmmod).

The unload and the load within a few lines of each other, and a result told after them (on
their line or the next few): it works, it is fixed, it runs on the GPU again. An attempt told
as failing ("rmmod: ERROR: Module nvidia_uvm is in use", "didn't help", "still slow"), a
question, or advice with no result claims nothing. The claim is torch.cuda_available false
(stated) with a detail rules/kernel_signals.py reads (:data:`UVM_RELOAD_FIXED`).
"""

from __future__ import annotations

import re
from typing import List, Optional

from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import clause_start
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "nvidia_uvm reload told"
_I = re.IGNORECASE

# rules/kernel_signals.py keeps its own copy (rules do not import the explain layer).
UVM_RELOAD_FIXED = "reloading nvidia_uvm (rmmod, then modprobe) fixed it"

# kmod's commands: rmmod MODULE, modprobe -r MODULE, modprobe MODULE; the module is nvidia_uvm
# (modprobe also takes nvidia-uvm).
_UNLOAD = lazy(r"\b(?:rmmod(?:\s+-f)?|modprobe\s+(?:-r|--remove))\s+nvidia[_-]uvm\b", _I)
_LOAD = lazy(r"\bmodprobe\s+(?!-r\b|--remove\b)nvidia[_-]uvm\b", _I)
_WORKED = lazy(r"\b(?:it\s+)?(?:works?|worked|working\s+(?:again|now|fine)|fixe[sd]|solved|resolved|did\s+the\s+trick"
               r"|helped|back\s+to\s+normal|running\s+(?:at\s+full\s+speed|on\s+(?:the\s+)?gpu|fine|again|normally))\b"
               r"|解决|好了|正常了|恢复"
               # German, Spanish/Portuguese, Russian, Japanese, Korean: "funktioniert wieder", "funciona de nuevo",
               # "снова работает", "動くようになった", "작동합니다" (their denials are _NOT_WORKED's)
               r"|\bfunktioniert\b|\bfunciona\b|работает|заработал\w*|動(?:いた|く|きました|くようになり)|작동(?:합니다|했|해요|한다)", _I)
_NOT_WORKED = lazy(r"\bin\s+use\b|\brmmod:\s+error|\b(?:didn'?t|did\s+not|doesn'?t|does\s+not|won'?t|not)\s+(?:work|help|fix)"
                   r"|\bstill\b|\bno\s+luck\b|\bsame\s+(?:error|problem|issue)\b|\bonly\s+silenced\b|\bslower\b"
                   r"|\bnot\s+(?:able|possible)\b|\bcan'?t\b|\bcannot\b|没用|不行|还是|仍然|\?|？"
                   r"|\bnicht\b|\bimmer\s+noch\b|\bno\s+funciona|\bnão\s+funciona|\bне\s+(?:работает|помог)|\bвсё\s+ещё"
                   r"|動かない|動きません|않|안\s*됨|안\s*돼", _I)
# Advice or a condition, not a result: "if CUDA stops after suspend, run rmmod …, that fixes it", "this
# should fix it", "it will work again", "you can try …".
_ADVICE = lazy(r"\b(?:if|whenever|should|will|would|could|may|might|you\s+can|try|tip|suggest\w*|recommend\w*)\b|'ll\b"
               r"|如果|的话|建议|可以试", _I)
# The reload said to change nothing, or another step told between it and the result ("… did not
# change anything. Then I reinstalled the driver and it works"): the result is not the reload's.
_NO_CHANGE = lazy(r"\b(?:did\s*n[o']t|does\s*n[o']t|did\s+not|does\s+not)\s+(?:change|do)\b|\bnothing\s+changed\b"
                  r"|\bno\s+(?:change|effect|difference)\b|\bthen\s+i\b|\b(?:after|by)\s+(?:re)?(?:install\w*|boot\w*)\b"
                  r"|\brebooted\b|\breinstall\w*", _I)
_WINDOW = 4  # lines between the unload and the load
_AFTER = 6   # lines after the load that may tell the result


def _reload_at(doc: Pasted, lines: List[str]) -> Optional[int]:
    """The line of a load that follows an unload of nvidia_uvm, or None."""
    unloads = [i for i in doc.lines_containing("nvidia_uvm", "nvidia-uvm") if doc.search(_UNLOAD, lines[i])]
    for i in unloads:
        for j in range(i, min(len(lines), i + _WINDOW + 1)):
            line = lines[j] if j > i else lines[i][doc.search(_UNLOAD, lines[i]).end():]
            if _LOAD.search(line):
                return j
    return None


def _unload_line(doc: Pasted, lines: List[str], at: int) -> str:
    """The line of the unload the load at ``at`` follows (the advice may be told there: "if …, run rmmod …")."""
    for j in range(at, max(-1, at - _WINDOW - 1), -1):
        if doc.search(_UNLOAD, lines[j]):
            return lines[j]
    return ""


# The result told first, the commands after it as what did it: "… things worked for me again. So for
# me it was just:" then the commands in a block of their own. Only the line just above the unload
# (code fences aside), ending in a colon that introduces them; a time before ("worked until …") or a
# denial ("nothing worked, so I ran:") is not it.
_FENCE = lazy(r"^\s*(?:```|~~~)\S*\s*$")
_UNTIL = lazy(r"\b(?:until|before|used\s+to|nothing|none|no(?:thing)?\s+else)\b", _I)


def _told_before(doc: Pasted, lines: List[str], at: int) -> Optional["re.Match[str]"]:
    unload = next((j for j in range(at, max(-1, at - _WINDOW - 1), -1) if doc.search(_UNLOAD, lines[j])), None)
    if unload is None:
        return None
    j = unload - 1
    while j >= 0 and unload - j <= 3 and (not lines[j].strip() or _FENCE.match(lines[j])):
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith(":"):
        return None
    line = lines[j]
    m = None
    for m in _WORKED.finditer(line):
        pass  # the last result told on the line
    if m is None:
        return None
    # from the sentence that tells the result to the colon: earlier sentences tell what was tried
    start = clause_start(line, m.start())
    span = line[start:]
    if _NOT_WORKED.search(span) or _ADVICE.search(span) or _NO_CHANGE.search(span) or _UNTIL.search(span):
        return None
    return m


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    at = _reload_at(doc, lines)
    if at is None:
        return f
    told = lines[at:min(len(lines), at + _AFTER + 1)]
    if any(_NOT_WORKED.search(t) for t in told):
        return f
    before = _told_before(doc, lines, at)
    if before is not None:
        f.set("torch.cuda_available", False, at, detail=f"{STATED_DETAIL}: {UVM_RELOAD_FIXED} ({before.group(0)})")
        return f
    for k, t in enumerate(told):
        m = _WORKED.search(t)
        if m:
            # the words from the reload to the result: advice, or the result of another step
            between = " ".join(list(told[:k]) + [t[:m.end()]])
            if _ADVICE.search(between) or _ADVICE.search(_unload_line(doc, lines, at)) or _NO_CHANGE.search(between):
                break
            f.set("torch.cuda_available", False, at + k, detail=f"{STATED_DETAIL}: {UVM_RELOAD_FIXED} ({m.group(0)})")
            break
    return f
