"""Install commands: ``pip install torch==… --index-url …/cu121``, ``-f …/torch_stable.html``,
``conda install pytorch pytorch-cuda=11.8 -c pytorch``, and wheel file names pip prints.

An install command says what was *asked for* (rank ``INTENT``): a package list or
collect_env from the same machine outranks it. PyTorch's wheel indexes are
``https://download.pytorch.org/whl/<variant>`` with variants ``cu118`` … ``cu130``,
``cpu``, ``rocm6.2`` …, under ``nightly/`` and ``test/`` for pre-releases
(https://pytorch.org/get-started/locally/, ../shared/facts/torch_wheel_index.md);
``-f https://download.pytorch.org/whl/torch_stable.html`` was the pre-2.0 flat index, where
the variant is only in the version (``torch==1.7.1+cu110``).
"""

from __future__ import annotations

import functools
import re
import shlex
from typing import Optional, Tuple
from urllib.parse import unquote

from envcheck.derived.messages import PACKAGE_CPU_DETAIL
from envcheck.explain.parsers.packages import normalise, wheel_version
from envcheck.explain.partial import INTENT, PROGRAM, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.knowledge.archs import variant_cuda
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "install command"

_PIP = lazy(r"\b(?:uv\s+)?pip3?(?:\.exe)?\s+install\b(?P<args>.*)$|\bpython3?(?:\.exe)?\s+-m\s+pip\s+install\b(?P<args2>.*)$")
_CONDA = lazy(r"\b(?:conda|mamba|micromamba)\s+install\b(?P<args>.*)$")
_VARIANT = lazy(r"download\.pytorch\.org/whl/(?:nightly/|test/)?(?P<variant>cu\d{2,3}|cpu|rocm[\d.]+|xpu)\b")
_REQ = lazy(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:(?P<op>===?)(?P<version>\d[\w.+!-]*))?$")
# A wheel file name (PEP 427): name-version(-build)?-python-abi-platform.whl. The python tag
# says which CPython installs it, the platform tag which OS and CPU (PEP 425, PEP 600).
_WHEEL = lazy(r"(?<![\w.%+-])(?P<file>(?P<name>[A-Za-z0-9_.]+)-(?P<version>\d[\w.%+!]*)(?:-\d\w*)?"
                    r"-(?P<py>cp\d{2,3})-(?P<abi>[\w]+)-(?P<plat>[\w.]+)\.whl)\b")
_PLATFORMS = ((lazy(r"^win"), "windows"), (lazy(r"^macosx"), "macos"))
_CPYTHON = lazy(r"^cp(\d)(\d+)$")
_ARCHES = ((lazy(r"(?:x86_64|amd64)$"), "x86_64"), (lazy(r"(?:aarch64|arm64)$"), "aarch64"))
# pip's first line when more than PyPI is configured: "Looking in indexes: https://pypi.org/simple, https://…/whl/cu117"
_INDEXES = lazy(r"^\s*Looking in (?:indexes|links):\s*(?P<urls>.+)$")
_MAY_INSTALL = ("install", ".whl", "collecting", "looking in", "create", "using cpython", "is requested")
# The Python a conda environment is made with: "conda create -n env python=3.13".
_CONDA_PYTHON = lazy(r"\b(?:conda|mamba|micromamba)\s+(?:create|install)\b[^\n]{0,300}?\spython\s*==?\s*(3\.\d{1,2})(?![\d.]*\*)\b")
_FETCHED = lazy(r"Collecting torch(?![\w-])|\btorch-\d[\w.%+]*-cp\d|Successfully installed[^\n]*\btorch-\d")
_ADVICE = lazy(r"\b(?:bypass\w*|work\s?around|instead|should|try|recommend\w*|suggest\w*|solution|alternatively)\b",
                     re.IGNORECASE)
_COLLECTING = lazy(r"^\s*Collecting (?P<name>torch)(?:===?(?P<version>\d[\w.+!-]*))?")


# pip's own failure words (pip/_internal/resolution/resolvelib/factory.py) after the command in one
# line: what follows is what pip did not find, not what the command installs.
_PIP_FAILED = lazy(r"\b(?:No matching distribution found|Could not find a version that satisfies|ERROR:)")


@functools.lru_cache(maxsize=1024)  # a long log repeats its install commands; shlex is slow
def _tokens(args: str) -> Tuple[str, ...]:
    # A command retold in a sentence ends with its clause: "when I ran pip install -r requirements.txt, there
    # was a dependency conflict as No matching distribution found for torch==1.13.1+cu117" installs no torch==
    # (the backticks around it are gone by then: explain/source.py's normalise).
    args = _PIP_FAILED.split(args.split(" #", 1)[0], 1)[0].strip().strip("`")
    try:
        tokens = tuple(shlex.split(args))
    except ValueError:
        tokens = tuple(args.split())
    end = next((k for k, t in enumerate(tokens) if t.endswith((",", ";"))), None)
    return tokens if end is None else tokens[:end] + (tokens[end].rstrip(",;"),)


# Signs that the paste comes from Windows: a wheel for it, a drive path, PowerShell's prompt,
# "on Windows 11". WSL runs Linux, so a paste that names it is not Windows here.
_WINDOWS = lazy(r"\bwin_amd64\b|(?<![\w])[A-Z]:\\\w|^PS [A-Z]:\\|\b(?:on|under|using|in)\s+windows\b(?!\s*subsystem)"
                      r"|\bwindows\s*1[01]\b", re.IGNORECASE)
_INDEX_FLAGS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links")


# pip's refusal (pip/_internal/resolution): the command installed no torch at all.
_NO_TORCH = lazy(r"(?:No matching distribution found for|Could not find a version that satisfies the requirement)"
                       r"\s+torch\b(?![\w-])", re.IGNORECASE)


# A Windows Python seen at work: its packages on a drive path ("C:\\…\\site-packages\\torch\\…"
# in a traceback, "…\\venv\\Scripts\\python.exe"), or PowerShell's / cmd's prompt before a
# command. A Linux container or WSL run from that shell is not this Python: those texts are left.
_WINDOWS_PYTHON = lazy(r"(?<![\w])[A-Za-z]:\\[^\s\"'<>|]*?\\(?:site-packages|Scripts|python_embeded)\\"
                             r"|^\s*PS [A-Z]:\\[^>]*>\s*\w|^\s*(?:\([\w.-]+\)\s*)?[A-Z]:\\[^>\n]*>\s*(?:pip|python|conda)\b",
                             re.IGNORECASE)


def _windows_python(f: Found, doc: Pasted) -> None:
    if doc.lines_containing("wsl", "docker", "podman", "container"):
        return
    for i in doc.lines_containing(":\\"):
        if _WINDOWS_PYTHON.search(doc.lines[i]):
            f.set("host.os_id", "windows", i, rank=PROGRAM,
                  detail=f"a Windows Python's path or prompt (line {i + 1})")
            return


def _on_windows(doc: Pasted) -> bool:
    """Windows, and pip did not refuse torch (then nothing was installed to judge)."""
    if doc.lines_containing("wsl", "windows subsystem"):
        return False
    if any(_NO_TORCH.search(doc.lines[i]) for i in doc.lines_containing("torch")):
        return False
    return any(_WINDOWS.search(doc.lines[i]) for i in doc.lines_containing("win", ":\\", "ps "))


def _pip(f: Found, args: str, i: int, windows: bool = False) -> None:
    tokens = _tokens(args)
    torch_version: Optional[str] = None
    wants_torch = False
    for tok in tokens:
        if tok.startswith("-"):
            continue
        m = _REQ.match(tok.strip("'\""))
        if m and normalise(m.group("name")) == "torch":
            wants_torch = True
            torch_version = m.group("version")
    if not wants_torch:
        return
    variant = _VARIANT.search(args)
    if torch_version:
        f.set("torch.version", torch_version, i, detail=f"from the install command on line {i + 1}")
        suffix = re.search(r"\+(cu\d+|cpu)$", torch_version)
        if suffix and not variant:
            variant_name = suffix.group(1)
        else:
            variant_name = variant.group("variant") if variant else None
    else:
        variant_name = variant.group("variant") if variant else None
    if variant_name:
        _set_variant(f, variant_name, i)
    elif windows and not any(t.split("=", 1)[0] in _INDEX_FLAGS for t in tokens) and "+" not in (torch_version or ""):
        # PyPI's torch for Windows has no CUDA: a plain `pip install torch` there gets the
        # CPU build (pytorch.org's own wheels need its index). What pip then fetched, if
        # shown, outranks this intent.
        f.fail("torch.cuda_build", Status.NOT_FOUND, i,
               detail=f"{STATED_DETAIL}: {PACKAGE_CPU_DETAIL.lower()}: `pip install torch` from PyPI on Windows "
                      f"(line {i + 1}), whose torch for Windows has no CUDA")


def _set_variant(f: Found, variant: str, i: int) -> None:
    detail = f"install command asks for the {variant} wheel (line {i + 1})"
    if variant == "cpu":
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"{PACKAGE_CPU_DETAIL}: {detail}")
    elif variant_cuda(variant):
        f.set("torch.cuda_build", variant_cuda(variant), i, detail=detail)


def _conda(f: Found, args: str, i: int) -> None:
    tokens = [t.strip("'\"") for t in _tokens(args)]
    names = {}
    skip = False
    for t in tokens:
        if skip or t.startswith("-"):
            # "-c pytorch" names a channel, not the package; likewise -n/-p take a value
            skip = t in ("-c", "--channel", "-n", "--name", "-p", "--prefix")
            continue
        names[re.split(r"[=<>]", t, maxsplit=1)[0]] = t
    if "pytorch" not in names and "torch" not in names:
        return
    spec = names.get("pytorch") or names.get("torch")
    m = re.match(r"^\w+={1,2}(\d[\w.]*)", spec or "")
    if m:
        f.set("torch.version", m.group(1), i, detail=f"from the conda install command on line {i + 1}")
    for key in ("pytorch-cuda", "cudatoolkit"):
        if key in names:
            vm = re.match(rf"^{key}=+(\d+\.\d+)", names[key])
            if vm:
                f.set("torch.cuda_build", vm.group(1), i, detail=f"conda install {names[key]} (line {i + 1})")
    if "cpuonly" in names:
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"{PACKAGE_CPU_DETAIL}: conda install cpuonly (line {i + 1})")


def _wheel(f: Found, m: re.Match, i: int) -> None:
    """Any wheel pip names tells the machine's CPython, OS and CPU; torch's, its version."""
    file = unquote(m.group("file"))
    detail = f"wheel {file} (line {i + 1})"
    version, python, os_ids, arches = _wheel_says(m.group("name"), file, m.group("py"), m.group("plat"))
    if version:
        f.set("torch.version", version, i, detail=detail)
        local = re.search(r"\+(cu\d{2,3})$", version)
        if local and variant_cuda(local.group(1)):  # what pip fetched outranks the command's intent
            f.set("torch.cuda_build", variant_cuda(local.group(1)), i, detail=detail)
        if "+" not in version and os_ids:
            # No local version on Windows or macOS: PyPI's torch, whose wheels for those
            # platforms carry no CUDA (pytorch.org names its builds "+cu121", "+cpu"). On
            # Linux PyPI's torch is a CUDA build, which the version tables resolve.
            f.fail("torch.cuda_build", Status.NOT_FOUND, i,
                   detail=f"{PACKAGE_CPU_DETAIL}: {detail}, PyPI's torch for {os_ids[0]} has no CUDA")
    if python:
        f.set("python.version", python, i, detail=f"{detail}: for CPython {python}")
    plat = m.group("plat")
    for os_id in os_ids:
        f.set("host.os_id", os_id, i, detail=f"{detail}: platform {plat}")
    for arch in arches:
        f.set("host.arch", arch, i, detail=f"{detail}: platform {plat}")


@functools.lru_cache(maxsize=1024)  # a long pip log names the same wheels again and again
def _wheel_says(name: str, file: str, py: str, plat: str) -> Tuple[Optional[str], Optional[str], Tuple[str, ...],
                                                                    Tuple[str, ...]]:
    """(torch's version, CPython "3.10", OS ids, CPUs) a wheel's file name tells."""
    wv = wheel_version(file) if normalise(name) == "torch" else None
    m = _CPYTHON.match(py)
    return (wv[1] if wv else None, f"{m.group(1)}.{m.group(2)}" if m else None,
            tuple(os_id for pattern, os_id in _PLATFORMS if pattern.search(plat)),
            tuple(arch for pattern, arch in _ARCHES if pattern.search(plat)))


def _offered(doc: Pasted, i: int) -> bool:
    """Is the command on line ``i`` offered as a way out ("It can be bypassed with", "you
    should run", "instead, use") rather than shown as what was run? Then it says nothing
    about the machine the report is about. (Each line's search once per distinct line: Pasted.search.)"""
    lines = doc.lines
    if doc.search(_ADVICE, lines[i]):
        return True
    for j in range(i - 1, max(-1, i - 3), -1):
        if lines[j].strip():
            return bool(doc.search(_ADVICE, lines[j]))
    return False


# uv names the interpreter a project or venv command runs with: "Using CPython 3.13.1",
# "Using CPython 3.12.3 interpreter at: /usr/bin/python3.12" (uv crates/uv/src/commands
# project/mod.rs and venv.rs, "Using {implementation} {version}"; uv 0.4 to 0.9).
# conda's libmamba solver names the Python asked for in its problem tree: "├─ python 3.13**  is
# requested and can be installed;", "python =3.10.16 * is requested" (conda-libmamba-solver /
# mamba problems_graph; conda 23.10+, mamba 1.x-2.x).
_SOLVER_PYTHON = lazy(r"(?:^|[─\s])python\s+=?=?(3\.\d{1,2})(?:\.\d+)?\s?\*{0,2}\s+is (?:requested and can be installed|installable)")
_UV_PYTHON = lazy(r"^\s*Using CPython (\d+\.\d+\.\d+)(?:[a-z]+\d*)?(?:\s+interpreter at:\s+\S+)?\s*$")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, INTENT)
    lines, search = doc.lines, doc.search
    # pip looked in an index: that names torch's variant only if pip then got torch.
    torch_fetched = bool(_FETCHED.search(doc.text))
    windows = None
    # Lines none of the patterns below found anything on: a long log repeats them, and the
    # patterns read the line alone.
    idle = set()
    for i in doc.lines_containing(*_MAY_INSTALL):
        line = lines[i]
        if line in idle:
            continue
        m = search(_PIP, line)
        if m:
            if not _offered(doc, i):
                if windows is None:
                    windows = _on_windows(doc)
                _pip(f, m.group("args") or m.group("args2") or "", i, windows)
            continue
        py = search(_CONDA_PYTHON, line) if "python" in line else None
        if py and not _offered(doc, i):
            f.set("python.version", py.group(1), i, detail=f"the conda environment's Python (line {i + 1})")
        m = search(_CONDA, line)
        if m:
            if not _offered(doc, i):
                _conda(f, m.group("args"), i)
            continue
        m = search(_WHEEL, line) if ".whl" in line else None
        if m:
            # A wheel pip refused ("is not a supported wheel on this platform") is for another
            # Python or platform than this one: it says what the machine is not.
            if "is not a supported wheel" not in line:
                _wheel(f, m, i)
            continue
        m = _INDEXES.match(line)
        if m:
            variant = _VARIANT.search(m.group("urls"))
            if variant and torch_fetched:
                _set_variant(f, variant.group("variant"), i)
            continue
        m = _COLLECTING.match(line)
        if m and m.group("version"):
            f.set("torch.version", m.group("version"), i, detail=f"pip: Collecting torch=={m.group('version')}")
            continue
        m = _UV_PYTHON.match(line) if "Using " in line else None
        if m:
            f.set("python.version", m.group(1), i, rank=PROGRAM, detail=f"uv: Using CPython {m.group(1)} (line {i + 1})")
            continue
        m = _SOLVER_PYTHON.search(line) if "is requested" in line or "is installable" in line else None
        if m:
            f.set("python.version", m.group(1), i, detail=f"conda's solver: python {m.group(1)} is requested (line {i + 1})")
        elif py is None:
            idle.add(line)
    _windows_python(f, doc)
    return f
