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
from typing import Iterator, List

from envcheck.derived.machine import GpuView, Value
from envcheck.derived.torch_arch_said import arch_said, source_build_said
from envcheck.rules.assumed_variant import wheel_era
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
    if tv is not None and (tv.arch_list is not None or tv.cuda is not None):
        return  # the build is in the text: compat.py judges it against the GPU
    gpus = [g for g in ctx.gpus if g.cc] or _sm_named(said)
    verdicts = {wheel_era(ctx, cc) for g in gpus for cc in (g.cc,) + g.other_ccs}
    if not gpus or len(verdicts) != 1 or None in verdicts:
        return
    too_old = verdicts.pop() == "too_old"
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


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (torch_build_lacks_gpu_said,)
