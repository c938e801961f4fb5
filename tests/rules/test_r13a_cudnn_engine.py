"""torch's cuDNN v8 API finding no engine ("GET was unable to find an engine to execute this
computation", rules/cudnn_engine.py): a cuDNN other than torch's loaded, likely, unless the text
shows another cause. Texts written for the test from torch's Conv_v8.cpp message; near-misses
keep the words beside memory exhaustion, a missing cuDNN library, an AMD GPU under ZLUDA, or a
CPU build."""

from __future__ import annotations

import pytest

from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings

FID = "cudnn_version_mismatch"
TB = ("  File \"/venv/lib/python3.10/site-packages/torch/nn/modules/conv.py\", line 456, in _conv_forward\n"
      "    return F.conv2d(input, weight, bias, self.stride,\n")
MSG = "RuntimeError: GET was unable to find an engine to execute this computation"

BROKEN = [
    TB + MSG,
    "torch 2.1.1, CUDA 11.8, python 3.9, training crashes at backward:\n" + TB + MSG,
    "!!! Exception during processing !!! FIND was unable to find an engine to execute this computation",
]


@pytest.mark.parametrize("text", BROKEN)
def test_no_cudnn_engine_is_likely_another_cudnn_loaded(text):
    f = findings(text)
    assert FID in f and f[FID].confidence is Confidence.LIKELY


NEAR_MISS = [
    # the workspace: memory
    TB + MSG + "\nRuntimeError: cuDNN error: CUDNN_STATUS_ALLOC_FAILED",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n" + TB + MSG,
    # a cuDNN library missing outright: cuda_library_missing says it
    "Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!\n" + TB + MSG,
    # an AMD GPU under ZLUDA
    "ComfyUI-Zluda on my AMD Radeon RX 9070 XT\n" + TB + MSG,
    # a CPU build cannot run cuDNN at all
    "PyTorch version: 2.2.0+cpu\n" + TB + MSG,
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_another_cause_in_the_text_is_not_a_cudnn_mismatch(text):
    assert FID not in findings(text)
