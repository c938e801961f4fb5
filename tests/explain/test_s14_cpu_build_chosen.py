"""A CPU-only torch said to be chosen, by name or for a reason (explain/parsers/torch_build_prose.py,
``_CHOSEN``): the sweep of session 14 found two working CI set-ups ("Speeds up the CI runtime by
explicitly installing the cpu-only version of torch", "Since CI does not need the GPU version of
torch, we can save installation time by specifying the CPU-only version") given an error. A build
picked by name or with a reason is the person's choice, not a fault. Broken near-misses: the CPU
build got instead of the one asked for, a CUDA index specified and the CPU build still installed.
Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "torch_cpu_only_build"


@pytest.mark.parametrize("text", [
    "Speeds up the CI runtime by explicitly installing the cpu-only version of torch and not the cuda libraries.",
    "Since CI does not need the GPU version of torch, we can save installation time by specifying the CPU-only "
    "version.",
    "The docs build does not need CUDA, so we pin the CPU-only torch wheel there to save download time.",
    "We chose the CPU build of torch for the lint job; the GPU tests run elsewhere.",
    "For the unit tests we select the cpu-only torch wheel, which saves about 2 GB of disk space.",
])
def test_a_cpu_build_chosen_is_no_fault(text):
    f = findings(text)
    assert ID not in f, sorted(f)


@pytest.mark.parametrize("text", [
    "I specified the cu118 index, but pip still installed the CPU-only version of torch and "
    "torch.cuda.is_available() returns False on my RTX 3060.",
    "pip installed the CPU-only version of torch instead of the CUDA one, so torch.cuda.is_available() is False "
    "on my RTX 4070.",
    "I noticed that the CPU-only version of torch got installed. torch.cuda.is_available() returns False and "
    "my GTX 1080 is not used.",
])
def test_a_cpu_build_got_is_still_found(text):
    f = findings(text)
    assert ID in f, sorted(f)
