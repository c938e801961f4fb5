"""freetext's model numbers with a suffix ("3060 Ti", "2070 super", "960m"), found in the distinct
lines of a repeating log and across line ends in the whole text, are those one scan of the
whole text finds ("3060\\nti" included)."""

from __future__ import annotations

import random

from envcheck.explain.parsers import freetext
from envcheck.explain.source import normalise


def _one_scan(doc):
    text = doc.lower if len(doc.lower) == len(doc.text) else doc.text
    out = set()
    for m in freetext._SUFFIX.finditer(text):
        t = m.start()
        out.add(doc.line_of(t - 4 if m.group(0) in ("ti", "super") and text[t - 1].isspace() else t - 3))
    return sorted(out)


_BITS = ["3060", "ti", "Ti", "super", "3060 ti", "960m", "940mx", "rtx 2070", "x", "", " ti", "ti x", "12345", "İ",
         "2070\tsuper", "GeForce GTX 1050 Ti"]


def test_repeating_log_gives_the_lines_one_scan_gives():
    rnd = random.Random(3)
    for _ in range(300):
        text = "\n".join(rnd.choice(_BITS) + rnd.choice(["", " ", "\n"]) + rnd.choice(_BITS)
                         for _ in range(rnd.randint(1, 10)))
        for variant in (text, (text + "\n") * 3, "\n".join(line for line in text.split("\n") for _ in range(3))):
            doc = normalise(variant)
            assert freetext._suffixed(doc) == _one_scan(doc), variant
