"""The live status line per device on stderr while the burn runs.

:func:`status_lines` computes the text from a running :class:`Run` (pure, tested);
:class:`LiveStatus` shows it with rich, redrawn in place, and only on a terminal:
in a pipe, a CI log or a test it stays silent.
"""

from __future__ import annotations

import sys
from typing import Any, List, Optional

from ..telemetry import TelemetrySample
from .options import format_duration


def _v(reading: Any, fmt: str) -> Optional[str]:
    return fmt.format(reading.value) if reading.ok and reading.value is not None else None


def _rate(d: Any) -> str:
    """The device's throughput so far: total TFLOP/s (GFLOP/s on the CPU) of GEMM + CNN work."""
    w = d.work
    busy = sum(g.busy_s for g in w.gemm.values()) + w.cnn_busy_s
    flops = sum(g.flops for g in w.gemm.values()) + w.cnn_flops
    if busy <= 0:
        return "—"
    rate = flops / busy
    return f"{rate / 1e12:.1f} TFLOP/s" if d.info.kind == "cuda" else f"{rate / 1e9:.1f} GFLOP/s"


def device_line(d: Any, sample: Optional[TelemetrySample]) -> str:
    parts = [f"{d.info.device:<7}", d.state.replace("_", " "), _rate(d)]
    if sample is not None:
        if sample.lost:
            parts.append("LOST")
        for text in (_v(sample.temp_c, "{}°C"), _v(sample.power_draw_w, "{:.0f} W"),
                     _v(sample.clock_sm_mhz, "{} MHz"), _v(sample.utilization_pct, "{}%")):
            if text:
                parts.append(text)
        reasons = sample.clock_event_reasons.value if sample.clock_event_reasons.ok else ()
        shown = [r for r in reasons or () if r != "gpu_idle"]
        if shown:
            parts.append("throttle: " + ",".join(shown))
    failed = sum(1 for c in d.checks if not c.passed)
    if failed:
        parts.append(f"{failed} check(s) FAILED")
    return "  ".join(parts)


def status_lines(run: Any) -> List[str]:
    """A header (phase, elapsed / remaining) and one line per device."""
    t = run.t()
    if run.phase == "burn" and run.go_s is not None:
        elapsed = max(0.0, t - run.go_s)
        left = max(0.0, run.options.duration_s - elapsed)
        head = f"burn {format_duration(elapsed)} elapsed, {format_duration(left)} left"
    else:
        head = f"{run.phase} {format_duration(t)}"
    latest = run.sampler.latest()
    lines = [head] + [device_line(d, latest.get(label)) for label, d in run.devices.items()]
    if run.allreduce is not None:
        lines.append(allreduce_line(run.allreduce_status, run.allreduce_result))
    return lines


def allreduce_line(status: Any, result: Any = None) -> str:
    """The cross-GPU all-reduce phase: checked runs so far, bus bandwidth, wrong elements."""
    now = result if result is not None else status
    if now is None:
        return "all-reduce  setting up"
    text = f"all-reduce  {now.iterations} runs  busbw {now.busbw_gb_s:.1f} GB/s"
    if now.wrong:
        text += f"  {now.wrong} WRONG"
    if result is not None:
        text += "  FAILED" if result.reasons() else "  stopped"
    return text


class LiveStatus:
    """Redraws :func:`status_lines` on stderr (rich); a no-op when stderr is not a terminal."""

    def __init__(self, stream: Any = None, enabled: Optional[bool] = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)()) if enabled is None else enabled
        self.live: Any = None

    def __enter__(self) -> "LiveStatus":
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            self.live = Live("", console=Console(file=self.stream, force_terminal=True), refresh_per_second=4,
                             transient=True)
            self.live.__enter__()
        return self

    def update(self, run: Any) -> None:
        if self.live is not None:
            from rich.text import Text

            self.live.update(Text("\n".join(status_lines(run))), refresh=True)

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)
            self.live = None
