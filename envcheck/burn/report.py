"""The burn report: one JSON document (the ``--report`` file and ``--json``), its overall
status and exit code, and the telemetry time series in compact columns.

The document is rebuilt from the live :class:`~envcheck.burn.orchestrate.Run` every few
seconds and written atomically, so a run killed at any moment leaves a valid file
(``status: running``, or ``aborted`` after SIGINT/SIGTERM).
"""

from __future__ import annotations

import platform
import signal
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .. import __version__, exitcodes
from ..atomicio import atomic_write_json
from ..envelope import wrap
from ..serial import to_data
from ..telemetry.series import columns, downsample
from .records import Verdict
from .verdict import JudgeOptions, judge, judge_allreduce

KIND = "envcheck.burn"

EXIT = {"pass": exitcodes.OK, "warn": exitcodes.OK, "fail": exitcodes.PROBLEMS, "error": exitcodes.FAILED,
        "skipped": exitcodes.CANNOT_RUN}


def overall(verdicts: Sequence[Optional[Verdict]]) -> str:
    """The run's status from its devices: the most severe verdict (fail > error > warn > pass)."""
    present = {v for v in verdicts if v is not None}
    for v in (Verdict.FAIL, Verdict.ERROR, Verdict.WARN):
        if v in present:
            return v.value
    return "pass" if present else "error"


def exit_code(status: str, strict: bool, interrupted_by: Optional[int] = None) -> int:
    """The code from the one table (``envcheck.exitcodes``): 0 pass (and warn), 1 hardware
    failure or warnings with --strict, 3 no verdict, 4 skipped, 130/143 interrupted by
    SIGINT/SIGTERM (whatever the devices showed so far)."""
    if interrupted_by is not None:
        return 128 + int(interrupted_by)
    if status == "warn" and strict:
        return exitcodes.PROBLEMS
    return EXIT.get(status, exitcodes.FAILED)


def _work(work: Any) -> Dict[str, Any]:
    data = to_data(work)
    data["throughput"] = {
        "gemm_tflops": {k: (round(g.tflops, 6) if g.tflops is not None else None) for k, g in work.gemm.items()},
        "bandwidth_gb_s": round(work.bandwidth_gb_s, 2) if work.bandwidth_gb_s is not None else None,
        "cnn_images_per_s": round(work.cnn_images_per_s, 1) if work.cnn_images_per_s is not None else None,
    }
    return data


def _versions(run: Any) -> Dict[str, str]:
    out = {"envcheck": __version__, "python": platform.python_version(), "platform": platform.platform()}
    for d in run.devices.values():
        for k, v in d.versions.items():
            if v and k != "threads":
                out.setdefault(k, v)
    return out


def _signal_name(signum: Optional[int]) -> Optional[str]:
    if signum is None:
        return None
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _allreduce(run: Any) -> Tuple[Optional[Dict[str, Any]], Optional[Verdict]]:
    """The cross-GPU all-reduce phase as the report holds it, and its verdict once it ended
    (None, None: no phase — one GPU, the CPU, or a run that never reached the burn)."""
    phase = run.allreduce
    if phase is None:
        return None, None
    head = {"devices": list(phase.cfg.devices), "backend": phase.cfg.backend, "size_bytes": phase.cfg.size_bytes}
    result = run.allreduce_result
    if result is None:  # still running: the live counts
        live = run.allreduce_status
        return {**head, "iterations": live.iterations if live else 0, "wrong": live.wrong if live else 0,
                "busbw_gb_s": live.busbw_gb_s if live else 0.0, "seconds": None, "hung": False, "errors": [],
                "verdict": None, "reasons": []}, None
    verdict, reasons = judge_allreduce(result)
    data = to_data(result)
    return {**head, **{k: data[k] for k in ("iterations", "wrong", "busbw_gb_s", "seconds", "hung", "errors")},
            "verdict": verdict.value, "reasons": [to_data(r) for r in reasons]}, verdict


def document(run: Any, xid_text: Callable[[int], str] = lambda x: f"Xid {x}",
             final: bool = True) -> Dict[str, Any]:
    """The report of a (finished or running) :class:`Run`."""
    o = run.options
    samples = run.sampler.samples()
    burned = o.duration_s > 0
    jopts = JudgeOptions(max_temp_c=o.max_temp_c, burn=burned)
    window = run.window
    devices = []
    verdicts = []
    for label, d in run.devices.items():
        mine = [s for s in samples if s.device == label]
        verdict, reasons, summary = judge(d.info, d.work, d.checks, d.status(), mine, window, jopts, xid_text,
                                          None if run.telemetry_status.ok else run.telemetry_status.describe())
        verdicts.append(verdict)
        devices.append({
            "device": label, "name": d.info.name.get(None), "verdict": verdict.value,
            "reasons": [to_data(r) for r in reasons],
            "info": to_data(d.info), "worker": to_data(d.status()), "work": _work(d.work),
            "correctness": [to_data(c) for c in d.checks],
            "telemetry_summary": to_data(summary),
            "series": columns(downsample(mine)),  # bounded: the verdict above read every sample
            "micro": to_data(d.micro) if d.micro is not None else None,
        })
    allreduce, allreduce_verdict = _allreduce(run)
    if allreduce_verdict is not None:
        verdicts.append(allreduce_verdict)  # a fault between the GPUs fails the run as a device's would
    if not final:
        status = "running"
    elif run.interrupted_by is not None:
        status = "aborted"
    else:
        status = overall(verdicts)
    return wrap(KIND, {
        "command": "burn", "status": status, "exit_code": exit_code(status, o.strict, run.interrupted_by) if final else None,
        "started": run.started, "ended": run.ended if final else None,
        "duration_s": o.duration_s, "elapsed_s": round(run.t(), 3),
        "load_window_s": list(window) if window else None,
        "phase": run.phase, "interrupted_by": _signal_name(run.interrupted_by),
        "options": o.public(), "versions": _versions(run),
        "telemetry": {"source": run.telemetry_source, "status": to_data(run.telemetry_status),
                      "interval_s": o.telemetry_interval_s, "sampler_errors": dict(run.sampler.errors)},
        "devices": devices,
        "allreduce": allreduce,
    }, created_at=run.started)


def skipped_document(options: Any, reason: str) -> Dict[str, Any]:
    """The report when nothing could run at all (``--device all`` on a machine without a GPU)."""
    return _early(options, "skipped", exitcodes.CANNOT_RUN, reason)


def setup_document(options: Any) -> Dict[str, Any]:
    """The report while the devices are being set up (before the first device is loaded):
    written at once, so a run stopped in its first seconds still leaves a report."""
    return _early(options, "running", None, "setting up the devices")


def failed_setup_document(options: Any, reason: str, code: int) -> Dict[str, Any]:
    """The report of a run that could not start (a device not there, torch missing)."""
    return _early(options, "skipped" if code == exitcodes.CANNOT_RUN else "error", code, reason)


def aborted_document(options: Any, signum: int) -> Dict[str, Any]:
    """The report of a run interrupted during set-up (importing torch, listing the GPUs)."""
    return {**_early(options, "aborted", exit_code("aborted", False, signum),
                     "interrupted during set-up, before any device was loaded"),
            "interrupted_by": _signal_name(signum)}


def _early(options: Any, status: str, code: Optional[int], reason: str) -> Dict[str, Any]:
    return wrap(KIND, {"command": "burn", "status": status, "exit_code": code, "reason": reason, "phase": "setup",
                       "duration_s": options.duration_s, "options": options.public(),
                       "versions": {"envcheck": __version__, "python": platform.python_version()}, "devices": []})


def write(path: str, doc: Dict[str, Any]) -> None:
    atomic_write_json(path, doc)


REQUIRED = ("schema_version", "kind", "status", "options", "versions", "devices")
ALLREDUCE_REQUIRED = ("devices", "size_bytes", "iterations", "wrong", "busbw_gb_s", "verdict", "reasons")
DEVICE_REQUIRED = ("device", "verdict", "reasons", "work", "correctness", "telemetry_summary", "series")


def validate(doc: Any) -> List[str]:
    """Problems with a burn report's shape (empty when it is valid); for tests and readers."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    problems = [f"missing {k}" for k in REQUIRED if k not in doc]
    if doc.get("kind") != KIND:
        problems.append(f"kind is {doc.get('kind')!r}, not {KIND!r}")
    if doc.get("status") not in ("running", "pass", "warn", "fail", "error", "aborted", "skipped"):
        problems.append(f"unknown status {doc.get('status')!r}")
    for i, d in enumerate(doc.get("devices") or ()):
        problems += [f"devices[{i}] missing {k}" for k in DEVICE_REQUIRED if k not in d]
        if d.get("verdict") not in [v.value for v in Verdict]:
            problems.append(f"devices[{i}] verdict {d.get('verdict')!r}")
        n = len(d.get("series", {}).get("t_s", []))
        for name, col in d.get("series", {}).get("fields", {}).items():
            if len(col.get("values", [])) != n:
                problems.append(f"devices[{i}] series {name} has {len(col.get('values', []))} values, not {n}")
    ar = doc.get("allreduce")
    if ar is not None:
        problems += [f"allreduce missing {k}" for k in ALLREDUCE_REQUIRED if k not in ar]
        if ar.get("verdict") not in [None] + [v.value for v in Verdict]:
            problems.append(f"allreduce verdict {ar.get('verdict')!r}")
    return problems

