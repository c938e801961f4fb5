"""A verify result as JSON-ready data or as text for a person. Nothing here runs torch."""

from __future__ import annotations

from typing import Any, Dict, List

from envcheck.envelope import wrap
from envcheck.serial import to_data
from envcheck.verify.results import CaseResult, VerifyResult

CASE_KEYS = ("op", "params", "dtype", "device", "rel_err", "tol", "passed", "reason")


def _case(c: CaseResult) -> Dict[str, Any]:
    data = to_data(c)
    return {k: data[k] for k in CASE_KEYS}


def to_document(r: VerifyResult) -> Dict[str, Any]:
    """The ``--json`` document: the verdict first, the worst per op, then every check."""
    return wrap("envcheck.verify", {
        "passed": r.passed,
        "torch_version": r.torch_version,
        "devices": list(r.devices),
        "dtypes": list(r.dtypes),
        "seed": r.seed,
        "quick": r.quick,
        "case_count": r.case_count,
        "check_count": r.checked,
        "failed_count": len(r.failures),
        "seconds": r.seconds,
        "skipped": [to_data(s) for s in r.skipped],
        "worst": [{"device": w.device, "dtype": w.dtype, "op": w.op, "checks": w.checks, "failed": w.failed,
                   "rel_err": w.worst.rel_err, "tol": w.worst.tol, "params": w.worst.params} for w in r.worst()],
        "cases": [_case(c) for c in r.cases],
    })


def _checks(n: int) -> str:
    return f"{n} check" if n == 1 else f"{n} checks"


def _err(v: Any) -> str:
    return "—" if v is None else ("0" if v == 0 else f"{v:.2e}")


def describe_params(params: Dict[str, Any]) -> str:
    """``input=[2, 8, 10, 9] kernel=3 ...`` with the origin last, in brackets."""
    parts = [f"{k}={v}" for k, v in params.items() if k != "origin"]
    origin = params.get("origin")
    return " ".join(parts) + (f" [{origin}]" if origin else "")


def render_text(r: VerifyResult, max_failures: int = 20) -> str:
    lines: List[str] = []
    what = "quick subset" if r.quick else "sweep (seed examples + all-pairs design)"
    lines.append(f"envcheck verify — torch {r.torch_version}, seed {r.seed}, {what}: {r.case_count} cases, "
                 f"{_checks(r.checked)} in {r.seconds:.1f} s")
    lines.append("")
    rows = [("device", "dtype", "op", "checks", "worst rel err", "tolerance", "result", "worst case")]
    for w in r.worst():
        result = "ok" if not w.failed else f"FAIL ({w.failed})"
        rows.append((w.device, w.dtype, w.op, str(w.checks), _err(w.worst.rel_err), _err(w.worst.tol), result,
                     describe_params(w.worst.params)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
    for s in r.skipped:
        lines.append(f"skipped: {s.device} {s.dtype} — {s.reason}")
    case_skips = [c for c in r.cases if c.passed is None]
    if case_skips:
        first = case_skips[0]
        count = _checks(len(case_skips)) + ("" if len(case_skips) == 1 else ", e.g.")
        lines.append(f"skipped: {count} {first.op} {first.dtype} on {first.device}: {first.reason}")
    failures = r.failures
    if failures:
        lines.append("")
        lines.append(f"Failed checks ({len(failures)}{', first ' + str(max_failures) if len(failures) > max_failures else ''}):")
        for c in failures[:max_failures]:
            lines.append(f"  {c.device} {c.dtype} {c.op}: {c.reason}")
            lines.append(f"      {describe_params(c.params)}")
    lines.append("")
    if r.passed:
        lines.append(f"PASS: {_checks(r.checked)} within tolerance of the float64 reference")
    elif not r.checked:
        lines.append("NOTHING CHECKED: every requested check was skipped")
    else:
        lines.append(f"FAIL: {len(failures)} of {_checks(r.checked)} disagree with the float64 reference")
    return "\n".join(lines) + "\n"
