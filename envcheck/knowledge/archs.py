"""Rules about versions and GPU architectures that are code, not data.

* :func:`arch_support` is CUDA's binary-compatibility rule applied to the arch list a
  PyTorch build was compiled for (``torch.cuda.get_arch_list()``). From the CUDA C++
  Programming Guide, "Binary Compatibility" and "PTX Compatibility"
  (https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility):
  a cubin for ``sm_XY`` runs on a GPU of the same major with minor >= Y (sm_86 code runs
  on an sm_89 RTX 4090, sm_120 on sm_121), never across majors; arch-specific ``sm_90a``
  / ``sm_100f`` cubins run only on exactly that GPU; PTX (``compute_XY``) is JIT-compiled
  by the driver for any GPU with capability >= X.Y. The integrated (Tegra) GPUs are the
  exception: torch's own check (2.13, torch/cuda/__init__.py ``_warn_unsupported_code``) lists
  sm_50 / sm_60 / sm_70 / sm_80 / sm_86 / sm_100 code as running on their majors "except
  {5.3}", "{6.2}", "{7.2}", "{8.7}", "{10.1}" (Jetson TX1, TX2, Xavier, Orin; Thor as 10.1
  before CUDA 13): those run only cubins built for exactly them.
* cuDNN's integer version encoding changed at 9.0 (``cudnn_version.h``).
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Optional, Tuple

from packaging.version import InvalidVersion, Version

_ARCH = re.compile(r"^(sm|compute)_(\d+)([af]?)$")
# Integrated GPUs no cubin of another minor runs on (see the module's docstring).
_TEGRA = frozenset({(5, 3), (6, 2), (7, 2), (8, 7), (10, 1)})


def ver(text: Optional[str]) -> Optional[Version]:
    """A version string as ``packaging`` reads it, or None (driver "570.124.04" is fine)."""
    if not text:
        return None
    try:
        return Version(str(text).strip())
    except InvalidVersion:
        return None


def major_minor(text: Optional[str]) -> Optional[str]:
    """"12.8.1" -> "12.8"; "3.12.3" -> "3.12"; None when unreadable."""
    v = ver(text.split("+")[0] if text else text)
    if v is None or len(v.release) < 2:
        return None
    return f"{v.release[0]}.{v.release[1]}"


# Pure functions of a few dozen distinct strings, called per GPU × candidate build by the
# rules and the advisor: cached, a long paste asks the same question thousands of times.
@functools.lru_cache(maxsize=1024)
def cc_tuple(cc: str) -> Tuple[int, int]:
    """"8.6" -> (8, 6); "sm_120" / "compute_120" / "120" -> (12, 0)."""
    text = str(cc).strip().lower()
    m = _ARCH.match(text)
    if m:
        text = m.group(2)
    if "." in text:
        major, minor = text.split(".", 1)
        return int(major), int(minor)
    return int(text[:-1]), int(text[-1])


def cc_text(cc: Tuple[int, int]) -> str:
    return f"{cc[0]}.{cc[1]}"


def sm_name(cc: str) -> str:
    major, minor = cc_tuple(cc)
    return f"sm_{major}{minor}"


@functools.lru_cache(maxsize=256)
def parse_arch_list(spec: str) -> Tuple[str, ...]:
    """TORCH_CUDA_ARCH_LIST ("7.5;8.0;12.0+PTX") -> get_arch_list() form
    ("sm_75", "sm_80", "sm_120", "compute_120")."""
    out = []
    for item in re.split(r"[;\s]+", spec.strip()):
        if not item:
            continue
        ptx = item.upper().endswith("+PTX")
        cc = item[:-4] if ptx else item
        major, minor = cc_tuple(cc)
        out.append(f"sm_{major}{minor}")
        if ptx:
            out.append(f"compute_{major}{minor}")
    return tuple(out)


def arch_support(arch_list: Iterable[str], cc: str) -> str:
    """How a build with ``arch_list`` runs on a GPU of capability ``cc``.

    Returns "cubin" (a compatible cubin exists), "ptx" (only by JIT from PTX),
    "too_old" (the GPU is older than everything in the list) or "too_new" (no usable
    cubin and no PTX old enough: the GPU is newer than the build, or sits between its
    majors). Entries that do not parse are ignored.
    """
    return _arch_support(tuple(arch_list), cc)


@functools.lru_cache(maxsize=4096)
def _arch_support(arch_list: Tuple[str, ...], cc: str) -> str:
    gpu = cc_tuple(cc)
    cubins, ptx = [], []
    for entry in arch_list:
        m = _ARCH.match(str(entry).strip().lower())
        if not m:
            continue
        kind, digits, suffix = m.groups()
        arch = cc_tuple(digits)
        if kind == "compute":
            ptx.append(arch)
        elif suffix or gpu in _TEGRA:  # sm_90a / sm_100f, or a Tegra GPU: exact match only
            if arch == gpu:
                cubins.append(arch)
        else:
            cubins.append(arch)
    if any(a[0] == gpu[0] and a[1] <= gpu[1] for a in cubins):
        return "cubin"
    if any(p <= gpu for p in ptx):
        return "ptx"
    everything = cubins + ptx
    if everything and gpu < min(everything):
        return "too_old"
    return "too_new"


def cudnn_int(major: int, minor: int, patch: int) -> int:
    """cuDNN (8, 3, 2) -> 8302 and (9, 1, 0) -> 90100: the CUDNN_VERSION encoding that
    torch.backends.cudnn.version() returns (M*1000+m*100+p up to 8.x, M*10000+m*100+p from 9)."""
    return major * 10000 + minor * 100 + patch if major >= 9 else major * 1000 + minor * 100 + patch


def encode_cudnn(version: str) -> int:
    """"9.10.2.21" -> 91002; "8.9.2.26" -> 8902 (the CUDNN_VERSION encoding)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]] + [0, 0, 0]
    return cudnn_int(*parts[:3])


def decode_cudnn(value: int) -> Tuple[int, int, int]:
    """91002 -> (9, 10, 2); 8902 -> (8, 9, 2); 7605 -> (7, 6, 5)."""
    if value >= 90000:
        return value // 10000, (value % 10000) // 100, value % 100
    return value // 1000, (value % 1000) // 100, value % 100


def cudnn_text(value: int) -> str:
    return ".".join(str(p) for p in decode_cudnn(value))


def cuda_int_text(value: int) -> str:
    """CUDA's integer versions (CUDA_VERSION, cudaDriverGetVersion, nvmlSystemGetCudaDriverVersion):
    11040 -> "11.4", 13000 -> "13.0", 9020 -> "9.2"."""
    return f"{int(value) // 1000}.{int(value) % 1000 // 10}"


def variant_cuda(variant: str) -> Optional[str]:
    """"cu128" -> "12.8"; "cu92" -> "9.2"; anything else -> None."""
    m = re.fullmatch(r"cu(\d+)", variant or "")
    if not m:
        return None
    digits = m.group(1)
    return f"{digits[:-1]}.{digits[-1]}"


def version_at_least(have: Optional[str], need: Optional[str]) -> Optional[bool]:
    a, b = ver(have), ver(need)
    if a is None or b is None:
        return None
    return a >= b
