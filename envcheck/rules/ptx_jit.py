"""A program's kernels with no code for the GPU: CUDA had to JIT-compile their PTX and could not.

CUDA loads a module's cubin for the GPU's architecture when the module has one; only without it
does the driver JIT-compile the module's PTX, and "a PTX JIT compilation failed"
(``CUDA_ERROR_INVALID_PTX``, ``cuda_invalid_ptx``) says that failed too. TensorFlow prints it from
its generated kernels (``tf_gpu_runtime_wrappers.cc``: "'cuModuleLoadData(&module, data)' failed
with 'CUDA_ERROR_INVALID_PTX'"), XLA from ``cuModuleLoadDataEx``. With a GPU named in the text
and nothing saying the driver is older than the program's CUDA (that is the other way PTX fails:
``cuda_unsupported_ptx``, "CUDA driver version is insufficient", ``driver_older_program``), the
build has no code for this GPU's architecture: ``gpu_arch_unsupported_by_torch_build``, likely
(the build's architecture list is not in the text). A torch whose arch list in the text covers
the GPU is not the build that failed, so nothing is said then.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.cuda_program import DRIVER_OLDER_MESSAGES, printed
from envcheck.knowledge.archs import arch_support, cc_tuple, sm_name
from envcheck.rules.compat import quote
from envcheck.rules.driver_older_program import MEMBER_NAME, REQUIRES_NEWER
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

INVALID_PTX = "cuda_invalid_ptx"
_DRIVER_OLDER = DRIVER_OLDER_MESSAGES + (REQUIRES_NEWER, MEMBER_NAME, "cuda_unsupported_ptx")


def ptx_could_not_jit_for_gpu(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == INVALID_PTX and printed(s)), None)
    if said is None or any(s.id in _DRIVER_OLDER for s in ctx.stated):
        return
    gpus = [g for g in ctx.gpus if g.cc and not g.other_ccs]
    if not gpus:
        return  # which GPU the build lacks is not in the text: the verdict names what is missing
    g = max(gpus, key=lambda v: cc_tuple(v.cc))
    tv = ctx.torch_view
    if tv is not None and tv.arch_list is not None and arch_support(tv.arch_list.value, g.cc) in ("cubin", "ptx"):
        return  # torch's build covers the GPU: the failing module is another's, whose build is not shown
    yield make("gpu_arch_unsupported_by_torch_build",
               f"CUDA found no {sm_name(g.cc)} code for {g.name or 'the GPU'} (compute capability {g.cc}) in the "
               "program's kernels and could not JIT-compile their PTX either (“a PTX JIT compilation failed”): the "
               "build predates this GPU's architecture. Use a build with kernels for it (a newer release, or NVIDIA's "
               "NGC container of the framework), or a GPU the build supports.",
               [quote(said), (g.cc_source, g.cc)], gpu=g.index,
               recipe="" if tv is not None else None, confidence=Confidence.LIKELY)


RULES = (ptx_could_not_jit_for_gpu,)
