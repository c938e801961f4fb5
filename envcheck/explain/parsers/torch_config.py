"""``print(torch.__config__.show())``: the build settings torch was compiled with.

torch/__config__.py ``show()`` returns ``torch._C._show_config()`` (aten/src/ATen/Version.cpp
``show_config``): "PyTorch built with:", then "  - CUDA Runtime 12.1" and "  - CuDNN 8.9.2"
on a CUDA build, and one line "  - Build settings: BLAS_INFO=mkl, …, CUDA_VERSION=12.1, …,
TORCH_VERSION=2.1.0, USE_CUDA=ON, USE_CUDNN=ON, …, USE_ROCM=OFF, …" (caffe2's BuildInfo,
torch 1.x to 2.x). ``USE_CUDA=OFF`` without ``USE_ROCM=ON`` is a CPU-only build, read as
torch's own word (rank ``PROGRAM``); ``CUDA_VERSION`` the CUDA of a CUDA build and
``TORCH_VERSION`` the release.

The same holds for torch's compiled module missing its CUDA bindings: "AttributeError: module
'torch._C' has no attribute '_cuda_setDevice'" (torch/cuda/__init__.py ``set_device`` calls
``torch._C._cuda_setDevice`` without the ``_lazy_init`` check that would say "Torch not
compiled with CUDA enabled"; the ``_cuda_*`` functions come from torch/csrc/cuda/Module.cpp,
built only with USE_CUDA): the torch imported is a CPU-only build.

DeepSpeed's ``ds_report`` (deepspeed/env_report.py ``debug_report``) prints torch's own
values as dotted rows: "torch version .................... 2.1.0+cpu", "torch cuda version
............... None" (``torch.version.cuda``: None on a CPU-only build), "torch hip version
...... None"; its "deepspeed wheel compiled w. ...... torch 2.1, cuda 0.0" is DeepSpeed's
own build, not torch's.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "torch.__config__"

_NO_CUDA_BINDING = lazy(r"module 'torch\._C' has no attribute '(?P<name>_cuda_\w{1,40})'")
_DS_ROW = lazy(r"^\s*torch (?P<key>version|cuda version|hip version) \.{3,}\s*(?P<value>\S+)\s*$")
_SETTINGS = lazy(r"Build settings:\s*(?P<settings>[A-Z_]+=[^\n]*)")
_SETTING = lazy(r"\b(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>[^,\s]*)")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    for i in doc.lines_containing("build settings:"):
        m = _SETTINGS.search(doc.lines[i])
        if m is None:
            continue
        settings = {s.group("key"): s.group("value") for s in _SETTING.finditer(m.group("settings"))}
        if settings.get("TORCH_VERSION"):
            f.set("torch.version", settings["TORCH_VERSION"], i, detail=f"torch.__config__: TORCH_VERSION (line {i + 1})")
        cuda = settings.get("USE_CUDA", "").upper()
        if cuda in ("OFF", "0") and settings.get("USE_ROCM", "").upper() not in ("ON", "1"):
            f.fail("torch.cuda_build", Status.NOT_FOUND, i,
                   detail=f"CPU-only build (torch.__config__: USE_CUDA={settings['USE_CUDA']}, line {i + 1})")
            f.set("torch.installed", True, i)
        elif cuda in ("ON", "1") and re.match(r"^\d+\.\d+", settings.get("CUDA_VERSION", "")):
            f.set("torch.cuda_build", ".".join(settings["CUDA_VERSION"].split(".")[:2]), i,
                  detail=f"torch.__config__: CUDA_VERSION={settings['CUDA_VERSION']} (line {i + 1})")
        break
    _ds_report(f, doc)
    for i in doc.lines_containing("torch._c"):
        m = _NO_CUDA_BINDING.search(doc.lines[i])
        if m:
            f.fail("torch.cuda_build", Status.NOT_FOUND, i,
                   detail=f"CPU-only build (torch._C has no {m.group('name')}, line {i + 1})")
            f.set("torch.installed", True, i)
            break
    return f


def _ds_report(f: Found, doc: Pasted) -> None:
    rows = {}
    for i in doc.lines_containing("torch version ...", "torch cuda version ...", "torch hip version ..."):
        m = _DS_ROW.match(doc.lines[i])
        if m:
            rows[m.group("key")] = (i, m.group("value"))
    if "version" in rows and re.match(r"^\d+\.\d+", rows["version"][1]):
        i, v = rows["version"]
        f.set("torch.version", v, i, detail=f"ds_report: torch version (line {i + 1})")
    if "cuda version" not in rows:
        return
    i, v = rows["cuda version"]
    if re.match(r"^\d+\.\d+", v):
        f.set("torch.cuda_build", ".".join(v.split(".")[:2]), i, detail=f"ds_report: torch cuda version (line {i + 1})")
    elif v == "None" and not re.match(r"^\d", rows.get("hip version", (0, "None"))[1]):
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build (ds_report: torch cuda version None, line {i + 1})")
        f.set("torch.installed", True, i)
