"""The driver older than a program's CUDA, from evidence the other driver rules do not weigh
(rules/driver_older_program.py, messages.toml block r13a): CUDA's "API call is not supported in
the installed CUDA driver", cudaErrorInsufficientDriver written as a binding's enum member, and a
CUDA number a person gives that the stated driver cannot run. Texts written for the test from the
upstream strings cited in the catalogue's origins, none taken from the diagnosis corpus; each
broken paste has a near-miss with the same words (a working driver, a question, torch's own
CUDA, a number the driver runs, nothing failing)."""

from __future__ import annotations

import pytest

from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import errors, findings

NEWER = "cuda_toolkit_newer_than_driver"
TORCH_OLD = "driver_too_old_for_torch_cuda"

API = "API call is not supported in the installed CUDA driver"

BROKEN_PROGRAM = [
    # a C++ inference engine's own check macro, under a Python traceback
    "  File \"/opt/conda/lib/python3.10/site-packages/engine/runtime.py\", line 88, in create\n"
    f"    inst = self.comm.create_instance(\nRuntimeError: [ENGINE][ERROR] CUDA runtime error: {API} "
    "/src/engine/utils/allocator.h:169",
    # a CUDA sample's checkCudaErrors (helper_cuda.h)
    f"CUDA error at ../../common/helper_cuda.h:110 code=36(cudaErrorCallRequiresNewerDriver) \"{API}\"",
    # cuda-python's enum member, retold after its exception class; ManagedCuda's
    "When I run the dense_gemm.py example on the Blackwell GPU I get the error CUDAError InsufficientDriver.",
    "ManagedCuda.CudaException: ErrorInsufficientDriver: This indicates that the installed NVIDIA CUDA driver is "
    "older than the CUDA runtime library.",
]


@pytest.mark.parametrize("text", BROKEN_PROGRAM)
def test_another_programs_driver_error_is_its_cuda_newer_than_the_driver(text):
    f = errors(text)
    assert NEWER in f and f[NEWER].confidence is Confidence.LIKELY
    assert TORCH_OLD not in f


def test_torchs_own_wording_with_a_cuda_torch_is_the_driver_too_old_for_torch():
    text = ("PyTorch version: 2.4.0+cu124\nIs CUDA available: True\n"
            f"Traceback (most recent call last):\n  File \"t.py\", line 3, in <module>\n    x = torch.ones(2).cuda()\n"
            f"RuntimeError: CUDA error: {API}\n")
    f = errors(text)
    assert TORCH_OLD in f and "12.4" in f[TORCH_OLD].explanation
    assert NEWER not in f


def test_said_cuda_the_stated_driver_cannot_be_is_the_toolkits():
    text = ("My CUDA version is 12.9.41 and my CUDA driver is 570.133.20.\n"
            "cuda.bindings.runtime: cudaErrorInsufficientDriver\n")
    assert NEWER in errors(text)
    text = ("My CUDA version is 12.4 and my CUDA driver is 470.82.01.\n"
            "RuntimeError: CUDA failure 999: unknown error ; GPU=0 ; hostname=x ; file=cuda_call.cc\n")
    f = findings(text)[NEWER]
    assert "470.82.01" in f.explanation and "11.4" in f.explanation and f.confidence is Confidence.LIKELY


NEAR_MISS = [
    # the message asked about, not printed
    f"What does \"{API}\" mean? My driver is 550.54.14.",
    # an enum member in a question, and in code that compares it
    "Is CUDAError InsufficientDriver about the driver or the toolkit?",
    # a CUDA number the stated driver runs, with a failure of another kind
    "My CUDA version is 12.2 and my CUDA driver is 535.104.05.\nRuntimeError: CUDA error: out of memory",
    # a CUDA number beyond the driver, but nothing failed
    "My CUDA version is 12.4 and my CUDA driver is 470.82.01. Everything trains fine on the GPU.",
    # within one major beside an unrelated failure: minor-version compatibility still starts it
    "My CUDA version is 12.9 and my CUDA driver is 570.133.20.\nRuntimeError: CUDA error: out of memory",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_near_misses_with_the_same_words_say_nothing_of_the_driver(text):
    f = findings(text)
    assert NEWER not in f and TORCH_OLD not in f


SAID_OLD = [
    "I ran the k-means sample from cuML and got an error that turned out to be caused by the nvidia driver being too "
    "old. The default nvidia driver on Ubuntu 18.04 is 390.87.",
    "The nvidia driver on the cluster is too old for this build of the solver: it fails on start.",
]


@pytest.mark.parametrize("text", SAID_OLD)
def test_the_driver_said_too_old_for_a_failing_program_without_torch(text):
    f = findings(text)
    assert NEWER in f and f[NEWER].confidence is Confidence.LIKELY
    assert TORCH_OLD not in f


def test_a_driver_once_too_old_and_since_updated_is_no_error():
    # the fix's context (explain/fix_context.py) takes the finding down to a warning
    assert NEWER not in errors("I got an error because my nvidia driver was too old; after updating to 550 it works now.")


SAID_OLD_NEAR_MISS = [
    "I got an error because my nvidia driver was too old, fixed after updating to 550.",
    # a question, a denial
    "Is my nvidia driver too old for cuDF? It is 390.87.",
    "The nvidia driver is not too old (550.54), yet cuML crashes.",
    # nothing failed
    "The default nvidia driver on this image is outdated, so I keep it pinned.",
]


@pytest.mark.parametrize("text", SAID_OLD_NEAR_MISS)
def test_a_fixed_asked_denied_or_harmless_old_driver_is_no_finding(text):
    assert NEWER not in findings(text)


def test_with_torch_in_the_text_the_sentence_is_weighed_against_torch():
    text = ("PyTorch version: 2.4.0+cu124\nIs CUDA available: False\n"
            "I got an error that says my nvidia driver is too old.")
    f = findings(text)
    assert NEWER not in f and TORCH_OLD in f


def test_a_message_saying_whose_cuda_it_is_decides_over_the_sentence():
    f = findings("my driver is too old, the error says: CUDA driver version is insufficient for CUDA runtime version")
    assert TORCH_OLD in f and NEWER not in f


def test_c10s_wording_without_torchs_build_in_the_text_is_still_torchs():
    f = errors(f"Traceback (most recent call last):\n  File \"t.py\", line 3, in <module>\nRuntimeError: CUDA error: {API}")
    assert TORCH_OLD in f and NEWER not in f
    # a CPU build in the text: not torch's runtime
    assert TORCH_OLD not in findings(f"PyTorch version: 2.4.0+cpu\nRuntimeError: CUDA error: {API}")
