"""A CUDA library of NVIDIA's pip wheels (site-packages/nvidia/*/lib) that lacks a CUDA
library's symbol was linked against another copy of that library (a toolkit's, a conda
lib/, a wheel of another version): the wheels one torch pins fit each other, so two sets
of CUDA libraries are mixed in one process (pytorch PR #174320). LD_LIBRARY_PATH stays the
likely route unless the paste shows it clean."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose
from envcheck.explain.source import normalise

SP = "/home/u/.local/lib/python3.10/site-packages"

BROKEN = [
    # glibc's plain form (elf/dl-lookup.c), the wheel's file named directly
    f"OSError: {SP}/nvidia/cublas/lib/libcublas.so.11: undefined symbol: cublasLtHSHMatmulAlgoInit, "
    "version libcublasLt.so.11",
    # reached from torch's RPATH ($ORIGIN/../../nvidia/...), nvJitLink's versioned symbols
    f">>> import torch\nImportError: {SP}/torch/lib/../../nvidia/cusparse/lib/libcusparse.so.12: "
    "undefined symbol: __nvJitLinkComplete_12_4, version libnvJitLink.so.12",
    # the versioned "not defined in file" form, a venv under dist-packages
    "OSError: /usr/lib/python3/dist-packages/nvidia/cublas/lib/libcublas.so.12: symbol cublasLtGetStatusString "
    "version libcublasLt.so.12 not defined in file libcublasLt.so.12 with link time reference",
    # a uv venv, a traceback around it
    "Traceback (most recent call last):\n  File \"app.py\", line 1, in <module>\n    import torch\n"
    "ImportError: /srv/app/.venv/lib/python3.12/site-packages/torch/lib/../../nvidia/cusparse/lib/"
    "libcusparse.so.12: undefined symbol: __nvJitLinkAddData_12_1, version libnvJitLink.so.12",
]

HEALTHY = [
    # the wheel's files listed on a working machine
    f"$ ls {SP}/nvidia/cublas/lib/\nlibcublas.so.12  libcublasLt.so.12  libnvblas.so.12\n"
    ">>> torch.cuda.is_available()\nTrue",
    # ldd of the wheel's library resolving inside the wheels, torch working
    f"$ ldd {SP}/nvidia/cusparse/lib/libcusparse.so.12\n"
    f"\tlibnvJitLink.so.12 => {SP}/nvidia/nvjitlink/lib/libnvJitLink.so.12 (0x00007f10a0000000)\n"
    ">>> import torch; torch.randn(2, device='cuda')\ntensor([0.1, 0.2], device='cuda:0')",
    # a question, past tense, no loader error
    f"Last year I had an undefined symbol in {SP}/nvidia/cublas/lib/libcublas.so.11; "
    "should I still worry? Everything works now.",
    # a torch symbol missing in an extension is not this class
    f"ImportError: {SP}/torch_scatter/_scatter_cuda.so: undefined symbol: _ZN3c1017RegisterOperatorsD1Ev",
]


def _ids(text: str):
    return {f.id for f in diagnose(normalise(text))[1].findings}


@pytest.mark.parametrize("text", BROKEN)
def test_a_wheel_library_missing_a_cuda_symbol_is_two_copies(text):
    ids = _ids(text)
    assert "conflicting_cuda_libraries_loaded" in ids, ids
    assert "ld_library_path_conflict" in ids, ids  # the usual route, unverified


def test_a_clean_library_path_leaves_only_the_two_copies():
    ids = _ids(f"$ echo $LD_LIBRARY_PATH\n/usr/lib/openmpi/lib\n{BROKEN[0]}")
    assert "conflicting_cuda_libraries_loaded" in ids and "ld_library_path_conflict" not in ids, ids


@pytest.mark.parametrize("text", HEALTHY)
def test_wheel_paths_on_a_working_machine_are_no_finding(text):
    ids = _ids(text)
    assert "conflicting_cuda_libraries_loaded" not in ids and "ld_library_path_conflict" not in ids, ids
