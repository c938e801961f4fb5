"""The startup banner of ComfyUI and the apps that copied its model management (Forge's
``backend/memory_management.py``, Fooocus' ``ldm_patched/modules/model_management.py``):

    Total VRAM 24564 MB, total RAM 32694 MB
    pytorch version: 2.7.0+cu128
    Set vram state to: NORMAL_VRAM
    Device: cuda:0 NVIDIA GeForce RTX 4090 : native

``comfy/model_management.py`` prints ``"pytorch version: {}".format(torch.version.__version__)``
and ``"Device: {}".format(get_torch_device_name(...))``, where a CUDA device reads
``"{device} {torch.cuda.get_device_name(device)} : {allocator backend}"`` (ComfyUI 2023-03 to
0.3.x, logging.info since 2024; Forge and Fooocus print them as is). The device line is printed
only after torch opened that device, so it states torch.cuda.is_available(); a CPU device
prints ``Device: cpu``, which says nothing about why (``--cpu`` asks for it) and is not read.
``Total VRAM`` is the system RAM on a CPU device, so it is not read either. A ``+cpu`` version
is left to the readers of a stated version (rules/compat.py takes a CPU wheel somebody pasted as
CUDA wanted; a program's banner read at its own rank would not be).

The lines arrive with prefixes (``[ComfyUI] ``, a logging timestamp ``… - root - INFO - ``,
a bullet ``  - ``): the patterns search the line, anchored on the literal ComfyUI prints and
on the line's end, so a sentence quoting the banner mid-line is not a banner.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted

SOURCE = "ComfyUI startup banner"

# Lower-case "pytorch version:" as ComfyUI writes it: collect_env's "PyTorch version:" is another
# report, read by collect_env.py.
_TORCH = re.compile(r"(?:^|[\s\]>*-])pytorch version: (?P<v>\d+\.\d+(?:\.\d+)?(?:\.?[a-z]+\d*)?(?:\+[\w.]+)?)\s*$")
_DEVICE = re.compile(r"(?:^|[\s\]>*-])Device: cuda:(?P<idx>\d{1,2}) (?P<name>[^\n:]{2,80}?) : [\w.-]{0,40}\s*$")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    for i in doc.lines_containing("pytorch version: ", "device: cuda:"):
        line = doc.lines[i]
        m = _TORCH.search(line) if "pytorch version: " in line else None
        if m:
            if "+cpu" not in m.group("v"):
                # A CPU wheel's version is left to the readers of a stated version (as yolo_banner.py).
                f.set("torch.version", m.group("v"), i)
                f.set("torch.installed", True, i)
            continue
        m = _DEVICE.search(line) if "Device: cuda:" in line else None
        if m:
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip())
            f.set("torch.cuda_available", True, i, detail=f"ComfyUI opened cuda:{m.group('idx')} at startup (line {i + 1})")
    return f
