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
"""

from __future__ import annotations

import re

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted
from envcheck.reading import Status

SOURCE = "torch.__config__"

_NO_CUDA_BINDING = re.compile(r"module 'torch\._C' has no attribute '(?P<name>_cuda_\w{1,40})'")
_SETTINGS = re.compile(r"Build settings:\s*(?P<settings>[A-Z_]+=[^\n]*)")
_SETTING = re.compile(r"\b(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>[^,\s]*)")


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
    for i in doc.lines_containing("torch._c"):
        m = _NO_CUDA_BINDING.search(doc.lines[i])
        if m:
            f.fail("torch.cuda_build", Status.NOT_FOUND, i,
                   detail=f"CPU-only build (torch._C has no {m.group('name')}, line {i + 1})")
            f.set("torch.installed", True, i)
            break
    return f
