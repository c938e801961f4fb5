"""A paste that says its problem is over keeps its findings, as warnings that say so; one that
says the problem goes on keeps its errors."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

MISMATCH = "Failed to initialize NVML: Driver/library version mismatch\n"


def _severities(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f.severity.value for f in report.findings}


@pytest.mark.parametrize("over", [
    "Update: solved, a reboot fixed it.",
    "The problem was fixed by rebooting.",
    "It works fine now after the reboot.",
    "问题已解决，重启就好了。",
])
def test_a_problem_said_to_be_over_is_a_warning(over):
    assert _severities(MISMATCH + over)["nvml_driver_library_mismatch"] == "warning"


@pytest.mark.parametrize("going_on", [
    "A reboot did not fix it.",
    "I rebooted but it still fails.",
    "Is it fixed now?",
    "",
])
def test_a_problem_still_there_stays_an_error(going_on):
    assert _severities(MISMATCH + going_on)["nvml_driver_library_mismatch"] == "error"
