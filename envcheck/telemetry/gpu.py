"""GPU telemetry from NVML: the one way the burn and the bench open it.

:func:`nvml_gpus` lists the GPUs through the NVML worker (``envcheck/probes/nvml_worker.py``),
so a wedged driver costs its deadline and no more; only once NVML has answered there does
:func:`open_nvml` start an in-process :class:`NvmlTelemetry` for the sampling thread. Built
on the session and device primitives of :mod:`envcheck.probes.nvml` (which alone imports
pynvml): every NVML call goes through its one call-and-classify primitive, so errors are
classified exactly as in the doctor's probe.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ..facts import NvmlFacts
from ..probes import nvml, nvml_worker
from ..probes.nvml import (
    EVENT_XID,
    Device,
    clock_reasons,
    handle_key,
    memory_temp,
    opened,
    pick,
    read_fields,
    remap_fields,
)
from ..reading import Reading, Status
from .sample import TelemetrySample


def nvml_gpus(nvml_module: Any = None, timeout: float = nvml_worker.DEADLINE_S) -> NvmlFacts:
    """Every GPU NVML lists (``GpuFacts`` per NVML index), read in the NVML worker: past the
    deadline the facts say ``timeout`` (``init_error`` "unresponsive")."""
    [facts] = nvml_worker.run_jobs([nvml_worker.Job(nvml.probe, nvml.failed)], timeout=timeout,
                                   nvml_module=nvml_module)
    return facts


def open_nvml(labels: Mapping[int, str], nvml_module: Any = None) -> "NvmlTelemetry":
    """The telemetry source for the GPUs ``labels`` names (NVML index → the caller's label,
    such as the CUDA index "cuda:0"). It never raises for NVML: ``status`` says whether it
    samples, or why not. Call it after :func:`nvml_gpus` answered (that is the deadline)."""
    return NvmlTelemetry(labels, nvml_module=nvml_module)


class NvmlTelemetry:
    """A :class:`~envcheck.telemetry.TelemetrySource` over NVML.

    Samples carry the label the caller gave each NVML index (by default ``cuda:<NVML
    index>``; NVML orders GPUs by PCI bus id, CUDA only with CUDA_DEVICE_ORDER=PCI_BUS_ID,
    so callers match the two with :func:`~envcheck.telemetry.match.match_nvml`). Handles are kept, each sample asks
    only for the :class:`TelemetrySample` fields, and a value once ``not_supported`` is
    not asked again. Xid errors arrive through an NVML event set polled with timeout 0.
    ``sample`` and ``close`` share a lock, so a sampling thread is safe and ``close``
    (idempotent) waits for a sample in flight before ``nvmlShutdown``.
    """

    def __init__(self, labels: Optional[Mapping[int, str]] = None, nvml_module: Any = None) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._t0 = time.monotonic()
        self._cm = opened(nvml_module)
        self._s, self.init, self.init_error = self._cm.__enter__()
        self._devices: List[Device] = []
        self._events: Any = None
        self._by_handle: Dict[Any, int] = {}
        self.xid_events: Dict[str, Reading] = {}  # per device: are Xid events watched, or why not
        self.status: Reading = self.init if self._s is None else Reading.of(True)
        if self._s is None:
            return
        if labels is None:
            labels = {i: f"cuda:{i}" for i in range(self._s.reading("nvmlDeviceGetCount", convert=int).get(0))}
        self._labels = dict(labels)
        self._devices = [Device(self._s, i) for i in self._labels]
        self._events, outcome = self._s.call("nvmlEventSetCreate")
        for d in self._devices:
            label = self._labels[d.index]
            if outcome is not None:
                self.xid_events[label] = Reading.fail(outcome[1], outcome[2])
                continue
            supported = d.read("nvmlDeviceGetSupportedEventTypes")
            if supported.ok and not int(supported.value) & EVENT_XID:
                supported = Reading.fail(Status.NOT_SUPPORTED, "this GPU does not report Xid events")
            registered = d.read("nvmlDeviceRegisterEvents", (EVENT_XID, self._events)) if supported.ok else supported
            self.xid_events[label] = pick(registered, lambda _: True)
            if registered.ok:
                self._by_handle[handle_key(d.handle)] = d.index

    def _xids(self) -> Dict[int, List[int]]:
        out: Dict[int, List[int]] = {}
        if not self._by_handle:
            return out
        for _ in range(64):  # bounded: a storm of events must not stall the sampler
            data, outcome = self._s.call("nvmlEventSetWait_v2", self._events, 0)
            if outcome is not None:  # Timeout: nothing waiting; anything else: try next time
                break
            index = self._by_handle.get(handle_key(data.device))
            if index is not None and int(data.eventType) & EVENT_XID:
                out.setdefault(index, []).append(int(data.eventData))
        return out

    def _sample(self, d: Device, t_s: float, xids: Sequence[int]) -> TelemetrySample:
        f = read_fields(d, "temp_c", "power_draw_w", "power_limit_w", "clock_sm_mhz", "clock_mem_mhz")
        f["memory_temp_c"] = memory_temp(d)
        f["clock_event_reasons"] = clock_reasons(d)
        util = d.read("nvmlDeviceGetUtilizationRates")
        f["utilization_pct"] = pick(util, lambda u: int(u.gpu))
        f["memory_utilization_pct"] = pick(util, lambda u: int(u.memory))
        f.update(read_fields(d, "ecc_volatile_corrected", "ecc_volatile_uncorrected", "retired_pages_pending",
                       "pcie_gen_current", "pcie_width_current", "pcie_replay_count"))
        remap = remap_fields(d)
        f.update({k: remap[k] for k in ("remapped_rows_pending", "remapped_rows_failed", "remapped_rows_uncorrectable")})
        return TelemetrySample(t_s=t_s, device=self._labels[d.index], lost=d.failure is not None, xids=tuple(xids), **f)

    def sample(self) -> List[TelemetrySample]:
        with self._lock:
            if self._s is None:
                return []
            t_s = round(time.monotonic() - self._t0, 3)
            xids = self._xids()
            return [self._sample(d, t_s, xids.get(d.index, ())) for d in self._devices]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._s is not None and self._events is not None:
                self._s.call("nvmlEventSetFree", self._events)
            self._s, self._events = None, None
            self._cm.__exit__(None, None, None)  # nvmlShutdown, after the last sample

    def __enter__(self) -> "NvmlTelemetry":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
