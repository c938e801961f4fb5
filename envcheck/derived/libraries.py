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


# From CUDA 13 on, the wheels of the libraries numbered like CUDA itself dropped the suffix
# (torch's cu130 wheels require nvidia-cublas / nvidia-cuda-runtime / nvidia-cuda-nvrtc ~= 13.0 and
# nvidia-cudnn-cu13, nvidia-nccl-cu13): their CUDA major is their version's. The others (cuFFT 12.x,
# cuRAND 10.x under CUDA 13) number themselves, so an unsuffixed one says no CUDA major.
_CUDA_NUMBERED = frozenset({"cublas", "cuda-runtime", "cuda-nvrtc", "cuda-cupti", "cuda-nvcc", "cuda-cccl", "nvjitlink"})
_UNSUFFIXED = re.compile(r"^nvidia-([a-z-]+?)$")


def wheels(facts: Facts) -> Dict[str, Dict[int, Tuple[str, str]]]:
    """NVIDIA's CUDA library wheels pip installed: lib -> {CUDA major: (package name, version)}
    (nvidia-cublas-cu12 12.8.4.1 → "cublas": {12: ("nvidia-cublas-cu12", "12.8.4.1")}; nvidia-cublas
    13.0.0.19 → "cublas": {13: ("nvidia-cublas", "13.0.0.19")})."""
    out: Dict[str, Dict[int, Tuple[str, str]]] = {}
    for p in facts.python.packages.get(()):
        m = _WHEEL.match(p.name)
        if m:
            out.setdefault(m.group(1), {})[int(m.group(2))] = (p.name, p.version)
            continue
        u = _UNSUFFIXED.match(p.name)
        major = re.match(r"(\d+)\.", str(p.version or ""))
        if u and u.group(1) in _CUDA_NUMBERED and major and int(major.group(1)) >= 13:
            out.setdefault(u.group(1), {})[int(major.group(1))] = (p.name, p.version)
    return out
