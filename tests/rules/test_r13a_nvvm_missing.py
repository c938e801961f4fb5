"""libNVVM, the CUDA toolkit's compiler library Numba loads to build kernels, missing
(rules/libraries.py, the nvvm family): the loader's line after Numba's NvvmSupportError names it.
Its soname number (libnvvm.so.4) is NVVM's own, not a CUDA release. Texts written for the test
from Numba's nvvm.py message and glibc's loader line; near-misses keep the words where the
library loaded or another package's own library is missing."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "cuda_library_missing"

BROKEN = [
    "  File \"/usr/local/lib/python3.11/site-packages/numba/cuda/cudadrv/nvvm.py\", line 144, in __new__\n"
    "    raise NvvmSupportError(errmsg % e)\nnumba.cuda.cudadrv.error.NvvmSupportError: libNVVM cannot be found. Do "
    "`conda install cudatoolkit`:\nlibnvvm.so: cannot open shared object file: No such file or directory",
    "OSError: libnvvm.so.4: cannot open shared object file: No such file or directory",
]


@pytest.mark.parametrize("text", BROKEN)
def test_libnvvm_missing_is_a_cuda_library_missing(text):
    f = errors(text)[FID]
    assert "libNVVM" in f.explanation and "nvidia-cuda-nvcc" in f.explanation
    assert "CUDA 4" not in f.explanation and "-cu4" not in f.explanation


NEAR_MISS = [
    # the library found: Numba prints where it loaded it from
    "Finding NVVM from Conda environment\n\tnamed  libnvvm.so.4\ttrying to open library...\tok",
    # a package's own library missing, not a CUDA one
    "OSError: libnvvmx_plugin.so: cannot open shared object file: No such file or directory\nfrom myplugin import core",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_near_misses_are_not_libnvvm_missing(text):
    assert FID not in findings(text)
