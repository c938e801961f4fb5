"""Text, Markdown and JSON for ``envcheck recipe list``, ``recipe show`` and ``plan``.

Formatting only: every function takes records and returns a string.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from envcheck.envelope import wrap
from envcheck.recipes.conditions import Tri, word
from envcheck.recipes.fill import FilledRecipe, FilledStep
from envcheck.recipes.model import Recipe
from envcheck.recipes.plan import Plan, PlanStep
from envcheck.recipes.values import Value

WIDTH = 88
_MARK = {True: "[yes]", False: "[no] ", None: "[?]  "}
_WHERE = {"host": "on the host, not in the container", "windows": "in Windows, not in Linux"}
NEVER_RUNS = "envcheck prints these steps; it never runs them."


def _wrap(text: str, indent: str) -> List[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False) or []


def _value_text(v: Value) -> str:
    shown = v.text if v.known else "?"
    how = v.source + (f": {v.detail}" if v.detail else "")
    return f"{shown}  ({how})"


def _cmds(commands: Iterable[str], indent: str) -> List[str]:
    return [f"{indent}$ {c}" for c in commands]


# ----------------------------------------------------------------------------- recipe list
def list_text(rows: Sequence[Tuple[Recipe, Tri]]) -> str:
    width = max(len(r.id) for r, _ in rows)
    out = [f"{'recipe'.ljust(width)}  applies  title"]
    out += [f"{r.id.ljust(width)}  {word(a).ljust(7)}  {r.title}" for r, a in rows]
    out += ["", "applies: yes / no for this machine, unknown where the facts do not say.",
            "Details: envcheck recipe show ID"]
    return "\n".join(out) + "\n"


def list_markdown(rows: Sequence[Tuple[Recipe, Tri]]) -> str:
    out = ["| Recipe | Applies here | Title |", "|---|---|---|"]
    out += [f"| `{r.id}` | {word(a)} | {r.title} |" for r, a in rows]
    return "\n".join(out) + "\n"


def list_json(rows: Sequence[Tuple[Recipe, Tri]]) -> str:
    doc = _doc("envcheck.recipes", "recipe list", recipes=[{"id": r.id, "title": r.title, "stage": r.stage, "applies": word(a),
                                        "summary": r.summary} for r, a in rows])
    return json.dumps(doc, indent=2) + "\n"


# ----------------------------------------------------------------------------- recipe show
def _step_text(i: int, s: FilledStep, indent: str = "  ") -> List[str]:
    out = [f"{indent}{i:>2}. {s.title}{' [root]' if s.needs_root else ''}"]
    sub = indent + "    "
    if s.where in _WHERE:
        out.append(f"{sub}({_WHERE[s.where]})")
    if s.only_if:
        out.append(f"{sub}(only if: {s.only_if})")
    out += _wrap(s.explain, sub)
    out += _cmds(s.commands, sub)
    if s.reboot_after:
        out.append(f"{sub}-> then reboot: sudo reboot")
        out += _wrap(f"At the reboot: {s.at_reboot}", sub) if s.at_reboot else []
    return out


def show_text(rr: FilledRecipe) -> str:
    r = rr.recipe
    out = [f"{r.id}: {r.title}", ""]
    out += _wrap(r.summary, "")
    out += ["", f"Applies to this machine: {word(rr.applies)}"]
    out += [f"  {_MARK[c.answer]} {c.text}" for c in rr.checks] or ["  (written for any machine)"]
    if rr.values:
        out += ["", "Filled in for this machine:"]
        pad = max(len(n) for n, _ in rr.values)
        out += [f"  {n.ljust(pad)}  {_value_text(v)}" for n, v in rr.values]
    if rr.missing:
        out += _wrap(f"Not known here, shown as <name>: {', '.join(rr.missing)}.", "  ")
    out += ["", "Steps:"]
    n = 0
    for s in rr.steps:
        if s.instead_of_reboot:
            out.append(f"      Instead of rebooting: {s.title}{' [root]' if s.needs_root else ''}")
            out += _wrap(s.explain, "      ")
            out += _cmds(s.commands, "      ")
            continue
        n += 1
        out += _step_text(n, s)
    out += ["", "Verify (re-run):"]
    out += _cmds(rr.verify_commands, "  ")
    out += [f"  - {e}" for e in rr.verify_expect]
    out += ["", "Undo:"] + _wrap(rr.undo_explain, "  ") + _cmds(rr.undo_commands, "  ")
    out += ["", f"Sources (checked {r.checked}):"] + [f"  - {s.title}: {s.url}" for s in r.sources]
    out += [f"Note: {n}" for n in rr.notes]
    out += ["", NEVER_RUNS]
    return "\n".join(out) + "\n"


def _md_step(i: int, s: FilledStep) -> List[str]:
    tags = (" *(root)*" if s.needs_root else "") + (f" *({_WHERE[s.where]})*" if s.where in _WHERE else "")
    out = [f"{i}. **{s.title}**{tags}", "", f"   {s.explain}"]
    if s.only_if:
        out += ["", f"   Only if: {s.only_if}"]
    if s.commands:
        out += ["", "   ```sh", *[f"   {c}" for c in s.commands], "   ```"]
    if s.reboot_after:
        out += ["", "   Then reboot (`sudo reboot`)." + (f" At the reboot: {s.at_reboot}" if s.at_reboot else "")]
    return out + [""]


def show_markdown(rr: FilledRecipe) -> str:
    r = rr.recipe
    out = [f"### {r.title} (`{r.id}`)", "", r.summary, "", f"**Applies to this machine:** {word(rr.applies)}", ""]
    out += [f"- {word(c.answer)}: {c.text}" for c in rr.checks] + [""]
    if rr.values:
        out += ["| Value | For this machine | From |", "|---|---|---|"]
        out += [f"| `{n}` | `{v.text}` | {v.source} |" if v.known else f"| `{n}` | not known | |"
                for n, v in rr.values]
        out.append("")
    n = 0
    for s in rr.steps:
        if s.instead_of_reboot:
            out += [f"Instead of rebooting: **{s.title}**", "", s.explain, "", "```sh", *s.commands, "```", ""]
            continue
        n += 1
        out += _md_step(n, s)
    out += ["**Verify**", "", "```sh", *rr.verify_commands, "```", "", *[f"- {e}" for e in rr.verify_expect], ""]
    out += ["**Undo**", "", rr.undo_explain, ""]
    if rr.undo_commands:
        out += ["```sh", *rr.undo_commands, "```", ""]
    out += [f"Sources (checked {r.checked}):", "", *[f"- [{s.title}]({s.url})" for s in r.sources], ""]
    return "\n".join(out)


def _step_doc(s: FilledStep) -> Dict[str, Any]:
    return {"recipe": s.recipe, "title": s.title, "explain": s.explain, "commands": list(s.commands),
            "needs_root": s.needs_root, "reboot_after": s.reboot_after, "at_reboot": s.at_reboot or None,
            "instead_of_reboot": s.instead_of_reboot, "where": s.where, "only_if": s.only_if or None}


def _values_doc(values: Sequence[Tuple[str, Value]]) -> Dict[str, Any]:
    return {n: {"value": v.text, "source": v.source, "detail": v.detail or None} for n, v in values}


def show_json(rr: FilledRecipe) -> str:
    r = rr.recipe
    doc = _doc("envcheck.recipe", "recipe show", recipe={
        "id": r.id, "title": r.title, "summary": r.summary, "stage": r.stage, "checked": r.checked,
        "applies": word(rr.applies), "checks": [{"answer": word(c.answer), "text": c.text} for c in rr.checks],
        "values": _values_doc(rr.values), "missing_values": list(rr.missing),
        "steps": [_step_doc(s) for s in rr.steps],
        "verify": {"commands": list(rr.verify_commands), "expect": list(rr.verify_expect)},
        "undo": {"explain": rr.undo_explain, "commands": list(rr.undo_commands)},
        "sources": [{"title": s.title, "url": s.url} for s in r.sources], "notes": list(rr.notes)})
    return json.dumps(doc, indent=2) + "\n"


# ----------------------------------------------------------------------------- plan
def _plan_step_text(s: PlanStep) -> List[str]:
    sub = "     "
    if s.kind == "reboot":
        out = [f"{s.number:>2}. Reboot (once, for {', '.join(s.for_recipes)})"]
        out += _cmds(s.commands, sub)
        for note in s.at_reboot:
            out += _wrap(f"At the reboot: {note}", sub)
        for title, cmds in s.alternatives:
            out += _wrap(f"Or, without rebooting: {title}", sub) + _cmds(cmds, sub + "  ")
        return out
    out = [f"{s.number:>2}. {s.title}{' [root]' if s.needs_root else ''}  ({s.recipe})"]
    if s.where in _WHERE:
        out.append(f"{sub}({_WHERE[s.where]})")
    if s.only_if:
        out.append(f"{sub}(only if: {s.only_if})")
    out += _wrap(s.explain, sub) + _cmds(s.commands, sub)
    if s.shared_with:
        out.append(f"{sub}(also part of: {', '.join(s.shared_with)})")
    return out


def plan_text(plan: Plan, source: str) -> str:
    out = [f"envcheck plan: {source}", ""]
    if not plan.recipes:
        out.append("Nothing to fix: no finding names a recipe." if not plan.uncovered
                   else "No recipe covers the findings; they are listed below.")
    else:
        out.append("Recipes, in order:")
        for p in plan.recipes:
            gpu = f" (GPU {p.gpu})" if p.gpu is not None else ""
            out.append(f"  - {p.id}{gpu}: {p.title}")
            out += _wrap(f"because: {'; '.join(p.because)}", "      ")
        out += ["", "Steps:"]
        for s in plan.steps:
            out += _plan_step_text(s)
    if plan.verify_commands:
        out += ["", "Then verify (re-run):"] + _cmds(plan.verify_commands, "  ")
        out += [f"  - {e}" for e in plan.verify_expect]
    if plan.deferred:
        out += ["", "Re-check after these steps:"]
        for d in plan.deferred:
            out.append(f"  - {d.finding}: {d.reason}.")
            out += _wrap(f"If `envcheck doctor` still reports it: envcheck recipe show {d.recipe}", "    ")
    if plan.uncovered:
        out += ["", "Findings without a recipe:"]
        for u in plan.uncovered:
            out.append(f"  - {u.finding} ({u.severity}): {u.title}" + _missing(u))
    missing = [n for n, v in plan.values if not v.known]
    if missing:
        out += ["", *_wrap(f"Not known here, shown as <name>: {', '.join(missing)}.", "")]
    out += [f"Note: {n}" for n in plan.notes]
    out += ["", NEVER_RUNS]
    return "\n".join(out) + "\n"


def plan_markdown(plan: Plan, source: str) -> str:
    out = [f"### envcheck plan: {source}", ""]
    for s in plan.steps:
        if s.kind == "reboot":
            out += [f"{s.number}. **Reboot** (once, for {', '.join(s.for_recipes)})", "", "   ```sh", "   sudo reboot",
                    "   ```", ""]
            out += [f"   At the reboot: {n}" for n in s.at_reboot]
            for title, cmds in s.alternatives:
                out += [f"   Or, without rebooting: {title}", "", "   ```sh", *[f"   {c}" for c in cmds], "   ```", ""]
            continue
        tags = (" *(root)*" if s.needs_root else "") + (f" *({_WHERE[s.where]})*" if s.where in _WHERE else "")
        out += [f"{s.number}. **{s.title}**{tags} (`{s.recipe}`)", "", f"   {s.explain}"]
        if s.only_if:
            out += ["", f"   Only if: {s.only_if}"]
        if s.commands:
            out += ["", "   ```sh", *[f"   {c}" for c in s.commands], "   ```"]
        out.append("")
    if plan.verify_commands:
        out += ["**Then verify**", "", "```sh", *plan.verify_commands, "```", "",
                *[f"- {e}" for e in plan.verify_expect], ""]
    if plan.deferred:
        out += ["**Re-check after these steps**", ""]
        out += [f"- `{d.finding}`: {d.reason}; if it remains, `envcheck recipe show {d.recipe}`." for d in plan.deferred]
        out.append("")
    if plan.uncovered:
        out += ["**Findings without a recipe**", ""]
        out += [f"- `{u.finding}` ({u.severity}): {u.title}{_missing(u)}" for u in plan.uncovered]
        out.append("")
    out += [*[f"> {n}" for n in plan.notes], "", NEVER_RUNS, ""]
    return "\n".join(out)


def plan_json(plan: Plan, source: str) -> str:
    doc = _doc("envcheck.plan", "plan", source=source, findings=list(plan.findings), recipes=[
        {"id": p.id, "title": p.title, "gpu": p.gpu, "because": list(p.because), "applies": word(p.applies)}
        for p in plan.recipes], steps=[
        {"number": s.number, "kind": s.kind, "recipe": s.recipe or None, "title": s.title, "explain": s.explain,
         "commands": list(s.commands), "needs_root": s.needs_root, "where": s.where, "only_if": s.only_if or None,
         "shared_with": list(s.shared_with), "for_recipes": list(s.for_recipes), "at_reboot": list(s.at_reboot),
         "alternatives": [{"title": t, "commands": list(c)} for t, c in s.alternatives]} for s in plan.steps],
        verify={"commands": list(plan.verify_commands), "expect": list(plan.verify_expect)},
        deferred=[{"finding": d.finding, "recipe": d.recipe, "reason": d.reason} for d in plan.deferred],
        uncovered=[{"finding": u.finding, "severity": u.severity, "title": u.title, "missing_recipe": u.missing}
                   for u in plan.uncovered],
        values=_values_doc(plan.values), notes=list(plan.notes))
    return json.dumps(doc, indent=2) + "\n"


def _missing(u) -> str:
    return f" (its recipe {u.missing} is not installed here)" if u.missing else ""


def _doc(kind: str, command: str, **body: Any) -> Dict[str, Any]:
    return wrap(kind, {"command": command, **body})
