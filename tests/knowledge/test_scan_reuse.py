"""The catalogue scan reuses a window's matches for a window of the same text (a log repeats
its lines): what it finds must be exactly what a scan without that reuse finds."""

from __future__ import annotations

import dataclasses
import random
import sys

import pytest

from envcheck.knowledge import messages as M
from envcheck.knowledge.message_scan import _behind

if sys.version_info >= (3, 11):
    from re import _parser as P
else:  # pragma: no cover - Python 3.10
    import sre_parse as P

CAT = M.catalogue()


@pytest.mark.parametrize("pattern, behind", [
    (r"abc", 0),
    (r"\babc", 1),
    (r"(?<=xy)abc", 2),
    (r"(?<![\w.])abc(?<!zz)", 3),
    (r"(?:a|(?<=qq)b)\Bc", 3),
    (r"(?m)^abc", None),  # the parsed ^ is the same with MULTILINE: taken as the text's start
    (r"^abc", None),  # ^ without MULTILINE: where the text starts
    (r"\Aabc", None),
    (r"abc$", 0),  # looks ahead only, and the scan never reads past a window's end
])
def test_how_far_back_a_pattern_reads(pattern, behind):
    assert _behind(P.parse(pattern)) == behind


def _repeating(seed: int) -> str:
    """Catalogue examples, each copied several times after different words (a look-behind or
    \\b sees another character before each copy), some cut short."""
    rnd = random.Random(seed)
    examples = [ex for m in CAT.messages for ex in m.examples]
    chosen = rnd.sample(examples, 120)
    lines = []
    for _ in range(1500):
        ex = rnd.choice(chosen)
        if rnd.random() < 0.3:
            ex = ex[: max(1, int(len(ex) * rnd.random()))]
        lines.append(rnd.choice(["", " ", "x", "_", "foo.", "lib/", "ERROR: ", "Error: ", "> "]) + ex)
    return "\n".join(lines)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reused_windows_find_what_a_fresh_search_finds(seed):
    text = _repeating(seed)
    fresh = tuple(dataclasses.replace(m, behind=None) for m in CAT.messages)  # no reuse
    reused = M.scan(CAT.messages, text)
    assert reused == M.scan(fresh, text)
    assert len(reused) > 1000


@pytest.mark.parametrize("pattern", [r"(?<=ab+)c", r"(?<!a|bc)d", r"x(?:(?<=a{1,2})y)", r"(unclosed", r"a{2,1}"])
def test_a_pattern_re_compile_refuses_is_refused_when_the_catalogue_is_read(pattern):
    import re

    with pytest.raises(re.error):
        re.compile(pattern)
    with pytest.raises(re.error):
        M.parse_checked(pattern)


def test_the_catalogue_compiles_a_pattern_only_when_a_text_holds_its_words():
    catalogue = M.load()
    compiled = [m.id for m in catalogue.messages if "_compiled" in vars(m.pattern)]
    assert compiled == []
    catalogue.match("RuntimeError: No CUDA GPUs are available")
    assert 0 < sum("_compiled" in vars(m.pattern) for m in catalogue.messages) < 10
