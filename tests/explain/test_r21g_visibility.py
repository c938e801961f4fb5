"""Round 21 g: GPU visibility, second try.

1. RPM Fusion's plymouth line copied by hand ("nvidia kernel module missing falling back to
   nouveau": lower case, no full stop) is the nouveau fallback having run, at a person's rank
   (parsers/nouveau_signals.py): nvidia not loaded, and with Secure Boot said on, Secure Boot's
   refusal. Not where it is denied, asked about or put in the past.
2. A person saying the report's system is a VirtualBox / VMware Workstation / Parallels guest
   (parsers/gpu_absent_prose.py, rules/no_gpu_mac.desktop_vm_no_gpu): the host's NVIDIA GPU is
   not there for CUDA. Not for ESXi, passthrough or KVM, a question, a condition, a denial, the
   past, or a guest whose paste shows the GPU working.

Texts written for the test after the shapes of real reports (gridhead/nvidia-auto-installer-for-
fedora-linux#107, pjreddie/darknet#1881, CorentinJ/Real-Time-Voice-Cloning#152, torch/torch7#595),
each with near-misses.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

SB = "driver_not_loaded_secure_boot"
NOT_LOADED = "driver_kernel_module_not_loaded"
NO_GPU = "no_nvidia_gpu_found"


# --------------------------------------------------------------------------- 1. the fallback line copied by hand
@pytest.mark.parametrize("text", [
    "I have secure boot enabled on Fedora 36.\nThis is the phrase that I would get on boot:\n"
    "nvidia kernel module missing falling back to nouveau",
    "Secure Boot is enabled. On every boot I see: nvidia kernel module missing, falling back to nouveau",
    "secure boot is on and plymouth shows NVIDIA kernel module missing - falling back to nouveau",
])
def test_fallback_line_copied_with_secure_boot_on(text):
    got = findings(text)
    assert SB in got
    assert got[SB].confidence.value == "likely"


def test_fallback_line_copied_without_secure_boot_is_the_module_not_loaded():
    got = findings("After the kernel update I get nvidia kernel module missing falling back to nouveau at boot.")
    assert NOT_LOADED in got
    assert got[NOT_LOADED].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "Secure Boot is enabled. I no longer get nvidia kernel module missing falling back to nouveau, it boots fine.",
    "Secure Boot is enabled. What does nvidia kernel module missing falling back to nouveau mean?",
    "Secure Boot is enabled. It used to say nvidia kernel module missing falling back to nouveau.",
    "Secure Boot is enabled. I don't see nvidia kernel module missing falling back to nouveau anymore.",
])
def test_fallback_line_denied_asked_or_past(text):
    got = findings(text)
    assert SB not in got and NOT_LOADED not in got


# --------------------------------------------------------------------------- 2. a desktop hypervisor's guest
@pytest.mark.parametrize("text, vm", [
    ("I am currently use a Dell Inspiron 5480 laptop with NVIDIA MX150 2GB.\nTherefore, I choose an alternative "
     "option that is installing Ubuntu 18.04 on VMware.", "VMware"),
    ("Ubuntu 18.04 running w/8GB RAM in VirtualBox on Windows 10.\n"
     "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=50 error=38 : no CUDA-capable device is detected",
     "VirtualBox"),
    ("I'm using Ubuntu 64 bit virtualized on Mac OS X El Capitan with Parallels Desktop 10.", "Parallels"),
    ("I run the training on a VirtualBox VM, torch.cuda.is_available() returns False.", "VirtualBox"),
])
def test_desktop_guest_has_no_gpu(text, vm):
    got = findings(text)
    assert NO_GPU in got
    assert vm in got[NO_GPU].explanation
    assert got[NO_GPU].confidence.value == "likely"


def test_desktop_guest_with_a_no_device_error_is_an_error():
    text = ("Ubuntu 20.04 in VirtualBox on Windows 11, GTX 1660.\n"
            "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
            "installed a driver from http://www.nvidia.com/Download/index.aspx")
    assert NO_GPU in errors(text)


@pytest.mark.parametrize("text", [
    # a question, a condition, a denial, the past, another machine
    "Can I have CUDA support for darknet on a VMware Virtual Machine that runs Ubuntu 18.04?",
    "If you run Ubuntu in VirtualBox, CUDA will not see the GPU.",
    "I am not running Ubuntu in VirtualBox, it is installed natively on the SSD.",
    "I used to run Ubuntu in VirtualBox but switched to dual boot; now torch.cuda.is_available() is False.",
    "I previously had Ubuntu in VMware, now it is a native install with an RTX 3060.",
    # hypervisors that can pass a GPU through
    "Ubuntu 22.04 guest on VMware ESXi 7 with the A100 in passthrough (DirectPath I/O).",
    "Ubuntu 22.04 in a Proxmox VM (KVM), RTX 3090 passed through with vfio-pci.",
    # the module name of VirtualBox in a listing, not a guest
    "Module                  Size  Used by\nvboxdrv               696320  0\nnvidia              56823808  0",
])
def test_no_guest_claim(text):
    got = findings(text)
    assert NO_GPU not in got or "guest" not in got[NO_GPU].explanation


def test_guest_whose_paste_shows_the_gpu_working():
    text = ("Ubuntu 20.04 running in VMware Workstation.\n"
            ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n>>> torch.cuda.get_device_name(0)\n"
            "'NVIDIA GeForce RTX 3060'")
    got = findings(text)
    assert NO_GPU not in got
