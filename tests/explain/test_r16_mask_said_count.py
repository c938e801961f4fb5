"""A GPU named once in the person's words ("an A100") is no list of the machine's GPUs: a
CUDA_VISIBLE_DEVICES index past it is not judged against it unless the text shows CUDA failing to
find a device or a failure about GPU count (the review's item 8). A tool's list still counts."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

SAID_ONLY = [
    "I'm training on an A100 with CUDA_VISIBLE_DEVICES=3 and it runs fine; question about throughput.\n",
    "Llama 70B needs 2x A100 80GB. I use CUDA_VISIBLE_DEVICES=3 on my server and it runs fine.\n",
]


@pytest.mark.parametrize("text", SAID_ONLY)
def test_a_model_said_once_is_no_count(text):
    assert "cuda_visible_devices_hides_gpus" not in findings(text)


def test_a_failure_to_find_a_device_still_counts():
    text = "I have an A100. CUDA_VISIBLE_DEVICES=3\nRuntimeError: No CUDA GPUs are available\n"
    assert "cuda_visible_devices_hides_gpus" in findings(text)


def test_a_tools_list_still_counts():
    text = ("$ nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-5f2d1c3a-8b4e-4c1d-9a7e-2b3c4d5e6f70)\n"
            "$ echo $CUDA_VISIBLE_DEVICES\n3\nexport CUDA_VISIBLE_DEVICES=3\n")
    assert "cuda_visible_devices_hides_gpus" in findings(text)


def test_a_count_the_person_gives_still_counts():
    text = "My machine has a single GPU and the script does export CUDA_VISIBLE_DEVICES=2\n"
    assert "cuda_visible_devices_hides_gpus" in findings(text)
