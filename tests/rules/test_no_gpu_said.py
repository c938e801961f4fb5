"""A person saying the machine has no GPU in two more common shapes: a machine named "without
GPU", and "I only have CPU" — beside the same words where they say nothing of the machine."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

FAILURE = "RuntimeError: No CUDA GPUs are available\n"


def _ids(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


@pytest.mark.parametrize("said", [
    "I am running this on a server without GPU.",
    "It runs on a VM without a GPU.",
    "My laptop with no graphics card gives this error.",
    "I only have CPU.",
    "We have only a CPU on this node.",
])
def test_a_machine_said_to_have_no_gpu(said):
    assert "no_nvidia_gpu_found" in _ids(FAILURE + said)


@pytest.mark.parametrize("said", [
    "The container runs on a server without GPU access configured.",
    "The VM without GPU passthrough fails, the host works.",
    "I only have CPU version of torch installed, how do I get the CUDA one?",
    "Is there a way to run on a machine without a GPU?",
])
def test_the_same_words_that_say_nothing_of_the_machine(said):
    assert "no_nvidia_gpu_found" not in _ids(FAILURE + said)
