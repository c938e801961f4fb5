"""The report a diagnosis produces: facts + findings, and the exit code it implies."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from .. import exitcodes
from ..errors import SetupError
from ..facts import Facts
from ..recipes import Plan, load_all, machine_values, remedies, values_for
from ..rules import Finding, Severity
from ..rules.verdict import Judgement, judge


@dataclass(frozen=True)
class Report:
    command: str  # "doctor" | "explain"
    facts: Facts
    findings: Tuple[Finding, ...]
    failures: Tuple[str, ...] = ()  # envcheck's own bugs (a probe or rule that raised)
    # What the advisor answered for these facts when the rules asked (``rules.engine.Evaluation.advice``):
    # the recipes' values are filled from it rather than asking again (None: they ask).
    advice: object = field(default=None, compare=False, repr=False)

    def counts(self) -> Dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    @functools.cached_property
    def judgement(self) -> Judgement:
        """The verdict with what it rests on: unexplained messages, missing facts (``rules.verdict``)."""
        return judge(self.facts, self.findings)

    @property
    def verdict(self) -> str:
        """"error", "unexplained", "insufficient", "warning" or "ok" (info findings do not count)."""
        return self.judgement.verdict

    @functools.cached_property
    def _remedies(self) -> Tuple[Dict[Tuple[str, Optional[int]], Plan], str]:
        named = [f for f in self.findings if f.recipe]
        if not named:
            return {}, ""
        try:
            recipes = load_all()
        except SetupError as exc:  # an installation without its recipes: the findings still name them
            return {}, str(exc)
        values = values_for(self.facts) if self.advice is None else machine_values(self.facts, self.advice, "")
        return remedies(recipes, self.facts, named, values), ""

    def remedy(self, finding: Finding) -> Optional[Plan]:
        """The filled steps of the recipe ``finding`` names (None: it names none, or it is not installed)."""
        return self._remedies[0].get((finding.id, finding.gpu))

    @property
    def recipes_problem(self) -> str:
        """Why no recipe could be read (empty when they were)."""
        return self._remedies[1]

    def exit_code(self, strict: bool = False) -> int:
        if self.failures:
            return exitcodes.FAILED
        if self.verdict in ("error", "unexplained") or (strict and self.verdict == "warning"):
            return exitcodes.PROBLEMS
        if self.verdict == "insufficient":
            return exitcodes.INSUFFICIENT
        return exitcodes.OK


# A cause's evidence for or against, as a person reads it: a long log says the same thing in
# dozens of messages, and the first few make the case (the JSON report lists every one).
SHOWN = 3


def listed(items: Tuple[str, ...]) -> str:
    """``items`` joined with "; ", the first :data:`SHOWN` of them and how many more."""
    more = len(items) - SHOWN
    return "; ".join(items[:SHOWN]) + (f"; and {more} more (the JSON report lists all)" if more > 0 else "")
