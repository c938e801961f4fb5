"""``nvidia_uvm_hmm_init_failure``: NVIDIA's open kernel modules enable Heterogeneous Memory
Management in nvidia_uvm (x86_64, kernels with CONFIG_DEVICE_PRIVATE: 6.1.24 on, EL9's 5.14
backport; HMM is on by default from the 535 branch, kernel-open/nvidia-uvm/uvm_hmm.c's
``uvm_disable_hmm``). Where its set-up fails, every CUDA program stops at cuInit with
CUDA_ERROR_NOT_INITIALIZED (3: "initialization error", torch's "CUDA driver initialization failed",
ollama's "cuda driver library init failure: 3") while nvidia-smi works; the proprietary modules of
the same driver work (NVIDIA/open-gpu-kernel-modules#797, #901, #947; CUDA Toolkit release notes,
Known Issues: "CUDA initialization can fail on certain Linux kernels with KASLR enabled").

* **confirmed**: nvidia-uvm's own kernel-log line "devmem_alloc_pagemap … request_free_mem_region()
  err -34" (messages.toml, decisive: ``rules/upstream.py`` gives it), or a person saying that
  turning HMM off (``uvm_disable_hmm=1``) fixed CUDA, with CUDA's failure in the text or the fix
  sentence itself naming what it fixed (``explain/parsers/uvm_hmm_prose.py``); a warning where no
  failure is shown (the workaround in place: a modprobe.d comment, a note on a working machine).
* **likely**: CUDA's error 3 at start-up together with the open modules (their banner, an -open
  package, the installer's switch, modinfo, NixOS's option, a person's words) on a branch with HMM
  (535 or newer, or a branch the text does not give).

Never without the open modules or the fix said (error 3 alone is ``cuda_init_failed``'s or
another cause's); never where a message or the text says the driver or nvidia_uvm is not loaded
or /dev/nvidia-uvm is missing (that is ``driver_kernel_module_not_loaded`` / ``nvidia_uvm_missing``),
nor where the program ran in a container started without the GPUs; never on WSL (no nvidia_uvm
there).
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from envcheck.derived.machine import find_text
from envcheck.derived.messages import is_stated
from envcheck.derived.uvm_hmm_said import hmm_fix_said, init_3_said, open_modules, proprietary_too
from envcheck.facts import SAID_FAILING
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.failures import on_wsl
from envcheck.rules.finding import Confidence, Finding, Severity

ID = "nvidia_uvm_hmm_init_failure"
# HMM is enabled by default in nvidia_uvm on x86_64 from the 535 branch (CUDA 12.2's HMM support).
_FIRST_HMM_BRANCH = 535
# CUDA's start failing with error 3, in the words of the program that tried (messages.toml):
# cudaGetErrorString / cuGetErrorString of 3, torch's device_count_impl, ollama's nvcuda_init.
_INIT_3 = frozenset({"cuda_initialization_error", "torch_driver_init_failed", "ollama_cuinit_not_initialized"})
# The driver or nvidia_uvm not loaded at all: another finding's cause, not this one.
_NOT_LOADED = ("driver_kernel_module_not_loaded", "nvidia_uvm_missing", "gpu_present_driver_missing",
               "driver_not_loaded_secure_boot")
# The nodes CUDA opens (rules/device_nodes.py's device_node_permissions reads the same).
_NODE = re.compile(r"/dev/nvidia(?:ctl|\d+|-uvm)$")
# A driver version as NVML / nvidia-smi / the NVRM banner give it: its branch.
_MAJOR = re.compile(r"^(\d{3})\.")


def _not_loaded(ctx: RuleContext) -> bool:
    """A message says the driver or nvidia_uvm is not loaded, or nvidia-smi (NVML) could not start:
    with nvidia-smi failing, the open modules' HMM is not what stops CUDA."""
    init = ctx.facts.nvml.init
    if not init.ok and init.status.value != "unknown":
        return True
    if any(s.supports(fid, "decisive") for s in ctx.stated for fid in _NOT_LOADED):
        return True
    return _other_cause_shown(ctx)


def _other_cause_shown(ctx: RuleContext) -> bool:
    """The text shows another cause of CUDA's error 3: /dev/nvidia-uvm (or the control node) said or
    listed missing, the nodes closed to the user, the module said not loaded or lsmod listing nvidia
    without nvidia_uvm (nvidia_uvm_missing's, device_node_permissions' and the module's findings), or
    the failing program ran in a container started without the GPUs (no libcuda or nodes injected:
    container_missing_gpus_flag's cause)."""
    f = ctx.facts
    nodes = f.driver.device_nodes.get(()) or ()
    if any(n.path in ("/dev/nvidia-uvm", "/dev/nvidiactl") and n.exists is False for n in nodes):
        return True
    if any(n.exists and n.accessible is False and _NODE.search(n.path) for n in nodes):
        return True  # the user may not open them (device_node_permissions): "works with sudo"
    if set(f.driver.modules_not_loaded.get(()) or ()) & {"nvidia", "nvidia_uvm", "nvidia-uvm"}:
        return True
    mods = f.driver.loaded_modules.value if f.driver.loaded_modules.ok else None
    if mods is not None and "nvidia" in mods and "nvidia_uvm" not in mods and not is_stated(f.driver.loaded_modules):
        return True  # lsmod lists nvidia without nvidia_uvm (rules/device_nodes.nvidia_uvm_missing)
    gpus = f.host.container_gpus
    return gpus.ok and gpus.value == "none"


def _init_failed(ctx: RuleContext):
    """Evidence that CUDA's start failed with error 3, as (source, words), or None."""
    s = next((s for s in ctx.stated if s.id in _INIT_3), None)
    if s is not None:
        return quote(s)
    text = find_text(ctx.facts, "cudaGetDeviceCount returned 3\n", "cudaGetDeviceCount returned 3 ")
    if text:
        return ("deviceQuery", " ".join(text.split())[:200])
    said = init_3_said(ctx.facts)
    return ("the person's words", said[1]) if said else None


def _failure_told(ctx: RuleContext) -> bool:
    """A failure in the text besides error 3: a person saying something fails, or an upstream error."""
    return any(n.startswith(SAID_FAILING) for n in ctx.facts.notes) or any(s.message.kind == "error" for s in ctx.stated)


def _branch(ctx: RuleContext, named: Optional[int]) -> Optional[int]:
    if named is not None:
        return named
    for r in (ctx.facts.nvml.driver_version, ctx.facts.driver.kernel_module_version):
        m = _MAJOR.match(str(r.value or "")) if r.ok else None
        if m:
            return int(m.group(1))
    return None


def hmm_fix_was_said(ctx: RuleContext) -> Iterator[Finding]:
    said = hmm_fix_said(ctx.facts)
    if said is None or on_wsl(ctx) or any(s.supports(ID, "decisive") for s in ctx.stated):
        return  # the kernel log's own line says it (rules/upstream.py)
    what, words = said
    failed = _init_failed(ctx)
    if failed == ("the person's words", words):
        failed = None  # "uvm_disable_hmm=1 fixes cuInit error 3": the fix's own sentence, no failure shown
    if failed is None and not re.search(r"\b(?:issue|problem|error|cuda|cuinit|it)\b", words, re.IGNORECASE):
        return  # a fix of nothing named: a config that sets the option
    # With no failure shown, the text tells of the workaround in place (a modprobe.d comment, a
    # config management note): the cause as it was, a warning, not an error of this machine now.
    yield make(ID,
               f"The text says turning HMM off in nvidia_uvm ({what}) fixed CUDA: nvidia_uvm's Heterogeneous Memory "
               "Management set-up (open kernel modules) was failing, so cuInit returned CUDA_ERROR_NOT_INITIALIZED. "
               "Keep the option in /etc/modprobe.d (or boot with nokaslr, or use the proprietary modules) until a "
               "driver fixes it."
               + ("" if failed else " No failure is shown here: this is what it was, with the workaround in place."),
               [("the person's words", words)] + ([failed] if failed else []), confidence=Confidence.CONFIRMED,
               severity=None if failed or _failure_told(ctx) else Severity.WARNING)


def open_modules_init_3(ctx: RuleContext) -> Iterator[Finding]:
    shown = open_modules(ctx.facts)
    if shown is None or hmm_fix_said(ctx.facts) is not None or on_wsl(ctx) or proprietary_too(ctx.facts):
        return  # (the same failure on the proprietary modules: not the open modules' HMM)
    if any(s.supports(ID, "decisive") for s in ctx.stated) or _not_loaded(ctx):
        return
    failed = _init_failed(ctx)
    if failed is None or any(s.id == "torch_fork_reinit" for s in ctx.stated):
        return  # a forked child re-initialising CUDA also says "initialization error"
    what, named, words = shown
    branch = _branch(ctx, named)
    if branch is not None and branch < _FIRST_HMM_BRANCH:
        return  # before 535 nvidia_uvm's HMM was off by default
    yield make(ID,
               "CUDA failed to start with error 3 (CUDA_ERROR_NOT_INITIALIZED, “initialization error”) on NVIDIA's "
               f"open kernel modules ({what})"
               + (f", driver branch {branch}" if branch else "")
               + ": the known cause is nvidia_uvm's Heterogeneous Memory Management set-up failing on the running "
               "kernel (EL9/EL10, KASLR kernels), while nvidia-smi still works. Set “options nvidia_uvm "
               "uvm_disable_hmm=1” and reload nvidia_uvm, or install the proprietary modules, and see whether CUDA "
               "starts.",
               [failed, ("the open modules", words)], confidence=Confidence.LIKELY)


RULES = (hmm_fix_was_said, open_modules_init_3)
