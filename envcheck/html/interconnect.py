"""The HTML section of an ``envcheck.interconnect`` document (``envcheck interconnect
--json``, or validate's interconnect stage): peak bus bandwidth against the expected
figure, bus bandwidth over message size, host<->device copies, the GPU<->GPU matrix, the
hang and the findings with their fix steps.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Dict, List, Optional, Tuple

from .page import badge, kv, table
from .sections import finding_card
from .svg import Series, bar_chart, line_chart

P2P_MARK = 0.9  # a pair below 90 % of the best pair is marked, as the text report marks it


def _peaks(doc: Dict[str, Any]) -> Tuple[str, str]:
    """The chart, and the note under the charts saying what its ticks are."""
    peaks = doc.get("peak_busbw_gb_s") or {}
    expected = doc.get("expected_busbw") or {}
    items: List[Tuple[str, float, Optional[float]]] = [
        (c, v, (expected.get(c) or {}).get("busbw_gb_s")) for c, v in peaks.items()]
    route = doc.get("route") or ""
    note = ('<p class="muted small">Peak bus bandwidth: the tick is the expected figure for the route'
            + (f" ({escape(route)})" if route else "") + ".</p>") if any(ref for _, _, ref in items) else ""
    return bar_chart(items, title="Peak bus bandwidth", unit="GB/s"), note


def _curves(doc: Dict[str, Any]) -> str:
    by: Dict[str, List[Tuple[float, float]]] = {}
    for r in doc.get("collectives") or ():
        if r.get("size_bytes"):
            by.setdefault(r["collective"], []).append((math.log2(r["size_bytes"]), r.get("busbw_gb_s")))
    series = [Series(c, [x for x, _ in pts], [y for _, y in pts]) for c, pts in by.items()]
    return line_chart(series, title="Bus bandwidth over message size", x_label="message size, log2 bytes (10 = 1 KiB, "
                      "20 = 1 MiB, 30 = 1 GiB)", y_label="GB/s", y_min=0) if series else ""


def _copies(doc: Dict[str, Any]) -> str:
    by: Dict[Tuple[int, str], Dict[str, Any]] = {}
    for c in doc.get("copies") or ():
        row = by.setdefault((c.get("rank"), c.get("device")), {"peak": c.get("practical_peak_gb_s")})
        row[f"{c.get('direction')} {c.get('memory')}"] = c.get("gb_s")
    if not by:
        return ""
    cols = ("h2d pinned", "d2h pinned", "h2d pageable", "d2h pageable")
    rows = [(rank, device, *(_gb(v.get(k)) for k in cols), _gb(v.get("peak"))) for (rank, device), v in sorted(by.items())]
    return "<h3>Host ↔ device (GB/s)</h3>" + table(("rank", "device") + cols + ("PCIe practical peak",), rows,
                                                     numeric=(2, 3, 4, 5, 6))


def _gb(v: Any) -> str:
    return "—" if v is None else f"{v:,.1f}"


def _matrix(m: Dict[str, Any]) -> str:
    head = f"<h3>GPU ↔ GPU on node {m.get('node')} ({escape(str(m.get('host', '')))})</h3>"
    if m.get("error"):
        return head + f'<p class="muted">Not measured: {escape(m["error"])}</p>'
    n = len(m.get("devices") or ())
    out = [head, '<ul class="small">' + "".join(f"<li>{escape(d)}</li>" for d in m.get("devices") or ()) + "</ul>"]
    for via, what in (("p2p", "direct (P2P where allowed)"), ("host", "staged through host memory")):
        cells = {(c["src"], c["dst"]): c for c in m.get("cells") or () if c.get("via") == via}
        best = max((c.get("bandwidth_gb_s") or 0.0 for c in cells.values()), default=0.0)
        rows = []
        for a in range(n):
            row: List[str] = [f"cuda:{a}"]
            for b in range(n):
                c = cells.get((a, b))
                if a == b or c is None:
                    row.append("—")
                    continue
                bw = c.get("bandwidth_gb_s") or 0.0
                mark = " *" if bw < P2P_MARK * best else ""
                row.append(f"{bw:,.1f} GB/s · {c.get('latency_us', 0):.1f} µs{mark}")
            rows.append(row)
        out.append(f'<p class="muted">{what}</p>' + table([""] + [f"cuda:{b}" for b in range(n)], rows,
                                                            numeric=tuple(range(1, n + 1))))
    out.append('<p class="muted small">* below 90 % of the best pair (compare pairs joined the same way)</p>')
    return "".join(out)


def section(doc: Dict[str, Any]) -> str:
    """The interconnect document as an HTML fragment (for its own page or validate's stage)."""
    run = doc.get("run") or {}
    ranks = doc.get("ranks") or []
    where = "GPUs" if run.get("backend") == "nccl" else "CPU processes"
    head = (f"<p>{badge(str(doc.get('verdict', '')))} {run.get('world_size', '?')} {where} over "
            f"{escape(str(run.get('backend', '?')))}, {run.get('nnodes', '?')} node(s), launched by "
            f"{escape(str(run.get('launcher', '?')))}, {run.get('seconds') or 0:.1f} s</p>")
    devices = sorted({f"{r.get('device')} {r.get('name') or ''}".strip() for r in ranks})
    facts = kv([("route", doc.get("route")), ("devices", ", ".join(devices)),
                ("definitions", doc.get("definitions"))])
    hang = doc.get("hang")
    trouble = ""
    if hang:
        trouble += (f'<div class="card finding sev-error"><h3>{badge("FAIL")} Hang: {escape(str(hang.get("label")))}'
                    f"</h3><p>passed its {hang.get('deadline_s', 0):g} s deadline (seen by "
                    f"{escape(str(hang.get('seen_by', '')))}); ranks that never joined: "
                    f"{escape(', '.join(map(str, hang.get('missing_ranks') or ())) or 'none')}</p></div>")
    for line in doc.get("failures") or ():
        trouble += f'<div class="card"><strong>Failed:</strong> {escape(str(line))}</div>'
    wrong = sum(r.get("wrong") or 0 for r in doc.get("collectives") or ())
    checked = (f'<p class="muted">{len(doc.get("collectives") or ())} collective runs, every result checked: '
               f"{wrong} wrong element(s).</p>")
    findings = "".join(finding_card(f) for f in doc.get("findings") or ()) or '<p class="muted">No findings.</p>'
    matrices = "".join(_matrix(m) for m in doc.get("matrices") or ())
    chart, note = _peaks(doc)
    return (head + f'<div class="card">{facts}</div>' + trouble + '<div class="grid2">' + chart + _curves(doc)
            + "</div>" + note + checked + _copies(doc) + matrices + "<h3>Findings</h3>" + findings)
