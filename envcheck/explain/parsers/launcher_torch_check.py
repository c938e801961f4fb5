"""The torch check SD.Next's installer and kohya_ss' setup print at every start:

    08:52:31-556783 INFO     Torch 2.1.2+cu121
    08:52:31-601255 INFO     Torch backend: nVidia CUDA 12.1 cuDNN 8801
    08:52:31-604259 INFO     Torch detected GPU: NVIDIA GeForce RTX 3090 VRAM 24576 Arch (8, 6) Cores 82

vladmandic/automatic (SD.Next) ``installer.py check_torch`` and bmaltais/kohya_ss
``setup/setup_common.py check_torch`` / ``log_cuda_info``: ``log.info(f'Torch {torch.__version__}')``;
when ``torch.cuda.is_available()``, ``Torch backend: nVidia CUDA {torch.version.cuda} cuDNN
{torch.backends.cudnn.version()}`` (``AMD ROCm HIP {hip}`` on ROCm) and one ``Torch detected GPU:
{name} VRAM {MiB}[MB] Arch {capability} Cores {SMs}`` per device (capability ``(8, 6)``, or
``8.6`` in kohya_ss 2024+); otherwise kohya_ss warns ``Torch reports CUDA not available`` (SD.Next
2023: ``Torch repoorts CUDA not available``, after trying DirectML). SD.Next 2023-01 to 2024,
kohya_ss v21 to v25.

The cuDNN number is not read: it is the cuDNN this torch loaded, which may differ by platform for
one release (the Windows and Linux wheels bundle their cuDNN separately), while the cuDNN rule
compares it with one table value per release.

The version line (``Torch 2.0.1+cpu``) is left to the readers of a stated torch version: what
rules/compat.py asks of a CPU wheel there is that somebody pointed it out, and a launcher's log
pasted into a report is that. The warning is read only in its log form (``WARNING`` before it),
so a question quoting it is not a report.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted

SOURCE = "SD.Next / kohya_ss torch check"
_MIB = 1 << 20

_BACKEND = re.compile(r"\bTorch backend: nVidia CUDA (?P<cuda>\d+\.\d+) cuDNN (?P<cudnn>\d{4,6}|N/A)")
_GPU = re.compile(r"\bTorch detected GPU: (?P<name>[^\n]{2,80}?) VRAM (?P<mib>\d{3,7})(?:MB)? "
                  r"Arch \(?(?P<major>\d{1,2})(?:, |\.)(?P<minor>\d)\)? Cores \d{1,4}")
_NO_CUDA = re.compile(r"\bWARNING\s{1,8}Torch rep(?:o)?orts CUDA not available\s*$")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    index = 0
    for i in doc.lines_containing("torch backend: ", "torch detected gpu: ", "cuda not available"):
        line = doc.lines[i]
        if "Torch" not in line:
            continue
        m = _BACKEND.search(line)
        if m:
            f.set("torch.cuda_build", m.group("cuda"), i)
            f.set("torch.cuda_available", True, i, detail=f"the launcher's torch check found CUDA (line {i + 1})")
            continue
        m = _GPU.search(line)
        if m:
            f.gpu(index, i, name=m.group("name").strip(), memory_total_bytes=int(m.group("mib")) * _MIB,
                  compute_capability=f"{m.group('major')}.{m.group('minor')}")
            f.set("torch.cuda_available", True, i, detail=f"the launcher's torch check listed a CUDA device (line {i + 1})")
            index += 1
            continue
        if _NO_CUDA.search(line):
            f.set("torch.cuda_available", False, i,
                  detail=f"the launcher's torch check: torch.cuda.is_available() is False (line {i + 1})")
    return f
