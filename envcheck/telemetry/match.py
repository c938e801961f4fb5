"""Which NVML GPU is ``cuda:N``: the one matcher for the burn and the bench.

CUDA numbers GPUs fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, NVML by PCI bus id,
and CUDA_VISIBLE_DEVICES renumbers only CUDA's list
(https://docs.nvidia.com/cuda/cuda-programming-guide/05-appendices/environment-variables.html),
so on a machine with two kinds of GPU the same number can name different cards. Matched
by the GPU's UUID, then by its PCI address, and only when torch gives neither by the
index arithmetic of CUDA_VISIBLE_DEVICES.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Tuple


@dataclass(frozen=True)
class CudaDevice:
    """What torch says about one CUDA device (``torch.cuda.get_device_properties``)."""

    index: int  # torch / CUDA index (after CUDA_VISIBLE_DEVICES)
    name: str
    uuid: Optional[str] = None  # "GPU-…" as NVML spells it
    pci: Optional[Tuple[int, int, int]] = None  # (domain, bus, device)
    total_memory_bytes: Optional[int] = None

    @property
    def label(self) -> str:
        return f"cuda:{self.index}"


def parse_bus_id(text: Optional[str]) -> Optional[Tuple[int, int, int]]:
    """NVML's ``00000000:3B:00.0`` (or the 4-digit-domain legacy form) → (domain, bus, device)."""
    m = re.fullmatch(r"([0-9a-fA-F]+):([0-9a-fA-F]+):([0-9a-fA-F]+)\.\d", (text or "").strip())
    return (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16)) if m else None


def bare_uuid(text: str) -> str:
    # NVML spells it "GPU-<hex groups>"; torch's cudaDeviceProp.uuid prints the hex groups only.
    text = text.strip().lower()
    return text[4:] if text.startswith("gpu-") else text


def visible_index(cuda_index: int, environ: Optional[Mapping[str, str]] = None) -> Optional[int]:
    """The NVML index of ``cuda:cuda_index`` from CUDA_VISIBLE_DEVICES alone (renumbered for
    CUDA, not for NVML) — right only when CUDA also orders GPUs by PCI bus id. None when the
    list names devices by UUID or MIG name."""
    env = os.environ if environ is None else environ
    visible = env.get("CUDA_VISIBLE_DEVICES")
    if visible is None or not visible.strip():
        return cuda_index
    entries = [e.strip() for e in visible.split(",") if e.strip()]
    if cuda_index >= len(entries) or not entries[cuda_index].isdigit():
        return None
    return int(entries[cuda_index])


def match_nvml(cuda: CudaDevice, gpus: Sequence[Any], environ: Optional[Mapping[str, str]] = None
               ) -> Tuple[Optional[Any], str]:
    """(the NVML record (``GpuFacts``) of the same GPU, "") or (None, why not)."""
    if cuda.uuid:
        for g in gpus:
            if g.uuid.ok and bare_uuid(g.uuid.value) == bare_uuid(cuda.uuid):
                return g, ""
    if cuda.pci:
        for g in gpus:
            if g.pci_bus_id.ok and parse_bus_id(g.pci_bus_id.value) == cuda.pci:
                return g, ""
    if cuda.uuid or cuda.pci:
        return None, f"NVML lists no GPU with {cuda.label}'s UUID or PCI address"
    index = visible_index(cuda.index, environ)
    if index is None:
        return None, "CUDA_VISIBLE_DEVICES names devices by UUID; no NVML index"
    for g in gpus:
        if g.index == index:
            return g, ""
    return None, f"NVML lists no GPU {index}"
