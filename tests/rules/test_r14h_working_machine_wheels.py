"""nvidia-* wheels on working machines (round 14, healthy pastes at scale).

A real healthy vLLM report (4x A100, torch 2.13.0+cu130) got an error finding from its pip
list alone: nvidia-cutlass-dsl installs nvidia-cutlass-dsl-libs-cu12 and -cu13 side by side,
which conflicting_cuda_wheel_packages read as two CUDA majors; and its nvidia-nccl-cu13 newer
than torch's pin read as nccl_version_mismatch. The classes: only wheels that hold a CUDA
toolkit library count as a CUDA set (rules/versions.py CUDA_LIBRARY_WHEELS), and an NCCL wheel
newer than the pin (same 2.x ABI) is a mismatch only where NCCL itself failed. Texts written
for the test; broken ones keep the words of the reports the rules were built on.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

WHEELS = "conflicting_cuda_wheel_packages"
NCCL = "nccl_version_mismatch"

CU13_STACK = ("[pip3] nvidia-cublas==13.1.1.3\n[pip3] nvidia-cuda-runtime==13.0.96\n"
              "[pip3] nvidia-cudnn-cu13==9.20.0.48\n[pip3] nvidia-cusparselt-cu13==0.8.1\n"
              "[pip3] nvidia-nvshmem-cu13==3.4.5\n[pip3] torch==2.13.0+cu130\n")
CUTLASS_DSL = ("[pip3] nvidia-cutlass-dsl==4.6.2\n[pip3] nvidia-cutlass-dsl-libs-base==4.6.2\n"
               "[pip3] nvidia-cutlass-dsl-libs-cu12==4.6.2\n[pip3] nvidia-cutlass-dsl-libs-cu13==4.6.2\n")
CU12_STACK = ("nvidia-cublas-cu12        12.8.4.1\nnvidia-cuda-runtime-cu12  12.8.90\n"
              "nvidia-cudnn-cu12         9.10.2.21\nnvidia-nccl-cu12          2.27.3\n"
              "torch                     2.8.0+cu128\n")

WHEELS_BROKEN = [
    # two CUDA majors of the same toolkit libraries (the reports the rule was built on)
    "$ pip list | grep nvidia\nnvidia-cublas-cu11        11.10.3.66\nnvidia-cublas-cu12        12.1.3.1\n"
    "nvidia-cudnn-cu11         8.5.0.96\nnvidia-cudnn-cu12         8.9.2.26\nnvidia-nccl-cu12          2.18.1\n\n"
    "torch 2.1.0. Convolutions fail with:\nRuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED",
    # a CUDA 12 cuDNN left beside torch's CUDA 13 one
    CU13_STACK + "[pip3] nvidia-cudnn-cu12==9.10.2.21\n",
    # the cutlass DSL is there too, but the toolkit libraries themselves are mixed
    CU13_STACK + CUTLASS_DSL + "[pip3] nvidia-nccl-cu12==2.27.3\n[pip3] nvidia-nccl-cu13==2.29.7\n",
]


@pytest.mark.parametrize("text", WHEELS_BROKEN)
def test_toolkit_libraries_of_two_cuda_majors_still_conflict(text):
    assert WHEELS in findings(text)


WHEELS_NEAR_MISS = [
    # the real report's shape: cutlass DSL ships its per-CUDA libs side by side on purpose
    CU13_STACK + CUTLASS_DSL + "[pip3] nvidia-nccl-cu13==2.29.7\n",
    # the same on a CUDA 12 machine
    CU12_STACK + "nvidia-cutlass-dsl-libs-cu12 4.6.2\nnvidia-cutlass-dsl-libs-cu13 4.6.2\n",
    # only the -cu13 DSL libs beside a cu128 torch: not a CUDA 13 toolkit library
    CU12_STACK + "nvidia-cutlass-dsl-libs-cu13 4.6.2\n",
    # a working vLLM node whose text also says the GPUs run
    CU13_STACK + CUTLASS_DSL + "INFO Automatically detected platform cuda.\nModel loading took 14.2 GiB and 8.1 s",
]


@pytest.mark.parametrize("text", WHEELS_NEAR_MISS)
def test_wheels_that_are_not_toolkit_libraries_do_not_make_a_second_cuda_set(text):
    assert WHEELS not in findings(text)


NCCL_BROKEN = [
    # older than the pin: torch's symbols are missing from it
    "torch==2.7.1+cu126\nnvidia-nccl-cu12==2.18.1\n",
    # newer than the pin, and NCCL itself failed (the vLLM report the rule was built on)
    "vLLM tensor parallel (tp=2) on 2x RTX 4090 fails at startup:\nRuntimeError: NCCL error: unhandled cuda error "
    "(run with NCCL_DEBUG=INFO for details)\n$ pip list | grep -E \"^torch |nccl\"\nnvidia-nccl-cu12          2.26.2\n"
    "torch                     2.5.1+cu124\n",
    "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, "
    "unhandled system error\nncclSystemError: System call (e.g. socket, malloc) or external library call failed\n"
    "torch                     2.5.1+cu124\nnvidia-nccl-cu12          2.26.2\n",
]


@pytest.mark.parametrize("text", NCCL_BROKEN)
def test_an_older_nccl_or_a_newer_one_that_failed_is_a_mismatch(text):
    assert NCCL in findings(text)


NCCL_NEAR_MISS = [
    # the real report's shape: a serving stack pinning a newer NCCL 2.x than torch
    CU13_STACK + "[pip3] nvidia-nccl-cu13==2.30.7\n",
    "$ pip list | grep -E \"^torch |nccl\"\ntorch                     2.5.1+cu124\nnvidia-nccl-cu12          2.26.2\n",
    # newer NCCL, and an unrelated failure (out of memory) in the same text
    "torch                     2.5.1+cu124\nnvidia-nccl-cu12          2.26.2\n"
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.55 GiB "
    "of which 1.02 GiB is free.",
    # newer NCCL with NCCL's own info lines (no plugin, socket transport), training running
    "torch                     2.5.1+cu124\nnvidia-nccl-cu12          2.26.2\n"
    "node1:1379562:1379562 [0] NCCL INFO NET/Plugin : No plugin found (libnccl-net.so), using internal implementation\n"
    "node1:1379562:1379562 [0] NCCL INFO Using network Socket\nEpoch 1/10: loss 0.412",
    # an SGLang check_env with the newer NCCL SGLang pins
    "Python: 3.12.3\nCUDA available: True\nGPU 0,1: NVIDIA H100 80GB HBM3\nCUDA Driver Version: 570.124.06\n"
    "PyTorch: 2.7.1+cu126\nsglang: 0.4.10\nnvidia-nccl-cu12: 2.27.3\n",
]


@pytest.mark.parametrize("text", NCCL_NEAR_MISS)
def test_a_newer_nccl_wheel_without_an_nccl_failure_is_not_a_mismatch(text):
    assert NCCL not in findings(text)
