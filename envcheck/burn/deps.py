"""The burn-in's one adapter to the rest of envcheck and to the machine.

Every outside part the burn uses — NVML (``envcheck.probes.nvml``), the bench's training
step and reference CNN (``envcheck.bench``, ``sample_models``), the convolution quick
check (``envcheck.verify``), the Xid table, the GPU spec table and the PCIe rates
(``envcheck.knowledge``), the cross-GPU all-reduce (``envcheck.interconnect``), torch's
device list and psutil — is reached from here, and only here. :class:`Deps` bundles the parent's side so tests pass fakes; the worker's
side (module-level functions: they cross the spawn boundary by name) too.

envcheck's own modules are imported plainly: a broken import is a bug to see, not a
feature to skip (a swallowed ImportError once hid that GPU telemetry never started). Only
a missing optional third-party package (numpy for the convolution check) degrades to a
note in the report.
"""

from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

from ..probes.nvml import pick
from ..reading import Reading, Status
from ..telemetry import TelemetrySource
from ..telemetry import gpu as gpu_telemetry
from ..telemetry.cpu import PsutilTelemetry
from ..telemetry.match import CudaDevice
from .records import CheckResult, DeviceInfo, SpecPeaks
from .worker import Unavailable
from .worker import main as worker_main


# ------------------------------------------------------------------ worker side (torch)
@dataclass
class CnnStep:
    """One training step of the reference CNN on synthetic batches: ``run()`` → loss tensor."""

    run: Callable[[], Any]
    images_per_step: int
    flops_per_step: float
    name: str


# The burn feeds the GPU bigger batches than the bench's recipe so the small network
# still loads a large GPU; the CPU keeps the recipe's batch.
CUDA_BATCH_FACTOR = 8


def reference_cnn_step(torch: Any, device: str) -> CnnStep:
    """The bench's reference CNN and training step, on random uint8 images and labels.

    Built by the bench's own ``reference_train_step`` — the fused optimiser with its
    learning rate on the device, ``capturable`` where Adam needs it, channels-last, and on
    CUDA the whole step captured as a CUDA graph — so the burn runs exactly the fast path."""
    import sample_models

    from ..bench.device import resolve_precision
    from ..bench.fastpath import reference_train_step

    spec = sample_models.get(None)
    dev = torch.device(device)
    batch = spec.batch_size * (CUDA_BATCH_FACTOR if dev.type == "cuda" else 1)
    precision = resolve_precision("auto", dev)
    step = reference_train_step(dev, precision, spec=spec, seed=1234, batch_size=batch, graph=dev.type == "cuda")
    gen = torch.Generator(device=dev).manual_seed(1234)
    x = torch.randint(0, 256, (batch, 28, 28), dtype=torch.uint8, device=dev, generator=gen)
    y = torch.randint(0, 10, (batch,), device=dev, generator=gen)
    return CnnStep(run=lambda: step(x, y), images_per_step=batch,
                   flops_per_step=float(spec.train_flops_per_image * batch),
                   name=f"{spec.name} ({precision.name}, batch {batch})")


def conv_quick_check(device: str) -> CheckResult:
    """``envcheck.verify.quick`` on the device: convolutions against float64, before the burn."""
    if importlib.util.find_spec("numpy") is None:  # the float64 reference is NumPy (an optional extra)
        raise Unavailable("numpy is not installed: pip install 'envcheck[bench]'")
    from .. import verify

    result = verify.quick(device, dtypes=("fp32",))
    failures = result.failures
    detail = None
    if failures:
        first = failures[0]
        detail = f"{len(failures)} of {result.checked} checks failed; first: {first.op} {first.reason or ''}".strip()
    elif not result.passed:
        detail = "no convolution check ran"
    # max_rel_err is inf when a check had no usable output (NaN, an exception, a wrong
    # shape): the report keeps null there (JSON has no Infinity) and calls the check
    # non-finite only when NaN/Inf is what went wrong.
    worst = result.max_rel_err
    return CheckResult(kind="conv", dtype="fp32", passed=result.passed,
                       rel_err=worst if worst is not None and math.isfinite(worst) else None, detail=detail,
                       finite=not any("NaN" in (c.reason or "") for c in failures))


# ------------------------------------------------------------------ parent side
def torch_missing() -> Optional[str]:
    """None when torch can be imported here; else the one-line reason."""
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed: pip install torch (see `envcheck advise`)"
    return None


def cuda_devices() -> List[CudaDevice]:
    """Every CUDA device torch sees, without creating a context on any of them."""
    from ..bench.device import cuda_devices as from_torch

    return from_torch()


def nvml_gpus() -> Tuple[Reading, List[Any]]:
    """(device count reading, GpuFacts per NVML index), from the NVML worker: a wedged
    driver costs its deadline, not the burn."""
    facts = gpu_telemetry.nvml_gpus()
    return (pick(facts.gpus, len) if facts.init.ok else facts.init), list(facts.gpus.get(()))


def gpu_info(cuda: CudaDevice, facts: Optional[Any], spec: Optional[SpecPeaks]) -> DeviceInfo:
    """DeviceInfo from NVML's static facts (``GpuFacts``) for one CUDA device."""
    label = f"cuda:{cuda.index}"
    if facts is None:
        why = Reading.fail(Status.NOT_FOUND, "NVML does not list this GPU")
        return DeviceInfo(label, "cuda", Reading.of(cuda.name), None, why, "", why, why, why, why,
                          Reading.of(cuda.total_memory_bytes) if cuda.total_memory_bytes else why, spec)
    temp, source = facts.temp_max_operating_c, "GPU max operating temperature (NVML)"
    if not temp.ok and facts.temp_slowdown_c.ok:
        temp, source = facts.temp_slowdown_c, "GPU slowdown temperature (NVML)"
    return DeviceInfo(label, "cuda", facts.name if facts.name.ok else Reading.of(cuda.name), facts.index, temp,
                      source if temp.ok else "", facts.power_limit_w, facts.clock_sm_max_mhz, facts.pcie_gen_max,
                      facts.pcie_width_max, facts.memory_total_bytes, spec)


def spec_peaks(name: str) -> Optional[SpecPeaks]:
    """Peak figures for an NVML name from ``envcheck.knowledge``; None when unknown or not installed."""
    from .. import knowledge

    spec = knowledge.load().gpu_spec(name)
    if spec is None:
        return None
    tflops = {k: float(v) for k in ("fp32", "tf32", "bf16", "fp16")
              if (v := getattr(spec, f"{k}_tflops", None)) is not None}
    return SpecPeaks(spec.name, tflops, spec.memory_bandwidth_gb_s, spec.pcie_gen, spec.pcie_width,
                     spec.status_of("bf16_tflops"))


def pcie_gb_s(gen: Optional[int], width: Optional[int]) -> Optional[float]:
    """One direction of a PCIe link before packet overheads, from the interconnect table's
    per-lane rates (``knowledge/data/interconnect_bandwidth.toml``: one table for the
    burn-in, the interconnect command and its rules)."""
    from ..knowledge import interconnect

    return interconnect.pcie_raw_gb_s(interconnect.load(), gen, width)


def allreduce_phase(devices: Sequence[str], duration_s: float) -> Any:
    """The cross-GPU all-reduce phase for the burn-in's devices (None: fewer than two GPUs)."""
    from ..interconnect.burn_phase import AllReducePhase

    return AllReducePhase.for_devices(devices, duration_s)


def xid_text(code: int) -> str:
    """"Xid 79 (GPU has fallen off the bus)" from the Xid table, or just the number."""
    from ..knowledge import xid

    info = xid.lookup(code)
    return f"Xid {code} ({info.name})" if info else f"Xid {code}"


def cpu_info(psutil_module: Any = None) -> DeviceInfo:
    """The CPU as a burn device: its name and the hottest sensor's critical limit, if any."""
    import psutil as _psutil

    ps = psutil_module or _psutil
    limit: Reading = Reading.fail(Status.NOT_FOUND, "no temperature sensor reports a limit")
    try:
        sensors = ps.sensors_temperatures() if hasattr(ps, "sensors_temperatures") else {}
    except Exception as exc:  # psutil raises on odd sysfs files
        sensors, limit = {}, Reading.fail(Status.ERROR, f"sensors: {exc}")
    limits = [e.critical or e.high for entries in sensors.values() for e in entries if (e.critical or e.high)]
    if limits:
        limit = Reading.of(int(min(limits)))
    from ..bench.device import cpu_model  # imports torch: only once a CPU burn is set up

    return DeviceInfo("cpu", "cpu", Reading.of(cpu_model()), None, limit,
                      "CPU sensor critical temperature (psutil)" if limit.ok else "")


def nvml_telemetry(infos: Sequence[DeviceInfo]) -> TelemetrySource:
    """NVML telemetry for the GPUs in ``infos``, labelled with their CUDA index."""
    return gpu_telemetry.open_nvml({i.nvml_index: i.device for i in infos if i.nvml_index is not None})


def cpu_telemetry(infos: Sequence[DeviceInfo]) -> TelemetrySource:
    return PsutilTelemetry()


@dataclass
class Deps:
    """The parent's outside world; tests replace any of these."""

    torch_missing: Callable[[], Optional[str]] = torch_missing
    cuda_devices: Callable[[], List[CudaDevice]] = cuda_devices
    nvml_gpus: Callable[[], Tuple[Reading, List[Any]]] = nvml_gpus
    spec_peaks: Callable[[str], Optional[SpecPeaks]] = spec_peaks
    xid_text: Callable[[int], str] = xid_text
    cpu_info: Callable[[], DeviceInfo] = cpu_info
    gpu_telemetry: Callable[[Sequence[DeviceInfo]], Any] = nvml_telemetry
    cpu_telemetry: Callable[[Sequence[DeviceInfo]], Any] = cpu_telemetry
    worker_target: Callable[..., None] = worker_main
    cnn_factory: Optional[Callable[[Any, str], CnnStep]] = reference_cnn_step
    conv_check: Optional[Callable[[str], CheckResult]] = conv_quick_check
    clock: Callable[[], float] = time.monotonic
    pcie_gb_s: Callable[[Optional[int], Optional[int]], Optional[float]] = pcie_gb_s
    # (devices, seconds) -> a phase with start / ready / poll / stop, or None (one GPU, the CPU)
    allreduce_phase: Callable[[Sequence[str], float], Any] = allreduce_phase


def default_deps() -> Deps:
    """The real outside world (the CLI's seam: tests replace this function)."""
    return Deps()
