"""Round 25 c: the NVIDIA Container Toolkit said not to be installed, beside a container said not to get
the GPU ("The container doesn't see the GPU. The nvidia container toolkit is not installed."): the
container's failure is what makes the toolkit's absence matter (parsers/container_runtime_prose.py's
gate), so nvidia_container_toolkit_missing. Near-misses: a question, no container at all, advice, the
toolkit said installed, the toolkit said missing from the image (where it does not belong).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

TOOLKIT = "nvidia_container_toolkit_missing"


@pytest.mark.parametrize("text", [
    "The container doesn't see the GPU. The nvidia container toolkit is not installed.",
    "The docker container does not detect my GPU. I haven't installed the nvidia container toolkit yet.",
    "My container cannot use the GPU; nvidia-container-toolkit is missing on the host.",
])
def test_toolkit_absent_beside_a_container_without_gpu(text):
    assert TOOLKIT in findings(text)


@pytest.mark.parametrize("text", [
    "Does the container see the GPU? I haven't installed the nvidia container toolkit because I run everything on "
    "the host.",
    "I don't use containers. The nvidia container toolkit is not installed.",
    "If the container doesn't see the GPU, make sure the nvidia container toolkit is installed.",
    "The container doesn't see the GPU even though the nvidia container toolkit is installed and configured.",
    "The container doesn't see the GPU. The nvidia container toolkit is not installed in the image, as it should be.",
])
def test_near_misses_stay_silent(text):
    assert TOOLKIT not in findings(text)
