"""The repeated-line scan (knowledge/line_scan.py) finds what the whole text's scan finds."""

import pytest

from envcheck.explain.source import normalise
from envcheck.knowledge import messages
from envcheck.knowledge.line_scan import line_local
from envcheck.knowledge.message_scan import parse_checked


def _local(pattern: str) -> bool:
    parsed = parse_checked(pattern)
    return line_local(parsed, parsed.state.flags)


@pytest.mark.parametrize("pattern, local", [
    (r"CUDA error: (?P<what>[a-z ]+)", True),
    (r"no kernel image\b", True),
    (r"(?m)^Driver Version: (\d+)$", True),
    (r"error:\s+out of memory", False),  # \s holds a newline
    (r"found [^)]*\)", False),  # a negated class holds one
    (r"(?s)a.b", False),
    (r"^CUDA", False),  # the start of the whole text
    (r"done$", False),
    (r"a\nb", False),
    (r"(a)\1", False),  # a back-reference: not judged
    (r"(?<!\w)nvcc\W", False),
    (r"(?<![\w.])libcuda\.so\.(\d+)", True),
])
def test_line_local(pattern, local):
    assert _local(pattern) is local


def test_every_catalogue_message_is_judged():
    local, spanning = messages.catalogue().by_line
    assert len(local) + len(spanning) == len(messages.catalogue().messages)
    assert all(m.local for m in local) and not any(m.local for m in spanning)


def test_repeated_paste_scans_as_the_whole_text():
    """Every case-like text three times over: the distinct lines' scan placed on the copies is
    the whole text's scan, match for match (offsets, lines, facts)."""
    texts = [ex for m in messages.catalogue().messages for ex in m.examples]
    block = "\n".join(texts + ["step 1 loss 0.5"]) + "\n"
    # large enough to take that path once normalised (normalising drops some characters: count after it)
    doc = normalise(block * max(3, messages.LARGE // len(normalise(block).text) + 1) + "end")
    assert doc.distinct[1] is not None and len(doc.text) >= messages.LARGE
    whole = messages.match(doc.text, doc.lower, doc.words, doc._positions, doc.offsets)
    assert whole and doc._scan() == whole


def test_coloured_or_unaligned_paste_takes_the_whole_text_scan():
    doc = normalise("İ CUDA error: out of memory\n" * 4)
    assert len(doc.lower) != len(doc.text)
    assert doc._scan() == messages.match(doc.text, doc.lower, doc.words, doc._positions, doc.offsets)
