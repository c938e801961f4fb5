"""The verdict on a diagnosis, said honestly.

* ``error`` / ``warning``: findings say what is wrong.
* ``unexplained``: the text holds an error or warning upstream printed that no finding
  accounts for. Each such message is quoted with its likeliest causes (the findings the
  message catalogue says it points at, ranked by the evidence for and against each) and
  exactly what to paste next to tell them apart.
* ``insufficient``: in place of "ok" when a pasted text is too thin to judge (no GPU, no
  driver, or a torch without its build): the missing facts, each with the command that
  shows it. A live probe or its snapshot looked at everything, so what it lacks is a
  status (not readable, not there), not a gap in the text: it is never insufficient.
* ``ok``: no error in the text, enough facts to say so, and no sentence saying that something
  fails (``explain/parsers/complaint.py``): a person's "it crashes" with no message and no
  finding is ``insufficient``, asking for the error itself.

Order: error > unexplained > warning > insufficient > ok: a warning is a concrete thing
to act on; "insufficient" only refuses to say "no problems found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from envcheck.derived.machine import said_failing
from envcheck.derived.messages import Stated, stated
from envcheck.facts import Facts
from envcheck.rules.catalogue import CATALOGUE
from envcheck.rules.finding import Finding, Severity
from envcheck.rules.needs import (
    BUILD,
    DRIVER,
    ERROR,
    FULL_REPORT,
    GPU,
    View,
    checkable,
    has_build,
    has_driver,
    has_gpu,
    needs_of,
)

VERDICTS = ("error", "unexplained", "insufficient", "warning", "ok")


@dataclass(frozen=True)
class Cause:
    finding: str
    title: str
    support: Tuple[str, ...]  # evidence for: the messages pointing at it
    against: Tuple[str, ...]  # evidence against
    unchecked: Tuple[str, ...]  # facts it needs that the text lacks
    paste: Tuple[str, ...]  # commands that show them
    score: int


@dataclass(frozen=True)
class Unexplained:
    text: str  # the message as printed
    source: str  # the fact it is in (torch.errors, ...)
    message: Optional[str]  # its catalogue id (None: an error line the catalogue does not know)
    note: str  # what the catalogue says about it
    causes: Tuple[Cause, ...]


@dataclass(frozen=True)
class Judgement:
    verdict: str
    unexplained: Tuple[Unexplained, ...] = ()
    missing: Tuple[Tuple[str, str], ...] = ()  # (what, the command that shows it)
    paste_next: Tuple[str, ...] = ()


# What the program printed this time. Kernel-log lines (refused modules, Xid) are history
# that their own rules weigh (a refusal before a later successful load is no error now).
_PRINTED = ("torch.errors", "torch.warnings", "torch.import_error", "nvml.init", "torch.cuda_available",
            "torch.installed")


def _texts(found: Sequence[Stated], facts: Facts):
    """The messages to account for: each catalogued match (a wrapper such as "CUDA error: X"
    folded into the match it wraps), and error lines the catalogue does not know."""
    out: List[Tuple[Optional[Stated], str, str]] = []
    in_text: Dict[str, List[Stated]] = {}  # a wrapper and what it wraps are in one text (a long log's are hundreds)
    for s in found:
        in_text.setdefault(s.text, []).append(s)
    for s in found:
        if s.source not in _PRINTED:
            continue
        a, b = s.match.start, s.match.end
        if s.message.kind not in ("error", "warning") or any(
                o is not s and o.match.start >= a and o.match.end <= b and (o.match.start, o.match.end) != (a, b)
                for o in in_text[s.text]):
            continue
        out.append((s, s.match.text, s.source))
    matched = {s.text for s in found}
    for text in facts.torch.errors.get(()) or ():
        if text not in matched:
            out.append((None, text, "torch.errors"))
    return out


def _accounted(s: Optional[Stated], text: str, findings: Sequence[Finding], reported: Set[str], evidence: str) -> bool:
    """Does a finding account for the message? Its id is one the message supports, or the message
    (its first 80 characters) is in a finding's evidence; an error line the catalogue does not
    know: any finding above INFO. ``evidence``: every evidence value, each ended by a NUL, so that
    one search stands for a search of each (a long log has hundreds of messages to account for)."""
    if s is not None:
        if not reported.isdisjoint(s.message.findings()):
            return True
        quoted = text.strip()[:80]
        if "\0" in quoted:  # could match across two values: each searched alone
            return any(quoted in e.value for f in findings for e in f.evidence)
        return bool(evidence) and quoted in evidence
    return any(f.severity is not Severity.INFO for f in findings)


def _cause(fid: str, found: Sequence[Stated], view: View) -> Cause:
    support = tuple(dict.fromkeys(
        f"{s.message.origin.project}: “{' '.join(s.match.text.split())[:120]}” ({st})"
        for s in found for st in ("decisive", "probable", "supporting") if s.supports(fid, st)))
    needs = needs_of(fid)
    missing = [n for n in needs if not n.known(view)]
    against: Tuple[str, ...] = ()
    if checkable(fid, view):
        against = (f"{', '.join(n.what for n in needs)} {'is' if len(needs) == 1 else 'are'} in the text, and "
                   f"{fid}'s check does not fire on them",)
    score = sum(3 if s.supports(fid, "decisive") else 1 for s in found if s.supports(fid)) - (10 if against else 0)
    return Cause(fid, CATALOGUE[fid].title, support, against, tuple(n.what for n in missing),
                 tuple(dict.fromkeys(n.command for n in missing)), score)


def _unexplained(found: Sequence[Stated], facts: Facts, findings: Sequence[Finding], view: View):
    out = []
    causes_of: Dict[str, Cause] = {}  # a finding's cause is the same for every message naming it
    reported = {f.id for f in findings}
    evidence = "".join(f"{e.value}\0" for f in findings for e in f.evidence)
    for s, text, source in _texts(found, facts):
        if _accounted(s, text, findings, reported, evidence):
            continue
        ids = s.message.findings() if s else ()
        for fid in ids:
            if fid not in causes_of:
                causes_of[fid] = _cause(fid, found, view)
        causes = sorted((causes_of[fid] for fid in ids), key=lambda c: -c.score)
        note = (s.message.note or s.message.summary) if s else "an error the message catalogue does not know"
        out.append(Unexplained(" ".join(text.split())[:400], source, s.id if s else None, note, tuple(causes[:4])))
    return out


def _missing(view: View) -> List[Tuple[str, str]]:
    """The basic facts a verdict needs and a pasted text lacks."""
    f = view.facts
    out: List[Tuple[str, str]] = []
    if f.source != "explain":
        return out
    if not has_gpu(view):
        out.append((GPU.what, GPU.command))
    if f.has_nvidia_gpu is not False and not has_driver(view):
        out.append((DRIVER.what, DRIVER.command))
    torch_named = f.torch.installed.ok or f.torch.version.known or f.python.package("torch") is not None
    if torch_named and f.torch.installed.value is not False and not has_build(view):
        out.append((BUILD.what, BUILD.command))
    split = [p for p in f.disagreements if p in _DECISIVE_FACTS]
    if split:
        # Two environments in one paste (a working one and the broken one): "no problems"
        # would describe whichever the readers ranked first.
        out.append((f"one environment at a time: the text shows two different values of {', '.join(split)}",
                    FULL_REPORT + "   (in the environment that fails)"))
    if len(out) == 2 and not _printed(f) and not torch_named:
        # Nothing about the machine and no message at all (a question in prose, or text
        # nothing recognised in): the whole basic report, and the error itself.
        out += [(BUILD.what, BUILD.command), ERROR]
    return out


# Facts whose two values in one text mean two different setups, not a typo.
_DECISIVE_FACTS = ("torch.cuda_available", "torch.cuda_build", "nvml.driver_version", "nvml.cuda_driver_version")


def _printed(f: Facts) -> bool:
    """Did the text hold any message a program printed (an error, a warning, a failed import)?"""
    t = f.torch
    return bool(t.errors.get(()) or t.warnings.get(()) or t.import_error.known or f.nvml.init.known)


def judge(facts: Facts, findings: Sequence[Finding], found: Optional[Tuple[Stated, ...]] = None) -> Judgement:
    found = stated(facts) if found is None else found
    view = View(facts, found)
    unexplained = _unexplained(found, facts, findings, view)
    missing = _missing(view)
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        verdict = "error"
    elif unexplained:
        verdict = "unexplained"
    elif Severity.WARNING in severities:
        verdict = "warning"
    else:
        said = said_failing(facts)
        if said is not None and not any(cmd == ERROR[1] for _, cmd in missing):
            # The person says it fails and nothing here says why: never "no problems found".
            missing.append((f"the error behind {said}, whole (the traceback or the command's "
                            "output, not a summary)", ERROR[1]))
        verdict = "insufficient" if missing else "ok"
    paste = [c for u in unexplained for cause in u.causes[:2] for c in cause.paste]
    paste += [cmd for _, cmd in missing if cmd != ERROR[1]] if verdict == "insufficient" else []
    if unexplained or verdict == "insufficient":
        paste.append(FULL_REPORT + "   (run on that machine: everything above in one report)")
    return Judgement(verdict, tuple(unexplained), tuple(missing), tuple(dict.fromkeys(paste)))
