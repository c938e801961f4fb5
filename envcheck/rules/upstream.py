"""Findings that upstream's own messages state (``knowledge/data/messages.toml``).

* **decisive**: "Failed to initialize NVML: Driver/library version mismatch", "Key was
  rejected by service", "uncorrectable ECC error encountered": the program that printed it
  has checked the thing itself, so the finding stands on the message alone, confirmed,
  whatever else the facts hold.
* **probable**: "NVRM: The NVIDIA probe routine was not called" (nouveau, far more often
  than rivafb or vfio-pci), a DataLoader worker's bus error (/dev/shm): the finding is the
  commonest cause by far, so the message alone gives it as *likely* — but only while the
  facts its check needs (``needs.py``) are not all in the text: when they are, that rule
  has decided, and a message does not overrule it.

The rules that read the facts for the same finding come first in the registry; the engine
merges their finding with this one (their explanation and fix, this one's certainty), so a
message only adds a finding where the facts alone say nothing. ``compat`` reads its own
messages (driver, architecture, CPU-only build) because which of its findings a message
means depends on the facts; ``failures`` and ``versions`` weigh theirs too.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.docker_gpu_request import gpus_flag_worked, unknown_capabilities
from envcheck.derived.gpu_request_unmet import requested
from envcheck.derived.messages import Stated
from envcheck.derived.node_gpus import node_without_gpus
from envcheck.rules.catalogue import CATALOGUE
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.failures import on_wsl
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.needs import View, checkable

# Findings whose rule weighs the message against the facts itself.
_WEIGHED = frozenset({"driver_too_old_for_torch_cuda", "gpu_arch_too_old_for_torch_build",
                      "gpu_arch_unsupported_by_torch_build", "torch_cpu_only_build", "cudnn_version_mismatch",
                      # a refusal that names no module counts only when nvidia is missing (platform)
                      "driver_not_loaded_secure_boot",
                      # weighed against the GPU the text shows (rules/library_capability.py)
                      "gpu_too_old_for_library"})


def _facts_said(s: Stated):
    """The values the message carried, as evidence ("nccl.shm_request_bytes = 9637888")."""
    return [(f.name, f.value) for f in s.match.facts if f.name != "detail"][:4]


def _findings_for(s: Stated, fid: str):
    """The findings a message means, where a fact it carries says more than its entry:
    modprobe's "Module nvidia-uvm not found" says nvidia-uvm is not loaded as well as that
    the modules are not built for this kernel; another process holding under 1 GiB is not
    why torch ran out of memory."""
    module = str(s.fact("driver.module") or "")
    if fid == "driver_kernel_module_not_loaded" and "uvm" in module:
        return (fid, "nvidia_uvm_missing")
    held = s.fact("gpu.memory_held")
    if fid == "gpu_memory_in_use" and isinstance(held, int) and held < 2**30:
        return ()  # another process's few hundred MiB do not explain an out-of-memory error
    total, free, reserved = (s.fact(f"gpu.memory_{k}") for k in ("total", "free", "reserved"))
    if s.fact("gpu.memory_total_gib") is not None:  # vLLM's startup check: free of total, nothing reserved yet
        total, free, reserved = s.fact("gpu.memory_total_gib"), s.fact("gpu.memory_free_gib"), 0
    if fid == "gpu_memory_in_use" and all(isinstance(v, int) for v in (total, free, reserved)):
        outside = total - free - reserved
        if outside < max(2 * 2**30, total // 10):
            return ()  # this process's CUDA context and libraries account for that much
    return (fid,)


def _ruled_out(ctx: RuleContext, s: Stated, fid: str) -> bool:
    """What the message means is not this machine's: dockerd's "could not select device driver"
    where the text shows the NVIDIA driver is not what is missing (a capability no driver has,
    "[[all gpu]]", or ``--gpus`` said to work on the same host: derived/docker_gpu_request.py);
    nvidia_uvm on WSL, which has no such module (CUDA goes through /dev/dxg)."""
    if fid == "nvidia_uvm_missing":
        return on_wsl(ctx)
    if fid == "container_missing_gpus_flag":  # the start asked for the GPU (rules/container_request_unmet.py),
        return requested(ctx.facts) is not None or node_without_gpus(ctx.facts) is not None  # or the node has none
    return (fid == "nvidia_container_toolkit_missing" and s.id == "docker_no_gpu_driver"
            and bool(unknown_capabilities(s.match.text) or gpus_flag_worked(ctx.facts)))


def stated_by_upstream(ctx: RuleContext) -> Iterator[Finding]:
    done = set()
    for s in ctx.stated:
        for fid in (x for f in s.message.findings("decisive") for x in _findings_for(s, f)):
            if fid in _WEIGHED or fid in done or _ruled_out(ctx, s, fid):
                continue
            done.add(fid)
            spec = CATALOGUE[fid]
            # An error upstream raised is a failure the user hit, even where the finding is
            # only a note on a machine probed live (no torch installed, another nvcc).
            severity = Severity.ERROR if s.message.kind == "error" and spec.severity is Severity.INFO else None
            yield make(fid,
                       f"{spec.summary} {s.message.origin.project} says so itself: “{quote(s)[1]}” "
                       f"({s.message.summary}).",
                       [quote(s)] + _facts_said(s), severity=severity, confidence=Confidence.CONFIRMED)


def probable_from_upstream(ctx: RuleContext) -> Iterator[Finding]:
    view = None
    done = set()
    for s in ctx.stated:
        for fid in (x for f in s.message.findings("probable") for x in _findings_for(s, f)):
            if fid in _WEIGHED or fid in done or _ruled_out(ctx, s, fid):
                continue
            view = view or View(ctx.facts, ctx.stated)
            if checkable(fid, view):
                continue  # the facts its rule reads are all here: that rule decided
            done.add(fid)
            spec = CATALOGUE[fid]
            severity = Severity.ERROR if s.message.kind == "error" and spec.severity is Severity.INFO else None
            note = f" ({s.message.note})" if s.message.note else ""
            yield make(fid,
                       f"{spec.summary} Likely: {s.message.origin.project} printed “{quote(s)[1]}”, and this is the "
                       f"usual cause{note}. The text does not show the facts that would confirm it.",
                       [quote(s)] + _facts_said(s), severity=severity, confidence=Confidence.LIKELY)


RULES = (stated_by_upstream, probable_from_upstream)
