"""The verdict of one device: a pure function of what it did, computed and looked like.

``judge(info, work, checks, worker, samples, window, options)`` → (verdict, reasons,
telemetry summary). No clock, no I/O: fake telemetry streams drive every branch in tests.

FAIL — the device computed wrong or reported a fault: a result beyond tolerance, NaN or
Inf, a failed convolution check, a CUDA error while burning, the device lost, a new
uncorrected (double-bit) ECC error, a new pending/failed row remap or pending page
retirement, an Xid outside the application-level set, the temperature at its limit.

ERROR — cannot judge: too little work (under MIN_LOAD_S seconds of load, no repeated
correctness check, or — on a GPU — fewer than MIN_LOAD_SAMPLES telemetry samples under
load), or a worker that broke for a reason that is not the device's. Never a silent pass.

WARN — works, but not as it should: a hardware or thermal slowdown for more than
SLOWDOWN_SHARE of the loaded time, the PCIe link below its maximum under load,
throughput under EFFICIENCY of the spec peak, power far under its limit at full load,
results not bit-for-bit repeatable, GPU telemetry unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..telemetry import SLOWDOWN_REASONS, TelemetrySample, TelemetrySummary, summarise
from ..telemetry.summary import Window
from .records import LEVELS, CheckResult, DeviceInfo, Reason, Verdict, WorkCounters, WorkerStatus

# Xids a program causes on a healthy GPU (illegal address, MMU fault from a bad pointer,
# a killed context, a preempted/ended channel, a video decoder exception): the set NVIDIA's
# Kubernetes device plugin skips when it marks GPUs unhealthy
# (https://github.com/NVIDIA/k8s-device-plugin/blob/v0.16.0/internal/rm/health.go).
APPLICATION_XIDS = frozenset({13, 31, 43, 45, 68})

# 5% of the loaded time: one or two isolated samples in a one-minute run (1.7% each at
# 1 Hz) are a transient; three seconds a minute is a GPU that cannot hold its clocks.
SLOWDOWN_SHARE = 0.05
# Large cuBLAS GEMMs reach roughly 70-85% of the dense spec peak on healthy data-center
# GPUs (an H100 SXM's bf16 near 800 of 989 TFLOP/s) and copies 80-90% of the memory
# bandwidth; half the peak leaves room for PCIe cards, power caps and spec-table
# rounding, so a warning means a real shortfall.
EFFICIENCY = 0.5
# At full load a GPU runs at or near its power limit; below half of it the GPU is not
# being loaded (or cannot draw power: a connector, a lowered limit, a clock lock).
POWER_SHARE = 0.5
MIN_LOAD_S = 3.0
MIN_REPEATS = 1
MIN_LOAD_SAMPLES = 2
MIN_POWER_SAMPLES = 3


@dataclass(frozen=True)
class JudgeOptions:
    max_temp_c: Optional[float] = None  # --max-temp: overrides the device's own limit
    min_load_s: float = MIN_LOAD_S
    burn: bool = True  # False for a --micro run alone: no work or throughput to judge


def _worst(reasons: Sequence[Reason]) -> Verdict:
    levels = {r.level for r in reasons}
    for level, verdict in (("fail", Verdict.FAIL), ("error", Verdict.ERROR), ("warn", Verdict.WARN)):
        if level in levels:
            return verdict
    return Verdict.PASS


def _correctness(checks: Sequence[CheckResult]) -> List[Reason]:
    out: List[Reason] = []
    for c in checks:
        if c.passed:
            continue
        if not c.finite:
            out.append(Reason("fail", "non_finite", f"{c.kind} {c.dtype}: {c.detail or 'NaN or Inf in a result'}"))
        elif c.kind == "conv":
            out.append(Reason("fail", "conv_check_failed", f"convolution check failed: {c.detail or ''}".strip()))
        else:
            out.append(Reason("fail", "result_mismatch", f"{c.kind} {c.dtype}: {c.detail or 'wrong result'}"))
    drifting = sorted({c.dtype for c in checks if c.passed and c.bitwise_equal is False})
    if drifting:
        out.append(Reason("warn", "not_reproducible",
                          f"results not bit-for-bit repeatable in {', '.join(drifting)} (within tolerance): "
                          f"the same GEMM on the same inputs should repeat exactly"))
    return out


def _worker(worker: WorkerStatus, s: TelemetrySummary) -> List[Reason]:
    state, detail = worker.state, worker.detail or "no reason given"
    if state == "cuda_error":
        return [Reason("fail", "cuda_error", f"CUDA error while burning: {detail}")]
    if state == "crashed" and not s.lost:
        return [Reason("error", "worker_crashed", f"the worker process died: {detail}")]
    if state in ("error", "setup_failed"):
        return [Reason("error", "worker_error", f"the worker stopped: {detail}")]
    if state in ("not_started", "ready"):
        return [Reason("error", "not_started", f"the burn never started on this device: {detail}")]
    return []


def _telemetry(info: DeviceInfo, s: TelemetrySummary, opts: JudgeOptions,
               xid_text: Callable[[int], str]) -> List[Reason]:
    out: List[Reason] = []
    if s.lost:
        out.append(Reason("fail", "device_lost", f"the device stopped answering at {s.lost_at_s:.0f} s"))
    if s.ecc_uncorrected_delta.ok and s.ecc_uncorrected_delta.value > 0:
        out.append(Reason("fail", "ecc_uncorrected",
                          f"{s.ecc_uncorrected_delta.value} new uncorrected (double-bit) ECC error(s)"))
    if s.remap_pending_new:
        out.append(Reason("fail", "row_remap_pending", "a memory row remap became pending (reset the GPU to apply it)"))
    if s.remap_failed_new:
        out.append(Reason("fail", "row_remap_failed", "a memory row remap failed: the GPU has run out of spare rows"))
    if s.remapped_rows_uncorrectable_delta.ok and s.remapped_rows_uncorrectable_delta.value > 0:
        out.append(Reason("fail", "row_remap_new", f"{s.remapped_rows_uncorrectable_delta.value} row(s) remapped "
                                                   f"after uncorrectable errors during the burn"))
    if s.retired_pending_new:
        out.append(Reason("fail", "page_retirement_pending", "a memory page retirement became pending"))
    for x in s.xids:
        if x in APPLICATION_XIDS:
            out.append(Reason("info", "xid_application", f"{xid_text(x)}: application-level, not a hardware fault"))
        else:
            out.append(Reason("fail", "xid", f"{xid_text(x)} during the burn"))
    limit = opts.max_temp_c if opts.max_temp_c is not None else info.temp_max_c.get(None)
    source = "--max-temp" if opts.max_temp_c is not None else info.temp_max_source
    if limit is not None and s.temp_peak_c.ok and s.temp_peak_c.value >= limit:
        out.append(Reason("fail", "temp_at_max", f"temperature reached {s.temp_peak_c.value} °C, "
                                                 f"at its limit of {limit:g} °C ({source})"))
    if s.ecc_corrected_delta.ok and s.ecc_corrected_delta.value > 0:
        out.append(Reason("info", "ecc_corrected", f"{s.ecc_corrected_delta.value} corrected (single-bit) ECC errors"))
    if s.pcie_replay_delta.ok and s.pcie_replay_delta.value > 0:
        out.append(Reason("info", "pcie_replays", f"{s.pcie_replay_delta.value} PCIe replays (link retransmissions)"))
    if s.slowdown_share > SLOWDOWN_SHARE:
        which = ", ".join(f"{r} {s.throttle_s[r]:.0f} s" for r in SLOWDOWN_REASONS if s.throttle_s.get(r))
        out.append(Reason("warn", "throttled", f"slowed down {s.slowdown_share:.0%} of the loaded time ({which})"))
    for what, seen, top in (("generation", s.pcie_gen_max_seen, info.pcie_gen_max),
                            ("width", s.pcie_width_max_seen, info.pcie_width_max)):
        if seen.ok and top.ok and seen.value < top.value:
            unit = "gen" if what == "generation" else "x"
            out.append(Reason("warn", "pcie_below_max", f"PCIe link {what} {unit}{seen.value} under load, "
                                                        f"the slot and GPU allow {unit}{top.value}"))
    limit_w = info.power_limit_w if info.power_limit_w.ok else s.power_limit_w
    if (s.power_p90_w.ok and limit_w.ok and s.load_samples >= MIN_POWER_SAMPLES
            and s.power_p90_w.value < POWER_SHARE * limit_w.value):
        out.append(Reason("warn", "power_low", f"drew {s.power_p90_w.value:.0f} W at full load (90th percentile), "
                                               f"under half of its {limit_w.value:.0f} W limit"))
    return out


def _throughput(info: DeviceInfo, work: WorkCounters) -> List[Reason]:
    if info.kind != "cuda":
        return []
    if info.spec is None:
        return [Reason("info", "throughput_not_judged",
                       f"no spec peaks for {info.name.get('this GPU')}: throughput is not judged")]
    out: List[Reason] = []
    for dtype, g in sorted(work.gemm.items()):
        peak = info.spec.tflops.get(dtype)
        if g.tflops is not None and peak and g.tflops < EFFICIENCY * peak:
            out.append(Reason("warn", "throughput_low", f"GEMM {dtype} {g.tflops:.1f} TFLOP/s, under half of the "
                                                        f"{peak:g} TFLOP/s spec peak ({info.spec.name})"))
    bw, peak_bw = work.bandwidth_gb_s, info.spec.memory_bandwidth_gb_s
    if bw is not None and peak_bw and bw < EFFICIENCY * peak_bw:
        out.append(Reason("warn", "throughput_low", f"memory bandwidth {bw:.0f} GB/s, under half of the "
                                                    f"{peak_bw:g} GB/s spec ({info.spec.name})"))
    return out


def _enough(info: DeviceInfo, work: WorkCounters, checks: Sequence[CheckResult], s: TelemetrySummary,
            opts: JudgeOptions) -> List[Reason]:
    repeats = sum(1 for c in checks if c.kind == "repeat")
    missing = []
    if work.load_s < opts.min_load_s:
        missing.append(f"{work.load_s:.1f} s under load (needs {opts.min_load_s:g} s)")
    if repeats < MIN_REPEATS:
        missing.append("no repeated correctness check")
    if info.kind == "cuda" and s.samples and s.load_samples < MIN_LOAD_SAMPLES:
        missing.append(f"{s.load_samples} telemetry sample(s) under load")
    if not missing:
        return []
    return [Reason("error", "too_little_work", "too little work to judge: " + "; ".join(missing))]


def judge_allreduce(result: Any) -> Tuple[Verdict, Tuple[Reason, ...]]:
    """The verdict of the cross-GPU all-reduce phase (``interconnect.burn_phase.PhaseResult``):
    FAIL for a wrong element, a hang or a rank that broke (``allreduce_wrong``,
    ``allreduce_hang``, ``allreduce_error``) — each is a fault between the GPUs, or in one
    of them, that the GEMMs alone do not show; ERROR when not one checked run completed."""
    reasons = [Reason("fail", code, text) for code, text in result.reasons()]
    if not reasons and result.iterations < 1:
        reasons.append(Reason("error", "too_little_work", "the cross-GPU all-reduce completed no checked run"))
    return _worst(reasons), tuple(reasons)


def judge(info: DeviceInfo, work: WorkCounters, checks: Sequence[CheckResult], worker: WorkerStatus,
          samples: Sequence[TelemetrySample], window: Window, options: JudgeOptions = JudgeOptions(),
          xid_text: Callable[[int], str] = lambda x: f"Xid {x}",
          telemetry_status: Optional[str] = None) -> Tuple[Verdict, Tuple[Reason, ...], TelemetrySummary]:
    """The verdict, its reasons (most severe first) and the telemetry summary of one device.

    ``telemetry_status`` is why no telemetry could be read at all (e.g. NVML failed to start)."""
    s = summarise([x for x in samples if x.device == info.device], window)
    reasons: List[Reason] = []
    reasons += _correctness(checks)
    reasons += _worker(worker, s)
    reasons += _telemetry(info, s, options, xid_text)
    if options.burn:
        reasons += _throughput(info, work)
    if info.kind == "cuda" and s.samples == 0:
        reasons.append(Reason("warn", "telemetry_unavailable",
                              f"no GPU telemetry ({telemetry_status or 'no samples'}): temperature, throttling "
                              f"and ECC were not watched"))
    if options.burn and not any(r.level == "fail" for r in reasons):
        reasons += _enough(info, work, checks, s, options)
    for dtype, g in sorted(work.gemm.items()):
        if g.skipped:
            reasons.append(Reason("info", "gemm_skipped", f"GEMM {dtype} skipped: {g.skipped}"))
    for note in worker.notes:
        reasons.append(Reason("info", "note", note))
    order: Dict[str, int] = {lvl: i for i, lvl in enumerate(LEVELS)}
    reasons.sort(key=lambda r: order[r.level])
    return _worst(reasons), tuple(reasons), s
