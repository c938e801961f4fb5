"""What the dynamic loader's complaints say about which libraries clash.

``undefined symbol: S`` names the library that lacks S by S's prefix: a mangled C++ name
in torch's namespaces (``_ZN3c10``, ``_ZN2at``, ``_ZN5torch``) belongs to libtorch, so an
extension missing one was built against another torch, and torch's own libraries missing
one come from two torch builds; ``cudnn``/``_ZN5cudnn``, ``cublas``, ``cusparse``,
``__nvJitLink``, ``nvrtc``, ``cufft``… belong to the CUDA library of that name, so two
versions of it are mixed; ``nccl`` to NCCL; ``iJIT_NotifyEvent`` to Intel's ITT API that
MKL 2024.1 stopped exporting (https://github.com/pytorch/pytorch/issues/123097). The
``version libX.so.N`` tail and the path of the library that complains say the same
from the other side. glibc's wording: https://sourceware.org/git/?p=glibc.git (elf/dl-lookup.c).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from .messages import Stated

# Mangled names (Itanium C++ ABI): _Z, optional special-name prefix (TI typeinfo, TV vtable,
# TS typeinfo name), N (nested) and K (const), then the first name as <length><identifier>.
_MANGLED = re.compile(r"^_Z(?:T[IVS])?N?K?(\d+)([A-Za-z_]\w*)")
_TORCH_NAMESPACES = ("c10", "at", "torch", "caffe2", "thpp")
# C symbol prefixes and library name prefixes of the CUDA libraries (family, prefixes).
_CUDA_FAMILIES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("cudnn", ("cudnn", "libcudnn")),
    ("cublas", ("cublas", "libcublas")),
    ("cusparse", ("cusparse", "libcusparse")),
    ("nvjitlink", ("__nvjitlink", "nvjitlink", "libnvjitlink")),
    ("nvrtc", ("nvrtc", "libnvrtc")),
    ("cufft", ("cufft", "libcufft")),
    ("curand", ("curand", "libcurand")),
    ("cusolver", ("cusolver", "libcusolver")),
    ("cudart", ("cudart", "libcudart")),
)
_TORCH_LIBS = ("libtorch", "libc10", "libcaffe2", "libshm")
_TORCH_LIB = re.compile(r"(?:%s)(?:[._]|$)" % "|".join(_TORCH_LIBS))


@dataclass(frozen=True)
class LoaderFailure:
    stated: Stated
    library: Optional[str]  # the library that complained (basename)
    symbol: str
    symbol_owner: str  # "torch" | "mkl" | "nccl" | a CUDA family ("cudnn", ...) | "other"
    library_owner: str  # "torch" | "nccl" | a CUDA family | "other" (an extension, an application)


def _namespace(symbol: str) -> Optional[str]:
    m = _MANGLED.match(symbol)
    if not m:
        return None
    length, rest = int(m.group(1)), m.group(2)
    return rest[:length]


def _family(name: str) -> Optional[str]:
    low = name.lower()
    if low.startswith(("nccl", "libnccl")):
        return "nccl"
    return next((fam for fam, prefixes in _CUDA_FAMILIES if low.startswith(prefixes)), None)


def symbol_owner(symbol: str) -> str:
    ns = _namespace(symbol)
    if ns is not None:
        if ns in _TORCH_NAMESPACES:
            return "torch"
        return _family(ns) or "other"
    if symbol.startswith("iJIT_"):
        return "mkl"
    if symbol.startswith(("THC", "THP", "TH")) and symbol[:3].isupper():
        return "torch"
    return _family(symbol) or "other"


def library_owner(library: Optional[str], text: str) -> str:
    # libtorch.so, libtorch_cuda.so, libc10_cuda.so — not libtorchaudio.so or libtorchvision.so,
    # extensions of torch that a name prefix alone would take for torch's own libraries.
    if library and _TORCH_LIB.match(library.lower()):
        return "torch"
    # A CUDA library's own name says whose it is, wherever it lies: "torch/lib/../../../../libcublas.so.11"
    # is a conda environment's lib/ reached through torch's RPATH, not one of torch's files.
    if library and _family(library):
        return _family(library)
    if re.search(r"[\\/]torch[\\/](?:lib[\\/]|_C[.\w-]*\.(?:so|pyd))", text):
        return "torch"
    return (_family(library) if library else None) or "other"


def loader_failures(found: Tuple[Stated, ...]) -> Tuple[LoaderFailure, ...]:
    out = []
    for s in found:
        if s.id not in ("loader_undefined_symbol", "loader_nccl_symbol"):
            continue
        symbol = str(s.fact("loader.symbol") or "")
        library = s.fact("loader.library")
        out.append(LoaderFailure(s, str(library) if library else None, symbol, symbol_owner(symbol),
                                 library_owner(str(library) if library else None, s.text)))
    return tuple(out)
