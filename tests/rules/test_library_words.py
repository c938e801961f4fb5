"""The library and extension classes in other tools' and people's words (branch recall5d):
TensorFlow's and Caffe2's cuDNN check, xFormers' build banner, torchvision's missing ops,
apex's and DeepSpeed's toolkit check, glibc's versioned relocation error, LD_LIBRARY_PATH or
NCCL named as the cause. Each beside a working paste with the same words in another context.
Texts written for the test, none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import library_prose
from tests.rules.test_unseen_classes import WORKING, errors, findings


@pytest.mark.parametrize("text", [
    "2020-01-02 10:00:00.1: E tensorflow/stream_executor/cuda/cuda_dnn.cc:319] Loaded runtime CuDNN library: 7.1.4 "
    "but source was compiled with: 7.6.0.  CuDNN library major and minor version needs to match.",
    "E tensorflow/stream_executor/cuda/cuda_dnn.cc:352] Loaded runtime CuDNN library: 6021 (compatibility version "
    "6000) but source was compiled with 7003 (compatibility version 7000).",
    "RuntimeError: [enforce fail at common_cudnn.h:110] version_match. cuDNN compiled (7605) and runtime (7102) "
    "versions mismatch",
])
def test_another_frameworks_cudnn_check_is_a_cudnn_mismatch(text):
    f = errors(text)
    assert "cudnn_version_mismatch" in f and f["cudnn_version_mismatch"].confidence.value == "confirmed"


def test_a_cudnn_version_printed_by_a_working_tensorflow_is_no_mismatch():
    text = WORKING + ("I tensorflow/stream_executor/platform/default/dso_loader.cc:53] Successfully opened dynamic "
                      "library libcudnn.so.8\nLoaded cuDNN version 8100\n")
    assert "cudnn_version_mismatch" not in findings(text)


def test_xformers_built_for_another_torch():
    text = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
            "    PyTorch 2.3.0+cu121 with CUDA 1201 (you have 2.2.2+cu121)\n    Python  3.10.11 (you have 3.10.11)")
    # The banner alone: a warning (the app runs on without xFormers' kernels).
    assert "extension_built_for_other_torch" in findings(text) and "extension_built_for_other_torch" not in errors(text)


def test_xformers_beside_a_cpu_torch_is_the_cpu_build_not_the_extension():
    text = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
            "    PyTorch 2.3.0+cu121 with CUDA 1201 (you have 2.3.0+cpu)")
    assert "extension_built_for_other_torch" not in findings(text)


def test_xformers_info_on_a_working_machine_is_healthy():
    text = WORKING + ("xFormers 0.0.22.post7\nmemory_efficient_attention.cutlassF:               available\n"
                      "pytorch.version:                                   2.1.0+cu121\n")
    assert not errors(text)


@pytest.mark.parametrize("text", [
    "RuntimeError: Couldn't load custom C++ ops. This can happen if your PyTorch and torchvision versions are "
    "incompatible, or if you had errors while compiling torchvision from source.",
    "  File \"/venv/lib/python3.10/site-packages/torchvision/_meta_registrations.py\", line 164, in <module>\n"
    "RuntimeError: operator torchvision::nms does not exist",
])
def test_torchvision_ops_missing_is_likely_a_torchvision_for_another_torch(text):
    f = findings(text)
    assert f["extension_built_for_other_torch"].confidence.value == "likely"


def test_torchvision_nms_used_on_a_working_machine_is_no_finding():
    text = WORKING + ">>> from torchvision.ops import nms\n>>> nms(boxes, scores, 0.5).shape\ntorch.Size([12])\n"
    assert "extension_built_for_other_torch" not in findings(text)


@pytest.mark.parametrize("text", [
    "RuntimeError: Cuda extensions are being compiled with a version of Cuda that does not match the version used "
    "to compile Pytorch binaries.  Pytorch binaries were compiled with Cuda 12.1.",
    "Exception: Installed CUDA version 11.5 does not match the version torch was compiled with 11.7, unable to "
    "compile cuda/cpp extensions without a matching cuda version.",
])
def test_extension_builders_toolkit_check(text):
    assert "toolkit_differs_from_torch_cuda" in errors(text)


def test_relocation_error_between_two_cublas_copies():
    text = ("python: relocation error: /usr/local/cuda-11.0/lib64/libcublas.so.11: symbol cublasLtMatmulAlgoInit, "
            "version libcublasLt.so.11 not defined in file libcublasLt.so.11 with link time reference")
    f = findings(text)
    assert {"ld_library_path_conflict", "conflicting_cuda_libraries_loaded"} & set(f)


@pytest.mark.parametrize("text", [
    "/usr/local/cuda-10.1/lib64 was on my LD_LIBRARY_PATH and caused the conflict.",
    "Removing /opt/cuda/lib64 from LD_LIBRARY_PATH solved the issue, thanks!",
    "unset LD_LIBRARY_PATH fixed it for me.",
    "LD_LIBRARY_PATH 里的 /usr/local/cuda-11.2/lib64 导致冲突",
])
def test_ld_library_path_named_as_the_cause(text):
    f = findings(text)
    assert f["ld_library_path_conflict"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    WORKING + "export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH\n",
    WORKING + "I set LD_LIBRARY_PATH as the install guide says and everything runs.\n",
    WORKING + "Removing /usr/local/cuda/lib64 from LD_LIBRARY_PATH didn't help.\n",
    WORKING + "Could LD_LIBRARY_PATH cause this?\n",
])
def test_ld_library_path_mentioned_without_blame_says_nothing(text):
    assert "ld_library_path_conflict" not in findings(text)


@pytest.mark.parametrize("text", [
    "The tests failed because of the incompatible cuda and nccl version.",
    "Turns out the NCCL versions do not match between the build and the system library.",
    "原来是 NCCL 版本不一致",
])
def test_nccl_mismatch_named_as_the_cause(text):
    f = findings(text)
    assert f["nccl_version_mismatch"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    WORKING + "NCCL version 2.18.1+cuda12.1\n",
    WORKING + "Is the NCCL version mismatch a problem here?\n",
])
def test_nccl_named_without_blame_says_nothing(text):
    assert "nccl_version_mismatch" not in findings(text)


def test_the_prose_reader_never_raises_on_odd_text():
    library_prose.parse(source.normalise("LD_LIBRARY_PATH\n" * 3 + "nccl " * 50 + "\x00;;;。"))
