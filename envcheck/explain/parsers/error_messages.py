"""Error messages and warnings printed by torch, the CUDA runtime and friends.

Every recognised error line goes verbatim into ``torch.errors`` (warnings into
``torch.warnings``) for the rules to read. A few messages also state facts, which are
recorded as such:

* ``<GPU> with CUDA capability sm_120 is not compatible with the current PyTorch
  installation. The current PyTorch install supports CUDA capabilities sm_50 …`` — the
  GPU's compute capability and torch's compiled arch list (torch/cuda/__init__.py);
* ``Found GPU0 <GPU> which is of cuda capability 3.5`` — the same, for too-old GPUs;
* ``cuDNN version incompatibility: PyTorch was compiled against (8, 3, 2) but linked
  against (8, 0, 3)`` — compiled and loaded cuDNN, encoded as torch.backends.cudnn.version()
  does (M*1000+m*100+p up to 8.x, M*10000+m*100+p from 9.0);
* ``The NVIDIA driver on your system is too old (found version 11040)`` — the driver's
  CUDA version (11040 → 11.4);
* ``Torch not compiled with CUDA enabled`` — a CPU-only build (``torch.version.cuda`` None);
* ``No module named 'torch'`` — torch is not installed;
* ``undefined symbol`` / ``cannot open shared object file`` during ``import torch`` — the import error.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.knowledge.archs import cuda_int_text, cudnn_int
from envcheck.reading import Status

from ..partial import TOOL, Found
from ..source import Pasted

SOURCE = "error message"
_I = re.IGNORECASE

# Messages that are errors for the rules to read; the name is for tests and documentation.
ERRORS: Tuple[Tuple[str, re.Pattern], ...] = tuple((n, re.compile(p, _I)) for n, p in (
    ("no_kernel_image", r"no kernel image is available for execution on the device"),
    ("driver_insufficient", r"CUDA driver version is insufficient for CUDA runtime version|cudaErrorInsufficientDriver"),
    ("driver_too_old", r"The NVIDIA driver on your system is too old"),
    ("ptx_toolchain", r"the provided PTX was compiled with an unsupported toolchain"),
    ("not_compiled_with_cuda", r"Torch not compiled with CUDA enabled"),
    ("no_driver", r"Found no NVIDIA driver on your system"),
    ("no_device", r"no CUDA-capable device is detected"),
    ("no_gpus_available", r"No CUDA GPUs are available"),
    ("cudnn_incompatible", r"cuDNN version incompatibility"),
    ("undefined_symbol", r"undefined symbol"),
    ("cannot_open_library", r"lib[\w.+-]*\.so[\d.]*: cannot open shared object file"),
    ("could_not_load_library", r"Could not load library lib\w+"),
    ("out_of_memory", r"CUDA out of memory|CUDA error: out of memory|OutOfMemoryError"),
    ("cuda_unknown_error", r"CUDA unknown error"),
    # cudaGetDeviceCount's message embeds the CUDA error; the specific ones come first
    ("forward_compat", r"forward compatibility was attempted on non supported HW"),
    ("unsupported_display_driver", r"system has unsupported display driver / cuda driver combination"),
    ("system_not_initialized", r"system not yet initialized"),
    ("device_count_failed", r"Unexpected error from cudaGetDeviceCount"),
    ("invalid_ordinal", r"invalid device ordinal"),
    ("init_failed", r"CUDA driver initialization failed"),
    ("thcudacheck", r"THCudaCheck FAIL"),
    ("device_side_assert", r"device-side assert triggered"),
    ("illegal_memory_access", r"an illegal memory access was encountered"),
    ("ecc_uncorrectable", r"uncorrectable ECC error encountered"),
    ("launch_failure", r"unspecified launch failure"),
    ("library_status", r"\b(?:CUBLAS|CUDNN|CUSOLVER|CUFFT)_STATUS_[A-Z_]+"),
    ("nccl_error", r"\bNCCL error\b"),
    ("nvrtc_arch", r"nvrtc: error: invalid value for --gpu-architecture"),
    ("fallen_off_bus", r"fallen off the bus"),
    ("invalid_cuda_device", r"Invalid CUDA 'device=[^']*' requested"),
    ("docker_no_gpu_driver", r"could not select device driver \"\" with capabilities: \[\[gpu\]\]"),
    ("torch_missing", r"No module named '?torch'?(?![\w.])"),
))
WARNINGS: Tuple[Tuple[str, re.Pattern], ...] = tuple((n, re.compile(p, _I)) for n, p in (
    ("arch_not_compatible", r"with CUDA capability sm_\d+a? is not compatible with the current PyTorch installation"),
    ("gpu_too_old", r"Found GPU\d+ .+ which is of (?:cuda|compute) capability"),
    ("gpu_needs_newer_cuda", r"Found GPU\d+ .+ which requires CUDA_VERSION"),
    ("cuda_init_warning", r"CUDA initialization:"),
    ("nvml_init_warning", r"Can't initialize NVML"),
))

_ARCH_WARN = re.compile(r"(?:UserWarning:\s*)?(?P<name>[^:]+?) with CUDA capability sm_(?P<cc>\d+)a? is not compatible")
_ARCH_LIST = re.compile(r"supports CUDA capabilities ((?:(?:sm|compute)_\d+a?[\s.]*)+)")
_OLD_GPU = re.compile(r"Found GPU(?P<idx>\d+) (?P<name>.+?) which is of (?:cuda|compute) capability (?:\(CC\) )?"
                      r"(?P<maj>\d+)\.(?P<min>\d+)")
_NEEDS_CUDA = re.compile(r"Found GPU(?P<idx>\d+) (?P<name>.+?) which requires CUDA_VERSION >= \d+.*?compiled\s+with "
                         r"CUDA_VERSION (?P<v>\d+)", re.S)
_CUDNN = re.compile(r"compiled\s+against \((\d+), ?(\d+), ?(\d+)\) but (?:linked against|found runtime version) "
                    r"\((\d+), ?(\d+), ?(\d+)\)")
_DRIVER_FOUND = re.compile(r"driver on your system is too old \(found version (\d+)\)")
_IMPORT_CONTEXT = re.compile(r"\bimport torch\b|torch/__init__\.py|ImportError|OSError|on import|from torch\b")


def _message(lines: Tuple[str, ...], i: int, span: int) -> str:
    """A warning spread over ``span`` lines, joined into one."""
    parts = [lines[j].strip() for j in range(i, min(i + span, len(lines))) if lines[j].strip()]
    return " ".join(parts)


def _arch_warning(f: Found, lines: Tuple[str, ...], i: int) -> str:
    m = _ARCH_WARN.search(lines[i])
    text = lines[i].strip()
    if not m:
        return text
    cc = m.group("cc")
    f.gpu(None, i, name=m.group("name").strip(), compute_capability=f"{cc[:-1]}.{cc[-1]}")
    for j in range(i, min(i + 3, len(lines))):
        lm = _ARCH_LIST.search(lines[j])
        if lm:
            archs = tuple(a.strip(" .") for a in lm.group(1).split() if a.strip(" ."))
            f.set("torch.arch_list", archs, j)
            text = _message(lines, i, j - i + 1)
            break
    return re.sub(r"^.*?UserWarning:\s*", "", text)


def _warning(f: Found, name: str, lines: Tuple[str, ...], i: int) -> str:
    if name == "arch_not_compatible":
        return _arch_warning(f, lines, i)
    if name == "gpu_too_old":
        m = _OLD_GPU.search(lines[i])
        if m:
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip(),
                  compute_capability=f"{m.group('maj')}.{m.group('min')}")
        return _message(lines, i, 3)
    if name == "gpu_needs_newer_cuda":
        text = _message(lines, i, 4)
        m = _NEEDS_CUDA.search(text)
        if m:
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip())
            f.set("torch.cuda_build", cuda_int_text(int(m.group("v"))), i,
                  detail=f"torch warning: compiled with CUDA_VERSION {m.group('v')}")
        return text
    return re.sub(r"^.*?UserWarning:\s*", "", lines[i].strip())


def _error_facts(f: Found, name: str, lines: Tuple[str, ...], i: int) -> None:
    line = lines[i]
    if name == "not_compiled_with_cuda":
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build: {line.strip()}")
        f.set("torch.installed", True, i)
    elif name == "cudnn_incompatible":
        m = _CUDNN.search(_message(lines, i, 2))
        if m:
            n = [int(x) for x in m.groups()]
            f.set("torch.cudnn_compiled_version", cudnn_int(*n[:3]), i)
            f.set("torch.cudnn_version", cudnn_int(*n[3:]), i)
    elif name == "driver_too_old":
        m = _DRIVER_FOUND.search(line)
        if m:
            f.set("nvml.cuda_driver_version", cuda_int_text(int(m.group(1))), i,
                  detail=f"torch: driver too old (found version {m.group(1)}), line {i + 1}")
    elif name == "torch_missing":
        f.set("torch.installed", False, i, detail=line.strip())
    elif name in ("undefined_symbol", "cannot_open_library"):
        context = " ".join(lines[max(0, i - 15):i + 1])
        if _IMPORT_CONTEXT.search(context):
            f.set("torch.import_error", line.strip(), i)
            f.set("torch.installed", True, i)


def recognise(line: str) -> Optional[Tuple[str, str]]:
    """("error" | "warning", signature name) for a line, or None."""
    for name, pattern in ERRORS:
        if pattern.search(line):
            return "error", name
    for name, pattern in WARNINGS:
        if pattern.search(line):
            return "warning", name
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    for i, line in enumerate(lines):
        hit = recognise(line)
        if hit is None:
            continue
        kind, name = hit
        if kind == "warning":
            text = _warning(f, name, lines, i)
            f.error(text, i, "torch.warnings")
        else:
            _error_facts(f, name, lines, i)
            f.error(line, i)
    return f
