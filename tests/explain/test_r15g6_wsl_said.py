"""Round 15 g6: a person saying the Linux runs under WSL 1 (explain/parsers/wsl_said.py) is
host.wsl = "wsl1" as their claim, and wsl1_no_gpu_support follows as likely. Texts written for the
test after real reports' shapes; near-misses name WSL 2 too, leave the template's box empty, ask,
deny, or tell a change."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import findings

FID = "wsl1_no_gpu_support"
FAIL = "\nnvidia-container-cli: initialization error: WSL environment detected but no adapters were found: unknown"


def _wsl(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts.host.wsl


@pytest.mark.parametrize("said", [
    "I'm using Windows with WSL1",
    "Running Ubuntu 20.04 on WSL 1.",
    "WSL version: 1",
])
def test_wsl1_said_is_wsl1_and_the_finding_likely(said):
    r = _wsl(said + FAIL)
    assert r.ok and r.value == "wsl1"
    _, report = diagnose(source.normalise(said + FAIL), collected_at="")
    f = next(x for x in report.findings if x.id == FID)
    assert f.confidence.value == "likely"


def test_a_ticked_template_box_is_wsl1():
    r = _wsl("### WSL Version\n- [x] WSL 1" + FAIL)
    assert r.ok and r.value == "wsl1" and FID in findings("### WSL Version\n- [x] WSL 1" + FAIL)


@pytest.mark.parametrize("said", [
    "I moved from WSL1 to WSL2 and now it fails",
    "I'm on WSL 2, not WSL 1.",
    "### WSL Version\n- [x] WSL 2\n- [ ] WSL 1",
    "- [ ] WSL 1",
    "Does this work on WSL 1?",
    "I am not using WSL 1.",
    "I converted the distro from WSL 1 last week.",
    "wsl --version\nWSL version: 1.0.3.0",
])
def test_near_misses_are_not_wsl1(said):
    r = _wsl(said + FAIL)
    assert not (r.ok and r.value == "wsl1")


def test_a_wsl2_kernel_outranks_the_words():
    text = "I'm using WSL1\nLinux version 5.15.90.1-microsoft-standard-WSL2 (oe-user@oe-host)" + FAIL
    assert FID not in findings(text)
