"""Compiled extensions that say themselves what they were built for.

xFormers' loader prints the torch its wheel was built for beside the running one when its
C++ library does not load (xformers/_cpp_lib.py), with "with CUDA N" ("PyTorch 2.1.0+cu121 with
CUDA 1201 (you have 2.1.0+cu118)", ``xformers_built_for_other_torch``) or, in older releases,
without it ("PyTorch 2.0.1 (you have 2.1.0+cu121)", ``xformers_built_for_torch_no_cuda_field``).
Both are read the same way: another torch on the running side is an xFormers built for another torch; a
running torch that is a CPU-only build is that finding's (``compat``); the same version on
both sides (or the same release with a local tag on one side only: a conda torch prints none)
means something else kept the library from loading, and nothing is said.

Environment reports list an extension's build beside the machine (messages.toml, block r12ext):

* detectron2's "detectron2 arch flags" are the cubins in its _C: a GPU the report names that
  none of them runs (``knowledge.archs.arch_support``) gets "no kernel image" from detectron2's
  ops, whatever torch's own build covers. cuobjdump lists cubins only, so "likely".
* "CUDA compiler  not available" (detectron2) / "MMCV CUDA Compiler: not available" (mmcv): the
  extension was built without CUDA; with a GPU torch can use, its ops have no GPU kernels.
* torchvision's and torchaudio's compiled ops missing from torch's dispatcher ("No such operator
  torchvision::nms", "operator torchvision::nms does not exist", "'_OpNamespace' 'torchvision' object
  has no attribute 'nms'", "Couldn't load custom C++ ops") or torchaudio's own CUDA check ("compiled
  with different CUDA versions"): the package's library did not load into this torch, so it was built
  for another torch or another CUDA build of it — also where the versions pair ("torch 1.4.0+cu92",
  "torchvision 0.5.0": the untagged wheel is PyPI's, another CUDA build), which the listing rules
  cannot see. torch.ops.load_library's "Could not load this library: …/libtorchaudio.so" counts only
  where the loader's own reason is not in the text. A program that logs torchaudio's check as an ignored import error goes on: a warning.
* flash-attn's setup.py checks nvcc's release (under CUDA_HOME), not torch's: when torch's own
  CUDA is new enough (or not shown), the toolkit differs from torch's CUDA and the build needs a
  nvcc matching it. When torch's CUDA is older too, both are, and nothing is said.
"""

from __future__ import annotations

import re
from typing import Iterator, Tuple

from envcheck.derived.line_report import not_reported
from envcheck.derived.machine import find_text, said_failing
from envcheck.knowledge.archs import arch_support, sm_name, ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.library_dialogs import ASKED

_BANNER = "xformers_built_for_torch_no_cuda_field"


def _other_torch(built: str, have: str) -> bool:
    """Another release, or the same release of another CUDA build ("+cu118" against "+cu121").
    A local tag on one side only (a conda torch prints none) says nothing about the build."""
    b, h = ver(built), ver(have)
    if b is None or h is None:
        return built != have
    if b.public != h.public:
        return True
    return bool(b.local and h.local and b.local != h.local)


# The form with the CUDA field: "built for: PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.1.0+cu118)".
_WITH_CUDA = re.compile(r"PyTorch (?P<built>[\w.+-]{1,40}) with CUDA (?:\d{3,5}|None) \(you have (?P<have>[\w.+-]{1,40})\)")


def _banner_versions(s) -> Tuple[str, str]:
    """The torch an xFormers banner was built for and the running one ("" when not this banner)."""
    if s.id == "xformers_built_for_other_torch":
        m = _WITH_CUDA.search(s.text)
        return (m.group("built"), m.group("have")) if m else ("", "")
    if s.id == _BANNER:
        return str(s.fact("detail") or ""), str(s.fact("torch.version") or "")
    return "", ""


def xformers_built_for_other_torch(ctx: RuleContext) -> Iterator[Finding]:
    """The banner alone is a warning: xFormers is optional for the apps that print it (a web UI
    runs on without it, slower); with memory_efficient_attention's "No operator found for …"
    (or its "not built with CUDA" reason), or the person saying it fails, something needed it,
    and it is an error."""
    for s in ctx.stated:
        built, have = _banner_versions(s)
        if not built or not have or have.endswith("+cpu") or not _other_torch(built, have):
            continue
        failed = any(o.id == "xformers_op_not_built_with_cuda" for o in ctx.stated) or \
            find_text(ctx.facts, "No operator found for") is not None or \
            said_failing(ctx.facts) is not None
        yield make("extension_built_for_other_torch",
                   f"xFormers' compiled extensions were built for PyTorch {built} but PyTorch {have} is running, so "
                   "they do not load (its memory-efficient attention and other kernels are unavailable). Install the "
                   "xFormers build made for the installed torch (the same index and CUDA), or the torch it was built "
                   "for.", [quote(s), ("xformers.built_for", built), ("torch.version", have)],
                   severity=None if failed else Severity.WARNING)
        return


def _cubins(listed: str) -> Tuple[str, ...]:
    """detectron2's arch flags ("7.0, 7.5" or "sm_37") as get_arch_list() names."""
    out = []
    for item in re.findall(r"sm_\d{2,3}|\d{1,2}\.\d{1,2}", listed):
        out.append(item if item.startswith("sm_") else sm_name(item))
    return tuple(out)


def detectron2_arch_flags_lack_gpu(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == "detectron2_arch_flags"), None)
    cubins = _cubins(str(said.fact("detail") or "")) if said is not None else ()
    if not cubins:
        return
    for g in ctx.gpus:
        if not g.cc or g.other_ccs or arch_support(cubins, g.cc) in ("cubin", "ptx"):
            continue
        yield make("extension_built_without_gpu_arch",
                   f"detectron2's compiled ops hold kernels for {', '.join(cubins)} only, and {g.name or 'the GPU'} "
                   f"has compute capability {g.cc}: its ops (ROIAlign, NMS, deformable convolution) fail with 'no "
                   f"kernel image is available' on it. Rebuild detectron2 on this machine, or with "
                   f"TORCH_CUDA_ARCH_LIST including {g.cc}.",
                   [quote(said), (g.cc_source, g.cc)], gpu=g.index, confidence=Confidence.LIKELY)
        return


_BUILT_WITHOUT_CUDA = ("detectron2_cuda_compiler_not_available", "mmcv_cuda_compiler_not_available")


def extension_built_without_cuda(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id in _BUILT_WITHOUT_CUDA), None)
    if said is None:
        return
    tv = ctx.torch_view
    available = ctx.facts.torch.cuda_available
    if tv is not None and tv.is_cpu or available.ok and available.value is False:
        return  # torch has no GPU either: the extension's CPU build is not what is missing
    if not (available.ok and available.value) and not ctx.gpus:
        return
    name = "detectron2" if said.id.startswith("detectron2") else "mmcv"
    yield make("extension_built_without_gpu_arch",
               f"{name}'s compiled ops were built without CUDA ({quote(said)[1]}), while torch has a GPU: every op "
               f"of it on a CUDA tensor fails (\"Not compiled with GPU support\", or no CUDA kernel). Reinstall the "
               f"{name} build made for the installed torch and CUDA, or rebuild it where nvcc and the GPU are "
               "visible (FORCE_CUDA=1).", [quote(said)] + ([("torch.cuda_available", available)] if available.ok else []),
               confidence=Confidence.LIKELY)


def flash_attn_nvcc_older(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == "flash_attn_needs_newer_cuda"), None)
    if said is None:
        return
    need = str(said.fact("detail") or "")
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return
    torch_cuda = str(tv.cuda.value) if tv is not None and tv.cuda is not None else ""

    if torch_cuda and need and ver(torch_cuda) is not None and ver(need) is not None and ver(torch_cuda) < ver(need):
        return  # torch's CUDA is older than flash-attn wants too: an older flash-attn, not another nvcc
    ours = f"torch's own CUDA is {torch_cuda}" if torch_cuda else "torch's CUDA is not in the text"
    yield make("toolkit_differs_from_torch_cuda",
               f"flash-attn's build checks nvcc's release under CUDA_HOME, not torch's: nvcc is older than CUDA {need} "
               f"while {ours}. Put a CUDA toolkit matching torch's CUDA first (CUDA_HOME, PATH), or install a "
               "pre-built flash-attn wheel for this torch.",
               [quote(said)] + ([(tv.cuda.source, tv.cuda)] if tv is not None and tv.cuda is not None else []),
               severity=Severity.ERROR, confidence=Confidence.LIKELY)


# Packages whose compiled code is built with their own CUDA toolkit, not against torch (libraries.py's
# list): a procedure missing under them is not another torch's.
def _own_cuda_package(name: str) -> bool:
    from envcheck.rules.libraries import OWN_CUDA_PACKAGES

    return bool(OWN_CUDA_PACKAGES.match(name))


def windows_procedure_not_found(ctx: RuleContext) -> Iterator[Finding]:
    """Windows' "The specified procedure could not be found" (ERROR_PROC_NOT_FOUND, its form of an
    undefined symbol) while importing a compiled extension (torch_scatter's .pyd through
    torch.ops.load_library, detectron2's _C): the extension calls a function the installed torch's
    DLLs do not export, so it was built for another torch. torch's own import is left to the torch
    rules; a package built with its own CUDA toolkit is not torch's extension."""
    for err in ctx.facts.torch.loader_errors.get(()) or ():
        if err.kind != "procedure_not_found" or err.importer == "torch" or _own_cuda_package(err.importer):
            continue
        said = next((s for s in ctx.stated if s.id == "windows_procedure_not_found"), None)
        yield make("extension_built_for_other_torch",
                   f"Importing {err.importer} failed with Windows' \"The specified procedure could not be found\": its "
                   "compiled library imports a function the installed torch's DLLs do not have, so it was built for "
                   "another PyTorch (or another CUDA build of it). Install its build made for the installed torch and "
                   "CUDA (for PyG's packages the wheel index named after them), or the torch it was built for.",
                   ([quote(said)] if said is not None else [])
                   + [("torch.loader_errors", f"{err.importer}: {err.object}")],
                   confidence=Confidence.LIKELY)
        return


# torch's dispatcher or the package itself saying its compiled ops did not load (messages.toml).
_COMPANION_OPS = ("torchvision_operator_missing", "torchvision_custom_ops_missing", "torch_ops_companion_attribute_missing",
                  "torch_no_such_operator_torchaudio", "torchaudio_cuda_version_differs",
                  "torch_load_library_companion_failed")
# SGLang's model loader: "Ignore import error when loading sglang.srt.models.X: <the message>".
_IGNORED = re.compile(r"Ignore import error when loading")
# A wheel's CUDA local tag as download.pytorch.org names its builds ("+cu92", "+cu118").
_CU = re.compile(r"\+cu(\d{2,3})$")


def _tags(ctx: RuleContext, package: str) -> str:
    """"torch 1.4.0+cu92 beside torchvision 0.5.0 (no CUDA tag: PyPI's build)" when the two builds' tags
    differ in what the text shows, else ""."""
    tv = ctx.torch_view
    have = str(tv.version.value) if tv is not None and tv.version is not None else ""
    other = next((p.version for p in ctx.facts.python.packages.get(()) or () if p.name == package), "")
    t, o = _CU.search(have), _CU.search(other)
    if not t or not other or (o and o.group(1) == t.group(1)):
        return ""
    return (f" The text shows torch {have} beside {package} {other}"
            f"{'' if o else ' (no +cu tag: the PyPI wheel, another CUDA build)'}.")


def companion_ops_missing(ctx: RuleContext) -> Iterator[Finding]:
    said = [s for s in ctx.stated if s.id in _COMPANION_OPS and not ASKED.search(s.text)
            and not not_reported(s.text, s.match.text)]
    if ctx.facts.torch.loader_errors.get(()):
        # the loader's own reason is in the text (an undefined symbol, a library that cannot be opened): the
        # rules that read it decide; torch.ops.load_library's wrapper line adds nothing to them
        said = [s for s in said if s.id != "torch_load_library_companion_failed"]
    if not said:
        return
    s = said[0]
    package = "torchaudio" if "torchaudio" in s.text.lower() and "torchvision" not in s.text.lower() else "torchvision"
    ignored = all(_IGNORED.search(x.text) for x in said)
    yield make("extension_built_for_other_torch",
               f"{package}'s compiled library did not load into the installed torch ({quote(s)[1]}), so it was "
               f"built for another PyTorch or another CUDA build of it.{_tags(ctx, package)} Install torch and "
               f"{package} together from one index (https://download.pytorch.org/whl/cuXYZ), in one command, so "
               "their builds match." + (" The program logged it and went on without that package." if ignored else ""),
               [quote(x) for x in said[:2]], severity=Severity.WARNING if ignored else None,
               confidence=Confidence.LIKELY)


RULES = (xformers_built_for_other_torch, detectron2_arch_flags_lack_gpu, extension_built_without_cuda, flash_attn_nvcc_older,
         windows_procedure_not_found, companion_ops_missing)
