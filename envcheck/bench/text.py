"""The bench's human summary (text for stdout); JSON is :func:`results.to_document`."""

from __future__ import annotations

from typing import List, Optional

from envcheck.bench.results import CHANCE_MARGIN, BenchResult, LoopResult
from envcheck.dataset.files import NUM_CLASSES


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _secs(x: Optional[float]) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.1f} ms" if x < 1.0 else f"{x:.2f} s"


def plan_text(model: str, data, where: str, device_name: str, threads: Optional[int], precision: str, epochs: int,
              baseline: bool, estimate_s: Optional[float]) -> str:
    """What runs where, and how long it should take — said before the first epoch."""
    kind = "SYNTHETIC data" if data.synthetic else data.label
    threads_text = f", {threads} threads" if threads else ""
    loops = f"fast path {_count(epochs, 'epoch')}" + (f", then the naive loop {_count(epochs, 'epoch')}"
                                                       if baseline else "")
    approx = (f"{estimate_s:.0f} s" if estimate_s >= 10 else _secs(estimate_s)) if estimate_s is not None else ""
    when = (f"about {approx} of training (reference throughput of this device)" if estimate_s is not None
            else "time per epoch shown as each finishes (no reference result for this device)")
    return (f"envcheck bench: {model} on {kind} ({len(data.train_labels):,} training / {len(data.test_labels):,} test "
            f"images), {where} {device_name}{threads_text}, {precision}; {loops}; {when}")


def _loop_lines(label: str, loop: LoopResult) -> List[str]:
    pad = " " * 14
    gate = loop.gate
    verdict = (("PASS" if gate.passed else "FAIL") if gate.judged else f"not judged: {gate.why_not_judged}") \
        if gate else "no gate"
    lines = [f"  {label:<12}test accuracy {_pct(loop.test_accuracy)}"
             + (f"  (gate ≥ {_pct(gate.target_accuracy)} on {gate.dataset_kind}: {verdict})" if gate else "")]
    lines.append(f"{pad}train {loop.train_images_per_s:,.0f} images/s, eval {loop.eval_images_per_s:,.0f} images/s")
    rest = loop.epoch_seconds[1:]
    if len(rest) > 1:
        lines.append(f"{pad}epochs: first {_secs(loop.first_epoch_seconds)} (warm-up), then median "
                     f"{_secs(loop.steady_epoch_seconds)} of {len(rest)}")
    elif rest:
        lines.append(f"{pad}epochs: first {_secs(loop.first_epoch_seconds)} (warm-up), second {_secs(rest[0])}")
    else:
        lines.append(f"{pad}one epoch: {_secs(loop.first_epoch_seconds)} (includes warm-up)")
    if loop.disturbed:
        lines.append(f"{pad}DISTURBED: warm epochs took {_secs(min(rest))} to {_secs(max(rest))} "
                     f"({loop.warm_spread:.1f}x apart): something else used the device, so these speed "
                     "figures are not its own; run again on a quiet machine")
    if gate is not None and gate.dataset_kind and loop.test_accuracy <= 1 / NUM_CLASSES + CHANCE_MARGIN:
        lines.append(f"{pad}CHANCE LEVEL: test accuracy {_pct(loop.test_accuracy)} is what guessing gives "
                     f"({NUM_CLASSES} classes): the model has not learnt yet"
                     + (f" after {_count(len(loop.epoch_seconds), 'epoch')}; run the recipe's epochs to judge it"
                        if not gate.judged else ""))
    target = f"{_pct(gate.target_accuracy)}" if gate else "target"
    ttt = (f"{_secs(loop.time_to_target_s)} (epoch {loop.epochs_to_target})" if loop.time_to_target_s is not None
           else "not reached")
    lines.append(f"{pad}setup {_secs(loop.setup_seconds)}; time to {target}: {ttt}")
    frac = loop.fraction_of_peak
    frac_text = (f"{100 * frac.value:.2f}% of the device's peak" if frac.ok and frac.value is not None
                 else "fraction of peak n/a (peak unknown)")
    lines.append(f"{pad}{loop.achieved_tflops:.4f} TFLOP/s achieved (training = 3x counted forward FLOPs); {frac_text}")
    return lines


def _options(loop: LoopResult) -> str:
    o = loop.options
    parts = [str(o.get("precision", "?"))]
    parts.append("channels-last" if o.get("channels_last") else "NCHW")
    if o.get("cuda_graph"):
        parts.append("CUDA graph")
    elif o.get("compile"):
        parts.append("torch.compile")
    elif o.get("cuda_graph_note"):
        parts.append(f"no CUDA graph ({o['cuda_graph_note']})")
    if o.get("dropped_per_epoch"):
        parts.append(f"last partial batch dropped ({o['dropped_per_epoch']} images/epoch)")
    return ", ".join(parts)


def render_text(r: BenchResult) -> str:
    m, d, dev = r.model, r.dataset, r.device
    hp = m["hyperparameters"]
    lines = [f"envcheck bench — {m['name']} on {d.label}"]
    if d.synthetic:
        lines.append("  NOTE        SYNTHETIC data: this checks speed and that training works, not Fashion-MNIST accuracy")
    where = f"{dev.type}" + (f":{dev.index}" if dev.index is not None else "")
    threads = f", {dev.threads} threads" if dev.threads else ""
    lines.append(f"  device      {where} {dev.name}{threads}")
    lines.append(f"  fast path   {_options(r.fast)}")
    lines.append(f"  data        {d.source}{' ' + d.directory if d.directory else ''}: {d.verification}; "
                 f"loaded in {_secs(d.load_seconds)}")
    sched = f" ({hp['schedule']})" if hp.get("schedule") != "constant" else ""
    lines.append(f"  recipe      {hp['optimizer']} lr {hp['lr']}{sched}, batch {hp['batch_size']}, {_count(hp['epochs'], 'epoch')}, "
                 f"seed {r.seed}; {m['flops_per_image'] / 1e6:.2f} MFLOP forward per image")
    peak = dev.peak_tflops
    lines.append(f"  peak        {peak.value:g} TFLOP/s dense {dev.precision} (spec table)" if peak.ok
                 else f"  peak        unknown: {peak.describe()}")
    lines.append("")
    lines += _loop_lines("fast path", r.fast)
    if r.baseline is not None:
        lines += _loop_lines("naive loop", r.baseline)
        ratio = r.speedup_vs_baseline or 0.0
        ttt = ""
        if r.fast.time_to_target_s and r.baseline.time_to_target_s:
            ttt = f"; time to target {r.baseline.time_to_target_s / r.fast.time_to_target_s:.2f}x faster"
        lines.append(f"  speed-up    fast path / naive loop: {ratio:.2f}x train images/s{ttt}")
    if r.telemetry is not None:
        t = r.telemetry
        throttle = ", ".join(t.throttle_s) or "none"
        lines.append(f"  telemetry   {_count(t.samples, 'sample')}: max {t.temp_peak_c.describe()} °C, mean power "
                     f"{t.power_mean_w.describe()} W (limit {t.power_limit_w.describe()} W), SM clock 5th percentile "
                     f"{t.clock_sm_p5_mhz.describe()} / median {t.clock_sm_median_mhz.describe()} MHz; "
                     f"clock-event reasons: {throttle}")
    elif dev.type == "cuda":
        lines.append(f"  telemetry   none: {r.telemetry_status.describe()}")
    if r.reference is not None:
        lines.append(f"  reference   {r.reference.detail}")
    lines.append(f"  wall time   {_secs(r.wall_seconds)} (data loading, setup, training and evaluation)")
    verdict = ("PASS" if r.passed else "FAIL: test accuracy below the gate — this machine trains to the wrong answer") \
        if r.judged else "NOT JUDGED: fewer epochs than the model's recipe (timing only; run without --epochs to judge)"
    if r.interrupted_by:
        verdict = f"INTERRUPTED by {r.interrupted_by}: figures of the finished epochs only" + (
            f"; fast path {verdict}" if r.judged else ", not judged")
    if d.synthetic:
        verdict += " (synthetic data)"
    lines.append(f"  verdict     {verdict}")
    return "\n".join(lines) + "\n"
