"""Round 20 l: a CUDA program's own kernels without this GPU's architecture, in its own words.

* A program's own error check printing CUDA's "invalid device function" without a file
  ("Error: %s" after ElasticFusion's cudaSafeCall, darknet's "CUDA Error: %s",
  py-faster-rcnn's "cudaCheckError() failed : %s"): the kernel it launched is its own,
  so extension_built_without_gpu_arch (likely) — unless the build's architecture list in the
  text covers the GPU, or torch's own "CUDA error: invalid device function" is what was said.
* libSGM's ``cuda error <file> : <line> <error>`` (src/internal.h cuda_safe_call): the file
  read like the other own-source sites (rules/own_kernel_site.py), torch's tree left out.
* xmr-stak's "miner not compiled for the gpu architecture NN"
  (xmrstak/backend/nvidia/nvcc_code/cuda_extra.cu): the program says its build lacks the arch.
Texts after the shapes of real reports (darknet#686, stixels#4, libSGM#8, Faster-RCNN_TF#19,
xmr-stak#298); near-misses: a question, a denial, another machine, a failure said over, the
build's flags covering the GPU, torch's own message.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

EXT = "extension_built_without_gpu_arch"


@pytest.mark.parametrize("text", [
    "When I run ./darknet detector demo on my GeForce GT 730 I get:\nCUDA Error: invalid device function\n"
    "CUDA Error: invalid device function: No error",
    "python tools/demo.py --model VGGnet.ckpt\ncudaCheckError() failed : invalid device function",
    "$ ./stixels ../example/ 128\nError: invalid device function 8\nError: invalid device function 8",
    "cuda error /home/u/libSGM/src/winner_takes_all.cu : 318 invalid device function",
    "libSGM/src/check_consistency.cu : 52 invalid device function\nAny suggestion is appreciable.",
    "[2017-11-29 18:48:46] : WARNING: NVIDIA GPU 0: miner not compiled for the gpu architecture 20.\n"
    "[2017-11-29 18:48:46] : Setup failed for GPU 0. Exitting.",
])
def test_own_kernel_without_gpu_arch(text):
    assert EXT in errors(text)


def test_said_by_the_program_is_confirmed():
    f = errors("running xmr-stak works fine with CPU but it also display `WARNING: NVIDIA GPU 0: miner not compiled "
               "for the gpu architecture 30.`")
    assert f[EXT].confidence.value == "confirmed"


def test_no_file_is_likely_only():
    assert findings("CUDA Error: invalid device function")[EXT].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # only asked about
    "What does 'Error: invalid device function' mean?",
    "What does 'check_consistency.cu : 52 invalid device function' mean?",
    "Does 'miner not compiled for the gpu architecture 30' mean my GTX680 is too old?",
    # denied
    "I don't get 'Error: invalid device function' any more, everything works fine now.",
    "I no longer get WARNING: NVIDIA GPU 0: miner not compiled for the gpu architecture 30.",
    # another machine, this one working
    "I got Error: invalid device function on my old laptop, not on this machine, which works fine.",
    # torch's own tree, and torch's own message: the torch-build rules' to judge
    "cuda error /pytorch/aten/src/THC/THCTensorCopy.cu : 102 invalid device function",
    "RuntimeError: CUDA error: invalid device function",
])
def test_near_misses_name_no_own_build(text):
    assert EXT not in findings(text)


def test_build_flags_covering_the_gpu():
    text = ("-- CUDA NVCC target flags: -gencode;arch=compute_61,code=sm_61\n"
            "GPU 0: NVIDIA GeForce GTX 1070 (UUID: GPU-1234)\nError: invalid device function")
    assert EXT not in findings(text)


def test_failure_said_over_is_a_warning():
    for text in ("I used to get this:\nError: invalid device function\n\nAfter rebuilding with -arch=sm_61 it works now.",
                 "Before, xmr-stak said:\nWARNING: NVIDIA GPU 0: miner not compiled for the gpu architecture 30.\n\n"
                 "After cmake -DCUDA_ARCH=30 it works now."):
        f = findings(text)
        assert f[EXT].severity.value == "warning" and EXT not in errors(text)


def test_own_source_spaced_does_not_blame_torch():
    text = ("GPU 0: NVIDIA GeForce GTX 1070\n"
            "cuda error /home/u/libSGM/src/winner_takes_all.cu : 318 no kernel image is available for execution on the device")
    f = findings(text)
    assert EXT in f
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(f)


# Extensions' own launch checks without a file: Deformable-DETR's ms_deform_attn (GroundingDINO, DINO,
# Mask2Former copy it), DCNv2's im2col, spconv's TV_CHECK_CUDA_ERR; THC's check in an extension's own .cu.
@pytest.mark.parametrize("text", [
    "GroundingDINO demo on our new server:\nerror in ms_deformable_im2col_cuda: no kernel image is available for "
    "execution on the device\nRuntimeError: CUDA error: no kernel image is available for execution on the device",
    "error in modulated_deformable_im2col_cuda: invalid device function",
    "RuntimeError: /io/build/temp.linux-x86_64-cpython-38/spconv/build/core_cc/src/csrc/sparse/all/SpconvOps/"
    "SpconvOps_get_indice_pairs_implicit_gemm.cu(163)\ncuda execution failed with error 209 no kernel image is available "
    "for execution on the device",
    "THCudaCheck FAIL file=/home/u/maskrcnn-benchmark/maskrcnn_benchmark/csrc/cuda/ROIAlign_cuda.cu line=310 error=48 : "
    "no kernel image is available for execution on the device",
])
def test_extension_launch_checks(text):
    f = findings(text)
    assert EXT in errors(text)
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(f)


@pytest.mark.parametrize("text", [
    "What does 'error in ms_deformable_im2col_cuda: no kernel image is available for execution on the device' mean?",
    "error in modulated_deformable_im2col_cuda: out of memory",
    "RuntimeError: /home/u/spconv/src/spconv/indice.cu 125\ncuda execution failed with error 2 out of memory",
    # THC's check in torch's own file: the torch build's
    "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCTensorCopy.cu line=102 error=48 : no kernel image is available "
    "for execution on the device",
])
def test_extension_launch_near_misses(text):
    assert EXT not in findings(text)


def test_torch_build_lacking_the_gpu_is_compats():
    text = ("UserWarning: \nNVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current "
            "PyTorch installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 "
            "sm_80 sm_86 sm_90.\nerror in ms_deformable_im2col_cuda: no kernel image is available for execution on "
            "the device")
    f = findings(text)
    assert "gpu_arch_unsupported_by_torch_build" in f and EXT not in f


def test_nvcc_other_than_torchs_cuda_is_not_called_an_arch_list():
    # Deformable-DETR#67's shape: the op built by nvcc 9.2 beside a cudatoolkit 10.1 torch
    text = ("error in ms_deformable_im2col_cuda: invalid device function\n"
            "Cuda compilation tools, release 9.2, V9.2.148\n"
            "pytorch                   1.7.0           py3.7_cuda10.1.243_cudnn7.6.3_0    pytorch")
    assert EXT not in findings(text)
