"""The device banner of YOLOv5's ``select_device`` and of the repositories that copied it
(YOLOR, YOLOv7, yolov5-pip, many forks):

    YOLOv5 🚀 v7.0-187-g0004c74 Python-3.10.12 torch-2.0.1+cu118 CUDA:0 (Tesla T4, 15102MiB)
    YOLOv5 🚀 2021-10-15 torch 1.9.1+cpu CPU
    YOLOR 🚀 v0.1-107-gfb79783 torch 1.11.0+cu113 CUDA:0 (NVIDIA GeForce RTX 3080 Ti, 12031.3125MB)

ultralytics/yolov5 utils/torch_utils.py ``select_device`` builds
``f'YOLOv5 🚀 {git_describe() or file_date()} Python-{python} torch-{torch.__version__} '``
(``torch {version}`` without ``Python-`` before v6.0) and appends, for every CUDA device it
opened, ``CUDA:{d} ({p.name}, {p.total_memory / (1 << 20):.0f}MiB)`` (``MB`` with decimals in
2020/2021 and YOLOR), else ``CPU`` (``MPS`` from v7.0); on Windows the emoji is stripped.
A ``CUDA:N (…)`` part is printed only when ``torch.cuda.is_available()``; ``CPU`` also follows
``--device cpu``, so it says nothing about CUDA and only the torch version is read from it.
Ultralytics 8's ``Ultralytics YOLOv8 …`` banner is read by framework_env.py.

The banner is recognised by its whole shape (tool, version or date, torch, device part), so a
sentence such as "YOLOv5 with torch 1.13 on my GPU" is not one.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted

SOURCE = "YOLOv5 device banner"
_MIB = 1 << 20

_BANNER = re.compile(
    r"\b(?:YOLOv5|YOLOR|YOLOv7|YOLOv3)\s+(?:\S{1,2}\s*)?(?:v\d[\w.-]{0,30}|\d{4}-\d{1,2}-\d{1,2})\s+"
    r"(?:Python-(?P<py>\d+\.\d+\.\d+)\s+)?torch[- ](?P<torch>\d+\.\d+[\w.+-]{0,40}?)\s+"
    r"(?:CUDA:(?P<idx>\d{1,2}) \((?P<name>[^,()\n]{2,80}), (?P<mib>\d{2,7})(?:\.\d+)?Mi?B\)|(?:CPU|MPS)\b)")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    for i in doc.lines_containing("yolov5", "yolor", "yolov7", "yolov3"):
        line = doc.lines[i]
        if "torch" not in line or "Ultralytics" in line:
            continue
        m = _BANNER.search(line)
        if not m:
            continue
        if "+cpu" not in m.group("torch"):
            # A CPU wheel's version is left to the readers of a stated version: rules/compat.py
            # takes a pointed-out CPU wheel as CUDA wanted, which a program's own banner is not.
            f.set("torch.version", m.group("torch"), i)
            f.set("torch.installed", True, i)
        if m.group("py"):
            f.set("python.version", m.group("py"), i)
        if m.group("idx"):
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip(), memory_total_bytes=int(m.group("mib")) * _MIB)
            f.set("torch.cuda_available", True, i, detail=f"YOLOv5's select_device opened CUDA:{m.group('idx')} (line {i + 1})")
    return f
