"""CPU-only torch chosen by a package manager's variant, in the forms the package reader
(``packages.py``) does not take:

* mamba / micromamba's transaction table (libmamba's ``Transaction`` print, mamba 0.x-1.x,
  micromamba 1.x-2.x; the "Package Version Build Channel Size" rows under "Install:"):
  ``  + pytorch   2.1.2  cpu_generic_py311h1234567_0  conda-forge  56MB`` — a pytorch whose build
  string names the CPU variant (conda-forge ``cpu_generic_*`` / ``cpu_mkl_*``, the pytorch channel
  ``py3.10_cpu_0``), or the variant selectors themselves;
* the variant selectors: the pytorch channel's ``cpuonly`` package (pytorch/builder
  conda/cpuonly: it pins ``pytorch-mutex=*=cpu``) and conda-forge's ``pytorch-cpu`` metapackage,
  as a ``conda list`` row (``cpuonly  2.0  0  pytorch``) or an environment.yml dependency
  (``  - cpuonly``, ``  - pytorch::cpuonly=2.0``);
* a requirements file whose index is pytorch.org's CPU one (pip's req_file.py takes
  ``-i/--index-url/--extra-index-url`` on a line of their own) beside a ``torch`` requirement:
  pip takes the highest match, and ``2.1.0+cpu`` sorts above ``2.1.0`` (PEP 440 local versions),
  so the CPU wheel comes in even as an extra index. An intent (install_commands' rank), which
  what pip then listed or fetched outranks;
* a lock file's source for torch: poetry.lock's ``[package.source]`` with
  ``url = "https://download.pytorch.org/whl/cpu"`` (poetry-core's lock format, Poetry 1.2+) in the
  ``[[package]]`` block of ``name = "torch"``.

Each is a fact about the package, not a sentence: the claim is the package reader's
(``PACKAGE_CPU_DETAIL``), so a CUDA build shown elsewhere (``is_available() True``,
``+cu121``) still wins, and ``rules/compat.py`` asks for an NVIDIA GPU before it speaks.
"""

from __future__ import annotations

import bisect
from typing import List

from envcheck.derived.messages import PACKAGE_CPU_DETAIL
from envcheck.explain.parsers.packages import conda_cuda
from envcheck.explain.partial import INTENT, LISTING, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "package variant"

# mamba's table row: sign, name, version, build, channel (then a size or "Cached").
_MAMBA_ROW = lazy(r"^\s*\+\s+(?P<name>pytorch|pytorch-cpu|pytorch-mutex|cpuonly)\s+(?P<version>\d[\w.]*)\s+"
                        r"(?P<build>[\w.]+)\s+\S+")
# conda list row of a selector: name, version, build, optional channel.
_LIST_ROW = lazy(r"^\s*(?:\[conda\]\s+)?(?P<name>cpuonly|pytorch-cpu)\s+\d[\w.]*\s+[\w.]+(?:\s+[\w/.-]+)?\s*$")
# environment.yml dependency (a YAML list item, channel-qualified or pinned).
_YAML_DEP = lazy(r"^\s*-\s+(?:[\w.-]+::)?(?P<name>cpuonly|pytorch-cpu)(?:\s*[=<>]=?\s*[\w.*]+)*\s*(?:#.*)?$")
_REQ_INDEX = lazy(r"^\s*(?:-i|--index-url|--extra-index-url)[\s=]+https?://download\.pytorch\.org/whl/cpu/?\s*$")
_REQ_TORCH = lazy(r"^\s*torch\s*(?:[=<>~!]=?\s*[\w.*+]+\s*(?:,\s*[=<>~!]=?\s*[\w.*+]+\s*)*)?(?:;.*)?(?:#.*)?$")
_CPU_INDEX = lazy(r'^\s*url\s*=\s*"https?://download\.pytorch\.org/whl/cpu/?"\s*$')
_LOOKBACK = 80  # lines from [package.source] back to its package's name (files = [...] sits between)


def _selected(name: str, build: str) -> bool:
    if name in ("cpuonly", "pytorch-cpu"):
        return True
    if name == "pytorch-mutex":
        return build == "cpu"
    return conda_cuda(build) == "cpu"


def _claim(f: Found, i: int, what: str, rank: int = LISTING) -> None:
    f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"{PACKAGE_CPU_DETAIL}: {what}, line {i + 1}", rank=rank)
    if rank == LISTING:
        f.set("torch.installed", True, i)


def _torch_locked(i: int, names: List[int], blocks: List[int]) -> bool:
    """Line ``i`` (a source url) lies in the ``[[package]]`` block of ``name = "torch"``: the
    nearest name line above it is torch's, within ``_LOOKBACK`` lines, with no block start
    between (bisect over the few candidate lines, never a walk over the text)."""
    k = bisect.bisect_left(names, i) - 1
    if k < 0 or i - names[k] > _LOOKBACK:
        return False
    b = bisect.bisect_left(blocks, i) - 1
    return b < 0 or blocks[b] < names[k]


def parse(doc: Pasted) -> Found:
    """The first line of each form only: one says which variant was chosen, and a log repeating
    such rows thousands of times must not make thousands of claims."""
    f = Found(SOURCE, LISTING)
    # Every form holds "cpu" next to a torch name: the needles keep a long CUDA listing out.
    for i in doc.lines_containing("cpuonly", "pytorch-cpu", "cpu_", "_cpu", " cpu "):
        line = doc.lines[i]
        m = _MAMBA_ROW.match(line)
        if m and _selected(m.group("name"), m.group("build")):
            _claim(f, i, f"mamba installs {m.group('name')} {m.group('version')} {m.group('build')}")
            break
        m = _LIST_ROW.match(line) or _YAML_DEP.match(line)
        if m:
            _claim(f, i, f"conda package {m.group('name')}")
            break
    urls = doc.lines_containing("download.pytorch.org/whl/cpu")
    index = next((i for i in urls if _REQ_INDEX.match(doc.lines[i])), None)
    if index is not None and any(_REQ_TORCH.match(doc.lines[k]) for k in doc.lines_containing("torch")):
        _claim(f, index, "requirements index download.pytorch.org/whl/cpu beside a torch requirement", rank=INTENT)
    names = doc.lines_containing('name = "torch"', 'name = "pytorch"') if urls else []
    blocks = doc.lines_containing("[[package]]") if names else []
    for i in urls:
        if _CPU_INDEX.match(doc.lines[i]) and _torch_locked(i, names, blocks):
            _claim(f, i, "lock file source download.pytorch.org/whl/cpu")
            break
    return f
