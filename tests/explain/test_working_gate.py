"""sentences.working_after tries its long pattern (_GOOD) only on a text holding one of
sentences.ANCHORS. That is safe only while every way _GOOD can match holds an anchor: proved
here from the parsed pattern, so an alternative added without one fails this test instead of
being silently skipped."""

from __future__ import annotations

import re

from envcheck.explain import sentences

try:  # Python 3.11+
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _holds_anchor(items, anchors) -> bool:
    """Does every match of the parsed ``items`` (a sequence) hold one of ``anchors``? Only
    literal runs and required parts count, so a False may be too cautious, never a True too bold."""
    run = ""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av).lower()
            continue
        if any(a in run for a in anchors):
            return True
        run = ""
        if name == "SUBPATTERN" and _holds_anchor(av[-1], anchors):
            return True
        if name == "BRANCH" and all(_holds_anchor(b, anchors) for b in av[1]):
            return True
        if name in _REPEATS and av[0] >= 1 and _holds_anchor(av[2], anchors):
            return True
    return any(a in run for a in anchors)


def test_every_alternative_of_the_working_pattern_holds_an_anchor():
    assert _holds_anchor(sre_parse.parse(sentences._GOOD), sentences.ANCHORS)


def test_the_proof_fails_for_an_alternative_without_an_anchor():
    assert not _holds_anchor(sre_parse.parse(sentences._GOOD + r"|\bcheerful\b"), sentences.ANCHORS)
    assert not _holds_anchor(sre_parse.parse(r"(?:works)?\s+again"), ("work",))  # optional: no proof
    assert _holds_anchor(sre_parse.parse(r"(?:works|working)+ again"), ("work",))


def test_the_gate_changes_no_answer():
    lines = ["nvidia-smi failed. After a reboot IT WORKS AGAIN", "", ""]
    assert sentences.working_after(lines, 0, 0)
    lines = ["nvidia-smi failed; I have not tried anything else", "driver 550", "cuda 12.4"]
    assert not sentences.working_after(lines, 0, 0)
    assert not sentences._WORKING.search("\n".join(lines))
    assert sentences.working_after(["装了新驱动，解决了"], 0, 0)
    assert re.search(sentences._ANCHORED.pattern, "NVIDIA-SMI now shows the GPU", re.I)
