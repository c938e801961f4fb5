"""Telemetry: what the devices look like while the burn or the bench loads them.

One package for both commands:

* :mod:`.sample` — :class:`TelemetrySample` (one device at one instant) and the
  :class:`TelemetrySource` protocol every source follows;
* :mod:`.gpu` — NVML: :func:`nvml_gpus` (the GPU list, from the NVML worker with its
  deadline) and :func:`open_nvml`, the one way to open NVML telemetry;
* :mod:`.cpu` — the CPU through psutil;
* :mod:`.match` — which NVML GPU is ``cuda:N`` (:func:`match_nvml`);
* :mod:`.sampler` — :class:`Sampler`, the one sampling thread;
* :mod:`.summary` — :class:`TelemetrySummary`, the figures a verdict or a report reads;
* :mod:`.series` — report columns, downsampled to a bounded number of points.

Nothing here imports torch; pynvml only through ``envcheck/probes/nvml.py``.
"""

from __future__ import annotations

from .match import CudaDevice, match_nvml, parse_bus_id
from .sample import TelemetrySample, TelemetrySource, by_device
from .sampler import Sampler
from .summary import SLOWDOWN_REASONS, TelemetrySummary, summarise

__all__ = ["CudaDevice", "SLOWDOWN_REASONS", "Sampler", "TelemetrySample", "TelemetrySource", "TelemetrySummary",
           "by_device", "match_nvml", "parse_bus_id", "summarise"]
