"""Round 27 n: ``nvidia_uvm_hmm_init_failure``, a cause the catalogue lacked (rules/uvm_hmm.py,
explain/parsers/uvm_hmm_prose.py, messages.toml's r27n block).

NVIDIA's open kernel modules turn on HMM in nvidia_uvm; where its set-up fails, cuInit returns 3
(CUDA_ERROR_NOT_INITIALIZED) while nvidia-smi works (NVIDIA/open-gpu-kernel-modules#797, #901,
#947; CUDA release notes' known issue). Texts written for the test after the shapes of real reports
(those issues, ollama/ollama#11593, ComputationalRadiationPhysics/cuda_memtest#52), each form with
near-misses that must stay silent: the option set on a working machine, HMM discussed as a
feature, error 3 with the driver not loaded, error 3 on the proprietary modules, a question,
a denial, advice, another machine, nouveau called "the open source driver", a pre-HMM branch."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import uvm_hmm_prose
from envcheck.explain.source import normalise
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import errors, findings

HMM = "nvidia_uvm_hmm_init_failure"

SMI_580 = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 580.95.05              Driver Version: 580.95.05      CUDA Version: 13.0     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|=========================================+========================+======================|
|   0  NVIDIA L20                     Off |   00000000:18:00.0 Off |                    0 |
| N/A   37C    P0             77W /  350W |       1MiB /  46068MiB |      0%      Default |
+-----------------------------------------+------------------------+----------------------+
"""
TORCH_3 = "RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu."
CUINIT_3 = "cu->cuInit(0) failed -> CUDA_ERROR_NOT_INITIALIZED: initialization error"
OLLAMA_3 = ('time=2025-08-02T22:42:20.643Z level=INFO source=gpu.go:612 msg="Unable to load cudart library '
            '/usr/lib/x86_64-linux-gnu/libcuda.so.575.57.08: cuda driver library init failure: 3"')
BANNER = "[    4.112233] NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build  (dvs-builder@U16-I3-B03-4-3)"
MODINFO_OPEN = """$ modinfo nvidia
filename:       /lib/modules/6.12.0-55.37.1.el10_0.x86_64/extra/nvidia.ko.xz
alias:          char-major-195-*
version:        580.95.05
supported:      external
license:        Dual MIT/GPL
firmware:       nvidia/580.95.05/gsp_tu10x.bin"""
MODINFO_UVM = """$ modinfo nvidia_uvm
filename:       /lib/modules/5.15.0-76-generic/updates/dkms/nvidia-uvm.ko
version:        535.129.03
license:        Dual MIT/GPL
parm:           uvm_disable_hmm:Force-disable HMM functionality in the UVM driver. Default: false (HMM is enabled if possible). (bool)"""


def _hmm(text):
    return findings(text).get(HMM)


# ------------------------------------------------------------------ confirmed: the kernel log, the fix said
@pytest.mark.parametrize("text", [
    "[64689.125237] nvidia-uvm: uvm_pmm_gpu.c:3176 devmem_alloc_pagemap[pid:92821] request_free_mem_region() err -34",
    "Aug 02 10:11:12 gpu01 kernel: nvidia-uvm: uvm_pmm_gpu.c:3170 devmem_alloc_pagemap[pid:4711] "
    "request_free_mem_region() err -34\n" + TORCH_3,
])
def test_the_kernel_log_says_hmm_failed(text):
    f = _hmm(text)
    assert f is not None and f.confidence is Confidence.CONFIRMED


@pytest.mark.parametrize("text", [
    OLLAMA_3 + "\n\nOk I fixed this after a lot of debugging, issue was an Nvidia driver bug. I needed to create "
    "/etc/modprobe.d/uvm.conf and set this: options nvidia_uvm uvm_disable_hmm=1",
    "All CUDA calls fail on Rocky 9.6 while nvidia-smi shows the cards. Disabling HMM via the kernel module option "
    "`nvidia_uvm uvm_disable_hmm=1` and reloading the nvidia_uvm module fixes this issue and allows CUDA to work.",
    CUINIT_3 + "\nSetting \"uvm_disable_hmm=1\" on open kernel, as described in the above link, also worksaround/solves "
    "the issue.",
    SMI_580 + TORCH_3 + "\n加上 options nvidia_uvm uvm_disable_hmm=1 然后重启，问题解决了",
    TORCH_3 + "\n在 modprobe.d 里禁用HMM之后重新加载 nvidia_uvm，问题解决了",
])
def test_a_person_says_turning_hmm_off_fixed_it(text):
    f = _hmm(text)
    assert f is not None and f.confidence is Confidence.CONFIRMED


# ------------------------------------------------------------------ likely: error 3 on the open modules
@pytest.mark.parametrize("text", [
    BANNER + "\n" + TORCH_3,
    SMI_580 + MODINFO_OPEN + "\n" + CUINIT_3,
    "Installed with sudo apt install nvidia-driver-570-open on Ubuntu 24.04.\n" + OLLAMA_3,
    "sudo dnf module install nvidia-driver:575-open\n" + TORCH_3,
    "sudo sh cuda_12.8.1_570.124.06_linux.run --kernel-module-type=open\n"
    "[dlive][0]:ERROR: CUDA error: initialization error, line 299, file cuda_memtest.cpp",
    "hardware.nvidia = {\n  modesetting.enable = true;\n  open = true;\n};\n" + TORCH_3,
    "When I boot with the **open** kernel modules, cuInit() fails with error 3 (CUDA_ERROR_NOT_INITIALIZED).",
    "cudaGetDeviceCount returned 3\n-> initialization error\nResult = FAIL\n" + BANNER,
    # error 3 in a person's words, the open modules in a package or a switch
    "Fixes cuInit/cudaGetDeviceCount err=3 when using NVIDIA open-source kernel modules (nvidia-*-open).",
    "Ubuntu 24.04, nvidia-open 580 from NVIDIA's repository: cuInit returns 3 for every CUDA program.",
])
def test_cuda_error_3_on_the_open_modules(text):
    f = _hmm(text)
    assert f is not None and f.confidence is Confidence.LIKELY


# ------------------------------------------------------------------ near-misses: no finding
@pytest.mark.parametrize("text", [
    # the option set on a working machine (a config, a note), HMM discussed as a feature
    "boot.extraModprobeConfig = ''\n  options nvidia_uvm uvm_disable_hmm=1\n'';\n" + SMI_580
    + ">>> torch.cuda.is_available()\nTrue",
    "HMM lets the GPU access memory from malloc; with uvm_disable_hmm=0 it stays on. Is HMM faster for my workload?",
    MODINFO_UVM + "\n" + SMI_580,
    # error 3 without the open modules: another cause
    SMI_580 + TORCH_3,
    CUINIT_3,
    # error 3 with the driver not loaded
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA "
    "driver is installed and running.\n" + TORCH_3 + "\nI installed nvidia-driver-570-open yesterday.",
    # a question, a denial, advice, another machine, a fix said not to help
    "Should I use the open kernel modules? " + TORCH_3,
    "I am not using the open kernel modules, only the proprietary nvidia-dkms.\n" + TORCH_3,
    TORCH_3 + "\nYou could try options nvidia_uvm uvm_disable_hmm=1 if you use the open modules.",
    TORCH_3 + "\nSetting uvm_disable_hmm=1 did not help, CUDA still fails.",
    TORCH_3 + "\nOn my other machine with the open kernel modules everything works.",
    # nouveau called the open source driver; a pre-HMM branch of the open modules
    "Before installing I blacklisted the open source driver nouveau.\n" + TORCH_3,
    "[    3.2] NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  515.65.01  Release Build\n" + TORCH_3,
    # another error code, a success, error 3 asked about
    "With nvidia-driver-570-open, cuInit returns 0 and deviceQuery passes.",
    "nvidia-open 575 installed; cudaGetDeviceCount returned 35 -> CUDA driver version is insufficient",
    "Does cuInit return 3 on the open kernel modules too?",
    # a forked DataLoader worker re-initialising CUDA on an open-module machine
    BANNER + "\nRuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you "
    "must use the 'spawn' start method\nRuntimeError: CUDA error: initialization error",
    # a link to the tracker, the package named as something removed
    "See https://github.com/NVIDIA/open-gpu-kernel-modules/issues/901\n" + TORCH_3,
    "I removed nvidia-open and installed cuda-drivers instead of nvidia-open.\n" + TORCH_3,
])
def test_no_finding_on_near_misses(text):
    assert HMM not in findings(text)


def test_a_working_open_module_machine_has_no_error():
    text = BANNER + "\n" + SMI_580 + ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n"
    assert HMM not in errors(text)


def test_the_reader_notes_the_branch_and_the_fix():
    notes = uvm_hmm_prose.parse(normalise(BANNER + "\nuvm_disable_hmm=1 fixed it.")).notes
    assert any("branch 570" in n for n in notes)
    assert any("uvm_disable_hmm=1" in n and "fixed CUDA" in n for n in notes)
