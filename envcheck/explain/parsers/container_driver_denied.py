"""The text saying no NVIDIA driver goes into the image (``derived/image_driver_denied``).

A Dockerfile comment ("# we do NOT install nvidia-driver here", "# never install cuda-drivers in this
image"), a person's denial ("I did not install the nvidia driver in the image", "we don't install the
NVIDIA driver in our Dockerfile") or the advice they quote ("Do not install the driver inside the
container": NVIDIA's container toolkit docs say so, and a person who quotes it follows it). People's
words, not a tool's output: read where a line names a driver and a negation.

Not about the host ("we don't install the driver on the host, the GPU operator does"), not a question
("do I not need to install the driver in the image?"), not a condition ("if you don't install the driver
…"), and not "the CUDA toolkit is not installed" (no driver named).
"""

from __future__ import annotations

import re

from envcheck.derived.image_driver_denied import IMAGE_DRIVER_DENIED
from envcheck.explain.partial import Found
from envcheck.explain.sentences import asked, clause_start
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE
# The driver by name or package: "the driver", "the NVIDIA driver", "nvidia-driver(-550)", "cuda-drivers",
# "GPU drivers", "the nvidia-utils / libnvidia-compute packages".
_DRIVER = (r"(?:the\s+|any\s+|an?\s+|our\s+|its\s+own\s+)?(?:cuda-drivers\b|(?:nvidia[\s-]+)?(?:gpu\s+|graphics\s+)?drivers?\b"
           r"|nvidia-utils\b|libnvidia-compute\b)")
_DENIED = lazy(
    rf"\b(?:do|does|did|will|should|must|we|I)\s*(?:n[o']t|not)\s+(?:\w+\s+)?install\w*\s+{_DRIVER}"
    rf"|\b(?:never|don'?t\s+ever)\s+install\w*\s+{_DRIVER}"
    rf"|\bno\s+(?:nvidia\s+)?drivers?\s+(?:is\s+|are\s+)?(?:installed\s+)?(?:in|inside|into)\s+(?:the\s+|this\s+|my\s+|our\s+)?"
    r"(?:image|container|dockerfile)\b", _I)
# Said of the host, not the image: "… on the host", "on my machine", "on the node".
_ON_HOST = lazy(r"[^.;!?\n]{0,40}?\b(?:on|to)\s+(?:the\s+|my\s+|our\s+|this\s+)?(?:host|machine|node|server|system|laptop|pc)\b", _I)
_CONDITION = lazy(r"\b(?:if|unless|whether|when|otherwise|in\s+case)\b", _I)
_WORDS = ("not", "n't", "never", "no ")


def read(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    # every form names installing (or "no driver … in the image") and a driver: few lines hold both
    named = set(doc.lines_containing("driver", "nvidia-utils", "libnvidia-compute"))
    for i in sorted(named.intersection(doc.lines_containing("install", "no driver", "no nvidia driver"))):
        line = lines[i]
        lo = line.lower()
        if len(line) > 600 or not any(w in lo for w in _WORDS):
            continue
        m = _DENIED.search(line)
        if not m:
            continue
        start = clause_start(line, m.start())
        if (asked(line, m.end()) or _CONDITION.search(line[start:m.start()]) or _ON_HOST.match(line, m.end())):
            continue
        f.note(f"{IMAGE_DRIVER_DENIED}“{line.strip()[:120]}” (line {i + 1})")
        return
