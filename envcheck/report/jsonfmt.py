"""The machine-readable report (``--json``): the envelope, then verdict, findings, facts."""

from __future__ import annotations

import json
from typing import Any, Dict

from ..envelope import wrap
from ..serial import to_data
from . import steps
from .model import Report


def document(report: Report) -> Dict[str, Any]:
    return wrap("envcheck.report", {
        "command": report.command,
        "verdict": report.verdict,
        "counts": report.counts(),
        "findings": [
            {
                "id": f.id,
                "severity": f.severity.value,
                "section": f.section,
                "title": f.title,
                "explanation": f.explanation,
                "evidence": [{"fact": e.fact, "value": e.value} for e in f.evidence],
                "recipe": f.recipe,
                "values": dict(f.values),
                "fix": steps.document(report.remedy(f)),
                "gpu": f.gpu,
                "links": list(f.links),
            }
            for f in report.findings
        ],
        "envcheck_failures": list(report.failures),
        "facts": to_data(report.facts),
    })


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2) + "\n"
