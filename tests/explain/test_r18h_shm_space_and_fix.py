"""Round 18 h: /dev/shm short of space, in a person's words.

* the space on the tmpfs said short: "the limited amount of space on the `/dev/shm` (shared memory)
  drive", "no space left on /dev/shm" (shape of nebari-dev/nebari#1642);
* the fix the person applied told as the way out: "workaround is to mount an emptyDir to /dev/shm",
  "fixed it by increasing the shm size" (shape of CentaurusInfra/alnair#71).

Texts written for the test after those shapes; near-misses: the same words as advice, a plan or a
question, denied, about CUDA's per-block shared memory, and a fix that touches something else."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

SHM = "shm_too_small"


@pytest.mark.parametrize("paste", [
    "We have run into a `No space left on device` error that appears to be due to the limited amount of space on "
    "the `/dev/shm` (shared memory) drive.\n",
    "Training dies after an hour: no space left on /dev/shm inside the pod.\n",
    "The DataLoader ran out of space in shm after a few epochs.\n",
    "pytorch dataloader needs large shared memory, not easy to config for a kubernetes pod. workaround is to mount "
    "an emptyDir to /dev/shm and setting the medium to memory, like the following.\n",
    "Bus error in the workers; I fixed it by increasing the shm size of the container to 8g.\n",
    "Solved by adding --shm-size=16g to docker run.\n",
])
def test_shm_short_of_space_or_fixed_by_raising_it(paste):
    f = findings(paste)
    assert SHM in f
    assert f[SHM].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # advice, plans, questions
    "If you run it in docker, the fix is to add --shm-size=8g to the command.\n",
    "You could try this: the workaround is to mount a bigger /dev/shm.\n",
    "Is there enough space on /dev/shm for 8 workers?\n",
    # denied
    "It is not the limited space on /dev/shm, that is 32G and almost empty.\n",
    # CUDA's per-block shared memory, a kernel's limit
    "The kernel fails because there is not enough space in shared memory per block for this tile size.\n",
    # a fix that touches something else
    "I fixed it by increasing the batch size limit; shm was never involved.\n",
    "Solved by adding more swap to the machine.\n",
])
def test_advice_denials_and_other_fixes_say_nothing(paste):
    assert SHM not in findings(paste)
