"""``envcheck explain``: pasted text → the same Facts the live probes produce → the same rules.

One parser module per kind of input in ``parsers/``, each a pure function
``parse(Pasted) -> Found`` (see ``partial.py``); ``assemble.py`` merges what they found. Nothing here reads the
machine: the facts describe the machine the text came from (``Facts.source == "explain"``).

Decisions on bad input (see ``source.py``): empty, binary or oversized input is a usage
error (exit 2). Readable text in which nothing at all is recognised ("my GPU does not work,
help") is not: it is a report too thin to judge, and gets the verdict ``insufficient``
(exit 5) with what to paste — the same answer as a paste with one fact too few, so whether a
GPU name happened to be recognised does not turn a verdict into a usage error. It is never
"no problems found".

What the doctor hides, explain hides (``envcheck.snapshot``'s rules): secrets in the paste
(secret-named variables, token-shaped values) never reach the facts; with ``redact`` (the
CLI's ``--redact``, and always for Markdown) UUIDs, serials, home directories and the user
names the paste shows (prompts, home paths) become placeholders before the rules run, so
no finding quotes them either.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional, Tuple

from envcheck.errors import EnvcheckError
from envcheck.explain.source import Pasted, normalise

if TYPE_CHECKING:
    from envcheck.facts import Facts

# The readers (``parsers/``, some hundred modules' worth of imports with the rules and renderers
# they lead to) load when a text is explained, not when this package is imported: reading the
# input (``source``) comes first, and an empty, binary or oversized file is refused without them.

NOTHING_RECOGNISED = ("nothing recognised in the text: paste the output of `python -m torch.utils.collect_env`, "
                      "`nvidia-smi`, `pip list`, `nvcc --version`, or the error message itself")  # a progress note


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
    """Facts from pasted text (``recognised`` is empty when nothing in it was); raises
    :class:`EnvcheckError` for envcheck's own JSON, which ``doctor --facts`` reads."""
    from envcheck import __version__, snapshot
    from envcheck.envelope import now
    from envcheck.explain import fix_context, reference_table
    from envcheck.explain.assemble import assemble
    from envcheck.explain.parsers import PARSERS
    from envcheck.explain.two_processes import read_all

    if _envcheck_json(doc):
        # Read as prose it gives nonsense (a "wsl" key reads as a mention of WSL); as facts it is exact.
        raise EnvcheckError("this is envcheck's own JSON (a snapshot or a report), not pasted output: "
                            "diagnose it with `envcheck doctor --facts FILE`")
    with _no_cycle_collection():
        found = reference_table.drop(doc, fix_context.demote(doc, read_all(doc, PARSERS, meanwhile=_after_reading)))
        recognised = tuple(f.source for f in found if f)
        when = collected_at if collected_at is not None else now()
        facts = snapshot.drop_secrets(assemble(found, collected_at=when, envcheck_version=__version__))
    if not recognised:  # said in the report itself (every format), not only as a progress line
        facts = dataclasses.replace(facts, notes=(NOTHING_RECOGNISED,) + tuple(facts.notes))
    return Explanation(facts, recognised)


def _after_reading() -> None:
    """What the diagnosis needs once the readers are done (the rules, the report, the recipes),
    made ready while a large paste's readers run in the other process (two_processes.read_all):
    a fifth of a second of imports and reading that would otherwise wait for the readers.
    A failure here is left to where the same import or read happens for real."""
    try:
        import envcheck.report  # noqa: F401
        import envcheck.rules  # noqa: F401
        from envcheck.recipes.loader import load_all

        load_all()
    except Exception:
        pass


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the parsers and the assembler run: a 4 MiB paste
    makes about a million small objects (claims, readings, tuples), none of them in a cycle,
    and the collector would walk all of them again and again as they pile up (a sixth of the
    time on the benchmark's densest input). Restored as it was, whatever happens.

    On the way out the objects made are moved to the oldest generation (freeze, then unfreeze:
    two list splices) rather than left in the youngest, whose first collection after this would
    walk all of them at once (0.05 s on 4 MiB). A cycle among them is still collected, by the
    next full collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def explain_text(text: str, collected_at: Optional[str] = None) -> Explanation:
    return explain(normalise(text), collected_at)


def redacted(explanation: Explanation, doc: Pasted) -> Explanation:
    """The explanation with identities removed: the doctor's redaction, given the user names
    the paste itself shows (the machine it came from is not this one)."""
    from envcheck import snapshot

    facts = snapshot.redact(explanation.facts, users=snapshot.user_names(doc.text))
    return dataclasses.replace(explanation, facts=facts)


def diagnose(doc: Pasted, collected_at: Optional[str] = None, redact: bool = False):
    """Text → facts → the doctor's rules → (Explanation, :class:`~envcheck.report.Report`).

    This is the whole of ``envcheck explain`` but reading the file and rendering.
    ``redact``: remove UUIDs, serials, user names and home paths first (``--redact``;
    the CLI passes it for ``--markdown`` always, as the doctor does)."""
    from envcheck.explain.resolved import said_over

    explanation = explain(doc, collected_at)
    from envcheck.report import Report  # after the readers: see _after_reading
    from envcheck.rules import evaluate

    if redact:
        explanation = redacted(explanation, doc)
    ev = evaluate(explanation.facts)
    findings = ev.findings
    over = said_over(doc)
    if over:
        findings = tuple(_as_it_was(f, over) for f in findings)
    return explanation, Report("explain", explanation.facts, findings, ev.failures, getattr(ev, "advice", None))


def _as_it_was(finding, over: str):
    """An error in a text that says the problem is over: kept, as a warning that says so."""
    from envcheck.rules.finding import Severity

    if finding.severity is not Severity.ERROR:
        return finding
    return dataclasses.replace(finding, severity=Severity.WARNING,
                               explanation=f"{finding.explanation} The text says the problem is over (“{over}”): "
                                           "this is what it was.")


def __getattr__(name: str):
    """``PARSERS``, imported on first use (see the imports above)."""
    if name == "PARSERS":
        from envcheck.explain.parsers import PARSERS

        return PARSERS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Explanation", "PARSERS", "diagnose", "explain", "explain_text", "redacted", "NOTHING_RECOGNISED"]
