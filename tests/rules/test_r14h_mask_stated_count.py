"""CUDA_VISIBLE_DEVICES judged against a GPU count that is only the person's words (round 14).

A healthy vLLM report ran `CUDA_VISIBLE_DEVICES=0,1 vllm serve … --tensor-parallel-size 2` on
"2x H100 80Gb"; the prose reader keeps one stated H100, and cuda_env.py said (confirmed) that
entry '1' names no GPU. Where some GPUs stay visible and the count is only stated, the reading
is the person's: nothing beside no failure, "likely" beside one; a listing (nvidia-smi -L,
NVML) keeps it confirmed. Texts written for the test.
"""

from __future__ import annotations

import pytest

from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings

FID = "cuda_visible_devices_hides_gpus"


def test_a_listing_of_one_gpu_still_confirms_the_second_entry_names_none():
    text = ("$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-1a2b3c4d-0000-0000-0000-000000000000)\n"
            "$ CUDA_VISIBLE_DEVICES=0,1 python train.py --gpus 2\n")
    f = findings(text)[FID]
    assert f.confidence is Confidence.CONFIRMED


def test_a_stated_gpu_beside_a_failure_is_likely():
    text = ("I have one RTX 3090.\nCUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node 2 train.py\n"
            "RuntimeError: CUDA error: invalid device ordinal\n")
    f = findings(text)[FID]
    assert f.confidence is Confidence.LIKELY


@pytest.mark.parametrize("text", [
    "CUDA_VISIBLE_DEVICES=0,1 VLLM_USE_V1=0 vllm serve /models/GLM-4-32B --tensor-parallel-size 2\n"
    "got error, vllm == 0.8.4 , 2x H100 80Gb\nValueError: tool parser pythonic failed to parse the output\n",
    "GPU: RTX 4090\nCUDA_VISIBLE_DEVICES=0,1 python serve.py --tp 2\nINFO Model loaded, serving on port 8000\n"
    "The answers are cut after 512 tokens.",
])
def test_a_stated_gpu_and_a_mask_on_a_running_job_is_not_hiding(text):
    assert FID not in findings(text)
