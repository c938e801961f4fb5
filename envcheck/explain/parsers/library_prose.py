"""A person naming a library clash as the cause, in their own words (any paste, any layout):

* LD_LIBRARY_PATH blamed: "/usr/local/cuda-11.2/lib64 was causing the conflict. Removing it
  from LD_LIBRARY_PATH did solve the issue", "unset LD_LIBRARY_PATH fixed it",
  "LD_LIBRARY_PATH 里的旧 cuda 导致冲突" — a sentence with LD_LIBRARY_PATH and a word of cause or
  fix. Setting it up ("export LD_LIBRARY_PATH=…"), asking about it, or a fix that did not
  help ("removing it from LD_LIBRARY_PATH didn't help") says nothing.
* an NCCL version mismatch: "incompatible cuda and nccl version", "the NCCL versions do not
  match", "NCCL 版本不一致" (inconsistent);
* two copies of one CUDA library clashing: "two copies of libcudnn are loaded in the process", "two
  versions of cuDNN were installed and conflicting", "装了两个版本的cudnn，互相冲突". Two copies or
  versions of a named library (cuDNN, cuBLAS, NCCL, cudart, cuFFT, cuSPARSE) and a word that they
  clash (conflict, clash, interfere, both loaded, mixed; 冲突); having two toolkits installed says
  nothing, nor does a denial ("no conflict"), a question or advice, what may happen in general ("… can
  conflict", "the release notes say …"), or copies kept apart or working ("loaded by different venvs"). A note
  (``derived.library_copies.COPIES_SAID_TO_CLASH``) judged by ``rules/linking.py``.

Each is a claim (rank ``STATED``) on the fact it concerns, with a detail that says the person
named it as the cause (``derived/stated_causes.py``); a tool's output in the paste outranks it.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.library_copies import COPIES_SAID_TO_CLASH
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


_LIB = r"(?:lib)?(?:cudnn|cublas(?:lt)?|nccl|cudart|cufft|cusparse)\w*"
_COPIES = lazy(r"\b(?:two|2|multiple|several|different)\s+(?:\w+\s+)?(?:copies|versions|installs|installations|builds)"
               r"\s+of\s+(?:the\s+)?(?P<a>" + _LIB + r")\b"
               r"|(?:两个|2个|多个|两套|两份)(?:不同)?(?:版本的?|的)?\s*(?P<b>" + _LIB + r")", _I)
_CLASH = lazy(r"\b(?:conflict\w*|clash\w*|interfer\w*|mix(?:ed|ing)(?![\s-]+precision)|both\s+(?:\w+\s+)?(?:loaded|linked|mapped)|"
              r"(?:are|were|got|get|being)\s+loaded|loaded\s+(?:together|twice|at\s+once|in\s+the\s+(?:same\s+)?process))\b"
              r"|冲突|打架|同时加载", _I)
_DENIED = lazy(r"\b(?:no|not|never|without|avoid|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|make\s+sure)\b"
               r"|不|没|避免|是否", _I)

# What may happen in general, as a reference says it ("multiple copies of NCCL loaded in the same
# process can conflict", "the release notes say …"), and copies kept apart or working ("loaded by
# different venvs, which works well", 分别给不同的环境用): no clash told of this machine.
_GENERAL = lazy(r"\b(?:can(?!['’]t|not)|may|might|could|tend\s+to|known\s+to|says?|warns?|docs?|documentation"
                r"|release\s+notes|readme|faq)\b", _I)
_APART = lazy(r"\b(?:different|separate)\s+(?:\w+\s+)?(?:venvs?|envs?|environments?|processes|containers?|machines?)\b"
              r"|\b(?:works?|working|runs?|running)\s+(?:well|fine|great)\b|分别|不同的环境", _I)


def _copies_clash(line: str) -> Optional[Tuple[str, str]]:
    """(the library, the sentence) of the first sentence on ``line`` saying two copies of one CUDA
    library clash, not denied, asked or advised."""
    for s in _SENTENCE.findall(line):
        m = _COPIES.search(s)
        if m and _CLASH.search(s) and not _NOT.search(s) and not _DENIED.search(s) and not _GENERAL.search(s) \
                and not _APART.search(s):
            return (m.group("a") or m.group("b")), s
    return None


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
    hit = doc.first(_copies_clash, "cudnn", "cublas", "nccl", "cudart", "cufft", "cusparse")
    if hit is not None:
        i, (lib, s) = hit
        f.note(f"{COPIES_SAID_TO_CLASH}{lib} — “{' '.join(s.split())[:160]}” (line {i + 1})")
    for i, s in doc.where(_nccl_blamed, "nccl"):
        f.fail("torch.nccl_version", Status.ERROR, i, detail=f"{NCCL_BLAMED_DETAIL} ({s.strip()[:160]})")
    return f
