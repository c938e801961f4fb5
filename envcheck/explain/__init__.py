"""``envcheck explain``: pasted text → the same Facts the live probes produce → the same rules.

One parser module per kind of input in ``parsers/``, each a pure function
``parse(Pasted) -> Found`` (see ``partial.py``); ``assemble.py`` merges what they found. Nothing here reads the
machine: the facts describe the machine the text came from (``Facts.source == "explain"``).

Decisions on bad input (see ``source.py``): empty, binary or oversized input is a usage
error (exit 2), and so is text in which nothing at all is recognised — a report saying
"no problems found" about text envcheck could not read would mislead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Tuple

from envcheck import __version__
from envcheck.envelope import now
from envcheck.errors import EnvcheckError
from envcheck.facts import Facts

from .assemble import assemble
from .parsers import PARSERS
from .source import Pasted, normalise

NOTHING_RECOGNISED = ("nothing recognised in the text: paste the output of `python -m torch.utils.collect_env`, "
                      "`nvidia-smi`, `pip list`, `nvcc --version`, or the error message itself")


@dataclass(frozen=True)
class Explanation:
    facts: Facts
    recognised: Tuple[str, ...]  # the kinds of input found, e.g. ("collect_env", "nvidia-smi")


def _envcheck_json(doc: Pasted) -> bool:
    """Is this envcheck's own JSON (a snapshot, or a doctor/explain report)?"""
    text = doc.text.strip()
    if not text.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and (data.get("kind") == "envcheck.facts" or data.get("tool") == "envcheck")


def explain(doc: Pasted, collected_at: Optional[str] = None) -> Explanation:
    """Facts from pasted text; raises :class:`EnvcheckError` when nothing is recognised."""
    if _envcheck_json(doc):
        # Read as prose it gives nonsense (a "wsl" key reads as a mention of WSL); as facts it is exact.
        raise EnvcheckError("this is envcheck's own JSON (a snapshot or a report), not pasted output: "
                            "diagnose it with `envcheck doctor --facts FILE`")
    found = [parse(doc) for parse in PARSERS]
    recognised = tuple(f.source for f in found if f)
    if not recognised:
        raise EnvcheckError(NOTHING_RECOGNISED)
    when = collected_at if collected_at is not None else (
        now())
    return Explanation(assemble(found, collected_at=when, envcheck_version=__version__), recognised)


def explain_text(text: str, collected_at: Optional[str] = None) -> Explanation:
    return explain(normalise(text), collected_at)


def diagnose(doc: Pasted, collected_at: Optional[str] = None):
    """Text → facts → the doctor's rules → (Explanation, :class:`~envcheck.report.Report`).

    This is the whole of ``envcheck explain`` but reading the file and rendering."""
    from envcheck.report import Report
    from envcheck.rules import evaluate

    explanation = explain(doc, collected_at)
    ev = evaluate(explanation.facts)
    return explanation, Report("explain", explanation.facts, ev.findings, ev.failures)


__all__ = ["Explanation", "PARSERS", "diagnose", "explain", "explain_text", "NOTHING_RECOGNISED"]
