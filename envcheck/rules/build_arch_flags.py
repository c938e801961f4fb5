"""A CUDA program built without the GPU's architecture, shown by its own nvcc flags.

Programs that compile their own kernels with CMake print the nvcc target flags they chose
("CUDA NVCC target flags: -gencode;arch=compute_50,code=sm_50;…", OpenCV's message, copied
by many projects). When the text shows those flags, names a GPU they do not cover (no cubin
of the GPU's major at or below it, no PTX at or below it: ``knowledge.archs``) and a kernel
then had no image for the GPU, the program's own build is the one missing it.

The flags shown are the ones configured, not necessarily the failing binary's, so the
finding is "likely".
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

from envcheck.knowledge.archs import arch_support, sm_name
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# "no kernel for this GPU" as CUDA's runtime and programs' own checks print it (messages.toml).
_NO_KERNEL = ("cuda_no_kernel_image", "cuda_invalid_device_function", "program_invalid_device_function")
# nvcc's -gencode arch=compute_XX,code=sm_XX (a cubin) or code=compute_XX (PTX).
_CODE = re.compile(r"\bcode=\[?((?:sm|compute)_\d{2,3}(?:,(?:sm|compute)_\d{2,3})*)")


def _targets(ctx: RuleContext) -> Optional[Tuple[str, Tuple[str, ...]]]:
    said = next((s for s in ctx.stated if s.id == "cmake_nvcc_target_flags"), None)
    if said is None:
        return None
    flags = str(said.fact("detail") or said.match.text)
    archs = tuple(a for m in _CODE.finditer(flags) for a in m.group(1).split(","))
    return (flags.strip(), archs) if archs else None


def nvcc_targets_lack_gpu(ctx: RuleContext) -> Iterator[Finding]:
    failed = next((s for s in ctx.stated if s.id in _NO_KERNEL), None)
    targets = _targets(ctx) if failed is not None else None
    if targets is None:
        return
    flags, archs = targets
    for g in ctx.gpus:
        if not g.cc or g.other_ccs or arch_support(archs, g.cc) in ("cubin", "ptx"):
            continue
        yield make("extension_built_without_gpu_arch",
                   f"The build's nvcc target flags ({flags[:160]}) have no {sm_name(g.cc)} code (nor PTX old "
                   f"enough) for {g.name or 'this GPU'} (compute capability {g.cc}), and a kernel then had no image "
                   f"for the GPU: the program's own kernels were not compiled for it. Rebuild with {g.cc} in the "
                   "architecture list (CUDA_ARCH_BIN, CMAKE_CUDA_ARCHITECTURES or -gencode).",
                   [("nvcc target flags", flags[:300]), (g.cc_source, g.cc), quote(failed)], gpu=g.index,
                   confidence=Confidence.LIKELY)
        return


RULES = (nvcc_targets_lack_gpu,)
