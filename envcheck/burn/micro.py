"""Microbenchmarks (``envcheck burn --micro``): what the device does at its limits.

* matmul TFLOP/s per dtype at n = 8192 on a GPU (thousands of output tiles: every SM
  of the largest parts stays busy), GFLOP/s on the CPU at a size calibrated per dtype;
* device memory bandwidth: a copy (bytes read + bytes written) and a triad
  a = b + s·c (two reads, one write) of 1 GiB buffers (64 MiB on the CPU);
* host→device and device→host over PCIe from pinned and from pageable host memory.

Each figure: fresh random inputs (never zeros: zeros draw less power and some kernels
skip work), warm-up runs, then the median of REPEATS timed repeats (device events on a
GPU, ``perf_counter`` on the CPU); the spread says how steady the repeats were. The
parent adds the comparison with the spec peak and with the PCIe link (``attach_peaks``).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import replace
from typing import Any, Callable, List, Optional, Tuple

from .correctness import fp32_math, torch_dtype
from .records import MicroItem, MicroResult, SpecPeaks

REPEATS = 7
WARMUP = 2
GPU_MATMUL_N = 8192
GPU_BUFFER_BYTES = 1 << 30
GPU_TRANSFER_BYTES = 256 << 20
CPU_BUFFER_BYTES = 64 << 20

def _median_spread(values: List[float]) -> Tuple[float, float]:
    med = statistics.median(values)
    return med, ((max(values) - min(values)) / med if med else 0.0)


class _Timer:
    """Seconds for ``fn`` run ``inner`` times: CUDA events on a GPU, the host clock on the CPU."""

    def __init__(self, torch: Any, cuda: bool) -> None:
        self.torch, self.cuda = torch, cuda

    def __call__(self, fn: Callable[[], None], inner: int) -> float:
        torch = self.torch
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(inner):
                fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / 1e3
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        return time.perf_counter() - t0


def _measure(timer: _Timer, prepare: Callable[[], Callable[[], None]], inner: int, work: float,
             scale: float) -> Tuple[float, float]:
    """Median of REPEATS of ``work * inner / seconds / scale`` with fresh inputs each repeat."""
    fn = prepare()
    for _ in range(WARMUP):
        timer(fn, 1)
    rates = []
    for _ in range(REPEATS):
        fn = prepare()  # fresh random inputs, outside the timed region
        rates.append(work * inner / timer(fn, inner) / scale)
    return _median_spread(rates)


def matmul(torch: Any, device: str, dtype: str, n: int) -> MicroItem:
    cuda = device != "cpu"
    t = torch_dtype(torch, dtype)
    timer = _Timer(torch, cuda)

    def prepare() -> Callable[[], None]:
        a = (torch.rand(n, n, device=device) * 2 - 1).to(t)
        b = (torch.rand(n, n, device=device) * 2 - 1).to(t)
        c = torch.empty(n, n, device=device, dtype=t)
        return lambda: torch.matmul(a, b, out=c)

    unit, scale = ("TFLOP/s", 1e12) if cuda else ("GFLOP/s", 1e9)
    inner = 10 if cuda else 1
    ctx = fp32_math(torch, tf32=dtype == "tf32") if cuda and dtype in ("fp32", "tf32") else contextlib.nullcontext()
    with ctx:
        value, spread = _measure(timer, prepare, inner, 2.0 * n ** 3, scale)
    return MicroItem("matmul", dtype, round(value, 3), unit, f"{n}x{n}x{n}", REPEATS, round(spread, 4))


def device_bandwidth(torch: Any, device: str, size_bytes: int) -> List[MicroItem]:
    cuda = device != "cpu"
    n = size_bytes // 4
    timer = _Timer(torch, cuda)
    src, other = torch.rand(n, device=device) * 2 - 1, torch.rand(n, device=device) * 2 - 1
    dst = torch.empty_like(src)

    def copy() -> Callable[[], None]:
        src.uniform_(-1, 1)
        return lambda: dst.copy_(src)

    def triad() -> Callable[[], None]:
        src.uniform_(-1, 1)
        return lambda: torch.add(src, other, alpha=2.0, out=dst)

    inner = 20 if cuda else 3
    out = []
    for name, prep, traffic in (("device_copy", copy, 2), ("device_triad", triad, 3)):
        value, spread = _measure(timer, prep, inner, traffic * n * 4, 1e9)
        out.append(MicroItem(name, "fp32", round(value, 2), "GB/s", f"{n * 4 >> 20} MiB", REPEATS, round(spread, 4)))
    return out


def host_transfers(torch: Any, device: str, size_bytes: int) -> List[MicroItem]:
    n = size_bytes // 4
    timer = _Timer(torch, True)
    dev = torch.empty(n, device=device)
    out = []
    for kind in ("pinned", "pageable"):
        host = torch.empty(n, pin_memory=(kind == "pinned"))

        def h2d() -> Callable[[], None]:
            host.uniform_(-1, 1)
            return lambda: dev.copy_(host, non_blocking=True)

        def d2h() -> Callable[[], None]:
            dev.uniform_(-1, 1)
            return lambda: host.copy_(dev, non_blocking=True)

        for name, prep in (("h2d", h2d), ("d2h", d2h)):
            value, spread = _measure(timer, prep, 5, n * 4, 1e9)
            out.append(MicroItem(name, kind, round(value, 2), "GB/s", f"{n * 4 >> 20} MiB", REPEATS, round(spread, 4)))
    return out


def run_micro(torch: Any, device: str) -> MicroResult:
    """Every microbenchmark on one device (runs inside a worker process)."""
    from .workloads import calibrate_cpu_n, gemm_dtypes

    cuda = device != "cpu"
    items: List[MicroItem] = []
    notes: List[str] = []
    if cuda:
        torch.cuda.set_device(torch.device(device))
    for dtype in gemm_dtypes(torch, device):
        n = GPU_MATMUL_N if cuda else calibrate_cpu_n(torch, dtype, target_s=0.2)
        items.append(matmul(torch, device, dtype, n))
    items += device_bandwidth(torch, device, GPU_BUFFER_BYTES if cuda else CPU_BUFFER_BYTES)
    if cuda:
        items += host_transfers(torch, device, GPU_TRANSFER_BYTES)
    else:
        notes.append("no spec peak for CPUs: figures are not compared with one")
    return MicroResult(device, tuple(items), tuple(notes))


def attach_peaks(result: MicroResult, spec: Optional[SpecPeaks], link: Tuple[Optional[int], Optional[int]],
                 link_source: str, pcie: Optional[float]) -> MicroResult:
    """Add each figure's reference: the spec peak (matmul, device memory) or ``pcie``, the
    link's theoretical one-direction rate (``deps.pcie_gb_s``: the interconnect table)."""
    items = []
    for it in result.items:
        peak, source = None, "unknown"
        if it.name == "matmul" and spec and it.dtype in spec.tflops and it.unit == "TFLOP/s":
            peak, source = spec.tflops[it.dtype], f"spec: {spec.name} ({spec.status})"
        elif it.name.startswith("device_") and spec and spec.memory_bandwidth_gb_s:
            peak, source = spec.memory_bandwidth_gb_s, f"spec: {spec.name} ({spec.status})"
        elif it.name in ("h2d", "d2h") and pcie:
            peak, source = round(pcie, 2), f"PCIe gen{link[0]} x{link[1]} ({link_source})"
        frac = round(it.value / peak, 3) if peak else None
        items.append(replace(it, peak=peak, peak_source=source, fraction_of_peak=frac))
    return replace(result, items=tuple(items))

