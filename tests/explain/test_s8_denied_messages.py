"""A message the person says they do not meet, or tells as what may come, is not this machine's
output (parsers/error_messages._denied); one they met, however they ask about it, still is."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

CPU = "AssertionError: Torch not compiled with CUDA enabled"
NO_GPU = "RuntimeError: No CUDA GPUs are available"


@pytest.mark.parametrize("text", [
    f'I don\'t get "{CPU[16:]}" any more, the GPU works.',
    f"- [x] I am not getting {CPU}",
    f'If you see "{CPU[16:]}", reinstall torch from the CUDA index.',
    f"In case you get {NO_GPU}, check CUDA_VISIBLE_DEVICES first.",
    f"I no longer see {NO_GPU} after the reboot.",
    f"We never got the error {NO_GPU} on these nodes.",
])
def test_denied_or_conditional_messages_say_nothing(text):
    assert not findings(text), text


@pytest.mark.parametrize("text, fid", [
    (CPU, "torch_cpu_only_build"),
    (f"When I run it I get: {CPU}", "torch_cpu_only_build"),
    (f"I don't get why it says {CPU}", "torch_cpu_only_build"),
    (f"Why do I get '{CPU[16:]}' on my new laptop?", "torch_cpu_only_build"),
    (f"It is not working:\n{CPU}", "torch_cpu_only_build"),
])
def test_messages_met_still_count(text, fid):
    assert fid in findings(text), text
