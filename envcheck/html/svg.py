"""Charts as inline SVG strings: a line chart (learning curves, telemetry over time) and a
horizontal bar chart (bandwidth, throughput). No JavaScript, no fonts of their own, no
external reference: the chart is part of the page, prints, and scales with its box
(``viewBox`` + ``width: 100%``). Colours come from the page's CSS classes (s0…s5), so
print and screen styles stay in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import List, Optional, Sequence, Tuple

W, H = 640, 240  # the drawing's own units; the page scales it
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 14, 34


@dataclass(frozen=True)
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[Optional[float]]  # None: no reading (a gap in the line)
    dashed: bool = False  # a threshold (the accuracy gate), not a measurement


def nice_ticks(lo: float, hi: float, n: int = 5) -> List[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5, 5 × 10^k steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    t = first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 10))
    return ticks


def fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    if a >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}"


def _points(s: Series, sx, sy) -> List[List[Tuple[float, float]]]:
    runs: List[List[Tuple[float, float]]] = [[]]
    for x, y in zip(s.xs, s.ys):
        if y is None or not math.isfinite(y):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((sx(x), sy(y)))
    return [r for r in runs if r]


def line_chart(series: Sequence[Series], *, title: str, x_label: str, y_label: str,
               band: Optional[Tuple[float, float]] = None, y_min: Optional[float] = None,
               y_max: Optional[float] = None) -> str:
    """Lines sharing one y axis; ``band`` shades an x range (the burn's load window)."""
    pts = [(x, y) for s in series for x, y in zip(s.xs, s.ys) if y is not None and math.isfinite(y)]
    if not pts:
        return f'<p class="nochart">{escape(title)}: no readings to plot.</p>'
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x_ticks = nice_ticks(min(xs), max(xs))
    lo = min(ys) if y_min is None else y_min
    hi = max(ys) if y_max is None else y_max
    if hi - lo < 1e-9 * max(1.0, abs(hi)):  # a flat line: show it in the middle, not on an axis
        lo, hi = (lo - max(abs(lo) * 0.1, 1.0) if y_min is None else lo), hi + max(abs(hi) * 0.1, 1.0)
    y_ticks = nice_ticks(lo, hi, 4)
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def sx(x: float) -> float:
        return PAD_L + (x - x0) / ((x1 - x0) or 1) * (W - PAD_L - PAD_R)

    def sy(y: float) -> float:
        return H - PAD_B - (y - y0) / ((y1 - y0) or 1) * (H - PAD_T - PAD_B)

    out = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    if band is not None:
        bx0, bx1 = sx(max(band[0], x0)), sx(min(band[1], x1))
        out.append(f'<rect class="band" x="{bx0:.1f}" y="{PAD_T}" width="{max(0.0, bx1 - bx0):.1f}" '
                   f'height="{H - PAD_T - PAD_B}"/>')
    for t in y_ticks:
        y = sy(t)
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(t)}</text>')
    for t in x_ticks:
        x = sx(t)
        out.append(f'<line class="tickmark" x1="{x:.1f}" x2="{x:.1f}" y1="{H - PAD_B}" y2="{H - PAD_B + 4}"/>'
                   f'<text class="tick" x="{x:.1f}" y="{H - PAD_B + 16}" text-anchor="middle">{fmt(t)}</text>')
    out.append(f'<line class="axis" x1="{PAD_L}" x2="{W - PAD_R}" y1="{H - PAD_B}" y2="{H - PAD_B}"/>'
               f'<line class="axis" x1="{PAD_L}" x2="{PAD_L}" y1="{PAD_T}" y2="{H - PAD_B}"/>')
    out.append(f'<text class="label" x="{(PAD_L + W - PAD_R) / 2:.0f}" y="{H - 4}" text-anchor="middle">'
               f'{escape(x_label)}</text>'
               f'<text class="label" transform="translate(14 {(PAD_T + H - PAD_B) / 2:.0f}) rotate(-90)" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    for i, s in enumerate(series):
        for run in _points(s, sx, sy):
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            if len(run) == 1:
                out.append(f'<circle class="s{i % 6}" cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="2.5"/>')
            else:
                dash = " dashed" if s.dashed else ""
                out.append(f'<polyline class="line s{i % 6}{dash}" points="{d}"/>')
    out.append("</svg>")
    legend = "".join(f'<span class="key"><i class="sw s{i % 6}"></i>{escape(s.label)}</span>'
                     for i, s in enumerate(series))
    return f'<figure class="figure"><figcaption>{escape(title)}</figcaption>{"".join(out)}' \
           f'<div class="legend">{legend}</div></figure>'


def bar_chart(items: Sequence[Tuple[str, float, Optional[float]]], *, title: str, unit: str,
              colours: Optional[Sequence[int]] = None) -> str:
    """Horizontal bars ``(label, value, reference)``; a reference (the spec peak) is a tick.
    ``colours`` gives each bar's colour index (the same measurement, the same colour)."""
    keep = [i for i, (_, v, _) in enumerate(items) if v is not None and math.isfinite(v)]
    colours = [colours[i] for i in keep] if colours is not None else list(range(len(keep)))
    items = [items[i] for i in keep]
    if not items:
        return f'<p class="nochart">{escape(title)}: nothing measured.</p>'
    row, left, right = 26, 190, 90
    h = PAD_T + row * len(items) + 8
    top = max(max(v, ref or 0.0) for _, v, ref in items) or 1.0
    span = W - left - right
    out = [f'<svg class="chart bars" viewBox="0 0 {W} {h}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value, ref) in enumerate(items):
        y = PAD_T + i * row
        wbar = value / top * span
        text_x = left + max(wbar, ref / top * span if ref else 0.0) + 6  # beyond the peak's tick too
        out.append(f'<text class="tick" x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
                   f'<rect class="bar s{colours[i] % 6}" x="{left}" y="{y + 3}" width="{max(wbar, 1):.1f}" '
                   f'height="{row - 8}"/>'
                   f'<text class="tick" x="{text_x:.1f}" y="{y + 15}">{fmt(value)} {escape(unit)}</text>')
        if ref:
            xr = left + ref / top * span
            out.append(f'<line class="ref" x1="{xr:.1f}" x2="{xr:.1f}" y1="{y}" y2="{y + row - 2}"/>')
    out.append("</svg>")
    note = '<div class="legend"><span class="key"><i class="sw ref"></i>spec peak</span></div>' \
        if any(ref for _, _, ref in items) else ""
    return f'<figure class="figure"><figcaption>{escape(title)}</figcaption>{"".join(out)}{note}</figure>'
