"""Round 15, g2 (from a review): a count written beside a GPU model in prose ("2x H100",
"4 x A100", "two RTX 3090s") is that many GPUs of the model, not one. Near-misses: a memory
size after the model, questions, plans, examples, comparisons, a bare number before a model
without a plural, and any text where a tool lists the GPUs."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import gpu_count_prose
from tests.explain.helpers import gpu_fields, text
from tests.rules.test_unseen_classes import errors, findings


def _count(said: str):
    gpus = gpu_fields(gpu_count_prose.parse(text(said)))
    return len(gpus), {g.get("name") for g in gpus}


@pytest.mark.parametrize("said, n, name", [
    ("I have 2x H100 and vLLM fails to start.\n", 2, "NVIDIA H100"),
    ("Our server: 4 x A100 80GB, Ubuntu 22.04.\n", 4, "NVIDIA A100"),
    ("Hardware: 8×A100-SXM4-80GB\n", 8, "NVIDIA A100"),
    ("two RTX 3090s in my box\n", 2, "NVIDIA GeForce RTX 3090"),
    ("a node with 8 H100s\n", 8, "NVIDIA H100"),
    ("dual RTX 4090 workstation\n", 2, "NVIDIA GeForce RTX 4090"),
    ("GPU: RTX 3090 x2\n", 2, "NVIDIA GeForce RTX 3090"),
])
def test_a_count_beside_a_model_is_that_many_gpus(said, n, name):
    assert _count(said) == (n, {name})


@pytest.mark.parametrize("said", [
    "A100 x 80GB\n",                        # a memory size
    "should I rent 4x H100?\n",             # a question
    "if I buy 2x A100 will it work\n",      # a plan
    "e.g. 8x A100 for the 70B model\n",     # an example
    "it is faster than 2x 3090\n",          # a comparison
    "I use 12 RTX 3090 nodes\n",            # a bare number without a plural
    "Python 3 RTX 3090\n",
    "I have an RTX 3090\n",                 # one GPU: freetext's reading
])
def test_near_misses_count_nothing(said):
    assert _count(said)[0] == 0


def test_a_tool_listing_outranks_the_sentence():
    said = ("I have 2x H100\n"
            "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4 |\n"
            "|   0  NVIDIA H100 80GB HBM3   On  | 00000000:18:00.0 Off |  0 |\n")
    assert _count(said)[0] == 0


def test_a_count_said_on_a_working_machine_makes_no_error():
    said = "I have 2x H100 80GB. Training works, but the loss is NaN after 100 steps.\n"
    assert not errors(said)


def test_an_index_past_the_said_count_is_judged_against_it():
    said = ("I have 2x RTX 3090.\nexport CUDA_VISIBLE_DEVICES=2\npython train.py\n"
            "RuntimeError: No CUDA GPUs are available\n")
    found = findings(said)["cuda_visible_devices_hides_gpus"]
    assert ("nvml.gpus", "2 GPU(s), index 0..1") in [(e.fact, e.value) for e in found.evidence]
