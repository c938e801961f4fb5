"""Telemetry samples: what a GPU (or the CPU) looked like at one instant under load.

The record is shared by the NVML source (:mod:`envcheck.telemetry.gpu`), the psutil
source for CPU burns (:mod:`envcheck.telemetry.cpu`), the sampling thread, the summary
and the burn's verdict code, which only ever sees these records — so a fake stream of
samples can drive every verdict in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Protocol, Tuple

from ..reading import UNKNOWN, Reading


@dataclass(frozen=True)
class TelemetrySample:
    t_s: float  # seconds since the sampler started (monotonic clock)
    device: str  # "cuda:0" or "cpu"
    lost: bool = False  # the device stopped answering (NVML GpuIsLost)
    temp_c: Reading[int] = UNKNOWN  # nvmlDeviceGetTemperature (temperature.gpu); CPU: hottest sensor
    memory_temp_c: Reading[int] = UNKNOWN  # NVML_FI_DEV_MEMORY_TEMP (temperature.memory)
    power_draw_w: Reading[float] = UNKNOWN  # nvmlDeviceGetPowerUsage / 1000 (power.draw)
    power_limit_w: Reading[float] = UNKNOWN  # nvmlDeviceGetEnforcedPowerLimit / 1000 (power.limit)
    clock_sm_mhz: Reading[int] = UNKNOWN  # (clocks.sm); CPU: current frequency
    clock_mem_mhz: Reading[int] = UNKNOWN  # (clocks.mem)
    clock_event_reasons: Reading[Tuple[str, ...]] = UNKNOWN  # ("hw_thermal_slowdown", ...)
    utilization_pct: Reading[int] = UNKNOWN  # (utilization.gpu); CPU: psutil.cpu_percent
    memory_utilization_pct: Reading[int] = UNKNOWN  # (utilization.memory)
    ecc_volatile_corrected: Reading[int] = UNKNOWN
    ecc_volatile_uncorrected: Reading[int] = UNKNOWN  # double-bit errors since the driver loaded
    retired_pages_pending: Reading[bool] = UNKNOWN
    remapped_rows_pending: Reading[bool] = UNKNOWN
    remapped_rows_failed: Reading[bool] = UNKNOWN
    remapped_rows_uncorrectable: Reading[int] = UNKNOWN
    pcie_gen_current: Reading[int] = UNKNOWN
    pcie_width_current: Reading[int] = UNKNOWN
    pcie_replay_count: Reading[int] = UNKNOWN
    xids: Tuple[int, ...] = ()  # Xid events delivered since the previous sample


class TelemetrySource(Protocol):
    """Anything that yields samples for a set of devices (NVML, psutil, a fake)."""

    def sample(self) -> List[TelemetrySample]: ...

    def close(self) -> None: ...


def by_device(samples: Iterable[TelemetrySample]) -> dict:
    out: dict = {}
    for s in samples:
        out.setdefault(s.device, []).append(s)
    return out
