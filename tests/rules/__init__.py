"""Scenario tests for the issue-2 rules (machine health, OS, torch probe)."""

from __future__ import annotations

from typing import List, Tuple

from envcheck.facts import Facts
from envcheck.recipes import load_all, remedy, values_for
from envcheck.recipes.remedy import commands, text
from envcheck.rules import CATALOGUE, Finding, RuleContext


def run(rule, facts: Facts) -> List[Finding]:
    """Call one rule directly (no engine sorting or de-duplication) and check its ids."""
    out = list(rule(RuleContext(facts)) or ())
    for f in out:
        assert f.id in CATALOGUE, f.id
        assert f.explanation.strip(), f"{f.id}: empty explanation"
    return out


def one(rule, facts: Facts) -> Finding:
    out = run(rule, facts)
    assert len(out) == 1, [f.id for f in out]
    return out[0]


def fix(f: Finding, facts: Facts) -> Tuple[str, ...]:
    """The commands of the recipe the finding names, filled in for ``facts`` (what the doctor prints)."""
    return commands(remedy(load_all(), facts, f, values_for(facts))) if f.recipe else ()


def fix_text(f: Finding, facts: Facts) -> str:
    """That fix's step titles, explanations and commands as one text."""
    return text(remedy(load_all(), facts, f, values_for(facts))) if f.recipe else ""
