"""Installed Python packages: ``pip list``, ``pip freeze``, collect_env's ``[pip3]``/``[conda]``
lines, ``conda list``, ``pip show`` and pip's own "Successfully installed …" lines.

Names are normalised as pip does (PEP 503: lower case, runs of ``-_.`` → ``-``), so
``nvidia_nccl_cu12`` and ``nvidia-nccl-cu12`` are one package. A conda ``pytorch``
package installs the ``torch`` distribution, so it is recorded as ``torch``; its build
string tells the CUDA it was built with (``py3.10_cuda12.1_cudnn8.9.2_0`` on the
pytorch channel, ``cuda120_py311h…`` on conda-forge, ``*cpu*`` for CPU-only builds).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

from envcheck.derived.messages import PACKAGE_CPU_DETAIL
from envcheck.explain.partial import LISTING, PROGRAM, REPORT, Found
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "package list"

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_VERSION = r"\d[\w.!+-]*"
_FREEZE = lazy(rf"^\s*(?:\[(?P<tag>pip3?|conda)\]\s+)?(?P<name>{_NAME})\s*===?\s*(?P<version>{_VERSION})\s*$")
_FREEZE_URL = lazy(rf"^\s*(?:\[pip3?\]\s+)?(?P<name>{_NAME}) @ \S*/(?P<file>[^/\s]+\.whl)\s*$")
# conda list rows may carry a feature in brackets between build and channel: "py3.7_cpu_0  [cpuonly]  pytorch".
_COLUMNS = lazy(rf"^\s*(?:\[(?P<tag>conda|pip3?)\]\s+)?(?P<name>{_NAME})\s+(?P<version>{_VERSION})"
                      rf"(?:\s+(?P<build>[^\s\[]\S*))?(?:\s+\[[\w-]+\])?(?:\s+(?P<channel>\S+))?\s*$")
_PIP_HEADER = lazy(r"^\s*Package\s+Version(\s+.*)?$")
_CONDA_HEADER = lazy(r"^#\s*Name\s+Version\s+Build(\s+Channel)?\s*$")
_INSTALLED = lazy(r"Successfully installed (.+)$")
_SATISFIED = lazy(rf"Requirement already satisfied: (?P<name>{_NAME}) in \S+ \((?P<version>{_VERSION})\)")
_CONDA_BUILD = lazy(r"_\d+$")
# Poetry's installer: "  • Installing torch (2.3.1+cpu)", "  - Updating torch (2.1.0 -> 2.3.1+cu121)"
# (poetry/installation/executor.py); what it put into the environment.
_POETRY_OP = lazy(rf"^\s*[•*-]?\s*(?:Installing|Updating|Downgrading)\s+(?P<name>{_NAME})\s+"
                        rf"\((?:{_VERSION}\s+->\s+)?(?P<version>{_VERSION})\)")
# conda names a package file or spec as name-version-build: a lock file's or pixi's URL
# ("…/linux-64/pytorch-2.4.1-cpu_mkl_py312h…_101.conda"), the solver's plan ("pytorch/linux-64::
# pytorch-2.0.1-py3.10_cpu_0"), conda 4.x's plan ("pytorch:  1.4.0-py3.7_cpu_0") and its download
# table ("pytorch-1.4.0  |  py3.7_cpu_0  27.2 MB"): what conda installs, its build string included.
_CONDA_SPEC = lazy(r"(?:^|[\s/:=\"'])(?P<name>pytorch(?:-nightly)?)-(?P<version>\d[\w.+]*)-(?P<build>[\w.]+?)"
                         r"(?:\.conda|\.tar\.bz2)?(?![\w.])"
                         r"|^\s*(?P<name2>pytorch):\s+(?P<version2>\d[\w.]*)-(?P<build2>[\w.]+)\s"
                         r"|^\s*(?P<name3>pytorch)-(?P<version3>\d[\w.]*)\s*\|\s*(?P<build3>[\w.]+)\s")
# conda env export / conda list --export: "- pytorch=2.0.1=py3.10_cpu_0", "pytorch-mutex=1.0=cpu".
_CONDA_EXPORT = lazy(r"^\s*(?:-\s*)?(?:[\w.-]+::)?(?P<name>pytorch|pytorch-mutex|pytorch-cuda|pytorch-nightly)="
                           r"(?P<version>\d[\w.]*)=(?P<build>[\w.]+)\s*$")
# A lock file's package table (poetry.lock, uv.lock, pdm.lock): 'name = "torch"', then its version.
_LOCK_NAME = lazy(r'^\s*name\s*=\s*"(?:torch|pytorch)"\s*$')
_LOCK_VERSION = lazy(rf'^\s*version\s*=\s*"({_VERSION})"\s*$')
# pip list --format=json: [{"name": "torch", "version": "2.1.0+cpu"}, …] (often one long line).
_JSON_ROW = lazy(rf'"name":\s*"(?P<name>{_NAME})",\s*"version":\s*"(?P<version>{_VERSION})"')
# "conda list torch" (or pytorch) answering with its header and no row: no package of that
# name in the environment, pip's included (conda lists them with channel pypi).
_CONDA_LIST_TORCH = lazy(r"\bconda\s+list\s+(?:-n\s+\S+\s+)?(?:py)?torch\s*$")
# An install command asking for a CUDA build (conda's cudatoolkit= / pytorch-cuda=, pytorch.org's
# /whl/cuXXX index): beside a CPU build the tools installed, CUDA was wanted. The rules read
# ASKED_CUDA in the CPU claim's detail (rules/compat.py, torch_cpu_only_build).
_ASKED_CUDA = lazy(r"\b(?:cudatoolkit|pytorch-cuda)\s*=+\s*\d|download\.pytorch\.org/whl/cu\d{2,3}\b")
ASKED_CUDA = "CUDA was asked for"
# Conda's and pip's nightly packages of old installed the torch module under another name.
_TORCH_NAMES = ("torch", "pytorch", "pytorch-nightly", "torch-nightly")
_SHOW_NAME = lazy(rf"^Name: ({_NAME})\s*$")
_SHOW_VERSION = lazy(rf"^Version: ({_VERSION})\s*$")

# Packages worth reading from a bare "name version" line with no header around it.
_INTERESTING = lazy(r"^(torch|torchvision|torchaudio|pytorch|pytorch-cuda|pytorch-nightly|torch-nightly|pytorch-mutex|triton|pytorch-triton|numpy|jax|jaxlib|jax-cuda\d{2}-(?:plugin|pjrt)"
                          r"|tensorflow|tensorflow-gpu|nvidia-.+|cupy.*|xformers|flash-attn|onnxruntime-gpu|vllm"
                          r"|bitsandbytes|cudatoolkit|cudnn|nccl"
                          # a framework's CPU and GPU packages (rules/framework_packages.py reads the pairs)
                          r"|onnxruntime(?:-directml|-openvino)?|tensorflow-cpu|paddlepaddle(?:-gpu)?"
                          r"|faiss-(?:cpu|gpu)(?:-cu\d{2})?|mxnet(?:-cu\d{2,3})?)$")


# Every form above shows one of these (a table's rows are read from its header on).
_MAY_LIST = ("name", "package", "[pip", "[conda", "==", " @ ", "successfully installed", "requirement already satisfied",
             "installing ", "updating ", "downgrading ",
             "torch", "triton", "numpy", "jax", "tensorflow", "nvidia", "cupy", "xformers", "flash", "onnxruntime", "vllm",
             "bitsandbytes", "cudatoolkit", "cudnn", "nccl", "paddle", "faiss", "mxnet")


_SEPARATORS = lazy(r"[-_.]+")
# Frameworks whose conda GPU build keeps the CPU build's package name; the build string tells.
_GPU_BUILD_NAMES = ("tensorflow", "tensorflow-base", "onnxruntime", "faiss", "paddlepaddle", "mxnet")
_GPU_BUILD = lazy(r"(?:^|_)(?:gpu|cuda\d*)(?:_|$|py)")


@functools.lru_cache(maxsize=4096)  # a listing repeated in a long paste names the same packages
def normalise(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def wheel_version(filename: str) -> Optional[Tuple[str, str]]:
    """``torch-2.0.0%2Bcu118-cp310-cp310-linux_x86_64.whl`` → ("torch", "2.0.0+cu118")."""
    parts = unquote(filename).split("-")
    if len(parts) >= 5 and re.match(r"^\d", parts[1]):
        return normalise(parts[0]), parts[1]
    return None


def conda_cuda(build: str) -> Optional[str]:
    """A conda pytorch build string → "12.1", "cpu", or None when it does not say."""
    m = re.search(r"(?:^|_)cuda(\d+)\.(\d+)(?:[._]|$)", build)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    # conda-forge: cuda118_py310…, cuda126_py312…; the pytorch channel before 1.4: cuda90py36h8b0c50b_0
    m = re.match(r"^cuda(\d{2,3})(?:_|py\d)", build)
    if m:
        digits = m.group(1)
        return f"{digits[:-1]}.{digits[-1]}"
    if re.search(r"(?:^|_)cpu(?:_|$)", build):
        return "cpu"
    return None


def _add(f: Found, name: str, version: str, i: int, rank: int, build: Optional[str] = None) -> None:
    norm = normalise(name)
    if norm in _TORCH_NAMES:
        norm = "torch"  # conda's pytorch package installs the torch distribution
        cuda = conda_cuda(build or "")
        if cuda == "cpu":
            f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=rank,
                   detail=f"{PACKAGE_CPU_DETAIL}: conda build {build}, line {i + 1}")
        elif cuda:
            f.set("torch.cuda_build", cuda, i, rank=rank, detail=f"conda build string {build}, line {i + 1}")
    if build and norm in _GPU_BUILD_NAMES and "+" not in version and _GPU_BUILD.search(build):
        # conda's GPU build of a framework ("tensorflow 1.13.1 gpu_py36h3991807_0", conda-forge's
        # "onnxruntime 1.18.1 cuda_py311…"): the same package name as the CPU build, so the build
        # is kept as a local version label, as pip's torch wheels carry theirs ("+cu121")
        version += "+gpu"
    f.item("python.packages", norm, PythonPackage(norm, version), i, rank=rank)
    if norm == "torch":
        f.set("torch.version", version, i, rank=rank)
        f.set("torch.installed", True, i, rank=rank)
    if norm == "pytorch-mutex" and build == "cpu":
        # The pytorch channel's variant selector: build "cpu" holds the environment to the CPU-only
        # pytorch (pytorch/builder conda/pytorch-mutex; "cuda" with pytorch-cuda=X for the CUDA one).
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=rank,
               detail=f"{PACKAGE_CPU_DETAIL}: conda pytorch-mutex build cpu, line {i + 1}")
    if norm == "pytorch-cuda":
        f.set("torch.cuda_build", ".".join(version.split(".")[:2]), i, rank=rank,
              detail=f"conda pytorch-cuda={version}, line {i + 1}")


def _torch_row(name: str, version: str, line: int, block: int, rows: Dict[int, List[Tuple[int, str, Optional[str]]]],
               build: Optional[str] = None) -> None:
    """Remember a torch row of one listing (``block``: the listing's first line). ``build``: a
    conda listing's build string, "pypi_0" for what pip installed (conda list shows pip's
    packages so, conda/cli/main_list.py), else conda's own package's."""
    if normalise(name) in _TORCH_NAMES:
        origin = None if not build else "pip" if build.startswith("pypi") else "conda"
        rows.setdefault(block, []).append((line, version.split("+", 1)[0], origin))


def _two_installs(f: Found, rows: Dict[int, List[Tuple[int, Optional[str], Optional[str]]]]) -> None:
    """One listing of one environment with torch at two versions (conda's pytorch beside
    pip's torch, or pip list showing torch twice): two installs' files in one site-packages.
    Only the base versions count: "2.1.0+cu121" and "2.1.0" are one build named twice. In one
    conda listing, conda's pytorch beside a torch pip put in ("torch  2.0.0  pypi_0  pypi") are
    two installs at any versions: conda does not list its own package's files as pip's."""
    for block in sorted(rows):
        versions = tuple(dict.fromkeys(v for _, v, _ in rows[block]))
        span = f"lines {rows[block][0][0] + 1}-{rows[block][-1][0] + 1}"
        if len(versions) > 1:
            f.set("torch.versions_listed", versions, rows[block][0][0], detail=f"one package listing, {span}")
            return
        by = {o: v for _, v, o in rows[block] if o}
        if "pip" in by and "conda" in by:
            f.set("torch.versions_listed", (f"{by['conda']} (conda)", f"{by['pip']} (pip)"), rows[block][0][0],
                  detail=f"one conda listing with conda's pytorch and pip's torch, {span}")
            return


def _no_rows(lines: Tuple[str, ...], i: int) -> bool:
    """conda list's output after line ``i`` is its header only: "# packages in environment at …",
    "#", "# Name  Version  Build  Channel", then a blank line, a prompt or the end."""
    header = False
    for j in range(i + 1, min(i + 8, len(lines))):
        s = lines[j].strip()
        if s.startswith("#"):
            header = header or bool(_CONDA_HEADER.match(s))
            continue
        return header and (not s or s.startswith(("$", ">", "(")) or bool(re.match(r"^[\w@.-]*[$#>]\s", s)))
    return header and i + 8 > len(lines) - 1


def _table(f: Found, lines: Tuple[str, ...], start: int, conda: bool,
           rows: Optional[Dict[int, List[Tuple[int, str, Optional[str]]]]] = None) -> int:
    """Rows under a ``pip list`` / ``conda list`` header; returns the last row read."""
    j = start
    for j in range(start, len(lines)):
        s = lines[j]
        if not s.strip() or re.match(r"^[-\s]+$", s) or s.startswith("#"):
            if not s.strip() and j > start + 1:
                return j
            continue
        m = _COLUMNS.match(s)
        if not m:
            return j
        _add(f, m.group("name"), m.group("version"), j, LISTING, m.group("build") if conda else None)
        if rows is not None:
            _torch_row(m.group("name"), m.group("version"), j, start, rows, m.group("build") if conda else None)
    return j


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    lines = doc.lines
    skip_to = -1
    # torch rows per listing: a pip/conda table by its header, collect_env's tagged rows
    # ("[pip3] torch==…", "[conda] pytorch …") by their run of nearby lines.
    rows: Dict[int, List[Tuple[int, str, Optional[str]]]] = {}
    tagged_block, last_tagged = -1, -10
    bare_block, last_bare = -1, -10
    # Lines that matched none of the readers below and looked at no other line: a long log
    # repeats them, and they would match none again (the readers read the line alone).
    idle = set()
    for i in doc.lines_containing(*_MAY_LIST):
        line = lines[i]
        if i <= skip_to or line in idle:
            continue
        # Each "x in line" below is a word the pattern after it cannot match without (far
        # cheaper than trying the pattern on every line of a long listing).
        if ("Package" in line and _PIP_HEADER.match(line)) or ("#" in line and _CONDA_HEADER.match(line)):
            skip_to = _table(f, lines, i + 1, conda=bool(_CONDA_HEADER.match(line)), rows=rows)
            continue
        m = _FREEZE.match(line) if "==" in line else None
        if m:
            _add(f, m.group("name"), m.group("version"), i, REPORT if m.group("tag") else LISTING)
            if m.group("tag"):
                tagged_block, last_tagged = (tagged_block if i - last_tagged <= 3 else i), i
                _torch_row(m.group("name"), m.group("version"), i, tagged_block, rows)
            continue
        m = _FREEZE_URL.match(line) if " @ " in line else None
        if m:
            wv = wheel_version(m.group("file"))
            if wv:
                _add(f, wv[0], wv[1], i, LISTING)
            continue
        if '"name"' in line and '"version"' in line:
            for m in _JSON_ROW.finditer(line):
                _add(f, m.group("name"), m.group("version"), i, LISTING)
            continue
        no_torch = "conda" in line and _CONDA_LIST_TORCH.search(line)
        if no_torch and _no_rows(lines, i):
            f.set("torch.installed", False, i, rank=PROGRAM, detail=f"conda list shows no torch package (line {i + 1})")
            continue
        m = _CONDA_EXPORT.match(line) if "=" in line and "pytorch" in line else None
        if m:
            _add(f, m.group("name"), m.group("version"), i, LISTING, m.group("build"))
            continue
        m = _LOCK_NAME.match(line) if "name" in line else None
        if m:
            vm = next((_LOCK_VERSION.match(lines[j]) for j in range(i + 1, min(i + 3, len(lines)))
                       if _LOCK_VERSION.match(lines[j])), None)
            if vm:
                _add(f, "torch", vm.group(1), i, LISTING)
            continue
        m = _CONDA_SPEC.search(line) if "pytorch" in line else None
        if m and conda_cuda(m.group("build") or m.group("build2") or m.group("build3")):
            n = 1 if m.group("name") else 2 if m.group("name2") else 3
            g = ("", "2", "3")[n - 1]
            _add(f, m.group("name" + g), m.group("version" + g), i, PROGRAM, m.group("build" + g))
            continue
        m = _COLUMNS.match(line)
        if m and m.group("tag") == "conda":
            _add(f, m.group("name"), m.group("version"), i, REPORT, m.group("build"))
            tagged_block, last_tagged = (tagged_block if i - last_tagged <= 3 else i), i
            _torch_row(m.group("name"), m.group("version"), i, tagged_block, rows, m.group("build"))
            continue
        if m and not m.group("tag") and _INTERESTING.match(normalise(m.group("name"))):
            # A bare "name version" row, or a conda row ("name version build channel").
            build = m.group("build")
            # pytorch-mutex's build is the variant itself ("cpu", "cuda"), without a number
            if build is None or _CONDA_BUILD.search(build) or (normalise(m.group("name")) == "pytorch-mutex"
                                                               and build in ("cpu", "cuda")):
                _add(f, m.group("name"), m.group("version"), i, LISTING, build)
                # rows of a grep'd listing, without its header: one listing while they run on
                bare_block, last_bare = (bare_block if i - last_bare <= 1 else i), i
                _torch_row(m.group("name"), m.group("version"), i, bare_block, rows, build)
            continue
        m = _INSTALLED.search(line) if "Successfully installed " in line else None
        if m:
            for token in m.group(1).split():
                nm = re.match(rf"^({_NAME}?)-({_VERSION})$", token)
                if nm:
                    _add(f, nm.group(1), nm.group(2), i, PROGRAM)
            continue
        m = _POETRY_OP.match(line) if "(" in line and "ing " in line else None
        if m and _INTERESTING.match(normalise(m.group("name"))):
            _add(f, m.group("name"), m.group("version"), i, PROGRAM)
            continue
        m = _SATISFIED.search(line) if "Requirement already satisfied: " in line else None
        if m:
            _add(f, m.group("name"), m.group("version"), i, PROGRAM)
            continue
        m = _SHOW_NAME.match(line) if line.startswith("Name: ") else None
        if m and i + 1 < len(lines):
            vm = _SHOW_VERSION.match(lines[i + 1])
            if vm:
                _add(f, m.group(1), vm.group(1), i, LISTING)
        elif m is None and not no_torch:  # (conda's "no torch" depends on the lines after it)
            idle.add(line)
    _two_installs(f, rows)
    _asked_cuda(f, doc)
    return f


def _asked_cuda(f: Found, doc: Pasted) -> None:
    """Mark the CPU-build claims of a text whose install command asked for CUDA."""
    cpu = [k for k, c in enumerate(f.claims) if c.path == "torch.cuda_build" and c.reading.status is Status.NOT_FOUND]
    asked = next((i for i in doc.lines_containing("cudatoolkit", "pytorch-cuda", "/whl/cu")
                  if _ASKED_CUDA.search(doc.lines[i])), None) if cpu else None
    if asked is None:
        return
    for k in cpu:
        c = f.claims[k]
        f.claims[k] = dataclasses.replace(c, reading=Reading(c.reading.value, c.reading.status,
                                                             f"{c.reading.detail}; {ASKED_CUDA} (line {asked + 1})"))
