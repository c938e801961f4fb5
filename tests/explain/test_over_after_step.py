"""A step taken, then the working state, said in one sentence ("after the reboot everything works",
"gone after a reboot, everything works fine"): the problem is over (``explain/resolved.py``), as the
reviews of rounds 26 and 27 found it was not read. Conditions, questions, contrasts and narrowings
after it are not."""

from __future__ import annotations

import pytest

from envcheck.explain.resolved import said_over
from envcheck.explain.source import normalise


@pytest.mark.parametrize("text", [
    "cuInit returned 3 until I rebooted; after the reboot everything works.\n",
    "The API mismatch was gone after reboot, everything works fine.\n",
    "After installing the 550 driver everything works.\n",
])
def test_a_step_then_working_is_over(text):
    assert said_over(normalise(text))


@pytest.mark.parametrize("text", [
    "After installing the driver, will everything work?\n",
    "After the update everything works, but the GPU is not used.\n",
    "After reboot it works for a few minutes, then crashes.\n",
    "After an hour it runs out of memory.\n",
    "After that it works only on the CPU.\n",
    "after I start the container everything works except CUDA\n",
    "After installing torch 2.1 everything works on my other machine.\n",
    "If it fails after the reboot, nothing else works either.\n",
])
def test_conditions_contrasts_and_narrowings_are_not(text):
    assert not said_over(normalise(text))
