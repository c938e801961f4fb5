"""Round 18 d: the driver's own PTX JIT refusing PTX of a newer ISA than it knows.

The ptxas inside the driver (libnvidia-ptxjitcompiler, behind cuLinkAddData / cuModuleLoadDataEx)
names its input "ptxas application ptx input"; "Unsupported .version 8.1; current version is '8.0'"
there says the program's PTX was made by a newer CUDA (Numba's NVVM, a conda cudatoolkit, nvcc)
than the driver's: cuda_toolkit_newer_than_driver (messages.toml ptx_jit_unsupported_isa,
rules/tool_output.py). Texts written for the test after the shapes of real reports (numba#8961,
numba#3794, an ArrayFire log); near-misses: a standalone ptxas saying the same of a .ptx file (that
ptxas is older than what made the PTX, not the driver), the line asked about, a numba that works."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NEWER = "cuda_toolkit_newer_than_driver"
NUMBA = ("  File \"/home/u/.local/lib/python3.11/site-packages/numba/cuda/cudadrv/driver.py\", line 2824, in add_ptx\n"
         "    raise LinkerError(\"%s\\n%s\" % (e, self.error_log))\n")


@pytest.mark.parametrize("text", [
    NUMBA + "numba.cuda.cudadrv.driver.LinkerError: [222] Call to cuLinkAddData results in UNKNOWN_CUDA_ERROR\n"
    "ptxas application ptx input, line 9; fatal   : Unsupported .version 8.1; current version is '8.0'\n",
    "LinkerError: [218] Call to cuLinkAddData results in UNKNOWN_CUDA_ERROR\n"
    "ptxas application ptx input, line 9; fatal   : Unsupported .version 6.3; current version is '6.1'\n"
    "ptxas fatal   : Ptx assembly aborted due to errors\n",
    "[error] ArrayFire PCA computation failed: ArrayFire Exception (Internal error:998):\n"
    "ptxas application ptx input, line 9; fatal: Unsupported .version 8.7; current version is '8.5'\n",
])
def test_the_drivers_jit_refusing_newer_ptx_is_a_toolkit_newer_than_the_driver(text):
    got = errors(text)
    assert NEWER in got
    assert "driver_too_old_for_torch_cuda" not in findings(text)


def test_the_isa_numbers_are_in_the_explanation():
    got = findings(NUMBA + "ptxas application ptx input, line 9; fatal   : Unsupported .version 8.1; "
                           "current version is '8.0'\n")
    assert "8.1" in got[NEWER].explanation and "8.0" in got[NEWER].explanation


@pytest.mark.parametrize("text", [
    # XLA's (or any) standalone ptxas names the file: that ptxas is older than what made the PTX
    "2021-05-20 10:09:06.630330: F external/org_tensorflow/tensorflow/compiler/xla/service/gpu/nvptx_compiler.cc:478] "
    "ptxas returned an error during compilation of ptx to sass: 'Internal: ptxas exited with non-zero error code "
    "65280, output: ptxas /tmp/tempfile-kinsler-56b28778-3690660-5c2bf4b9c1e23, line 5; fatal   : Unsupported "
    ".version 6.0; current version is '5.0'\n",
    # asked about, not printed
    "What does \"ptxas application ptx input, line 9; fatal : Unsupported .version 8.1; current version is '8.0'\"?\n",
    # denied, or told as what may come
    "I no longer get \"ptxas application ptx input, line 9; fatal : Unsupported .version 8.1; current version is "
    "'8.0'\" after updating the driver.\n",
    "If you see ptxas application ptx input, line 9; fatal : Unsupported .version 8.1; current version is '8.0', "
    "update the driver.\n",
    # a working numba
    "numba -s\n__CUDA Information__\nCUDA Device Initialized                       : True\n"
    "CUDA Driver Version                           : 12020\n",
])
def test_near_misses_are_no_finding(text):
    assert NEWER not in errors(text)
