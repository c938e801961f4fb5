"""torch counting no CUDA device beside a CPU-only build is CUDA wanted and not there, as
is_available() False is (rules/compat.py torch_cpu_only_build), and a "Torch CUDA available:
False" line is read like "CUDA available: False" (explain/parsers/interactive.py). Texts written
for the test; near-misses keep the words on a CUDA build, a machine said to have no NVIDIA GPU,
or a count that is not 0."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "torch_cpu_only_build"

BROKEN = [
    "torch.__version__ = '2.0.0+cpu'\ntorch.cuda.device_count() returns 0",
    ">>> import torch\n>>> torch.__version__\n'2.3.1+cpu'\n>>> torch.cuda.device_count()\n0",
    "pytorch                   2.1.2           cpu_generic_py311h5a9b2b4_0    conda-forge\nTorch CUDA available: False",
    "torch==2.4.1+cpu\n12:01:33 | INFO | PyTorch CUDA available: False",
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_cpu_build_counting_no_device_is_the_finding(text):
    assert FID in errors(text)


NEAR_MISS = [
    # a CUDA build counting none: not the CPU build (the driver or visibility is another finding)
    ">>> torch.__version__\n'2.3.1+cu121'\n>>> torch.cuda.device_count()\n0",
    # the CPU build on a machine said to have no NVIDIA GPU
    "My laptop has no NVIDIA GPU, only Intel graphics.\ntorch.__version__ = '2.0.0+cpu'\ntorch.cuda.device_count() returns 0",
    # a count that is not 0 on a CUDA build, and the labelled line saying True
    ">>> torch.__version__\n'2.3.1+cu121'\n>>> torch.cuda.device_count()\n2",
    "torch==2.4.1+cu124\nPyTorch CUDA available: True",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_near_misses_are_not_a_cpu_build_on_a_gpu_machine(text):
    assert FID not in findings(text)


def test_a_said_cuda_older_than_torchs_with_no_device_counted_is_the_driver_too_old():
    # rules/driver_claims.py: torch counting no device is the failure is_available() False is
    f = findings("CUDA version: 10.0\ntorch 1.5.0\ntorch.cuda.device_count() returns 0")
    assert "driver_too_old_for_torch_cuda" in f
    assert "driver_too_old_for_torch_cuda" not in findings("CUDA version: 10.2\ntorch 1.5.0\ntorch.cuda.device_count() returns 0")
    assert "driver_too_old_for_torch_cuda" not in findings("CUDA version: 10.0\ntorch 1.5.0\ntorch.cuda.device_count() returns 1")


@pytest.mark.parametrize("line, value", [
    ("GPU available: False, used: False", False),
    ("INFO: GPU available: False, used: False", False),
    ("INFO: GPU available: True (cuda), used: True", True),
    ("GPU available: True (mps), used: True", None),  # Apple's GPU, not CUDA
    ("GPU available: False", None),  # another script's own line, not Lightning's banner
])
def test_lightnings_trainer_banner_is_cuda_availability(line, value):
    from envcheck.explain import diagnose, source
    explanation, _ = diagnose(source.normalise("torch 2.1.0\n" + line), collected_at="")
    assert explanation.facts.torch.cuda_available.value is value


def test_a_cpu_build_under_lightning_saying_no_gpu_is_the_finding():
    assert FID in errors("torch==2.1.0+cpu\nI have an RTX 3090\nINFO: GPU available: False, used: False")
    assert FID not in findings("torch==2.1.0+cu121\nINFO: GPU available: True (cuda), used: True")


AUTOCAST = ("/venv/lib/python3.10/site-packages/torch/amp/autocast_mode.py:250: UserWarning: User provided device_type of "
            "'cuda', but CUDA is not available. Disabling\n  warnings.warn(\n")


def test_torchs_autocast_warning_beside_a_cpu_build_is_the_finding():
    assert FID in errors("torch==2.1.0+cpu\n" + AUTOCAST)
    # the warning alone names no build; on macOS the CPU build is the only one; a CUDA build is not CPU-only
    assert FID not in findings(AUTOCAST)
    assert FID not in findings("OS: macOS 14.2 (arm64)\ntorch==2.1.0\n" + AUTOCAST)
    assert FID not in findings("torch==2.1.0+cu121\n" + AUTOCAST)
