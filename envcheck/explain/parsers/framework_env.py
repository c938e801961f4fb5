"""Environment reports and banners printed by libraries built on torch.

* Ultralytics: ``Ultralytics YOLOv8.1.3 🚀 Python-3.10.11 torch-2.1.0+cpu CPU (…)`` or
  ``… torch-2.1.0+cu121 CUDA:0 (NVIDIA GeForce RTX 3060, 12288MiB)``;
* ``transformers-cli env`` / ``accelerate env`` / ``diffusers-cli env``:
  ``- PyTorch version (GPU?): 2.1.0+cu121 (True)``, ``- Platform: Linux-…``;
* mmcv / mmdet / mmengine ``collect_env``: ``PyTorch: 1.10.0+cu113``, ``GPU 0,1: NVIDIA …``,
  ``CUDA available: True``, ``Python: 3.8.10 (default, …)``;
* detectron2's table: ``PyTorch  1.10.0+cu113 @/…``, ``GPU 0  NVIDIA … (arch=8.6)``,
  ``Driver version  470.82.01``, ``GPU available  Yes``;
* Lightning's ``collect_env_details.py``: ``* CUDA:`` then ``- GPU:`` with one indented
  ``- <name>`` per GPU, ``- available: True``, ``- version: 11.3`` (torch's CUDA), and
  ``- torch: 1.12.1`` / ``- python: 3.9.13`` further down;
* ``llamafactory-cli env``: ``- PyTorch version: 2.2.2 (GPU)`` (the suffix is added when
  ``torch.cuda.is_available()``), ``- GPU type: <torch.cuda.get_device_name()>``;
* ComfyUI's system information: ``- Name: cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync``
  (a device torch opened);
* ``torch.__config__.show()`` ("PyTorch built with:"): ``- CUDA Runtime 11.3``,
  ``- CuDNN 8.5`` (loaded) and ``- Built with CuDNN 8.3.2``, and
  ``- NVCC architecture flags: -gencode;arch=compute_37,code=sm_37;…`` (the arch list).
"""

from __future__ import annotations

import bisect
import re
from typing import Tuple

from envcheck.explain.parsers.system import python_platform, set_kernel
from envcheck.explain.partial import PROGRAM, REPORT, Found
from envcheck.explain.source import Pasted, literal_prefix
from envcheck.knowledge.archs import cudnn_int
from envcheck.lazyre import lazy

SOURCE = "library report"
_MIB = 1 << 20

_ULTRALYTICS = lazy(r"Ultralytics\b.*?Python-(?P<py>\d+\.\d+\.\d+)\s+torch-(?P<torch>\d\S*)"
                    r"(?:\s+(?P<cuda>CUDA:(?P<idx>\d+) \((?P<name>[^,]+), (?P<mib>\d+)MiB\)))?")
_HF_TORCH = lazy(r"PyTorch version \((?:GPU|accelerator)\?\):\s*(?P<v>\S+)\s*\((?P<gpu>[^)]*)\)")
_PLATFORM = lazy(r"^\s*-\s*Platform:\s*(\S+)")
_MM_TORCH = lazy(r"^PyTorch:\s*(\d+\.\d+\S*)\s*$")
_MM_PYTHON = lazy(r"^Python:\s*(\d+\.\d+\.\d+)")
_MM_GPUS = lazy(r"^GPU (\d{1,3}(?:,\d{1,3})*):\s+(.+?)(?:\s+\(UUID: [^)]*\))?\s*$")
_MM_CUDA = lazy(r"^CUDA available:\s*(True|False)\s*$")
_D2_TORCH = lazy(r"^PyTorch\s{2,}(\d+\.\d+\S*)(?:\s+@\S+)?\s*$")
_D2_GPU_AVAILABLE = lazy(r"^GPU available\s{2,}(Yes|No|True|False)\b")
_D2_GPUS = lazy(r"^GPU (\d{1,3}(?:,\d{1,3})*)\s{2,}(.+?)\s*\(arch=(\d+\.\d+)\)\s*$")
_D2_DRIVER = lazy(r"^Driver version\s{2,}(\d+\.\d+(?:\.\d+)?)\s*$")
_D2_PYTHON = lazy(r"^Python\s{2,}(\d+\.\d+\.\d+)")
_LF_SECTION = lazy(r"^\*\s+(CUDA|Lightning|Packages|System):\s*$")
_LF_ITEM = lazy(r"^(?P<indent>\s+)-\s+(?P<key>[\w .-]+?):\s*(?P<value>\S.*)?$")
_LF_LIST = lazy(r"^\s+-\s+(?P<value>[^:]+?)\s*$")
_LLAMAFACTORY_TORCH = lazy(r"^\s*-\s*PyTorch version:\s*\S+\s+\((?:GPU|NPU|MPS)\)\s*$")
_LLAMAFACTORY_GPU = lazy(r"^\s*-\s*GPU type:\s*(\S.*?)\s*$")
_COMFY_DEVICE = lazy(r"^\s*-\s*Name:\s*cuda:(\d+)\s+(.+?)\s*:\s*[\w.-]+\s*$")
_CFG_CUDA = lazy(r"^\s*-\s*CUDA Runtime (\d+\.\d+)")
_CFG_CUDNN = lazy(r"^\s*-\s*CuDNN (\d+)\.(\d+)(?:\.(\d+))?")
_CFG_CUDNN_BUILT = lazy(r"^\s*-\s*Built with CuDNN (\d+)\.(\d+)(?:\.(\d+))?")
_CFG_ARCH = lazy(r"NVCC architecture flags:\s*(\S+)")


def _gpus(f: Found, indices: str, name: str, i: int, cc: str = None) -> None:
    for idx in indices.split(","):
        if idx.strip().isdigit():
            f.gpu(int(idx), i, name=name, compute_capability=cc)


def _torch(f: Found, version: str, i: int, rank: int = PROGRAM) -> None:
    f.set("torch.version", version, i, rank=rank)
    f.set("torch.installed", True, i, rank=rank)


def _line(f: Found, line: str, i: int) -> bool:
    """Read one line (nothing but the line); False when nothing on it was recognised."""
    # Each "x in line" is a word the pattern after it needs (cheaper than trying the pattern).
    m = _ULTRALYTICS.search(line) if "Ultralytics" in line else None
    if m:
        f.set("python.version", m.group("py"), i)
        _torch(f, m.group("torch"), i)
        if m.group("cuda"):
            f.set("torch.cuda_available", True, i)
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip(), memory_total_bytes=int(m.group("mib")) * _MIB)
        return True
    m = _HF_TORCH.search(line) if "PyTorch version (" in line else None
    if m:
        _torch(f, m.group("v"), i)
        gpu = m.group("gpu").strip().lower()
        if gpu in ("true", "cuda"):
            f.set("torch.cuda_available", True, i)
        elif gpu in ("false", "na", "n/a", "cpu"):
            f.set("torch.cuda_available", False, i)
        return True
    m = _PLATFORM.match(line) if "Platform:" in line else None
    if m and python_platform(m.group(1)):
        kernel, arch = python_platform(m.group(1))
        set_kernel(f, kernel, i)
        f.set("host.arch", arch, i)
        return True
    s = line.strip()
    for pattern, action in _SIMPLE:
        m = pattern.match(s) if s.startswith(_STARTS[pattern]) else None
        if m:
            action(f, m, i)
            return True
    return False


_SIMPLE: Tuple = (
    (_MM_TORCH, lambda f, m, i: _torch(f, m.group(1), i, REPORT)),
    (_D2_TORCH, lambda f, m, i: _torch(f, m.group(1), i, REPORT)),
    (_MM_PYTHON, lambda f, m, i: f.set("python.version", m.group(1), i, rank=REPORT)),
    (_D2_PYTHON, lambda f, m, i: f.set("python.version", m.group(1), i, rank=REPORT)),
    (_MM_CUDA, lambda f, m, i: f.set("torch.cuda_available", m.group(1) == "True", i, rank=REPORT)),
    (_D2_GPU_AVAILABLE, lambda f, m, i: f.set("torch.cuda_available", m.group(1) in ("Yes", "True"), i, rank=REPORT)),
    (_D2_GPUS, lambda f, m, i: _gpus(f, m.group(1), m.group(2), i, m.group(3))),
    (_MM_GPUS, lambda f, m, i: _gpus(f, m.group(1), m.group(2), i)),
    (_D2_DRIVER, lambda f, m, i: f.set("nvml.driver_version", m.group(1), i, rank=REPORT)),
)
# What a line starts with for each of those patterns to match it (a startswith is much cheaper).
_STARTS = {pattern: literal_prefix(pattern) for pattern, _ in _SIMPLE}


def _config(f: Found, lines: Tuple[str, ...]) -> None:
    """torch.__config__.show(): only the lines under "PyTorch built with:"."""
    inside = False
    for i, line in enumerate(lines):
        if "PyTorch built with:" in line:
            inside = True
            continue
        if not inside:
            continue
        if line.strip() and not line.lstrip().startswith("-"):
            inside = False
            continue
        m = _CFG_CUDA.match(line)
        if m:
            f.set("torch.cuda_build", m.group(1), i, rank=REPORT)
        m = _CFG_CUDNN_BUILT.match(line)
        if m:
            f.set("torch.cudnn_compiled_version", cudnn_int(*(int(x or 0) for x in m.groups())), i, rank=REPORT)
            continue
        m = _CFG_CUDNN.match(line)
        if m:
            f.set("torch.cudnn_version", cudnn_int(*(int(x or 0) for x in m.groups())), i, rank=REPORT)
        m = _CFG_ARCH.search(line)
        if m:
            archs = tuple(dict.fromkeys(re.findall(r"code=\[?((?:sm|compute)_\d+a?)", m.group(1))))
            if archs:
                f.set("torch.arch_list", archs, i, rank=REPORT)


def _lightning(f: Found, doc: Pasted) -> None:
    """Lightning's environment report: sections "* CUDA:", "* Packages:", "* System:"."""
    lines = doc.lines
    # Outside a section only a header is read: the lines that may be one are looked up at once
    # (a header starts on "*" and names its section), and the lines between them skipped.
    heads = [i for i in doc.lines_containing("cuda:", "lightning:", "packages:", "system:") if lines[i][:1] == "*"]
    section = None
    in_gpus = False
    index = 0
    i = -1
    while True:
        i += 1
        if section is None:
            k = bisect.bisect_left(heads, i)
            if k == len(heads):
                break
            i = heads[k]
        if i >= len(lines):
            break
        line = lines[i]
        m = _LF_SECTION.match(line)
        if m:
            section, in_gpus = m.group(1), False
            continue
        if section is None:
            continue
        item = _LF_ITEM.match(line)
        if item:
            key, value = item.group("key").strip().lower(), (item.group("value") or "").strip()
            in_gpus = section == "CUDA" and key == "gpu" and not value
            if section == "CUDA" and key == "available" and value in ("True", "False"):
                f.set("torch.cuda_available", value == "True", i, rank=REPORT)
            elif section == "CUDA" and key == "version" and re.match(r"^\d+\.\d+$", value):
                f.set("torch.cuda_build", value, i, rank=REPORT)
            elif section in ("Packages", "Lightning") and key == "torch" and re.match(r"^\d+\.\d+", value):
                _torch(f, value, i, REPORT)
            elif section == "System" and key == "python" and re.match(r"^\d+\.\d+", value):
                f.set("python.version", value, i, rank=REPORT)
            continue
        listed = _LF_LIST.match(line) if in_gpus else None
        if listed:
            f.gpu(index, i, rank=REPORT, name=listed.group("value"))
            index += 1
        elif line.strip():
            section = None if not line.startswith((" ", "\t")) else section


def _reports(f: Found, line: str, i: int) -> bool:
    """One-line forms of llamafactory's and ComfyUI's reports (nothing but the line read);
    False when the line is neither."""
    if _LLAMAFACTORY_TORCH.match(line):
        f.set("torch.cuda_available", True, i, detail=f"'(GPU)' follows the version: CUDA was available (line {i + 1})")
        return True
    m = _LLAMAFACTORY_GPU.match(line)
    if m:
        f.gpu(0, i, name=m.group(1))
        return True
    m = _COMFY_DEVICE.match(line)
    if m:
        f.gpu(int(m.group(1)), i, name=m.group(2))
        f.set("torch.cuda_available", True, i, detail=f"ComfyUI opened cuda:{m.group(1)} (line {i + 1})")
        return True
    return False


# Every one-line form above names one of these (the multi-line reports start on a header).
_MAY_REPORT = ("ultralytics", "pytorch", "platform:", "gpu ", "cuda available", "driver version", "python", "name:")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    # Lines on which nothing was recognised, not read again where they repeat (a long log): both
    # readers read the line alone, so a copy of such a line says nothing either.
    idle, idle_report = set(), set()
    for i in doc.lines_containing(*_MAY_REPORT):
        line = doc.lines[i]
        if line not in idle and not _line(f, line, i):
            idle.add(line)
        if line.lstrip().startswith("-") and line not in idle_report and not _reports(f, line, i):
            idle_report.add(line)
    if "PyTorch built with:" in doc.text:
        _config(f, doc.lines)
    if "* CUDA:" in doc.text or "* System:" in doc.text:
        _lightning(f, doc)
    return f
