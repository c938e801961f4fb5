"""Findings read from what the NVIDIA kernel module and its loaders print, weighed against
the facts.

* The module loads and finds no GPU: the kernel log's "NVRM: No NVIDIA GPU found." and
  modprobe's "could not insert 'nvidia': No such device" (ENODEV, the module's init
  returning -ENODEV). Where the text names no NVIDIA GPU at all (no PCI device, no GPU
  from nvidia-smi or torch, no nouveau holding one, no "supported through the Legacy
  drivers" line), no NVIDIA GPU is visible: a cloud instance type or VM without one, a
  machine with another vendor's GPU. That is not a module to rebuild or a key to enroll.
* CUDA's start refused with CUDA_ERROR_UNKNOWN (999) in any program's words is weighed by
  ``failures.uvm_stale_after_suspend`` (ollama's, ONNX Runtime's, PyCUDA's wordings are in
  its list): the nvidia_uvm module not loaded, or left broken by a suspend.
* A suspend and resume said before CUDA failed while the driver still answers
  (nvidia-smi lists the GPUs): the stale nvidia_uvm, whatever program's wording the failure
  came in.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.driver_claims import said_failed_after_resume
from envcheck.derived.messages import is_stated
from envcheck.reading import Status
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.failures import unknown_at_start
from envcheck.rules.finding import Confidence, Finding, Severity

_NO_DEVICE_PROBED = "nvrm_no_nvidia_gpu_found"
# modprobe's refusal with ENODEV ("could not insert 'nvidia': No such device", catalogued as
# modprobe_could_not_insert): the module loaded, probed, and found no GPU.
_ENODEV = "no such device"
# The main module by its names (Ubuntu's nvidia_375, Debian's nvidia-current), not nvidia_uvm's
# refusal: a laptop's switched-off GPU refuses uvm the same way.
_MAIN_MODULE = re.compile(r"^nvidia(?:_\d{3}(?:_updates)?|_current|-current)?$")
# Messages that say a GPU is there and the driver would not take it: another finding's cause.
_GPU_THERE = ("nvrm_probe_not_called", "nvrm_probe_failed", "nvrm_gpu_unsupported_by_release", "nvrm_open_modules_unsupported",
              "nvrm_gpu_bound_to_open_driver", "nvrm_fallen_off_bus", "nvrm_xid")
# CUDA (or a program on it) failing to start or to find a device.
_CUDA_FAILED = ("cuda_no_device", "torch_no_cuda_gpus", "torch_driver_init_failed", "torch_cuda_init_unknown_error",
                "darknet_cuda_unknown_error")


def _names_nvidia_gpu(ctx: RuleContext) -> bool:
    f = ctx.facts
    nouveau = "nouveau" in (f.driver.loaded_modules.get(()) or ())
    return (f.has_nvidia_gpu is True or bool(f.pci.gpus) or bool(f.gpus) or bool(f.torch.devices.get(()))
            or nouveau or f.nvml.init.ok or any(s.id in _GPU_THERE for s in ctx.stated))


def probed_no_gpu(ctx: RuleContext):
    """The module's own word that it found no GPU (NVRM's line, modprobe's ENODEV), where the
    text names no NVIDIA GPU: the message saying so, else None. A module refused this way is
    not "not loaded" in the sense of Secure Boot or a missing build: it has nothing to drive."""
    said = next((s for s in ctx.stated if s.id == _NO_DEVICE_PROBED
                 or (s.id == "modprobe_could_not_insert" and _ENODEV in s.text.lower()
                     and _MAIN_MODULE.match(str(s.fact("driver.module") or "")))), None)
    return None if said is None or _names_nvidia_gpu(ctx) else said


def driver_probed_no_gpu(ctx: RuleContext) -> Iterator[Finding]:
    said = probed_no_gpu(ctx)
    if said is None:
        return
    yield make("no_nvidia_gpu_found",
               "The NVIDIA kernel module loaded and found no NVIDIA GPU to drive (modprobe's “No such device”, "
               "the kernel log's “NVRM: No NVIDIA GPU found”), and nothing in the text shows one. The machine has "
               "no NVIDIA GPU visible: on a cloud VM pick an instance type with one (AWS g4dn/g5/p3, GCP with an "
               "attached accelerator), in a VM pass the GPU through; on a laptop check the NVIDIA GPU is not "
               "switched off in the firmware. `lspci -nn | grep -i 10de` shows what the PCI bus holds.",
               [quote(said)], confidence=Confidence.LIKELY, severity=Severity.ERROR)


def _uvm_not_loaded(ctx: RuleContext) -> bool:
    f = ctx.facts
    mods = f.driver.loaded_modules
    off = f.driver.modules_not_loaded.get(()) or ()
    listed_without = mods.ok and not is_stated(mods) and "nvidia" in (mods.value or ()) \
        and "nvidia_uvm" not in (mods.value or ())
    return listed_without or "nvidia_uvm" in off


def _driver_unreachable(ctx: RuleContext) -> bool:
    f = ctx.facts
    off = f.driver.modules_not_loaded.get(()) or ()
    return "nvidia" in off or (f.nvml.init.known and not f.nvml.init.ok)


def cuda_failed_after_resume(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    suspended = f.host.resumed_from_suspend
    if not (suspended.ok and suspended.value):
        return
    # failures.uvm_stale_after_suspend weighs every "unknown error at start" wording itself.
    if any(unknown_at_start(s) for s in ctx.stated):
        return
    if _uvm_not_loaded(ctx) or _driver_unreachable(ctx) or "CUDA_VISIBLE_DEVICES" in f.env.variables.get({}):
        return
    said = next((s for s in ctx.stated if s.id in _CUDA_FAILED), None)
    avail = f.torch.cuda_available
    failed = [quote(said)] if said else [("torch.cuda_available", avail)] if avail.ok and avail.value is False else []
    # The driver still answers: nvidia-smi (or NVML) lists the GPUs. Without it, a driver that
    # did not come back from the suspend is as likely.
    answers = f.nvml.init.ok or any(g.status.status is Status.OK for g in f.gpus) or (
        said_failed_after_resume(avail) and not f.nvml.init.known)
    if not failed or not answers:
        return
    yield make("nvidia_uvm_stale_after_suspend",
               "The text says the machine was suspended (or slept) before CUDA failed, and the driver still answers "
               "(nvidia-smi lists the GPU). That is nvidia_uvm left broken by the suspend and resume: CUDA needs it, "
               "nvidia-smi does not. Reloading it brings CUDA back without a reboot; keeping video memory across "
               "suspend (NVreg_PreserveVideoMemoryAllocations=1 with nvidia-suspend.service) avoids it.",
               failed + [("host.resumed_from_suspend", suspended)] + evidence(("nvml.init", f.nvml.init)),
               confidence=Confidence.LIKELY, links=("https://github.com/pop-os/default-settings/pull/64",))


def toolkit_could_not_load_uvm(ctx: RuleContext) -> Iterator[Finding]:
    """libnvidia-container's debug log: nvidia_uvm could not be loaded while nvidia could (a
    failure of both is a container or WSL where modprobe cannot run, or the driver itself)."""
    said = next((s for s in ctx.stated if s.id == "nvc_uvm_load_failed"), None)
    if said is None or any(s.id == "nvc_nvidia_load_failed" for s in ctx.stated) or _driver_unreachable(ctx):
        return
    yield make("nvidia_uvm_missing",
               "The NVIDIA Container Toolkit could not load the nvidia_uvm module on the host (its log: “could not "
               "load kernel module nvidia_uvm”), so containers get no /dev/nvidia-uvm and CUDA cannot start in them. "
               "`sudo modprobe nvidia-uvm` on the host shows why (a module not built for this kernel, a blacklist).",
               [quote(said)], confidence=Confidence.LIKELY)


# explain/parsers/uvm_reload_fix.py: a person told that unloading and loading nvidia_uvm again
# (rmmod, then modprobe) brought CUDA back.
_UVM_RELOAD_FIXED = "reloading nvidia_uvm (rmmod, then modprobe) fixed it"


def uvm_reload_fixed(ctx: RuleContext) -> Iterator[Finding]:
    """nvidia_uvm was loaded (rmmod found it) and CUDA failed until it was loaded again: the
    module's state was broken, which is what a suspend and resume leaves."""
    f = ctx.facts
    avail = f.torch.cuda_available
    if f.has_nvidia_gpu is False or not (avail.ok and avail.value is False and _UVM_RELOAD_FIXED in (avail.detail or "")):
        return
    yield make("nvidia_uvm_stale_after_suspend",
               "The text says CUDA (or a program on it) came back after nvidia_uvm was unloaded and loaded again. "
               "The module was loaded but broken: that is what a suspend and resume (or hibernation) leaves, and "
               "why nvidia-smi kept working. Reloading it is the workaround; keeping video memory across suspend "
               "(NVreg_PreserveVideoMemoryAllocations=1 with nvidia-suspend.service) avoids it.",
               [("torch.cuda_available", avail)] + evidence(("host.resumed_from_suspend", f.host.resumed_from_suspend)),
               confidence=Confidence.LIKELY, links=("https://github.com/pop-os/default-settings/pull/64",))


RULES = (driver_probed_no_gpu, cuda_failed_after_resume, toolkit_could_not_load_uvm, uvm_reload_fixed)
