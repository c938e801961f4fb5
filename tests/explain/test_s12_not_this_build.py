"""A torch version or a GPU named as not this machine's (left by the review of round 23): a
release's history, a source quoted, someone else's build or card. And the sentence of a version
number: its dot does not end it."""

import pytest

from envcheck.explain import diagnose
from envcheck.explain.sentences import clause_start, sentence_around
from envcheck.explain.source import normalise

_ARCH = {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"}


def _errors(text):
    _, report = diagnose(normalise(text))
    return {f.id for f in report.findings if f.severity.value == "error"}


@pytest.mark.parametrize("text", [
    # a release's history, the version its subject
    "PyTorch 2.7 added support for the RTX 5090, so after upgrading my training works on my 5090 now.",
    "torch 2.0 dropped support for older GPUs; I run an RTX 4090 with torch 2.0.1+cu118 and it trains fine.",
    # a source quoted before the version
    "According to the PyTorch forums, torch 2.5 doesn't support the RTX 5090. I am on an RTX 4090 and it runs fine.",
    "The release notes say torch 2.5 lacks sm_120; my card is an RTX 3090 and training works.",
    # someone else's build and card
    "My friend's torch 2.4 doesn't support his RTX 5090. Mine is an RTX 3080 with torch 2.4 and it trains fine.",
    "My colleague's RTX 5090 needs a newer torch than his 2.4. My RTX 4070 runs torch 2.4 without problems.",
])
def test_a_build_or_card_that_is_not_this_machines_gives_no_arch_error(text):
    assert not _errors(text) & _ARCH


@pytest.mark.parametrize("text", [
    "I have an RTX 5090 and torch 2.5. It says no kernel image is available for execution on the device.",
    # the person's own, said after another's
    "My friend's torch works on his 4090. I have an RTX 5090 with torch 2.4.1 and get CUDA error: no kernel image "
    "is available for execution on the device",
    # "which added support" is not the version's own history: the person's install
    "I installed torch 2.5.1+cu124 on my RTX 5090 and get: CUDA error: no kernel image is available for execution on "
    "the device",
])
def test_the_persons_own_build_and_card_are_still_judged(text):
    assert _errors(text) & _ARCH


def test_a_version_numbers_dot_does_not_end_the_sentence():
    line = "According to the forums, torch 2.5 doesn't support the RTX 5090. I am on an RTX 4090."
    at = line.index("support")
    assert sentence_around(line, at, at + 7) == "According to the forums, torch 2.5 doesn't support the RTX 5090."
    assert line[clause_start(line, line.index("4090.")):].startswith(" I am on")
    # other dots still end one, as before ("index.aspx", "torch.cuda" are left as they were)
    other = "It failed. torch.cuda.is_available() is False."
    at = other.index("False")
    assert sentence_around(other, at, at + 5) == "is_available() is False."


@pytest.mark.parametrize("text", [
    # a runbook's, wiki's or the docs' row quoted after its name and a colon
    "Our runbook: Xid 79 — the GPU has fallen off the bus — reboot the node.",
    "From the wiki: 'GPU has fallen off the bus' means the card needs reseating. Ours are fine.",
    # a GPU a release's support changed for
    "Changelog: torch 2.0 drops support for sm_35 (Tesla K40). We run A100s with torch 2.1 and everything works.",
])
def test_a_reference_quoted_is_not_this_machine(text):
    assert not _errors(text)


@pytest.mark.parametrize("text, fid", [
    ("Since this morning dmesg shows: NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.", "gpu_lost"),
    ("torch 2.0 dropped support for my Tesla K40, now I get no kernel image is available for execution on the device "
     "with torch 2.1", "gpu_arch_too_old_for_torch_build"),
])
def test_the_machines_own_failure_is_still_found(text, fid):
    assert fid in _errors(text)
