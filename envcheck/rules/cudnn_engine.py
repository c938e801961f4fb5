"""torch's cuDNN v8 API found no engine for a convolution ("GET was unable to find an engine to
execute this computation", messages.toml ``torch_cudnn_no_engine``).

Every engine cuDNN offered failed to build. Reports of it resolve, most often, to a cuDNN that is
not the one torch ships being loaded: a system libcudnn (apt's libcudnn8, a CUDA toolkit's bin/ on
PATH) found before the nvidia-cudnn wheel, or sub-libraries of two cuDNN versions (torch's
"Attempt to open cnn_infer failed … undefined symbol" warning before it). So it is
``cudnn_version_mismatch``, likely, unless the text shows another cause: memory (CUDA out of
memory, a cuDNN or cuBLAS ALLOC_FAILED status: the workspace), a cuDNN library missing outright
(``cuda_library_missing`` says it), a GPU without an architecture in torch's build, or a GPU that
is not NVIDIA's (ZLUDA runs CUDA programs on AMD GPUs, where this is ZLUDA's own gap).
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

NO_ENGINE = "torch_cudnn_no_engine"
# Other causes the text may show: memory, a missing library, a GPU torch's build lacks.
_OTHER_CAUSES = ("torch_out_of_memory", "cuda_no_kernel_image", "cudnn_status_arch_mismatch")
_ALLOC = re.compile(r"ALLOC_FAILED|out of memory", re.I)
_NOT_NVIDIA = re.compile(r"zluda|\bhip\b|rocm|\bamd\b|radeon", re.I)


def cudnn_found_no_engine(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == NO_ENGINE), None)
    if said is None:
        return
    if any(s.id in _OTHER_CAUSES or _ALLOC.search(s.match.text) or s.supports("cuda_library_missing")
           for s in ctx.stated if s.id != NO_ENGINE):
        return  # the text shows another cause; the rules reading it say which
    if _NOT_NVIDIA.search(said.text) or ctx.facts.has_nvidia_gpu is False:
        return
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return
    yield make("cudnn_version_mismatch",
               f"torch's cuDNN found no engine for a convolution (“{quote(said)[1]}”): every kernel cuDNN offered failed "
               "to build. Most often the cuDNN loaded is not the one this torch ships with (a system libcudnn, or a CUDA "
               "toolkit's cuDNN on PATH / LD_LIBRARY_PATH, found before the nvidia-cudnn wheel). Remove the other cuDNN "
               "from the library path (apt remove libcudnn8 in an image that has torch's wheel, or drop the directory "
               "from LD_LIBRARY_PATH) so torch loads its own; if the GPU was full at the time, free memory instead.",
               [quote(said)], confidence=Confidence.LIKELY)


RULES = (cudnn_found_no_engine,)
