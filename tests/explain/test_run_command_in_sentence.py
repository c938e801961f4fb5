"""A ``docker run`` quoted in a sentence that goes on after the image ("I start it with docker
run -it img, then …"): the comma or full stop is the sentence's, not part of the image's name
(``parsers/commands.py``), so the command is still read for its GPU request."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

IMAGE = "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime"


@pytest.mark.parametrize("text", [
    f"I start the container with docker run -it {IMAGE}, then torch.cuda.is_available() is False\n",
    f"Started it as docker run --rm -it {IMAGE}. Inside, torch.cuda.is_available() returns False.\n",
])
def test_a_run_without_gpus_ending_a_clause_is_read(text):
    assert "container_missing_gpus_flag" in findings(text)


@pytest.mark.parametrize("text", [
    f"I start the container with docker run -it --gpus all {IMAGE}, then torch.cuda.is_available() is True\n",
    f"I start the container with docker run -it --runtime=nvidia {IMAGE}, and training works\n",
    # the command named, not run
    "What does the docker run command do, exactly?\n",
])
def test_a_run_with_gpus_or_named_only_is_not(text):
    assert "container_missing_gpus_flag" not in findings(text)
