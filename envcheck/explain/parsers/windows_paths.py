"""Windows told by the paths programs print there: pip's "Requirement already satisfied: torch in
c:\\users\\me\\appdata\\local\\programs\\python\\python39\\lib\\site-packages (1.7.1)", a Python traceback's
``File "C:\\Users\\me\\project\\run.py", line 3``, a DLL under ``...\\torch\\lib\\c10.dll``, a venv's
``venv\\Scripts\\python.exe``. A drive letter, a backslash and a folder only Windows' Python layout has
(Users, AppData, site-packages, Scripts, Program Files, PythonNN, a conda root, ``.dll``/``.exe``): the
program ran on Windows (CPython's ``sysconfig`` "nt" scheme puts packages in ``<prefix>\\Lib\\site-packages``
and scripts in ``<prefix>\\Scripts``).

A weak reading, below every OS line a program or a person writes: it only fills the OS where the text
says nothing else. Not read where the text also holds WSL (the Windows host's paths beside a Linux
run), a Linux Python path (two machines, or a container with a host's folder mounted), or where
the path is a ``docker``/``-v`` mount's host side.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "a Windows path"

# A drive letter, then at least two folders, one of them a Windows Python layout's.
_WIN_PATH = lazy(
    r"(?<![\w/])[A-Za-z]:\\(?:[^\\\s\"'<>|*?]+\\)*?(?:users|appdata|site-packages|scripts|program files[^\\]*|python\d{2,3}"
    r"|anaconda3|miniconda3|miniforge3)\\[^\s\"'<>|*?]+", re.IGNORECASE)
# Where a run is not Windows' own: WSL, a Linux Python, a container's mount.
_ELSEWHERE = ("wsl", "microsoft-standard", "/mnt/c/", "/site-packages/", "/dist-packages/", "/usr/lib/python",
              "/home/", "/opt/conda/")
_MOUNT = lazy(r"\bdocker\b|\s-v\s|--volume|--mount", re.IGNORECASE)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED - 1)
    rows = doc.lines_containing(":\\")
    if not rows or doc.lines_containing(*_ELSEWHERE, ignorecase=True):
        return f
    os_set = False
    for i in rows:
        line = doc.lines[i]
        m = _WIN_PATH.search(line)
        if not m or _MOUNT.search(line):
            continue
        if not os_set:
            f.set("host.os_id", "windows", i, detail=f"a Windows path in the text ({m.group()[:80]})")
            os_set = True
        kind = _kind(m.group())
        if kind is not None:
            f.set("python.env_kind", kind, i, detail=f"the Python environment's path ({m.group()[:80]})")
            return f
    return f


# Whose Python a site-packages path is: a conda root or env, a venv, the python.org installer's
# (per user under AppData\Local\Programs\Python, or for all users under Program Files), or pip's
# --user scheme (AppData\Roaming\Python\PythonNN\site-packages).
_CONDA = lazy(r"\\(?:ana|mini)conda3\\|\\miniforge3\\|\\mambaforge\\|\\envs\\", re.IGNORECASE)
_VENV = lazy(r"\\\.?venv\\|\\virtualenvs?\\|\\scripts\\python(?:w)?\.exe\b", re.IGNORECASE)
_USER = lazy(r"\\appdata\\roaming\\python\\", re.IGNORECASE)
_SYSTEM = lazy(r"\\programs\\python\\python\d+\\|\\program files\\python\d+\\|^[a-z]:\\python\d+\\", re.IGNORECASE)


def _kind(path: str) -> str | None:
    if "site-packages" not in path.lower() and not _VENV.search(path):
        return None
    for pattern, kind in ((_CONDA, "conda"), (_VENV, "venv"), (_USER, "user"), (_SYSTEM, "system")):
        if pattern.search(path):
            return kind
    return None
