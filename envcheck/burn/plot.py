"""``--plot DIR``: telemetry over time, one PNG per device, from the report document.

Three panels sharing the time axis — temperature (GPU and memory), power (with the
limit), SM and memory clocks — with the load window marked and the spans where a
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


def figure(device: Dict[str, Any], window: Optional[Sequence[float]]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    s = device["series"]
    t = s["t_s"]
    fig = Figure(figsize=(10, 7), constrained_layout=True)
    axes = fig.subplots(3, 1, sharex=True)
    panels = ((axes[0], (("temp_c", "temperature"), ("memory_temp_c", "memory temperature")), "°C"),
              (axes[1], (("power_draw_w", "power"), ("power_limit_w", "power limit")), "W"),
              (axes[2], (("clock_sm_mhz", "SM clock" if device["info"]["kind"] == "cuda" else "CPU clock"),
                         ("clock_mem_mhz", "memory clock")), "MHz"))
    for ax, lines, unit in panels:
        drawn = False
        for name, label in lines:
            ys = _column(s, name)
            if any(v is not None for v in ys):
                drawn = True
                ax.plot(t, [float("nan") if v is None else v for v in ys], label=label,
                        linestyle="--" if name == "power_limit_w" else "-")
        if not drawn:
            ax.text(0.5, 0.5, f"{lines[0][1]}: {_why_missing(s, lines[0][0])}", transform=ax.transAxes,
                    ha="center", va="center", color="grey")
        ax.set_ylabel(unit)
        for lo, hi in spans(t, _reasons(s, SLOWDOWN_REASONS)):
            ax.axvspan(lo, hi, color="tab:red", alpha=0.25, linewidth=0)
        for lo, hi in spans(t, _reasons(s, ("sw_power_cap",))):
            ax.axvspan(lo, hi, color="tab:orange", alpha=0.08, linewidth=0)
        if window:
            for x in window:
                ax.axvline(x, color="grey", linewidth=0.8, linestyle=":")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right", fontsize="small")
    axes[2].set_xlabel("seconds (red: hardware/thermal slowdown; orange: power cap; dotted: load window)")
    fig.suptitle(f"{device['device']} {device.get('name') or ''} — {device['verdict'].upper()}")
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
