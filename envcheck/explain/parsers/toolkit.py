"""The system CUDA toolkit and libraries: ``nvcc --version``, ``which nvcc``, ``ldconfig -p``
lines, and cuDNN's version header (``grep CUDNN_MAJOR -A 2 /usr/include/cudnn_version.h``).

``nvcc --version`` prints ``Cuda compilation tools, release 12.4, V12.4.131``; the
release is what envcheck compares (``toolkit.nvcc_version``). cuDNN ≥ 8 keeps its
version in ``cudnn_version.h`` (``#define CUDNN_MAJOR 8`` …); cuDNN 7 in ``cudnn.h``.
"""

from __future__ import annotations

import os
import re
from typing import Dict, Optional, Tuple

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import LibraryFile
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "CUDA toolkit"
_I = re.IGNORECASE

_NVCC = lazy(r"Cuda compilation tools, release (\d+\.\d+), V([\d.]+)")
_NVCC_PATH = lazy(r"^(/\S*/bin/nvcc|[A-Za-z]:\\\S*\\bin\\nvcc\.exe)$")
_NVCC_MISSING = lazy(r"nvcc'?\W{0,3}(?:command )?not found|command '?nvcc'? not found|'?nvcc'? is not recognized", _I)
_LDCONFIG = lazy(r"^\s*(?P<name>lib(?:cuda|cudart|cudnn\w*|nccl|cublas\w*|cufft|curand|cusparse\w*|cusolver|nvrtc"
                       r"|nvidia-ml|nvJitLink)\.so[\d.]*)\s+\((?P<abi>[^)]*)\)\s+=>\s+(?P<path>\S+)$")
_DEFINE = lazy(r"^\s*(?:(?P<file>\S*cudnn(?:_version)?\.h)[:-])?\s*#define\s+CUDNN_(?P<part>MAJOR|MINOR|PATCHLEVEL)"
                     r"\s+(?P<n>\d+)")
_MAY_TOOLKIT = ("nvcc", "cuda compilation", "=>")
_HEADER_PATH = lazy(r"(?:^|\s)(/\S*/cudnn(?:_version)?\.h)\b")


def _nvcc(f: Found, line: str, i: int, lines: Tuple[str, ...]) -> bool:
    m = _NVCC.search(line)
    if m:
        f.set("toolkit.nvcc_version", m.group(1), i)
        return True
    s = line.strip()
    m = _NVCC_PATH.match(s)
    if m:
        f.set("toolkit.nvcc_path", m.group(1), i)
        return True
    if _NVCC_MISSING.search(s):
        f.fail("toolkit.nvcc_path", Status.NOT_FOUND, i, detail=s)
        f.fail("toolkit.nvcc_version", Status.NOT_FOUND, i, detail=s)
        return True
    return False


def _ldconfig(f: Found, line: str, i: int) -> bool:
    m = _LDCONFIG.match(line)
    if not m:
        return False
    name, path = m.group("name"), m.group("path")
    base = os.path.basename(path)
    vm = re.search(r"\.so\.([\d.]+)$", base) or re.search(r"\.so\.([\d.]+)$", name)
    f.item("toolkit.libraries", path, LibraryFile(name=name, path=path, version=vm.group(1) if vm else None,
                                                  origin="ldconfig"), i)
    return True


def _cudnn_header(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    parts: Dict[str, Tuple[int, int]] = {}
    file: Optional[str] = None
    first = None
    for i in doc.lines_containing("#define"):
        line = lines[i]
        m = _DEFINE.match(line)
        if not m:
            continue
        if m.group("part") == "MAJOR":
            parts, file, first = {}, m.group("file"), i
            if not file:  # the path is on the command line just above: grep … /usr/include/cudnn_version.h
                for j in range(max(0, i - 4), i):
                    hm = _HEADER_PATH.search(lines[j]) if "cudnn" in lines[j] else None
                    if hm:
                        file = hm.group(1)
        parts[m.group("part")] = (int(m.group("n")), i)
        if len(parts) == 3 and first is not None:
            version = f"{parts['MAJOR'][0]}.{parts['MINOR'][0]}.{parts['PATCHLEVEL'][0]}"
            if file:
                f.item("toolkit.cudnn_headers", file, LibraryFile(name=os.path.basename(file), path=file,
                                                                  version=version, origin="header"), first)
            else:
                f.note(f"a cuDNN header says version {version}, but the text does not show which file it is")
            parts, first = {}, None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    for i in doc.lines_containing(*_MAY_TOOLKIT):
        line = lines[i]
        if "=>" not in line and _nvcc(f, line, i, lines):
            continue
        _ldconfig(f, line, i)
    _cudnn_header(f, doc)
    return f
