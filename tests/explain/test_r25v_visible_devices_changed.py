"""Round 25 v: both CUDA_VISIBLE_DEVICES values told on one line, with the change that made the run
work ("in my case a change from '1' to '0' was necessary", "changed CUDA_VISIBLE_DEVICES from 1 to
0", "export CUDA_VISIBLE_DEVICES=1 gives an error. Changing it to CUDA_VISIBLE_DEVICES=0 worked",
"CUDA_VISIBLE_DEVICES=1, changing it to 0 fixed it"): the run had the first value and found no GPU
(parsers/visible_devices.py, _changed_on_line).

Texts written for the test after the shape of a real report (microsoft/SGN#1), with near-misses:
advice, a question, a supposition, a change that did not help, another setting changed, a change
made for another reason on a machine with more GPUs.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

HIDES = "cuda_visible_devices_hides_gpus"


@pytest.mark.parametrize("text", [
    "In my opinion it would be useful if you could mention in the installation, that a change of the "
    "CUDA_VISIBLE_DEVICE could be necessary to run the project depending on the host system (in my case a "
    "change from '1' to '0' was necessary). Otherwise it would not run out of the box.",
    "I faced an issue with the default CUDA_VISIBLE_DEVICES defined in main.py (in my case a change from '1' "
    "to '0' was necessary).",
    "I had to change CUDA_VISIBLE_DEVICES from 1 to 0 to make it run.",
    "the script sets CUDA_VISIBLE_DEVICES=1, changing it to 0 fixed it",
    "In train.sh: export CUDA_VISIBLE_DEVICES=1 gives an error. Changing it to CUDA_VISIBLE_DEVICES=0 worked.",
])
def test_change_told_on_one_line(text):
    assert HIDES in findings(text)


@pytest.mark.parametrize("text", [
    "You can change CUDA_VISIBLE_DEVICES from 0 to 1 to use the second GPU.",
    "Should I change CUDA_VISIBLE_DEVICES from 1 to 0?",
    "If you only have one GPU, change CUDA_VISIBLE_DEVICES from 1 to 0 and it works.",
    "Suppose CUDA_VISIBLE_DEVICES is changed from 3 to 0, does it work?",
    "I changed CUDA_VISIBLE_DEVICES from 0 to 1 but it still uses GPU 0.",
    "CUDA_VISIBLE_DEVICES=0 is set. I changed the batch size from 16 to 8 and it works now.",
    "My machine has 4 GPUs. I changed CUDA_VISIBLE_DEVICES from 0 to 2 to use a free GPU and it works.",
])
def test_not_a_value_that_hid_the_gpu(text):
    assert HIDES not in findings(text)


def test_a_change_that_did_not_help_gets_no_visible_devices_error():
    text = ("I changed CUDA_VISIBLE_DEVICES from 0,1 to 0 and it still fails with "
            "RuntimeError: No CUDA GPUs are available")
    assert HIDES not in errors(text)
