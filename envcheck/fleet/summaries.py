"""Reports in, one small summary per machine out.

A fleet is read once: each file is parsed (in worker processes when there are many),
boiled down to a :func:`summarise` record of a few kilobytes — versions, per-GPU health
and performance figures, stage verdicts — and the parsed document is dropped. The
analysis only ever sees summaries, so a thousand 8-GPU reports fit in little memory.

Performance figures come from the burn (per GPU), the bench (per machine) and the
interconnect stage's ``envcheck.interconnect`` document: pinned host<->device copies and
the slowest direct GPU->GPU link out of each GPU (per GPU), the peak bus bandwidth of each
collective (per machine); its route joins the versions as a drift key.

Accepted: ``envcheck validate --report`` files (``envcheck.validate``), the doctor's
``--json`` (``envcheck.report``) and snapshots (``envcheck.facts``) — the last two give
versions and health but no performance. Anything else is listed as unreadable, with
the reason, never silently dropped: so is a report whose ``schema_version`` (or that of a
stage document inside it) is newer than this envcheck reads, since a newer schema may
have renamed or retyped the keys the summary takes.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from ..envelope import SCHEMA_VERSIONS, kind_of, newer_than_known
from ..errors import EnvcheckError

KINDS = ("envcheck.validate", "envcheck.report", "envcheck.facts")
PARALLEL_FROM = 32  # files; below this a process pool costs more than it saves


def find_reports(paths: Sequence[str]) -> List[Path]:
    """Files named, and every ``*.json`` under directories named (sorted, no repeats)."""
    out: List[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(q for q in path.rglob("*.json") if q.is_file() and not q.name.startswith(".")))
        elif path.is_file():
            out.append(path)
        else:
            raise EnvcheckError(f"{p}: no such file or directory")
    seen = set()
    unique = []
    for q in out:
        key = q.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique


def _v(reading: Any) -> Any:
    """A serialised reading's value (None unless its status is ok)."""
    if isinstance(reading, dict) and "status" in reading:
        return reading.get("value") if reading.get("status") == "ok" else None
    return reading


def _gpus_from_facts(facts: Dict[str, Any]) -> List[Dict[str, Any]]:
    gpus = _v((facts.get("nvml") or {}).get("gpus")) or []
    out = []
    for g in gpus:
        ecc_unc = [_v(g.get(k)) for k in ("ecc_volatile_uncorrected", "ecc_aggregate_uncorrected")]
        out.append({
            "index": g.get("index"), "name": _v(g.get("name")), "vbios": _v(g.get("vbios_version")),
            "pci": _v(g.get("pci_bus_id")),
            "ecc_uncorrected": max([x for x in ecc_unc if isinstance(x, int)], default=None),
            "ecc_corrected": _v(g.get("ecc_aggregate_corrected")),
            "retired_pages": sum(x for x in (_v(g.get("retired_pages_sbe")), _v(g.get("retired_pages_dbe")))
                                 if isinstance(x, int)),
            "retired_pending": bool(_v(g.get("retired_pages_pending"))),
            "remap_pending": bool(_v(g.get("remapped_rows_pending"))),
            "remap_failed": bool(_v(g.get("remapped_rows_failed"))),
            "throttle": [r for r in (_v(g.get("clock_event_reasons")) or ()) if r.startswith("hw_")],
        })
    return out


def _versions(facts: Dict[str, Any]) -> Dict[str, Optional[str]]:
    nvml = facts.get("nvml") or {}
    torch = facts.get("torch") or {}
    host = facts.get("host") or {}
    cudnn = _v(torch.get("cudnn_version"))
    vbios = sorted({str(g["vbios"]) for g in _gpus_from_facts(facts) if g.get("vbios")})
    return {
        "driver": _v(nvml.get("driver_version")) or _v((facts.get("driver") or {}).get("kernel_module_version")),
        "cuda": _v(torch.get("cuda_build")) or _v(nvml.get("cuda_driver_version")),
        "torch": _v(torch.get("version")),
        "cudnn": str(cudnn) if cudnn is not None else None,
        "vbios": ",".join(vbios) or None,
        "kernel": _v(host.get("kernel")),
        "nccl": _v(torch.get("nccl_version")),
    }


def _burn_figures(doc: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Per device label: throughput figures, micro bandwidths, throttling, burn verdict."""
    out: Dict[str, Dict[str, Any]] = {}
    for d in doc.get("devices") or ():
        tp = (d.get("work") or {}).get("throughput") or {}
        figs: Dict[str, float] = {}
        if tp.get("cnn_images_per_s"):
            figs["burn_cnn_images_per_s"] = tp["cnn_images_per_s"]
        if tp.get("bandwidth_gb_s"):
            figs["burn_bandwidth_gb_s"] = tp["bandwidth_gb_s"]
        for dtype, v in (tp.get("gemm_tflops") or {}).items():
            if v:
                figs[f"burn_gemm_{dtype}_tflops"] = v
        for m in (d.get("micro") or {}).get("items") or ():
            if m.get("value"):
                figs[f"micro_{m['name']}_{m.get('dtype') or 'x'}_{m['unit'].replace('/', '_per_')}"] = m["value"]
        ts = d.get("telemetry_summary") or {}
        out[str(d.get("device"))] = {
            "name": d.get("name"), "verdict": d.get("verdict"), "figures": figs,
            "nvml_index": (d.get("info") or {}).get("nvml_index"),
            "throttle_s": {k: v for k, v in (ts.get("throttle_s") or {}).items() if v},
            "slowdown_share": ts.get("slowdown_share") or 0.0,
            "xids": list(ts.get("xids") or ()),
            "temp_peak_c": _v(ts.get("temp_peak_c")),
            "reasons": [r.get("code") for r in d.get("reasons") or () if r.get("level") in ("fail", "error", "warn")],
        }
    return out


def _interconnect(stage: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Figures from validate's interconnect stage (the ``envcheck interconnect --json`` document).

    The ranks name GPUs as they saw them (``cuda:0`` … in the ``CUDA_VISIBLE_DEVICES`` the
    stage gave them, in the order of the stage's ``devices``); they are renamed to the
    stage's labels, so a GPU has one name across burn and interconnect."""
    doc = stage.get("document") or {}
    if kind_of(doc) != "envcheck.interconnect":
        return None
    labels = [str(x) for x in stage.get("devices") or ()]

    def label(device: str) -> str:
        index = device.partition(":")[2]
        if device.startswith("cuda:") and index.isdigit() and int(index) < len(labels):
            return labels[int(index)]
        return device

    devices: Dict[str, Dict[str, Any]] = {}
    for r in doc.get("ranks") or ():
        if r.get("node", 0) == 0:
            devices[label(str(r.get("device")))] = {"name": r.get("name") or None, "figures": {}}

    def put(device: str, key: str, value: Any) -> None:
        if isinstance(value, (int, float)) and value > 0:
            devices.setdefault(label(device), {"name": None, "figures": {}})["figures"][key] = value

    for c in doc.get("copies") or ():
        if c.get("memory") == "pinned":
            put(str(c.get("device")), f"ic_{c.get('direction')}_pinned_gb_s", c.get("gb_s"))
    for m in doc.get("matrices") or ():
        if m.get("node", 0) != 0 or m.get("error"):
            continue
        slowest: Dict[int, float] = {}
        for cell in m.get("cells") or ():
            if cell.get("via") == "p2p" and cell.get("bandwidth_gb_s") is not None:
                slowest[cell["src"]] = min(slowest.get(cell["src"], float("inf")), cell["bandwidth_gb_s"])
        for src, v in slowest.items():
            put(f"cuda:{src}", "ic_p2p_min_gb_s", v)
    run = doc.get("run") or {}
    return {
        "backend": run.get("backend"), "world_size": run.get("world_size"), "route": doc.get("route") or None,
        "verdict": doc.get("verdict"), "hang": (doc.get("hang") or {}).get("label"),
        "wrong": sum(r.get("wrong") or 0 for r in doc.get("collectives") or ()),
        "figures": {f"ic_{c}_busbw_gb_s": v for c, v in (doc.get("peak_busbw_gb_s") or {}).items() if v},
        "devices": devices,
    }


def unreadable_version(doc: Dict[str, Any]) -> Optional[str]:
    """Why fleet cannot read this envcheck document's version (None: it can): a
    ``schema_version`` that is not an integer, or newer than :data:`SCHEMA_VERSIONS` knows."""
    kind = doc["kind"]
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return f"{kind} schema_version {version!r} is not an integer"
    return newer_than_known(kind, version, SCHEMA_VERSIONS[kind])


def _version_problem(doc: Dict[str, Any]) -> Optional[str]:
    """The report's own version, then each stage document's inside a validate report."""
    problem = unreadable_version(doc)
    if problem or doc["kind"] != "envcheck.validate":
        return problem
    for stage in doc.get("stages") or ():
        inner = stage.get("document") if isinstance(stage, dict) else None
        problem = unreadable_version(inner) if kind_of(inner) in SCHEMA_VERSIONS else None
        if problem:
            return f"its {stage.get('name')} stage: {problem}"
    return None


def summarise_document(doc: Any, path: str = "") -> Dict[str, Any]:
    """The fleet's record of one report (plain data: it crosses process boundaries)."""
    kind = kind_of(doc)
    base: Dict[str, Any] = {"path": path, "kind": kind, "error": None}
    if kind not in KINDS:
        return dict(base, error=f"not an envcheck validate/doctor report (kind {kind or 'none'})")
    problem = _version_problem(doc)
    if problem:
        return dict(base, error=problem)
    if kind == "envcheck.facts":
        facts, stages, machine, doctor = doc, {}, {}, None
    elif kind == "envcheck.report":
        facts, stages, machine, doctor = doc.get("facts") or {}, {}, {}, doc
    else:
        stages = {s.get("name"): s for s in doc.get("stages") or ()}
        doctor = (stages.get("doctor") or {}).get("document")
        facts = (doctor or {}).get("facts") or {}
        machine = doc.get("machine") or {}
    host = machine.get("hostname") or Path(path).stem
    gpus = _gpus_from_facts(facts)
    xids = _v((facts.get("driver") or {}).get("xid_events")) or []
    burn_doc = (stages.get("burn") or {}).get("document") or {}
    bench_doc = (stages.get("bench") or {}).get("document") or {}
    bench = None
    if bench_doc.get("train_images_per_s"):
        dev = bench_doc.get("device") or {}
        bench = {"device": dev.get("type", "") + (f":{dev['index']}" if dev.get("index") is not None else ""),
                 "name": dev.get("name"), "model": (bench_doc.get("model") or {}).get("name"),
                 "synthetic": bool(bench_doc.get("synthetic")), "images_per_s": bench_doc["train_images_per_s"]}
    interconnect = _interconnect(stages.get("interconnect") or {})
    versions = _versions(facts)
    versions["route"] = (interconnect or {}).get("route")
    return dict(
        base, host=host, created_at=doc.get("created_at"), status=doc.get("status", "complete"),
        verdict=doc.get("verdict") if kind == "envcheck.validate" else None, level=doc.get("level"),
        stages={n: s.get("verdict") for n, s in stages.items()},
        versions=versions, gpus=gpus, interconnect=interconnect, xid_count=len(xids), xids=sorted({x.get("xid") for x in xids if x}),
        findings=[f.get("id") for f in (doctor or {}).get("findings") or () if f.get("severity") in ("error", "warning")],
        burn=_burn_figures(burn_doc), bench=bench,
    )


SERIES_KEY = b'"series":'


def _matching_brace(data: bytes, at: int) -> int:
    """The index after the ``}`` closing the ``{`` at ``at`` (-1 if none). bytes.find is
    a memchr: a few dozen calls cover a 100 kB series far faster than a regex scan."""
    depth, i = 0, at
    next_open, next_close = data.find(b"{", i), data.find(b"}", i)
    while next_close >= 0:
        if 0 <= next_open < next_close:
            depth += 1
            next_open = data.find(b"{", next_open + 1)
        else:
            depth -= 1
            if depth == 0:
                return next_close + 1
            next_close = data.find(b"}", next_close + 1)
    return -1


def without_series(data: bytes) -> bytes:
    """``data`` with every burn telemetry series object replaced by ``null``.

    Fleet reads no time series, and they are most of a burn report's bytes (columns of
    numbers per device and field); skipping them before parsing makes reading a report
    cost the same for a 1-minute and a 15-minute burn. The series hold numbers, nested
    lists and status words — no braces inside strings — so matching braces from the key
    finds the object's end. If a cut ever went wrong the result would not parse, and
    :func:`parse` falls back to the whole text."""
    out = []
    pos = search = 0  # pos: the end of what is copied; search: where to look next
    while True:
        start = data.find(SERIES_KEY, search)
        if start < 0:
            break
        brace = start + len(SERIES_KEY)
        while data[brace:brace + 1] in (b" ", b"\n", b"\r", b"\t"):  # `--json` output is indented
            brace += 1
        search = brace
        if data[brace:brace + 1] != b"{":  # already null, or not the burn's series
            continue
        end = _matching_brace(data, brace)
        if end < 0:
            return data
        out += [data[pos:start], b'"series":null']
        pos = search = end
    if not out:
        return data
    out.append(data[pos:])
    return b"".join(out)


def parse(data: bytes) -> Any:
    try:
        return json.loads(without_series(data))
    except ValueError:
        return json.loads(data)


def summarise(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            doc = parse(fh.read())
    except OSError as exc:
        return {"path": path, "kind": None, "error": f"cannot read: {exc.strerror or exc}"}
    except ValueError as exc:
        return {"path": path, "kind": None, "error": f"not JSON: {exc}"}
    return summarise_document(doc, path)


def load(paths: Iterable[Path], workers: Optional[int] = None) -> List[Dict[str, Any]]:
    """Summaries of ``paths`` in order; parsed in ``workers`` processes when there are many."""
    names = [str(p) for p in paths]
    workers = workers if workers is not None else min(8, os.cpu_count() or 1)
    if workers <= 1 or len(names) < PARALLEL_FROM:
        return [summarise(n) for n in names]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(summarise, names, chunksize=max(1, len(names) // (workers * 8))))
