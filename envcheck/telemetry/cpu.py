"""The CPU as a telemetry source (psutil), for CPU burns."""

from __future__ import annotations

from typing import Any, List

from ..reading import Reading, Status
from .sample import TelemetrySample


class PsutilTelemetry:
    """The CPU as a telemetry source: utilisation, frequency and the hottest sensor (psutil).

    ``utilization_pct`` is psutil.cpu_percent since the previous sample; ``clock_sm_mhz``
    carries the current CPU frequency; power, ECC, PCIe and Xids do not apply (left unknown).
    """

    def __init__(self, psutil_module: Any = None) -> None:
        if psutil_module is None:
            import psutil as psutil_module
        self.ps = psutil_module
        self.ps.cpu_percent(None)  # the first call only sets the baseline
        self.status = Reading.of(True)

    def _temp(self) -> Reading:
        if not hasattr(self.ps, "sensors_temperatures"):
            return Reading.fail(Status.NOT_SUPPORTED, "psutil has no temperature sensors on this OS")
        try:
            sensors = self.ps.sensors_temperatures()
        except Exception as exc:
            return Reading.fail(Status.ERROR, f"sensors: {exc}")
        values = [e.current for entries in sensors.values() for e in entries if e.current is not None]
        if not values:
            return Reading.fail(Status.NOT_FOUND, "no temperature sensors visible")
        return Reading.of(int(round(max(values))))

    def _freq(self) -> Reading:
        try:
            f = self.ps.cpu_freq()
        except Exception as exc:
            return Reading.fail(Status.ERROR, f"cpu_freq: {exc}")
        if f is None or not f.current:
            return Reading.fail(Status.NOT_FOUND, "no CPU frequency reported")
        return Reading.of(int(round(f.current)))

    def sample(self) -> List[TelemetrySample]:
        util = Reading.of(int(round(self.ps.cpu_percent(None))))
        return [TelemetrySample(t_s=0.0, device="cpu", temp_c=self._temp(), clock_sm_mhz=self._freq(),
                                utilization_pct=util)]

    def close(self) -> None:
        return None
