"""A forward-compatibility driver is not a driver too old (round 14, healthy pastes at scale).

On data-center GPUs NGC images (and the cuda-compat package) load a newer user-mode driver over
an older kernel module: the entrypoint prints "NOTE: CUDA Forward Compatibility mode ENABLED.
Using CUDA 12.2 driver version 535.104.05 with kernel driver version 470.182.03." and nvidia-smi
reports "Driver Version: 470.182.03   CUDA Version: 12.2". rules/compat.py compared the kernel
driver's number with torch's floor and said the driver was too old (an error on a working DGX).
The driver's own CUDA above its release's is that package: it runs what it reports. Texts
written for the test from NGC's 52-gpu-driver-version-check.sh lines.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "driver_too_old_for_torch_cuda"

BROKEN = [
    "NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 11.4\ntorch 2.1.2+cu121\n"
    "RuntimeError: The NVIDIA driver on your system is too old (found version 11040).",
    "Driver Version: 470.182.03\ntorch==2.1.2+cu121\n",
    # a compat driver that still does not reach the build's CUDA
    "| NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 11.8 |\ntorch==2.4.0+cu124\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_driver_below_the_build_without_a_newer_user_mode_driver_is_too_old(text):
    assert FID in findings(text)


NEAR_MISS = [
    "NOTE: CUDA Forward Compatibility mode ENABLED.\n  Using CUDA 12.2 driver version 535.104.05 with kernel driver "
    "version 470.182.03.\n| NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 12.2 |\n"
    "|   0  NVIDIA A100-SXM4-80GB   On  | 00000000:07:00.0 Off |   0 |\n"
    "torch 2.1.2+cu121, torch.cuda.is_available() True; training runs.",
    "| NVIDIA-SMI 515.86.01   Driver Version: 515.86.01   CUDA Version: 12.0 |\n"
    "|   0  NVIDIA A10   On  | 00000000:00:1E.0 Off |   0 |\ntorch==2.1.0+cu121\nThe server answers requests.",
    "nvcr.io/nvidia/pytorch:24.03-py3 on our DGX\nNOTE: CUDA Forward Compatibility mode ENABLED.\n"
    "  Using CUDA 12.4 driver version 550.54.14 with kernel driver version 470.239.06.\n"
    "Driver Version: 470.239.06   CUDA Version: 12.4\ntorch==2.3.0+cu121 runs the benchmark at 410 TFLOPS.",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_a_forward_compatibility_driver_that_reaches_the_build_is_not_too_old(text):
    assert FID not in errors(text)
