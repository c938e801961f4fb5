"""Dynamic-loader errors: which library lacked what, and where libraries were loaded from."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import loader

from .helpers import items, text


def _errors(s: str):
    return items(loader.parse(text(s)), "torch.loader_errors")


@pytest.mark.parametrize("symbol, version, expected", [
    ("ncclCommRegister", "", "libnccl"),
    ("_ZN5cudnn3cnn34layerNormFwd_execute_internal_implERKNS_7backend11VariantPackE", "", "libcudnn"),
    ("cudnnGetVersion", "", "libcudnn"),
    ("cublasLtGetStatusString", "libcublasLt.so.11", "libcublasLt"),
    ("cublasGemmEx", "", "libcublas"),
    ("cusparseSpMM", "", "libcusparse"),
    ("__nvJitLinkComplete_12_4", "libnvJitLink.so.12", "libnvJitLink"),
    ("__nvJitLinkAddData_12_1", "", "libnvJitLink"),
    ("cufftPlanMany", "", "libcufft"),
    ("_ZN3c104cuda9SetDeviceEi", "", "libtorch"),
    ("_ZNK3c104Type14isSubtypeOfExtESt10shared_ptrIS0_EPSo", "", "libtorch"),
    ("_ZTIN2at10TensorImplE", "", "libtorch"),
    ("_ZN2at6native5emptyEv", "", "libtorch"),
    ("cudaGetDriverEntryPointByVersion", "", "libcudart"),
    ("cuInit", "", "libcuda"),
    ("iJIT_NotifyEvent", "", "mkl"),
    ("_ZN3fooEv", "", ""),
    ("GLIBCXX_3.4.30", "", "libstdc++"),
    ("GLIBC_2.34", "", "libc"),
    ("some_symbol", "libcudnn_cnn_infer.so.8", "libcudnn"),
])
def test_the_symbol_names_its_library(symbol, version, expected):
    assert loader.provider(symbol, version) == expected


def test_undefined_symbol_records_the_library_and_where_it_was_loaded_from():
    f = loader.parse(text("Could not load library libcudnn_cnn_train.so.8. Error: /usr/local/cuda-12.1/lib/"
                          "libcudnn_cnn_train.so.8: undefined symbol: _ZN5cudnn3cnn5inferEv, version "
                          "libcudnn_cnn_infer.so.8\n"))
    [err] = items(f, "torch.loader_errors")
    assert (err.kind, err.object, err.provider) == (
        "undefined_symbol", "/usr/local/cuda-12.1/lib/libcudnn_cnn_train.so.8", "libcudnn")
    [lib] = items(f, "torch.loaded_libraries")
    assert (lib.name, lib.path) == ("libcudnn_cnn_train.so.8", "/usr/local/cuda-12.1/lib/libcudnn_cnn_train.so.8")


def test_nccl_symbol_in_torch_is_one_error_and_torch_is_not_a_loaded_cuda_library():
    f = loader.parse(text("ImportError: /usr/local/lib/python3.10/dist-packages/torch/lib/libtorch_cuda.so: "
                          "undefined symbol: ncclCommRegister\n"))
    [err] = items(f, "torch.loader_errors")
    assert err.provider == "libnccl" and err.object.endswith("torch/lib/libtorch_cuda.so")
    assert items(f, "torch.loaded_libraries") == []


def test_an_extension_missing_a_libtorch_symbol():
    [err] = _errors("OSError: ~/miniconda3/envs/py38/lib/python3.8/site-packages/torch_cluster/_grid_cuda.so: "
                    "undefined symbol: _ZNK3c104Type14isSubtypeOfExtESt10shared_ptrIS0_EPSo\n")
    assert err.provider == "libtorch" and "/torch_cluster/" in err.object


def test_version_not_found_names_the_system_library():
    f = loader.parse(text("ImportError: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found "
                          "(required by /opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_python.so)\n"))
    [err] = items(f, "torch.loader_errors")
    assert (err.kind, err.object, err.symbol, err.provider) == (
        "version_not_found", "/lib/x86_64-linux-gnu/libstdc++.so.6", "GLIBCXX_3.4.30", "libstdc++")


def test_cannot_open_names_the_missing_library():
    [err] = _errors("ImportError: libcudnn.so.9: cannot open shared object file: No such file or directory\n")
    assert (err.kind, err.object, err.provider) == ("cannot_open", "libcudnn.so.9", "libcudnn")


def test_ldd_and_maps_show_where_libraries_were_loaded_from():
    f = loader.parse(text("$ ldd libtorch_cuda.so | grep -E 'cudnn|nccl'\n"
                          "\tlibcudnn.so.8 => /usr/local/cuda/lib64/libcudnn.so.8 (0x00007f2a1c000000)\n"
                          "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2a1b000000)\n"
                          "7f3c80000000-7f3c80200000 r-xp 00000000 08:01 123 "
                          "/opt/conda/lib/python3.11/site-packages/nvidia/nccl/lib/libnccl.so.2\n"))
    assert [lib.path for lib in items(f, "torch.loaded_libraries")] == [
        "/usr/local/cuda/lib64/libcudnn.so.8", "/opt/conda/lib/python3.11/site-packages/nvidia/nccl/lib/libnccl.so.2"]


def test_a_file_listing_shows_which_copies_are_on_disk():
    f = loader.parse(text("$ find | grep libcudnn_cnn\n"
                          "./.venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn_cnn_train.so.8\n"
                          "-rw-r--r-- 1 root root 1 Jan 1 00:00 /usr/local/cuda-12.1/lib64/libcudnn_cnn_infer.so.8.9.2\n"
                          "/home/u/notes/libfoo.so\n"))
    assert [(lib.origin, lib.version) for lib in items(f, "toolkit.libraries")] == [("python", "8"),
                                                                                   ("cuda_home", "8.9.2")]


def test_errors_in_any_text_for_the_torch_probe():
    [err] = loader.errors_in("ImportError: /opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: "
                             "undefined symbol: ncclCommRegister")
    assert err.provider == "libnccl"
    assert loader.errors_in("import torch worked") == ()
