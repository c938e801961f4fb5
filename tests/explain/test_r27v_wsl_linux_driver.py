"""Round 27 v: a Linux NVIDIA driver installed inside WSL 2 (driver_installed_inside_container).

The CUDA on WSL User Guide: the driver is Windows', mapped into /usr/lib/wsl/lib; a Linux driver
package in the distribution brings a libcuda.so.1 that shadows it. Said ("I ran sudo apt install
nvidia-driver-535 inside WSL", "在 WSL2 里装了 nvidia-driver-535") or shown on a paste that proves
WSL (dpkg's rows and "Setting up" lines, an install command, ldconfig's libcuda outside
/usr/lib/wsl). Texts written for the test, with the near-misses: advice, a question, a removal that
fixed it, the Windows driver, a native Linux beside WSL, CUDA working, WSL 1, no WSL at all.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

DRIVER = "driver_installed_inside_container"
WSL2 = "$ uname -r\n5.15.153.1-microsoft-standard-WSL2\n"
WSL1 = "$ uname -r\n4.4.0-19041-Microsoft\n"
CUDA_FALSE = "$ python -c \"import torch; print(torch.cuda.is_available())\"\nFalse\n"
SMI_FAILS = ("$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
             "Make sure that the latest NVIDIA driver is installed and running.\n")


@pytest.mark.parametrize("text", [
    "I'm on WSL2 Ubuntu 22.04. I ran sudo apt install nvidia-driver-535 inside WSL and now\n" + SMI_FAILS,
    "在 WSL2 里装了 nvidia-driver-535 之后 torch.cuda.is_available() 返回 False。",
    "I installed the Linux NVIDIA driver in WSL 2 from the .run file.\n" + CUDA_FALSE,
    WSL2 + "$ dpkg -l | grep nvidia\nii  libnvidia-compute-535:amd64   535.183.01-0ubuntu0.22.04.1   amd64   "
           "NVIDIA libcompute package\n" + CUDA_FALSE,
    WSL2 + "$ sudo apt-get install -y cuda-drivers\nSetting up libnvidia-compute-550:amd64 (550.54.15-0ubuntu1) ...\n"
    + SMI_FAILS,
    WSL2 + "$ ldconfig -p | grep libcuda\n\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/wsl/lib/libcuda.so.1\n"
           "\tlibcuda.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcuda.so.1\n"
           "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
           "installed a driver from http://www.nvidia.com/Download/index.aspx\n",
])
def test_linux_driver_in_wsl(text):
    assert DRIVER in findings(text)


@pytest.mark.parametrize("text", [
    # advice, a question
    "Don't install the Linux NVIDIA driver inside WSL; only the Windows driver. torch.cuda.is_available() is False on WSL2.",
    "Should I install nvidia-driver-535 inside WSL2? torch.cuda.is_available() is False.",
    # the removal that fixed it
    "After removing nvidia-driver-535 from inside WSL 2, torch.cuda.is_available() is True.",
    # the Windows driver
    "I installed the latest NVIDIA driver on Windows for WSL 2.\n" + CUDA_FALSE,
    # a native Linux beside WSL
    "On my native Ubuntu install I installed nvidia-driver-535 and it works; in WSL 2 I only have the Windows driver.\n"
    + CUDA_FALSE,
    # CUDA works
    "I installed nvidia-utils-535 inside WSL2 to get nvidia-smi. torch.cuda.is_available() returns True.",
    # WSL 1: no GPU at all (wsl1_no_gpu_support's)
    WSL1 + "$ dpkg -l | grep nvidia\nii  nvidia-driver-535   535.183.01-0ubuntu1   amd64   NVIDIA driver metapackage\n"
    + SMI_FAILS,
    # a native Linux: no WSL shown
    "$ uname -r\n6.5.0-14-generic\n$ dpkg -l | grep nvidia\nii  libnvidia-compute-535:amd64   535.183.01-0ubuntu1   "
    "amd64   NVIDIA libcompute package\n" + CUDA_FALSE,
    # the toolkit only: the WSL-Ubuntu repository's packages carry no driver
    WSL2 + "$ sudo apt-get install -y cuda-toolkit-12-4\n" + CUDA_FALSE,
])
def test_linux_driver_in_wsl_near_misses(text):
    assert DRIVER not in findings(text)


def test_wsl1_keeps_its_own_finding():
    text = WSL1 + "$ sudo apt install nvidia-driver-535\n" + SMI_FAILS
    got = findings(text)
    assert DRIVER not in got and "wsl1_no_gpu_support" in got
