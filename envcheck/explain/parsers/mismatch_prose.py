"""A person saying the NVIDIA kernel module and the user-space driver differ, in their own words:
"the driver and library versions don't match", "kernel module version doesn't match the driver",
"驱动和库版本不一致", "驱动版本不匹配", "드라이버와 라이브러리 버전이 맞지 않", "ドライバとライブラリの
バージョンが一致しない" — most often NVML's "Driver/library version mismatch" retold. What fixed it
("a reboot after the update fixed it") is not read: that is the thread's ending, not the machine a
paste sent for help shows.

The claim is a failed ``driver.userspace_library_version`` (rank below ``STATED``) whose detail
says so (``derived/driver_claims.py``); a package row or NVML's own message outranks it, and only
``rules/driver_versions.py`` reads it, as likely. A question, a denial ("versions match", "not a
mismatch"), a condition claims nothing.
"""

from __future__ import annotations

import re

from envcheck.derived.driver_claims import MISMATCH_SAID_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = lazy(r"[^.!?。！？\n]+[.!?。！？]?")
_DIFFER = lazy(
    r"\b(?:nvidia\s+)?(?:driver|kernel\s+module|nvidia\.ko|module)\s*(?:and|/|&|vs\.?|with)\s*(?:the\s+)?(?:user[\s-]?space\s+)?"
    r"(?:librar(?:y|ies)|libs?|nvml|driver|user[\s-]?space(?:\s+driver)?)\s+(?:versions?\s+)?"
    r"(?:(?:do(?:es)?\s*n[o']t|did\s*n[o']t)\s+match|mismatch(?:ed)?|(?:are|were)\s+(?:out\s+of\s+sync|different))"
    r"|\bkernel\s+module\s+(?:version\s+)?(?:does\s*n[o']t|did\s*n[o']t)\s+match\s+(?:the\s+)?(?:driver|librar)"
    r"|驱动(?:程序)?(?:和|与|跟|/)?(?:动态)?库?(?:的)?版本?不(?:一致|匹配)|(?:内核模块|内核驱动)(?:和|与|跟)?[^。\n]{0,10}版本不(?:一致|匹配)"
    r"|드라이버\s*(?:와|/|랑)?\s*라이브러리\s*(?:의\s*)?버전\s*(?:이|가)?\s*(?:맞지\s*않|불일치|다르)"
    r"|ドライバ(?:ー)?\s*(?:と|/)\s*ライブラリ\s*の?\s*バージョン\s*(?:が|は)?\s*(?:一致しない|合わない|違)", _I)
_NOT = lazy(r"\?|？|\b(?:if|whether|not\s+(?:a|the)\s+mismatch|no\s+mismatch|(?:do|does)\s+match|same\s+version|"
                  r"without|didn't\s+help|did\s+not\s+help|still)\b|如果|是否|吗|(?<!不)一致的|没有不|不是|仍然|还是不", _I)
_NEEDLES = ("match", "mismatch", "sync", "different", "不一致", "不匹配", "버전", "バージョン")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        for s in _SENTENCE.findall(doc.lines[i]):
            m = _DIFFER.search(s)
            if m and not _NOT.search(s):
                f.fail("driver.userspace_library_version", Status.UNKNOWN, i, rank=STATED - 1,
                       detail=f"{MISMATCH_SAID_DETAIL} ({s.strip()[:160]})")
                return f
    return f
