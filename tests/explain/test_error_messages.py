"""torch / CUDA error messages and warnings."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import error_messages

from .helpers import details, gpu_fields, items, load, text, values


def test_arch_warning_case_01():
    doc = text("/home/mm/anaconda3/envs/py312/lib/python3.12/site-packages/torch/cuda/__init__.py:235: UserWarning: \n"
               "NVIDIA GeForce RTX 5090 D with CUDA capability sm_120 is not compatible with the current PyTorch "
               "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 "
               "sm_86 sm_90.\nIf you want to use the NVIDIA GeForce RTX 5090 D GPU with PyTorch, please check the "
               "instructions at https://pytorch.org/get-started/locally/\n")
    f = error_messages.parse(doc)
    assert values(f)["torch.arch_list"] == ("sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90")
    assert gpu_fields(f) == [{"index": None, "name": "NVIDIA GeForce RTX 5090 D", "compute_capability": "12.0"}]
    [w] = items(f, "torch.warnings")
    assert w.startswith("NVIDIA GeForce RTX 5090 D with CUDA capability sm_120 is not compatible")
    assert "supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90." in w


def test_arch_warning_with_compute_entry():
    f = error_messages.parse(text("NVIDIA GeForce GTX 1080 Ti with CUDA capability sm_61 is not compatible with the current "
                          "PyTorch installation.\nThe current PyTorch install supports CUDA capabilities sm_75 sm_80 "
                          "sm_86 sm_90 sm_100 sm_120 compute_120.\n"))
    assert values(f)["torch.arch_list"][-1] == "compute_120"
    assert gpu_fields(f)[0]["compute_capability"] == "6.1"


def test_old_gpu_warning():
    f = error_messages.parse(text("    Found GPU0 Tesla K40m which is of cuda capability 3.5.\n"
                          "    PyTorch no longer supports this GPU because it is too old.\n"
                          "    The minimum cuda capability supported by this library is 3.7.\n"))
    assert gpu_fields(f) == [{"index": 0, "name": "Tesla K40m", "compute_capability": "3.5"}]
    assert "too old" in items(f, "torch.warnings")[0]


def test_gpu_needs_newer_cuda_warning():
    f = error_messages.parse(text("Found GPU0 GeForce RTX 3090 which requires CUDA_VERSION >= 11000 to\n"
                          "     work properly, but your PyTorch was compiled\n     with CUDA_VERSION 10020. Please\n"))
    assert values(f)["torch.cuda_build"] == "10.2"
    assert gpu_fields(f)[0]["name"] == "GeForce RTX 3090"


@pytest.mark.parametrize("line, compiled, loaded", [
    ("RuntimeError: cuDNN version incompatibility: PyTorch was compiled against (8, 3, 2) but linked against (8, 0, 3)",
     8302, 8003),
    ("RuntimeError: cuDNN version incompatibility: PyTorch was compiled  against (8, 7, 0) but found runtime version "
     "(8, 6, 0). PyTorch already comes bundled with cuDNN.", 8700, 8600),
    ("cuDNN version incompatibility: PyTorch was compiled against (9, 1, 0) but found runtime version (8, 9, 7)",
     90100, 8907),
])
def test_cudnn_incompatibility(line, compiled, loaded):
    v = values(error_messages.parse(text(line)))
    assert v["torch.cudnn_compiled_version"] == compiled and v["torch.cudnn_version"] == loaded


def test_many_errors_from_one_log():
    f = error_messages.parse(load("torch_errors.txt"))
    v = values(f)
    assert v["nvml.cuda_driver_version"] == "11.4"
    assert v["torch.cuda_build"] == "not_found"
    assert "CPU-only" in details(f)["torch.cuda_build"]
    errs = items(f, "torch.errors")
    assert errs[0] == "RuntimeError: CUDA error: no kernel image is available for execution on the device"
    assert len(errs) == 5


@pytest.mark.parametrize("line, name", [
    ("THCudaCheck FAIL file=torch/csrc/cuda/Module.cpp line=109 error=38 : no CUDA-capable device is detected", "cuda_no_device"),
    ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU", "torch_no_nvidia_driver"),
    ("RuntimeError: CUDA error: out of memory", "cuda_error_out_of_memory"),
    ("RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
     "NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non "
     "supported HW", "cuda_compat_not_supported"),
    ("CUDA error: invalid device ordinal", "cuda_invalid_device"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling cublasCreate(handle)", "cuda_library_status"),
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].",
     "docker_no_gpu_driver"),
    ("ModuleNotFoundError: No module named 'torch'", "python_no_module_torch"),
    ("Error 802: system not yet initialized", "cuda_system_not_ready"),
    ("RuntimeError: No CUDA GPUs are available", "torch_no_cuda_gpus"),
    ("UserWarning: Can't initialize NVML", "torch_nvml_init_failed"),
])
def test_recognised_signatures(line, name):
    assert error_messages.recognise(line)[1] == name


def test_unrelated_lines_are_not_errors():
    for line in ("No module named 'torchvision'", "Epoch 3: loss=0.12", "cuda is great"):
        assert error_messages.recognise(line) is None


def test_import_errors_set_import_error_only_in_import_context():
    f = error_messages.parse(text("undefined symbol ncclCommResume (on import torch)"))
    assert values(f)["torch.import_error"] == "undefined symbol ncclCommResume (on import torch)"
    f = error_messages.parse(text("  File \"/venv/lib/python3.11/site-packages/torch/__init__.py\", line 237, in <module>\n"
                          "    from torch._C import *\n"
                          "ImportError: libcudnn.so.9: cannot open shared object file: No such file or directory\n"))
    assert values(f)["torch.import_error"].startswith("ImportError: libcudnn.so.9")
    f = error_messages.parse(text("./my_ext: symbol lookup error: undefined symbol: _ZN3fooEv\n"))
    assert "torch.import_error" not in values(f)


def test_torch_missing_sets_installed_false():
    assert values(error_messages.parse(text("ModuleNotFoundError: No module named 'torch'")))["torch.installed"] is False


def test_repeated_error_counts_once():
    f = error_messages.parse(text("RuntimeError: Found no NVIDIA driver on your system.\n...\n"
                          "Found no NVIDIA driver on your system.\n"))
    keys = {it.key for it in f.items}
    assert len(keys) == 1


def test_cudnn_and_cuda_int_encodings():
    from envcheck.knowledge.archs import cuda_int_text, cudnn_int

    assert cudnn_int(8, 3, 2) == 8302 and cudnn_int(9, 10, 2) == 91002
    assert cuda_int_text(11040) == "11.4" and cuda_int_text(12080) == "12.8"
