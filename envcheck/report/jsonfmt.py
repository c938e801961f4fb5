"""The machine-readable report (``--json``): the envelope, then verdict, findings, facts.

``verdict`` is error / unexplained / insufficient / warning / ok (``rules.verdict``);
``unexplained`` quotes the messages no finding accounts for with their ranked causes,
``missing`` the facts a pasted text lacks, ``paste_next`` what to run to tell."""

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
        "unexplained": [
            {"text": u.text, "source": u.source, "message": u.message, "note": u.note,
             "causes": [{"finding": c.finding, "title": c.title, "for": list(c.support), "against": list(c.against),
                         "not_in_the_text": list(c.unchecked), "paste": list(c.paste)} for c in u.causes]}
            for u in report.judgement.unexplained],
        "missing": [{"what": what, "command": cmd} for what, cmd in report.judgement.missing],
        "paste_next": list(report.judgement.paste_next),
        "findings": [
            {
                "id": f.id,
                "severity": f.severity.value,
                "confidence": f.confidence.value,
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
