"""A CPU-only torch told by its companion packages' variant: torchvision, torchaudio, pytorch-mutex.

torch's own row (``packages.py``, ``torch_cpu_variant.py``) is the main line. Where a paste shows
the companions instead (the row for torch cut off, wrapped, or not listed), their variant says
which torch came with them, because the package managers pin the variant together:

* conda, the pytorch channel: the CPU builds of torchvision and torchaudio (``py38_cpu``,
  ``py3.8_cpu_0``) depend on ``pytorch-mutex=*=cpu``, the mutex that allows only the CPU build
  of pytorch in the environment (pytorch/builder ``conda/pytorch-mutex``, ``conda/cpuonly``;
  channel builds 1.8 to 2.5, where the mutex was introduced). Read in conda's three forms:
  the transaction's "NEW packages" row (``torchvision  pytorch/win-64::torchvision-0.11.0-py36_cpu``,
  conda 4.6+), its download table (``torchvision-0.13.1 |  py38_cpu  6.2 MB  pytorch``) and
  ``conda list`` (``torchvision  0.13.1  py38_cpu  pytorch``);
* pip: the wheels of download.pytorch.org/whl/cpu carry the ``+cpu`` local label
  (``torchvision==0.15.2+cpu`` in ``pip freeze``, ``torchaudio 2.0.2+cpu`` in ``pip list``);
  they come from the same index as the torch beside them.

Each is the package reader's claim (``PACKAGE_CPU_DETAIL``), ranked below torch's own row
(an intent's rank), so torch's row, ``is_available() True`` or a ``+cu121`` build wherever it
is shown wins; and a text that shows a CUDA build of torch anywhere makes no claim at all (two
environments, or a mixed one, are not this reader's to judge). ``rules/compat.py`` asks for an
NVIDIA GPU before it speaks.
"""

from __future__ import annotations

import re

from envcheck.derived.messages import PACKAGE_CPU_DETAIL
from envcheck.explain.parsers import packages
from envcheck.explain.parsers.packages import conda_cuda
from envcheck.explain.partial import INTENT, Found
from envcheck.explain.source import Pasted
from envcheck.reading import Status

SOURCE = "companion package variant"

_NAMES = r"(?P<name>torchvision|torchaudio|pytorch-mutex)"
_CONDA_NEW = re.compile(rf"^\s*{_NAMES}\s+(?:[\w.-]+/[\w-]+::)?(?P=name)-(?P<version>\d[\w.]*)-(?P<build>[\w.]+)\s*$")
_CONDA_TABLE = re.compile(rf"^\s*{_NAMES}-(?P<version>\d[\w.]*)\s*\|\s*(?P<build>[\w.]+)\s+\d[\d.]*\s*[KMG]?B\b")
_CONDA_LIST = re.compile(rf"^\s*(?:\[conda\]\s+)?{_NAMES}\s+(?P<version>\d[\w.]*)\s+(?P<build>[\w.]+)(?:\s+[\w/.-]+)?\s*$")
_PIP = re.compile(r"^\s*(?:\[pip\d?\]\s+)?(?P<name>torchvision|torchaudio)(?:==|\s+)(?P<version>\d[\w.]*\+cpu)\s*$")
# torch's own CUDA build anywhere in the text: "+cu121", a conda build "cuda11.8", pytorch-cuda.
_TORCH_CUDA = re.compile(r"\b(?:torch|pytorch)(?:==|-|\s+)\d[\w.]*(?:\+cu\d+|.*cuda\d)|\bpytorch-cuda\b", re.IGNORECASE)


def _cpu(name: str, build: str) -> bool:
    if name == "pytorch-mutex":
        return build == "cpu"
    return conda_cuda(build) == "cpu"


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, INTENT)
    for i in doc.lines_containing("torchvision", "torchaudio", "pytorch-mutex"):
        line = doc.lines[i]
        if "cpu" not in line:
            continue
        m = _CONDA_NEW.match(line) or _CONDA_TABLE.match(line) or _CONDA_LIST.match(line)
        if m and _cpu(m.group("name"), m.group("build")):
            what = f"conda package {m.group('name')} {m.group('version')} {m.group('build')}"
        else:
            m = _PIP.match(line)
            if not m:
                continue
            what = f"pip package {m.group('name')} {m.group('version')}"
        if any(_TORCH_CUDA.search(doc.lines[k]) for k in doc.lines_containing("+cu", "cuda")):
            return Found(SOURCE, INTENT)
        # The first one says which variant came in; a long listing must not make a claim per row.
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=INTENT,
               detail=f"{PACKAGE_CPU_DETAIL}: {what} (the variant comes with torch's), line {i + 1}")
        break
    # an install command beside it asked for CUDA ("… cudatoolkit=10.2"): the package reader's mark
    packages._asked_cuda(f, doc)  # noqa: SLF001 - the one place that knows what asking for CUDA looks like
    return f
