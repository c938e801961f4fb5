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

import functools
import re
from typing import Iterator, List, Optional, Tuple

from envcheck.datafile import read_toml
from envcheck.derived.machine import python_version
from envcheck.derived.messages import is_stated
from envcheck.knowledge import DATA_DIR
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


def _python_of_listing(ctx: RuleContext, listed: List[str], pinned: str) -> Optional[Tuple[str, str]]:
    """(Python, "too new" | "too old") when one Python explains why the pinned release is
    outside what pip listed; None otherwise."""
    pythons = sorted({p for r in ctx.kb.releases for p in r.python}, key=ver)
    os, arch = _os(ctx), _arch(ctx)  # Windows and macOS got some Pythons a release later
    if ver(pinned) < ver(listed[0]):
        fits = [p for p in pythons if (_span(ctx, p, os, arch) or ("", ""))[0] == listed[0]]
        side = "too new"
    elif ver(pinned) > ver(listed[-1]):
        fits = [p for p in pythons if (_span(ctx, p, os, arch) or ("", ""))[1] == listed[-1]]
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


# The detail explain's python_torch_prose parser gives torch.installed when a person says the
# installer found no torch ("pip can't seem to find any version of torch"); tests pin both ends.
NO_TORCH_FOUND = "the installer found no torch for this Python"
# PyPI's torch 0.1.2, 0.1.2.post1, 0.1.2.post2: placeholder source packages from 2017 whose
# setup.py fails. pip lists or fetches them only where no real wheel fits (a 32-bit or a too new
# Python on Windows, before torch was on PyPI for Windows).
_PLACEHOLDER = re.compile(r"^0\.1\.2(?:\.post\d)?$")


@functools.lru_cache(maxsize=1)
def platform_table() -> dict:
    """knowledge/data/torch_platform_python.toml: per-OS exceptions to the releases' Pythons."""
    return read_toml(DATA_DIR / "torch_platform_python.toml")


def _os(ctx: RuleContext) -> Optional[str]:
    """"windows", "macos", "linux" (any other OS id, WSL included) or None."""
    os_id = ctx.facts.host.os_id
    if not os_id.ok or not os_id.value:
        return None
    return os_id.value if os_id.value in ("windows", "macos") else "linux"


def _arch(ctx: RuleContext) -> Optional[str]:
    arch = ctx.facts.host.arch
    if not arch.ok or not arch.value:
        return None
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(str(arch.value).lower(), str(arch.value).lower())


def linux_only(release: str, python: str) -> Tuple[str, ...]:
    """The OSes (windows, macos) where ``release`` had no wheels for ``python`` though Linux had."""
    return next((tuple(g["missing_on"]) for g in platform_table().get("gap", ())
                 if g["release"] == release and g["python"] == python), ())


def _ended(release: str, os: Optional[str], arch: Optional[str]) -> bool:
    """No wheels of ``release`` at all for this OS and CPU (macOS x86-64 after 2.2)."""
    return any(e["os"] == os and e["arch"] == arch and ver(release) > ver(e["last_release"])
               for e in platform_table().get("platform_end", ()))


def _has_wheels(ctx: RuleContext, release, python: str, os: Optional[str], arch: Optional[str]) -> bool:
    return (python in release.python and os not in linux_only(release.version, python)
            and not _ended(release.version, os, arch))


def _span(ctx: RuleContext, python: str, os: Optional[str] = None,
          arch: Optional[str] = None) -> Optional[Tuple[str, str]]:
    """(first, last) release in the tables with wheels for ``python`` (on that OS and CPU)."""
    rels = sorted((r.version for r in ctx.kb.releases if _has_wheels(ctx, r, python, os, arch)), key=ver)
    return (rels[0], rels[-1]) if rels else None


def _listed_none(versions: str) -> bool:
    """pip listed no real torch: "none", or only the 0.1.2 placeholders."""
    listed = [v for v in re.split(r"\s*,\s*", versions.strip()) if v]
    return not listed or listed == ["none"] or all(_PLACEHOLDER.match(v) for v in listed)


def none_for_torch(ctx: RuleContext):
    """The installer found not one torch file for this interpreter and platform: pip's "(from
    versions: none)" (or only the 0.1.2 placeholders listed or fetched), its closing line for an
    unpinned torch alone, or a person saying so. (evidence, the requirement or "")."""
    listed_some = False
    closing = None
    for s in ctx.stated:
        req = str(s.fact("pip.requirement") or "")
        if s.id == "pip_torch_placeholder_sdist":
            return s, ""
        if not re.match(r"torch(?:$|[=<>!~\[;])", req):
            continue
        if s.id == "pip_no_matching_version":
            if _listed_none(str(s.fact("pip.available_versions") or "none")):
                return s, req
            listed_some = True
        elif s.id == "pip_no_matching_distribution" and req == "torch":
            closing = closing or s
    if closing is not None and not listed_some:
        return closing, "torch"
    said = ctx.facts.torch.installed
    if said.ok and said.value is False and is_stated(said) and NO_TORCH_FOUND in str(said.detail):
        return ("torch.installed", said), ""
    return None


def never_built(ctx: RuleContext, req: str) -> bool:
    """A pinned CUDA variant that release was never built for ("torch==1.10.0+cu111" asked of
    an index without it): the index or the pin is wrong, not the Python."""
    pin = _PINNED.match(req)
    if not (pin and pin.group("local")):
        return False
    build = ctx.kb.resolve_torch(req.split("==", 1)[1])
    return build is None or (build.variant is None and not build.is_cpu)


def _quote(said):
    return said if isinstance(said, tuple) else quote(said)


def python_without_any_torch(ctx: RuleContext) -> Iterator[Finding]:
    """No torch file at all, and the Python is in the text. PyPI and download.pytorch.org carry
    torch for every 64-bit CPython of its span on Linux and Windows x86-64, so "none" means
    this interpreter had none: a Python newer than the releases of the day (3.8 … 3.14 each
    waited months for theirs; Windows and macOS for 3.11 and 3.13 a release longer than
    Linux), a 32-bit or ARM Windows build, a free-threaded one. Not read where pip could not
    reach the index (its retry warning), nor for a pinned CUDA variant that was never built
    (the index URL, not the Python)."""
    py = python_version(ctx.facts)
    found = none_for_torch(ctx) if py is not None else None
    if found is None or any(s.id in ("pip_connection_retry", "python_windows_32bit") for s in ctx.stated):
        return
    said, req = found
    if never_built(ctx, req):
        return
    mm = ".".join(py.split(".")[:2])
    os, arch = _os(ctx), _arch(ctx)
    span = _span(ctx, mm, os, arch)
    where = {"windows": " on Windows", "macos": " on macOS"}.get(os or "", "")
    when = (f" In envcheck's tables Python {mm}{where} has wheels from PyTorch {span[0]} to "
            f"{span[1]}: a report from before {span[0]} had none." if span else
            f" No PyTorch release in envcheck's tables has wheels for Python {py}{where}.")
    basis = [("python.version", ctx.facts.python.version), _quote(said)]
    yield make("python_unsupported_by_torch",
               f"{'pip' if req else 'The installer'} found no PyTorch file at all for this Python {py}: PyTorch had "
               "no wheel for this interpreter — a Python newer than the releases of the time (each new Python gets "
               "torch wheels months after its release), or a build PyTorch publishes none for (ARM "
               "Windows, free-threaded)." + when
               + " Use a 64-bit CPython that PyTorch has wheels for (e.g. uv venv --python 3.12).",
               basis, confidence=Confidence.LIKELY)


_REFUSED = ("pip_no_matching_version", "pip_no_matching_distribution", "poetry_no_installation_candidates")


def python_missing_on_this_os(ctx: RuleContext) -> Iterator[Finding]:
    """pip or Poetry refused a pinned torch release whose wheels for this Python existed on
    Linux only (torch 1.13 and Python 3.11, 2.5 and 3.13: knowledge/data/torch_platform_python.toml).
    On Windows or macOS that is the cause; with the OS not in the text it is the likely one
    (on Linux the file exists, so the refusal points elsewhere)."""
    py = python_version(ctx.facts)
    if py is None:
        return
    os = _os(ctx)
    if os == "linux":
        return
    for s in ctx.stated:
        if s.id not in _REFUSED:
            continue
        m = re.match(r"torch(?:==|\s*\()(\d[\w.]*)\)?$", str(s.fact("pip.requirement") or ""))
        build = ctx.kb.resolve_torch(m.group(1)) if m else None
        if build is None or build.release is None:
            continue
        rel = build.release
        missing = linux_only(rel.version, py)
        if py not in rel.python or not missing or (os is not None and os not in missing):
            continue  # another Python: python_env's rules; no gap, or not on this OS
        others = [p for p in rel.python if p != py]
        told = os is None or is_stated(ctx.facts.python.version) or is_stated(ctx.facts.host.os_id)
        on = {"windows": "Windows", "macos": "macOS"}
        yield make("python_unsupported_by_torch",
                   f"PyTorch {rel.version} shipped its Python {py} wheels for Linux only, not for "
                   f"{' or '.join(on[o] for o in missing)}"
                   + (f", and this is {on[os]}" if os else " (the OS is not in the text; on Linux the file exists)")
                   + f": there is no torch {m.group(1)} for this Python here. Use a Python that release has "
                   f"wheels for everywhere ({', '.join(others[-4:])}, e.g. uv venv --python {others[-1]}), or a "
                   "newer PyTorch.",
                   [("python.version", ctx.facts.python.version), quote(s)]
                   + ([("host.os_id", ctx.facts.host.os_id)] if os else []),
                   confidence=Confidence.LIKELY if told else None)
        return


RULES = (python_from_pip_listing, python_without_any_torch, python_missing_on_this_os)
