"""Pasted.lines_with / lines_starting on a paste repeating its lines: a line-local pattern is
searched on the distinct lines and its lines placed on every copy, with the answer a search of
the whole text gives; a pattern that can read past a newline still searches the whole text."""

import re

import pytest

from envcheck.explain import pasted
from envcheck.explain.pasted import Pasted, _line_local
from envcheck.lazyre import lazy

LINES = ("GPU0 is fine", "  os: Ubuntu 22.04", "| 535.104.05 |", "nothing here", "GPU1 lost", "535.54",
         "tail line GPU", "% cat /etc/os-release", "Ünïcode GPU2", "", "GPU 3 gone", "lost")

LOCAL = [(lazy(r"GPU\d"), False), (re.compile(r"gpu\d"), True), (lazy(r"(?:% ?)?[^\S\n]*\|"), False),
         (lazy(r"[ \t]*(?:[-*][ \t]+)?os[ \t]*:"), False), (lazy(r"\d+\.\d+\S*[ \t]*$", re.MULTILINE), False),
         (lazy(r"%"), False), (lazy(r"\bGPU\b"), False), (lazy(r"(?<!\w)lost$", re.M), False), (lazy(r"^$", re.M), False)]
ACROSS = [lazy(r"GPU\s+[0-9A-Fa-f]{4,8}:"), lazy(r"\W{0,8}\d{3}\.\d{2,3}\W{0,8}$"), lazy(r"fine\nGPU"), lazy(r"\d$")]


def _whole_text(doc, method, pattern, lower, monkeypatch):
    """The answer of the whole-text search (the path a pattern that is not line-local takes)."""
    with monkeypatch.context() as m:
        m.setattr(pasted, "_line_local", lambda p: False)
        return getattr(doc, method)(pattern, lower)


@pytest.mark.parametrize("pattern,lower", LOCAL)
@pytest.mark.parametrize("method", ["lines_with", "lines_starting"])
def test_a_line_local_pattern_answers_on_the_distinct_lines_as_on_the_whole_text(pattern, lower, method, monkeypatch):
    assert _line_local(pattern)
    doc = Pasted(LINES * 12)
    assert doc.distinct[1] is not None  # the repeated-lines path
    got = getattr(doc, method)(pattern, lower)
    assert got == _whole_text(Pasted(LINES * 12), method, pattern, lower, monkeypatch)
    assert got  # (each finds something: the comparison is not of two empty lists)


@pytest.mark.parametrize("pattern", ACROSS)
def test_a_pattern_that_reads_past_a_newline_is_not_line_local(pattern):
    assert not _line_local(pattern)


def test_a_match_across_lines_is_found_where_no_line_alone_holds_it():
    lines = ("GPU", "0000: ok", "x") * 6
    across = lazy(r"GPU\s+[0-9A-Fa-f]{4,8}:")
    assert Pasted(lines).lines_with(across) == [i for i in range(len(lines)) if lines[i] == "GPU"]
