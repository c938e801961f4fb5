"""Review of round 28 (ra), round 28 h's classes. A failure for memory on one node or GPU while the same job
runs on the others, the others numbered ("runs fine on nodes 1 and 2", "runs on GPU 0 and 1 but on GPU 2 it
runs out of memory"): gpu_memory_in_use, likely; near misses (a smaller card there, a question, no failure).
DataLoader workers at 0 said to work beside workers above 0 said to work too (a comparison, no failure):
no shm_too_small. Texts written for the test.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

HELD = "gpu_memory_in_use"
SHM = "shm_too_small"
OOM = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB\n"


@pytest.mark.parametrize("text", [
    OOM + "The same script runs on GPU 0 and 1 but on GPU 2 it runs out of memory.",
    OOM + "On node 3 the job fails with CUDA out of memory while the same job runs fine on nodes 1 and 2.",
    "On node 3 the job fails with CUDA out of memory while the same job runs fine on nodes 1, 2 and 4.",
])
def test_one_node_numbered_others(text):
    assert HELD in findings(text)


@pytest.mark.parametrize("text", [
    OOM + "The same job runs fine on nodes 1 and 2, and on node 3 too; the OOM only comes with batch 512.",
    OOM + "The same script runs on GPU 0 and 1 but on GPU 2 (a 12GB card) it runs out of memory.",
    "Does the same job run fine on nodes 1 and 2 but OOM on node 3?",
    "The same job runs fine on nodes 1 and 2. No errors anywhere.",
])
def test_one_node_numbered_near_misses(text):
    assert HELD not in findings(text)


@pytest.mark.parametrize("text", [
    "I run it in docker; with num_workers=0 it works, with num_workers=4 it is twice as fast. No errors at all.",
    "In the container num_workers=0 works and num_workers=8 works too, 8 is faster.",
])
def test_workers_compared_without_failure(text):
    assert SHM not in findings(text)


@pytest.mark.parametrize("text", [
    "I run it in docker; with num_workers=0 it works, with num_workers=4 it crashes.",
    "Setting workers=0 solved the issue for me. Maybe it has something to do with the Docker-Container, where I run "
    "the training?",
])
def test_workers_zero_fixed_in_container(text):
    assert SHM in findings(text)


@pytest.mark.parametrize("text", [
    OOM + "It only OOMs on GPU 3, the others are fine. nvidia-smi shows 20 GiB used on GPU 3 by a process I don't know.",
    "Rank 2 runs out of memory right away, the other GPUs are fine with the same batch.",
])
def test_one_numbered_gpu_fails_the_others_fine(text):
    assert HELD in findings(text)


@pytest.mark.parametrize("text", [
    OOM + "Model A runs out of memory, the others are fine.",
    "GPU 3 ran out of memory? The others are fine, I am asking whether that can happen.",
    "GPU 3 never runs out of memory and the others are fine too.",
    "GPU 3 (the 12GB card) runs out of memory, the others are fine.",
])
def test_one_numbered_gpu_near_misses(text):
    assert HELD not in findings(text)
