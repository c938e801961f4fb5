"""Classes widened for unseen reports (docs/diagnosis.md): a missing CUDA
library in each loader's words, NCCL's own CUDA failure, conda's python conflict; each
beside a working machine's paste with the same words in another context. Texts written
for the test, none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from envcheck.knowledge.tables import load_dir
from envcheck.rules.libraries import family, major
from tests.rules.test_unseen_classes import WORKING, errors, findings


@pytest.mark.parametrize("text", [
    "OSError: libcudart.so.12: cannot open shared object file: No such file or directory",
    "ImportError: libcudnn_ops_infer.so.8: cannot open shared object file: No such file or directory",
    "[ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: "
    "libcublasLt.so.11: cannot open shared object file: No such file or directory",
    "RuntimeError: Library cublas64_12.dll is not found or cannot be loaded",
    "Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!",
    "FileNotFoundError: Could not find module 'C:\\cuda\\bin\\cudnn_cnn_infer64_8.dll' (or one of its dependencies). "
    "Try using the full path with constructor syntax.",
    'Error loading "C:\\x\\onnxruntime_providers_cuda.dll" which depends on "cudnn64_9.dll" which is missing.',
    "CUDA SETUP: Problem: The main issue seems to be that the main CUDA runtime library was not detected.",
])
def test_a_missing_cuda_library_in_each_loaders_words(text):
    f = findings(text)
    assert "cuda_library_missing" in f
    assert f["cuda_library_missing"].severity.value == "error"


def test_tensorflow_goes_on_without_the_gpu_so_its_line_is_a_warning():
    text = ("W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library "
            "'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory")
    assert findings(text)["cuda_library_missing"].severity.value == "warning"


@pytest.mark.parametrize("text", [
    "ImportError: libcuda.so.1: cannot open shared object file: No such file or directory",  # the driver's
    "OSError: libnvinfer.so.7: cannot open shared object file: No such file or directory",  # TensorRT, optional
    "OSError: /venv/lib/python3.10/site-packages/torch/lib/libcudnn.so.8: cannot open shared object file",
    "OSError: libGL.so.1: cannot open shared object file: No such file or directory",
])
def test_other_libraries_are_not_a_missing_cuda_library(text):
    assert "cuda_library_missing" not in findings(text)


def test_family_and_major_from_file_names():
    assert (family("libcublasLt.so.11"), major("libcublasLt.so.11")) == ("cublaslt", "11")
    assert (family("cudart64_110.dll"), major("cudart64_110.dll")) == ("cudart", "11")
    assert (family("cudnn_ops_infer64_8.dll"), major("cudnn_ops_infer64_8.dll")) == ("cudnn", "8")
    assert family("libcuda.so.1") is None


def test_nccls_own_cuda_failure_is_nccl_built_for_a_newer_cuda():
    text = ("node1:12:30 [0] NCCL INFO NCCL version 2.21.5+cuda12.4\n"
            "node1:12:30 [0] include/alloc.h:48 NCCL WARN Cuda failure 'CUDA driver version is insufficient for "
            "CUDA runtime version'")
    assert "nccl_version_mismatch" in errors(text)


def test_condas_python_conflict_naming_pytorch():
    text = ("UnsatisfiableError: The following specifications were found to be incompatible with the existing "
            "python installation in your environment:\n\nSpecifications:\n\n  - pytorch==1.7.1 -> "
            "python[version='>=3.6,<3.7.0a0|>=3.8,<3.9.0a0']\n\nYour python: python=3.10\n")
    assert "python_unsupported_by_torch" in findings(text)


@pytest.mark.parametrize("extra", [
    "ldconfig -p | grep libcudart\n\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12",
    "pip install nvidia-cublas-cu12 nvidia-cudnn-cu12",
    "NCCL version 2.21.5+cuda12.4",
])
def test_a_working_machine_with_the_same_words_gets_no_error(extra):
    assert errors(WORKING + extra + "\n") == {}


@pytest.mark.parametrize("text", [
    "  ╰─▶ Because the current Python version (3.13.0) does not satisfy Python>=3.8,<3.13 and torch==2.4.0 depends "
    "on Python>=3.8,<3.13, we can conclude that torch==2.4.0 cannot be used.",
    "conda create -n sd python=3.13\nconda activate sd\npip install torch==2.2.0\n"
    "ERROR: No matching distribution found for torch==2.2.0",
])
def test_python_without_torch_wheels_in_uv_and_conda_words(text):
    assert "python_unsupported_by_torch" in findings(text)


def test_no_torch_at_all_for_the_newest_python_torch_knows_is_likely_its_wheels_not_yet_out():
    newest = load_dir().releases[0].python[-1]
    text = (f"$ python --version\nPython {newest}.0\n$ pip install torch\nERROR: Could not find a version that "
            "satisfies the requirement torch (from versions: none)\nERROR: No matching distribution found for torch")
    f = findings(text)
    assert f["python_unsupported_by_torch"].confidence.value == "likely"


def test_a_python_torch_has_wheels_for_today_is_only_likely_when_pip_finds_none():
    # "none" for a 64-bit CPython torch supports today: the report most likely predates its wheels
    # (3.12 waited from October 2023 to January 2024), so it is said, as likely, with the span.
    text = ("$ python --version\nPython 3.12.1\nERROR: Could not find a version that satisfies the requirement "
            "torch (from versions: none)\nERROR: No matching distribution found for torch")
    f = errors(text)["python_unsupported_by_torch"]
    assert f.confidence.value == "likely" and "from PyTorch 2.2" in f.explanation


@pytest.mark.parametrize("extra", [
    "conda create -n work python=3.11 -y",
    "  ╰─▶ Because the current Python version (3.11.4) does not satisfy Python>=3.13 and foo==0.1.0 depends on "
    "Python>=3.13, we can conclude that foo==0.1.0 cannot be used.",
])
def test_a_working_machine_with_python_words_gets_no_torch_finding(extra):
    assert "python_unsupported_by_torch" not in findings(WORKING + extra + "\n")


NGC = ("WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n"
       "   Use the NVIDIA Container Toolkit to start this container with GPU support; see\n")


@pytest.mark.parametrize("text, fid", [
    (NGC, "container_missing_gpus_flag"),
    ("nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/ab12/merged/usr/lib/"
     "x86_64-linux-gnu/libnvidia-ml.so.1: file exists: unknown.", "driver_installed_inside_container"),
    ("$ ls /dev/nvidia*\n/dev/nvidia0  /dev/nvidiactl  /dev/nvidia-modeset\ncudaGetDeviceCount returned 999",
     "nvidia_uvm_missing"),
])
def test_containers_and_device_nodes_in_more_words(text, fid):
    assert fid in findings(text)


def test_a_plain_listing_with_nvidia_uvm_is_no_missing_node():
    text = "$ ls /dev/nvidia*\n/dev/nvidia0  /dev/nvidia-uvm  /dev/nvidia-uvm-tools  /dev/nvidiactl\n"
    assert "nvidia_uvm_missing" not in findings(WORKING + text)


def test_paths_listed_without_the_ls_command_are_not_a_listing():
    assert "nvidia_uvm_missing" not in findings(WORKING + "mounted:\n/dev/nvidia0 /dev/nvidiactl\n")
