"""Does PyTorch exist for this Python: the installed build's wheels, and what pip says when
it finds no torch to install.

pip's own words decide where they name torch ("Package 'torch' requires a different
Python: 3.13.0 not in '>=3.8,<3.13'"; the pinned version among "Ignored the following
versions that require a different python version"; a torch wheel for another CPython
"is not a supported wheel on this platform"); "(from versions: none)" alone points there
as likely (a 32-bit Python or an unsupported platform print it too).
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from envcheck.derived.machine import python_version
from envcheck.derived.messages import STATED_DETAIL, Stated
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import advised, quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.wheel_gap import never_built, none_for_torch

_TORCH_REQ = re.compile(r"torch(?:vision|audio)?(?:$|[=<>!~\[;])")
_WHEEL_PY = re.compile(r"^(?P<pkg>torch(?:vision|audio)?)-[^-]+-cp(?P<major>\d)(?P<minor>\d{1,2})-")


def _requested_torch(ctx: RuleContext):
    """The torch build pip was asked for and could not find ("No matching distribution
    found for torch==1.9.1+cu111"): (build, requirement, the message)."""
    for s in ctx.stated:
        req = str(s.fact("pip.requirement") or "")
        # pip's "torch==1.9.1+cu111"; Poetry's "torch (1.13.1)" (the locked release)
        m = re.match(r"torch(?:==|\s*\()([\w.+]+)\)?$", req)
        if m:
            build = ctx.kb.resolve_torch(m.group(1))
            if build is not None and build.release is not None:
                return build, req, s
    return None


def _no_torch_at_all(ctx: RuleContext):
    """pip found no torch file at all for this Python and platform ("Could not find a version
    that satisfies the requirement torch (from versions: none)", or its closing line alone)."""
    for s in ctx.stated:
        req = str(s.fact("pip.requirement") or "")
        if not _TORCH_REQ.match(req):
            continue
        if s.id == "pip_no_matching_version" and str(s.fact("pip.available_versions") or "none").strip() != "none":
            continue  # some versions exist: a pin or an index problem, read by _requested_torch
        if s.id in ("pip_no_matching_version", "pip_no_matching_distribution"):
            return s
    return None


def _windows_32bit(ctx: RuleContext) -> Iterator[Finding]:
    """pip or conda found no torch at all, and the text shows a 32-bit CPython on Windows (its
    banner's "32 bit (Intel)", the installer's "Python38-32" folder, conda's win-32 channels):
    PyTorch has no wheels or packages for it."""
    bits = next((s for s in ctx.stated if s.id in ("python_windows_32bit", "conda_channel_win32")), None)
    said = None
    if bits is not None:  # conda's own "not available from current channels" counts beside its win-32 subdir
        said = _no_torch_at_all(ctx) or next((s for s in ctx.stated if s.id == "conda_torch_packages_not_found"), None)
    if said is None:
        return
    yield make("python_unsupported_by_torch",
               f"{'conda' if said.id.startswith('conda') else 'pip'} found no PyTorch package for this Python, and it "
               "is a 32-bit CPython on Windows: PyTorch publishes 64-bit wheels only. Install the 64-bit Python "
               "(python.org's \"Windows installer (64-bit)\", or a 64-bit Miniconda) and install torch there.",
               [quote(bits), quote(said)], confidence=Confidence.LIKELY)


def python_unsupported_by_torch(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    py = python_version(ctx.facts)
    found = list(_windows_32bit(ctx))
    if found:
        yield from found
        return
    if py is None:
        found = none_for_torch(ctx)
        said = _no_torch_at_all(ctx) if _requested_torch(ctx) is None else None
        if found is not None and not never_built(ctx, found[1]) \
                and not any(s.id == "pip_connection_retry" for s in ctx.stated):
            # not one torch file, pinned or not (a pin changes nothing when none fits at all)
            said = found[0]
        if said is not None:
            newest = ctx.kb.releases[0] if ctx.kb.releases else None  # newest first
            span = f" (the newest release in envcheck's tables, {newest.version}, has wheels for Python " \
                   f"{newest.python[0]} to {newest.python[-1]})" if newest and newest.python else ""
            yield make("python_unsupported_by_torch",
                       "pip found no PyTorch file at all for this Python and platform. The usual cause is a Python "
                       f"that PyTorch has no wheels for{span}: a newer one than its releases support, an old one, "
                       "or a 32-bit Python; the Python version is not in the text (`python --version`).",
                       [said if isinstance(said, tuple) else quote(said)], confidence=Confidence.LIKELY)
        return
    if tv is not None and tv.build is not None and tv.build.release is not None:
        rel, basis = tv.build.release, [(tv.version.source, tv.version)]
    else:  # pip could not find the pinned torch: it has no wheel for this Python
        requested = _requested_torch(ctx)
        said = _no_torch_at_all(ctx) if requested is None else None
        newest = ctx.kb.releases[0] if said is not None and ctx.kb.releases else None
        if newest is not None and newest.python and ver(py) > ver(newest.python[-1]):
            # No torch file at all, and this Python is newer than every release supports.
            rel, basis = newest, [quote(said)]
        elif newest is not None and newest.python and py == newest.python[-1]:
            # The newest Python torch supports got its wheels months after that Python came
            # out (3.8 … 3.13 each did): pip finding no torch at all for exactly that Python
            # most likely predates its wheels (any older one has some release to install).
            yield make("python_unsupported_by_torch",
                       f"pip found no PyTorch file at all for Python {py}. PyTorch's wheels for the newest Python "
                       f"come months after that Python's release (the newest release, "
                       f"{newest.version}, has wheels for Python {newest.python[0]} to {newest.python[-1]}): "
                       f"at the time of this report there was most likely no torch for Python {py}. Use a Python "
                       f"with wheels (e.g. uv venv --python {newest.python[-2] if len(newest.python) > 1 else py}), "
                       "or upgrade pip and retry with the newest PyTorch.",
                       [("python.version", ctx.facts.python.version), quote(said)], confidence=Confidence.LIKELY)
            return
        elif requested is None:
            return
        else:
            rel, basis = requested[0].release, [quote(requested[2])]
    if py in rel.python:
        return
    yield make("python_unsupported_by_torch",
               f"PyTorch {rel.version} has wheels for Python {', '.join(rel.python)}, not {py}: install a release "
               f"that has them, or use a Python PyTorch {rel.version} supports (e.g. uv venv --python "
               f"{rel.python[-1]})." + advised(ctx),
               [("python.version", ctx.facts.python.version)] + basis)


def _pinned(ctx: RuleContext) -> Optional[str]:
    """The torch version pip was asked for and did not find ("torch==2.0.1")."""
    for s in ctx.stated:
        m = re.match(r"torch==([\w.+]+)$", str(s.fact("pip.requirement") or ""))
        if m:
            return m.group(1)
    return None


def _pip_names_python(ctx: RuleContext) -> Optional[Stated]:
    """A pip message saying the torch asked for needs another Python."""
    pinned = _pinned(ctx)
    for s in ctx.stated:
        if s.id == "uv_python_unsatisfied" and re.search(r"\btorch\b", str(s.fact("detail") or "")):
            return s  # uv names the package whose releases need another Python
        if s.id != "pip_requires_python":
            continue
        # the legacy resolver names the package before the match ("Package 'torch' requires …")
        if "'torch'" in s.match.text or re.search(r"Package 'torch(?:vision|audio)?' requires a different Python",
                                                  s.text):
            return s
        ignored = str(s.fact("pip.ignored_versions") or "")
        if pinned and re.search(rf"(?:^|;\s*){re.escape(pinned.split('+')[0])} Requires-Python", ignored):
            return s
    return None


def pip_says_another_python(ctx: RuleContext) -> Iterator[Finding]:
    said = _pip_names_python(ctx)
    if said is not None:
        yield make("python_unsupported_by_torch",
                   "pip says the PyTorch asked for requires another Python than this one: it skipped that release "
                   "for its Requires-Python. Use a Python it supports (e.g. uv venv --python 3.12), or a PyTorch "
                   "release that has wheels for this Python." + advised(ctx),
                   [quote(said)] + ([("python.version", ctx.facts.python.version)]
                                    if ctx.facts.python.version.known else []))
        return
    wheel = next((s for s in ctx.stated if s.id == "pip_unsupported_wheel"
                  and _WHEEL_PY.match(str(s.fact("pip.wheel") or ""))), None)
    if wheel is None:
        return
    m = _WHEEL_PY.match(str(wheel.fact("pip.wheel")))
    built_for = f"{m.group('major')}.{m.group('minor')}"
    py = python_version(ctx.facts)
    if py is not None and py == built_for:
        return  # the Python fits: the platform (OS, CPU) is what differs
    yield make("python_unsupported_by_torch",
               f"pip refused {wheel.fact('pip.wheel')}: it is built for CPython {built_for}"
               + (f", and this is Python {py}." if py else
                  ", and this Python is most likely another version (or the wheel is for another OS or CPU; "
                  "`python --version` tells).")
               + f" Download the wheel whose cp tag matches the Python (cp{''.join(py.split('.')) if py else 'XY'}).",
               [quote(wheel)] + ([("python.version", ctx.facts.python.version)] if py else []),
               confidence=None if py else Confidence.LIKELY)


def torch_listed_twice(ctx: RuleContext) -> Iterator[Finding]:
    """Two torch installs for one Python: one listing shows torch at two versions (conda's
    pytorch beside pip's torch, pip list naming torch twice), a package tool's version differs
    from the imported one, torch sits in the user site beside an environment in use, or a
    person says so. An error beside a failure in the same text (the mix is the likeliest
    cause), a warning on its own."""
    listed = ctx.facts.torch.versions_listed
    if not listed.ok or len(listed.value or ()) < 2:
        return
    # a failure shown: an upstream error message, or an exception line (a traceback's last line)
    errors = ctx.facts.torch.errors
    failed = any(s.message.kind == "error" for s in ctx.stated) or bool(errors.ok and errors.value)
    detail = listed.detail or ""
    if detail.startswith(STATED_DETAIL) or any(w in detail for w in ("user site", "import prints", "traceback")):
        what = f"Two torch installs serve one Python ({detail})."
    else:
        what = (f"One package listing shows torch at {len(listed.value)} versions ({', '.join(listed.value)}) in the "
                "same environment: two installs (pip and conda, or two pip installs) have mixed their files.")
    yield make("mixed_torch_installations",
               what + " Uninstall torch with both tools (and from the user site, pip uninstall --user) until none "
               "is left, then install one build.",
               [("torch.versions_listed", listed)], severity=None if failed else Severity.WARNING,
               confidence=Confidence.LIKELY)


def _fits(python: str, specifier: str) -> Optional[bool]:
    """Does ``python`` ("3.13") satisfy a conda range (">=3.12,<3.13.0a0")? None when unreadable."""
    try:
        spec = SpecifierSet(specifier.replace(" ", ""), prereleases=True)
        return spec.contains(python + (".0" if python.count(".") == 1 else ""), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None


def _range(s) -> str:
    """The Python range a solver line asks for; conda-forge's python_abi pin ("3.8") as "==3.8.*"."""
    req = str(s.fact("python.requires") or "")
    return f"=={req}.*" if s.id == "libmamba_torch_requires_python_abi" else req


def conda_solver_says_another_python(ctx: RuleContext) -> Iterator[Finding]:
    """conda's libmamba solver could not install PyTorch: every torch package it lists would
    require a Python range the requested Python is outside of ("pytorch 2.5.1 would require
    └─ python >=3.12,<3.13.0a0, which conflicts …" while "python 3.13** is requested")."""
    said = [s for s in ctx.stated if s.id in ("libmamba_torch_requires_python", "libmamba_torch_requires_python_abi")]
    py = python_version(ctx.facts)
    if not said or py is None:
        return
    py = ".".join(py.split(".")[:2])
    fits = [_fits(py, _range(s)) for s in said]
    if any(f is None or f for f in fits):
        return  # the Python fits one of them: something else conflicts
    ranges = sorted({_range(s) for s in said})
    yield make("python_unsupported_by_torch",
               f"conda found no PyTorch package for Python {py}: each it could use requires Python "
               f"{' or '.join(ranges[:4])}. Create the environment with a Python PyTorch has packages for "
               "(e.g. conda create -n torch python=3.12), or install PyTorch with pip there." + advised(ctx),
               [("python.version", ctx.facts.python.version), quote(said[0])])


RULES = (python_unsupported_by_torch, pip_says_another_python, torch_listed_twice, conda_solver_says_another_python)
