"""A framework's CPU package and its GPU package installed side by side.

Several frameworks ship their CPU and GPU builds as two pip packages that install the same
import module into the same folder: ``onnxruntime`` / ``onnxruntime-gpu`` (both unpack
``onnxruntime/``; ONNX Runtime's install guide: "Only one of these packages should be
installed at a time in any one environment"), ``paddlepaddle`` / ``paddlepaddle-gpu``
(both ``paddle/``), ``faiss-cpu`` / ``faiss-gpu`` (both ``faiss/``), ``tensorflow`` /
``tensorflow-gpu`` before TensorFlow 2.1 (from 2.1 the ``tensorflow`` package carries the
GPU build itself), ``tensorflow-cpu`` beside either, ``mxnet`` / ``mxnet-cuXXX``. Whichever
was installed last overwrote the other's files, so the CPU build is what Python imports
while the GPU package still shows in ``pip list``; uninstalling one of the two removes the
shared folder and breaks the other. The fix is to uninstall both and install the GPU one.

Read from the package facts (a listing, ``pip freeze``, ``pip show``, pip's "Successfully
installed" line, or a person saying both are installed: explain/parsers/framework_packages.py
records those with an empty version, and a finding on them is likely). The framework's own
word that the build imported has no GPU (ONNX Runtime's "Specified provider
'CUDAExecutionProvider' is not in available provider names", PaddlePaddle's "not compiled
with CUDA") beside the GPU package in the text tells the same when the CPU package's row is
not shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, Optional, Tuple

from envcheck.derived.gpu_package_reinstall import gpu_reinstall_said
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

FINDING = "cpu_and_gpu_framework_packages_both_installed"


@dataclass(frozen=True)
class Pair:
    framework: str
    cpu: str  # normalised pip names (PEP 503)
    gpu: str
    # the CPU package is CPU-only below this version of it ("2.1" for tensorflow); None: always
    cpu_only_below: Optional[str] = None
    # message ids (messages.toml) saying the imported build of this framework has no GPU support
    no_gpu_messages: Tuple[str, ...] = ()
    # does that message prove the CPU package is what was imported? ONNX Runtime's provider list
    # and PaddlePaddle's is_compiled_with_cuda are fixed at build time; Faiss falls back to its
    # CPU code when its GPU library fails to load, so its message alone does not tell which
    message_names_the_package: bool = True


_ORT_NO_GPU = ("onnxruntime_cuda_provider_not_available", "onnxruntime_providers_subset_error")
PAIRS: Tuple[Pair, ...] = (
    Pair("ONNX Runtime", "onnxruntime", "onnxruntime-gpu", None, _ORT_NO_GPU),
    Pair("PaddlePaddle", "paddlepaddle", "paddlepaddle-gpu", None, ("paddle_not_compiled_with_cuda",)),
    Pair("Faiss", "faiss-cpu", "faiss-gpu", None, ("faiss_no_gpu_support",), message_names_the_package=False),
    Pair("TensorFlow", "tensorflow", "tensorflow-gpu", "2.1"),
    Pair("TensorFlow", "tensorflow-cpu", "tensorflow-gpu", None),
    Pair("TensorFlow", "tensorflow-cpu", "tensorflow", None),
    Pair("MXNet", "mxnet", "mxnet-cu", None),
)


def _installed(ctx: RuleContext) -> Dict[str, str]:
    """Installed package name → version ("" where a person only said it is installed)."""
    return {p.name: p.version for p in ctx.facts.python.packages.get(()) or ()}


def _gpu_name(pair: Pair, installed: Dict[str, str]) -> Optional[str]:
    """The pair's GPU package among ``installed`` ("mxnet-cu" stands for mxnet-cu112 and the like;
    faiss-gpu has per-CUDA names too: faiss-gpu-cu12)."""
    for name in installed:
        if name == pair.gpu or (name.startswith(pair.gpu) and re.fullmatch(r"-?(?:cu)?\d{2,3}", name[len(pair.gpu):])):
            return name
    return None


def _cpu_only(pair: Pair, version: str) -> bool:
    """Is this version of the pair's CPU package a CPU-only build (a person's word: assume so)?"""
    if re.search(r"\+(?:gpu|cu\d)", version):
        return False  # conda's GPU build under the CPU package's name (explain/parsers/packages.py)
    if pair.cpu_only_below is None or not version:
        return True
    v = ver(version)
    return v is not None and v < ver(pair.cpu_only_below)


def _no_gpu_said(ctx: RuleContext, pair: Pair):
    return next((s for s in ctx.stated if s.id in pair.no_gpu_messages), None)


def cpu_and_gpu_packages_both_installed(ctx: RuleContext) -> Iterator[Finding]:
    installed = _installed(ctx)
    if not installed:
        return
    for pair in PAIRS:
        gpu = _gpu_name(pair, installed)
        if gpu is None:
            continue
        said = _no_gpu_said(ctx, pair)
        cpu_listed = pair.cpu in installed
        if cpu_listed and not _cpu_only(pair, installed[pair.cpu]):
            continue  # tensorflow 2.1+ is the GPU build itself: two names for one build
        again = gpu_reinstall_said(ctx.facts)
        again = again if again is not None and again[0] == gpu and pair.message_names_the_package else None
        if not cpu_listed and again is None and (said is None or not pair.message_names_the_package):
            continue
        stated = any(installed.get(n) == "" for n in (pair.cpu, gpu) if n in installed)
        rows = [f"{n}=={installed[n]}" if installed[n] else f"{n} (said installed)" for n in (pair.cpu, gpu)
                if n in installed]
        evidence = ([("python.packages", rows)] + ([quote(said)] if said is not None else [])
                    + ([("text", again[1])] if again is not None and not cpu_listed else []))
        if cpu_listed:
            what = (f"{pair.cpu} and {gpu} are both installed: the two packages put the same {pair.framework} "
                    f"module in one folder, so whichever was installed last overwrote the other, and the CPU "
                    f"build is what runs")
            what += (f" ({pair.framework} itself says the build it loaded has no GPU support)." if said is not None
                     else ".")
        elif said is not None:
            what = (f"{gpu} is installed, yet {pair.framework} says the build Python imported has no GPU support: "
                    f"another install of the module, most likely the CPU package {pair.cpu}, shadows it.")
        else:  # the person says reinstalling the GPU package made it use the GPU
            what = (f"The text says reinstalling {gpu} is what made {pair.framework} use the GPU. A reinstall changes "
                    f"nothing unless another package wrote over its files: the CPU package {pair.cpu}, which "
                    f"unpacks the same module, did, and installing it again (a dependency that asks for it) undoes "
                    f"the fix.")
        yield make(FINDING,
                   what + f" Uninstalling only one of them removes the shared folder and breaks the other: remove "
                   f"both, then install the GPU package alone (python -m pip uninstall -y {pair.cpu} {gpu} && "
                   f"python -m pip install {gpu}" + (f"=={installed[gpu]}" if installed.get(gpu) else "") + ").",
                   evidence, confidence=Confidence.LIKELY if stated or not cpu_listed else None)
        return


RULES = (cpu_and_gpu_packages_both_installed,)
