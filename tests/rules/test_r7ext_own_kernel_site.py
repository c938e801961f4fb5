"""'no kernel image' / 'invalid device function' raised at the program's own source file
(branch r7ext): the file named by the program's check macro is outside PyTorch's tree, so the
program's or extension's own build lacks the GPU's architecture. Texts written for the test,
modelled on what the check macros print (Caffe's glog CHECK, cudaSafeCall, gpuErrchk,
HANDLE_ERROR, c10's pre-1.7 suffix), none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

ID = "extension_built_without_gpu_arch"

BROKEN = [
    "ERROR /home/me/proj/src/render.cu:212: cuda error \"no kernel image is available for execution on the device\"",
    "F0101 10:00:00.000000 4242 relu_layer.cu:26] Check failed: error == cudaSuccess (8 vs. 0)  invalid device function",
    "GPUassert: invalid device function src/kernels/scan.cu 77",
    "invalid device function in /opt/app/cuda/matmul.cu at line 88",
    "CUDA Error:\n    File:       myproj/src/infer/engine.cpp\n    Line:       120\n    Error code: 98\n"
    "    Error text: invalid device function",
    "RuntimeError: CUDA error: no kernel image is available for execution on the device "
    "(nms_cuda_forward at /home/u/mylib/csrc/nms/nms_kernel.cu:103)",
    "Invalid device function /home/u/fusion/Core/src/Cuda/convenience.cuh:68",
    "./src/cuda.c:36: check_error: CUDA Error: no kernel image is available for execution on the device",
]

HEALTHY = [
    # torch's own kernel: the torch-build rules judge it, not this one
    "RuntimeError: CUDA error: no kernel image is available for execution on the device "
    "(launch_kernel at /pytorch/aten/src/ATen/native/cuda/Loops.cuh:103)",
    "RuntimeError: cuda runtime error (48) : no kernel image is available for execution on the device at "
    "c:\\conda-bld\\pytorch_1\\work\\aten\\src\\thc\\generic/THCTensorMath.cu:15",
    "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCTensorCopy.cu line=102 error=8 : invalid device function",
    "CUDA error 8 [/caffe2/third_party/cub/cub/device/dispatch/dispatch_reduce.cuh, 697]: invalid device function",
    # a question quoting the message
    "What does 'invalid device function in src/kernels/add.cu at line 88' mean? My GTX 1070 runs the samples fine.",
    # another CUDA error at a program's file
    "ERROR /home/me/proj/src/render.cu:212: cuda error \"out of memory\"",
    "GPUassert: an illegal memory access was encountered src/kernels/scan.cu 77",
    # a build that worked, naming source files and arch flags
    "nvcc -gencode arch=compute_86,code=sm_86 -c src/kernels/scan.cu -o scan.o\n[100%] Built target scan\n"
    "$ ./scan\nall tests passed",
    "Building CUDA object CMakeFiles/app.dir/src/render.cu.o\nset(CMAKE_CUDA_ARCHITECTURES 86)\nresult: OK",
]


@pytest.mark.parametrize("text", BROKEN)
def test_no_kernel_at_the_programs_own_source_is_its_build(text):
    assert ID in findings(text)


@pytest.mark.parametrize("text", HEALTHY)
def test_torch_sources_other_errors_and_working_builds_are_not(text):
    assert ID not in findings(text)
    if "no kernel image" not in text and "invalid device function" not in text:
        assert not errors(text)
