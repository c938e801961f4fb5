"""Compiled extensions that say themselves which torch they were built for.

xFormers' loader prints the torch its wheel was built for beside the running one when its
C++ library does not load (xformers/_cpp_lib.py). The form with "with CUDA N" is read by
``linking.xformers_built_for_other_torch``; the older form without it ("PyTorch 2.0.1 (you
have 2.1.0+cu121)", catalogued as ``xformers_built_for_torch_no_cuda_field``) is read here
the same way: another torch on the running side is an xFormers built for another torch; a
running torch that is a CPU-only build is that finding's (``compat``); the same version on
both sides means something else kept the library from loading, and nothing is said.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Finding

_BANNER = "xformers_built_for_torch_no_cuda_field"


def xformers_banner_without_cuda(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stated:
        if s.id != _BANNER:
            continue
        built, have = str(s.fact("detail") or ""), str(s.fact("torch.version") or "")
        if not built or not have or have.endswith("+cpu") or built == have:
            continue
        yield make("extension_built_for_other_torch",
                   f"xFormers' compiled extensions were built for PyTorch {built} but PyTorch {have} is running, so "
                   "they do not load (its memory-efficient attention and other kernels are unavailable). Install the "
                   "xFormers build made for the installed torch (the same index and CUDA), or the torch it was built "
                   "for.", [quote(s), ("xformers.built_for", built), ("torch.version", have)])
        return


RULES = (xformers_banner_without_cuda,)
