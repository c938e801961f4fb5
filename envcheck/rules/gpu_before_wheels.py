"""A GPU older than every PyTorch wheel: none whose architecture list the tables hold
(1.12 onward; the lowest is sm_37) has kernels or PTX for it.

With no build in the text and no "no kernel image" line, compat.py cannot tell which build
failed. For a GPU no wheel in the tables ever covered (Fermi, Kepler sm_30: "GPU is GeForce
GT 740M | 3.0 … The pytorch cannot detect the old CUDA"), every current PyTorch wheel is too old
for it, so an error line or the person's own sentence that PyTorch/CUDA fails on it is
enough, as *likely*.
A GPU some wheel covers (Kepler sm_35/37 in 1.x, Maxwell, Pascal) is not judged here: the
build would have to be in the text. Every GPU named must be that old (a display GT 710
beside an RTX 3090 says nothing about the 3090's failure)."""
from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from envcheck.derived.machine import failure_texts, torch_in_play
from envcheck.knowledge.archs import arch_support
from envcheck.rules.engine import RuleContext

# The failing sentence must be about the GPU stack, not any failure ("the script fails").
_ABOUT_GPU = re.compile(r"\b(?:py)?torch\b|\bcuda\b|\bgpu\b|graphics card|\bvideo card\b", re.I)


def _covered_by_some_wheel(kb, cc: str) -> bool:
    # Kept on the knowledge base itself (as its other lookups are): a cache keyed by id(kb) could
    # answer for another tables' object that reuses a freed id.
    covered: Dict[str, bool] = kb.__dict__.setdefault("_covered_by_wheel", {})
    if cc not in covered:
        covered[cc] = _scan(kb, cc)
    return covered[cc]


def _scan(kb, cc: str) -> bool:
    for rel in kb.releases:
        for v in kb.variants_of(rel):
            if v.arch_list_spec and arch_support(v.arch_list, cc) in ("cubin", "ptx"):
                return True
    return False


def before_every_wheel(ctx: RuleContext, cc: str) -> bool:
    """True when no PyTorch wheel in the tables runs on compute capability ``cc``."""
    return not _covered_by_some_wheel(ctx.kb, cc)


def said_fails_on_old_gpu(ctx: RuleContext) -> Optional[Tuple[str, str]]:
    """(source, quote) of an error line or the person's sentence saying PyTorch/CUDA fails,
    when every GPU the text names with a capability is older than every wheel; else None."""
    said = next((t for t in failure_texts(ctx.facts) if _ABOUT_GPU.search(t)), None)
    if said is None or not torch_in_play(ctx.facts):  # CUDA failing in Caffe on a Kepler is not torch's build
        return None
    ccs = [cc for g in ctx.gpus if g.cc for cc in (g.cc,) + tuple(g.other_ccs)]
    if not ccs or not all(before_every_wheel(ctx, cc) for cc in ccs):
        return None
    return ("text", said)
