"""The fix for one finding: the steps of the recipe it names, filled in for the machine.

Commands come from recipes alone. A finding names its recipe and the values only it
knows (the variables to unset, the GPU concerned); a remedy is the plan for that one
finding, so ``instead``/``also`` links, per-GPU instances, step conditions and the one
reboot work exactly as in ``envcheck plan``. Renderers print remedies; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional, Tuple

from envcheck.facts import Facts
from envcheck.recipes.conditions import Tri, holds
from envcheck.recipes.fill import fill_recipe
from envcheck.recipes.loader import Recipes
from envcheck.recipes.plan import Plan, build_plan
from envcheck.recipes.values import Value, Values
from envcheck.rules.catalogue import CATALOGUE
from envcheck.rules.finding import Finding

Key = Tuple[str, Optional[int]]  # (finding id, gpu)


def remedy(recipes: Recipes, facts: Facts, finding: Finding, values: Values) -> Plan:
    """The filled steps that fix ``finding`` on the machine ``facts`` describe."""
    return build_plan(recipes, facts, [finding], values)


def remedies(recipes: Recipes, facts: Facts, findings: Iterable[Finding], values: Values) -> Dict[Key, Plan]:
    return {(f.id, f.gpu): remedy(recipes, facts, f, values) for f in findings}


def commands(plan: Plan) -> Tuple[str, ...]:
    """Every command of a remedy's steps, in order: reboots, and what may replace one, included."""
    return tuple(c for s in plan.steps for c in s.commands + tuple(x for _, cmds in s.alternatives for x in cmds))


def text(plan: Plan) -> str:
    """Titles, explanations and commands of a remedy as one text (to search in tests and checks)."""
    parts = []
    for s in plan.steps:
        parts += [s.title, s.explain, *s.commands, *s.at_reboot]
        for title, cmds in s.alternatives:
            parts += [title, *cmds]
    return "\n".join(parts + list(plan.notes))


def resolve(recipes: Recipes, rid: str, facts: Facts) -> str:
    """The recipe that serves ``rid`` on this machine: its ``instead`` links followed while
    their conditions hold for certain (as the plan does)."""
    seen = {rid}
    while True:
        nxt = next((link.recipe for link in recipes.get(rid).instead if holds(link.when, facts) is True), None)
        if nxt is None or nxt in seen:
            return rid
        seen.add(nxt)
        rid = nxt


@dataclass(frozen=True)
class DriverInstall:
    """How to install a driver branch here: the recipe, its install step's commands, and
    whether the recipe fits this machine (no: a container, which uses the host's driver)."""

    recipe: str
    title: str
    commands: Tuple[str, ...]
    applies: Tri


def install_driver(recipes: Recipes, facts: Facts, values: Values, branch: str) -> DriverInstall:
    """The commands that install driver ``branch``: the install step (key ``install_driver``)
    of the recipe the driver findings name, so advise and the doctor print the same line."""
    rid = resolve(recipes, CATALOGUE["driver_too_old_for_torch_cuda"].recipe, facts)
    filled = fill_recipe(recipes, recipes.get(rid), facts,
                         values.with_values(driver_branch=Value(str(branch), "advice")))
    steps = [s for s in filled.steps if s.key == "install_driver"]
    return DriverInstall(rid, filled.recipe.title, tuple(c for s in steps for c in s.commands), filled.applies)
