"""Summaries in, the fleet's findings out: drift, outliers, health, missing and stale.

* **Groups** are machines with the same GPUs (``8× NVIDIA H100 80GB HBM3``): machines
  bought as one kind should run one stack, so drift is judged inside a group.
* **Drift**: per key (driver, CUDA, torch, cuDNN, VBIOS, kernel, NCCL, the interconnect
  route) the majority value
  and the machines that differ.
* **Outliers**: among GPUs of the same model, per figure (burn CNN images/s, GEMM
  TFLOP/s per dtype, memory bandwidth, micro bandwidths, pinned host<->device copies and
  the slowest P2P link; the bench and each collective's bus bandwidth per machine): the
  median and a robust spread (1.4826 × the median absolute deviation, which one bad GPU
  cannot inflate the way it inflates a standard deviation). A GPU is an outlier when it
  is at least ``threshold`` (10 %) below the median *and* more than 3.5 spreads away —
  the first keeps a tight fleet from flagging noise, the second a noisy figure from
  flagging its normal scatter. Only slow GPUs are flagged: a fast one is not a fault.
* **Health**: uncorrectable ECC errors, retired or remapped memory pending/failed, Xid
  events (kernel log and during the burn), hardware throttling during the burn.
* **Missing / stale / incomplete / unreadable** reports.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Sequence, Tuple

DRIFT_KEYS = ("driver", "cuda", "torch", "cudnn", "vbios", "kernel", "nccl", "route")
MAD_SCALE = 1.4826  # MAD → standard deviation for normally distributed figures
OUTLIER_SPREADS = 3.5
MIN_PEERS = 3  # a median of fewer GPUs says nothing

FIGURE_LABELS = {
    "burn_cnn_images_per_s": ("burn CNN training", "images/s"),
    "burn_bandwidth_gb_s": ("memory bandwidth under load", "GB/s"),
    "bench_images_per_s": ("bench training", "images/s"),
    "ic_h2d_pinned_gb_s": ("host-to-device copies (pinned)", "GB/s"),
    "ic_d2h_pinned_gb_s": ("device-to-host copies (pinned)", "GB/s"),
    "ic_p2p_min_gb_s": ("its slowest direct GPU-to-GPU link", "GB/s"),
}


def machine_figure(key: str) -> bool:
    """A figure of the whole machine (the bench, a collective's bus bandwidth), not of one GPU."""
    return key == "bench_images_per_s" or (key.startswith("ic_") and key.endswith("_busbw_gb_s"))


def figure_label(key: str) -> Tuple[str, str]:
    if key in FIGURE_LABELS:
        return FIGURE_LABELS[key]
    if machine_figure(key):
        return (f"{key[len('ic_'):-len('_busbw_gb_s')]} bus bandwidth", "GB/s")
    if key.startswith("burn_gemm_"):
        return (f"{key[len('burn_gemm_'):-len('_tflops')]} GEMM", "TFLOP/s")
    if key.startswith("micro_"):
        body, _, unit = key[len("micro_"):].rpartition("_")
        unit_text = {"GB_per_s": "GB/s", "TFLOP_per_s": "TFLOP/s", "GFLOP_per_s": "GFLOP/s"}
        for suffix, text in unit_text.items():
            if key.endswith(suffix):
                return ("micro " + key[len("micro_"):-len(suffix) - 1].replace("_", " "), text)
        return ("micro " + body.replace("_", " "), unit)
    return (key, "")


def number(v: float) -> str:
    """Figures as people write them: 16,964 images/s, 2,900 GB/s, 52.0 TFLOP/s, 0.168."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def _parse_time(text: Optional[str]) -> Optional[datetime.datetime]:
    if not text:
        return None
    try:
        t = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def group_name(s: Dict[str, Any]) -> str:
    names = Counter(g.get("name") or "unknown GPU" for g in s.get("gpus") or ())
    if not names:
        cpus = sorted({d.get("name") or "CPU" for label, d in (s.get("burn") or {}).items() if label == "cpu"})
        return "no GPU" + (f" ({', '.join(cpus)})" if cpus else "")
    return " + ".join(f"{n}× {name}" for name, n in sorted(names.items()))


def gpu_label(device: str) -> str:
    return "CPU" if device == "cpu" else "GPU " + device.partition(":")[2] if device.startswith("cuda:") else device


def newest_per_host(summaries: Sequence[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """One report per host (the newest); the older ones are returned as superseded."""
    by_host: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for s in summaries:
        by_host[s["host"]].append(s)
    keep, older = [], []
    for host in sorted(by_host):
        items = sorted(by_host[host], key=lambda s: (s.get("created_at") or "", s.get("path") or ""))
        keep.append(items[-1])
        older.extend(items[:-1])
    return keep, older


def drift(machines: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    groups: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for s in machines:
        groups[group_name(s)].append(s)
    out = []
    for group in sorted(groups):
        members = groups[group]
        for key in DRIFT_KEYS:
            values = [(s["host"], (s.get("versions") or {}).get(key)) for s in members]
            known = [(h, v) for h, v in values if v is not None]
            counts = Counter(v for _, v in known)
            if len(counts) < 2:
                continue
            majority, n = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
            odd = [{"host": h, "value": v} for h, v in known if v != majority]
            out.append({"group": group, "key": key, "majority": majority, "majority_count": n,
                        "machines": len(known), "odd": odd})
    return out


def _units(machines: Sequence[Dict[str, Any]]) -> Dict[Tuple[str, str], List[Tuple[str, str, float]]]:
    """(model, figure) → [(host, device, value)] over every GPU (and each machine's bench)."""
    units: Dict[Tuple[str, str], List[Tuple[str, str, float]]] = defaultdict(list)
    for s in machines:
        names = {f"cuda:{g['index']}": g.get("name") for g in s.get("gpus") or () if g.get("index") is not None}
        for device, d in (s.get("burn") or {}).items():
            model = d.get("name") or names.get(device) or "unknown"
            for key, value in (d.get("figures") or {}).items():
                units[(model, key)].append((s["host"], device, float(value)))
        ic = s.get("interconnect") or {}
        for device, d in (ic.get("devices") or {}).items():
            model = (s.get("burn") or {}).get(device, {}).get("name") or d.get("name") or names.get(device) or "unknown"
            for key, value in (d.get("figures") or {}).items():
                units[(model, key)].append((s["host"], device, float(value)))
        for key, value in (ic.get("figures") or {}).items():  # compared between machines of one kind and size
            model = f"{group_name(s)}, {ic.get('backend')} over {ic.get('world_size')} ranks"
            units[(model, key)].append((s["host"], "", float(value)))
        b = s.get("bench")
        if b:
            model = f"{b.get('name') or 'unknown'}, {b.get('model')}{' (synthetic)' if b.get('synthetic') else ''}"
            units[(model, "bench_images_per_s")].append((s["host"], b.get("device") or "", float(b["images_per_s"])))
    return units


def outliers(machines: Sequence[Dict[str, Any]], threshold: float = 0.10) -> Tuple[List[Dict[str, Any]],
                                                                                    List[Dict[str, Any]]]:
    """(outliers, per-figure statistics); see the module docstring for the rule."""
    found, stats = [], []
    for (model, key), items in sorted(_units(machines).items()):
        values = [v for _, _, v in items]
        if len(values) < MIN_PEERS:
            continue
        med = statistics.median(values)
        spread = MAD_SCALE * statistics.median(abs(v - med) for v in values)
        label, unit = figure_label(key)
        stats.append({"model": model, "figure": key, "label": label, "unit": unit, "n": len(values),
                      "median": med, "spread": spread})
        if med <= 0:
            continue
        for host, device, v in items:
            below = (med - v) / med
            if below >= threshold and (med - v) > OUTLIER_SPREADS * spread:
                who = (f"{gpu_label(device)} of {host}" if not machine_figure(key)
                       else f"{host} ({device})" if device else host)
                found.append({
                    "host": host, "device": device, "model": model, "figure": key, "value": v, "median": med,
                    "spread": spread, "peers": len(values) - 1, "below_pct": round(100 * below, 1),
                    "text": f"{who} is {100 * below:.0f} % below its {len(values) - 1} peers in {label} "
                            f"({number(v)} vs median {number(med)} {unit})",
                })
    found.sort(key=lambda o: -o["below_pct"])
    return found, stats


def health(machines: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    flags: List[Dict[str, Any]] = []

    def flag(host: str, device: Optional[str], level: str, code: str, text: str) -> None:
        flags.append({"host": host, "device": device, "level": level, "code": code, "text": text})

    for s in machines:
        host = s["host"]
        for g in s.get("gpus") or ():
            dev = f"cuda:{g['index']}" if g.get("index") is not None else None
            who = f"{gpu_label(dev) if dev else 'a GPU'} of {host}"
            if g.get("ecc_uncorrected"):
                flag(host, dev, "fail", "ecc_uncorrected", f"{who}: {g['ecc_uncorrected']} uncorrectable ECC error(s)")
            if g.get("remap_failed"):
                flag(host, dev, "fail", "row_remap_failed", f"{who}: memory row remapping failed")
            if g.get("remap_pending"):
                flag(host, dev, "warn", "row_remap_pending", f"{who}: row remapping pending (reset the GPU)")
            if g.get("retired_pending"):
                flag(host, dev, "warn", "retired_pages_pending", f"{who}: page retirement pending (reset the GPU)")
            if g.get("retired_pages"):
                flag(host, dev, "warn", "retired_pages", f"{who}: {g['retired_pages']} retired page(s)")
            if g.get("throttle"):
                flag(host, dev, "warn", "throttling", f"{who}: throttled when the doctor looked ({', '.join(g['throttle'])})")
        if s.get("xid_count"):
            flag(host, None, "warn", "xid", f"{host}: {s['xid_count']} Xid event(s) in the kernel log "
                 f"(Xid {', '.join(str(x) for x in s.get('xids') or ())})")
        for device, d in (s.get("burn") or {}).items():
            who = f"{gpu_label(device)} of {host}"
            if d.get("xids"):
                flag(host, device, "fail", "xid_during_burn", f"{who}: Xid {', '.join(map(str, d['xids']))} during the burn")
            hw = {k: v for k, v in (d.get("throttle_s") or {}).items() if k.startswith("hw_") or "thermal" in k}
            if hw or (d.get("slowdown_share") or 0) > 0:
                detail = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(hw.items())) or \
                    f"{100 * d['slowdown_share']:.0f} % of samples slowed"
                flag(host, device, "warn", "throttled_during_burn", f"{who}: throttled under load ({detail})")
            if d.get("verdict") == "fail":
                flag(host, device, "fail", "burn_failed",
                     f"{who}: burn FAIL ({', '.join(d.get('reasons') or ()) or 'see its report'})")
        ic = s.get("interconnect") or {}
        if ic.get("hang"):
            flag(host, None, "fail", "interconnect_hang", f"{host}: the interconnect run hung at {ic['hang']}")
        if ic.get("wrong"):
            flag(host, None, "fail", "interconnect_wrong_results",
                 f"{host}: {ic['wrong']} wrong element(s) in the checked collectives ({ic.get('backend')})")
    return flags


def freshness(machines: Sequence[Dict[str, Any]], now: datetime.datetime, max_age_s: float,
              expected: Sequence[str] = ()) -> Dict[str, List[Dict[str, Any]]]:
    present = {s["host"] for s in machines}
    stale, incomplete = [], []
    for s in machines:
        t = _parse_time(s.get("created_at"))
        age = (now - t).total_seconds() if t else None
        s["age_s"] = age
        if age is None or age > max_age_s:
            stale.append({"host": s["host"], "created_at": s.get("created_at"), "age_s": age})
        if s.get("status") not in (None, "complete"):
            incomplete.append({"host": s["host"], "status": s.get("status")})
    missing = [{"host": h} for h in sorted(set(expected) - present)]
    return {"stale": stale, "incomplete": incomplete, "missing": missing}
