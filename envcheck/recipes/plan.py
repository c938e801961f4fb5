"""The doctor's findings turned into one ordered list of steps across recipes.

1. Each finding names a recipe (catalogue); a recipe whose text uses ``{gpu_index}``
   is planned once per GPU, every other recipe once.
2. ``instead`` links swap a recipe for one that fits this machine better (PyTorch into
   conda rather than a venv); ``also`` links add what the fix needs too (nouveau off
   is half the job when no NVIDIA driver is installed yet). Both need their condition
   to hold *for certain*: envcheck does not add work on a guess.
3. Recipes are ordered by stage (``model.STAGES``: nouveau off → driver → services →
   container toolkit → CUDA toolkit → Python) and by their ``after`` lists.
4. Steps are de-duplicated (same ``key``, or the same commands) and reboots collected:
   a reboot asked for in a boot stage waits until the plan leaves those stages, so
   several recipes share one reboot placed before the first step that needs it.
5. A finding that is usually a *consequence* of a lower-level problem (PyTorch cannot
   see the GPU while the driver is broken) is not fixed on its own when the plan
   already repairs that level; the plan says to re-check it afterwards instead.

The plan is a record; envcheck prints it and never runs a step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from envcheck.facts import Facts
from envcheck.recipes.conditions import ASSUMED_UBUNTU, Tri, distro_family, holds
from envcheck.recipes.fill import FilledStep, applies, fill, fill_steps
from envcheck.recipes.loader import Recipes, expand, uses_placeholder
from envcheck.recipes.model import BOOT_STAGES, Recipe
from envcheck.recipes.values import Value, Values
from envcheck.rules.finding import Finding

# Findings that usually follow from a problem lower in the stack, and the stages whose
# repair may clear them. Fixing PyTorch while the driver is broken wastes the user's time.
SYMPTOMS: Dict[str, str] = {
    "torch_cuda_unavailable": "PyTorch usually sees the GPU once the problem below it (driver, container) is fixed",
    "torch_gpu_check_failed": "the GPU check cannot pass while the problem below it (driver, container) remains",
}
_LOWER_STAGES = frozenset({"prepare", "driver", "driver_services", "container"})


@dataclass(frozen=True)
class PlannedRecipe:
    id: str
    title: str
    gpu: Optional[int]
    because: Tuple[str, ...]  # finding ids, or "needed with <recipe>: why" / "instead of <recipe>: why"
    applies: Tri


@dataclass(frozen=True)
class PlanStep:
    number: int
    kind: str  # "step" | "reboot"
    recipe: str  # "" for a reboot
    title: str
    explain: str
    commands: Tuple[str, ...] = ()
    needs_root: bool = False
    where: str = "machine"
    only_if: str = ""
    shared_with: Tuple[str, ...] = ()  # other recipes that had this same step
    for_recipes: Tuple[str, ...] = ()  # reboot: the recipes that asked for it
    at_reboot: Tuple[str, ...] = ()  # reboot: what the user sees and does during it
    alternatives: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # reboot: (title, commands) instead


@dataclass(frozen=True)
class Deferred:
    finding: str
    recipe: str
    reason: str


@dataclass(frozen=True)
class Uncovered:
    """A finding the plan has no steps for: it names no recipe (nothing to do but read
    it), or one this installation lacks (``missing``)."""

    finding: str
    severity: str
    title: str
    missing: Optional[str] = None  # the recipe it names, when that file is not installed


@dataclass(frozen=True)
class Plan:
    findings: Tuple[str, ...]
    recipes: Tuple[PlannedRecipe, ...]
    steps: Tuple[PlanStep, ...]
    verify_commands: Tuple[str, ...]
    verify_expect: Tuple[str, ...]
    deferred: Tuple[Deferred, ...]
    uncovered: Tuple[Uncovered, ...]
    values: Tuple[Tuple[str, Value], ...]
    notes: Tuple[str, ...] = ()

    @property
    def reboots(self) -> int:
        return sum(1 for s in self.steps if s.kind == "reboot")


Instance = Tuple[str, Optional[int]]  # (recipe id, gpu index or None)


# ----------------------------------------------------------------------------- selection
def _select(recipes: Recipes, facts: Facts, findings: Sequence[Finding]):
    because: Dict[Instance, List[str]] = {}
    order: List[Instance] = []
    deferred: List[Deferred] = []
    uncovered: List[Uncovered] = []
    given: Dict[Instance, Dict[str, str]] = {}  # the values the findings gave each instance

    def add(inst: Instance, reason: str, values: Sequence[Tuple[str, str]] = ()) -> None:
        if inst not in because:
            because[inst] = []
            order.append(inst)
        if reason not in because[inst]:
            because[inst].append(reason)
        for k, v in values:
            given.setdefault(inst, {}).setdefault(k, v)

    def instance(rid: str, gpu: Optional[int]) -> Instance:
        per_gpu = uses_placeholder(recipes, recipes.get(rid), "gpu_index")
        return (rid, gpu if per_gpu else None)

    symptoms = []
    for f in findings:
        if not f.recipe or f.recipe not in recipes:
            # A recipe missing from the folder (an out-of-date install) must not sink the plan.
            # tests/recipes checks that the shipped set is complete.
            uncovered.append(Uncovered(f.id, f.severity.value, f.title, f.recipe or None))
        elif f.id in SYMPTOMS:
            symptoms.append(f)
        else:
            add(instance(f.recipe, f.gpu), f.id, f.values)
    _links(recipes, facts, because, order, add, given)
    lower = any(recipes.get(rid).stage in _LOWER_STAGES for rid, _ in order)
    for f in symptoms:
        if lower:
            deferred.append(Deferred(f.id, f.recipe, SYMPTOMS[f.id]))
        else:
            add(instance(f.recipe, f.gpu), f.id, f.values)
    _links(recipes, facts, because, order, add, given)
    return because, order, deferred, uncovered, given


def _links(recipes: Recipes, facts: Facts, because: Dict[Instance, List[str]], order: List[Instance],
           add: Callable[..., None], given: Dict[Instance, Dict[str, str]]) -> None:
    """Apply ``instead`` and ``also`` until nothing changes (each link fires once)."""
    fired = set()
    changed = True
    while changed:
        changed = False
        for inst in list(order):
            rid, gpu = inst
            if inst not in because:
                continue
            r = recipes.get(rid)
            for link in r.instead:
                if (inst, "instead", link.recipe) not in fired and holds(link.when, facts) is True:
                    fired.add((inst, "instead", link.recipe))
                    reasons = because.pop(inst)
                    moved = tuple(given.pop(inst, {}).items())
                    order.remove(inst)
                    for reason in reasons:
                        add((link.recipe, gpu), reason, moved)
                    add((link.recipe, gpu), f"instead of {rid}" + (f": {link.why}" if link.why else ""))
                    changed = True
                    break
            else:
                for link in r.also:
                    if (inst, "also", link.recipe) not in fired and holds(link.when, facts) is True:
                        fired.add((inst, "also", link.recipe))
                        add((link.recipe, None), f"needed with {rid}" + (f": {link.why}" if link.why else ""))
                        changed = True


def _ordered(recipes: Recipes, order: List[Instance]) -> List[Instance]:
    """Topological order over ``after`` edges; ties by stage, then first mention."""
    rank = {inst: i for i, inst in enumerate(order)}
    remaining = list(order)
    out: List[Instance] = []
    while remaining:
        ready = [i for i in remaining
                 if not any(o[0] in recipes.get(i[0]).after for o in remaining if o[0] != i[0])]
        ready = ready or remaining  # the loader rejects cycles; this only guards
        nxt = min(ready, key=lambda i: (recipes.get(i[0]).stage_rank, rank[i]))
        out.append(nxt)
        remaining.remove(nxt)
    return out


# ----------------------------------------------------------------------------- steps and reboots
Alternative = Tuple[str, Tuple[str, ...]]  # (title, commands) of a step that can replace a reboot


@dataclass
class _Pending:
    """A reboot asked for and not yet placed."""

    instances: List[Instance]
    at_reboot: List[str]

    @property
    def recipes(self) -> List[str]:
        return list(dict.fromkeys(rid for rid, _ in self.instances))

    def waits_for(self, inst: Instance, stage: str) -> bool:
        """May ``inst``'s step still come before the reboot? Yes within the boot stages,
        and for the next GPU of the same per-GPU recipe (one reboot repairs all GPUs)."""
        if stage in BOOT_STAGES:
            return True
        return inst[0] in self.recipes and inst not in self.instances


def _emit_reboot(out: List[PlanStep], pending: _Pending, alternatives: Dict[Instance, List[Alternative]]) -> None:
    who = ", ".join(pending.recipes)
    # A no-reboot alternative (reload the modules, reset a GPU) stands in for the reboot
    # only when one recipe asked for it.
    alt: List[Alternative] = []
    if len(pending.recipes) == 1:
        for inst in pending.instances:
            alt += alternatives.get(inst, [])
    out.append(PlanStep(
        number=len(out) + 1, kind="reboot", recipe="", title="Reboot",
        explain=f"One reboot for: {who}. It loads the new kernel modules and settings.",
        commands=("sudo reboot",), needs_root=True, for_recipes=tuple(pending.recipes),
        at_reboot=tuple(pending.at_reboot), alternatives=tuple(alt)))


def _add_step(out: List[PlanStep], seen: Dict[object, int], s: FilledStep) -> None:
    """Append ``s`` unless the plan has it already (same key, or the same commands)."""
    key = ("key", s.key) if s.key else ("commands", s.commands) if s.commands else ("text", s.title)
    if key in seen:
        prev = out[seen[key]]
        if s.recipe != prev.recipe and s.recipe not in prev.shared_with:
            out[seen[key]] = _replace(prev, shared_with=prev.shared_with + (s.recipe,))
        return
    seen[key] = len(out)
    out.append(PlanStep(number=len(out) + 1, kind="step", recipe=s.recipe, title=s.title, explain=s.explain,
                        commands=s.commands, needs_root=s.needs_root, where=s.where, only_if=s.only_if))


def _values(values: Values, inst: Instance, given: Dict[Instance, Dict[str, str]]) -> Values:
    """The machine's values, plus the GPU and the values the findings gave this instance."""
    extra = {k: Value(v, "finding", "from the finding") for k, v in given.get(inst, {}).items()}
    if inst[1] is not None:
        extra["gpu_index"] = Value(str(inst[1]), "facts", "from the finding")
    return values.with_values(**extra) if extra else values


def _steps(recipes: Recipes, ordered: List[Instance], facts: Facts, values: Values,
           used: Dict[str, Value], given: Dict[Instance, Dict[str, str]]) -> List[PlanStep]:
    out: List[PlanStep] = []
    seen: Dict[object, int] = {}  # dedupe key -> index in out
    pending: Optional[_Pending] = None
    alternatives: Dict[Instance, List[Alternative]] = {}
    for inst in ordered:
        rid, gpu = inst
        vals = _values(values, inst, given)
        for s in fill_steps(recipes, recipes.get(rid), facts, vals, used):
            if s.instead_of_reboot:
                alternatives.setdefault(inst, []).append((s.title, s.commands))
                continue
            reboot_only = s.reboot_after and not s.commands
            if pending and not reboot_only and not pending.waits_for(inst, recipes.get(s.recipe).stage):
                _emit_reboot(out, pending, alternatives)
                pending = None
            if not reboot_only:
                _add_step(out, seen, s)
            if s.reboot_after:
                pending = pending or _Pending([], [])
                if inst not in pending.instances:
                    pending.instances.append(inst)
                if s.at_reboot and s.at_reboot not in pending.at_reboot:
                    pending.at_reboot.append(s.at_reboot)
    if pending:
        _emit_reboot(out, pending, alternatives)
    return out


def _replace(step: PlanStep, **changes) -> PlanStep:
    import dataclasses

    return dataclasses.replace(step, **changes)


# ----------------------------------------------------------------------------- the plan
def build_plan(recipes: Recipes, facts: Facts, findings: Sequence[Finding], values: Values) -> Plan:
    because, order, deferred, uncovered, given = _select(recipes, facts, findings)
    ordered = _ordered(recipes, order)
    used: Dict[str, Value] = {}
    steps = _steps(recipes, ordered, facts, values, used, given)
    planned, v_cmds, v_expect = [], [], []
    for rid, gpu in ordered:
        r: Recipe = recipes.get(rid)
        planned.append(PlannedRecipe(rid, r.title, gpu, tuple(because[(rid, gpu)]), applies(r, facts)))
        vals = _values(values, (rid, gpu), given)
        for bucket, texts in ((v_cmds, r.verify.commands), (v_expect, r.verify.expect)):
            for text in texts:
                text = fill(text, vals, dict(r.defaults), used)
                if text not in bucket:
                    bucket.append(text)
    # The advisor's notes explain missing values; without a missing value they are noise.
    notes = (list(values.notes) if any(not v.known for v in used.values()) else []) + list(values.warnings_for(used))
    if distro_family(facts).detail == ASSUMED_UBUNTU and any(
            c.fact == "distro_family" for rid, _ in ordered for _, step in expand(recipes, recipes.get(rid))
            for c in step.when):
        notes.append("these are Ubuntu's commands: the distribution was not read (/etc/os-release); on Debian, "
                     "Fedora or RHEL they differ")
    for p in planned:
        if p.applies is False:
            notes.append(f"{p.id} does not fit this machine as written (see `envcheck recipe show {p.id}`)")
    return Plan(
        findings=tuple(f.id for f in findings), recipes=tuple(planned), steps=tuple(steps),
        verify_commands=tuple(v_cmds), verify_expect=tuple(v_expect), deferred=tuple(deferred),
        uncovered=tuple(uncovered), values=tuple(sorted(used.items())), notes=tuple(notes),
    )

