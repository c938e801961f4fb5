"""A grep of /dev for NVIDIA's nodes that printed nothing: no /dev/nvidia* node exists.

``ls /dev | grep nvidia`` (``ls -la /dev | grep -i nvidia``, ``ls -l /dev/ | grep nvidia``) whose
next line is the next prompt is the listing ``ls /dev/nvidia*`` would have answered with
"ls: cannot access '/dev/nvidia*': No such file or directory" (read by ``device_nodes``): the
same fact, no node at all. A paste that ends right after the command, or whose next line is
anything but a prompt (the output pasted elsewhere, a comment), says nothing.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import DeviceNode
from envcheck.lazyre import lazy

SOURCE = "device nodes"

_GREP_DEV = lazy(r"(?:^|[$#>]\s*)(?:sudo\s+)?ls(?:\s+-\w+)*\s+/dev/?(?:\s+-\w+)*\s*\|\s*(?:[ef]?grep|rg)"
                       r"\s+(?:-\w+\s+)*['\"]?nvidia['\"]?\s*$", re.I)
# The next prompt: ``me@box:~$``, ``[root@gpu01 ~]#``, a bare ``$`` or ``#``, a container's ``root@1a2b:/#``.
_PROMPT = lazy(r"^\s*(?:\(\S+\)\s*)?(?:\[[^\]\n]+\]\s*[$#]|(?:[\w.-]+@[\w.-]+:\S*\s*)?[$#])(?:\s|$)")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    for i in doc.lines_containing("/dev"):
        if _GREP_DEV.search(lines[i]) and i + 1 < len(lines) and _PROMPT.match(lines[i + 1]):
            f.set("driver.device_nodes", (DeviceNode("/dev/nvidia*", False),), i,
                  detail=f"`{lines[i].strip()[-60:]}` printed nothing (line {i + 1})")
            break
    return f
