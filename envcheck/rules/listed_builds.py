"""Findings from a package listing (pip list, conda's pypi rows, collect_env's [pip3] lines),
before anything is imported: a compiled companion of torch built for another torch or CUDA
(``extension_built_for_other_torch``). Moved out of ``rules/linking.py`` (the loader's "undefined
symbol"), whose ``RULES`` still lists them in the same order.

PyG's compiled wheels carry the torch they were built for in their version ("torch-scatter
2.1.2+pt21cu121": torch 2.1, from https://data.pyg.org/whl/torch-2.1.0+cu121.html), and each
torchvision minor series is built for one torch release (``torch_releases.toml``).
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

from envcheck.derived.messages import is_stated
from envcheck.knowledge.archs import major_minor
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity

# PyG's wheel local version: "+pt21cu121" / "+pt113cpu" — built for torch 2.1 / 1.13.
_PYG_BUILT_FOR = re.compile(r"\+pt(?P<major>\d)(?P<minor>\d{1,2})(?:cu\d{2,3}|cpu)$")
_PYG_WHEELS = ("torch-scatter", "torch-sparse", "torch-cluster", "torch-spline-conv", "pyg-lib")


# A pre-release or source build ("1.8.0a0+4a6c178", NGC's "2.4.0a0+07cecf4168", a nightly
# "2.6.0.dev20241112"): its companions are built against it from source, whatever their number.
_SOURCE_BUILD = re.compile(r"(?:a|b|rc|\.dev)\d|\+git|\+[0-9a-f]{7,}$")


def _listed_torch(ctx: RuleContext) -> Optional[str]:
    """torch's major.minor as a listing or torch itself shows it (not a person's words), for a
    released build."""
    tv = ctx.torch_view
    if tv is None or tv.version is None or tv.version.stated or _SOURCE_BUILD.search(str(tv.version.value)):
        return None
    return major_minor(str(tv.version.value))


def listed_for_other_torch(ctx: RuleContext) -> Iterator[Finding]:
    have = _listed_torch(ctx)
    packages = ctx.facts.python.packages.get(()) or ()
    if have is None or not packages or is_stated(ctx.facts.python.packages):
        return
    release = ctx.kb.release(have)
    for p in packages:
        m = _PYG_BUILT_FOR.search(p.version) if p.name in _PYG_WHEELS else None
        built = f"{m.group('major')}.{m.group('minor')}" if m else None
        if p.name == "torchvision" and release is not None and release.torchvision and not _SOURCE_BUILD.search(p.version):
            series = major_minor(p.version.split("+")[0])
            if series and series != release.torchvision:
                match = next((r for r in ctx.kb.releases if r.torchvision == series), None)
                built = match.version if match else None
        if built is None or built == have:
            continue
        yield make("extension_built_for_other_torch",
                   f"{p.name} {p.version} is built for PyTorch {built}, but PyTorch {have} is installed: its compiled "
                   "code links against the other torch's libraries, so importing it fails ('undefined symbol', "
                   "'operator ... does not exist') or it refuses to load. Install the build made for the installed "
                   "torch (the same torch and CUDA index), or the torch it was built for.",
                   [(f"python.packages[{p.name}]", p.version), ("torch.version", ctx.torch_view.version)],
                   confidence=Confidence.LIKELY)
        return


# A wheel's CUDA as its local version says it: "+cu117" -> (11, 7), "+cu121" -> (12, 1).
_CU_TAG = re.compile(r"\+cu(?P<major>\d{2})(?P<minor>\d)$")
# torchvision checks torch's CUDA against its own at import (torchvision/extension.py
# _check_cuda_version): major and minor until 0.15, the major alone from 0.16 ("different CUDA
# major versions").
_TORCHVISION_MAJOR_ONLY = (0, 16)


def _cu(version: str) -> Optional[Tuple[int, int]]:
    m = _CU_TAG.search(version)
    return (int(m.group("major")), int(m.group("minor"))) if m else None


def listed_cuda_differs(ctx: RuleContext) -> Iterator[Finding]:
    """A listing (pip list, conda's pypi rows, collect_env's [pip3] lines) whose torch and
    torchvision wheels name different CUDA builds ("torch 2.0.1+cu117", "torchvision
    0.15.2+cu118"): importing torchvision then raises its "compiled with different CUDA
    versions" error, before any message is pasted. Only the wheels' own local tags are read
    (an untagged PyPI wheel says nothing of its CUDA), and only as a listing shows them."""
    tv = ctx.torch_view
    packages = ctx.facts.python.packages.get(()) or ()
    if tv is None or tv.version is None or tv.version.stated or not packages or is_stated(ctx.facts.python.packages):
        return
    torch_cu = _cu(str(tv.version.value))
    vision = next((p for p in packages if p.name == "torchvision"), None)
    vision_cu = _cu(vision.version) if vision is not None else None
    if torch_cu is None or vision_cu is None or torch_cu == vision_cu:
        return
    series = tuple(int(x) for x in re.findall(r"\d+", vision.version.split("+")[0])[:2])
    if torch_cu[0] == vision_cu[0] and series >= _TORCHVISION_MAJOR_ONLY:
        return  # same CUDA major: torchvision 0.16+ accepts it
    fmt = ".".join
    yield make("extension_built_for_other_torch",
               f"torchvision {vision.version} is built for CUDA {fmt(map(str, vision_cu))} but torch "
               f"{tv.version.value} for CUDA {fmt(map(str, torch_cu))}: importing torchvision checks the two and "
               "raises “Detected that PyTorch and torchvision were compiled with different CUDA versions”. Install "
               "torch and torchvision from the same index (https://download.pytorch.org/whl/cuXYZ) in one command.",
               [("python.packages[torchvision]", vision.version), ("torch.version", tv.version)],
               confidence=Confidence.LIKELY)


def _torchaudio_for(torch_mm: str) -> Optional[str]:
    """The torchaudio series built for a torch release: 2.x for 2.x, 0.x for 1.x (from 1.6)."""
    major, minor = (int(x) for x in torch_mm.split(".")[:2])
    if major >= 2:
        return f"{major}.{minor}"
    return f"0.{minor}" if major == 1 and minor >= 6 else None


def listed_torchaudio_for_other_torch(ctx: RuleContext) -> Iterator[Finding]:
    """A listing whose torchaudio series was built for another torch ("torchaudio 2.0.2" beside
    torch 2.1): importing torchaudio then fails on its compiled extension (undefined symbol in
    libtorchaudio.so). A warning: a machine that never imports torchaudio (an LLM server that
    carried an old one along) works."""
    have = _listed_torch(ctx)
    packages = ctx.facts.python.packages.get(()) or ()
    audio = next((p for p in packages if p.name == "torchaudio"), None)
    if have is None or audio is None or is_stated(ctx.facts.python.packages) or _SOURCE_BUILD.search(audio.version):
        return
    want = _torchaudio_for(have)
    series = major_minor(audio.version.split("+")[0])
    if want is None or series is None or series == want:
        return
    yield make("extension_built_for_other_torch",
               f"torchaudio {audio.version} is the series built for another PyTorch (PyTorch {have} pairs with "
               f"torchaudio {want}.x): importing torchaudio fails on its compiled extension (undefined symbol in "
               "libtorchaudio.so). Install the torchaudio of the installed torch, from the same index.",
               [("python.packages[torchaudio]", audio.version), ("torch.version", ctx.torch_view.version)],
               severity=Severity.WARNING, confidence=Confidence.LIKELY)
