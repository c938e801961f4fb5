"""NVIDIA Fabric Manager said not running, in wordings the general statements reader
(``prose_state``: "is not running", "isn't installed", "failed to start") does not take:

* past tense: "Fabric Manager wasn't running", "the fabricmanager service was not started",
  "nvidia-fabricmanager had not been installed", "Fabric Manager had stopped", "Fabric manager is
  stopped" (not where the line says it is not needed there: a PCIe card has no NVSwitch);
* its version against the driver's, the reason it refuses to start
  (fabricmanager's own line is "fabric manager NVIDIA GPU driver interface version X don't match
  with driver version Y", a catalogue message): "a mismatched Fabric Manager version to the NVIDIA
  Driver version", "the fabric manager version doesn't match the driver", "version mismatch between
  fabricmanager and the driver".

A denial, a question, a condition or advice just before it ("if Fabric Manager wasn't running",
"check that the fabric manager version matches") says nothing. The mismatch is also kept as a
note (``derived.fabric_said``): Fabric Manager is only set up on NVSwitch systems.
"""

from __future__ import annotations

import re

from envcheck.derived.fabric_said import FM_MISMATCH_SAID
from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_FM = r"(?:nvidia[-_ ]?)?fabric[-_ ]?manager(?:'s)?(?:\.service|\s+service|\s+daemon)?"
_STOPPED = lazy(
    rf"\b{_FM}\b[^.;!?\n]{{0,30}}?\b(?:wasn't|was\s+not|weren't|were\s+not|hadn't\s+been|had\s+not\s+been|"
    r"never\s+(?:got\s+|been\s+)?)\s*(?:running|started|installed|active|enabled|up)\b"
    rf"|\b{_FM}\b\s+(?:had\s+|has\s+|is\s+|was\s+)?(?:stopped|died|dead|inactive)\b(?![^.;!?\n]{{0,30}}?\b(?:re)?start(?:ed|ing)?\b)", _I)
# Not needed on this machine: a PCIe GPU or a single card has no NVSwitch for Fabric Manager to set up.
_NOT_NEEDED = lazy(r"\b(?:not\s+needed|doesn't\s+need|does\s+not\s+need|don't\s+need|no\s+need|unnecessary|not\s+required"
                   r"|pcie|single\s+gpu|no\s+nvswitch|on\s+purpose)\b", _I)
_MISMATCH = lazy(
    rf"\b(?:mismatch(?:ed|ing)?|wrong|incompatible)\s+{_FM}\s+versions?\b"
    rf"|\b{_FM}\s+versions?\s+(?:does\s+not|doesn't|did\s+not|didn't|do\s+not|don't)\s+match\b"
    rf"|\b{_FM}\s+(?:and|vs\.?|versus)\s+(?:the\s+)?(?:nvidia\s+)?driver\s+versions?\s+(?:(?:are|were)\s+)?"
    r"(?:mismatch\w*|(?:do|did)(?:n't|\s+not)\s+match|differ\w*|different)\b"
    rf"|\bversion\s+mismatch\s+between\s+(?:the\s+)?{_FM}\s+and\s+(?:the\s+)?(?:nvidia\s+)?driver\b", _I)
# A denial, a condition, advice or a question word in the sentence just before it.
_NOT = lazy(r"\b(?:no|not|never|if|whether|check|ensure|make\s+sure|should|could|might|maybe|perhaps|"
            r"recommend\w*|suggest\w*|try|unless)\b[^.;!?\n]{0,40}$", _I)


def _said(line: str, m: re.Match) -> bool:
    return not _NOT.search(line, max(0, m.start() - 50), m.start()) and "?" not in line[m.end():m.end() + 40]


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("fabric", ignorecase=True):
        line = lines[i]
        if len(line) > 400:
            continue  # a log line (fabricmanager's own lines are catalogue messages)
        mis = _MISMATCH.search(line)
        if mis and _said(line, mis):
            f.set("driver.fabric_manager_running", False, i, detail=f"{STATED_DETAIL}: {mis.group(0)}")
            f.note(f"{FM_MISMATCH_SAID}“{' '.join(line.split())[:160]}” (line {i + 1})")
            return f
        stop = _STOPPED.search(line)
        if stop and _said(line, stop) and not _NOT_NEEDED.search(line) and not working_after(lines, i, stop.start()):
            f.set("driver.fabric_manager_running", False, i, detail=f"{STATED_DETAIL}: {stop.group(0)}")
    return f
