"""The burn report as text for a person (stdout without ``--json``), from the document."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .options import format_duration


def _val(reading: Optional[Dict[str, Any]], fmt: str = "{}") -> Optional[str]:
    if not reading or reading.get("status") != "ok" or reading.get("value") is None:
        return None
    return fmt.format(reading["value"])


def _work(d: Dict[str, Any]) -> str:
    t = d["work"]["throughput"]
    cpu = d["info"]["kind"] == "cpu"
    parts = []
    gemm = d["work"]["gemm"]
    rates = []
    for dtype, g in gemm.items():
        rate = t["gemm_tflops"].get(dtype)
        if g.get("skipped"):
            rates.append(f"{dtype} skipped")
        elif rate is not None:
            rates.append(f"{dtype} {rate * 1e3:.1f} GFLOP/s" if cpu else f"{dtype} {rate:.1f} TFLOP/s")
    if rates:
        parts.append("GEMM " + ", ".join(rates))
    if t["bandwidth_gb_s"] is not None:
        parts.append(f"memory {t['bandwidth_gb_s']:.1f} GB/s")
    if t["cnn_images_per_s"] is not None:
        parts.append(f"CNN {t['cnn_images_per_s']:.0f} images/s")
    load = d["work"]["load_s"]
    return f"{format_duration(load)} under load" + (": " + "; ".join(parts) if parts else "")


def _checks(d: Dict[str, Any]) -> str:
    checks = d["correctness"]
    if not checks:
        return "no checks ran"
    failed = [c for c in checks if not c["passed"]]
    repeat = [c for c in checks if c["kind"] in ("repeat", "slots")]
    exact = all(c.get("bitwise_equal") for c in repeat)
    text = f"{len(checks)} checks, " + (f"{len(failed)} FAILED" if failed else "all passed")
    if repeat and not failed:
        text += ", repeats bit-for-bit equal" if exact else ", some repeats differ within tolerance"
    return text


def _telemetry(d: Dict[str, Any]) -> str:
    s = d["telemetry_summary"]
    if not s["samples"]:
        return "no samples"
    parts = []
    temp = _val(s["temp_peak_c"], "peak {} °C")
    if temp:
        mem = _val(s["memory_temp_peak_c"], "{} °C")
        parts.append(temp + (f" (memory {mem})" if mem else ""))
    power = _val(s["power_mean_w"], "power mean {:.0f} W")
    if power:
        top, limit = _val(s["power_max_w"], "{:.0f} W"), _val(s["power_limit_w"], "{:.0f} W")
        parts.append(power + (f", max {top}" if top else "") + (f" of {limit}" if limit else ""))
    clock = _val(s["clock_sm_median_mhz"], "{:.0f} MHz")
    if clock:
        p5, cv = _val(s["clock_sm_p5_mhz"], "{:.0f}"), _val(s["clock_sm_cv"], "{:.1%}")
        label = "SM clock" if d["info"]["kind"] == "cuda" else "CPU clock"
        parts.append(f"{label} median {clock}" + (f" (p5 {p5}, CV {cv})" if p5 and cv else ""))
    util = _val(s["utilization_mean_pct"], "{:.0f}%")
    if util:
        parts.append(f"utilisation {util}")
    if s["throttle_s"]:
        parts.append("clock events: " + ", ".join(f"{k} {v:.0f} s" for k, v in s["throttle_s"].items()))
    gen, width = _val(s["pcie_gen_max_seen"]), _val(s["pcie_width_max_seen"])
    if gen and width:
        parts.append(f"PCIe gen{gen} x{width} under load")
    return "; ".join(parts) or f"{s['samples']} samples"


def _micro(m: Dict[str, Any]) -> List[str]:
    if m.get("error"):
        return [f"  micro: failed: {m['error']}"]
    out = []
    for it in m["items"]:
        name = it["name"] + (f" {it['dtype']}" if it["dtype"] else "")
        ref = "spec peak unknown"
        if it["peak"]:
            ref = f"{it['fraction_of_peak']:.0%} of {it['peak']:g} ({it['peak_source']})"
        out.append(f"  micro: {name:<22} {it['value']:>10.2f} {it['unit']:<8} {ref}")
    return out + [f"  micro: {n}" for n in m.get("notes", ())]


def _allreduce(ar: Dict[str, Any]) -> List[str]:
    """The cross-GPU all-reduce phase: its verdict, checked runs and bus bandwidth."""
    verdict = str(ar.get("verdict") or "running").upper()
    size = ar["size_bytes"]
    size_text = f"{size >> 20} MiB" if size % (1 << 20) == 0 else f"{size} B"
    lines = ["", f"all-reduce across {', '.join(ar['devices'])}  {verdict}",
             f"  {ar['iterations']} checked runs of {size_text} ({ar.get('backend', '')}), {ar['wrong']} wrong element(s); "
             f"bus bandwidth {ar['busbw_gb_s']:.2f} GB/s (nccl-tests' all_reduce definition)"]
    for r in ar.get("reasons") or ():
        lines.append(f"  {r['level'].upper():<5} {r['text']}")
    return lines


def render(doc: Dict[str, Any]) -> str:
    if doc["status"] == "skipped":
        return f"envcheck burn: SKIPPED — {doc.get('reason', '')}\n"
    if not doc["devices"] and doc.get("reason"):  # stopped (or still) in set-up
        by = f" by {doc['interrupted_by']}" if doc.get("interrupted_by") else ""
        return f"envcheck burn: {doc['status'].upper()} — {doc['reason']}{by}\n"
    devices = ", ".join(d["device"] for d in doc["devices"])
    head = f"envcheck burn: {doc['status'].upper()}  ({format_duration(doc['duration_s'])} requested on {devices}"
    if doc.get("interrupted_by"):
        head += f"; interrupted by {doc['interrupted_by']}"
    lines = [head + ")"]
    for d in doc["devices"]:
        lines.append("")
        lines.append(f"{d['device']}  {d.get('name') or ''}  {d['verdict'].upper()}")
        if doc["duration_s"] > 0:
            lines.append(f"  work: {_work(d)}")
            lines.append(f"  correctness: {_checks(d)}")
        lines.append(f"  telemetry: {_telemetry(d)}")
        for r in d["reasons"]:
            lines.append(f"  {r['level'].upper():<5} {r['text']}")
        if d.get("micro"):
            lines += _micro(d["micro"])
    if doc.get("allreduce"):
        lines += _allreduce(doc["allreduce"])
    return "\n".join(lines) + "\n"
