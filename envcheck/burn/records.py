"""The burn-in's records: what each device did, what it computed, how it looked, the verdict.

Plain frozen dataclasses (serialised by :mod:`envcheck.serial`), so the verdict code
only ever sees data: a test builds these by hand, or from a fake telemetry stream, and
gets exactly the verdict a real run would give for the same numbers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ..reading import UNKNOWN, Reading


class Verdict(str, enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"  # the hardware (or its software stack) computed wrong or reported a fault
    ERROR = "error"  # could not judge: too little work, the worker broke for a non-hardware reason

    def __str__(self) -> str:  # pragma: no cover - convenience for f-strings
        return self.value


# Reason levels, most severe first; a verdict is the most severe level among its reasons.
LEVELS = ("fail", "error", "warn", "info")


@dataclass(frozen=True)
class Reason:
    level: str  # one of LEVELS
    code: str  # stable snake_case id (docs/burn.md lists them)
    text: str  # one line a person reads


@dataclass(frozen=True)
class SpecPeaks:
    """The GPU's spec-sheet peaks from the knowledge tables (``gpu_specs.toml``)."""

    name: str  # the table's part name, "H100 SXM5 80GB"
    tflops: Dict[str, float]  # dense peak per dtype: fp32, tf32, bf16, fp16
    memory_bandwidth_gb_s: Optional[float] = None
    pcie_gen: Optional[int] = None
    pcie_width: Optional[int] = None
    status: str = "U"  # the table's confidence in the figures: V verified, S secondary, U unverified


@dataclass(frozen=True)
class DeviceInfo:
    """What is known about a device before the burn starts (NVML static facts, or the CPU)."""

    device: str  # "cuda:0" (CUDA index, as torch numbers it) or "cpu"
    kind: str  # "cuda" | "cpu"
    name: Reading[str] = UNKNOWN
    nvml_index: Optional[int] = None  # NVML's index for the same GPU (matched by UUID / PCI bus id)
    temp_max_c: Reading[int] = UNKNOWN  # NVML "GPU max operating" (or slowdown) threshold; CPU: critical
    temp_max_source: str = ""  # which threshold temp_max_c is
    power_limit_w: Reading[float] = UNKNOWN
    clock_sm_max_mhz: Reading[int] = UNKNOWN
    pcie_gen_max: Reading[int] = UNKNOWN
    pcie_width_max: Reading[int] = UNKNOWN
    memory_total_bytes: Reading[int] = UNKNOWN
    spec: Optional[SpecPeaks] = None


@dataclass(frozen=True)
class GemmCounter:
    dtype: str  # fp32 | tf32 | bf16 | fp16
    n: int = 0  # square matrix size
    slots: int = 0  # result buffers kept in memory (they fill ~90% of free memory on a GPU)
    memory_fraction: Optional[float] = None  # share of free memory the buffers took
    ops: int = 0
    flops: float = 0.0
    busy_s: float = 0.0
    skipped: Optional[str] = None  # why this dtype did not run (never a failure by itself)

    @property
    def tflops(self) -> Optional[float]:
        return self.flops / self.busy_s / 1e12 if self.busy_s > 0 and self.ops else None


@dataclass(frozen=True)
class WorkCounters:
    """Cumulative work done by one device's worker (sent over the queue about once a second)."""

    gemm: Dict[str, GemmCounter] = field(default_factory=dict)
    bandwidth_ops: int = 0
    bandwidth_bytes: float = 0.0  # bytes read + written by the copy / triad kernels
    bandwidth_busy_s: float = 0.0
    cnn_steps: int = 0
    cnn_images: int = 0
    cnn_flops: float = 0.0
    cnn_busy_s: float = 0.0
    load_s: float = 0.0  # wall seconds under load (from the common start to the stop)

    @property
    def busy_s(self) -> float:
        return sum(g.busy_s for g in self.gemm.values()) + self.bandwidth_busy_s + self.cnn_busy_s

    @property
    def bandwidth_gb_s(self) -> Optional[float]:
        return self.bandwidth_bytes / self.bandwidth_busy_s / 1e9 if self.bandwidth_busy_s > 0 else None

    @property
    def cnn_images_per_s(self) -> Optional[float]:
        return self.cnn_images / self.cnn_busy_s if self.cnn_busy_s > 0 else None


@dataclass(frozen=True)
class CheckResult:
    """One correctness comparison.

    kind ``reference``: the seeded problem's first result against float64 on the CPU;
    ``repeat``: a later recomputation against that first result; ``slots``: the GEMM
    result buffers (same inputs) against the first buffer; ``conv``: the verify quick
    check of convolutions at the start; ``finite``: a running workload produced NaN/Inf.
    """

    kind: str
    dtype: str
    passed: bool
    t_s: float = 0.0  # seconds since the common start (negative: during set-up)
    rel_err: Optional[float] = None  # ||out - expected|| / ||expected|| (slots: max |diff| / max |first|)
    tol: Optional[float] = None
    bitwise_equal: Optional[bool] = None  # repeat/slots: identical bits
    finite: bool = True
    detail: Optional[str] = None


@dataclass(frozen=True)
class WorkerStatus:
    """How a device's worker ended, and what it said on the way."""

    state: str = "not_started"  # not_started | ready | running | done | crashed | cuda_error | error | setup_failed
    detail: Optional[str] = None
    notes: Tuple[str, ...] = ()  # skipped workloads, memory back-offs, unavailable parts
    ready_s: Optional[float] = None  # parent clock: set-up finished
    versions: Dict[str, str] = field(default_factory=dict)  # torch, cuda, cudnn as the worker saw them


@dataclass(frozen=True)
class MicroItem:
    name: str  # "matmul", "device_copy", "device_triad", "h2d", "d2h"
    dtype: str  # matmul dtype; "pinned"/"pageable" for host transfers; "" otherwise
    value: float  # in unit
    unit: str  # "TFLOP/s", "GFLOP/s", "GB/s"
    size: str  # the problem, "8192x8192x8192" / "1024 MiB"
    repeats: int
    spread: float = 0.0  # (max - min) / median of the repeats
    peak: Optional[float] = None  # the reference to compare with, in unit
    peak_source: str = "unknown"  # "spec: H100 SXM5 80GB (V)", "PCIe gen5 x16", "unknown"
    fraction_of_peak: Optional[float] = None


@dataclass(frozen=True)
class MicroResult:
    device: str
    items: Tuple[MicroItem, ...] = ()
    notes: Tuple[str, ...] = ()
    error: Optional[str] = None
