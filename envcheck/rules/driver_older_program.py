"""The driver is older than the CUDA a program was built with, said by evidence the other
driver rules do not weigh.

* CUDA's "API call is not supported in the installed CUDA driver"
  (``cudaErrorCallRequiresNewerDriver``, ``cuda_requires_newer_driver``): the runtime runs on
  an older driver through minor-version compatibility and then calls an API that driver lacks
  (https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html);
  and the runtime's ``cudaErrorInsufficientDriver`` written as a binding's enum member
  ("CUDAError InsufficientDriver", ``cuda_insufficient_driver_member_name``). Whose runtime it
  is decides the finding: torch's (c10's "CUDA error: …" with a CUDA build of torch in the
  text) is ``driver_too_old_for_torch_cuda``, another program's (lmdeploy's TurboMind, a
  CuTe DSL kernel, a cudarc binary) ``cuda_toolkit_newer_than_driver``. PyTorch never prints an
  enum member's name, so the member-name form is another program's; c10's "CUDA error: …" with no
  other program on its line is torch's, as ``cuda_program`` reads the runtime's other driver errors.
* A CUDA release a person gives for the machine ("My CUDA version is 12.9.41") that the stated
  driver cannot be (driver 570.133.20 runs CUDA 12.8 at most, so nvidia-smi's header cannot say
  12.9): that number is the toolkit's, newer than the driver. Only beside a failure, with no
  torch in the text (then ``driver_claims`` weighs the number against torch's CUDA) and no nvcc
  shown (``tool_output`` compares nvcc's own release).
* A person saying the driver is too old for a failure ("got an error that turned out to be
  caused by the nvidia driver being too old", ``explain/parsers/driver_prose.py``) where the text
  shows no PyTorch at all: the program that failed brought its own CUDA (cuDF, a CUDA binary),
  so it is that CUDA the driver is too old for. With torch in the text ``driver_claims`` weighs
  the sentence against torch's CUDA, and with a catalogued message that says whose CUDA it is
  (torch's "driver on your system is too old", the runtime's cudaErrorInsufficientDriver) the
  rules reading it decide; the sentence must name the failure itself, or the text show one. Which
  program it was is inferred from torch's absence: the fix (a newer driver) is the same either way.

Each is likely: the program's CUDA is inferred from its words or from a person's number.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from envcheck.derived.cuda_program import DRIVER_OLDER_MESSAGES, other_program, printed
from envcheck.derived.driver_branch import said_branch
from envcheck.derived.driver_claims import said_cuda, said_too_old
from envcheck.derived.machine import driver_runs, driver_version
from envcheck.derived.messages import Stated
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

REQUIRES_NEWER = "cuda_requires_newer_driver"
MEMBER_NAME = "cuda_insufficient_driver_member_name"
# CUDA error 804, cudaErrorCompatNotSupportedOnDevice (messages.toml cuda_compat_not_supported).
COMPAT = "cuda_compat_not_supported"
# c10's wording of a CUDA runtime error (C10_CUDA_CHECK: "CUDA error: " + cudaGetErrorString).
_C10_FORM = re.compile(r"\bCUDA error: API call is not supported")


def _torchs(ctx: RuleContext, s: Stated) -> bool:
    """The runtime that failed is torch's: c10's form and no other program named on its line (as
    ``cuda_program`` reads cudaErrorInsufficientDriver), unless the text shows a CPU build."""
    tv = ctx.torch_view
    return (s.id == REQUIRES_NEWER and bool(_C10_FORM.search(s.text)) and other_program(s) is None
            and not (tv is not None and tv.is_cpu))


def driver_lacks_program_api(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id in (REQUIRES_NEWER, MEMBER_NAME) and printed(s)), None)
    if said is None:
        return
    cuda = ctx.facts.nvml.cuda_driver_version
    runs = f" (the driver runs CUDA {cuda.value} at most)" if cuda.ok and cuda.value else ""
    what = ("calls a CUDA API this driver does not have (“API call is not supported in the installed CUDA driver”)"
            if said.id == REQUIRES_NEWER else "stops with cudaErrorInsufficientDriver")
    if _torchs(ctx, said):
        tv = ctx.torch_view
        cuda = tv.cuda if tv is not None and tv.cuda is not None else None
        need = ctx.kb.min_driver_for_cuda(str(cuda.value)) if cuda is not None else None
        yield make("driver_too_old_for_torch_cuda",
                   f"PyTorch{f', built for CUDA {cuda.value},' if cuda is not None else ''} {what}{runs}: the driver is "
                   f"older than the CUDA torch was built with. Install a newer driver{f' (>= {need})' if need else ''}, "
                   "or the PyTorch build for the CUDA the driver runs (nvidia-smi's header names it).",
                   [quote(said)] + ([(cuda.source, cuda.value)] if cuda is not None else []),
                   confidence=Confidence.LIKELY)
        return
    program = other_program(said) or "The program"
    yield make("cuda_toolkit_newer_than_driver",
               f"{program} {what}{runs}: it was built with a newer CUDA than this driver supports. Install a newer "
               "driver (nvidia-smi's header then shows a CUDA at least the program's), or the program's build for the "
               "CUDA the driver runs. PyTorch's wheels bring their own CUDA and are judged apart.",
               [quote(said)], confidence=Confidence.LIKELY)


def _failure(ctx: RuleContext) -> Optional[Stated]:
    return next((s for s in ctx.stated if s.message.kind == "error"), None)


def _driver_or_branch(f) -> Optional[tuple]:
    """(version or branch, where it was read): a tool's or a person's full version, else a branch
    a person named ("my driver is 525", ``derived/driver_branch.py``): the branch's newest CUDA is
    all this rule compares."""
    drv = driver_version(f)
    if drv is not None:
        return drv.value, drv.source
    branch = said_branch(f.nvml.driver_version)
    return (branch, "nvml.driver_version (a branch named in the text)") if branch else None


def said_cuda_beyond_driver(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    said = said_cuda(f.nvml.cuda_driver_version)
    drv = _driver_or_branch(f)
    if said is None or drv is None or ctx.torch_view is not None or f.toolkit.nvcc_version.ok:
        return
    drv_value, drv_source = drv
    most = ctx.kb.max_cuda_for_driver(drv_value)
    have, want = ver(most) if most else None, ver(said)
    if have is None or want is None or want <= have:
        return
    failed = _failure(ctx)
    if failed is None:
        return  # a number and a driver on a machine that may work: nothing failed
    # Within one major a newer runtime still starts on the older driver (minor-version
    # compatibility); only the driver's own words say it then failed for that reason, or
    # CUDA's error 804: a newer user-mode driver (cuda-compat, as container images ship it) was
    # loaded over this older kernel driver on a GPU without forward compatibility.
    why = next((s for s in ctx.stated if s.id in DRIVER_OLDER_MESSAGES + (REQUIRES_NEWER, MEMBER_NAME, COMPAT)), None)
    if driver_runs(most, said) and why is None:
        return
    failed = why or failed
    words = str(f.nvml.cuda_driver_version.detail).split("(", 1)[-1].rstrip(")")
    yield make("cuda_toolkit_newer_than_driver",
               f"The text gives CUDA {said} (“{words}”) and driver {drv_value}, which runs CUDA {most} at most: so "
               f"{said} is not the driver's CUDA but the toolkit's (nvcc's, the program's), newer than this driver. "
               f"Install a driver for CUDA {said} or newer, or build with a CUDA toolkit no newer than {most}.",
               [("nvml.cuda_driver_version", words[:160]), (drv_source, drv_value),
                ("cuda_driver table (newest CUDA of the driver)", most), quote(failed)],
               confidence=Confidence.LIKELY)


# The sentence names the failure it blames on the driver ("got an error that turned out to be caused
# by the driver being too old", "crashes because the driver is outdated").
_FAILURE_WORDS = re.compile(r"\b(?:error|errors|fail\w*|crash\w*|exception|abort\w*)\b|报错|错误|失败|エラー|오류", re.I)
# A fixed past state in the same sentence: the claim is history ("the old error was caused by the driver
# being too old" names a failure that is over). The reader's detail holds only that sentence; what the
# next ones say ("after updating it everything works") is explain.sentences.working_after's, at the reader.
_FIXED = re.compile(r"\b(?:fixed|solved|resolved|works?\s+now|working\s+now|after\s+updat\w*|after\s+upgrad\w*)\b"
                    r"|\b(?:old|earlier|previous|original|former)\s+(?:error|problem|issue|crash|failure)s?\b", re.I)


def driver_said_too_old_for_program(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    claim = f.nvml.cuda_driver_version
    if not said_too_old(claim) or ctx.torch_view is not None or f.toolkit.nvcc_version.ok:
        return
    if any(s.supports("driver_too_old_for_torch_cuda") or s.supports("cuda_toolkit_newer_than_driver")
           for s in ctx.stated):
        return  # the program's own words are in the text: the rules that read them decide whose CUDA it is
    sentence = str(claim.detail).split("(", 1)[-1].rstrip(")")
    if _FIXED.search(sentence):
        return
    failed = _failure(ctx)
    if failed is None and not _FAILURE_WORDS.search(sentence):
        return  # a driver called old beside nothing that failed
    drv = driver_version(f)
    most = ctx.kb.max_cuda_for_driver(drv.value) if drv is not None else None
    yield make("cuda_toolkit_newer_than_driver",
               f"The text says the NVIDIA driver is too old (“{sentence}”), for a program that is not PyTorch: that "
               "program was built with a newer CUDA than the driver supports"
               + (f" (driver {drv.value} runs CUDA {most} at most)" if most else "") + ". Install a driver for the "
               "CUDA the program was built with (its release notes name it), or the program's build for the CUDA "
               "the driver runs. (Were it PyTorch, whose version the text does not show, the fix is the same newer "
               "driver.)",
               [("nvml.cuda_driver_version", sentence[:160])] + ([(drv.source, drv.value)] if drv is not None else [])
               + ([quote(failed)] if failed is not None else []),
               confidence=Confidence.LIKELY)


RULES = (driver_lacks_program_api, said_cuda_beyond_driver, driver_said_too_old_for_program)
