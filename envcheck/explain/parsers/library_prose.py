"""A person naming a library clash as the cause, in their own words (any paste, any layout):

* LD_LIBRARY_PATH blamed: "/usr/local/cuda-11.2/lib64 was causing the conflict. Removing it
  from LD_LIBRARY_PATH did solve the issue", "unset LD_LIBRARY_PATH fixed it",
  "LD_LIBRARY_PATH 里的旧 cuda 导致冲突" — a sentence with LD_LIBRARY_PATH and a word of cause or
  fix. Setting it up ("export LD_LIBRARY_PATH=…"), asking about it, or a fix that did not
  help ("removing it from LD_LIBRARY_PATH didn't help") says nothing.
* an NCCL version mismatch: "incompatible cuda and nccl version", "the NCCL versions do not
  match", "NCCL 版本不一致" (inconsistent).

Each is a claim (rank ``STATED``) on the fact it concerns, with a detail that says the person
named it as the cause (``derived/stated_causes.py``); a tool's output in the paste outranks it.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.stated_causes import LD_BLAMED_DETAIL, NCCL_BLAMED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

# One sentence with its end mark (a line may hold several): split at . ! ? ; and the CJK stops;
# a dot inside a path or version ("cuda-11.2/lib64") does not end one.
_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
_CAUSE = lazy(r"\b(?:conflict\w*|caus(?:e|es|ed|ing)|culprit|the\s+(?:problem|issue|reason)|"
                    r"(?:fix|fixes|fixed|solve[sd]?|resolve[sd]?)\b|unset(?:ting)?|remov(?:e|ed|ing)|drop(?:ped|ping)?|"
                    r"clear(?:ed|ing)?|works?\s+now|now\s+works?)|冲突|导致|解决|去掉|删掉|删除|移除", _I)
# A fix that did not help, a question, a plan: no claim.
_NOT = lazy(r"\b(?:didn't|did\s+not|doesn't|does\s+not|not\s+help\w*|no\s+luck|still|won't|tried|try|"
                  r"should|could|would|whether|if)\b|没用|没有用|还是|仍然|\?|？", _I)
_LD = lazy(r"\bLD_LIBRARY_PATH\b")
# The fix was to put a directory on the path: the library was missing, nothing clashed.
_ADDED = lazy(r"\b(?:add(?:s|ed|ing)?|append(?:s|ed|ing)?|prepend(?:s|ed|ing)?)\b[^;!?\n]{0,160}?"
                    r"\b(?:to|in|into)\s+(?:the\s+|my\s+|your\s+)?`?LD_LIBRARY_PATH"
                    r"|(?:添加|加入|加到|加上)[^。；]{0,60}LD_LIBRARY_PATH", _I)
_DIR = lazy(r"(?<![\w$])(/[\w.+-]+(?:/[\w.+-]+)*)")
_CUDAISH = lazy(r"cuda|cudnn|nvidia|nccl|tensorrt", _I)
_NCCL = lazy(r"\b(?:incompatible|mismatch\w*|wrong|different|conflicting)\s+(?:cuda\s+and\s+)?nccl"
                   r"(?:\s+library)?\s+versions?\b"
                   r"|\bnccl(?:\s+library)?\s+versions?\s+(?:mismatch\w*|(?:is|are)\s+(?:incompatible|different|"
                   r"not\s+compatible)|(?:do|does)\s+not\s+match|don't\s+match|doesn't\s+match|conflict\w*)"
                   r"|\bnccl\s*版本\s*(?:不匹配|不一致|冲突|不兼容)", _I)


def _ld_blamed(line: str) -> Optional[Tuple[Tuple[str, ...], str]]:
    """(the CUDA-ish directories, the sentence) of the first sentence on ``line`` blaming
    LD_LIBRARY_PATH; None when none does (read once per distinct line: Pasted.where)."""
    for s in _SENTENCE.findall(line):
        if not _LD.search(s) or not _CAUSE.search(s) or _NOT.search(s) or _ADDED.search(s) or "export " in s \
                or "=" in s:
            continue
        return tuple(d for d in _DIR.findall(s) if _CUDAISH.search(d)), s
    return None


def _nccl_blamed(line: str) -> Optional[str]:
    """The first sentence on ``line`` telling NCCL versions mismatch, not denied."""
    for s in _SENTENCE.findall(line):
        if _NCCL.search(s) and not _NOT.search(s):
            return s
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, (dirs, s) in doc.where(_ld_blamed, "ld_library_path"):
        f.set("toolkit.ld_library_path", dirs, i, detail=f"{LD_BLAMED_DETAIL} ({s.strip()[:160]})")
    for i, s in doc.where(_nccl_blamed, "nccl"):
        f.fail("torch.nccl_version", Status.ERROR, i, detail=f"{NCCL_BLAMED_DETAIL} ({s.strip()[:160]})")
    return f
