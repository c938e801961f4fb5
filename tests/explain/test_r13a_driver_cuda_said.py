"""A person giving the driver's own CUDA ("my driver only supports up to CUDA 11.4", "the driver's
CUDA version is 11.4": nvidia-smi's header retold) is the driver's CUDA as a claim
(explain/parsers/cuda_said.py), which the driver rules weigh against torch's build. Texts written
for the test; near-misses keep the words wanting a driver, asking, or a driver new enough."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import findings

FID = "driver_too_old_for_torch_cuda"
AFTER = "\ntorch==2.3.0\ntorch.cuda.is_available() returns False"


def _driver_cuda(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts.nvml.cuda_driver_version.value


@pytest.mark.parametrize("said", [
    "My nvidia driver supports CUDA 11.4 and I installed torch 2.3.0.",
    "My driver only supports up to CUDA 11.4",
    "the driver's CUDA version is 11.4",
    "The 470 driver supports at most CUDA 11.4.",
])
def test_the_drivers_cuda_in_words_is_weighed_against_torch(said):
    text = said + AFTER
    assert _driver_cuda(text) == "11.4"
    assert FID in findings(text)


@pytest.mark.parametrize("said", [
    "You need a driver that supports CUDA 12.1",
    "Should I update to a driver which supports CUDA 12.4?",
    "Does my driver support CUDA 12.1?",
    "After I install the new driver it supports CUDA 12.4",
])
def test_a_wanted_or_asked_driver_claims_nothing(said):
    assert _driver_cuda(said + AFTER) is None


def test_a_driver_new_enough_is_no_finding():
    text = "My driver supports CUDA 12.4" + AFTER
    assert _driver_cuda(text) == "12.4" and FID not in findings(text)


def test_a_toolkit_installed_beside_the_drivers_cuda_is_still_the_drivers():
    text = "I installed CUDA 12.4 toolkit but my driver only supports 11.4 and my compiled program fails"
    assert _driver_cuda(text) == "11.4"


def test_a_toolkit_said_installed_beyond_the_drivers_cuda_is_the_toolkit_newer():
    # explain/parsers/toolkit_said.py: "installed" is had, "install" is wanted
    f = findings("I installed CUDA 12.4 toolkit but my driver only supports 11.4 and my compiled program fails")
    assert "cuda_toolkit_newer_than_driver" in f
    f = findings("I want to install CUDA 12.4 toolkit but my driver only supports 11.4")
    assert "cuda_toolkit_newer_than_driver" not in f
