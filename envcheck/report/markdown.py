"""Markdown ready to paste into a GitHub issue: verdict, findings with fixes, facts folded away."""

from __future__ import annotations

import json
from typing import List

from ..rules import SECTIONS
from ..serial import to_data
from . import steps
from .model import Report
from .summary import section_lines

_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report) -> str:
    c = report.counts()
    out: List[str] = [
        f"### envcheck {report.command}: {c['error']} error(s), {c['warning']} warning(s), {c['info']} note(s)",
        "",
    ]
    if report.findings:
        out += ["| | Finding | Id |", "|---|---|---|"]
        for f in report.findings:
            gpu = f" (GPU {f.gpu})" if f.gpu is not None else ""
            out.append(f"| {_ICON[f.severity.value]} | {_cell(f.title + gpu)} | `{f.id}` |")
        out.append("")
        for f in report.findings:
            out.append(f"#### {_ICON[f.severity.value]} {f.title} (`{f.id}`)")
            out.append("")
            out.append(f.explanation)
            if f.evidence:
                out.append("")
                out += [f"- `{e.fact}` = `{e.value}`" for e in f.evidence]
            out += steps.markdown_lines(f, report.remedy(f), report.recipes_problem)
            out.append("")
    else:
        out += ["No problems found.", ""]
    out += ["<details><summary>Machine summary</summary>", ""]
    lines = section_lines(report.facts)
    for name, label in SECTIONS.items():
        if lines.get(name):
            out.append(f"**{label}**")
            out.append("")
            out += [f"- {k}: {_cell(v)}" for k, v in lines[name]]
            out.append("")
    out += ["</details>", "", "<details><summary>Facts (JSON)</summary>", "", "```json",
            json.dumps(to_data(report.facts), indent=1), "```", "", "</details>", ""]
    return "\n".join(out)
