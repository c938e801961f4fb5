"""'It has run for 3 weeks without any issue' after a fix the text tells is the problem being over
(resolved.py) and the machine working after a failure (sentences.working_after)."""

from __future__ import annotations

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
