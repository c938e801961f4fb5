"""The PCIe link of each NVIDIA GPU from ``lspci -vv``: ``LnkCap`` (what the link can do) and
``LnkSta`` (what it trained to).

pciutils' lspci (ls-caps.c ``cap_express_link``, every version) prints, under the device's
row, ``LnkCap: Port #0, Speed 16GT/s, Width x16, …`` and ``LnkSta: Speed 2.5GT/s, Width x8,
…``; since pciutils 3.6 (2018) LnkSta adds "(ok)" / "(downgraded)" after each. The speed names
the PCIe generation (2.5/5/8/16/32/64 GT/s: Gen1–Gen6). Only the GPU's own block is read (a
bridge's or root port's link is another device's), from its row ("01:00.0 VGA compatible
controller: NVIDIA …" / "3D controller") to the next row or a blank line. The rule decides
what a lower reading means: an idle GPU drops its link generation to save power.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "lspci -vv"
_I = re.IGNORECASE

_ROW = lazy(r"^\s*(?P<bus>(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\s+\S[^\n]*$", _I)
_GPU_ROW = lazy(r"^\s*(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\s+(?:VGA compatible controller|3D controller|"
                      r"Display controller)\b[^\n]*(?:NVIDIA|\[10de:)", _I)
_LINK = lazy(r"\bLnk(?P<kind>Cap|Sta):\s+(?:Port #\d+,\s*)?Speed (?P<speed>[\d.]+)GT/s[^,\n]*,\s*"
                   r"Width x(?P<width>\d+)\b")
_GEN = {"2.5": 1, "5": 2, "8": 3, "16": 4, "32": 5, "64": 6}


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    hits = doc.lines_containing("lnksta:", "lnkcap:", ignorecase=True)
    if not hits:
        return f
    for i in hits:
        m = _LINK.search(lines[i])
        if not m or m.group("speed") not in _GEN:
            continue
        # The device this capability belongs to: the nearest row above, within its block.
        j = i - 1
        while j >= 0 and lines[j].strip() and not _ROW.match(lines[j]):
            j -= 1
        if j < 0 or not lines[j].strip() or not _GPU_ROW.match(lines[j]):
            continue
        bus = _ROW.match(lines[j]).group("bus").lower()
        bus = bus if bus.count(":") == 2 else "0000:" + bus
        gen, width = _GEN[m.group("speed")], int(m.group("width"))
        if m.group("kind") == "Cap":
            f.gpu(None, i, pci_bus_id=bus, pcie_gen_max=gen, pcie_width_max=width)
        else:
            f.gpu(None, i, pci_bus_id=bus, pcie_gen_current=gen, pcie_width_current=width)
    return f
