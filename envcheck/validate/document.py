"""The validate report (kind ``envcheck.validate``): the verdicts, the machine, and each
stage's own document; and the text and Markdown a person reads.

The file is written compact (no indentation): a long 8-GPU report carries eight burn
telemetry series, and ``envcheck fleet`` reads a thousand of them — indentation alone
would triple what it parses. ``python -m json.tool`` shows it indented.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ..atomicio import atomic_write_text
from ..envelope import kind_of, wrap
from .levels import LEVELS
from .verdicts import Verdict

KIND = "envcheck.validate"
STATUSES = ("running", "complete", "interrupted")


def _signal_name(signum: Optional[int]) -> Optional[str]:
    return {2: "SIGINT", 15: "SIGTERM"}.get(signum, None if signum is None else str(signum))


def document(vrun: Any) -> Dict[str, Any]:
    o = vrun.options
    level = LEVELS[o.level]
    burn_s = o.burn_s if o.burn_s is not None else level.burn_s
    return wrap(KIND, {
        "command": "validate",
        "status": vrun.status,
        "verdict": vrun.verdict.value if vrun.status != "running" or vrun.results else None,
        "exit_code": vrun.exit_code,
        "level": o.level,
        "burn_s": burn_s,
        "started": vrun.started,
        "ended": vrun.ended,
        "elapsed_s": round(vrun.elapsed(), 3),
        "interrupted_by": _signal_name(vrun.interrupted_by),
        "machine": vrun.machine,
        "options": o.public(),
        "stages": [r.to_data() for r in vrun.results],
    }, created_at=vrun.started)


def dumps(doc: Dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":")) + "\n"


def write(path: str, doc: Dict[str, Any]) -> None:
    atomic_write_text(path, dumps(doc))


def check(doc: Any) -> List[str]:
    """Problems with a validate document's shape (empty when valid): for tests and fleet."""
    if kind_of(doc) != KIND:
        return [f"kind is {doc.get('kind') if isinstance(doc, dict) else None!r}, not {KIND!r}"]
    problems = [f"missing {k}" for k in ("status", "verdict", "level", "machine", "stages") if k not in doc]
    if doc.get("status") not in STATUSES:
        problems.append(f"unknown status {doc.get('status')!r}")
    verdicts = [v.value for v in Verdict]
    for i, s in enumerate(doc.get("stages") or ()):
        if s.get("verdict") not in verdicts:
            problems.append(f"stages[{i}] verdict {s.get('verdict')!r}")
        d = s.get("document")
        if d is not None and kind_of(d) is None:
            problems.append(f"stages[{i}] document is not an envcheck document")
    return problems


# ---------------------------------------------------------------------------- for people
def _findings(doc: Dict[str, Any]) -> List[Dict[str, Any]]:
    for s in doc.get("stages") or ():
        if s.get("name") == "doctor" and s.get("document"):
            return [f for f in s["document"].get("findings") or () if f.get("severity") in ("error", "warning")]
    return []


def render_text(doc: Dict[str, Any]) -> str:
    m = doc.get("machine") or {}
    head = f"envcheck validate: {doc.get('verdict')}  ({doc.get('level')} level on {m.get('hostname')}"
    head += f", {doc.get('elapsed_s', 0):.0f} s)" if doc.get("status") == "complete" else f", {doc.get('status')})"
    lines = [head, ""]
    for s in doc.get("stages") or ():
        lines.append(f"  {s['verdict']:<5}  {s['name']:<12} {s.get('summary') or s.get('reason')}")
        for note in s.get("notes") or ():
            lines.append(f"  {'':<5}  {'':<12} {note}")
    findings = _findings(doc)
    if findings:
        lines += ["", "Doctor findings to fix:"]
        for f in findings:
            lines.append(f"  [{f['severity']}] {f['id']}: {f['title']}")
            for step in f.get("fix") or ():
                lines.append(f"      {step}")
    if doc.get("status") == "interrupted":
        lines += ["", f"Interrupted by {doc.get('interrupted_by')}: the stages above are what ran."]
    return "\n".join(lines) + "\n"


def render_markdown(doc: Dict[str, Any]) -> str:
    m = doc.get("machine") or {}
    lines = [f"### envcheck validate: **{doc.get('verdict')}**", "",
             f"`{m.get('hostname')}` · level `{doc.get('level')}` · {doc.get('started')} · "
             f"envcheck {doc.get('envcheck_version')}" + (" · **interrupted**" if doc.get("status") == "interrupted"
                                                         else ""),
             "", "| stage | verdict | result |", "|---|---|---|"]
    for s in doc.get("stages") or ():
        text = (s.get("summary") or s.get("reason") or "").replace("|", "\\|")
        lines.append(f"| {s['name']} | {s['verdict']} | {text} |")
    findings = _findings(doc)
    if findings:
        lines += ["", "#### Doctor findings", ""]
        for f in findings:
            lines.append(f"- **{f['severity']}** `{f['id']}`: {f['title']}")
            if f.get("fix"):
                lines += ["  ```sh"] + [f"  {step}" for step in f["fix"]] + ["  ```"]
    return "\n".join(lines) + "\n"
