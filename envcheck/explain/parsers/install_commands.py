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

import re
import shlex
from typing import List, Optional

from envcheck.knowledge.archs import variant_cuda
from envcheck.reading import Status

from ..partial import INTENT, Found
from ..source import Pasted
from .packages import normalise, wheel_version

SOURCE = "install command"

_PIP = re.compile(r"\b(?:uv\s+)?pip3?(?:\.exe)?\s+install\b(?P<args>.*)$|\bpython3?(?:\.exe)?\s+-m\s+pip\s+install\b(?P<args2>.*)$")
_CONDA = re.compile(r"\b(?:conda|mamba|micromamba)\s+install\b(?P<args>.*)$")
_VARIANT = re.compile(r"download\.pytorch\.org/whl/(?:nightly/|test/)?(?P<variant>cu\d{2,3}|cpu|rocm[\d.]+|xpu)\b")
_REQ = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:(?P<op>===?)(?P<version>\d[\w.+!-]*))?$")
_WHEEL = re.compile(r"\b(torch-\d[\w.%+-]*?-cp\d+-[\w.-]+?\.whl)\b")
_COLLECTING = re.compile(r"^\s*Collecting (?P<name>torch)(?:===?(?P<version>\d[\w.+!-]*))?")


def _tokens(args: str) -> List[str]:
    args = args.split(" #", 1)[0].strip().strip("`")
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


def _pip(f: Found, args: str, i: int) -> None:
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


def _set_variant(f: Found, variant: str, i: int) -> None:
    detail = f"install command asks for the {variant} wheel (line {i + 1})"
    if variant == "cpu":
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build: {detail}")
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
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build: conda install cpuonly (line {i + 1})")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, INTENT)
    for i, line in enumerate(doc.lines):
        m = _PIP.search(line)
        if m:
            _pip(f, m.group("args") or m.group("args2") or "", i)
            continue
        m = _CONDA.search(line)
        if m:
            _conda(f, m.group("args"), i)
            continue
        m = _WHEEL.search(line)
        if m:
            wv = wheel_version(m.group(1))
            if wv:
                f.set("torch.version", wv[1], i, detail=f"wheel {m.group(1)} (line {i + 1})")
                py = re.search(r"-cp(\d)(\d+)-", m.group(1))
                if py:
                    f.set("python.version", f"{py.group(1)}.{py.group(2)}", i,
                          detail=f"wheel {m.group(1)} is for CPython {py.group(1)}.{py.group(2)} (line {i + 1})")
            continue
        m = _COLLECTING.match(line)
        if m and m.group("version"):
            f.set("torch.version", m.group("version"), i, detail=f"pip: Collecting torch=={m.group('version')}")
    return f
