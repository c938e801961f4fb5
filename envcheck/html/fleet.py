"""The fleet page's body: the machines × stages table, drift, outliers with their
distribution as a chart, health flags, and missing/stale reports."""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List

from ..fleet.analyse import number
from .page import badge, table
from .svg import bar_chart

STAGES = ("doctor", "verify", "bench", "burn", "interconnect")


def _age(seconds: Any) -> str:
    if seconds is None:
        return "?"
    return f"{seconds / 3600:.0f} h" if seconds < 2 * 86400 else f"{seconds / 86400:.0f} d"


def _outlier_chart(doc: Dict[str, Any], o: Dict[str, Any]) -> str:
    """The outlier's figure beside its peers' median and the slowest/fastest peers."""
    peers: List[float] = []
    for m in doc["machines"]:
        machine_value = ((m.get("interconnect") or {}).get("figures") or {}).get(o["figure"])
        same_kind = str(o["model"]).startswith(f"{m.get('group')},")
        if machine_value is not None and same_kind and m["host"] != o["host"]:  # a collective's bus bandwidth
            peers.append(machine_value)
        for dev, d in (m.get("devices") or {}).items():
            v = (d.get("figures") or {}).get(o["figure"])
            if v is not None and d.get("name") == o["model"] and not (m["host"] == o["host"] and dev == o["device"]):
                peers.append(v)
    items = [(f"{o['host']} {o['device']}", o["value"], None), ("peers' median", o["median"], None)]
    if peers:
        items += [("slowest peer", min(peers), None), ("fastest peer", max(peers), None)]
    return bar_chart(items, title=o["text"], unit="")


def fleet_body(doc: Dict[str, Any]) -> str:
    c = doc["counts"]
    v = c.get("verdicts") or {}
    summary = (f'<div class="card"><p>{c["machines"]} machines: {v.get("PASS", 0)} PASS, {v.get("WARN", 0)} WARN, '
               f'{v.get("FAIL", 0)} FAIL, {v.get("ERROR", 0)} ERROR · {c["drift"]} drift · {c["outliers"]} outliers · '
               f'{c["health"]} health flags · {c["missing"]} missing · {c["stale"]} stale · '
               f'{c["unreadable"]} unreadable</p>'
               + table(["group", "machines"], [(g["name"], g["machines"]) for g in doc["groups"]], numeric=(1,))
               + "</div>")
    rows = []
    # The machines that need a look first, then the rest in host order.
    order = sorted(doc["machines"], key=lambda m: (m.get("verdict") == "PASS" and not m["health_flags"]
                                                   and not m["outliers"], m["host"]))
    for m in order:
        st = m.get("stages") or {}
        rows.append([escape(m["host"]), badge(m.get("verdict")) if m.get("verdict") else escape(str(m.get("kind")))]
                    + [badge(st[s]) if st.get(s) else "—" for s in STAGES]
                    + [escape(str(m.get("level") or "—")), escape(_age(m.get("age_s"))),
                       str(m["health_flags"] or ""), str(m["outliers"] or "")])
    machines = ('<h2 id="machines">Machines</h2><div class="card">'
                + table(["host", "verdict", *STAGES, "level", "age", "health", "outliers"], rows,
                        numeric=(9, 10), raw=tuple(range(11))) + "</div>")
    drift_rows = [(d["group"], d["key"], d["majority"], f'{d["majority_count"]} of {d["machines"]}',
                   ", ".join(f'{o["host"]}: {o["value"]}' for o in d["odd"])) for d in doc["drift"]]
    drift = '<h2 id="drift">Version drift</h2><div class="card">' + (
        table(["group", "what", "majority", "on", "odd ones"], drift_rows) if drift_rows
        else '<p class="muted">Every group runs one driver, CUDA, torch, cuDNN, VBIOS and kernel.</p>') + "</div>"
    out_rows = [(o["text"], f'{o["below_pct"]:.0f} %') for o in doc["outliers"]]
    charts = "".join(_outlier_chart(doc, o) for o in doc["outliers"][:6])
    outliers = '<h2 id="outliers">Performance outliers</h2><div class="card">' + (
        table(["GPU", "below median"], out_rows, numeric=(1,)) + f'<div class="grid2">{charts}</div>' if out_rows
        else '<p class="muted">No GPU is more than the threshold below its peers.</p>') + "</div>"
    stats_rows = [(s["model"], s["label"], s["n"], f'{number(s["median"])} {s["unit"]}', number(s["spread"]))
                  for s in doc.get("statistics") or ()]
    if stats_rows:
        outliers += ('<div class="card"><h3>Figures by GPU model</h3>'
                     + table(["model", "figure", "GPUs", "median", "robust spread"], stats_rows, numeric=(2, 3, 4))
                     + "</div>")
    health_rows = [(badge(h["level"].upper()), escape(h["text"])) for h in doc["health"]]
    health = '<h2 id="health">Health</h2><div class="card">' + (
        table(["level", "flag"], health_rows, raw=(0, 1)) if health_rows
        else '<p class="muted">No ECC errors, retired or remapped memory, Xid events or throttling.</p>') + "</div>"
    gone = ([("missing", m["host"], "no report") for m in doc["missing"]]
            + [("stale", s["host"], f'{_age(s.get("age_s"))} old') for s in doc["stale"]]
            + [("incomplete", i["host"], i["status"]) for i in doc["incomplete"]]
            + [("unreadable", u["path"], u["error"]) for u in doc["unreadable"]])
    missing = '<h2 id="missing">Missing, stale and unreadable reports</h2><div class="card">' + (
        table(["state", "host / file", "detail"], gone) if gone else '<p class="muted">None.</p>') + "</div>"
    return summary + health + outliers + drift + missing + machines
