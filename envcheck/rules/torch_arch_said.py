"""A PyTorch build without the GPU's architecture, from the person's words
(``explain/parsers/torch_arch_prose.py``, notes of ``derived.torch_arch_said``):

* "the version of torch installed does not work with the RTX 50XX": with no build in the text (no
  version with its CUDA, no arch list) and no "no kernel image" line (``rules/compat.py`` judges
  those), the claim is the evidence. Which way is judged as compat.py judges a bare "no kernel
  image": every wheel in the tables that lacks the GPU is older than it (an RTX 50xx, sm_120:
  gpu_arch_unsupported_by_torch_build) or every one is newer (a Kepler under 2.x:
  gpu_arch_too_old_for_torch_build); a GPU some older and some newer wheels lack (Pascal, Volta)
  or no GPU the tables know gives nothing. Every GPU the text names must fare the same.
* a PyTorch built from source, beside "no kernel image": the build has kernels only for the
  architectures it was compiled for (TORCH_CUDA_ARCH_LIST; by default the building machine's
  GPU), so carried to another GPU it has none: gpu_arch_unsupported_by_torch_build. compat.py
  then does not judge the GPU's age against the released wheels, which say nothing of this build.

Both "likely": the person's account, not torch's own list.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional

from envcheck.derived.machine import GpuView, Value
from envcheck.derived.torch_arch_said import arch_said, build_only_from_later_command, source_build_said
from envcheck.knowledge.archs import arch_support
from envcheck.rules.assumed_variant import wheel_eras
from envcheck.rules.compat import NO_KERNEL, OTHER_PROGRAMS_KERNEL, advised, quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_ARCH_IDS = {"gpu_arch_too_old_for_torch_build", "gpu_arch_unsupported_by_torch_build"}


def _torch_said_arch(ctx: RuleContext) -> bool:
    """Does a tool's line in the text already speak of torch's build and the GPU?"""
    return any(s.id in NO_KERNEL or s.id in OTHER_PROGRAMS_KERNEL or set(s.message.findings("decisive")) & _ARCH_IDS
               for s in ctx.stated)


# The architecture the sentence names when no GPU model is known: "doesn't support sm_120 yet".
_SM = re.compile(r"\bsm_?(\d{2,3})\b", re.I)


def _sm_named(said: str) -> List[GpuView]:
    m = _SM.search(said)
    if m is None:
        return []
    cc = f"{m.group(1)[:-1]}.{m.group(1)[-1]}"
    return [GpuView(None, m.group(0), cc, f"the text ({m.group(0)})", stated=True)]


def _gpu_evidence(gpus: List[GpuView]):
    return [(g.cc_source, Value(g.cc, g.cc_source, g.stated)) for g in gpus]


def _source_build(ctx: RuleContext, said: str) -> Iterator[Finding]:
    no_kernel = next((s for s in ctx.stated if s.id in NO_KERNEL), None)
    if no_kernel is None or any(s.id in OTHER_PROGRAMS_KERNEL or set(s.message.findings("decisive")) & _ARCH_IDS
                                for s in ctx.stated):
        return
    gpus = [g for g in ctx.gpus if g.cc]
    named = f" on {gpus[0].name} ({gpus[0].cc})" if len(gpus) == 1 and gpus[0].name else ""
    yield make("gpu_arch_unsupported_by_torch_build",
               f"The text says this PyTorch was built from source, and CUDA found no kernel for the GPU{named}. "
               "A source build holds kernels only for the architectures in its TORCH_CUDA_ARCH_LIST (by default "
               "the GPU of the machine that built it), so on another GPU it has none. Build it again with "
               "TORCH_CUDA_ARCH_LIST naming every GPU it must run on, or install a released wheel."
               + advised(ctx), [("text", said), quote(no_kernel)] + _gpu_evidence(gpus),
               gpu=gpus[0].index if len(gpus) == 1 else None, confidence=Confidence.LIKELY)


# Which way the sentence itself says the build lacks the GPU (round 27): lost ("the wheels dropped sm_61
# support", "no longer includes Pascal", "the older GTX 10 cards", 不再支持) or not come yet ("doesn't
# support sm_120 yet", "the newer RTX 50 series"). Read only where the wheels lack the GPU both ways
# (Pascal, Volta: dropped by the newest, unknown to none), so the tables cannot tell.
_LOST = re.compile(r"\b(?:dropped|removed|deprecated|no\s+longer|legacy|older|too\s+old|retired)\b|不再支持|移除", re.I)
_NOT_YET = re.compile(r"\b(?:yet|newer|too\s+new|not\s+ready)\b|还不支持|尚不支持|暂不支持|まだ", re.I)


def _direction(ctx: RuleContext, gpus: List[GpuView], said: str) -> Optional[str]:
    """too_old / too_new for every GPU named, from the wheels in the tables, else from the sentence's
    word where the wheels lack the GPU both ways; None where nothing tells or the GPUs differ."""
    if not gpus:
        return None
    lost, not_yet = bool(_LOST.search(said)), bool(_NOT_YET.search(said))
    verdicts = set()
    for g in gpus:
        for cc in (g.cc,) + g.other_ccs:
            eras = wheel_eras(ctx, cc)
            if len(eras) == 1:
                verdicts |= eras
            elif len(eras) == 2 and lost != not_yet:
                verdicts.add("too_old" if lost else "too_new")
            else:
                return None
    return verdicts.pop() if len(verdicts) == 1 else None


def _variant_guessed(ctx: RuleContext, tv, gpus: List[GpuView]) -> bool:
    """Is the build only a version written without its variant ("the PyTorch 2.7.1 binary"), the
    variant the tables' guess, while a variant of that release lacks every GPU named? Then the
    person's sentence tells which build they have; the guess does not."""
    if tv.version is None or tv.build is None or tv.build.local != "" or ctx.facts.torch.cuda_build.ok:
        return False
    if tv.arch_list is not None and not str(tv.arch_list.source).startswith("torch_variants table"):
        return False  # torch's own list (collect_env, get_arch_list())
    variants = [v for v in ctx.kb.variants_of(tv.build.release) if v.arch_list_spec] if tv.build.release else []
    return bool(gpus) and all(any(arch_support(v.arch_list, cc) in ("too_old", "too_new") for v in variants)
                              for g in gpus for cc in (g.cc,) + g.other_ccs)


def torch_build_lacks_gpu_said(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return  # a CPU-only build lacks every GPU: compat.torch_cpu_only_build
    source = source_build_said(ctx.facts)
    if source is not None and (tv is None or tv.arch_list is None):
        yield from _source_build(ctx, source)
        return
    said = arch_said(ctx.facts)
    if said is None or _torch_said_arch(ctx):
        return
    gpus = [g for g in ctx.gpus if g.cc] or _sm_named(said)
    if tv is not None and (tv.arch_list is not None or tv.cuda is not None):
        # the build is in the text: compat.py judges it against the GPU,
        # unless it is only a command typed after the sentence (what was tried next) or a version whose
        # variant the tables guess; where that build lacks a GPU of the machine, compat.py says so
        if not (build_only_from_later_command(ctx.facts, said) or _variant_guessed(ctx, tv, gpus)) or (
                tv.arch_list is not None and any(arch_support(tv.arch_list.value, cc) in ("too_old", "too_new")
                                                 for g in ctx.gpus if g.cc for cc in (g.cc,) + g.other_ccs)):
            return
    verdict = _direction(ctx, gpus, said)
    if verdict is None:
        return
    too_old = verdict == "too_old"
    names = ", ".join(f"{g.name or 'the GPU'} ({g.cc})" for g in gpus)
    if too_old:
        why = (f"The text says this PyTorch does not support {names}, and every PyTorch wheel without kernels "
               "for it is newer than it: its architecture was dropped. Use an older PyTorch release built for it.")
    else:
        why = (f"The text says this PyTorch does not support {names}, and every PyTorch wheel without kernels "
               "for it is older than it: the GPU is newer than this build (an RTX 50xx, sm_120, needs a CUDA "
               "12.8+ build). Install a PyTorch built with a CUDA that knows this GPU.")
    yield make("gpu_arch_too_old_for_torch_build" if too_old else "gpu_arch_unsupported_by_torch_build",
               why + advised(ctx), [("text", said)] + _gpu_evidence(gpus),
               gpu=gpus[0].index if len(gpus) == 1 else None, confidence=Confidence.LIKELY)


# torch's TORCH_CUDABLAS_CHECK naming the handle's creation (aten/src/ATen/cuda/Exceptions.h: "when calling
# `cublasCreate(handle)`"), where a math library checks the device before any routine runs.
_AT_CREATE = re.compile(r"when\s+calling\s+`?(?:cublas|cublasLt|cusparse|cusolverDn|cusolverSp)Create\b")


def library_refused_gpu(ctx: RuleContext) -> Iterator[Finding]:
    """cuBLAS refused the GPU at handle creation (CUBLAS_STATUS_ARCH_MISMATCH when calling
    `cublasCreate(handle)`): the cuBLAS a PyTorch wheel bundles is its CUDA's, and CUDA 13's no
    longer knows Maxwell, Pascal nor Volta (Differentiable-Electron-Crystallography/diffBloch#144: a
    P100 under the CUDA 13.0 wheel, fixed by the cu126 index). Only for a GPU the newest wheels
    dropped, and not where torch's own arch list in the text holds the GPU (then the library that
    refused it is not torch's build). Likely: the library's word, the wheel inferred."""
    tv = ctx.torch_view
    s = next((s for s in ctx.stated if s.id == "cublas_status_arch_mismatch" and _AT_CREATE.search(s.text)), None)
    if s is None or (tv is not None and tv.is_cpu) or _torch_said_arch(ctx):
        return
    gpus = [g for g in ctx.gpus if g.cc and not g.other_ccs]
    if not gpus or any("too_old" not in wheel_eras(ctx, g.cc) for g in gpus):
        return
    if tv is not None and tv.arch_list is not None and any(
            arch_support(tv.arch_list.value, g.cc) in ("cubin", "ptx") for g in gpus):
        return
    names = ", ".join(f"{g.name or 'the GPU'} ({g.cc})" for g in gpus)
    yield make("gpu_arch_too_old_for_torch_build",
               f"cuBLAS refused {names} when PyTorch created its handle (ARCH_MISMATCH: the device lacks what this "
               "cuBLAS needs). The cuBLAS is the one the PyTorch wheel brings, of the wheel's CUDA; CUDA 13's no "
               "longer supports GPUs before Turing. Install a PyTorch built with an older CUDA that still "
               "supports this GPU (the cu126 wheels)." + advised(ctx),
               [quote(s)] + _gpu_evidence(gpus), gpu=gpus[0].index if len(gpus) == 1 else None,
               confidence=Confidence.LIKELY)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (torch_build_lacks_gpu_said, library_refused_gpu)
