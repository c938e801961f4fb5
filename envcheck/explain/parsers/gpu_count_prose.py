"""How many GPUs of a model a sentence says the machine has: "2x H100", "4 x A100 80GB",
"8×A100-SXM4-80GB", "two RTX 3090s", "a node with 8 H100s", "dual RTX 4090", "RTX 3090 x2".

freetext reads a model a sentence names as one GPU of that name, and a bare count ("2 GPUs")
as that many GPUs of no name; a count written beside the model ("2x H100") was read as one
H100. Here it is that many GPUs of the model (indices 0..n-1, stated), which is what the rules
that weigh a GPU count read (an index in CUDA_VISIBLE_DEVICES past the last GPU, a collective
on one GPU, a machine of eight).

Only where no tool lists the GPUs (nvidia-smi's table, collect_env's "GPU models and
configuration", "GPU 0: …" lines): a listing says better how many this machine has, and a
sentence beside it often speaks of another machine or of the GPUs a run uses. A question, a
condition or plan ("if I buy 2x A100", "should I rent 4x H100?"), an example ("e.g. 8x A100")
and a comparison ("than 2x 3090") say nothing about this machine. At most 16.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.explain.gpu_names import mentions
from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "GPU count said"
_I = re.IGNORECASE

# "3090s", "H100s": the plural of a model number, read as the model.
_PLURAL = lazy(r"(?<=\d)s\b")
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "ten": 10, "twelve": 12,
          "sixteen": 16, "dual": 2, "quad": 4}
# The count written before the model: "2x ", "4 x ", "8×", "2 * ", "two ", "8 ", "dual ".
# (Chinese, Japanese and Korean count with a measure word: "4 张 A100", "2枚のRTX 3090", "A100 4장" is the after form)
_BEFORE = lazy(r"(?:(?<![\w.])(?P<x>[1-9]\d?)\s*(?:[x×*]|张|块|個|枚|台|대|장)\s*(?:の\s*)?|(?<![\w.,])(?P<n>[1-9]\d?|two|three|four|five|six|seven|eight|ten"
               r"|twelve|sixteen|dual|quad)\s+)(?:nvidia\s+)?(?:geforce\s+)?$", _I)
# …or after it: "RTX 3090 x2", "A100 ×8" (not a memory size: "A100 x 80GB" is no count).
_AFTER = lazy(r"^\s*[x×*]\s*(?P<x>[1-9]\d?)\b(?!\s*(?:gb|gib|tb)\b)", _I)
# A listing by a tool (nvidia-smi's header, collect_env's GPU list, "GPU 0: NAME (UUID: …)").
_LISTED = ("driver version:", "gpu models and configuration", "gpu 0:")
_NOT_THIS = lazy(r"(?:\b(?:if|whether|would|could|should|want|wanted|wish|plan\w*|buy\w*|rent\w*|purchas\w*|recommend\w*"
                 # what a model needs, not what this machine has ("Llama 70B needs 2x A100 80GB")
                 r"|needs?|needed|requir\w*|takes|minimum|at\s+least"
                 r"|such\s+as|for\s+example|than|vs|versus|instead\s+of|not|without|no)\b|\be\.g\.|如果|是否|需要|想|打算|比)"
                 r"[^;!?\n]{0,50}$", _I)
_TOOL_LINE = lazy(r"^\s*(?:\||\+-|\[pip3?\]|\[conda\]|GPU \d+:)")
# The lines worth reading, found in one scan of the lowercased text: a number then a model
# ("2x h100", "8 a100s", "4 x rtx 4090"), a model then a count ("3090 x2"); and the lines
# holding a count word (lines_containing).
_GATE_BEFORE = lazy(r"[1-9]\d?\s*(?:[x×*]\s*|(?:张|块|個|枚|台|대|장)\s*(?:の\s*)?|\s)(?:nvidia\s+|tesla\s+|geforce\s+)?(?:rtx\s+|gtx\s+)?[a-z]{0,2}\d{2,4}")
_GATE_AFTER = lazy(r"\d{2,4}[a-z]?\s*[x×*]\s*[1-9]")
_COUNT_WORDS = ("two ", "three ", "four ", "five ", "six ", "seven ", "eight ", "ten ", "twelve ", "sixteen ", "dual ",
                "quad ")
_DIGIT = lazy(r"\d")


def _count(line: str, words: str, plural: bool) -> Optional[int]:
    at = line.find(words)
    if at < 0:
        return None
    before = _BEFORE.search(line, 0, at)
    if before:
        if before.group("x"):
            return int(before.group("x"))
        n = before.group("n").lower()
        if n.isdigit() and not plural:
            return None  # "8 A100s" is a count; "12 RTX 3090" may be anything
        return int(n) if n.isdigit() else _WORDS[n]
    after = _AFTER.search(line[at + len(words):])
    return int(after.group("x")) if after else None


# The run's GPUs chosen on the same line ("training on 4x A100 with CUDA_VISIBLE_DEVICES=4,5,6,7", "2 of
# the 8 A100s"): the count is of the GPUs the run uses, not of the machine's.
_RUN_CHOSEN = lazy(r"\b(?:out\s+of|of\s+(?:the|our|my)|of\s+\d+)\b", _I)
# CUDA_VISIBLE_DEVICES's value on the line (CUDA's own syntax: indices or UUIDs, comma-separated).
_VISIBLE = lazy(r"CUDA_VISIBLE_DEVICES\s*=\s*[\"']?(?P<v>[\w-]+(?:\s*,\s*[\w-]+)*)", _I)


def _said(line: str) -> Optional[List[Tuple[str, int, str]]]:
    """(GPU name, count, the words) for each counted model a line names (read once per distinct line)."""
    if _TOOL_LINE.match(line) or not _DIGIT.search(line) or _RUN_CHOSEN.search(line):
        return None
    flat = _PLURAL.sub("", line)
    out = []
    for name, words in mentions(flat):
        at = flat.find(words)
        plural = re.search(re.escape(words) + r"s\b", line) is not None
        n = _count(flat, words, plural=plural)
        if n is None or not 2 <= n <= 16:
            continue
        if _NOT_THIS.search(flat, max(0, at - 60), at) or "?" in flat[at:at + 60]:
            continue
        visible = _VISIBLE.search(line)
        if visible and len(visible.group("v").split(",")) == n:
            continue  # "on 4x A100 with CUDA_VISIBLE_DEVICES=4,5,6,7": the GPUs the run was given
        out.append((name, n, f"{n} × {words}"))
    return out or None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if doc.lines_containing(*_LISTED):
        return f
    candidates = sorted(set(doc.lines_with(_GATE_BEFORE, lower=True)) | set(doc.lines_with(_GATE_AFTER, lower=True))
                        | set(doc.lines_containing(*_COUNT_WORDS)))
    said = next(((i, c) for i in candidates for c in [doc.read(_said, doc.lines[i])] if c), None)
    if said is None:
        return f
    i, counted = said
    name, n, words = counted[0]
    for k in range(n):
        f.gpu(k, i, detail=f"{STATED_DETAIL}: {words}", name=name)
    return f
