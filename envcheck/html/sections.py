"""HTML sections for each command's JSON document: doctor (``envcheck.report``), verify,
bench, burn. Each takes the document exactly as the command writes it and returns an
HTML fragment; :mod:`envcheck.html` puts them in a page.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Optional, Tuple

from .page import badge, kv, table
from .svg import Series, bar_chart, line_chart


def _val(reading: Any) -> Any:
    """A serialised reading's value (or the value itself)."""
    return reading.get("value") if isinstance(reading, dict) and "status" in reading else reading


def _num(v: Any, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


# ------------------------------------------------------------------------------ doctor
def facts_lines(facts: Dict[str, Any]) -> List[Tuple[str, str]]:
    """The doctor's own summary lines of the facts (host, GPUs, driver, CUDA, torch)."""
    from ..facts import Facts
    from ..report.summary import section_lines
    from ..serial import from_dict

    try:
        f = from_dict(Facts, facts)
    except Exception:  # a document from another envcheck version: show the findings anyway
        return []
    out: List[Tuple[str, str]] = []
    for lines in section_lines(f).values():
        out.extend(lines)
    return out


_WHERE = {"host": "on the host, not in the container", "windows": "in Windows, not in Linux"}


def _step_tags(step: Dict[str, Any]) -> str:
    tags = ["needs root"] if step.get("needs_root") else []
    if step.get("where") in _WHERE:
        tags.append(_WHERE[step["where"]])
    if step.get("only_if"):
        tags.append(f"only if: {step['only_if']}")
    return "".join(f' <span class="tag">{escape(t)}</span>' for t in tags)


def _commands(commands: Any) -> str:
    return f"<pre>{escape(chr(10).join(str(c) for c in commands))}</pre>" if commands else ""


def fix_steps(fix: Any) -> str:
    """A finding's fix as the JSON report holds it (envcheck/report/steps.py ``document``):
    the recipe's filled steps, numbered, each with its commands, the ones that need root or
    belong on another machine tagged, alternatives, notes and what could not be filled in."""
    if not fix:
        return '<p class="muted">No commands to run: the explanation says what to do.</p>'
    if isinstance(fix, list):  # a report from before the recipes were the fix's only source
        return "<h3>Fix</h3>" + _commands(fix)
    items = []
    for st in fix.get("steps") or ():
        alts = "".join(f'<p class="muted">or, without rebooting: {escape(str(a.get("title", "")))}</p>'
                       + _commands(a.get("commands")) for a in st.get("alternatives") or ())
        items.append(f"<li><strong>{escape(str(st.get('title', '')))}</strong>{_step_tags(st)}"
                     f"{_commands(st.get('commands'))}{alts}</li>")
    notes = "".join(f'<p class="muted">Note: {escape(str(n))}</p>' for n in fix.get("notes") or ())
    missing = fix.get("missing_values") or ()
    unfilled = (f'<p class="muted">Not known here, fill in yourself: {escape(", ".join(map(str, missing)))}</p>'
                if missing else "")
    return f'<h3>Fix</h3><ol class="steps">{"".join(items)}</ol>{notes}{unfilled}'


def finding_card(f: Dict[str, Any]) -> str:
    sev = f.get("severity", "info")
    evidence = "".join(f"<li><code>{escape(e.get('fact', ''))}</code> = {escape(str(e.get('value', '')))}</li>"
                       for e in f.get("evidence") or ())
    steps = fix_steps(f.get("fix"))
    recipe = (f'<p class="muted">Step by step: <code>envcheck recipe show {escape(f["recipe"])}</code></p>'
              if f.get("recipe") else "")
    links = "".join(f'<li><a href="{escape(u)}">{escape(u)}</a></li>' for u in f.get("links") or ())
    gpu = f" (GPU {f['gpu']})" if f.get("gpu") is not None else ""
    sev_badge = badge(sev if sev != "info" else "note", css={"error": "FAIL", "warning": "WARN"}.get(sev, "SKIP"))
    return (f'<div class="card finding sev-{escape(sev)}"><h3>{sev_badge} {escape(f.get("title", ""))}{gpu}</h3>'
            f'<p class="muted"><code>{escape(f.get("id", ""))}</code></p><p>{escape(f.get("explanation", ""))}</p>'
            + (f"<h3>Evidence</h3><ul>{evidence}</ul>" if evidence else "") + steps + recipe
            + (f"<h3>Sources</h3><ul>{links}</ul>" if links else "") + "</div>")


def doctor(doc: Dict[str, Any], with_facts: bool = True) -> str:
    findings = doc.get("findings") or []
    counts = doc.get("counts") or {}
    verdict = str(doc.get("verdict"))
    head = (f'<p>{badge(verdict, css={"ok": "PASS", "warning": "WARN", "error": "FAIL"}.get(verdict, "WARN"))} '
            f'{counts.get("error", 0)} error(s), '
            f'{counts.get("warning", 0)} warning(s), {counts.get("info", 0)} note(s)</p>')
    failures = doc.get("envcheck_failures") or []
    if failures:
        head += '<div class="card"><h3>envcheck failed while reading this machine</h3><ul>' + \
            "".join(f"<li><code>{escape(x)}</code></li>" for x in failures) + "</ul></div>"
    cards = "".join(finding_card(f) for f in findings) or '<p class="muted">No findings.</p>'
    lines = facts_lines(doc.get("facts") or {}) if with_facts else []
    machine = f'<div class="card"><h3>What the doctor read</h3>{kv(lines)}</div>' if lines else ""
    return head + cards + machine


# ------------------------------------------------------------------------------ verify
def verify(doc: Dict[str, Any]) -> str:
    rows = [(w.get("device"), w.get("dtype"), w.get("op"), w.get("checks"), w.get("failed"),
             "—" if w.get("rel_err") is None else f"{w['rel_err']:.2e}", "—" if w.get("tol") is None else f"{w['tol']:.0e}")
            for w in doc.get("worst") or ()]
    head = (f'<p>{badge("PASS" if doc.get("passed") else "FAIL")} {doc.get("check_count")} checks, '
            f'{doc.get("failed_count")} failed, torch {escape(str(doc.get("torch_version")))}, '
            f'{doc.get("seconds")} s</p>')
    skipped = "".join(f"<li>{escape(s.get('dtype', ''))} on {escape(s.get('device', ''))}: {escape(s.get('reason', ''))}</li>"
                      for s in doc.get("skipped") or ())
    return head + table(["device", "dtype", "operation", "checks", "failed", "worst rel. error", "tolerance"],
                        rows, numeric=(3, 4, 5, 6)) + (f"<p class=muted>Not run:</p><ul>{skipped}</ul>" if skipped else "")


# ------------------------------------------------------------------------------- bench
def bench(doc: Dict[str, Any]) -> str:
    curve = doc.get("curve") or []
    epochs = [r["epoch"] for r in curve]
    gate = doc.get("gate") or {}
    data = doc.get("dataset") or {}
    label = escape(str(data.get("label", "")))
    data_line = f'<span class="synthetic">{label}</span>' if doc.get("synthetic") else label
    verdict = "PASS" if doc.get("passed") else ("WARN" if doc.get("passed") is None else "FAIL")
    model = doc.get("model") or {}
    device = doc.get("device") or {}
    acc = [Series("train accuracy", epochs, [r.get("train_accuracy") for r in curve]),
           Series("test accuracy", epochs, [r.get("test_accuracy") for r in curve])]
    if gate.get("target_accuracy") is not None and epochs:
        acc.append(Series(f"gate {100 * gate['target_accuracy']:.0f}%", [epochs[0], epochs[-1]],
                          [gate["target_accuracy"]] * 2, dashed=True))
    loss = [Series("train loss", epochs, [r.get("train_loss") for r in curve]),
            Series("test loss", epochs, [r.get("test_loss") for r in curve])]
    figures = kv([
        ("model", f"{model.get('name', '?')} — {model.get('description', '')}"),
        ("device", f"{device.get('name', '?')} ({device.get('precision', '?')})"),
        ("test accuracy", f"{100 * (doc.get('test_accuracy') or 0):.2f}% (gate {100 * (gate.get('target_accuracy') or 0):.0f}%"
                          + ("" if gate.get("judged", True) else f"; not judged: {gate.get('why_not_judged', '')}") + ")"),
        ("training speed", f"{_num(doc.get('train_images_per_s'), 0)} images/s"),
        ("epoch", f"first {_num(doc.get('first_epoch_seconds'), 2)} s, steady {_num(doc.get('steady_epoch_seconds'), 2)} s"),
        ("time to target", f"{_num(doc.get('time_to_target_s'), 1)} s" if doc.get("time_to_target_s") else "—"),
        ("wall time", f"{_num(doc.get('wall_seconds'), 1)} s"),
    ])
    return (f"<p>{badge(verdict)} {data_line}</p><div class=card>{figures}</div><div class=grid2>"
            + line_chart(acc, title="Learning curve: accuracy", x_label="epoch", y_label="accuracy", y_min=0, y_max=1)
            + line_chart(loss, title="Learning curve: loss", x_label="epoch", y_label="loss", y_min=0)
            + "</div>")


# -------------------------------------------------------------------------------- burn
TELEMETRY = (("temp_c", "Temperature", "°C"), ("power_draw_w", "Power", "W"),
             ("clock_sm_mhz", "SM clock", "MHz"), ("utilization_pct", "Utilisation", "%"))


def _series(dev: Dict[str, Any], name: str) -> Optional[Series]:
    s = dev.get("series") or {}
    col = (s.get("fields") or {}).get(name)
    if not col or not any(v is not None for v in col.get("values") or ()):
        return None
    return Series(str(dev.get("device")), s.get("t_s") or [], col["values"])


def telemetry_charts(devices: List[Dict[str, Any]], window: Optional[List[float]]) -> str:
    charts = []
    for name, title, unit in TELEMETRY:
        series = [s for s in (_series(d, name) for d in devices) if s is not None]
        if series:
            charts.append(line_chart(series, title=f"{title} over time", x_label="seconds since start",
                                     y_label=unit, band=tuple(window) if window else None,
                                     y_min=0 if name in ("utilization_pct", "power_draw_w") else None))
    if not charts:
        return '<p class="nochart">No telemetry samples were recorded.</p>'
    return '<div class="grid2">' + "".join(charts) + "</div>" + \
        '<p class="muted">Shaded: the load window (all devices under load).</p>'


def bandwidth_chart(devices: List[Dict[str, Any]]) -> str:
    items: List[Tuple[str, float, Optional[float]]] = []
    kinds: List[str] = []  # one colour per measurement, the same on every device
    for d in devices:
        tp = (d.get("work") or {}).get("throughput") or {}
        if tp.get("bandwidth_gb_s"):
            items.append((f"{d['device']} under load", tp["bandwidth_gb_s"], None))
            kinds.append("load")
        for m in (d.get("micro") or {}).get("items") or ():
            if m.get("unit") == "GB/s":
                items.append((f"{d['device']} {m['name']} {m.get('dtype', '')}".strip(), m["value"], m.get("peak")))
                kinds.append(f"{m['name']} {m.get('dtype', '')}")
    order = list(dict.fromkeys(kinds))
    return bar_chart(items, title="Bandwidth", unit="GB/s", colours=[order.index(k) for k in kinds])


def burn(doc: Dict[str, Any]) -> str:
    devices = doc.get("devices") or []
    if doc.get("status") == "skipped":
        return f"<p>{badge('SKIP')} {escape(str(doc.get('reason', '')))}</p>"
    rows = []
    for d in devices:
        tp = (d.get("work") or {}).get("throughput") or {}
        gemm = ", ".join(f"{k} {v:.3g}" for k, v in (tp.get("gemm_tflops") or {}).items() if v)
        ts = d.get("telemetry_summary") or {}
        reasons = "; ".join(r.get("text", "") for r in d.get("reasons") or () if r.get("level") != "info")
        rows.append((d.get("device"), d.get("name") or "", badge(str(d.get("verdict", "")).upper()),
                     _num(tp.get("cnn_images_per_s"), 0), gemm or "—", _num(tp.get("bandwidth_gb_s"), 1),
                     _num(_val(ts.get("temp_peak_c")), 0), reasons or "—"))
    head = (f"<p>{badge(str(doc.get('status', '')).upper())} {doc.get('duration_s', 0):g} s requested, "
            f"{doc.get('elapsed_s', 0):.0f} s elapsed; telemetry: {escape(str((doc.get('telemetry') or {}).get('source')))}</p>")
    return (head + table(["device", "name", "verdict", "CNN img/s", "GEMM TFLOP/s", "GB/s", "peak °C", "reasons"],
                         rows, numeric=(3, 5, 6), raw=(2,))
            + allreduce(doc.get("allreduce")) + checks(devices)
            + telemetry_charts(devices, doc.get("load_window_s")) + bandwidth_chart(devices))


def allreduce(ar: Optional[Dict[str, Any]]) -> str:
    """The burn-in's cross-GPU all-reduce phase (absent with one GPU or the CPU)."""
    if not ar:
        return ""
    reasons = "".join(f"<li>{escape(r.get('text', ''))}</li>" for r in ar.get("reasons") or ())
    return (f"<h3>All-reduce across {escape(', '.join(ar.get('devices') or ()))} "
            f"{badge(str(ar.get('verdict') or 'running').upper())}</h3>"
            f"<p>{ar.get('iterations', 0):,} checked runs of {ar.get('size_bytes', 0) / 2**20:g} MiB "
            f"({escape(str(ar.get('backend', '')))}), {ar.get('wrong', 0)} wrong element(s); bus bandwidth "
            f"{_num(ar.get('busbw_gb_s'), 2)} GB/s (nccl-tests' all_reduce definition)</p>"
            + (f"<ul>{reasons}</ul>" if reasons else ""))


def checks(devices: List[Dict[str, Any]]) -> str:
    """The burn's correctness checks per device: how many of each kind and dtype, how many
    failed, the worst relative error against its tolerance."""
    rows = []
    for d in devices:
        groups: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}
        for c in d.get("correctness") or ():
            groups.setdefault((str(c.get("kind")), str(c.get("dtype"))), []).append(c)
        for (kind, dtype), items in sorted(groups.items()):
            failed = sum(1 for c in items if not c.get("passed"))
            errs = [c["rel_err"] for c in items if c.get("rel_err") is not None and c["rel_err"] >= 0]
            tol = next((c["tol"] for c in items if c.get("tol") is not None), None)
            rows.append((d.get("device"), kind, dtype, len(items), badge("FAIL" if failed else "PASS"),
                         f"{max(errs):.1e}" if errs else "—", f"{tol:.0e}" if tol is not None else "—"))
    if not rows:
        return '<p class="nochart">No correctness checks were recorded.</p>'
    return "<h3>Checks (results against float64 and against themselves)</h3>" + \
        table(["device", "check", "dtype", "runs", "result", "worst rel. error", "tolerance"], rows,
              numeric=(3, 5, 6), raw=(4,))
