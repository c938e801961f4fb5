"""A CUDA library that fails to link while lying in a conda environment's lib/ is that
environment's package's copy (cudatoolkit, cudnn), reached through torch's RPATH
("site-packages/torch/lib/../../../../libcublas.so.11"), not one of torch's files nor an
LD_LIBRARY_PATH entry: two copies of the library, the conda one first."""

from __future__ import annotations

import pytest

from envcheck.derived.linking import library_owner
from envcheck.explain import diagnose
from envcheck.explain.source import normalise

ENV = "/home/u/miniconda3/envs/work/lib/python3.10/site-packages"

BROKEN = [
    # glibc's versioned form (elf/dl-lookup.c), through torch's RPATH into the env's lib/
    f"OSError: {ENV}/torch/lib/../../../../libcublas.so.11: symbol free_gemm_select version libcublasLt.so.11 "
    "not defined in file libcublasLt.so.11 with link time reference",
    # the plain form, the env's lib/ named directly
    "ImportError: /opt/conda/envs/tts/lib/libcublas.so.11: undefined symbol: cublasLtHSHMatmulAlgoInit, "
    "version libcublasLt.so.11",
    # base environment of an anaconda install, another family
    ">>> import torch\nOSError: /home/u/anaconda3/lib/libcusparse.so.11: undefined symbol: __nvJitLinkAddData_12_1, "
    "version libnvJitLink.so.12",
]

HEALTHY = [
    # the same files listed on a working machine
    "$ ls /home/u/miniconda3/envs/work/lib/libcublas.so.11\n/home/u/miniconda3/envs/work/lib/libcublas.so.11\n"
    ">>> torch.cuda.is_available()\nTrue",
    # a conda env whose torch imports; its path printed in a warning, no loader error
    f"{ENV}/torch/lib/../../../../libcublas.so.11 loaded\n>>> import torch; torch.randn(2, device='cuda')\n"
    "tensor([0.1, 0.2], device='cuda:0')",
    # a question about it
    "Is it fine that libcublas.so.11 sits in my conda env's lib/ (/opt/conda/envs/tts/lib/)? Everything works.",
]


def _ids(text: str):
    return {f.id for f in diagnose(normalise(text))[1].findings}


@pytest.mark.parametrize("text", BROKEN)
def test_a_conda_copy_that_fails_to_link_is_a_second_copy(text):
    ids = _ids(text)
    assert "conflicting_cuda_libraries_loaded" in ids, ids
    assert "ld_library_path_conflict" not in ids


@pytest.mark.parametrize("text", HEALTHY)
def test_conda_lib_paths_on_a_working_machine_are_no_finding(text):
    ids = _ids(text)
    assert "conflicting_cuda_libraries_loaded" not in ids and "ld_library_path_conflict" not in ids, ids


def test_a_system_toolkit_copy_still_points_at_the_library_path():
    ids = _ids("OSError: /usr/local/cuda-11.1/lib64/libcublas.so.11: undefined symbol: cublasLtHSHMatmulAlgoInit, "
               "version libcublasLt.so.11")
    assert "ld_library_path_conflict" in ids and "conflicting_cuda_libraries_loaded" not in ids, ids


def test_a_cuda_library_reached_through_torch_lib_is_not_torchs_own():
    path = f"{ENV}/torch/lib/../../../../libcublas.so.11"
    assert library_owner("libcublas.so.11", path) == "cublas"
    assert library_owner("libtorch_cuda.so", f"{ENV}/torch/lib/libtorch_cuda.so") == "torch"
