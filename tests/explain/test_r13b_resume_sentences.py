"""CUDA failing after a resume (``resume_failure_prose``) said in a sentence that names a Python call:
the dots of ``torch.cuda.is_available()`` no longer end the sentence that holds the resume and the
failure, and "returns False / 0" is a failure. Near-misses: the state before the suspend, a question."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings


@pytest.mark.parametrize("text", [
    "After my laptop wakes up from sleep, torch.cuda.is_available() returns False until I reboot.\n",
    "After resuming from suspend torch.cuda.device_count() returns 0.\n",
])
def test_resume_then_a_call_failing_is_the_stale_uvm(text):
    assert "nvidia_uvm_stale_after_suspend" in findings(text)


@pytest.mark.parametrize("text", [
    "Before suspend torch.cuda.is_available() returns True.\n",
    "Does torch.cuda.is_available() return False after a suspend?\n",
    "torch.cuda.is_available() returns False. I never suspend this server.\n",
])
def test_near_misses_say_nothing_of_a_resume(text):
    assert "nvidia_uvm_stale_after_suspend" not in findings(text)
