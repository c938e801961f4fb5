"""Round 10, group r10kernel.

* Whose CUDA error: the runtime's "driver is older than the runtime" message is torch's only in
  torch's own form (c10's "CUDA error: …", THC's "cuda runtime error (35)") or beside torch's
  name. The runtime's and the driver API's enum NAMES (cudaGetErrorName: cudaErrorInsufficientDriver,
  cuGetErrorName: CUDA_ERROR_INSUFFICIENT_DRIVER) are printed by other programs (gpufetch, CuPy,
  bladebit, jcuda, XLA, Numba), never by torch; a bare message in a paste that names no torch
  at all is another program's too.
* A CUDA toolkit's ptxas refusing the GPU (XLA's, nvcc's) is the toolkit's age; triton's bundled
  ptxas is torch/triton's release.
* lsmod's used-by column names loaded modules; an empty ``lsmod | grep nvidia_uvm`` before the
  next prompt is nvidia_uvm not loaded.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings


def _ids(text: str):
    return set(findings(text))


_findings = findings


OTHER_PROGRAMS = [
    # gpufetch (C++), cudaGetErrorName + cudaGetErrorString
    "$ gpufetch\n[ERROR]: cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version\n"
    "[ERROR]: No GPU was detected!",
    # bladebit's CudaFatalCheckMsg on Windows
    "[Bladebit CUDA Plotter]\nFailed to fetch CUDA devices.\n\n CUDA error: 35 (0x23) cudaErrorInsufficientDriver : "
    "CUDA driver version is insufficient for CUDA runtime version",
    # CuPy's CUDARuntimeError
    "  File \"cupy/cuda/runtime.pyx\", line 137, in cupy.cuda.runtime.check_status\n"
    "cupy.cuda.runtime.CUDARuntimeError: cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA "
    "runtime version",
    # jcuda (Java): the enum name alone, on the runtime's call
    "Exception in thread \"main\" jcuda.CudaException: cudaErrorInsufficientDriver\n"
    "\tat jcuda.runtime.JCuda.checkResult(JCuda.java:481)",
    # a C++ program's own log line, no torch anywhere in the paste
    "./all_tests\nChecking available CUDA-capable devices...\nERROR: CUDA driver version is insufficient for CUDA "
    "runtime version\nI am currently using NVIDIA-SMI 340.93 and Cuda 7.0",
    # another package's torch binding, built with the machine's nvcc (Horovod's horovod/torch/)
    "[1,0]<stderr>:THCudaCheck FAIL file=horovod/torch/cuda_util.cc line=32 error=35 : CUDA driver version is "
    "insufficient for CUDA runtime version",
    # a program's own tagged log line, in Chinese prose
    "运行程序报错：\n2023/10/10 12:00:01 [ERROR] CUDA driver version is insufficient for CUDA runtime version\n"
    "驱动是 390.87，装的是 CUDA 9.2",
]

TORCHS_OWN = [
    # c10's form
    ">>> import torch\n>>> torch.zeros(1).cuda()\nRuntimeError: CUDA error: CUDA driver version is insufficient for "
    "CUDA runtime version",
    # THC's form (torch 0.4)
    "RuntimeError: cuda runtime error (35) : CUDA driver version is insufficient for CUDA runtime version at "
    "/opt/conda/conda-bld/pytorch_1524586445097/work/aten/src/THC/THCGeneral.cpp:70",
    # torch's own tree in THC's check (torch 1.x on Windows)
    "THCudaCheck FAIL file=..\\torch\\csrc\\cuda\\Module.cpp line=33 error=35 : CUDA driver version is insufficient "
    "for CUDA runtime version",
    # torch.cuda's warning, cut before its "(Triggered internally at …c10…)" tail
    "UserWarning: CUDA initialization: CUDA driver version is insufficient for CUDA runtime version",
    # a person quoting torch's last line after a collect_env (the message alone, no tag)
    "PyTorch version: 1.10.0+cu113\nIs CUDA available: False\nI get this error: CUDA driver version is insufficient "
    "for CUDA runtime version",
    # the bare message beside torch's name in prose
    "When I run my torch script I get: CUDA driver version is insufficient for CUDA runtime version",
]


@pytest.mark.parametrize("text", OTHER_PROGRAMS)
def test_another_programs_cuda_is_the_toolkit_newer_than_the_driver(text):
    ids = _ids(text)
    assert "cuda_toolkit_newer_than_driver" in ids, ids
    assert "driver_too_old_for_torch_cuda" not in ids, ids


@pytest.mark.parametrize("text", TORCHS_OWN)
def test_torchs_own_wording_stays_torchs(text):
    ids = _ids(text)
    assert "driver_too_old_for_torch_cuda" in ids, ids
    assert "cuda_toolkit_newer_than_driver" not in ids, ids


NO_ERROR = [
    # code quoted from a working program, and a question
    "My check does this and it works on my machine, the GPU is found:\n    if (err == cudaErrorInsufficientDriver) {\n"
    "        fprintf(stderr, \"update your driver\\n\");\n    }\nGPU 0: NVIDIA GeForce RTX 3060",
    "What does cudaErrorInsufficientDriver mean? My programs all run, I am just curious.",
]


@pytest.mark.parametrize("text", NO_ERROR)
def test_naming_an_error_enum_is_no_finding(text):
    ids = _ids(text)
    assert "cuda_toolkit_newer_than_driver" not in ids and "driver_too_old_for_torch_cuda" not in ids, ids


# ---------------------------------------------------------------- whose ptxas
TOOLKIT_PTXAS = [
    # TensorFlow 2.4's asm_compiler fallback, the toolkit's ptxas (CUDA 11.0, RTX 3090)
    "2021-02-04 08:52:12.943009: W tensorflow/stream_executor/gpu/asm_compiler.cc:235] Your CUDA software stack is "
    "old. We fallback to the NVIDIA driver for some compilation. Update your CUDA version to get the best "
    "performance. The ptxas error was: ptxas fatal   : Value 'sm_86' is not defined for option 'gpu-name'",
    # XLA (jaxlib) naming the ptxas it found on PATH
    "W external/xla/xla/stream_executor/gpu/asm_compiler.cc:231] Falling back to the CUDA driver for PTX "
    "compilation; ptxas does not support CC 9.0\nW external/xla/xla/stream_executor/gpu/asm_compiler.cc:234] Used "
    "ptxas at /usr/local/cuda-11.7/bin/ptxas",
    # nvcc's own build running the toolkit's ptxas (the compile line names the toolkit)
    "/usr/local/cuda-11.5/bin/nvcc -gencode arch=compute_89,code=sm_89 -c kernels.cu -o kernels.o\n"
    "ptxas fatal   : Value 'sm_89' is not defined for option 'gpu-name'",
]


@pytest.mark.parametrize("text", TOOLKIT_PTXAS)
def test_a_toolkits_ptxas_refusing_the_gpu_is_the_toolkit_too_old(text):
    ids = _ids(text)
    assert "cuda_toolkit_too_old_for_gpu_arch" in ids, ids
    assert "gpu_arch_unsupported_by_torch_build" not in ids, ids


def test_tritons_bundled_ptxas_stays_the_torch_build():
    ids = _ids("triton.runtime.errors.PTXASError: PTXAS error: Internal Triton PTX codegen error\n`ptxas` stderr:\n"
               "ptxas fatal   : Value 'sm_121a' is not defined for option 'gpu-name'\n\nRepro command: /home/u/env/lib/"
               "python3.10/site-packages/triton/backends/nvidia/bin/ptxas -lineinfo -v --gpu-name=sm_121a /tmp/t.ptx")
    assert "gpu_arch_unsupported_by_torch_build" in ids and "cuda_toolkit_too_old_for_gpu_arch" not in ids, ids


def test_a_dropped_architecture_is_no_toolkit_too_old():
    # sm_30 was dropped by CUDA 11: a toolkit too NEW for it, not too old
    ids = _ids("#$ ptxas -arch=sm_30 -m64 \"tmp/CMakeCUDACompilerId.ptx\"\n"
               "ptxas fatal : Value 'sm_30' is not defined for option 'gpu-name'")
    assert "cuda_toolkit_too_old_for_gpu_arch" not in ids, ids


# ---------------------------------------------------------------- lsmod
def test_the_used_by_column_shows_nvidia_uvm_loaded():
    text = ("$ lsmod | grep nvidia\nnvidia_drm             61440  4\nnvidia_modeset       1101824  9 nvidia_drm\n"
            "nvidia              56655872  1234 nvidia_uvm,nvidia_modeset\n$ nvidia-smi")
    assert "nvidia_uvm_missing" not in _ids(text)


def test_a_main_module_used_by_modeset_only_still_misses_uvm():
    text = ("CUDA fails: cuInit returned 999\n$ lsmod | grep nvidia\nnvidia_modeset       1101824  9 nvidia_drm\n"
            "nvidia              56655872  12 nvidia_modeset\n$ ")
    assert "nvidia_uvm_missing" in _ids(text)


UVM_GREP_EMPTY = [
    "$ lsmod | grep nvidia_uvm\n$ lsmod | grep nvidia\nnvidia_drm            122880  1\n"
    "nvidia_modeset       1916928  1 nvidia_drm",
    "CUDA apps fail after the update.\nuser@box:~$ lsmod | grep -i uvm\nuser@box:~$ nvidia-smi -L\n"
    "GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-1234)",
    "[root@gpu01 ~]# lsmod | grep nvidia-uvm\n[root@gpu01 ~]# ",
]


@pytest.mark.parametrize("text", UVM_GREP_EMPTY)
def test_an_empty_uvm_grep_is_nvidia_uvm_not_loaded(text):
    assert "nvidia_uvm_missing" in _ids(text)


UVM_NOT_EMPTY = [
    # the paste ends right after the command: the output may have been left out
    "then I ran\n$ lsmod | grep nvidia_uvm",
    # the grep answered
    "$ lsmod | grep nvidia_uvm\nnvidia_uvm           1437696  0\n$ ",
    # empty first, then loaded by hand and listed
    "$ lsmod | grep nvidia_uvm\n$ sudo modprobe nvidia_uvm\n$ lsmod | grep nvidia\n"
    "nvidia_uvm           1437696  0\nnvidia              56655872  3 nvidia_uvm\n$ ",
]


@pytest.mark.parametrize("text", UVM_NOT_EMPTY)
def test_a_uvm_grep_with_output_or_cut_off_says_nothing(text):
    assert "nvidia_uvm_missing" not in _ids(text)


# ---------------------------------------------------------------- ls /dev | grep nvidia
from envcheck.explain.parsers import empty_dev_listing  # noqa: E402
from envcheck.explain.source import normalise as _norm  # noqa: E402

DEV_GREP_EMPTY = [
    "root@1a2b3c:/# ls /dev | grep nvidia\nroot@1a2b3c:/# nvidia-smi\nbash: nvidia-smi: command not found",
    "$ ls -la /dev | grep -i nvidia\n$ ",
    "[user@node01 ~]$ ls -l /dev/ | grep nvidia\n[user@node01 ~]$ echo $CUDA_VISIBLE_DEVICES",
]
DEV_GREP_SAYS_NOTHING = [
    # the listing answered
    "$ ls -la /dev | grep nvidia\ncrw-rw-rw- 1 root root 195,   0 Jan  1 10:00 nvidia0\n$ ",
    # the paste ends at the command
    "I also ran\n$ ls /dev | grep nvidia",
    # the output was put below a remark instead
    "$ ls /dev | grep nvidia\n(output below)\nnvidia0 nvidiactl nvidia-uvm",
]


@pytest.mark.parametrize("text", DEV_GREP_EMPTY)
def test_an_empty_dev_grep_is_no_nvidia_node(text):
    claims = [c for c in empty_dev_listing.parse(_norm(text)).claims if c.path == "driver.device_nodes"]
    assert claims and claims[0].reading.value[0].exists is False


@pytest.mark.parametrize("text", DEV_GREP_SAYS_NOTHING)
def test_a_dev_grep_with_output_or_cut_off_says_nothing(text):
    assert not empty_dev_listing.parse(_norm(text)).claims


MAIN_GREP_EMPTY = [
    "(base) me@box:~$ lsmod | egrep -i 'nvidia'\n(base) me@box:~$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't "
    "communicate with the NVIDIA driver.",
    "[root@gpu01 ~]# lsmod | grep -i -w nvidia\n[root@gpu01 ~]# ",
]


@pytest.mark.parametrize("text", MAIN_GREP_EMPTY)
def test_an_empty_nvidia_grep_is_the_module_not_loaded(text):
    from envcheck.explain.parsers import driver_text
    claims = [c for c in driver_text.parse(_norm(text)).claims if c.path == "driver.modules_not_loaded"]
    assert claims and claims[0].reading.value == ("nvidia",)


def test_an_nvidia_grep_with_rows_is_no_absence():
    from envcheck.explain.parsers import driver_text
    text = "$ lsmod | egrep nvidia\nnvidia              56655872  12 nvidia_modeset\n$ "
    assert not [c for c in driver_text.parse(_norm(text)).claims if c.path == "driver.modules_not_loaded"]
