"""Graphics tools showing the open nouveau driver on the NVIDIA GPU (not lsmod, dmesg or lspci -k,
which ``driver_text`` and ``pci`` read):

* ``glxinfo``: Mesa's nouveau reports "OpenGL vendor string: nouveau" and a renderer named by
  the chipset, "OpenGL renderer string: NV166" (src/gallium/drivers/nouveau, ``NV%02X``);
  with NVK under zink, "zink Vulkan 1.3(NVIDIA GeForce RTX 3060 (NVK GA106))";
* ``vulkaninfo``: "driverName = NVK", "driverID = DRIVER_ID_MESA_NVK", a device "(NVK GA106)";
* the Xorg log: "(II) NOUVEAU driver Date: …", "(II) NOUVEAU(0): …", "Loading
  …/drivers/nouveau_drv.so";
* ``lshw -C display``: an NVIDIA device with "configuration: driver=nouveau";
* ``hwinfo --gfxcard``: "Driver Status: nouveau is active" / 'Driver: "nouveau"'.

Each is nouveau driving the GPU, so the nouveau module is loaded (a listing's rank, from the
tool). The proprietary driver's own strings ("OpenGL vendor string: NVIDIA Corporation",
"driver=nvidia") and other vendors' Mesa drivers say nothing here.
"""

from __future__ import annotations

import re

from ..partial import LISTING, Found
from ..source import Pasted

SOURCE = "graphics driver output"

_I = re.IGNORECASE
_TOOL_LINE = re.compile(
    r"OpenGL vendor string:\s*nouveau\b|OpenGL renderer string:\s*(?:NV[0-9A-F]{2,3}\b|[^\n]*\(NVK\s)"
    r"|\bdriverName\s*=\s*NVK\b|\bDRIVER_ID_MESA_NVK\b|\(NVK\s+[A-Z]{2}\d{3}\)"
    r"|\(II\)\s+NOUVEAU(?:\(\d+\)|\s+driver)\b|/drivers/nouveau_drv\.so\b|LoadModule:\s*\"nouveau\""
    r"|Driver Status:\s*nouveau is active|^\s*Driver:\s*\"nouveau\"")
_LSHW_NOUVEAU = re.compile(r"^\s*configuration:.*\bdriver=nouveau\b", _I)
_LSHW_VENDOR_NVIDIA = re.compile(r"^\s*vendor:\s*NVIDIA\b", _I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    lines = doc.lines
    for i in doc.lines_containing("nouveau", "nvk", "renderer string"):
        line = lines[i]
        m = _TOOL_LINE.search(line)
        if m:
            f.set("driver.loaded_modules", ("nouveau",), i, detail=f"{SOURCE}, line {i + 1}: {m.group(0).strip()[:60]}")
            return f
        if _LSHW_NOUVEAU.search(line) and any(_LSHW_VENDOR_NVIDIA.search(lines[j]) for j in range(max(0, i - 10), i)):
            f.set("driver.loaded_modules", ("nouveau",), i, detail=f"lshw, line {i + 1}: an NVIDIA device with driver=nouveau")
            return f
    return f
