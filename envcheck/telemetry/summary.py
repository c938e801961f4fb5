"""One device's telemetry stream → :class:`TelemetrySummary`, the figures the burn's verdict
and the bench's report read (pure functions).

"Under load" means inside the load window (the common start to the stop). Shares of
time are time-weighted: a sample stands for the interval until the next one (the last
for the median interval), so a missed sample does not change a share. Counters (ECC,
replays, remapped rows) are judged as the change from the first reading to the last.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..reading import UNKNOWN, Reading, Status
from .sample import TelemetrySample

# Clock-event reasons that mean the GPU slowed itself because something is wrong or hot:
# the HW slowdown line (thermal or power brake), the driver's thermal slowdown. sw_power_cap
# is a GPU working at its power limit — normal under full load, reported but not judged.
# NVML notes HW slowdown "may be also reported during PState or clock change", one more
# reason a verdict looks at a share of the loaded time, never a single sample.
# https://docs.nvidia.com/deploy/nvml-api/group__nvmlClocksEventReasons.html
SLOWDOWN_REASONS = ("hw_slowdown", "hw_thermal_slowdown", "sw_thermal_slowdown", "hw_power_brake_slowdown")
LOADED_UTILIZATION_PCT = 80  # samples at or above this are "full load" for the power judgement

Window = Optional[Tuple[float, float]]


@dataclass(frozen=True)
class TelemetrySummary:
    samples: int = 0
    load_samples: int = 0  # samples inside the load window
    load_sampled_s: float = 0.0  # time the load samples span (time-weighted)
    temp_peak_c: Reading[int] = UNKNOWN
    memory_temp_peak_c: Reading[int] = UNKNOWN
    power_mean_w: Reading[float] = UNKNOWN
    power_max_w: Reading[float] = UNKNOWN
    power_p90_w: Reading[float] = UNKNOWN  # 90th percentile under load, judged against the limit
    power_limit_w: Reading[float] = UNKNOWN
    throttle_s: Dict[str, float] = field(default_factory=dict)  # reason -> seconds under load
    slowdown_share: float = 0.0  # share of load time with a hardware or thermal slowdown active
    clock_sm_median_mhz: Reading[float] = UNKNOWN
    clock_sm_p5_mhz: Reading[float] = UNKNOWN
    clock_sm_cv: Reading[float] = UNKNOWN  # coefficient of variation (stdev / mean) under load
    clock_mem_median_mhz: Reading[float] = UNKNOWN
    utilization_mean_pct: Reading[float] = UNKNOWN
    pcie_gen_max_seen: Reading[int] = UNKNOWN  # highest link generation seen under load
    pcie_width_max_seen: Reading[int] = UNKNOWN
    pcie_replay_delta: Reading[int] = UNKNOWN
    ecc_corrected_delta: Reading[int] = UNKNOWN
    ecc_uncorrected_delta: Reading[int] = UNKNOWN
    remapped_rows_uncorrectable_delta: Reading[int] = UNKNOWN
    remap_pending_new: bool = False
    remap_failed_new: bool = False
    retired_pending_new: bool = False
    xids: Tuple[int, ...] = ()
    lost: bool = False
    lost_at_s: Optional[float] = None


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]."""
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


def _missing(readings: Sequence[Reading]) -> Reading:
    """Why a figure has no value: the most common status among its readings."""
    if not readings:
        return Reading.fail(Status.NOT_FOUND, "no samples")
    status, _ = Counter(r.status for r in readings).most_common(1)[0]
    detail = next((r.detail for r in readings if r.status is status and r.detail), None)
    return Reading.fail(status, detail)


def _stat(readings: Sequence[Reading], fn: Callable[[List], object], digits: Optional[int] = 1) -> Reading:
    values = [r.value for r in readings if r.ok and r.value is not None]
    if not values:
        return _missing(readings)
    v = fn(values)
    return Reading.of(round(v, digits) if digits is not None and isinstance(v, float) else v)


def _delta(readings: Sequence[Reading]) -> Reading:
    values = [r.value for r in readings if r.ok and r.value is not None]
    if not values:
        return _missing(readings)
    return Reading.of(int(values[-1] - values[0]))


def _became_true(readings: Sequence[Reading]) -> bool:
    """True when a flag read False (or was not yet read) at the start and True later.
    A flag already True at the first reading predates the burn: not new."""
    values = [bool(r.value) for r in readings if r.ok]
    return bool(values) and not values[0] and any(values)


def weights(samples: Sequence[TelemetrySample]) -> List[float]:
    """Seconds each sample stands for (until the next one; the last: the median step)."""
    if not samples:
        return []
    steps = [b.t_s - a.t_s for a, b in zip(samples, samples[1:])]
    last = statistics.median(steps) if steps else 1.0
    return [max(0.0, s) for s in steps] + [max(0.0, last)]


def in_window(samples: Iterable[TelemetrySample], window: Window) -> List[TelemetrySample]:
    if window is None:
        return list(samples)
    lo, hi = window
    return [s for s in samples if lo <= s.t_s <= hi]


def summarise(samples: Sequence[TelemetrySample], window: Window = None) -> TelemetrySummary:
    """Figures for one device. ``samples`` must all be of that device."""
    all_s = sorted(samples, key=lambda s: s.t_s)
    live = [s for s in all_s if not s.lost]
    load = [s for s in in_window(all_s, window) if not s.lost]
    w = weights(load)
    total = sum(w)
    throttle: Counter = Counter()
    slowed = 0.0
    for s, dt in zip(load, w):
        reasons = s.clock_event_reasons.value if s.clock_event_reasons.ok else ()
        for r in reasons or ():
            throttle[r] += dt
        if any(r in SLOWDOWN_REASONS for r in reasons or ()):
            slowed += dt
    loaded_power = [s.power_draw_w for s in load
                    if not s.utilization_pct.ok or (s.utilization_pct.value or 0) >= LOADED_UTILIZATION_PCT]
    clocks = [s.clock_sm_mhz for s in load]
    sm = [r.value for r in clocks if r.ok and r.value]
    cv: Reading = _missing(clocks)
    if len(sm) >= 2 and statistics.fmean(sm) > 0:
        cv = Reading.of(round(statistics.pstdev(sm) / statistics.fmean(sm), 4))
    elif sm:
        cv = Reading.of(0.0)
    limit = _stat([s.power_limit_w for s in all_s], lambda v: float(min(v)))
    lost = [s for s in all_s if s.lost]
    xids = tuple(x for s in all_s for x in s.xids)
    return TelemetrySummary(
        samples=len(all_s), load_samples=len(load), load_sampled_s=round(total, 3),
        temp_peak_c=_stat([s.temp_c for s in live], max, None),
        memory_temp_peak_c=_stat([s.memory_temp_c for s in live], max, None),
        power_mean_w=_stat([s.power_draw_w for s in load], statistics.fmean),
        power_max_w=_stat([s.power_draw_w for s in load], lambda v: float(max(v))),
        power_p90_w=_stat(loaded_power, lambda v: percentile(v, 90)),
        power_limit_w=limit,
        throttle_s={k: round(v, 3) for k, v in sorted(throttle.items())},
        slowdown_share=round(slowed / total, 4) if total > 0 else 0.0,
        clock_sm_median_mhz=_stat(clocks, lambda v: float(statistics.median(v))),
        clock_sm_p5_mhz=_stat(clocks, lambda v: percentile(v, 5)),
        clock_sm_cv=cv,
        clock_mem_median_mhz=_stat([s.clock_mem_mhz for s in load], lambda v: float(statistics.median(v))),
        utilization_mean_pct=_stat([s.utilization_pct for s in load], statistics.fmean),
        pcie_gen_max_seen=_stat([s.pcie_gen_current for s in load], max, None),
        pcie_width_max_seen=_stat([s.pcie_width_current for s in load], max, None),
        pcie_replay_delta=_delta([s.pcie_replay_count for s in live]),
        ecc_corrected_delta=_delta([s.ecc_volatile_corrected for s in live]),
        ecc_uncorrected_delta=_delta([s.ecc_volatile_uncorrected for s in live]),
        remapped_rows_uncorrectable_delta=_delta([s.remapped_rows_uncorrectable for s in live]),
        remap_pending_new=_became_true([s.remapped_rows_pending for s in live]),
        remap_failed_new=_became_true([s.remapped_rows_failed for s in live]),
        retired_pending_new=_became_true([s.retired_pages_pending for s in live]),
        xids=tuple(sorted(set(xids))),
        lost=bool(lost), lost_at_s=lost[0].t_s if lost else None,
    )
