"""Rules: facts and knowledge tables in, findings out (see ``engine``; every rule is in
``registry.RULES``)."""

from .catalogue import CATALOGUE, SECTIONS, FindingSpec
from .engine import Evaluation, RuleContext, evidence, make, run_rules
from .finding import Evidence, Finding, Severity
from .registry import RULES, evaluate

__all__ = [
    "CATALOGUE", "SECTIONS", "FindingSpec", "Evaluation", "RuleContext", "RULES", "evaluate", "run_rules",
    "evidence", "make", "Evidence", "Finding", "Severity",
]
