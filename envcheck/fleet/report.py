"""The fleet document (kind ``envcheck.fleet``) and its renderings: the text table,
CSV (one row per machine) and Prometheus' textfile format (node_exporter's textfile
collector: ``--collector.textfile.directory``; the file is replaced atomically, as its
documentation asks, so a scrape never reads half of it).
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any, Dict, List, Optional, Sequence

from ..envelope import wrap
from . import analyse

STAGES = ("doctor", "verify", "bench", "burn", "interconnect")
VERDICT_CODE = {"PASS": 0, "WARN": 1, "FAIL": 2, "ERROR": 3, "SKIP": -1}


def build(summaries: Sequence[Dict[str, Any]], *, now: datetime.datetime, max_age_s: float,
          expected: Sequence[str] = (), threshold: float = 0.10) -> Dict[str, Any]:
    unreadable = [{"path": s["path"], "error": s["error"]} for s in summaries if s.get("error")]
    good = [s for s in summaries if not s.get("error")]
    machines, superseded = analyse.newest_per_host(good)
    fresh = analyse.freshness(machines, now, max_age_s, expected)
    drift = analyse.drift(machines)
    outliers, stats = analyse.outliers(machines, threshold)
    health = analyse.health(machines)
    bad = {"FAIL"}
    fail = (any(m.get("verdict") in bad for m in machines) or any(h["level"] == "fail" for h in health)
            or fresh["missing"])
    warn = (any(m.get("verdict") in ("WARN", "ERROR") for m in machines) or drift or outliers or health
            or fresh["stale"] or fresh["incomplete"] or unreadable)
    verdict = "ERROR" if not machines else "FAIL" if fail else "WARN" if warn else "PASS"
    rows = []
    for m in machines:
        flags = [h for h in health if h["host"] == m["host"]]
        rows.append({
            "host": m["host"], "verdict": m.get("verdict"), "kind": m.get("kind"), "level": m.get("level"),
            "status": m.get("status"), "created_at": m.get("created_at"), "age_s": m.get("age_s"),
            "group": analyse.group_name(m), "gpus": len(m.get("gpus") or ()), "stages": m.get("stages") or {},
            "versions": m.get("versions") or {}, "findings": m.get("findings") or [],
            "health_flags": len(flags), "outliers": sum(1 for o in outliers if o["host"] == m["host"]),
            "path": m.get("path"),
            "devices": _devices(m),
            "bench": m.get("bench"),
            "interconnect": {k: v for k, v in (m.get("interconnect") or {}).items() if k != "devices"} or None,
        })
    groups = sorted({r["group"] for r in rows})
    return wrap("envcheck.fleet", {
        "command": "fleet", "verdict": verdict, "generated_at": now.replace(microsecond=0).isoformat(),
        "subtitle": f"{len(rows)} machine(s) in {len(groups)} group(s), {len(summaries)} report file(s)",
        "options": {"max_age_s": max_age_s, "threshold": threshold, "expected": list(expected)},
        "counts": {"machines": len(rows), "reports": len(summaries), "unreadable": len(unreadable),
                   "superseded": len(superseded), "drift": len(drift), "outliers": len(outliers),
                   "health": len(health), "missing": len(fresh["missing"]), "stale": len(fresh["stale"]),
                   "incomplete": len(fresh["incomplete"]),
                   "verdicts": {v: sum(1 for r in rows if r["verdict"] == v) for v in ("PASS", "WARN", "FAIL", "ERROR")}},
        "groups": [{"name": g, "machines": sum(1 for r in rows if r["group"] == g)} for g in groups],
        "machines": rows, "drift": drift, "outliers": outliers, "statistics": stats, "health": health,
        "missing": fresh["missing"], "stale": fresh["stale"], "incomplete": fresh["incomplete"],
        "unreadable": unreadable, "superseded": [{"host": s["host"], "path": s["path"]} for s in superseded],
    })


def _devices(m: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Per GPU: the burn's verdict and figures, with the interconnect's figures beside them."""
    out = {dev: {"name": d.get("name"), "verdict": d.get("verdict"), "figures": dict(d.get("figures") or {})}
           for dev, d in (m.get("burn") or {}).items()}
    for dev, d in ((m.get("interconnect") or {}).get("devices") or {}).items():
        entry = out.setdefault(dev, {"name": d.get("name"), "verdict": None, "figures": {}})
        entry["name"] = entry["name"] or d.get("name")
        entry["figures"].update(d.get("figures") or {})
    return out


def _age(seconds: Optional[float]) -> str:
    if seconds is None:
        return "?"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def render_text(doc: Dict[str, Any], limit: int = 20) -> str:
    c = doc["counts"]
    lines = [f"envcheck fleet: {doc['verdict']}  ({doc['subtitle']})", ""]
    width = {s: max(7, len(s)) for s in STAGES}
    header = f"  {'host':<24} {'verdict':<7} " + " ".join(f"{s:<{width[s]}}" for s in STAGES) + "  level     age"
    lines.append(header)
    for r in doc["machines"]:
        st = r.get("stages") or {}
        lines.append(f"  {r['host'][:24]:<24} {str(r.get('verdict') or r.get('kind', '').split('.')[-1]):<7} "
                     + " ".join(f"{str(st.get(s) or '-'):<{width[s]}}" for s in STAGES)
                     + f"  {str(r.get('level') or '-'):<9} {_age(r.get('age_s'))}")

    def section(title: str, items: List[str]) -> None:
        if items:
            lines.extend(["", f"{title}:"] + [f"  {x}" for x in items[:limit]])
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit} more (--json, --csv or --html for all)")

    section("Version drift", [f"{d['group']}: {d['key']} {d['majority']} on {d['majority_count']} of {d['machines']}; "
                              + ", ".join(f"{o['host']} has {o['value']}" for o in d["odd"][:6])
                              + (" …" if len(d["odd"]) > 6 else "") for d in doc["drift"]])
    section("Performance outliers", [o["text"] for o in doc["outliers"]])
    section("Health", [f"[{h['level']}] {h['text']}" for h in doc["health"]])
    section("Missing reports", [m["host"] for m in doc["missing"]])
    section("Stale reports", [f"{s['host']}: {_age(s.get('age_s'))} old ({s.get('created_at')})" for s in doc["stale"]])
    section("Incomplete reports", [f"{i['host']}: {i['status']}" for i in doc["incomplete"]])
    section("Unreadable files", [f"{u['path']}: {u['error']}" for u in doc["unreadable"]])
    section("Superseded (a newer report of the same host is used)", [f"{s['host']}: {s['path']}" for s in doc["superseded"]])
    if not any(c[k] for k in ("drift", "outliers", "health", "missing", "stale", "incomplete", "unreadable")):
        lines += ["", "No drift, no outliers, no health flags, no missing or stale reports."]
    return "\n".join(lines) + "\n"


def render_csv(doc: Dict[str, Any]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["host", "verdict", *STAGES, "level", "created_at", "age_s", "group", "gpus",
                *analyse.DRIFT_KEYS, "health_flags", "outliers", "min_burn_cnn_images_per_s",
                "min_burn_bandwidth_gb_s", "bench_images_per_s", "all_reduce_busbw_gb_s", "min_p2p_gb_s", "path"])
    for r in doc["machines"]:
        figs = [d["figures"] for d in (r.get("devices") or {}).values()]
        cnn = [f["burn_cnn_images_per_s"] for f in figs if "burn_cnn_images_per_s" in f]
        bw = [f["burn_bandwidth_gb_s"] for f in figs if "burn_bandwidth_gb_s" in f]
        p2p = [f["ic_p2p_min_gb_s"] for f in figs if "ic_p2p_min_gb_s" in f]
        busbw = ((r.get("interconnect") or {}).get("figures") or {}).get("ic_all_reduce_busbw_gb_s", "")
        st = r.get("stages") or {}
        w.writerow([r["host"], r.get("verdict") or "", *[st.get(s) or "" for s in STAGES], r.get("level") or "",
                    r.get("created_at") or "", "" if r.get("age_s") is None else round(r["age_s"]), r["group"],
                    r["gpus"], *[(r.get("versions") or {}).get(k) or "" for k in analyse.DRIFT_KEYS],
                    r["health_flags"], r["outliers"], min(cnn) if cnn else "", min(bw) if bw else "",
                    (r.get("bench") or {}).get("images_per_s", ""), busbw, min(p2p) if p2p else "",
                    r.get("path") or ""])
    return out.getvalue()


def _label(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**kv: Any) -> str:
    return "{" + ",".join(f'{k}="{_label(v)}"' for k, v in kv.items() if v is not None) + "}"


def render_prometheus(doc: Dict[str, Any]) -> str:
    """node_exporter textfile format: ``# HELP`` / ``# TYPE`` then samples, one metric family each."""
    fams: Dict[str, List[str]] = {}
    helps = {
        "envcheck_validate_verdict": "Overall validate verdict per host: 0 PASS, 1 WARN, 2 FAIL, 3 ERROR.",
        "envcheck_validate_stage_verdict": "Stage verdict per host: 0 PASS, 1 WARN, 2 FAIL, 3 ERROR, -1 SKIP.",
        "envcheck_validate_report_timestamp_seconds": "When the host's validate report was made (Unix time).",
        "envcheck_gpu_figure": "A measured figure per GPU from the burn or the interconnect (unit in the label).",
        "envcheck_interconnect_busbw_gb_s": "Peak bus bandwidth of a collective (nccl-tests' definition) per host.",
        "envcheck_gpu_relative_to_peers": "A GPU's figure divided by the median of the same GPU model in the fleet.",
        "envcheck_bench_images_per_second": "The bench's training throughput per host.",
        "envcheck_health_flag": "1 per health flag (ECC, retired/remapped memory, Xid, throttling).",
        "envcheck_version_drift_hosts": "Hosts whose version differs from their group's majority, per key.",
        "envcheck_fleet_reports": "Report counts by state (machines, missing, stale, incomplete, unreadable).",
    }

    def add(name: str, labels: str, value: float) -> None:
        fams.setdefault(name, []).append(f"{name}{labels} {value:.10g}")

    medians = {(s["model"], s["figure"]): s["median"] for s in doc.get("statistics") or ()}
    for r in doc["machines"]:
        host = r["host"]
        if r.get("verdict") in VERDICT_CODE:
            add("envcheck_validate_verdict", _labels(host=host), VERDICT_CODE[r["verdict"]])
        for stage, v in (r.get("stages") or {}).items():
            if v in VERDICT_CODE:
                add("envcheck_validate_stage_verdict", _labels(host=host, stage=stage), VERDICT_CODE[v])
        t = analyse._parse_time(r.get("created_at"))
        if t:
            add("envcheck_validate_report_timestamp_seconds", _labels(host=host), t.timestamp())
        for dev, d in (r.get("devices") or {}).items():
            for key, value in (d.get("figures") or {}).items():
                label, unit = analyse.figure_label(key)
                lab = _labels(host=host, gpu=dev, model=d.get("name"), figure=key, unit=unit)
                add("envcheck_gpu_figure", lab, value)
                med = medians.get((d.get("name") or "unknown", key))
                if med:
                    add("envcheck_gpu_relative_to_peers", lab, value / med)
        ic = r.get("interconnect") or {}
        for key, value in (ic.get("figures") or {}).items():
            add("envcheck_interconnect_busbw_gb_s",
                _labels(host=host, collective=key[len("ic_"):-len("_busbw_gb_s")], backend=ic.get("backend"),
                        ranks=ic.get("world_size")), value)
        if r.get("bench"):
            b = r["bench"]
            add("envcheck_bench_images_per_second",
                _labels(host=host, model=b.get("model"), synthetic=str(bool(b.get("synthetic"))).lower()),
                b["images_per_s"])
    for h in doc["health"]:
        add("envcheck_health_flag", _labels(host=h["host"], gpu=h.get("device") or "", flag=h["code"],
                                            level=h["level"]), 1)
    for d in doc["drift"]:
        add("envcheck_version_drift_hosts", _labels(group=d["group"], key=d["key"], majority=d["majority"]),
            len(d["odd"]))
    c = doc["counts"]
    for state in ("machines", "missing", "stale", "incomplete", "unreadable"):
        add("envcheck_fleet_reports", _labels(state=state), c[state])
    out = []
    for name, samples in fams.items():
        out += [f"# HELP {name} {helps[name]}", f"# TYPE {name} gauge", *samples]
    return "\n".join(out) + "\n"
