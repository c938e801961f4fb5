"""An extension built without the GPU's architecture, shown by the build setting itself.

A CUDA extension (mmcv's ops, a setup.py ``CUDAExtension``, a Dockerfile's build) compiles
kernels only for ``TORCH_CUDA_ARCH_LIST``'s entries (torch/utils/cpp_extension.py:
``_get_cuda_arch_flags``); when the text sets that list, names a GPU it does not cover (no
cubin of the GPU's major at or below it, no PTX at or below it: ``knowledge.archs``) and
CUDA then found no kernel image, the extension's kernels are the ones missing — unless
torch's own build lacks the GPU too, which ``compat.gpu_arch_vs_torch_build`` says.

The list in the text is the one that was set, not necessarily the one the failing
extension was built with, so the finding is "likely".
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from envcheck.knowledge.archs import arch_support, parse_arch_list, sm_name
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# CUDA's "no kernel for this GPU" in its runtime, driver and NVRTC words (messages.toml).
_NO_KERNEL = ("cuda_no_kernel_image", "cuda_invalid_device_function", "nvrtc_invalid_arch")


def _arch_list(ctx: RuleContext) -> Optional[Tuple[str, Tuple[str, ...]]]:
    env = ctx.facts.env.variables.get({}) or {}
    spec = str(env.get("TORCH_CUDA_ARCH_LIST") or "").strip()
    if not spec:
        return None
    archs = parse_arch_list(spec.replace(",", ";"))
    return (spec, archs) if archs else None


def _torch_lacks(ctx: RuleContext, cc: str) -> bool:
    """torch's own build (its arch list in the text) has no kernels for the GPU either."""
    tv = ctx.torch_view
    return tv is not None and tv.arch_list is not None and arch_support(tv.arch_list.value, cc) not in ("cubin", "ptx")


def extension_arch_list_lacks_gpu(ctx: RuleContext) -> Iterator[Finding]:
    listed = _arch_list(ctx)
    failed = next((s for s in ctx.stated if s.id in _NO_KERNEL), None)
    if listed is None or failed is None:
        return
    spec, archs = listed
    for g in ctx.gpus:
        if not g.cc or g.other_ccs or _torch_lacks(ctx, g.cc):
            continue
        if arch_support(archs, g.cc) in ("cubin", "ptx"):
            continue
        yield make("extension_built_without_gpu_arch",
                   f"TORCH_CUDA_ARCH_LIST is \"{spec}\", which has no {sm_name(g.cc)} code (nor PTX old enough) for "
                   f"{g.name or 'this GPU'} (compute capability {g.cc}), and CUDA found no kernel image: the extension "
                   f"built with that list has no kernels for this GPU. Rebuild it with {g.cc} in TORCH_CUDA_ARCH_LIST "
                   "(or leave the variable unset to build for the GPUs present).",
                   [("env.TORCH_CUDA_ARCH_LIST", spec), (g.cc_source, g.cc), quote(failed)], gpu=g.index,
                   confidence=Confidence.LIKELY)
        return


RULES = (extension_arch_list_lacks_gpu,)
