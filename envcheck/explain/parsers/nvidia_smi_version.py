"""``nvidia-smi --version`` (R535 and newer).

Before R610 it prints four lines::

    NVIDIA-SMI version  : 580.173.02
    NVML version        : 580.173
    DRIVER version      : 580.173.02
    CUDA Version        : 13.0

From R610 on the driver version is the kernel-mode driver's (KMD) and the CUDA version the
CUDA user-mode driver's (UMD); the old lines stay, marked deprecated (R610's ``-q`` says
"Deprecated; will be removed in CUDA 14.0. Use KMD Version instead"), and two lines are added::

    DRIVER version      : Deprecated, see "KMD version" instead
    CUDA version        : Deprecated, see "CUDA UMD version" instead
    KMD version         : 610.43.02
    CUDA UMD version    : 13.3

The keys' capitalisation differs between branches ("CUDA Version" before R610, "CUDA version"
after), so keys are matched without case.
"""

from __future__ import annotations

import bisect
import re
from typing import Optional, Tuple

from ...lazyre import lazy
from ..partial import TOOL, Found
from ..smi_values import unmargined
from ..source import Pasted

SOURCE = "nvidia-smi --version"

_LINE = lazy(r"^(?P<key>NVIDIA-SMI|NVML|DRIVER|KMD|CUDA|CUDA UMD) version\s*:\s*(?P<value>.*)$", re.IGNORECASE)
# Lines only --version prints ("-q" says "Driver Version", "KMD Version": capital V).
_OWN = lazy(r"^(?:NVIDIA-SMI|NVML|DRIVER|KMD) version\s*:")
_VERSION = lazy(r"^(\d+\.\d+(?:\.\d+)?)$")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = unmargined(doc)
    candidates = doc.lines_containing("version", ignorecase=True)  # every pattern above holds it
    read = doc.read  # each line's reading once per distinct line (a long log repeats them)
    own = [i for i in candidates if read(_own, lines[i])]
    for i in candidates:
        said = read(_said, lines[i])
        if said is None:
            continue
        k = bisect.bisect_left(own, i - 5)
        if k == len(own) or own[k] > i + 5:
            continue  # no line only --version prints within 5 lines
        key, version = said
        if key in ("DRIVER", "KMD"):
            f.set("nvml.init", True, i, detail="nvidia-smi --version ran (pasted output)")
            f.set("nvml.driver_version", version, i)
        elif key in ("CUDA", "CUDA UMD"):
            f.set("nvml.cuda_driver_version", version, i)
        elif key == "NVIDIA-SMI":
            # nvidia-smi ships with the driver's user-space libraries, of the same version; it
            # prints this line even when it cannot reach the kernel module.
            f.set("driver.userspace_library_version", version, i, detail="nvidia-smi --version: NVIDIA-SMI version")
        elif key == "NVML":
            f.set("nvml.nvml_version", version, i)
    return f


def _own(line: str) -> bool:
    """A line only ``nvidia-smi --version`` prints."""
    return bool(_OWN.match(line.strip()))


def _said(line: str) -> Optional[Tuple[str, str]]:
    """(key, version) of a "KEY version : V" line; None for others, and for a value that is no
    version ("Deprecated, see …": the KMD / CUDA UMD line says it)."""
    m = _LINE.match(line.strip())
    if not m:
        return None
    v = _VERSION.match(m.group("value").strip())
    return (m.group("key").upper(), v.group(1)) if v else None
