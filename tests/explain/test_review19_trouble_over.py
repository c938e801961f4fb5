"""The trouble said over in the words the review of rounds 17/18 found unread: "it's fine now",
"now numba works", "my setup works". A failure shown and then said over keeps its finding as a
warning (explain/resolved.py); a message only asked about, with the setup said to work, is none
(explain/parsers/error_messages.py). Near-misses keep the error."""

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Severity

SHM = ('Error loading "C:\\venv\\lib\\site-packages\\torch\\lib\\shm.dll" or one of its dependencies. '
       "That was with torch 2.3.0; I moved to 2.3.1 and {tail}")
PTX = ("ptxas application ptx input, line 9; fatal   : Unsupported .version 8.1; current version is '8.0'\n"
       "(this was before I updated the driver to 550; {tail})")


def _severities(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f.severity for f in report.findings}


@pytest.mark.parametrize("text, fid", [
    (SHM.format(tail="it's fine now."), "known_bad_torch_build"),
    (PTX.format(tail="now numba works"), "cuda_toolkit_newer_than_driver"),
])
def test_a_failure_said_over_is_a_warning(text, fid):
    assert _severities(text).get(fid) is Severity.WARNING


@pytest.mark.parametrize("text, fid", [
    (SHM.format(tail="it still fails."), "known_bad_torch_build"),
    (PTX.format(tail="now nothing works"), "cuda_toolkit_newer_than_driver"),
])
def test_a_failure_not_said_over_stays_an_error(text, fid):
    assert _severities(text).get(fid) is Severity.ERROR


def test_a_message_only_asked_about_beside_a_working_setup_is_no_finding():
    text = 'What does "The NVIDIA driver on your system is too old" mean? Just curious, my setup works.'
    assert "driver_too_old_for_torch_cuda" not in _severities(text)


def test_a_message_asked_about_beside_a_failing_setup_still_counts():
    text = 'Why do I get "The NVIDIA driver on your system is too old"? My setup worked yesterday, now it fails.'
    assert _severities(text).get("driver_too_old_for_torch_cuda") is Severity.ERROR


NVML = "Failed to initialize NVML: Driver/library version mismatch\n{tail}"


@pytest.mark.parametrize("tail, severity", [
    ("After a reboot it works again.", Severity.WARNING),
    ("It works again after the reboot, but fails after a while.", Severity.ERROR),
    ("I hope it works again after a reboot.", Severity.ERROR),
    ("Will it work again if I reboot?", Severity.ERROR),
])
def test_it_works_again_is_the_trouble_over(tail, severity):
    assert _severities(NVML.format(tail=tail)).get("nvml_driver_library_mismatch") is severity
