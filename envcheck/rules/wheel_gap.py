"""Which Python pip was running, read from the torch releases it could see.

pip's "Could not find a version that satisfies the requirement torch==X (from versions: A, B,
…)" lists the releases that have a file for *this* Python and platform (pip 23.2
resolution/resolvelib/factory.py: ``_report_single_requirement_conflict`` lists the
candidates' versions). PyTorch adds a Python to its wheels at one release and drops it at
another (``knowledge/data/torch_releases.toml``), so the listing's edges tell the Python even
where the paste never prints it: a listing starting exactly at the release that first had
wheels for Python 3.11 (1.13) is a Python 3.11; ending exactly at the last release for
Python 3.8 (2.4) is a Python 3.8. A pinned release outside that span has no wheel for that
Python. Only an edge that one Python explains is read (an index that holds fewer releases,
macOS x86-64 stopping at 2.2, a CUDA variant no longer built: no Python starts or ends
there, so nothing is said), and the finding is likely: the listing is the evidence.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.machine import python_version
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import advised, quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_PINNED = re.compile(r"torch==(?P<version>\d+\.\d+(?:\.\d+)?)(?:\+(?P<local>\w+))?$")


def _listed_releases(ctx: RuleContext, versions: str) -> List[str]:
    """The table's releases ("1.13") of the versions pip listed, oldest first."""
    out = []
    for v in re.split(r"\s*,\s*", versions.strip()):
        rel = ctx.kb.release(v) if ver(v) is not None and not ver(v).is_prerelease else None
        if rel is not None and rel.version not in out:
            out.append(rel.version)
    return sorted(out, key=ver)


def _span(ctx: RuleContext, python: str) -> Optional[Tuple[str, str]]:
    """(first, last) release in the tables with wheels for ``python``."""
    rels = sorted((r.version for r in ctx.kb.releases if python in r.python), key=ver)
    return (rels[0], rels[-1]) if rels else None


def _python_of_listing(ctx: RuleContext, listed: List[str], pinned: str) -> Optional[Tuple[str, str]]:
    """(Python, "too new" | "too old") when one Python explains why the pinned release is
    outside what pip listed; None otherwise."""
    pythons = sorted({p for r in ctx.kb.releases for p in r.python}, key=ver)
    if ver(pinned) < ver(listed[0]):
        fits = [p for p in pythons if (_span(ctx, p) or ("", ""))[0] == listed[0]]
        side = "too new"
    elif ver(pinned) > ver(listed[-1]):
        fits = [p for p in pythons if (_span(ctx, p) or ("", ""))[1] == listed[-1]]
        side = "too old"
    else:
        return None
    return (fits[0], side) if len(fits) == 1 else None


def python_from_pip_listing(ctx: RuleContext) -> Iterator[Finding]:
    if python_version(ctx.facts) is not None:
        return  # the Python is in the text: python_env's rules compare it with the release
    for s in ctx.stated:
        if s.id != "pip_no_matching_version":
            continue
        m = _PINNED.match(str(s.fact("pip.requirement") or ""))
        versions = str(s.fact("pip.available_versions") or "")
        if m is None or versions.strip() in ("", "none"):
            continue
        build = ctx.kb.resolve_torch(m.group(0).split("==", 1)[1])
        if build is None or build.release is None:
            continue  # a release the tables do not know
        if m.group("local") and build.variant is None and not build.is_cpu:
            continue  # a CUDA variant that release was never built for: the index, not the Python
        listed = _listed_releases(ctx, versions)
        said = _python_of_listing(ctx, listed, build.release.version) if listed else None
        if said is None or said[0] in build.release.python:
            continue
        python, side = said
        yield make("python_unsupported_by_torch",
                   f"pip could not find torch {m.group('version')}, and the releases it did list "
                   f"({listed[0]} to {listed[-1]}) are exactly those with wheels for Python {python}: this is most "
                   f"likely Python {python}, which PyTorch {build.release.version} has no wheels for (it supports "
                   f"{', '.join(build.release.python)}). "
                   + ("Use a newer PyTorch, or a Python that release supports (e.g. uv venv --python "
                      f"{build.release.python[-1]})." if side == "too new" else
                      f"Use a newer Python (PyTorch {build.release.version} needs {build.release.python[0]} or newer).")
                   + advised(ctx),
                   [quote(s)], confidence=Confidence.LIKELY)
        return


def _none_for_torch(ctx: RuleContext):
    """pip's "Could not find a version that satisfies the requirement torch… (from versions:
    none)": not one torch file for this interpreter and platform on the indexes it asked."""
    for s in ctx.stated:
        req = str(s.fact("pip.requirement") or "")
        if s.id == "pip_no_matching_version" and re.match(r"torch(?:$|[=<>!~\[;])", req) \
                and str(s.fact("pip.available_versions") or "").strip() == "none":
            return s, req
    return None


def python_without_any_torch(ctx: RuleContext) -> Iterator[Finding]:
    """No torch file at all, and the Python is in the text. PyPI and download.pytorch.org carry
    torch for every 64-bit CPython of its span on Linux and Windows x86-64, so "none" means
    this interpreter had none: a Python newer than the releases of the day (3.8 … 3.14 each
    waited months for theirs), a 32-bit or ARM Windows build, a free-threaded one. Not read
    where pip could not reach the index (its retry warning), nor for a pinned CUDA variant
    that was never built (the index URL, not the Python)."""
    py = python_version(ctx.facts)
    found = _none_for_torch(ctx) if py is not None else None
    if found is None or any(s.id in ("pip_connection_retry", "python_windows_32bit") for s in ctx.stated):
        return
    said, req = found
    pin = _PINNED.match(req)
    if pin and pin.group("local"):
        build = ctx.kb.resolve_torch(req.split("==", 1)[1])
        if build is None or (build.variant is None and not build.is_cpu):
            return
    span = _span(ctx, ".".join(py.split(".")[:2]))
    when = (f" In envcheck's tables Python {'.'.join(py.split('.')[:2])} has wheels from PyTorch {span[0]} to "
            f"{span[1]}: a report from before {span[0]} had none." if span else
            f" No PyTorch release in envcheck's tables has wheels for Python {py}.")
    yield make("python_unsupported_by_torch",
               f"pip found no PyTorch file at all (“from versions: none”) for this Python {py}: PyTorch had no wheel "
               "for this interpreter — a Python newer than the releases of the time (each new Python gets torch "
               "wheels months after its release), or a build PyTorch publishes none for (ARM Windows, "
               "free-threaded)." + when
               + " Use a 64-bit CPython that PyTorch has wheels for (e.g. uv venv --python 3.12).",
               [("python.version", ctx.facts.python.version), quote(said)], confidence=Confidence.LIKELY)


RULES = (python_from_pip_listing, python_without_any_torch)
