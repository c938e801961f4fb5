"""Runtime CUDA errors read by where they came from (branch r4b): cudaErrorUnknown raised by
torch's own CUDA start-up (``torch._C._cuda_init()`` in ``_lazy_init``) or printed by
darknet's ``check_error`` means CUDA did not start (``cuda_init_failed``); "invalid device
function" in one of torch's own THC/ATen kernels means torch's build lacks the GPU's
architecture. Each broken text stands beside working or unrelated texts with the same words.
Texts written for the test, modelled on what the tools print (torch/cuda/__init__.py,
THCGeneral.cpp's THCudaCheck, darknet's src/cuda.c), none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors

_INIT = ('  File "/home/u/venv/lib/python3.10/site-packages/torch/cuda/__init__.py", line 247, in _lazy_init\n'
         "    torch._C._cuda_init()\n")

START_FAILED = [
    _INIT + "RuntimeError: CUDA error: unknown error\n",
    _INIT + "RuntimeError: cuda runtime error (30) : unknown error at /pytorch/aten/src/THC/THCGeneral.cpp:50\n",
    _INIT + "RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing "
            "env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero.\n",
    # the traceback as a collector joins it: the frame and the error on one line
    "torch._C._cuda_init() RuntimeError: CUDA error: unknown error\n",
    ">>> import torch\n>>> torch.zeros(1).cuda()\nTraceback (most recent call last):\n"
    '  File "<stdin>", line 1, in <module>\n' + _INIT + "RuntimeError: cuda runtime error (999) : unknown error\n",
    "D:\\darknet\\x64>darknet.exe detector test cfg/coco.data yolov4.cfg yolov4.weights\n"
    "CUDA Error: unknown error\nCUDA Error: unknown error: No error\n",
    "./darknet detector train data/obj.data cfg/yolo-obj.cfg\nCUDA Error: unknown error\n"
    "darknet: ./src/cuda.c:36: check_error: Assertion `0' failed.\n",
]


@pytest.mark.parametrize("text", START_FAILED)
def test_cuda_that_did_not_start_is_named(text):
    assert "cuda_init_failed" in errors(text)


STARTED = [
    # CUDA started; the unknown error or the words come later, or were fixed, or are asked about
    ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n>>> torch._C._cuda_init()\n>>> torch.zeros(1).cuda()\n"
    "tensor([0.], device='cuda:0')\n",
    "How do I call torch._C._cuda_init() myself? The docs say _lazy_init does it.\n",
    "The 'CUDA Error: unknown error' from darknet went away after I updated the driver; now it trains fine.\n"
    "GPU: GeForce GTX 1060 6GB\n",
    "darknet prints CUDA Error: out of memory with batch=64 subdivisions=8 on my RTX 3060.\n",
]


@pytest.mark.parametrize("text", STARTED)
def test_cuda_that_started_is_not_called_broken(text):
    # no error finding (a past state may still be mentioned as a warning)
    assert "cuda_init_failed" not in errors(text)


THC = ("THCudaCheck FAIL file=/home/me/src/pytorch/aten/src/THC/generic/THCTensorMath.cu line=15 error=8 : "
       "invalid device function\n")


@pytest.mark.parametrize("text", [
    ">>> x = torch.rand(3).cuda()\n>>> x + x\n" + THC
    + "RuntimeError: cuda runtime error (8) : invalid device function at "
      "/home/me/src/pytorch/aten/src/THC/generic/THCTensorMath.cu:15\n",
    "I built torch from source on the login node.\n" + THC,
])
def test_invalid_device_function_in_torchs_own_kernel_is_torchs_build(text):
    got = errors(text)
    assert {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(got)
    assert "extension_built_without_gpu_arch" not in got


@pytest.mark.parametrize("text", [
    # an extension's own kernel, not torch's: the THC/ATen reader stays out of it
    "  File \"/opt/ext/ops.py\", line 12, in forward\nRuntimeError: CUDA error: invalid device function\n"
    "error in nnd updateOutput: invalid device function (src/nnd_cuda.cu)\n",
    # the words on a working machine (a question; a log of torch's sources compiling)
    "Why does THCudaCheck print 'invalid device function' for some people? Mine works on the 3090.\n",
    "[ 45%] Building NVCC (Device) object caffe2/CMakeFiles/torch_cuda.dir/__/aten/src/THC/THCTensorMath.cu.o\n",
])
def test_near_misses_give_no_torch_build_error(text):
    got = errors(text)
    assert "gpu_arch_unsupported_by_torch_build" not in got
    assert "gpu_arch_too_old_for_torch_build" not in got


# A program that compiles its own kernels (CMake's "CUDA NVCC target flags", OpenCV's message)
# for architectures that miss the GPU, then fails with "invalid device function".
FLAGS_50 = "-- CUDA NVCC target flags: -gencode;arch=compute_50,code=sm_50;-gencode;arch=compute_52,code=sm_52\n"


@pytest.mark.parametrize("text", [
    "GPU: GeForce GTX 680\n" + FLAGS_50 + "./GPUTest\nError: invalid device function /home/u/ef/Core/src/Cuda/convenience.cuh:68\n",
    "Tesla K80 on the cluster.\n" + FLAGS_50 + "KERNEL_ERROR: invalid device function in src/gpu_utils/kernel.cu at line 258\n",
    "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-11111111-2222-3333-4444-555555555555)\n"
    "-- CUDA NVCC target flags: -gencode;arch=compute_61,code=sm_61;-D_FORCE_INLINES\n"
    "cudaCheckError() failed : invalid device function\n",
    "GPU: GeForce GTX 1080 Ti\n-- CUDA NVCC target flags: -gencode;arch=compute_75,code=sm_75\n"
    "Failed: Cuda error ./src/kernels.cu:2371 'invalid device function'\n",
])
def test_program_built_without_the_gpus_architecture(text):
    assert "extension_built_without_gpu_arch" in errors(text)


@pytest.mark.parametrize("text", [
    # the flags cover the GPU (a cubin of its major at or below it): the failure is elsewhere
    "GPU: GeForce GTX 980\n" + FLAGS_50 + "Error: invalid device function\n",
    # PTX old enough for a newer GPU
    "GPU: NVIDIA GeForce RTX 3090\n-- CUDA NVCC target flags: -gencode;arch=compute_52,code=compute_52\n"
    "Error: invalid device function\n",
    # flags for a GPU the machine does not have, but nothing failed: a healthy build log
    "GPU: GeForce GTX 680\n" + FLAGS_50 + "-- Configuring done\n-- Generating done\n[100%] Built target ICP\n",
    # the words in a question, with no GPU and no flags
    "What does 'Error: invalid device function' mean? My GTX 1070 runs the samples fine.\n",
])
def test_build_flags_near_misses(text):
    assert "extension_built_without_gpu_arch" not in errors(text)


def test_a_healthy_build_log_with_nvcc_flags_is_not_unexplained():
    # The flags line is read for its facts ("info" in the catalogue): nothing failed, so no
    # finding has anything to account for.
    from envcheck.explain import diagnose, source
    text = "GPU: NVIDIA GeForce RTX 3090\n" + FLAGS_50.replace("50", "86") + "-- Configuring done\nSuccessfully built icp\n"
    _, report = diagnose(source.normalise(text), collected_at="")
    assert report.verdict != "unexplained" and not report.judgement.unexplained


@pytest.mark.parametrize("text", [
    "CUDA error 209 at /home/u/llama.cpp/ggml-cuda.cu:7196: no kernel image is available for execution on the device\n",
    '  File "/opt/conda/lib/python3.7/site-packages/mmcv/ops/roi_align.py", line 87, in forward\n'
    "    ext_module.roi_align_forward(\nRuntimeError: CUDA error: no kernel image is available for execution on the device\n",
])
def test_another_programs_kernel_without_a_gpu_named_is_not_torchs_build(text):
    # The kernel that had no image was llama.cpp's or an extension's: torch's build is not shown.
    got = errors(text)
    assert "extension_built_without_gpu_arch" in got and "gpu_arch_unsupported_by_torch_build" not in got
