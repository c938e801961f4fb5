"""A person reading nvidia-smi's uncorrectable-ECC counter out to us, in any language.

nvidia-smi's table heads its counter column "Volatile Uncorr. ECC" (nvidia-smi's default
view, every driver since R3xx), ``-q`` names it "Volatile → … Uncorrectable"/"DRAM
Uncorrectable", ``--query-gpu`` "ecc.errors.uncorrected.volatile.total"; DCGM "ECC DBE". A
sentence that names one of them and gives a non-zero count ("Volatile Uncorr. ECC on GPU 2
shows 12", "Volatile Uncorr. ECC 第二张卡显示的是 12") says the GPU has had that many
uncorrectable errors. Nothing is read from a zero, "N/A", a question or a condition ("what
does Volatile Uncorr. ECC mean?", "if Uncorr. ECC goes above 0"), nor from numbers that name
a GPU ("GPU 3", "#3", "卡 3").

The count is claimed as the lifetime (aggregate) count, which is never below the volatile
one, at rank ``STATED``: the finding it leads to is "likely", and a pasted table outranks it.
"""

from __future__ import annotations

import re

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted

SOURCE = "statements"
_I = re.IGNORECASE

_COUNTER = re.compile(r"\bvolatile\s+uncorr(?:\.|ected|ectable)?\s*ecc\b|\buncorr\.\s*ecc\b"
                      r"|\becc\.errors\.uncorrected\.(?:volatile|aggregate)\.total\b|\bECC\s+DBE\b", _I)
# A sentence (a line may hold several); a dot inside "Uncorr. ECC" or a field name does not end one.
_SENTENCE = re.compile(r"[^!?;。！？\n]+[!?;。！？]?")
_NOT = re.compile(r"\?|？|\b(?:if|whether|would|could|should|when(?:ever)?)\b|如果|是否|吗|ですか|나요|인가요", _I)
# A count: digits not part of a version/address, not naming a GPU or a line.
# ASCII classes: a CJK particle right after the count ("4로", "是6") is \w but not part of it.
_COUNT = re.compile(r"(?<![0-9A-Za-z_.:#/-])(?<!GPU )(?<!GPU)(?<!card )(?<!卡)(?<!第)(\d{1,6})"
                    r"(?![0-9A-Za-z_.:%/-]|\s*(?:GPUs?|cards?|号|張|张|块|台|번|개|枚))", _I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("uncorr", "ecc dbe"):
        line = lines[i]
        if line.lstrip().startswith("|"):
            continue  # nvidia-smi's own table: its reader reads the cells
        for s in _SENTENCE.findall(line):
            m = _COUNTER.search(s)
            if not m or _NOT.search(s):
                continue
            counts = [int(c) for c in _COUNT.findall(s[m.end():])]
            worst = max(counts, default=0)
            if worst:
                f.gpu(None, i, detail=f"{STATED_DETAIL}: {s.strip()[:160]}", ecc_aggregate_uncorrected=worst)
                return f
    return f
