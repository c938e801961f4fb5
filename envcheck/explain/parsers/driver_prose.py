"""A person saying the NVIDIA driver is too old, in their own words (any language, any layout):
"the msg is that my Nvidia version is too old", "it says my driver is outdated", "驱动太老了",
"드라이버가 너무 오래되었다", "ドライバーが古い", "el controlador de NVIDIA es demasiado antiguo",
"der Treiber ist zu alt". Usually the retelling of torch's "The NVIDIA driver on your system
is too old (found version N)" that the paste does not quote.

A claim (rank ``STATED``) that the driver's CUDA is too low, as a failed
``nvml.cuda_driver_version`` with a detail naming the sentence (``derived/driver_claims.py``);
nvidia-smi's header in the same paste outranks it. A question ("is my driver too old?"), a
denial ("the driver is not too old", "new enough"), a condition ("if the driver is too old")
claims nothing; whether the paste shows a failure at all is the rule's to weigh.
"""

from __future__ import annotations

import re

from envcheck.derived.driver_claims import DRIVER_OLD_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = re.compile(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
# "driver" (or "nvidia version") within a few words before "too old / outdated / not new enough".
_OLD = re.compile(
    r"\b(?:nvidia|gpu|graphics|display|cuda)?\s*driver(?:s|\s+version)?\b[^.!?;\n]{0,40}?"
    r"\b(?:(?:is|was|are|were|being|seems?|looks?)\s+)?(?:(?:too|very|so)\s+)?(?:old|outdated|out\s+of\s+date|"
    r"not\s+new\s+enough|older\s+than\s+(?:required|needed|what))\b"
    r"|\bnvidia\s+version\s+(?:is|was)\s+(?:too\s+)?(?:old|outdated)\b"
    r"|驱动[^。！？\n]{0,8}?(?:太|过|比较|有点)(?:老|旧|低)|驱动版本(?:太|过)低"
    r"|드라이버[가는]?\s*(?:너무\s*)?(?:오래|낮|구버전)"
    r"|ドライバ[ー]?(?:の\s*バージョン)?\s*[がは]\s*古"
    r"|controlador(?:es)?\s+(?:de\s+(?:nvidia|la\s+gpu|video)\s+)?(?:es|est[aá]|son)\s+(?:demasiado\s+|muy\s+)?"
    r"(?:antiguo|viejo|obsoleto|desactualizado)"
    r"|Treiber\s+(?:ist|sind|war)\s+(?:zu\s+|viel\s+zu\s+)?(?:alt|veraltet)", _I)
# A question, a denial, a condition, a driver since replaced: no claim.
_NOT = re.compile(r"\?|？|\b(?:not\s+too|isn't|is\s+not|wasn't|was\s+not|aren't|not\s+(?:the\s+)?(?:problem|issue|cause)|"
                  r"if|whether|unless|even\s+though|new\s+enough|up\s+to\s+date|latest)\b|"
                  r"不是|并不|如果|是否|吗|아니|않|ない|\bno\s+es\b|\bnicht\b", _I)
_NEEDLES = ("driver", "nvidia version", "驱动", "드라이버", "ドライバ", "controlador", "treiber")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing(*_NEEDLES):
        for s in _SENTENCE.findall(lines[i]):
            if _OLD.search(s) and not _NOT.search(s):
                f.fail("nvml.cuda_driver_version", Status.ERROR, i, detail=f"{DRIVER_OLD_DETAIL} ({s.strip()[:160]})")
                return f
    return f
