"""``nvidia-smi nvlink -s`` (``--status``): each GPU's NVLinks and their speed.

Layout (``nvidia-smi nvlink -h``; the GPU line is the ``-L`` line, read by ``nvidia_smi``)::

    GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)
    \t Link 0: 26.562 GB/s
    \t Link 3: <inactive>

A GPU without NVLink prints "Device does not have or support Nvlink"; one whose links are
all down because nothing is attached (a GeForce card without its bridge) prints "NVML:
Unable to retrieve Nvlink information as all links are inActive"; a GPU in MIG mode "…
not supported for Devices in MIG mode". The speed is per direction, per link.
"""

from __future__ import annotations

import re
from typing import List, Optional

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.smi_values import GPU_LINE, unmargined
from envcheck.explain.source import Pasted
from envcheck.facts import NvLink
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "nvidia-smi nvlink -s"

_LINK = lazy(r"^Link (?P<link>\d+): (?:(?P<speed>[\d.]+) GB/s|(?P<inactive><inactive>))\s*$")
_NONE = lazy(r"Device does not have or support Nvlink|Unable to retrieve Nvlink information as all links "
                   r"are inActive", re.IGNORECASE)
_MIG = lazy(r"nvlink.{0,20}not supported for Devices in MIG mode", re.IGNORECASE)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    links: List[NvLink] = []
    gpu: Optional[int] = None
    first: Optional[int] = None
    said = False  # a GPU line was followed by nvlink output (links or "no NVLink")
    lines = unmargined(doc)
    # A line holding none of these (lower case) matches no pattern here and changes nothing.
    for i in doc.lines_containing("(uuid:", "link ", "nvlink", ignorecase=True):
        s = lines[i].strip()
        m = GPU_LINE.match(s)
        if m:
            gpu = int(m.group("idx"))
            continue
        if gpu is None:
            continue
        m = _LINK.match(s)
        if m:
            d = f.detail(i)
            first = i if first is None else first
            speed = m.group("speed")
            links.append(NvLink(gpu, int(m.group("link")), Reading.of(speed is not None, d),
                                speed_gbps=Reading.of(float(speed), d) if speed else Reading.unknown()))
        elif _NONE.search(s):
            first, said = (i if first is None else first), True
        elif _MIG.search(s):
            f.fail("interconnect.nvlinks", Status.NOT_SUPPORTED, i, detail=f"{SOURCE}: {s}")
    if first is not None:
        f.set("interconnect.nvlinks", tuple(links), first,
              detail=f"{SOURCE} (pasted output)" + (": some GPUs have no NVLink" if said else ""))
    return f
