"""The rules engine: facts (+ knowledge) in, findings out.

A rule is a function ``rule(ctx) -> Iterable[Finding]``, listed in its module's ``RULES``
(``registry.RULES`` joins them). Rules only read facts and knowledge tables; they never touch the machine and never
print. A rule that raises is an envcheck bug: the engine records it (the CLI then
exits 3) and the other rules still run, so one bug never hides the whole report.
"""

from __future__ import annotations

import dataclasses
import functools
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..derived.messages import Stated, is_stated
from ..facts import Facts
from ..reading import Reading
from .catalogue import CATALOGUE, SECTIONS
from .finding import Confidence, Evidence, Finding, Severity

RuleFunc = Callable[["RuleContext"], Iterable[Finding]]

@dataclass
class RuleContext:
    """What every rule reads: the facts, the knowledge tables, and what they imply together.

    The derived views are computed once per evaluation (many rules ask for them) and
    only when a rule asks (a snapshot without torch never resolves a torch build)."""

    facts: Facts
    _kb: object = field(default=None, repr=False)

    @property
    def kb(self):
        """The knowledge base (version tables), loaded on first use."""
        if self._kb is None:
            from ..knowledge import load

            self._kb = load()
        return self._kb

    @functools.cached_property
    def torch_view(self):
        """torch's build as the facts and torch's own messages give it (``derived.machine.torch_view``)."""
        from ..derived.machine import torch_view

        return torch_view(self.facts, self.kb, self.stated)

    @functools.cached_property
    def gpus(self):
        """Every GPU with its compute capability filled in from the tables (``derived.machine.gpus``)."""
        from ..derived.machine import gpus

        return gpus(self.facts, self.kb, self.stated)

    @functools.cached_property
    def stated(self) -> Tuple[Stated, ...]:
        """The catalogued upstream messages in the facts' texts (``derived.messages.stated``)."""
        from ..derived.messages import stated

        return stated(self.facts)

    @functools.cached_property
    def advice(self):
        """What ``envcheck advise`` recommends for this machine, so findings and advise agree."""
        from ..advise import advise, target_from_facts

        return advise(target_from_facts(self.facts, self.kb), self.kb)


def evidence(*pairs: Tuple[str, object]) -> List[Tuple[str, object]]:
    """Evidence pairs with Readings shown as their value (or status and why); readings
    nobody took (``unknown``) are left out: they are not evidence of anything.
    ``make`` applies this to its ``evidence`` argument, so rules may pass Readings directly."""
    return _evidence_pairs(pairs)


def _evidence_pairs(pairs: Sequence[Tuple[str, object]]) -> List[Tuple[str, object]]:
    out: List[Tuple[str, object]] = []
    for path, v in pairs:
        if isinstance(v, Reading):
            if not v.known:
                continue
            v = v.value if v.ok else v.describe()
        elif hasattr(v, "source") and hasattr(v, "value") and hasattr(v, "stated"):  # a derived value
            v = v.value
        out.append((path, v))
    return out


def _rests_on_words(pairs: Sequence[Tuple[str, object]]) -> bool:
    """Does any piece of evidence only repeat what a person wrote in a paste?"""
    for _, v in pairs:
        if isinstance(v, Reading) and v.known and is_stated(v):  # "it failed", said by a person, too
            return True
        if getattr(v, "stated", False) is True:
            return True
    return False


def make(
    finding_id: str,
    explanation: str,
    evidence: Sequence[Tuple[str, object]] = (),
    values: Optional[Mapping[str, object]] = None,
    *,
    severity: Optional[Severity] = None,
    gpu: Optional[int] = None,
    title: Optional[str] = None,
    links: Sequence[str] = (),
    recipe: Optional[str] = "",
    confidence: Optional[Confidence] = None,
) -> Finding:
    """Build a finding from its catalogue entry; the id must be catalogued.

    ``values`` fill the recipe's ``{placeholders}`` for this finding (``recipes/values.py``
    lists the names); ``recipe=None`` says no recipe fits this case, "" takes the catalogue's.
    ``confidence`` defaults to confirmed, or likely when a piece of evidence is a value a
    person only stated in a paste; a rule that infers passes ``Confidence.LIKELY``."""
    spec = CATALOGUE[finding_id]
    if values is not None and not isinstance(values, Mapping):
        raise TypeError(f"{finding_id}: values must be a mapping of placeholder names, not {type(values).__name__}")
    return Finding(
        id=finding_id,
        severity=severity or spec.severity,
        section=spec.section,
        title=title or spec.title,
        explanation=explanation,
        evidence=tuple(Evidence(k, _show(v)) for k, v in _evidence_pairs(evidence)),
        recipe=spec.recipe if recipe == "" else recipe,
        values=tuple((k, str(v)) for k, v in (values or {}).items() if v is not None),
        confidence=confidence or (Confidence.LIKELY if _rests_on_words(evidence) else Confidence.CONFIRMED),
        gpu=gpu,
        links=tuple(links),
    )


def _show(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) if v else "(none)"
    return str(v)


@dataclass(frozen=True)
class Evaluation:
    findings: Tuple[Finding, ...]
    failures: Tuple[str, ...]  # "rule_name: error" for rules that raised (envcheck bugs)
    # The advisor's answer when a rule asked for it with the default tables (None otherwise): the
    # report's recipe values need the same answer (``report.model.Report.advice``).
    advice: object = field(default=None, compare=False, repr=False)


def _sort_key(f: Finding):
    sections = list(SECTIONS)
    return (f.severity.rank, sections.index(f.section) if f.section in sections else 99, f.id,
            -1 if f.gpu is None else f.gpu)


def run_rules(facts: Facts, rules: Iterable[RuleFunc], kb: object = None) -> Evaluation:
    ctx = RuleContext(facts, kb)
    findings: List[Finding] = []
    failures: List[str] = []
    for r in rules:
        try:
            for f in r(ctx) or ():
                if f.id not in CATALOGUE:
                    raise KeyError(f"finding id {f.id!r} is not in the catalogue")
                findings.append(f)
        except Exception as exc:  # an envcheck bug: report it, keep going
            last = traceback.extract_tb(exc.__traceback__)[-1]
            failures.append(f"{r.__name__}: {type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})")
    advice = ctx.__dict__.get("advice") if kb is None else None  # (a cached_property: set once asked)
    return Evaluation(tuple(sorted(merge(findings), key=_sort_key)), tuple(failures), advice)


def _join(kept: Finding, other: Finding) -> Finding:
    """``kept`` (the earlier rule's: its explanation and fix) with ``other``'s evidence, its
    certainty (an upstream message confirms an inference) and its severity if worse."""
    evidence = kept.evidence + tuple(e for e in other.evidence if e not in kept.evidence)
    confident = Confidence.CONFIRMED in (kept.confidence, other.confidence)
    return dataclasses.replace(
        kept, evidence=evidence, values=kept.values or other.values,
        confidence=Confidence.CONFIRMED if confident else Confidence.LIKELY,
        severity=min(kept.severity, other.severity, key=lambda s: s.rank))


def merge(findings: Sequence[Finding]) -> List[Finding]:
    """One finding per (id, gpu): rules may say the same thing (a version rule and torch's own
    message; a paste and a live probe). The first rule's finding is kept and the others join
    it; a finding about no GPU in particular joins the same id's findings about one GPU that
    name the same recipe (another recipe is another problem: "CUDA Version: ERR!" beside a GPU's ERR!)."""
    by_key: dict = {}
    for f in findings:
        key = (f.id, f.gpu)
        by_key[key] = _join(by_key[key], f) if key in by_key else f
    for (fid, gpu), f in list(by_key.items()):
        specific = [k for k in by_key if k[0] == fid and k[1] is not None and by_key[k].recipe == f.recipe]
        if gpu is None and specific:
            del by_key[(fid, gpu)]
            for k in specific:
                by_key[k] = _join(by_key[k], f)
    return list(by_key.values())
