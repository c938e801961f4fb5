"""A CPU-only torch told as the CUDA build being absent ("missing cuda torch", "my torch is
missing CUDA support", "pytorch lacks CUDA") (branch r4a). Each broken paste stands beside a
paste with the same words that is not about this machine's torch. Texts written for the test,
none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings


@pytest.mark.parametrize("text", [
    "missing cuda torch",
    "Turns out I was missing the CUDA torch.",
    "RuntimeError when training. My torch is missing CUDA support.",
    "pytorch lacks CUDA, so everything runs on the CPU",
    "Problem: torch was missing cuda; the GPU sat idle.",
    "missing the cuda-enabled version of pytorch",
])
def test_missing_cuda_torch_is_a_cpu_build(text):
    f = findings(text)
    assert "torch_cpu_only_build" in f
    assert f["torch_cpu_only_build"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "The README is missing cuda torch instructions.",
    "torch is missing cuda libraries: libcudart.so.12 not found",
    "Is my torch missing cuda?",
    "My torch is not missing CUDA, torch.version.cuda says 12.1.",
    "missing cuda torch (fixed: the docs now say to use the cu121 index)?",
    "pytorch lacks CUDA graphs support for this op",
])
def test_near_misses_are_no_cpu_build(text):
    assert "torch_cpu_only_build" not in findings(text)
