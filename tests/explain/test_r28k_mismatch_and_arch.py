"""Round 28 k: two classes strangers' short reports showed, widened to their families.

* CUDA's error 803 (cudaErrorSystemDriverMismatch, "system has unsupported display driver / cuda
  driver combination": libcuda and the kernel module of different versions) in every program's
  form -- torch's cudaGetDeviceCount warning, deviceQuery, TensorFlow's cuInit, cupy, ggml, Caffe's
  CUDA_CHECK, THC, Ollama's discovery log -- is nvml_driver_library_mismatch outside a container.
  nvidia-container-cli's hook prints it on the host (the host's libcuda and module), so a container
  start failing so is the host's mismatch, not a driver in the image.
  Not: inside a container (the image's driver: driver_installed_inside_container), with the CUDA
  forward-compatibility package on the loader's path, the message asked about, a problem said over.
* A CUDA toolkit too old for the GPU said in words while a build of compiled CUDA code is said to
  fail (the compiler's message in a screenshot), in several languages; nvcc's refusal of a target
  since dropped (compute_61) beside a CUDA release that predates the drop; nvcc's refusal retyped
  with a space. Not: no build, a toolkit new enough, a question, a failure said over, torch itself
  failing to install, a toolkit past the drop (CUDA 13 and compute_61).

Texts written for the test, in the shapes of GitHub issue pastes."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors

MISMATCH = "nvml_driver_library_mismatch"
TOO_OLD = "cuda_toolkit_too_old_for_gpu_arch"
_803 = "system has unsupported display driver / cuda driver combination"


@pytest.mark.parametrize("paste", [
    "UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions "
    f"before calling NumCudaDevices() that might have already set an error? Error 803: {_803} (Triggered internally "
    "at ../c10/cuda/CUDAFunctions.cpp:109.)\n",
    f"./deviceQuery Starting...\n\ncudaGetDeviceCount returned 803\n-> {_803}\nResult = FAIL\n",
    "E tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:268] failed call to cuInit: "
    f"CUDA_ERROR_SYSTEM_DRIVER_MISMATCH: {_803}\n",
    f"cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorSystemDriverMismatch: {_803}\n",
    "time=2024-05-01T10:00:00.000Z level=INFO source=gpu.go:630 msg=\"Unable to load cudart library "
    "/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01: cuda driver library init failure: 803\"\n",
    f"ggml_cuda_init: failed to initialize CUDA: {_803}\n",
    f"F0101 12:00:00.000 1234 common.cpp:152] Check failed: error == cudaSuccess (803 vs. 0)  {_803}\n",
    f"RuntimeError: cuda runtime error (803) : {_803} at /pytorch/aten/src/THC/THCGeneral.cpp:50\n",
    "$ docker run --rm --gpus all nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi\ndocker: Error response from daemon: "
    "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: "
    "unable to start container process: error during container init: error running hook #0: error running hook: exit "
    f"status 1, stdout: , stderr: Auto-detected mode as 'legacy'\nnvidia-container-cli: initialization error: cuda error: "
    f"{_803}: unknown.\n",
], ids=["torch", "deviceQuery", "tensorflow", "cupy", "ollama", "ggml", "caffe", "thc", "container-cli-on-the-host"])
def test_error_803_is_the_version_mismatch(paste):
    e = errors(paste)
    assert MISMATCH in e, sorted(e)
    assert "driver_installed_inside_container" not in e, sorted(e)  # the host's libcuda, or no container


@pytest.mark.parametrize("paste", [
    "I run it inside docker: docker run --gpus all myimage\nRuntimeError: Unexpected error from cudaGetDeviceCount(). "
    f"Error 803: {_803}\n",
    "export LD_LIBRARY_PATH=/usr/local/cuda/compat:$LD_LIBRARY_PATH\nRuntimeError: Unexpected error from "
    f"cudaGetDeviceCount(). Error 803: {_803}\n",
    f"What does 'Error 803: {_803}' mean? I have not seen it myself.\n",
    f"If you see \"{_803}\", reboot.\n",
    f"Error 803: {_803}\nUpdate: solved, a reboot fixed it.\n",
    "nvidia-smi shows 546 MiB used, 803 MiB free on GPU 1\n",
], ids=["container", "compat-package", "question", "advice", "over", "a-number"])
def test_error_803_near_misses(paste):
    e = errors(paste)
    assert MISMATCH not in e, sorted(e)


@pytest.mark.parametrize("paste", [
    "whern i install tiny_cuda_nn,there have a erroe:\n\nMy environment：\nGraphics card：rtx4090\nCUDA Version：11.3\n",
    "I am building the extension on an RTX 4090 with CUDA 11.3.\npython setup.py install fails with an error.\n",
    "显卡：RTX 4090\nCUDA版本：11.3\n编译 mmcv 时报错\n",
    "GPU: RTX 3090, CUDA 10.2\nBuilding apex from source fails with errors.\n",
    "I am setting this repo up with Ubuntu 16.04 and an Nvidia P6000 GPU with Cuda 10.1.\n"
    "nvcc fatal   : Unsupported gpu architecture 'compute_61\nerror: command '/usr/bin/nvcc' failed with exit status 1\n",
    "nvcc fatal   : Unsupported gpu architecture ' compute_86'\nI have CUDA 11.0\n",
    "I tried to build it: \"[CU] Dambreak3D.onvcc fatal : Value ' sm_86' is not defined for option 'gpu-architecture\"\n",
    "I'm using Ubuntu 14.04, CUDA7.5, the gpu card is a Titan X.\n"
    "nvcc fatal : Unsupported gpu architecture 'compute_61' when install cutorch.\n",
    "The build failed: my nvidia compiler wasn't up to date enough to support blackwell chips.\n",
    "My CUDA compiler is not new enough for sm_120, so the build of llama.cpp fails.\n",
], ids=["tcnn-prose", "setup-py", "zh-mmcv", "apex", "dropped-target-old-era", "spaced-quote", "spaced-value",
        "release-run-into-the-word", "compiler-not-up-to-date", "compiler-not-new-enough"])
def test_toolkit_too_old_for_the_build(paste):
    e = errors(paste)
    assert TOO_OLD in e, sorted(e)


@pytest.mark.parametrize("paste", [
    "GPU: RTX 4090, CUDA 11.3, pytorch 1.10\nTraining works, but the loss is NaN after 10 epochs.\n",
    "GPU: RTX 4090, CUDA 12.1\nwhen i install tiny_cuda_nn there is an error\n",
    "GPU: RTX 4090, CUDA 11.3\nHow do I install tiny-cuda-nn without errors?\n",
    "GPU: RTX 4090, CUDA 11.3\nInstalling tiny-cuda-nn failed at first, but after upgrading to CUDA 11.8 it built fine.\n",
    "GPU: RTX 4090, CUDA 11.3\npip install torch fails with a network error.\n",
    "My GTX 1080 with CUDA 13.0: nvcc fatal   : Unsupported gpu architecture 'compute_61'\n",
    "My friend's machine has an RTX 4090 with CUDA 11.3; on mine (RTX 2080, CUDA 11.3) building apex fails.\n",
    "Is my nvidia compiler not up to date enough to support blackwell chips?\n",
    "GPU: RTX 4090, CUDA 11.3\nI built apex from source without errors, but training is slow.\n",
    "GPU: RTX 4090, CUDA 11.3\nThe build of flash-attn didn't fail; the import does.\n",
    "My CUDA compiler is not new enough for C++20.\n",
    "The nvidia compiler wasn't up to date enough to support blackwell chips, so I installed CUDA 12.8 and now it builds.\n",
], ids=["no-build", "toolkit-new-enough", "question", "over", "torch-install", "past-the-drop", "another-machine",
        "compiler-question", "without-errors", "did-not-fail", "compiler-language-standard", "compiler-fixed"])
def test_toolkit_too_old_near_misses(paste):
    e = errors(paste)
    assert TOO_OLD not in e, sorted(e)


_CLANG = ("clang: error: GPU arch {sm} is supported by CUDA versions between {lo} and {hi} (inclusive), but installation "
          "at {at} is {have}; use '--cuda-path' to specify a different CUDA install, pass a different GPU arch with "
          "'--cuda-gpu-arch', or pass '--no-cuda-version-check'\n")


def test_clang_finds_a_toolkit_older_than_its_table():
    e = errors(_CLANG.format(sm="sm_89", lo="11.8", hi="12.3", at="/usr/local/cuda-11.4", have="11.4"))
    assert TOO_OLD in e, sorted(e)


@pytest.mark.parametrize("sm, lo, hi, have", [("sm_35", "7.0", "11.8", "12.4"), ("sm_35", "7.0", "11.8", "")],
                         ids=["past-the-drop", "no-release"])
def test_clang_near_misses(sm, lo, hi, have):
    e = errors(_CLANG.format(sm=sm, lo=lo, hi=hi, at="/usr/local/cuda", have=have))
    assert TOO_OLD not in e, sorted(e)
