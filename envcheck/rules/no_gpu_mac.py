"""No NVIDIA GPU on macOS or in a desktop hypervisor's guest, and whether a person checked torch
for CUDA: helpers of ``platform.no_nvidia_gpu_found``, split from ``platform`` (which had grown
past the style's module size)."""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.messages import is_stated
from envcheck.facts import Facts
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Finding, Severity


def on_mac(f: Facts) -> bool:
    return f.host.os_id.ok and f.host.os_id.value == "macos"


def checked_cuda(f) -> bool:
    """A person checked torch.cuda.is_available() and got False: they wanted CUDA. collect_env's
    "Is CUDA available: False" on a machine reporting something else is how a healthy one looks."""
    avail = f.torch.cuda_available
    return avail.ok and avail.value is False and (is_stated(avail) or str(avail.detail).startswith("Python session"))


def mac_no_gpu(ctx: RuleContext) -> Iterator[Finding]:
    """macOS: Apple has shipped no NVIDIA GPU since 2016 and no NVIDIA driver since macOS
    10.13; CUDA 10.2 was its last release for macOS, and PyTorch builds for macOS have no
    CUDA. A CUDA failure there means "no NVIDIA GPU", not a wrong build."""
    f = ctx.facts
    asked = [s for s in ctx.stated if s.message.kind == "error" and (
        s.supports("no_nvidia_gpu_found") or s.supports("torch_cpu_only_build") or s.supports("gpu_present_driver_missing"))]
    avail = f.torch.cuda_available
    checked = checked_cuda(f)
    if not asked and not checked:
        return
    yield make("no_nvidia_gpu_found",
               "This is macOS: Macs have no NVIDIA GPU and no CUDA (its last macOS release was CUDA 10.2, and "
               "PyTorch's macOS builds have none). Use the Apple GPU through PyTorch's MPS backend "
               "(device \"mps\", torch.backends.mps.is_available()), or run CUDA work on a Linux or Windows "
               "machine with an NVIDIA GPU.",
               [("host.os_id", f.host.os_id)] + ([quote(asked[0])] if asked else [("torch.cuda_available", avail)]),
               severity=Severity.ERROR if asked else Severity.WARNING)


# VirtualBox, VMware Workstation / Player / Fusion and Parallels Desktop show their guests an
# emulated display adapter (VirtualBox's PCI passthrough was experimental, Linux-host only and
# removed in 6.1; the others have none), so the host's NVIDIA GPU is not there for CUDA. ESXi,
# KVM and Hyper-V can pass one through; the parser does not read those as this.
DESKTOP_HYPERVISORS = {"virtualbox": "VirtualBox", "vmware": "VMware Workstation", "parallels": "Parallels Desktop"}


def desktop_vm_no_gpu(ctx: RuleContext) -> Iterator[Finding]:
    """The text says its system is a desktop hypervisor's guest and nothing in it shows a GPU
    working there (NVML answering, torch seeing a device): CUDA in that guest has no NVIDIA GPU,
    whatever GPU the host has. Read from a person's words, so likely; an error when a program
    reported no device or no driver."""
    f = ctx.facts
    vm = f.host.in_vm
    if not (vm.ok and vm.value in DESKTOP_HYPERVISORS and is_stated(vm)):
        return
    avail = f.torch.cuda_available
    if f.nvml.init.ok or (avail.ok and avail.value is True) or f.torch.devices.get(()):
        return
    asked = [s for s in ctx.stated if s.message.kind == "error" and (
        s.supports("no_nvidia_gpu_found") or s.supports("gpu_present_driver_missing")
        or s.supports("driver_kernel_module_not_loaded"))]
    yield make("no_nvidia_gpu_found",
               f"The text says this system runs as a {DESKTOP_HYPERVISORS[vm.value]} guest. That hypervisor gives "
               "its guests an emulated display adapter, not the host's NVIDIA GPU, so CUDA inside the guest finds "
               "no GPU (and an NVIDIA driver installed there has nothing to drive). Run the CUDA work on the host "
               "(natively, or in WSL 2 on Windows), dual-boot, or use a hypervisor that can pass the GPU through "
               "(ESXi, KVM/Proxmox with VFIO, Hyper-V DDA).",
               [("host.in_vm", vm)] + ([quote(asked[0])] if asked else []),
               severity=Severity.ERROR if asked else Severity.WARNING)
