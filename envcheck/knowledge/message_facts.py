"""The facts a catalogued message carries: each fact's name and how the text a pattern captured
becomes its value (a CUDA version, a compute capability, an arch list, a size). The names follow
envcheck/facts.py where a field exists; ``messages.toml``'s ``facts`` tables use them.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Mapping, Tuple

from envcheck.knowledge.archs import cc_text, cc_tuple, cuda_int_text, encode_cudnn, major_minor, sm_name


def _cuda(text: str) -> str:
    """A CUDA version as written upstream: "11040" (integer encoding) or "12.4" -> "M.m"."""
    text = text.strip()
    if text.isdigit() and int(text) >= 1000:
        return cuda_int_text(int(text))
    return major_minor(text) or text


def _cc(text: str) -> str:
    """A compute capability: "5.0", "sm_120", "86" -> "M.m"."""
    return cc_text(cc_tuple(text))


def _arch_list(text: str) -> Tuple[str, ...]:
    """torch's arch list, from "sm_50 sm_60 compute_90" or the 2.13+ lines "- 7.5 which supports ..."."""
    tokens = re.findall(r"(?:sm|compute)_\d+[af]?", text)
    if tokens:
        return tuple(tokens)
    return tuple(sm_name(cc) for cc in re.findall(r"-\s*(\d+\.\d+) which supports", text))


def _cudnn(text: str) -> int:
    """cuDNN as torch.backends.cudnn.version(): "(8, 3, 2)" -> 8302, "(9, 1, 0)" -> 90100, "91100" -> 91100."""
    numbers = re.findall(r"\d+", text)
    if len(numbers) == 1:
        return int(numbers[0])
    return encode_cudnn(".".join(numbers))


def _bytes(text: str) -> int:
    """torch's format_size: "20.11 GiB" (or "0 bytes", under a KiB) -> bytes."""
    number, unit = text.split()
    return int(float(number) * {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit])


_CONVERTERS: Dict[str, Callable[[str], object]] = {
    "cuda": _cuda, "cc": _cc, "arch_list": _arch_list, "cudnn": _cudnn, "int": int, "bytes": _bytes,
    "gib": lambda t: int(float(t) * 2**30),  # a bare number of GiB (vLLM's "4.12/23.68 GiB")
    "basename": lambda t: re.split(r"[\\/]", t.strip())[-1], "text": lambda t: " ".join(t.split()),
}

# Every fact a message can carry: name -> conversion. The names follow envcheck/facts.py
# where a field exists (nvml.cuda_driver_version, torch.arch_list, ...).
FACTS: Mapping[str, str] = {
    "nvml.cuda_driver_version": "cuda", "torch.cuda_build": "cuda", "toolkit.nvcc_version": "cuda",
    "toolkit.cuda_home": "text", "container.required_cuda": "cuda", "gpu.required_cuda": "cuda",
    "gpu.index": "int", "gpu.name": "text", "gpu.memory_held": "bytes",
    "gpu.memory_total": "bytes", "gpu.memory_free": "bytes", "gpu.memory_reserved": "bytes",
    "gpu.memory_free_gib": "gib", "gpu.memory_total_gib": "gib", "gpu.compute_capability": "cc", "gpu.pci_bus_id": "text",
    "torch.arch_list": "arch_list", "torch.min_compute_capability": "cc", "torch.version": "text",
    "torch.cudnn_compiled_version": "cudnn", "torch.cudnn_version": "cudnn", "torch.nccl_version": "text",
    "nccl.compiled_version": "text", "nccl.runtime_version": "text", "nccl.timeout_ms": "int",
    "nccl.elapsed_ms": "int", "nccl.shm_request_bytes": "int",
    "loader.library": "basename", "loader.symbol": "text", "loader.symbol_version": "text",
    "loader.required_version": "text", "loader.required_by": "text",
    "driver.userspace_library_version": "text", "driver.kernel_module_version": "text", "driver.xid": "int",
    "driver.module": "text", "cuda.error_code": "int", "library.status": "text",
    "env.cuda_visible_devices": "text", "env.torch_cuda_arch_list": "text",
    "compiler.name": "text", "compiler.version": "text", "compiler.max_version": "text",
    "pip.requirement": "text", "pip.available_versions": "text", "pip.wheel": "basename", "pip.ignored_versions": "text",
    "python.version": "text", "python.requires": "text", "conda.required_cuda": "text", "conda.package": "text",
    "windows.error_code": "int", "fabric_manager.version": "text", "detail": "text",
}


def convert(fact: str, raw: str) -> object:
    """The value of ``fact`` from the text a group captured."""
    return _CONVERTERS[FACTS[fact]](raw)
