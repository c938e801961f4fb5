"""NVIDIA hardware said in words without a model ("CUDA runs on the NVIDIA card") is a hybrid
machine's NVIDIA GPU: another vendor's GPU named beside it is no evidence of none
(explain/parsers/gpu_vendor_prose._nvidia_said; review of round 20). Denied, it still is."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

ASSERT = "AssertionError: Torch not compiled with CUDA enabled"


def _ids(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


def test_an_nvidia_card_said_in_words_keeps_the_cpu_build_the_cause():
    got = _ids(f"I'm trying to use the Intel iGPU for display only; CUDA runs on the NVIDIA card.\n{ASSERT}")
    assert "torch_cpu_only_build" in got and "no_nvidia_gpu_found" not in got


@pytest.mark.parametrize("first", [
    "I'm trying to run Forge with an Intel Arc GPU.",
    "I don't have an NVIDIA GPU, I'm trying to run it with an Intel Arc GPU.",
    "My laptop has an Intel UHD GPU, no nvidia card.",
])
def test_no_nvidia_card_said_leaves_the_other_vendor_as_the_cause(first):
    assert "no_nvidia_gpu_found" in _ids(f"{first}\n{ASSERT}")


def test_torchs_own_please_check_that_you_have_an_nvidia_gpu_names_no_card():
    text = ("I'm trying to run Fooocus with an Intel Arc GPU.\nRuntimeError: Found no NVIDIA driver on your system. "
            "Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx")
    assert "no_nvidia_gpu_found" in _ids(text)
