"""What a PyTorch build the text does not show in full can run. A PyTorch version a person wrote without its build ("pytorch==1.12.1", "PyTorch: 1.7.0") is
judged as PyPI's default variant of that release, whose architecture list the tables hold. That
is a guess where another variant of the same release runs the GPU: "gpu 3090 / cuda 11.3 /
pytorch==1.12.1" is most likely the cu113 build, not PyPI's cu102 (no sm_86), and the person
says it trains (sweep 24: three healthy reports given an error this way). Such a guess alone makes
no finding about the GPU's architecture where nothing in the text fails; a tool's output (`pip
list`, collect_env: the wheel installed), a build suffix or its CUDA, a failure or a "no kernel
image" message lets the guess stand.

Also the judgements made without a build's architecture list: which way every wheel that lacks
a GPU lacks it (``wheel_era``), and whether a build's CUDA can target it (``cuda_window``).
"""

from __future__ import annotations

from typing import Optional, Set

from envcheck.derived.machine import TorchView, failure_texts
from envcheck.derived.torch_arch_said import arch_said
from envcheck.knowledge.archs import arch_support, cc_tuple, ver
from envcheck.knowledge.tables import KnowledgeBase
from envcheck.rules.engine import RuleContext


def first_cuda_of_major(kb: KnowledgeBase, cc: str) -> str:
    """The first CUDA that targets any GPU of ``cc``'s major up to ``cc``: a cubin for sm_80 runs on
    sm_86 and sm_89 (same major, lower minor), so a CUDA 11.0 build may run an RTX 3090 (sweep 24:
    torch 1.7.1+cu110 training on one was called "no kernels nor PTX")."""
    want = cc_tuple(cc)
    firsts = [ver(r.first_cuda) for r in kb.ccs if r.first_cuda and cc_tuple(r.cc)[0] == want[0] and cc_tuple(r.cc) <= want]
    return str(min(firsts)) if firsts else str(kb.compute_capability(cc).first_cuda)


def _runs(kb: KnowledgeBase, variant, cc: str) -> bool:
    """Can this variant run ``cc``: its architecture list says so, or, without one, its CUDA can
    target the GPU's major (and is not past the GPU's last CUDA)."""
    if variant.arch_list_spec:
        return arch_support(variant.arch_list, cc) in ("cubin", "ptx")
    row = kb.compute_capability(cc)
    if row is None or not variant.cuda or not row.first_cuda:
        return False
    return ver(variant.cuda) >= ver(first_cuda_of_major(kb, cc)) and not (row.last_cuda and ver(variant.cuda) > ver(row.last_cuda))


def guessed_default(ctx: RuleContext, tv: TorchView, cc: str) -> bool:
    """Is ``tv``'s architecture list only PyPI's default variant guessed for a version a person
    wrote without its build, while another variant of that release runs compute capability ``cc``?"""
    if tv.version is None or not tv.version.stated or tv.build is None or tv.build.local != "":
        return False
    if ctx.facts.torch.cuda_build.ok or failure_texts(ctx.facts) or arch_said(ctx.facts):
        return False  # the build's CUDA said ("PyTorch 2.8.0 + cu129"), a failure, or the lack said ("… too old for the RTX 3090")
    if tv.arch_list is not None and not str(tv.arch_list.source).startswith("torch_variants table"):
        return False  # torch's own list (collect_env, get_arch_list()), not the table's
    release = tv.build.release
    if release is None:
        return False
    return any(_runs(ctx.kb, v, cc) for v in ctx.kb.variants_of(release))


def wheel_era(ctx: RuleContext, cc: str) -> Optional[str]:
    """With "no kernel image" but no build known: among every PyTorch wheel in the tables,
    the ones without kernels for this GPU are either all older than it (it is too new for
    them: an RTX 3090 under a CUDA 10 build) or all newer (it is too old: a Kepler under a
    recent build). When both kinds exist (Pascal, Volta: dropped by the newest wheels,
    unknown to none), the build has to be in the text to tell."""
    kinds = wheel_eras(ctx, cc)
    return kinds.pop() if len(kinds) == 1 else None


def wheel_eras(ctx: RuleContext, cc: str) -> Set[str]:
    """How the PyTorch wheels in the tables that lack this GPU lack it: "too_old" (newer wheels
    dropped it), "too_new" (older wheels predate it), both (Pascal, Volta) or none."""
    kinds: Set[str] = set()
    for rel in ctx.kb.releases:
        for v in ctx.kb.variants_of(rel):
            if v.arch_list_spec:
                verdict = arch_support(v.arch_list, cc)
                if verdict in ("too_old", "too_new"):
                    kinds.add(verdict)
    return kinds


def cuda_window(ctx: RuleContext, cc: str, cuda: str, failed: bool) -> Optional[str]:
    """Without an arch list: is the build's CUDA outside what can target this GPU? A CUDA older
    than the GPU but able to target an earlier GPU of its major (CUDA 11.0, sm_80, on an sm_86
    RTX 3090) may have shipped that cubin, which runs on it: outside only where the text shows a
    failure (``failed``: "no kernel image", an error line, the person saying it fails), as a guessed
    variant stands only beside one (``guessed_default``)."""
    row = ctx.kb.compute_capability(cc)
    if row is None:
        return None
    if row.last_cuda and ver(cuda) > ver(row.last_cuda):
        return "too_old"
    if row.first_cuda and ver(cuda) < ver(row.first_cuda if failed else first_cuda_of_major(ctx.kb, cc)):
        return "too_new"
    return None


def between_archs(ctx: RuleContext, archs, cc: str) -> str:
    """arch_support, with a GPU that sits between the build's architectures (Pascal in a
    nightly with sm_50 and sm_70) called too old when every wheel that lacks it is newer
    than it: its architecture was dropped, not yet to come."""
    verdict = arch_support(archs, cc)
    if verdict == "too_new":
        listed = [cc_tuple(a.split("_")[1].rstrip("af")) for a in archs if "_" in str(a)]
        if any(a > cc_tuple(cc) for a in listed) and wheel_era(ctx, cc) == "too_old":
            return "too_old"
    return verdict
