"""The driver said, in a person's words, to be too old for the PyTorch in the paste.

``explain/parsers/driver_prose.py`` reads the sentence ("the msg is that my Nvidia version is
too old", "驱动太老"); it is most often torch's "The NVIDIA driver on your system is too old"
retold. The finding needs a failure beside it (CUDA unavailable, an error in the text) and a
torch to be too old for; it is likely, and the facts overrule it: a driver version and a torch
CUDA that fit, or another program's CUDA error (``cuda_toolkit_newer_than_driver``).
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.cuda_program import driver_older_elsewhere
from envcheck.derived.driver_claims import said_cuda, said_too_old
from envcheck.derived.machine import driver_runs, driver_version
from envcheck.knowledge.archs import version_at_least
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding


def driver_said_too_old(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    claim = f.nvml.cuda_driver_version
    tv = ctx.torch_view
    if not said_too_old(claim) or tv is None or tv.is_cpu or driver_older_elsewhere(ctx.stated):
        return
    failed = (f.torch.cuda_available.ok and f.torch.cuda_available.value is False) or any(
        s.message.kind == "error" for s in ctx.stated) or bool(f.torch.errors.get(()))
    if not failed:
        return  # a driver once too old, on a machine that works now
    drv = driver_version(f)
    need = ctx.kb.min_driver_for_cuda(str(tv.cuda.value)) if tv.cuda is not None else None
    if drv is not None and need is not None and version_at_least(drv.value, need):
        return  # the versions in the text fit: the sentence is about something else
    sentence = str(claim.detail).split("(", 1)[-1].rstrip(")")
    yield make("driver_too_old_for_torch_cuda",
               "The text says the NVIDIA driver is too old (“" + sentence + "”), beside a failure"
               + (f", with a PyTorch built for CUDA {tv.cuda.value}" + (f", which needs driver >= {need}" if need else "")
                  if tv.cuda is not None else "")
               + ": most likely torch's own “The NVIDIA driver on your system is too old” retold. Install a newer "
               "driver, or a PyTorch build for the CUDA this driver runs (nvidia-smi's header says which).",
               [("nvml.cuda_driver_version", sentence[:160])]
               + ([(tv.cuda.source, tv.cuda.value)] if tv.cuda is not None else []),
               confidence=Confidence.LIKELY)


def said_cuda_older_than_torch(ctx: RuleContext) -> Iterator[Finding]:
    """A person gives the machine's CUDA ("CUDA version: 10.0") and a PyTorch whose build (its
    +cuXXX, else the PyPI default wheel of that release, ``knowledge/data/torch_releases.toml``)
    needs a newer CUDA, and CUDA does not work: the driver is most likely too old for that build
    (nvidia-smi's header is the CUDA a person reads off most often, and torch runs on any
    toolkit). Only where no tool shows the driver (then ``compat`` decides on the facts), nvcc
    does not show this same number (then it was the toolkit's), and the text says CUDA failed."""
    f = ctx.facts
    said = said_cuda(f.nvml.cuda_driver_version)
    tv = ctx.torch_view
    if said is None or tv is None or tv.is_cpu or tv.cuda is None or driver_older_elsewhere(ctx.stated):
        return
    if driver_version(f) is not None or (f.toolkit.nvcc_version.ok and str(f.toolkit.nvcc_version.value).startswith(said)):
        return
    # torch counting no device is the same failure as is_available() False
    failed = ((f.torch.cuda_available.ok and f.torch.cuda_available.value is False)
              or (f.torch.device_count.ok and f.torch.device_count.value == 0))
    if not failed or driver_runs(said, str(tv.cuda.value)):
        return
    need = ctx.kb.min_driver_for_cuda(str(tv.cuda.value))
    words = str(f.nvml.cuda_driver_version.detail).split("(", 1)[-1].rstrip(")")
    yield make("driver_too_old_for_torch_cuda",
               f"The text gives CUDA {said} (“{words}”) and a PyTorch built for CUDA {tv.cuda.value} ({tv.cuda.source}), "
               "and CUDA is unavailable. If that CUDA is nvidia-smi's (the driver's), this PyTorch needs a newer "
               f"driver{' (>= ' + need + ')' if need else ''}; install one, or the PyTorch build for CUDA {said} "
               "(its +cuXXX wheel from download.pytorch.org).",
               [("nvml.cuda_driver_version", words[:160]), (tv.cuda.source, tv.cuda.value),
                ("torch.cuda_available", f.torch.cuda_available)],
               confidence=Confidence.LIKELY)


RULES = (driver_said_too_old, said_cuda_older_than_torch)
