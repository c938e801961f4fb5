"""A person saying the NVIDIA driver was updated and the machine not rebooted since: "I updated the
nvidia driver yesterday and didn't reboot", "upgraded the driver to 550 without rebooting", "更新了
驱动还没重启". The new user-space libraries then meet the old kernel module, still loaded: NVML's
"Driver/library version mismatch" (nvml_driver_library_mismatch), the commonest way to get it
(NVIDIA's driver README, "Installing the driver": the new module loads only at the next boot or
after unloading the old one).

The claim is mismatch_prose's: a failed ``driver.userspace_library_version`` below ``STATED`` whose
detail says the versions differ (``derived/driver_claims.MISMATCH_SAID_DETAIL``), read by
``rules/driver_versions.py`` as likely; a package row or NVML's own message outranks it. A fresh
install (nothing loaded before it) is not read: that is a module not loaded, not a mismatch. A
question, a condition or advice ("if you updated the driver without rebooting…"), a reboot said
done, or the machine said to work since, in the sentence or the next two lines ("and everything
still works fine", "after a reboot it has been fine ever since": ``sentences.working_after``), claims
nothing.
"""

from __future__ import annotations

import re

from envcheck.derived.driver_claims import MISMATCH_SAID_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, clause_start, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements about a driver update"
_I = re.IGNORECASE

_GAP = r"(?:[^.;!?\n]|\.(?=\w))"  # a version's dots ("to 550.54") do not end the clause
_UPDATED = (r"\b(?:updat(?:ed|ing)|upgrad(?:ed|ing)|(?:i|we)\s+(?:update|upgrade))\s+(?:the\s+|my\s+|our\s+)?"
            r"(?:nvidia\s+)?(?:gpu\s+|graphics\s+|display\s+)?drivers?\b")
_NO_REBOOT = (r"(?:(?:did\s*n[o']t|did\s+not|have\s*n[o']t|have\s+not|has\s*n[o']t|has\s+not|had\s*n[o']t)\s+(?:yet\s+)?"
              r"(?:reboot(?:ed)?|restart(?:ed)?)(?:\s+(?:yet|since))?|not\s+(?:yet\s+)?(?:rebooted|restarted)"
              r"|without\s+(?:a\s+)?(?:reboot(?:ing)?|restart(?:ing)?)|never\s+(?:rebooted|restarted)|no\s+reboot)\b")
_SAID = lazy(
    rf"{_UPDATED}{_GAP}{{0,60}}?\b{_NO_REBOOT}"
    r"|(?:更新|升级)(?:了)?\s*(?:nvidia\s*|NVIDIA\s*)?(?:显卡)?驱动[^。！？\n]{0,20}?(?:还)?(?:没有|没|未)(?:有)?重启", _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|when(?:ever)?|make\s+sure|remember|don'?t\s+forget|should|must)\b|如果|是否", _I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("driver", "驱动"):
        return f
    for i in doc.lines_containing("reboot", "restart", "重启"):
        line = doc.lines[i]
        lo = line.lower()
        # the pattern's words as substrings first; the enclosed blocks only for a line that has them
        if (len(line) > 2000 or not any(w in lo for w in ("updat", "upgrad", "更新", "升级"))
                or "driver" not in lo and "驱动" not in lo or i in doc.enclosed):
            continue
        m = _SAID.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        # the fix told, or the machine said to work since ("and everything still works fine")
        if (asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.start()])
                or working_after(doc.lines, i, m.start())):
            continue
        f.fail("driver.userspace_library_version", Status.UNKNOWN, i, rank=STATED - 1,
               detail=f"{MISMATCH_SAID_DETAIL}: the driver was updated without a reboot ({m.group(0).strip()[:100]})")
        return f
    return f
