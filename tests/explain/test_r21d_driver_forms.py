"""Round 21 d: a driver older than a program's CUDA, in forms the catalogue lacked.

1. Julia's CUDA packages: CUDAnative.jl / CUDA.jl's "CUDA 10.0 is not supported by\\nyour driver
   (which supports up to 9.0)" (src/compatibility.jl, cuda_compat) and CUDA_Runtime_jll's "CUDA
   driver 8.0.0 is not compatible with any supported CUDA toolkit (…)" (platform augmentation).
2. TensorRT's "CUDA initialization failure with error: 35" (35 = cudaErrorInsufficientDriver); its
   other codes (2 out of memory, 46 busy, 100 no device) are other causes.
3. Whose runtime printed cudaErrorInsufficientDriver: a C/C++ CUDA-check macro's own wording
   ("CUDA error %d at %s:%d: %s", nheqminer's "Cuda error in func '%s' at line %i : %s",
   "CUDA error '%s' in func '%s' line %d") is never PyTorch's (c10 prints "CUDA error: <string>"),
   so the driver is older than that program's CUDA, not torch's (derived/cuda_program.py).

Texts after the shapes of real reports (JuliaGPU/julia-ngc#7, JuliaGPU/CUDA.jl#2231,
NoncerPro/noncerpro-nimiq-cuda#5, nicehash/nheqminer#321, funakoshi2718/funakoshi-miner#10) and the
upstream printers, each with near-misses.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NEWER = "cuda_toolkit_newer_than_driver"
TORCH = "driver_too_old_for_torch_cuda"


# --------------------------------------------------------------------------- 1. Julia
@pytest.mark.parametrize("text", [
    "Loading the container on a system with the 384 driver returns this error:\n\n```\nPrecompiling project...\n"
    "Precompiling CUDAnative\nERROR: LoadError: CUDA 10.0 is not supported by\nyour driver (which supports up to 9.0)\n```",
    "\u250c Warning: CUDA 10.1 is not supported by\n\u2502 your driver (which supports up to 10.0)\n"
    "\u2514 @ CUDAnative ~/.julia/packages/CUDAnative/2WQzk/src/compatibility.jl:176",
    "Trying to install this package however getting error: Error: CUDA driver 8.0.0 is not compatible with any "
    "supported CUDA toolkit (11.4.4, 11.5.2, 11.6.2, 11.7.1, 11.8.0, 12.0.1, 12.1.1, 12.2.2 or 12.3.1)",
])
def test_julia_says_the_toolkit_is_newer_than_the_driver(text):
    got = findings(text)
    assert NEWER in got
    assert TORCH not in got


@pytest.mark.parametrize("text", [
    # CUDA.jl's versioninfo() of a working machine: the driver's CUDA and the runtime agree
    "CUDA toolchain: \n- runtime 13.0, artifact installation\n- driver 580.95.5 for 13.0\n- compiler 13.0\n\n"
    "1 device:\n  0: NVIDIA GB10 (sm_121, 93.908 GiB / 119.699 GiB available)",
    # the toolkit is supported: no message
    "julia> using CUDA\njulia> CUDA.functional()\ntrue",
])
def test_julia_working_gives_no_error(text):
    assert NEWER not in errors(text)


# --------------------------------------------------------------------------- 2. TensorRT
@pytest.mark.parametrize("text", [
    "[01/08/2024-17:06:37] [TRT] [W] CUDA initialization failure with error: 35. Please check your CUDA installation:"
    "  http://docs.nvidia.com/cuda/cuda-installation-guide-linux/index.html\nTraceback (most recent call last):\n"
    "  File \"./tensorrt-python/export.py\", line 308, in <module>\n    main(args)",
    "[TRT] [E] createInferBuilder: Error Code 6: API Usage Error (CUDA initialization failure with error: 35)\n"
    "TypeError: pybind11::init(): factory function returned nullptr",
])
def test_tensorrt_error_35_is_its_cuda_newer_than_the_driver(text):
    got = findings(text)
    assert NEWER in got
    assert TORCH not in got


@pytest.mark.parametrize("text", [
    "[TRT] [E] createInferBuilder: Error Code 6: API Usage Error (CUDA initialization failure with error: 2. "
    "Please check your CUDA installation)",
    "[TRT] [W] CUDA initialization failure with error: 100. Please check your CUDA installation:  "
    "http://docs.nvidia.com/cuda/cuda-installation-guide-linux/index.html",
    "[TRT] [E] createInferRuntime: CUDA initialization failure with error: 46",
    "[TRT] [W] CUDA initialization failure with error: 350",
])
def test_tensorrt_other_codes_are_not_the_driver(text):
    got = findings(text)
    assert NEWER not in got
    assert TORCH not in got


# --------------------------------------------------------------------------- 3. a C/C++ check macro's wording
@pytest.mark.parametrize("text", [
    "I'm having this error when i try to run the miner in a ubuntu 16.04 64 bits 4 cores 8gb ram:\n \n"
    "Cuda error in func 'cuda_get_total_devices' at line 146 : CUDA driver version is insufficient for CUDA runtime "
    "version",
    "[2018-Apr-07 03:53:35] CUDA error 'CUDA driver version is insufficient for CUDA runtime version' at line 61",
    "<error> CUDA error 'CUDA driver version is insufficient for CUDA runtime version' in func 'getinfo' line 45",
    "CUDA error 35 at main.cu:27: CUDA driver version is insufficient for CUDA runtime version",
    "CUDA error 222 at kernels.cu:406: the provided PTX was compiled with an unsupported toolchain.",
])
def test_a_check_macros_wording_is_another_programs_cuda(text):
    got = findings(text)
    assert NEWER in got
    assert TORCH not in got


@pytest.mark.parametrize("text", [
    # torch's own wording stays torch's
    "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    torch.zeros(1).cuda()\n"
    "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version",
])
def test_torchs_wording_stays_torchs(text):
    got = findings(text)
    assert TORCH in got
    assert NEWER not in got


@pytest.mark.parametrize("text", [
    # the same macros with another error: not the driver
    "Cuda error in func 'cuda_get_total_devices' at line 146 : out of memory.",
    "CUDA error 2 at main.cu:27: out of memory",
    "CUDA error 'an illegal memory access was encountered' in func 'solve' line 120",
])
def test_a_check_macros_other_errors_are_not_the_driver(text):
    got = findings(text)
    assert NEWER not in got
    assert TORCH not in got
