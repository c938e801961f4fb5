"""'It has run for 3 weeks without any issue' after a fix the text tells is the problem being over
(resolved.py) and the machine working after a failure (sentences.working_after)."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.resolved import said_over
from envcheck.explain.sentences import working_after
from tests.rules.test_unseen_classes import errors

XID = ("Small note: last month one of our 3090s kept dropping out (\"NVRM: Xid (PCI:0000:82:00): 79, pid='<unknown>', "
       "name=<unknown>, GPU has fallen off the bus.\") — a bad PCIe riser. Replaced the riser and it has run for 3 weeks "
       "without any issue.")


def test_running_for_weeks_without_issues_is_over():
    assert said_over(source.normalise(XID))
    assert not errors(XID)


def test_still_failing_is_not_over():
    text = XID.replace("without any issue.", "without any issue, but since yesterday it drops out again.")
    assert said_over(source.normalise(text)) is None
    assert errors(text)


def test_working_after_reads_it():
    lines = ["The GPU fell off the bus twice.", "After reseating the card it has been running for a month without problems."]
    assert working_after(lines, 0, 4)
    assert not working_after(["The GPU fell off the bus twice and it has not run a day without errors."], 0, 4)


LOG = ("[ 5123.456789] NVRM: Xid (PCI:0000:01:00): 79, pid=2211, GPU has fallen off the bus.\n"
       "[ 5123.456801] NVRM: GPU 0000:01:00.0: GPU has fallen off the bus.\n")


@pytest.mark.parametrize("text", [
    "This server has run for 3 years without any issue until last week. Now training dies after an hour:\n",
    "The same script has run without any problem on my other machine (A100).\nOn this one it fails:\n",
    "Training has worked without crashes for months before the driver update to 550.\n",
    "My old 3090 has worked without problems for years; the new 4090 in the same box gives\n",
    "The job has run 2 days without errors, then this appeared in dmesg:\n",
    "I updated the driver and it has run without any issue until this morning:\n",
])
def test_good_health_before_a_failure_is_not_over(text):
    assert said_over(source.normalise(text + LOG)) is None
    assert "gpu_lost" in errors(text + LOG)


def test_a_told_fix_in_the_sentence_before_counts():
    text = "I replaced the riser cable. It has run for 3 weeks without any issue.\n" + LOG
    assert said_over(source.normalise(text))
    assert not errors(text)
