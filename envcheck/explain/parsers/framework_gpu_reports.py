"""The GPUs that frameworks other than torch list in their own environment reports.

* **Numba's device list** (``numba.cuda.detect()``, repeated under ``__CUDA Information__``
  by ``numba -s``; numba/cuda/cudadrv/devices.py and api.py ``detect``, numba 0.40 to 0.61
  and numba-cuda)::

      Found 1 CUDA devices
      id 0    b'NVIDIA GeForce RTX 2070 SUPER'                              [SUPPORTED]
                            compute capability: 7.5

  Each row is a device CUDA initialised, with its name and capability (``b'…'`` on Python 3,
  ``[UNSUPPORTED]`` rows included: the GPU is there, numba only will not use it).
* **CuPy's** ``cupy.show_config()`` (cupyx/_runtime.py ``_RuntimeInfo``, CuPy 8 to 14):
  ``Device 0 Name : NVIDIA GeForce RTX 3090`` and ``Device 0 Compute Capability : 86``.

Why: rules/framework_build.py reads a framework's weaker CPU-only signs only where an NVIDIA GPU
is known to be there, and these reports are where framework users show it. (TensorFlow's issue
template, "GPU model and memory: RTX 3060 12GB", needs no reader here: the prose readers take GPU
names from any line.) Each report is found by a literal first (``doc.lines_containing``); the
patterns run on those lines only.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import REPORT, Found
from envcheck.explain.source import Pasted
from envcheck.knowledge.archs import cc_text, cc_tuple

SOURCE = "framework GPU report"

_NUMBA_ROW = re.compile(r"^\s*id (?P<idx>\d{1,3})\s+b?'(?P<name>[^'\n]{2,80})'\s+\[(?:SUPPORTED|UNSUPPORTED)")
_NUMBA_CC = re.compile(r"^\s*compute capability:\s*(?P<cc>\d{1,2}\.\d)\s*$")
_CUPY = re.compile(r"^\s*Device (?P<idx>\d{1,3}) (?P<key>Name|Compute Capability)\s*:\s*(?P<value>\S[^\n]{0,80}?)\s*$")


def _numba(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("supported]"):
        m = _NUMBA_ROW.match(doc.lines[i])
        if m is None:
            continue
        cc = None
        if i + 1 < len(doc.lines):
            c = _NUMBA_CC.match(doc.lines[i + 1])
            cc = c.group("cc") if c else None
        f.gpu(int(m.group("idx")), i, rank=REPORT, name=m.group("name").strip(), compute_capability=cc)


def _cupy(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("device "):
        m = _CUPY.match(doc.lines[i])
        if m is None:
            continue
        idx, value = int(m.group("idx")), m.group("value")
        if m.group("key") == "Name":
            f.gpu(idx, i, rank=REPORT, name=value)
        elif re.fullmatch(r"\d{2,3}", value):
            # CuPy prints the capability as one integer ("86", "120"): major and one minor digit
            f.gpu(idx, i, rank=REPORT, compute_capability=cc_text(cc_tuple(value)))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, REPORT)
    _numba(doc, f)
    _cupy(doc, f)
    return f
