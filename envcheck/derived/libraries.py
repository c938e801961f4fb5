"""CUDA libraries on a machine as the facts describe them: LD_LIBRARY_PATH entries and
what they hold, and the nvidia-* wheels pip installed.

pip-installed PyTorch takes CUDA, cuDNN and NCCL from nvidia-* wheels through its
RUNPATH, but LD_LIBRARY_PATH is searched first, so a directory there that holds another
version wins (https://github.com/pytorch/pytorch/issues/80637).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from envcheck.facts import Facts

_WHEEL = re.compile(r"^nvidia-(.+?)-cu(\d+)$")
_LIB_VERSION = re.compile(r"\.so\.(\d+(?:\.\d+)*)$")

# Library -> the nvidia-* wheel that ships it for pip-installed PyTorch.
BUNDLED = {"libcudnn": "cudnn", "libcublas": "cublas", "libcudart": "cuda-runtime", "libnccl": "nccl",
            "libcusparse": "cusparse", "libcufft": "cufft", "libcurand": "curand", "libcusolver": "cusolver",
            "libnvrtc": "cuda-nvrtc", "libnvJitLink": "nvjitlink", "libcupti": "cuda-cupti"}


def lib_version(name: str) -> Optional[str]:
    m = _LIB_VERSION.search(name)
    return m.group(1) if m else None


def cudnn_package(facts: Facts):
    return next((p for p in facts.python.packages.get(()) if p.name.startswith("nvidia-cudnn")), None)


def ld_entries(facts: Facts) -> Tuple[str, ...]:
    entries = facts.toolkit.ld_library_path
    if entries.ok and entries.value:
        return tuple(entries.value)
    raw = facts.env.variables.get({}).get("LD_LIBRARY_PATH")
    return tuple(p for p in (raw or "").split(":") if p)


def ld_dirs_with(facts: Facts, prefixes: Tuple[str, ...]) -> List[str]:
    """LD_LIBRARY_PATH entries that hold one of these libraries (or are named for cuDNN)."""
    entries = ld_entries(facts)
    found = []
    libs = [f for f in facts.toolkit.libraries.get(()) if f.origin == "ld_library_path"]
    for entry in entries:
        here = [f for f in libs if f.path.startswith(entry.rstrip("/") + "/")]
        if any(f.name.startswith(prefixes) for f in here) or ("libcudnn" in prefixes and "cudnn" in entry.lower()):
            found.append(entry)
    return found


def ld_keep(facts: Facts, drop: List[str]) -> str:
    """LD_LIBRARY_PATH without the ``drop`` entries ("" when nothing is left)."""
    return ":".join(e for e in ld_entries(facts) if e not in drop)


def wheels(facts: Facts) -> Dict[str, Dict[int, str]]:
    """nvidia-<lib>-cu<major> packages: lib -> {major: version}."""
    out: Dict[str, Dict[int, str]] = {}
    for p in facts.python.packages.get(()):
        m = _WHEEL.match(p.name)
        if m:
            out.setdefault(m.group(1), {})[int(m.group(2))] = p.version
    return out
