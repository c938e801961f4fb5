"""``--plot DIR``: telemetry over time, one PNG per device, from the report document.

Panels sharing the time axis — temperature (GPU and memory), power (with the limit),
SM (or CPU) and memory clocks, utilisation — only those with data (the title names
what was not measured, and why), with the load window marked and the spans where a
slowdown was active shaded red (power capping, which is normal at full load, lighter).
matplotlib is imported here only, with the Agg backend (no display needed).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..atomicio import atomic_write_bytes
from ..telemetry import SLOWDOWN_REASONS


def spans(t: Sequence[float], flags: Sequence[bool]) -> List[Tuple[float, float]]:
    """Contiguous time spans where ``flags`` hold; a flagged sample lasts until the next one."""
    out: List[Tuple[float, float]] = []
    start: Optional[float] = None
    for i, (ti, on) in enumerate(zip(t, flags)):
        if on and start is None:
            start = ti
        if start is not None and (not on or i == len(t) - 1):
            out.append((start, ti if not on else ti + (t[i] - t[i - 1] if i else 1.0)))
            start = None
    return out


def _column(series: Dict[str, Any], name: str) -> List[Optional[float]]:
    return list(series["fields"].get(name, {}).get("values", []))


def _why_missing(series: Dict[str, Any], name: str) -> str:
    statuses = series["fields"].get(name, {}).get("status") or ["no samples"]
    return max(set(statuses), key=statuses.count).replace("_", " ")


def _reasons(series: Dict[str, Any], wanted: Sequence[str]) -> List[bool]:
    return [bool(v) and any(r in wanted for r in v) for v in _column(series, "clock_event_reasons")]


def panels(device: Dict[str, Any]) -> List[Tuple[Tuple[Tuple[str, str], ...], str]]:
    """The panels this device has data for, and a note naming what was not measured:
    no empty panel (a CPU has no power reading; a VM often no temperature sensor)."""
    s = device["series"]
    clock = "SM clock" if device["info"]["kind"] == "cuda" else "CPU clock"
    wanted = ((("temp_c", "temperature"), ("memory_temp_c", "memory temperature")), "°C"), \
             ((("power_draw_w", "power"), ("power_limit_w", "power limit")), "W"), \
             ((("clock_sm_mhz", clock), ("clock_mem_mhz", "memory clock")), "MHz"), \
             ((("utilization_pct", "utilisation"), ("memory_utilization_pct", "memory utilisation")), "%")
    out = []
    for lines, unit in wanted:
        present = tuple((name, label) for name, label in lines if any(v is not None for v in _column(s, name)))
        if present:
            out.append((present, unit))
    return out


def _not_measured(device: Dict[str, Any], shown: List[Tuple[Tuple[Tuple[str, str], ...], str]]) -> str:
    s = device["series"]
    drawn = {name for lines, _ in shown for name, _ in lines}
    missing = [f"{label} ({_why_missing(s, name)})" for name, label in
               (("temp_c", "temperature"), ("power_draw_w", "power"), ("clock_sm_mhz", "clock"),
                ("utilization_pct", "utilisation")) if name not in drawn]
    return ("not measured: " + ", ".join(missing)) if missing else ""


def figure(device: Dict[str, Any], window: Optional[Sequence[float]]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    s = device["series"]
    t = s["t_s"]
    shown = panels(device)
    fig = Figure(figsize=(10, 2.4 * max(1, len(shown)) + 0.8), constrained_layout=True)
    axes = list(fig.subplots(max(1, len(shown)), 1, sharex=True, squeeze=False)[:, 0])
    if not shown:
        axes[0].text(0.5, 0.5, "no telemetry", transform=axes[0].transAxes, ha="center", va="center", color="grey")
    for ax, (lines, unit) in zip(axes, shown):
        for name, label in lines:
            ys = _column(s, name)
            ax.plot(t, [float("nan") if v is None else v for v in ys], label=label,
                    linestyle="--" if name == "power_limit_w" else "-")
        ax.set_ylabel(unit)
        if unit == "%":
            ax.set_ylim(0, 105)
        for lo, hi in spans(t, _reasons(s, SLOWDOWN_REASONS)):
            ax.axvspan(lo, hi, color="tab:red", alpha=0.25, linewidth=0)
        for lo, hi in spans(t, _reasons(s, ("sw_power_cap",))):
            ax.axvspan(lo, hi, color="tab:orange", alpha=0.08, linewidth=0)
        if window:
            for x in window:
                ax.axvline(x, color="grey", linewidth=0.8, linestyle=":")
        ax.legend(loc="lower right", fontsize="small")
    axes[-1].set_xlabel("seconds (red: hardware/thermal slowdown; orange: power cap; dotted: load window)")
    note = _not_measured(device, shown)
    fig.suptitle(f"{device['device']} {device.get('name') or ''} — {device['verdict'].upper()}"
                 + (f"\n{note}" if note else ""))
    return fig


def write_plots(doc: Dict[str, Any], directory: str) -> List[Path]:
    """One PNG per device in ``directory`` (created), each written atomically."""
    out = []
    Path(directory).mkdir(parents=True, exist_ok=True)  # a directory option: made, unlike a report's parent
    for d in doc["devices"]:
        fig = figure(d, doc.get("load_window_s"))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", d["device"])
        out.append(atomic_write_bytes(Path(directory) / f"burn-{name}.png", buf.getvalue()))
    return out
