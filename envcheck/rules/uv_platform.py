"""uv found no torch file for "the current platform", and the Python is in the text
(``python_unsupported_by_torch``).

uv prints "Distribution `torch==2.5.1 @ registry+https://pypi.org/simple` can't be installed
because it doesn't have a source distribution or wheel for the current platform" (catalogued as
``uv_no_wheel_for_platform``) for two different gaps: the release has no file for this CPython,
or none for this OS / CPU. The torch release tables say which Pythons a release has wheels for,
so the Python the paste shows (uv's own "Using CPython 3.13.1", collect_env, ``python
--version``, a person's "python 3.13") tells them apart:

* a Python the release has no wheels for at all: the Python is the gap;
* the newest Python the release lists: likely the Python too — PyTorch publishes a new Python's
  wheels for Linux first and for Windows / macOS a release later (Python 3.13: Linux wheels in
  2.5, Windows and macOS in 2.6, pytorch/pytorch#130249), and uv on Linux would have found them;
* an older Python the release has everywhere: the platform (macOS x86-64 after 2.2, ARM
  Windows), not this finding.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.machine import python_version
from envcheck.rules.compat import advised, quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_TORCH_PIN = re.compile(r"torch==(?P<version>[\w.+!]+)$")


def uv_no_torch_for_this_python(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == "uv_no_wheel_for_platform"
                 and _TORCH_PIN.match(str(s.fact("pip.requirement") or ""))), None)
    py = python_version(ctx.facts)
    if said is None or py is None:
        return
    py = ".".join(py.split(".")[:2])
    pinned = _TORCH_PIN.match(str(said.fact("pip.requirement"))).group("version")
    build = ctx.kb.resolve_torch(pinned)
    if build is None or build.release is None or not build.release.python:
        return
    rel = build.release
    evidence = [("python.version", ctx.facts.python.version), quote(said)]
    if py not in rel.python:
        yield make("python_unsupported_by_torch",
                   f"uv found no file of torch {pinned} for this machine, and PyTorch {rel.version} has wheels for "
                   f"Python {', '.join(rel.python)}, not {py}. Use a Python it supports (e.g. uv venv --python "
                   f"{rel.python[-1]}), or a PyTorch release that has wheels for Python {py}." + advised(ctx),
                   evidence)
        return
    if any(s.id == "uv_hint_platform_tags" for s in ctx.stated):
        return  # uv's own hint says the OS or CPU is the gap ("You're on Linux …, but … only has wheels for …")
    if py != rel.python[-1]:
        return  # a Python the release has on every platform: the OS or CPU is the gap
    yield make("python_unsupported_by_torch",
               f"uv found no file of torch {pinned} for this machine with Python {py}, the newest Python PyTorch "
               f"{rel.version} supports: PyTorch publishes a new Python's wheels for Linux first and for Windows and "
               f"macOS a release later (Python 3.13: Linux in 2.5, Windows and macOS in 2.6). Use Python "
               f"{rel.python[-2] if len(rel.python) > 1 else py} (uv venv --python "
               f"{rel.python[-2] if len(rel.python) > 1 else py}), or a newer PyTorch." + advised(ctx),
               evidence, confidence=Confidence.LIKELY)


RULES = (uv_no_torch_for_this_python,)
