"""Pasted.where: the same (line, result) pairs as testing every candidate line in turn, for a
paste that repeats its lines (tested once per distinct line) and one that does not."""

import re

import pytest

from envcheck.explain.source import normalise

_P = re.compile(r"driver (\d+)")


def _plain(doc, test, *needles):
    lines = range(len(doc.lines)) if not needles else doc.lines_containing(*needles)
    return [(i, test(doc.lines[i])) for i in lines if test(doc.lines[i])]


def test_where_matches_a_plain_loop():
    block = "nvidia driver 550 loaded\nsomething else\nno driver here\nDRIVER 12 upper\n"
    for text in (block * 30, block + "other text\n" * 3):
        doc = normalise(text)
        for needles in (("driver",), ("driver", "else"), ()):
            got = doc.where(_P.search, *needles)
            want = _plain(doc, _P.search, *needles)
            assert [i for i, _ in got] == [i for i, _ in want]
            assert [m.group(0) for _, m in got] == [m.group(0) for _, m in want]
    doc = normalise(block * 30)
    assert doc.distinct[1] is not None  # the repeated path was the one tested
    assert [i for i, _ in doc.where(lambda line: "else" in line)] == list(range(1, 120, 4))


@pytest.mark.parametrize("repeat", [1, 40])  # the distinct-line path and the plain one
def test_first_is_wheres_first_and_stops_there(repeat):
    text = "\n".join(["step loss 0.1", "torch says cuda no", "other", "torch cuda YES 1", "torch cuda YES 2"] * repeat)
    doc = normalise(text)
    calls = []

    def test(line):
        calls.append(line)
        return line.split()[-1] if "YES" in line else None

    assert doc.first(test, "cuda") == doc.where(test, "cuda")[0] == (3, "1")
    assert doc.first(lambda line: None, "cuda") is None
    calls.clear()
    doc.first(test, "cuda")
    assert calls == ["torch says cuda no", "torch cuda YES 1"]  # in order, up to the first
