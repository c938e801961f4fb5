"""The human report: sections with ok / warning / error marks, colour only when asked.

The caller decides colour (a TTY and no ``NO_COLOR``); this module only formats.
"""

from __future__ import annotations

import textwrap
from typing import Dict, List, Optional

from ..facts import Facts
from ..reading import is_truncated
from ..rules import SECTIONS, Finding, Severity
from . import steps
from .model import Report, listed
from .summary import Line, section_lines

# Sections about the GPU, the driver and NVML: on a machine without an NVIDIA GPU they found nothing.
_GPU_SECTIONS = ("pci", "driver", "nvml", "interconnect")
_ANSI = {"red": "31", "yellow": "33", "green": "32", "cyan": "36", "bold": "1", "dim": "2"}
_SEV_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class _Style:
    def __init__(self, colour: bool, unicode: bool) -> None:
        self.colour = colour
        self.marks = ({"ok": "✓", "error": "✗", "warning": "!", "info": "i", "none": "–"} if unicode
                      else {"ok": "ok", "error": "XX", "warning": "!!", "info": "ii", "none": "--"})

    def __call__(self, text: str, *names: str) -> str:
        if not self.colour or not names:
            return text
        codes = ";".join(_ANSI[n] for n in names)
        return f"\033[{codes}m{text}\033[0m"


def _mark_cut_names(lines: List[Line], facts: Facts) -> List[Line]:
    """GPU lines whose name nvidia-smi's table cut short ("NVIDIA RTX A1000 6GB Lap") end the name with "…"."""
    cut = {f"GPU {g.index}": str(g.name.value) for g in facts.gpus if g.name.ok and is_truncated(g.name.detail)}
    return [(k, f"{cut[k]}…{v[len(cut[k]):]}") if k in cut and v.startswith(cut[k]) else (k, v) for k, v in lines]


def _wrap(text: str, indent: str, width: int) -> List[str]:
    out: List[str] = []
    for para in text.split("\n"):
        out.extend(textwrap.wrap(para, width=width, initial_indent=indent, subsequent_indent=indent) or [indent])
    return out


def _finding(f: Finding, report: Report, st: _Style, width: int) -> List[str]:
    mark = st.marks[f.severity.value]
    gpu = f" (GPU {f.gpu})" if f.gpu is not None else ""
    head = st(f"  {mark} {f.title}{gpu}", _SEV_COLOUR[f.severity], "bold")
    lines = [f"{head}  {st('[' + f.id + ', ' + f.confidence.value + ']', 'dim')}"]
    lines += _wrap(f.explanation, "      ", width)
    for e in f.evidence:
        lines.append(st(f"      evidence: {e.fact} = {e.value}", "dim"))
    lines += steps.text_lines(f, report.remedy(f), report.recipes_problem, "      ")
    return lines


# A bare `envcheck plan` probes this machine: right after a live doctor only. A snapshot or
# a paste is planned from a file (plan --facts also reads the JSON of doctor and explain).
_NEXT = {
    "live": "Next: `envcheck plan` lists the fixes as ordered steps.",
    "snapshot": "Next: `envcheck plan --facts SNAPSHOT` (the same file) lists the fixes as ordered steps.",
    "explain": "Next: `envcheck explain --json FILE > report.json`, then `envcheck plan --facts report.json`, "
               "lists the fixes as ordered steps.",
}


def next_hint(report: Report) -> Optional[str]:
    """What to run next, for a person (the CLI prints it on stderr, not in the report)."""
    c = report.counts()
    if c["error"] or c["warning"]:
        return _NEXT.get(report.facts.source, _NEXT["live"])
    return None


VERDICT_TEXT = {
    "error": ("red", "problems found"),
    "unexplained": ("red", "unexplained — the text holds an error no finding accounts for"),
    "warning": ("yellow", "warnings only"),
    "insufficient": ("yellow", "too little to judge"),
    "ok": ("green", "no problems found"),
}


def _unexplained(report: Report, st: _Style, width: int) -> List[str]:
    """Each message no finding accounts for: quoted, with its likeliest causes."""
    if not report.judgement.unexplained:
        return []
    out = [st("Not explained", "bold")]
    for u in report.judgement.unexplained:
        out += _wrap(f"“{u.text}” ({u.source}" + (f", {u.message}" if u.message else "") + ")", "    ", width)
        out += _wrap(u.note, "      ", width)
        if not u.causes:
            out += _wrap("No setup problem envcheck knows prints this: it usually comes from the program itself "
                         "(its code, its input, its memory use).", "      ", width)
        for i, c in enumerate(u.causes, 1):
            out.append(f"      {i}. {c.title}  [{c.finding}]")
            out += _wrap("for: " + listed(c.support), "           ", width) if c.support else []
            out += _wrap("against: " + listed(c.against), "           ", width) if c.against else []
            out += _wrap("not in the text: " + ", ".join(c.unchecked), "           ", width) if c.unchecked else []
    out.append("")
    return out


def render(report: Report, colour: bool = False, unicode: bool = True, width: int = 88) -> str:
    st = _Style(colour, unicode)
    by_section: Dict[str, List[Finding]] = {s: [] for s in SECTIONS}
    for f in report.findings:
        by_section.setdefault(f.section, []).append(f)
    summaries = section_lines(report.facts)
    summaries["nvml"] = _mark_cut_names(summaries.get("nvml", []), report.facts)
    title = {"doctor": "envcheck doctor", "explain": "envcheck explain"}.get(report.command, report.command)
    source = {"live": "this machine", "snapshot": f"snapshot taken {report.facts.collected_at}",
              "explain": "pasted text"}.get(report.facts.source, report.facts.source)
    out = [st(f"{title} — {source}", "bold"), ""]
    no_gpu = report.facts.has_nvidia_gpu is False
    if no_gpu:
        out += [st("No NVIDIA GPU found: the driver, NVML and GPU checks had nothing to look at.", "bold"), ""]
    for name, label in SECTIONS.items():
        findings = by_section.get(name, [])
        lines = summaries.get(name, [])
        if not findings and not lines:
            continue
        sevs = {f.severity for f in findings}
        key = ("error" if Severity.ERROR in sevs else "warning" if Severity.WARNING in sevs else "ok")
        if key == "ok" and no_gpu and name in _GPU_SECTIONS:
            key = "none"  # nothing was found there: no ✓ for it
        colour = {"error": "red", "warning": "yellow", "ok": "green", "none": "dim"}[key]
        out.append(st(f"{st.marks[key]} {label}", colour, "bold"))
        pad = max((len(k) for k, _ in lines), default=0)
        for k, v in lines:
            out.append(f"    {k.ljust(pad)}  {v}")
        for f in findings:
            out.extend(_finding(f, report, st, width))
        out.append("")
    out += _unexplained(report, st, width)
    if report.facts.notes:
        out.append(st("Could not tell", "bold"))
        out += [f"    - {n}" for n in report.facts.notes]
        out.append("")
    j = report.judgement
    if j.missing:
        out.append(st("Too little to judge" if report.verdict == "insufficient" else "Not in the text", "bold"))
        out += [f"    - {what}: {cmd}" for what, cmd in j.missing]
        out.append("")
    if j.paste_next:
        out.append(st("Paste next", "bold"))
        out += [f"    $ {cmd}" for cmd in j.paste_next]
        out.append("")
    c = report.counts()
    verdict = VERDICT_TEXT[report.verdict]
    out.append(st(f"Verdict: {verdict[1]} — {c['error']} error(s), {c['warning']} warning(s), "
                  f"{c['info']} note(s)" + (f", {len(j.unexplained)} unexplained message(s)" if j.unexplained else "")
                  + ".", verdict[0], "bold"))
    for failure in report.failures:
        out.append(st(f"envcheck bug (please report): {failure}", "red"))
    return "\n".join(out) + "\n"
