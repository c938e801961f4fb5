"""The nvidia-* wheels uv reports installing: after "Installed 12 packages in 3.1s" it lists each
as `` + nvidia-cublas-cu12==12.4.5.8`` (`` - name==version`` for one it removed, `` ~ `` for one
reinstalled), uv crates/uv/src/commands/pip/operations.rs ``report_changes``, uv 0.1 to 0.9.

Only nvidia-* rows and torch's are read, as the package listing they are (one step below pip
list: it is what that run put in, not what the environment holds now); ``rules/versions`` then sees
two CUDA majors of one library (conflicting_cuda_wheel_packages). torch's row gives its version as
installed (`` + torch==2.5.1``, `` + torch==2.5.1+cu124``): the local label tells the build, and an
unlabelled torch 2.x on Windows is PyPI's CPU-only wheel (``rules/compat.py``). Removed rows are
not installed ones.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import LISTING, Found
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.lazyre import lazy

SOURCE = "uv install summary"

_ROW = lazy(r"^\s*[+~]\s+(?P<name>nvidia[-_][\w.-]+|torch)==(?P<v>\d[\w.+-]*)\s*$", re.IGNORECASE)
_SUMMARY = lazy(r"\b(?:Installed|Prepared|Resolved) \d+ packages? in\b")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING - 5)
    rows = doc.lines_containing(" nvidia-", " nvidia_", " torch==")
    if not rows or not any(_SUMMARY.search(doc.lines[i]) for i in doc.lines_containing(" packages in ", " package in ")):
        return f
    for i in rows:
        m = _ROW.match(doc.lines[i])
        if m:
            name = m.group("name").lower().replace("_", "-")
            f.item("python.packages", name, PythonPackage(name, m.group("v")), i, rank=LISTING - 5)
            if name == "torch":
                f.set("torch.version", m.group("v"), i, rank=LISTING - 5)
                f.set("torch.installed", True, i, rank=LISTING - 5)
    return f
