"""A kernel without an image for the GPU, raised at the program's own source file.

CUDA says "no kernel image is available for execution on the device" (or "invalid device
function") for any kernel compiled without the GPU's architecture. Programs' own check
macros print the source file beside it (``__FILE__:__LINE__``: Caffe's glog CHECK, a
``cudaSafeCall``, ``gpuErrchk``, c10's pre-1.7 "(<function> at <file>:<line>)" suffix). When
that file is outside PyTorch's own tree (aten/, c10/, THC, caffe2/), the kernel is the
program's or extension's: its build (CMAKE_CUDA_ARCHITECTURES, -gencode,
TORCH_CUDA_ARCH_LIST) left the GPU out, whatever torch's wheel covers.

The file names where the check ran, which is where the kernel was launched in every macro
above, but a paste may hold several programs' output, so the finding is "likely".
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.messages import Stated
from envcheck.knowledge.archs import arch_support
from envcheck.rules import build_arch_flags, extension_arch
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_SITES = ("program_source_then_no_kernel", "no_kernel_at_program_source", "program_source_spaced_line_no_kernel",
          "thc_check_no_kernel_at_own_source")
# A program's or extension's own check printing CUDA's "no kernel" without naming a file
# ("Error: %s", "CUDA Error: %s", "cudaCheckError() failed : %s"; Deformable-DETR's and DCNv2's
# "error in <op>_cuda: %s" after their launches; spconv's TV_CHECK_CUDA_ERR: messages.toml). torch's own check says
# "CUDA error: invalid device function" and is not among these.
_OWN_CHECK = ("program_invalid_device_function", "ms_deform_attn_no_kernel", "dcnv2_no_kernel", "spconv_cuda_no_kernel")
# PyTorch's (and caffe2's) own sources: a kernel there is torch's build, judged by rules/compat.py.
_TORCH_TREE = ("aten/", "c10/", "thc/", "thcunn/", "caffe2/", "torch/csrc/", "/pytorch/")


def _own(path: str) -> bool:
    low = path.replace("\\", "/").lower()
    return not any(part in low for part in _TORCH_TREE)


def _asked(said: Stated) -> bool:
    """The message quoted in a question ("what does '… kernel.cu:45 invalid device function' mean?"):
    a question mark follows it on its line."""
    at = said.text.find(said.match.text)
    if at < 0:
        return False
    end = said.text.find("\n", at + len(said.match.text))
    return "?" in said.text[at + len(said.match.text):end if end >= 0 else len(said.text)]


def _shown_build_covers_gpus(ctx: RuleContext) -> bool:
    """The text shows the build's architectures (nvcc target flags, TORCH_CUDA_ARCH_LIST) and
    they cover every GPU whose capability is known: the kernel's image is not what is missing
    (build_arch_flags and extension_arch judge those lists)."""
    lists = [t[1] for t in (build_arch_flags._targets(ctx), extension_arch._arch_list(ctx)) if t]
    ccs = [g.cc for g in ctx.gpus if g.cc and not g.other_ccs]
    return bool(lists and ccs) and all(any(arch_support(a, cc) in ("cubin", "ptx") for a in lists) for cc in ccs)


def kernel_failed_at_own_source(ctx: RuleContext) -> Iterator[Finding]:
    site = next((s for s in ctx.stated if s.id in _SITES and _own(str(s.fact("detail") or "")) and not _asked(s)), None)
    if site is None or _shown_build_covers_gpus(ctx):
        return
    yield make("extension_built_without_gpu_arch",
               f"CUDA found no kernel for the GPU in code checked at {site.fact('detail')}, a source file of the program (or "
               "extension) itself, not of PyTorch: its own kernels were compiled without this GPU's architecture. "
               "Rebuild it with the GPU's compute capability in its architecture list (CMAKE_CUDA_ARCHITECTURES, "
               "-gencode arch=compute_XX,code=sm_XX or TORCH_CUDA_ARCH_LIST); `nvidia-smi --query-gpu=compute_cap "
               "--format=csv` gives it.",
               [quote(site)], confidence=Confidence.LIKELY)


def _torch_build_lacks_gpu(ctx: RuleContext) -> bool:
    """torch's own arch list in the text leaves a known GPU out: compat judges that build."""
    return any(g.cc and not g.other_ccs and extension_arch._torch_lacks(ctx, g.cc) for g in ctx.gpus)


def _nvcc_differs_from_torch(ctx: RuleContext) -> bool:
    """nvcc's release and torch's CUDA are both in the text and differ (Deformable-DETR's op built by a
    CUDA 9.2 nvcc beside a cudatoolkit 10.1 torch prints "invalid device function" too): the
    build's toolkit, not its architecture list, is then the likelier fault."""
    nvcc, tv = ctx.facts.toolkit.nvcc_version, ctx.torch_view
    if not (nvcc.ok and nvcc.value) or tv is None or tv.cuda is None or not tv.cuda.value:
        return False
    return str(nvcc.value).split(".")[:2] != str(tv.cuda.value).split(".")[:2]


def own_check_invalid_device_function(ctx: RuleContext) -> Iterator[Finding]:
    """The program's own error check (no file named) printed "invalid device function": the
    kernel it launched is its own, compiled without this GPU's architecture. Left to the rules
    above when a file is named or the build's list is shown, and to compat when torch's list
    lacks the GPU."""
    if any(s.id in _SITES for s in ctx.stated):
        return
    said = next((s for s in ctx.stated if s.id in _OWN_CHECK and not _asked(s)), None)
    if said is None or _shown_build_covers_gpus(ctx) or _torch_build_lacks_gpu(ctx) or _nvcc_differs_from_torch(ctx):
        return
    if build_arch_flags._targets(ctx) or extension_arch._arch_list(ctx):
        return  # the build's list is in the text: build_arch_flags / extension_arch weigh it
    yield make("extension_built_without_gpu_arch",
               f"The program's (or extension's) own CUDA error check printed “{said.match.text.strip()}”: a kernel "
               "it compiled itself (its setup.py's CUDAExtension, nvcc, CMake, a Makefile's -arch/-gencode) has no "
               "code for this GPU's architecture. Rebuild it with the GPU's compute capability in its architecture "
               "list (TORCH_CUDA_ARCH_LIST, -gencode arch=compute_XX,code=sm_XX, CMAKE_CUDA_ARCHITECTURES); "
               "`nvidia-smi --query-gpu=compute_cap --format=csv` gives it.",
               [quote(said)], confidence=Confidence.LIKELY)


RULES = (kernel_failed_at_own_source, own_check_invalid_device_function)
