"""Telemetry as report columns, bounded: a long run keeps its shape, not its size.

A burn of a day samples every GPU 86,400 times; a report holds at most
:data:`MAX_POINTS` points per device. :func:`downsample` cuts the stream into
``MAX_POINTS / 2`` buckets of consecutive samples and keeps two points per bucket, the
bucket's minimum and maximum of every number in the order they occurred (a plot of
them draws the same envelope, and no spike or dip disappears); flags are kept if any
sample in the bucket raised them, and every Xid is kept. The verdict is judged on the
full stream before downsampling.
"""

from __future__ import annotations

import dataclasses
import typing
from collections import Counter
from typing import Any, Dict, List, Sequence

from ..reading import Reading
from ..serial import from_data, to_data
from .sample import TelemetrySample

MAX_POINTS = 600  # per device and series: 10 minutes at 1 Hz in full, anything longer as an envelope
FIELDS = tuple(f.name for f in dataclasses.fields(TelemetrySample) if f.name not in ("t_s", "device", "lost", "xids"))


def _numeric(r: Reading) -> bool:
    return r.ok and isinstance(r.value, (int, float)) and not isinstance(r.value, bool)


def _bucket(samples: Sequence[TelemetrySample]) -> List[TelemetrySample]:
    """Two samples standing for ``samples``: at the first and the last time, carrying each
    number's minimum and maximum in the order they occurred."""
    first: Dict[str, Any] = {}
    second: Dict[str, Any] = {}
    for name in FIELDS:
        readings = [getattr(s, name) for s in samples]
        numbers = [(i, r) for i, r in enumerate(readings) if _numeric(r)]
        if numbers:
            lo = min(numbers, key=lambda p: p[1].value)
            hi = max(numbers, key=lambda p: p[1].value)
            a, b = (lo, hi) if lo[0] <= hi[0] else (hi, lo)
            first[name], second[name] = a[1], b[1]
            continue
        flags = [r for r in readings if r.ok]
        if flags and all(isinstance(r.value, bool) for r in flags):
            raised = next((r for r in flags if r.value), flags[-1])
            first[name] = second[name] = raised
        elif flags:  # clock-event reasons: every reason seen in the bucket
            seen: Dict[str, None] = {}
            for r in flags:
                seen.update(dict.fromkeys(r.value or ()))
            first[name] = second[name] = Reading.of(tuple(seen))
        else:  # nothing read: the most common reason why
            status = Counter(r.status for r in readings).most_common(1)[0][0]
            first[name] = second[name] = next(r for r in readings if r.status is status)
    lost = any(s.lost for s in samples)
    xids = tuple(x for s in samples for x in s.xids)
    device = samples[0].device
    return [TelemetrySample(t_s=samples[0].t_s, device=device, lost=lost, xids=xids, **first),
            TelemetrySample(t_s=samples[-1].t_s, device=device, lost=lost, **second)]


def downsample(samples: Sequence[TelemetrySample], max_points: int = MAX_POINTS) -> List[TelemetrySample]:
    """At most ``max_points`` samples (of one device) standing for ``samples`` (see the module)."""
    if len(samples) <= max_points:
        return list(samples)
    buckets = max(1, max_points // 2)
    out: List[TelemetrySample] = []
    for b in range(buckets):
        lo, hi = len(samples) * b // buckets, len(samples) * (b + 1) // buckets
        if hi > lo:
            out += _bucket(samples[lo:hi]) if hi - lo > 1 else [samples[lo]]
    return out


def columns(samples: Sequence[TelemetrySample]) -> Dict[str, Any]:
    """Columns: ``t_s``, ``lost``, ``xids`` and per field ``values`` (null when not read),
    plus ``status`` per sample only where some sample was not ``ok``."""
    out: Dict[str, Any] = {"t_s": [s.t_s for s in samples], "lost": [s.lost for s in samples],
                           "xids": [list(s.xids) for s in samples], "fields": {}}
    for name in FIELDS:
        readings: List[Reading] = [getattr(s, name) for s in samples]
        col: Dict[str, Any] = {"values": [to_data(r.value) if r.ok else None for r in readings]}
        if any(not r.ok for r in readings):
            col["status"] = [r.status.value for r in readings]
        out["fields"][name] = col
    return out


def from_columns(data: Dict[str, Any], device: str) -> List[TelemetrySample]:
    """The inverse of :func:`columns` (value details aside): re-plot or re-judge a saved
    report (a downsampled one is judged on its envelope)."""
    hints = typing.get_type_hints(TelemetrySample)
    out = []
    for i, t in enumerate(data["t_s"]):
        fields: Dict[str, Any] = {}
        for name, col in data["fields"].items():
            status = col["status"][i] if "status" in col else "ok"
            fields[name] = from_data(hints[name], {"value": col["values"][i], "status": status})
        out.append(TelemetrySample(t_s=t, device=device, lost=data["lost"][i], xids=tuple(data["xids"][i]), **fields))
    return out
