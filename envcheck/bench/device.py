"""Which device and numeric precision a bench runs with, and the backend switches it sets.

Every switch is set explicitly (never left to a default that changed between torch
releases): cuDNN autotuning on, and TF32 on or off according to the precision. torch
2.9 added ``torch.backends.cuda.matmul.fp32_precision`` / ``torch.backends.cudnn.conv.
fp32_precision`` and refuses to mix them with the older ``allow_tf32`` flags
(https://pytorch.org/docs/main/notes/cuda.html#tensorfloat-32-tf32-on-ampere-and-later-devices),
so the new spelling is used where it exists and the old one otherwise.
"""

from __future__ import annotations

import contextlib
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

import torch

from envcheck import devices
from envcheck.errors import EnvcheckError, SetupError
from envcheck.telemetry.match import CudaDevice

PRECISIONS = ("auto", "fp32", "tf32", "bf16", "fp16")


@dataclass(frozen=True)
class Precision:
    name: str  # "fp32" | "tf32" | "bf16" | "fp16"
    autocast_dtype: Optional[torch.dtype]  # None: no autocast
    use_scaler: bool  # fp16 needs a GradScaler; bf16 has fp32's range and does not
    tf32: bool  # TF32 tensor-core math for the fp32 matmuls/convolutions that remain

    @property
    def peak_key(self) -> str:
        """The key of the spec table's peak TFLOP/s that this precision runs at."""
        return self.name


def gpu_count() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_device(requested: str = "auto") -> torch.device:
    """The one device ``--device`` names (``envcheck.devices`` vocabulary)."""
    return torch.device(devices.one(devices.parse(requested or "auto"), gpu_count(),
                                    devices.no_gpu_reason(torch.__version__, torch.version.cuda)))


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(dev: torch.device) -> str:
    """The GPU's marketing name (what NVML and the spec table use), or the CPU model."""
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return cpu_model()


def resolve_precision(requested: str, dev: torch.device) -> Precision:
    name = (requested or "auto").lower()
    if name not in PRECISIONS:
        raise EnvcheckError(f"--precision {requested}: choose one of {', '.join(PRECISIONS)}")
    if name == "auto":
        if dev.type == "cuda":
            name = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            # Measured on this project's 2-core AVX2 CPU: bf16 autocast made the reference
            # CNN slower, not faster (docs/bench.md), so auto stays fp32 on CPUs.
            name = "fp32"
    if dev.type == "cpu":
        if name == "fp16":
            raise EnvcheckError("--precision fp16 needs a CUDA device; on the CPU use fp32 or bf16")
        if name == "tf32":
            raise EnvcheckError("--precision tf32 needs an NVIDIA GPU (Ampere or newer); on the CPU use fp32")
    if dev.type == "cuda" and name == "bf16" and not torch.cuda.is_bf16_supported():
        raise SetupError(f"--precision bf16: {device_name(dev)} has no bf16 support; use fp16 or fp32")
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(name)
    return Precision(name, dtype, use_scaler=(name == "fp16"), tf32=(name != "fp32"))


def _has_new_tf32_api() -> bool:
    return hasattr(torch.backends.cuda.matmul, "fp32_precision") and hasattr(torch.backends.cudnn, "conv")


@contextlib.contextmanager
def backend_settings(dev: torch.device, precision: Precision) -> Iterator[None]:
    """cuDNN autotuning on and TF32 as the precision says, for the duration; restored after.

    Nothing to set on the CPU (flushing denormals was tried: no denormal values showed up
    in LeNet's gradients here, so it would change numerics for no measured gain)."""
    if dev.type != "cuda":
        yield
        return
    saved_bench = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True
    if _has_new_tf32_api():
        mm, conv = torch.backends.cuda.matmul, torch.backends.cudnn.conv
        saved = (mm.fp32_precision, conv.fp32_precision)
        mm.fp32_precision = conv.fp32_precision = "tf32" if precision.tf32 else "ieee"
        try:
            yield
        finally:
            mm.fp32_precision, conv.fp32_precision = saved
            torch.backends.cudnn.benchmark = saved_bench
    else:
        saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = precision.tf32
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
            torch.backends.cudnn.benchmark = saved_bench


def cuda_devices() -> List[CudaDevice]:
    """Every CUDA device torch sees, without creating a context on any of them (the burn
    and the bench match them to NVML's GPUs with ``envcheck.telemetry.match``)."""
    if not torch.cuda.is_available():
        return []
    out = []
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        uuid = getattr(p, "uuid", None)
        pci = None
        if hasattr(p, "pci_bus_id"):
            pci = (int(getattr(p, "pci_domain_id", 0)), int(p.pci_bus_id), int(getattr(p, "pci_device_id", 0)))
        text = str(uuid) if uuid is not None else ""
        out.append(CudaDevice(i, p.name, (text if text.startswith("GPU-") else f"GPU-{text}") if text else None, pci,
                              int(p.total_memory)))
    return out
