"""A recipe filled in for one machine: does it apply, and its steps with values filled in.

Nothing here prints or reads the machine: it takes facts and values, and returns records.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from envcheck.facts import Facts
from envcheck.recipes.conditions import FACTS, Tri, all_of, holds
from envcheck.recipes.loader import Recipes, expand
from envcheck.recipes.model import BOOT_STAGES, PLACEHOLDER, Recipe, Step
from envcheck.recipes.values import Value, Values


@dataclass(frozen=True)
class Check:
    """One criterion of ``applies_when`` and its answer for this machine."""

    answer: Tri
    text: str


@dataclass(frozen=True)
class FilledStep:
    recipe: str  # the recipe this step belongs to (an included recipe keeps its own id)
    title: str
    explain: str
    commands: Tuple[str, ...]
    needs_root: bool
    reboot_after: bool
    at_reboot: str
    instead_of_reboot: bool
    where: str
    key: Optional[str]
    only_if: str = ""  # the step's conditions, when the facts cannot settle them


@dataclass(frozen=True)
class FilledRecipe:
    recipe: Recipe
    applies: Tri
    checks: Tuple[Check, ...]
    steps: Tuple[FilledStep, ...]
    verify_commands: Tuple[str, ...]
    verify_expect: Tuple[str, ...]
    undo_explain: str
    undo_commands: Tuple[str, ...]
    values: Tuple[Tuple[str, Value], ...]  # the placeholders used, in first-use order
    notes: Tuple[str, ...] = ()

    @property
    def missing(self) -> Tuple[str, ...]:
        return tuple(name for name, v in self.values if not v.known)


# ----------------------------------------------------------------------------- applies
def _fact(facts: Facts, name: str):
    return FACTS[name][1](facts)


def checks(recipe: Recipe, facts: Facts) -> Tuple[Check, ...]:
    aw, out = recipe.applies_when, []
    if aw.ubuntu is not None:
        os_id, ver = _fact(facts, "os_id"), _fact(facts, "os_version")
        listed = ", ".join(aw.ubuntu)
        if os_id.ok and os_id.value != "ubuntu":
            out.append(Check(False, f"written for Ubuntu {listed}; this is {os_id.value}"))
        elif os_id.ok and ver.ok:
            out.append(Check(ver.value in aw.ubuntu, f"Ubuntu {ver.value} (written for {listed})"))
        else:
            out.append(Check(None, f"written for Ubuntu {listed}; the distribution is not known"))
    if aw.gpu_arch is not None:
        archs = _fact(facts, "gpu_archs")
        wanted = ", ".join(aw.gpu_arch)
        if archs.ok:
            ok = bool(archs.value) and all(a in aw.gpu_arch for a in archs.value)
            out.append(Check(ok, f"GPU architecture {', '.join(archs.value) or 'none'} (for: {wanted})"))
        else:
            out.append(Check(None, f"GPU architecture not known (for: {wanted})"))
    if aw.container is not None:
        c, kind = _fact(facts, "in_container"), _fact(facts, "container")
        where = "inside a container" if aw.container else "outside containers"
        if c.ok:
            here = f"in a {kind.value} container" if c.value else "not in a container"
            out.append(Check(c.value == aw.container, f"{here} (for use {where})"))
        else:
            out.append(Check(None, f"container or not: not known (for use {where})"))
    if aw.wsl2 is not None:
        w = _fact(facts, "wsl")
        want = "under WSL 2" if aw.wsl2 else "outside WSL"
        if w.ok:
            out.append(Check((w.value == "wsl2") == aw.wsl2, f"WSL: {w.value} (for use {want})"))
        else:
            out.append(Check(None, f"WSL or not: not known (for use {want})"))
    for cond in aw.facts:
        answer = cond.evaluate(facts)
        out.append(Check(answer, cond.describe()))
    return tuple(out)


def applies(recipe: Recipe, facts: Facts) -> Tri:
    return all_of(c.answer for c in checks(recipe, facts))


# ----------------------------------------------------------------------------- filling in
def fill(text: str, values: Values, defaults: Dict[str, str], used: Dict[str, Value]) -> str:
    """Replace ``{name}`` with its value; an unknown value becomes ``<name>``."""

    def one(m) -> str:
        name = m.group(1)
        v = values.get(name)
        if not v.known and name in defaults:
            v = Value(defaults[name], "default", "this recipe's default")
        used.setdefault(name, v)
        return v.text if v.known else f"<{name}>"

    return PLACEHOLDER.sub(one, text)


def fill_steps(recipes: Recipes, recipe: Recipe, facts: Facts, values: Values,
                 used: Dict[str, Value]) -> List[FilledStep]:
    out: List[FilledStep] = []
    for owner, step in expand(recipes, recipe):
        answer = holds(step.when, facts)
        if answer is False:
            continue
        # Only the conditions the facts cannot settle are worth saying ("only if: nouveau is loaded").
        unsure = "" if answer else "; ".join(c.describe() for c in step.when if c.evaluate(facts) is None)
        out.append(_fill_step(owner, step, values, used, unsure))
    return out


def _fill_step(owner: Recipe, step: Step, values: Values, used: Dict[str, Value], only_if: str) -> FilledStep:
    def f(t: str) -> str:
        return fill(t, values, dict(owner.defaults), used)

    return FilledStep(
        recipe=owner.id, title=f(step.title), explain=f(step.explain), commands=tuple(f(c) for c in step.commands),
        needs_root=step.needs_root, reboot_after=step.reboot_after, at_reboot=f(step.at_reboot),
        instead_of_reboot=step.instead_of_reboot, where=step.where, key=step.key, only_if=only_if,
    )


def _share_reboots(recipes: Recipes, steps: List[FilledStep]) -> List[FilledStep]:
    """In a recipe that includes others, a reboot followed (within the boot stages) by
    another one is dropped, its notes carried to the later one: one reboot, as in a plan."""
    out = list(steps)
    for i, s in enumerate(out):
        if not s.reboot_after:
            continue
        for j in range(i + 1, len(out)):
            if recipes.get(out[j].recipe).stage not in BOOT_STAGES:
                break
            if out[j].reboot_after:
                notes = " ".join(n for n in (s.at_reboot, out[j].at_reboot) if n)
                out[j] = dataclasses.replace(out[j], at_reboot=notes)
                out[i] = dataclasses.replace(s, reboot_after=False, at_reboot="")
                break
    return out


def fill_recipe(recipes: Recipes, recipe: Recipe, facts: Facts, values: Values) -> FilledRecipe:
    used: Dict[str, Value] = {}
    steps = _share_reboots(recipes, fill_steps(recipes, recipe, facts, values, used))
    defaults = dict(recipe.defaults)

    def f(texts: Sequence[str]) -> Tuple[str, ...]:
        return tuple(fill(t, values, defaults, used) for t in texts)

    cs = checks(recipe, facts)
    return FilledRecipe(
        recipe=recipe, applies=all_of(c.answer for c in cs), checks=cs, steps=tuple(steps),
        verify_commands=f(recipe.verify.commands), verify_expect=f(recipe.verify.expect),
        undo_explain=fill(recipe.undo.explain, values, defaults, used), undo_commands=f(recipe.undo.commands),
        values=tuple(used.items()),
        notes=(values.notes if any(not v.known for v in used.values()) else ()) + values.warnings_for(used),
    )
