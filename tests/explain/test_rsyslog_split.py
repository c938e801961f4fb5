"""source.split_rsyslog: the lines holding rsyslog's "#012" split there, found from its places
in the text; the same lines as splitting each line that holds one."""

import itertools
import random

from envcheck.explain.plain import RSYSLOG_NEWLINE
from envcheck.explain.source import normalise, split_rsyslog


def _each_line(lines):
    return list(itertools.chain.from_iterable(
        RSYSLOG_NEWLINE.sub("\n", line).split("\n") if "#012" in line else (line,) for line in lines))


def test_split_rsyslog_is_the_split_of_each_line_holding_one():
    rnd = random.Random(12)
    pieces = ["kernel: NVRM: Xid 79#012 GPU has fallen off the bus", "#012", "plain", "", "a#012b#012c",
              "trailing#012", "#012leading", "no marker here", "#01", "x #012 y"]
    for _ in range(300):
        lines = [rnd.choice(pieces) for _ in range(rnd.randint(1, 12))]
        text = "\n".join(lines)
        assert split_rsyslog(text, lines) == _each_line(lines), lines


def test_a_paste_with_rsyslog_newlines_reads_as_its_lines():
    doc = normalise("Dec 1 host kernel: first#012second line\nplain\nthird#012fourth")
    assert "second line" in " ".join(doc.lines) and "plain" in doc.lines
