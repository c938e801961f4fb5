"""Recipes as typed records, parsed from one TOML file each (``recipes/<id>.toml``).

A recipe file has these keys (``*`` = required)::

    id*          = "driver_ubuntu_drivers"       # must equal the file stem
    title*       = "Install the NVIDIA driver with ubuntu-drivers"
    summary*     = "One paragraph: what it fixes and when to use it."
    stage*       = "driver"                      # see STAGES: where it goes in a plan
    after        = ["nouveau_blacklist"]         # recipes that must come first when both are planned
    checked*     = 2026-11-23                    # the date the sources were read

    [applies_when]                               # all optional; omitted = any machine
    ubuntu       = ["22.04", "24.04"]
    gpu_arch     = ["turing", "ampere", ...]     # see hardware.ARCHITECTURES
    container    = false                         # true: only inside one; false: only outside
    wsl2         = false
    facts        = [{ fact = "secure_boot", is = true }]   # see conditions.FACTS

    [[also]]     recipe = "..."  when = [...]  why = "..."   # plan this one too
    [[instead]]  recipe = "..."  when = [...]  why = "..."   # plan that one instead
    [defaults]   name = "value"                 # fallback values for this recipe's placeholders

    [[steps]]                                    # in order; a step is either
    title*, explain*, commands = [...], needs_root*, reboot_after = false,
    at_reboot = "what the user sees during that reboot", instead_of_reboot = false,
    where = "machine" | "host" | "windows", key = "dedupe key", when = [...]
    [[steps]]                                    # ... or the steps of another recipe
    include = "nouveau_blacklist"  when = [...]

    [verify]     commands* = ["envcheck doctor"]  expect* = ["..."]  clears = ["finding_id"]
    [undo]       explain* = "..."  commands = [...]
    [[sources]]  title* = "..."  url* = "https://..."

Commands are exact shell lines (bash), one per entry, with ``{placeholder}`` names
filled in when the recipe is filled for a machine (see ``values.PLACEHOLDERS``); ``${VAR}`` is left to the shell.
Validation problems raise :class:`~envcheck.errors.EnvcheckError` naming file and key.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Tuple

from envcheck.errors import EnvcheckError
from envcheck.recipes.conditions import Condition, parse_conditions

# Plan order. A reboot asked for by a step of a "boot" stage waits until the plan
# leaves the boot stages, so several driver-level recipes share one reboot.
STAGES: Tuple[str, ...] = ("prepare", "driver", "driver_services", "container", "toolkit", "python",
                           "hardware", "full")
BOOT_STAGES = frozenset({"prepare", "driver"})
WHERE = ("machine", "host", "windows")

PLACEHOLDER = re.compile(r"(?<!\$)\{([a-z][a-z0-9_]*)\}")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Link:
    """An ``also`` / ``instead`` edge to another recipe, taken when ``when`` holds."""

    recipe: str
    when: Tuple[Condition, ...] = ()
    why: str = ""


@dataclass(frozen=True)
class Step:
    title: str
    explain: str
    commands: Tuple[str, ...] = ()
    needs_root: bool = False
    reboot_after: bool = False
    at_reboot: str = ""
    instead_of_reboot: bool = False
    where: str = "machine"
    key: Optional[str] = None
    when: Tuple[Condition, ...] = ()
    include: Optional[str] = None  # set for an "include another recipe" entry (other fields unused)


@dataclass(frozen=True)
class AppliesWhen:
    ubuntu: Optional[Tuple[str, ...]] = None
    gpu_arch: Optional[Tuple[str, ...]] = None
    container: Optional[bool] = None
    wsl2: Optional[bool] = None
    facts: Tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Verify:
    commands: Tuple[str, ...]
    expect: Tuple[str, ...]
    clears: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Undo:
    explain: str
    commands: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Recipe:
    id: str
    title: str
    summary: str
    stage: str
    checked: str  # ISO date
    steps: Tuple[Step, ...]
    verify: Verify
    undo: Undo
    sources: Tuple[Source, ...]
    applies_when: AppliesWhen = field(default_factory=AppliesWhen)
    after: Tuple[str, ...] = ()
    also: Tuple[Link, ...] = ()
    instead: Tuple[Link, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    path: str = ""

    @property
    def stage_rank(self) -> int:
        return STAGES.index(self.stage)

    def placeholders(self) -> Tuple[str, ...]:
        """Placeholder names this recipe's own text uses (not those of included recipes)."""
        names: List[str] = []
        for text in self.texts():
            for name in PLACEHOLDER.findall(text):
                if name not in names:
                    names.append(name)
        return tuple(names)

    def texts(self) -> List[str]:
        out: List[str] = []
        for s in self.steps:
            out += [s.title, s.explain, s.at_reboot, *s.commands]
        out += [*self.verify.commands, *self.verify.expect, self.undo.explain, *self.undo.commands]
        return out

    def commands(self) -> List[str]:
        """Every shell line the recipe prints: steps, verification and undo."""
        out = [c for s in self.steps for c in s.commands]
        return out + list(self.verify.commands) + list(self.undo.commands)


# ----------------------------------------------------------------------------- parsing
class _Reader:
    """Typed access to one TOML table, with errors that name the file and key."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        if not isinstance(data, Mapping):
            raise EnvcheckError(f"{where}: expected a table")
        self.data, self.where, self.used = data, where, set()

    def raw(self, key: str, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise EnvcheckError(f"{self.where}: missing required key '{key}'")
            return None
        return self.data[key]

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        v = self.raw(key, required)
        if v is None:
            return default
        if not isinstance(v, str) or (required and not v.strip()):
            raise EnvcheckError(f"{self.where}.{key}: expected a non-empty string")
        return v.strip()

    def flag(self, key: str, required: bool = False, default: Optional[bool] = False) -> Optional[bool]:
        v = self.raw(key, required)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise EnvcheckError(f"{self.where}.{key}: expected true or false")
        return v

    def strings(self, key: str, required: bool = False) -> Optional[Tuple[str, ...]]:
        v = self.raw(key, required)
        if v is None:
            return None
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise EnvcheckError(f"{self.where}.{key}: expected a list of non-empty strings")
        return tuple(x.strip() for x in v)

    def tables(self, key: str) -> List[Mapping[str, Any]]:
        v = self.raw(key, False)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(x, Mapping) for x in v):
            raise EnvcheckError(f"{self.where}.{key}: expected an array of tables ([[{key}]])")
        return v

    def table(self, key: str, required: bool = False) -> Optional[Mapping[str, Any]]:
        v = self.raw(key, required)
        if v is None:
            return None
        if not isinstance(v, Mapping):
            raise EnvcheckError(f"{self.where}.{key}: expected a table ([{key}])")
        return v

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise EnvcheckError(f"{self.where}: unknown key(s) {', '.join(extra)}")


def _commands(r: _Reader, key: str, where: str) -> Tuple[str, ...]:
    cmds = r.strings(key) or ()
    for i, c in enumerate(cmds):
        if "\n" in c:
            raise EnvcheckError(f"{where}.{key}[{i}]: one command per entry (no newlines)")
    return cmds


def _step(data: Mapping[str, Any], where: str) -> Step:
    r = _Reader(data, where)
    when = parse_conditions(r.raw("when", False) or [], f"{where}.when")
    if "include" in data:
        include = r.text("include")
        r.done()
        return Step(title="", explain="", include=include, when=when)
    step = Step(
        title=r.text("title"), explain=r.text("explain"), commands=_commands(r, "commands", where),
        needs_root=bool(r.flag("needs_root", required=True)), reboot_after=bool(r.flag("reboot_after")),
        at_reboot=r.text("at_reboot", required=False), instead_of_reboot=bool(r.flag("instead_of_reboot")),
        where=r.text("where", required=False, default="machine"), key=r.text("key", required=False) or None,
        when=when,
    )
    r.done()
    if step.where not in WHERE:
        raise EnvcheckError(f"{where}.where: {step.where!r} is not one of {', '.join(WHERE)}")
    if step.instead_of_reboot and step.reboot_after:
        raise EnvcheckError(f"{where}: a step cannot both replace a reboot and ask for one")
    return step


def _link(data: Mapping[str, Any], where: str) -> Link:
    r = _Reader(data, where)
    link = Link(recipe=r.text("recipe"), when=parse_conditions(r.raw("when", False) or [], f"{where}.when"),
                why=r.text("why", required=False))
    r.done()
    return link


def _applies(data: Optional[Mapping[str, Any]], where: str) -> AppliesWhen:
    if data is None:
        return AppliesWhen()
    from envcheck.recipes.hardware import ARCHITECTURES

    r = _Reader(data, where)
    aw = AppliesWhen(ubuntu=r.strings("ubuntu"), gpu_arch=r.strings("gpu_arch"),
                     container=r.flag("container", default=None), wsl2=r.flag("wsl2", default=None),
                     facts=parse_conditions(r.raw("facts", False) or [], f"{where}.facts"))
    r.done()
    for arch in aw.gpu_arch or ():
        if arch not in ARCHITECTURES:
            raise EnvcheckError(f"{where}.gpu_arch: unknown architecture {arch!r} "
                                f"(known: {', '.join(ARCHITECTURES)})")
    return aw


def _date(value: Any, where: str) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise EnvcheckError(f"{where}.checked: expected a date such as 2026-11-23")


def parse_recipe(data: Mapping[str, Any], path: str) -> Recipe:
    """One recipe from its TOML table; checks shape only (cross-references: ``loader``)."""
    r = _Reader(data, path)
    rid = r.text("id")
    if not _ID.match(rid):
        raise EnvcheckError(f"{path}.id: {rid!r} is not a snake_case id")
    stage = r.text("stage")
    if stage not in STAGES:
        raise EnvcheckError(f"{path}.stage: {stage!r} is not one of {', '.join(STAGES)}")
    verify_t = _Reader(r.table("verify", required=True) or {}, f"{path}.verify")
    verify = Verify(commands=_commands(verify_t, "commands", f"{path}.verify"),
                    expect=verify_t.strings("expect", required=True) or (),
                    clears=verify_t.strings("clears") or ())
    verify_t.done()
    if not verify.commands or not verify.expect:
        raise EnvcheckError(f"{path}.verify: needs at least one command and one expectation")
    undo_t = _Reader(r.table("undo", required=True) or {}, f"{path}.undo")
    undo = Undo(explain=undo_t.text("explain"), commands=_commands(undo_t, "commands", f"{path}.undo"))
    undo_t.done()
    sources = []
    for i, s in enumerate(r.tables("sources")):
        sr = _Reader(s, f"{path}.sources[{i}]")
        src = Source(title=sr.text("title"), url=sr.text("url"))
        sr.done()
        if not src.url.startswith("https://"):
            raise EnvcheckError(f"{path}.sources[{i}].url: expected an https:// address")
        sources.append(src)
    if not sources:
        raise EnvcheckError(f"{path}: a recipe names at least one source ([[sources]])")
    defaults = r.table("defaults") or {}
    if not all(isinstance(v, str) for v in defaults.values()):
        raise EnvcheckError(f"{path}.defaults: values must be strings")
    recipe = Recipe(
        id=rid, title=r.text("title"), summary=r.text("summary"), stage=stage,
        checked=_date(r.raw("checked", True), path),
        steps=tuple(_step(s, f"{path}.steps[{i}]") for i, s in enumerate(r.tables("steps"))),
        verify=verify, undo=undo, sources=tuple(sources),
        applies_when=_applies(r.table("applies_when"), f"{path}.applies_when"),
        after=r.strings("after") or (),
        also=tuple(_link(x, f"{path}.also[{i}]") for i, x in enumerate(r.tables("also"))),
        instead=tuple(_link(x, f"{path}.instead[{i}]") for i, x in enumerate(r.tables("instead"))),
        defaults=dict(defaults), path=path,
    )
    r.done()
    if not recipe.steps:
        raise EnvcheckError(f"{path}: a recipe has at least one step")
    return recipe
