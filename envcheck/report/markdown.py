"""Markdown ready to paste into a GitHub issue: verdict, findings with fixes, facts folded away."""

from __future__ import annotations

import json
from typing import List

from ..rules import SECTIONS
from ..rules.needs import ERROR
from ..serial import to_data
from . import steps
from .model import Report, listed
from .summary import section_lines

_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_VERDICT = {"error": "problems found", "unexplained": "unexplained (an error no finding accounts for)",
            "warning": "warnings only", "insufficient": "too little to judge", "ok": "no problems found"}


def _judgement(report: Report) -> List[str]:
    j = report.judgement
    out: List[str] = []
    if j.unexplained:
        out += ["#### ❓ Not explained", ""]
        for u in j.unexplained:
            out += [f"> {_cell(u.text)}", "", f"{u.note} (`{u.source}`" + (f", `{u.message}`)" if u.message else ")"), ""]
            for i, cause in enumerate(u.causes, 1):
                out.append(f"{i}. {cause.title} (`{cause.finding}`)")
                for label, items in (("for", cause.support), ("against", cause.against),
                                     ("not in the text", cause.unchecked)):
                    if items:
                        out.append(f"   - {label}: {_cell(listed(items))}")
            out.append("")
    if j.missing:
        out += ["**Too little to judge**" if report.verdict == "insufficient" else "**Not in the text**", ""]
        # The error itself is asked for in words (run it again and copy it), not as a command.
        out += [f"- {_cell(what)}: {cmd if cmd == ERROR[1] else f'`{cmd}`'}" for what, cmd in j.missing] + [""]
    if j.paste_next:
        out += ["**Paste next**", "", "```sh", *j.paste_next, "```", ""]
    return out


def render(report: Report) -> str:
    c = report.counts()
    out: List[str] = [
        f"### envcheck {report.command}: {c['error']} error(s), {c['warning']} warning(s), {c['info']} note(s)",
        "",
        f"**Verdict: {_VERDICT[report.verdict]}**",
        "",
    ]
    if report.facts.has_nvidia_gpu is False:
        out += ["No NVIDIA GPU found: the driver, NVML and GPU checks had nothing to look at.", ""]
    if report.findings:
        out += ["| | Finding | Id | Confidence |", "|---|---|---|---|"]
        for f in report.findings:
            gpu = f" (GPU {f.gpu})" if f.gpu is not None else ""
            out.append(f"| {_ICON[f.severity.value]} | {_cell(f.title + gpu)} | `{f.id}` | {f.confidence.value} |")
        out.append("")
        for f in report.findings:
            out.append(f"#### {_ICON[f.severity.value]} {f.title} (`{f.id}`, {f.confidence.value})")
            out.append("")
            out.append(f.explanation)
            if f.evidence:
                out.append("")
                out += [f"- `{e.fact}` = `{e.value}`" for e in f.evidence]
            out += steps.markdown_lines(f, report.remedy(f), report.recipes_problem)
            out.append("")
    elif report.verdict == "ok":
        out += ["No problems found.", ""]
    out += _judgement(report)
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
