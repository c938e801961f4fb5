"""A claim a person places off the failing machine, or tells as expected, in its own sentence:
"the nvidia module isn't loaded on the login node, which is expected", "lsmod | grep nvidia shows
nothing on my Mac, of course". Read by ``prose_state`` (modules said not loaded) and
``module_absent_prose`` (a grep for the module said empty).
"""

from __future__ import annotations

import re

from envcheck.lazyre import lazy

# Another kind of node (a cluster's login node), a Mac, or "which is expected" / "of course".
NOT_THIS_HOST = lazy(r"\b(?:which\s+is\s+(?:expected|normal)|as\s+expected|of\s+course|naturally|obviously)\b"
                     r"|\bon\s+(?:the\s+|my\s+|a\s+|our\s+)?(?:login|head|frontend|submit|build)\s+nodes?\b"
                     r"|\bon\s+(?:the\s+|my\s+|a\s+)?mac(?:book(?:\s+\w+)?)?\b", re.IGNORECASE)


def not_this_host(line: str, start: int, end: int) -> bool:
    """Does the sentence from ``start`` (a claim ending at ``end``) place it elsewhere or expected?"""
    stop = min((p for p in (line.find(c, end) for c in ".!?;") if p != -1), default=len(line))
    return NOT_THIS_HOST.search(line, start, stop) is not None
