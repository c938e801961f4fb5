"""The interconnect report: text for people, and the JSON document (``envcheck.interconnect``)."""

from __future__ import annotations

import textwrap
from typing import Any, Dict, List, Sequence

from ..envelope import wrap
from ..facts import Facts
from ..report import steps
from ..serial import to_data
from .nccltests import COLLECTIVES
from .plan import human_bytes
from .records import Matrix, Outcome
from .verdict import H2D_TARGET_FRACTION, P2P_TARGET_FRACTION, Verdict

KIND = "envcheck.interconnect"


def document(verdict: Verdict) -> Dict[str, Any]:
    o = verdict.outcome
    payload = {
        "verdict": verdict.status,
        "exit_code": verdict.exit_code,
        "definitions": "nccl-tests doc/PERFORMANCE.md: algbw = S/t; busbw = algbw x 2(n-1)/n (all_reduce), "
                       "(n-1)/n (all_gather, reduce_scatter), 1 (broadcast); t = mean over ranks; GB/s = 1e9 B/s",
        "run": {k: to_data(getattr(o, k)) for k in ("backend", "launcher", "world_size", "nnodes", "collectives",
                                                     "sizes", "deadline_s", "seconds", "complete")},
        "ranks": to_data(o.ranks), "copies": to_data(o.copies), "matrices": to_data(o.matrices),
        "collectives": to_data(o.rows), "hang": to_data(o.hang), "failures": list(o.failures),
        "peak_busbw_gb_s": verdict.peaks, "route": verdict.route,
        "expected_busbw": {c: to_data(e) for c, e in verdict.expected.items()},
        # Each finding as the doctor's JSON has it: its recipe and values, and "fix", the filled steps.
        "findings": [{**to_data(f), "fix": steps.document(verdict.remedy(i))} for i, f in enumerate(verdict.findings)],
        "topology": [to_data(f.interconnect) for f in o.facts],
    }
    return wrap(KIND, payload)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> List[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]
    fmt = indent + "  ".join(f"{{:>{w}}}" for w in widths)
    return [fmt.format(*header)] + [fmt.format(*map(str, r)) for r in rows]


def _topology(f: Facts) -> List[str]:
    pairs = f.interconnect.pairs.get(())
    if not pairs:
        return []
    n = max(max(p.a, p.b) for p in pairs) + 1
    cell = {(p.a, p.b): p.path.get("?") for p in pairs}
    rows = []
    for a in range(n):
        rows.append([f"GPU{a}"] + ["X" if a == b else cell.get((min(a, b), max(a, b)), "?") for b in range(n)])
    return ["Topology (NVML, as nvidia-smi topo -m):"] + _table([""] + [f"GPU{b}" for b in range(n)], rows)


def _copies(o: Outcome) -> List[str]:
    if not o.copies:
        return []
    by: Dict[tuple, Dict[str, float]] = {}
    peaks: Dict[tuple, Any] = {}
    for c in o.copies:
        key = (c.rank, c.device)
        by.setdefault(key, {})[f"{c.direction} {c.memory}"] = c.gb_s
        peaks[key] = c.practical_peak_gb_s
    cols = ("h2d pinned", "d2h pinned", "h2d pageable", "d2h pageable")
    rows = []
    for (rank, device), v in sorted(by.items()):
        peak = peaks[(rank, device)]
        low = [k for k in cols[:2] if peak and v.get(k, 0) < H2D_TARGET_FRACTION * peak]
        rows.append([rank, device] + [f"{v.get(k, 0):.1f}" for k in cols]
                    + [f"{peak:.1f}" if peak else "n/a", "below 90 %: " + ", ".join(low) if low else "ok"])
    return ["Host <-> device (GB/s):"] + _table(("rank", "device") + cols + ("practical peak", "pinned"), rows)


def _matrix(m: Matrix) -> List[str]:
    head = f"GPU <-> GPU on node {m.node} ({m.host}), {human_bytes(m.size_bytes)} copies:"
    if m.error:
        return [head, f"  not measured: {m.error}"]
    n = len(m.devices)
    out = [head] + [f"  {d}" for d in m.devices]
    for via, what, unit in (("p2p", "bandwidth_gb_s", "GB/s, direct (P2P where allowed)"),
                            ("host", "bandwidth_gb_s", "GB/s, staged through host memory"),
                            ("p2p", "latency_us", "us latency, direct"), ("host", "latency_us", "us latency, via host")):
        cells = {(c.src, c.dst): getattr(c, what) for c in m.cells if c.via == via}
        best = max(cells.values(), default=0.0)
        rows = []
        for a in range(n):
            row: List[str] = [f"cuda:{a}"]
            for b in range(n):
                v = cells.get((a, b))
                mark = "*" if (what == "bandwidth_gb_s" and v is not None and v < P2P_TARGET_FRACTION * best) else ""
                row.append("-" if a == b or v is None else f"{v:.1f}{mark}")
            rows.append(row)
        out += [f" {unit}:"] + _table([""] + [f"cuda:{b}" for b in range(n)], rows)
    out.append("  * below 90 % of the best pair (compare pairs joined the same way)")
    return out


def _collectives(o: Outcome) -> List[str]:
    out = [f"Collectives ({o.backend}, {o.world_size} ranks; nccl-tests' definitions, float, sum):"]
    for c in [c for c in COLLECTIVES if any(r.collective == c for r in o.rows)]:
        rows = [[r.size_bytes, r.count, r.iters, f"{r.time_us:.1f}", f"{r.algbw_gb_s:.3f}", f"{r.busbw_gb_s:.3f}",
                 r.wrong] for r in o.rows if r.collective == c]
        out += [f" {c}" + (" (root 0)" if c == "broadcast" else "")]
        out += _table(("size (B)", "count", "iters", "time (us)", "algbw (GB/s)", "busbw (GB/s)", "#wrong"), rows)
    return out


def _finding_lines(verdict: Verdict, width: int = 100) -> List[str]:
    if not verdict.findings:
        return ["Findings: none"]
    out = ["Findings:"]
    for i, f in enumerate(verdict.findings):
        gpu = f" (GPU {f.gpu})" if f.gpu is not None else ""
        out.append(f"  [{f.severity.value}] {f.id}{gpu}: {f.title} [{f.confidence.value}]")
        out += textwrap.wrap(f.explanation, width, initial_indent="      ", subsequent_indent="      ")
        out += steps.text_lines(f, verdict.remedy(i), verdict.recipes_problem, "      ")
    return out


def render(verdict: Verdict) -> str:
    o = verdict.outcome
    where = "GPUs" if o.backend == "nccl" else "CPU processes"
    lines = [f"envcheck interconnect: {o.world_size} {where} over {o.backend}, {o.nnodes} node(s), "
             f"launched by {o.launcher}, {o.seconds:.1f} s", ""]
    for f in o.facts[:1]:
        topo = _topology(f)
        if not topo and o.backend == "nccl":
            topo = [f"Topology: not read ({f.interconnect.pairs.describe()})"]
        lines += topo + ([""] if topo else [])
    for block in ([_copies(o)] + [_matrix(m) for m in o.matrices]):
        lines += block + ([""] if block else [])
    if o.rows:
        lines += _collectives(o) + [""]
    if verdict.peaks:
        lines.append("Peak bus bandwidth:" + (f" (route: {verdict.route})" if verdict.route else ""))
        for c, v in verdict.peaks.items():
            e = verdict.expected.get(c)
            ref = (f" — expected {e.busbw_gb_s:g} GB/s ({e.basis}: {e.what}), {100 * v / e.busbw_gb_s:.0f} %"
                   if e else "")
            lines.append(f"  {c:<15} {v:10.3f} GB/s{ref}")
        lines.append("")
    if o.hang is not None:
        lines.append(f"HANG: {o.hang.label} passed its {o.hang.deadline_s:g} s deadline (seen by {o.hang.seen_by})")
    lines += [f"FAILED: {line}" for line in o.failures]
    lines += _finding_lines(verdict) + ["", f"Verdict: {verdict.status}"]
    return "\n".join(lines) + "\n"
