"""A finding's fix as the report prints it: the filled steps of the recipe it names.

Formatting only; the steps come from ``envcheck.recipes.remedy`` via ``Report.remedy``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..recipes import Plan
from ..rules import Finding

_WHERE = {"host": "on the host, not in the container", "windows": "in Windows, not in Linux"}


def _tags(step) -> str:
    tags = ["root"] if step.needs_root else []
    if step.where in _WHERE:
        tags.append(_WHERE[step.where])
    if step.only_if:
        tags.append(f"only if: {step.only_if}")
    return f" [{'; '.join(tags)}]" if tags else ""


def _recipes(plan: Plan) -> str:
    return ", ".join(dict.fromkeys(p.id for p in plan.recipes))


def text_lines(f: Finding, plan: Optional[Plan], problem: str, indent: str) -> List[str]:
    """The fix under a finding in the human report."""
    if not f.recipe:
        return []
    if plan is None or not plan.steps:
        why = problem or f"recipe {f.recipe} is not installed"
        return [f"{indent}fix: see `envcheck recipe show {f.recipe}` ({why})"]
    out = [f"{indent}fix ({_recipes(plan)}):"]
    for s in plan.steps:
        title = f"Reboot (once, for {', '.join(s.for_recipes)})" if s.kind == "reboot" else s.title
        out.append(f"{indent}  {s.number}. {title}{_tags(s)}")
        out += [f"{indent}       $ {c}" for c in s.commands]
        for alt, cmds in s.alternatives:
            out.append(f"{indent}       or, without rebooting: {alt}")
            out += [f"{indent}       $ {c}" for c in cmds]
    out += [f"{indent}  note: {n}" for n in plan.notes]
    out.append(f"{indent}  why each step: envcheck recipe show {plan.recipes[0].id}")
    return out


def markdown_lines(f: Finding, plan: Optional[Plan], problem: str) -> List[str]:
    if not f.recipe:
        return []
    if plan is None or not plan.steps:
        return ["", f"Fix: `envcheck recipe show {f.recipe}`" + (f" ({problem})" if problem else "")]
    out = ["", f"Fix ({_recipes(plan)}):", ""]
    for s in plan.steps:
        title = "Reboot" if s.kind == "reboot" else s.title
        out.append(f"{s.number}. {title}{_tags(s)}")
        if s.commands:
            out += ["", "   ```sh", *[f"   {c}" for c in s.commands], "   ```"]
        for alt, cmds in s.alternatives:
            out += ["", f"   Or, without rebooting: {alt}", "", "   ```sh", *[f"   {c}" for c in cmds], "   ```"]
    out += [f"> {n}" for n in plan.notes]
    out += ["", f"Step by step: `envcheck recipe show {plan.recipes[0].id}`"]
    return out


def document(plan: Optional[Plan]) -> Optional[Dict[str, Any]]:
    """The fix in the JSON report: the recipes in order and their filled steps."""
    if plan is None:
        return None
    return {
        "recipes": [p.id for p in plan.recipes],
        "steps": [{"number": s.number, "kind": s.kind, "recipe": s.recipe or None, "title": s.title,
                   "commands": list(s.commands), "needs_root": s.needs_root, "where": s.where,
                   "only_if": s.only_if or None,
                   "alternatives": [{"title": t, "commands": list(c)} for t, c in s.alternatives]}
                  for s in plan.steps],
        "notes": list(plan.notes),
        "missing_values": [n for n, v in plan.values if not v.known],
    }
