"""A catalogue message placed on another machine, with this one said to work right after it, is
not this machine's output (review of rounds 17/18, item 1); the same message as this machine's
failure still counts, however the text goes on."""

import pytest

from envcheck.explain import diagnose, source

TOO_OLD = "The NVIDIA driver on your system is too old (found version 11040)."


def _ids(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


@pytest.mark.parametrize("text", [
    TOO_OLD + " I got this message on my old laptop, not on this server. Here everything works.",
    "The NVIDIA driver on your system is too old — I got this message on my old laptop, not on this server. "
    "Here everything works.",
    TOO_OLD + " That was on another machine; on this one everything works fine.",
])
def test_a_message_of_another_machine_beside_a_working_one_is_no_finding(text):
    assert "driver_too_old_for_torch_cuda" not in _ids(text)


@pytest.mark.parametrize("text", [
    "RuntimeError: " + TOO_OLD + " Please update your GPU driver",
    "RuntimeError: " + TOO_OLD + " On my old laptop it works fine.",  # the old laptop works, this one fails
    "Why do I get \"" + TOO_OLD + "\"? torch.cuda.is_available() returns False.",
    TOO_OLD + " I got this on my old laptop too, and on this server nothing works either.",
])
def test_this_machines_message_still_counts(text):
    assert "driver_too_old_for_torch_cuda" in _ids(text)
