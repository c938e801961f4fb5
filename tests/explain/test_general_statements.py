"""A condition, advice or definition about Xid codes or ECC errors is no report of this machine
(sentences.general_statement), while the person's own run stays one."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _ids(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


@pytest.mark.parametrize("text", [
    "Check dmesg for Xid 48 or Xid 79.",
    "Xid 48 means a double-bit ECC error.",
    "If you see Xid 79 in dmesg, the GPU fell off the bus.",
    "In case of an uncorrectable ECC error, reset the GPU.",
    "You should look for Xid 79 in the kernel log.",
])
def test_general_statements_make_no_finding(text):
    assert not _ids(text) & {"gpu_lost", "ecc_errors", "xid_errors_logged"}


@pytest.mark.parametrize("text, finding", [
    ("If I train for an hour, dmesg shows Xid 79.", "gpu_lost"),
    ("dmesg shows Xid 79 and nvidia-smi says the GPU is lost", "gpu_lost"),
    ("We got a double-bit ECC error on GPU 3 yesterday.", "ecc_errors"),
    ("The job died with an uncorrectable ECC error; after that nvidia-smi showed nothing.", "ecc_errors"),
])
def test_reports_of_this_machine_still_count(text, finding):
    assert finding in _ids(text)
