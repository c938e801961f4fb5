"""A package that brings its own CUDA (CuPy, TensorFlow, ONNX Runtime …) asking for a CUDA runtime
library of another release than torch's is a missing library (its own CUDA variant), not a torch
extension built for another torch (rules/libraries.py, OWN_CUDA_PACKAGES). Texts written for the
test from CPython's traceback and glibc's loader line; the extensions' own case stays the finding."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

EXT = "extension_built_for_other_torch"
MISSING = "cuda_library_missing"


def _tb(package: str, importer_line: str, library: str) -> str:
    return ("Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
            f"    import {package}\n  File \"/usr/local/lib/python3.10/site-packages/{package}/__init__.py\", line 16, "
            f"in <module>\n    {importer_line}\nOSError: {library}: cannot open shared object file: No such file or "
            "directory")


@pytest.mark.parametrize("text", [
    "torch 2.1.0\n" + _tb("cupy", "from cupy import _core", "libcublas.so.11"),
    "PyTorch version: 2.3.0+cu121\n" + _tb("tensorflow", "from tensorflow.python import pywrap_tensorflow",
                                           "libcudart.so.11.0"),
    "CUDA 12.1\n" + _tb("onnxruntime", "from onnxruntime.capi._pybind_state import *", "libcublasLt.so.11"),
])
def test_a_package_with_its_own_cuda_is_a_missing_library(text):
    f = findings(text)
    assert MISSING in f and EXT not in f


def test_a_torch_extension_asking_for_another_cuda_is_still_built_for_another_torch():
    f = findings("PyTorch version: 2.3.0+cu121\n" + _tb("torch_scatter", "torch.ops.load_library(spec.origin)",
                                                        "libcudart.so.11.0"))
    assert EXT in f and MISSING not in f
