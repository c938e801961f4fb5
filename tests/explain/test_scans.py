"""The shortcuts that keep explain fast on 4 MiB find exactly what the plain scans find.

Each fast path (needles looked for once, words that are not in the text skipped, anchored
patterns searched from newlines, the catalogue's needle places shared between messages and
its regex kept to where a match can start, lines read once per distinct text) is compared
with the plain way on many small random texts built
from the characters where they could differ: case, letters that lower() lengthens (İ),
letters re.IGNORECASE takes for ASCII ones (ı, ſ, K), whitespace other than a space, newlines.
"""

from __future__ import annotations

import random
import re
from typing import List

import pytest

from envcheck.explain.parsers import freetext
from envcheck.explain.source import Pasted
from envcheck.knowledge import messages

_PIECES = ["\n", "\n\n", " ", "\t", "\u00a0", "a", "ab", "AB", "abc", "b", "x", "İ", "ı", "ſ", "\u212a", "1", "23",
           "456", ".", ":", "ti", "super", "m", "mx", "g", "h", "t4", "os", "-", "Σ"]


@pytest.fixture(autouse=True)
def shortcuts_for_any_size(monkeypatch):
    """The shortcuts are taken on large texts only; these small texts must take them too."""
    monkeypatch.setattr(messages, "LARGE", 0)


def _texts(seed: int, count: int = 3000, longest: int = 24) -> List[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, longest))) for _ in range(count)]


def _plain_lines_containing(doc: Pasted, needles) -> List[int]:
    low = doc.text.lower()
    if len(low) != len(doc.text):
        return [i for i, line in enumerate(doc.lines) if any(n in line.lower() for n in needles)]
    return sorted({doc.line_of(p) for n in needles for p in range(len(low)) if low.startswith(n, p)})


def test_lines_containing_matches_a_plain_search_whatever_was_looked_for_before():
    needles = ["a", "ab", "abc", "b", "bc", "x a", " ", "a b", "ab\u00a0", "k", "i", "ss", "σ"]
    rnd = random.Random(1)
    for text in _texts(1):
        doc = Pasted(tuple(text.split("\n")))
        order = needles[:]
        rnd.shuffle(order)
        for n in order:
            assert doc.lines_containing(n) == _plain_lines_containing(doc, [n]), (text, n)
        pick = rnd.sample(needles, 3)
        assert doc.lines_containing(*pick) == _plain_lines_containing(doc, pick), (text, pick)


def test_ignorecase_gives_every_line_where_a_pattern_could_take_a_letter_for_an_ascii_one():
    pattern = re.compile(r"nvidia-smi", re.IGNORECASE)
    for text in ("NVIDIA-SMI ok\nnone", "nv\u0131dia-smi\nnone", "nvidia-\u017fmi\nnone"):
        doc = Pasted(tuple(text.split("\n")))
        found = [i for i, line in enumerate(doc.lines) if pattern.search(line)]
        assert set(found) <= set(doc.lines_containing("nvidia-smi", ignorecase=True)), text


@pytest.mark.parametrize("anchored", [
    r"[ \t]*\d+\.\d+\S*[ \t]*$", r"\W{0,8}\d{3}\.\d{2,3}(?:\.\d{2})?\W{0,8}$", r"[ \t]*(?:[-*][ \t]+)?os[ \t]*:",
    r"", r"x?"])
def test_lines_starting_is_lines_with_a_line_anchor(anchored):
    plain, fast = re.compile("^" + anchored, re.MULTILINE), re.compile(anchored, re.MULTILINE)
    for text in _texts(2, count=1500):
        doc = Pasted(tuple(text.split("\n")))
        for lower in (False, True):
            assert doc.lines_starting(fast, lower=lower) == doc.lines_with(plain, lower=lower), (text, anchored)


def test_freetext_model_scans_find_the_lines_the_plain_patterns_find():
    dc = re.compile(r"(?<![a-z0-9])g?[abhlvpkmt]\d{1,4}[a-z]{0,2}(?![a-z0-9])")
    suffixed = re.compile(r"\d{3}(?:\s?(?:ti|super)\b|mx?\b)")
    for text in _texts(3):
        doc = Pasted(tuple(text.split("\n")))
        assert doc.lines_with(freetext._DC_MODEL, lower=True) == doc.lines_with(dc, lower=True), text
        assert freetext._suffixed(doc) == doc.lines_with(suffixed, lower=True), text


def _plain_scan(catalogue, text: str):
    """The catalogue scan without shared needle places or skipped words: every needle searched
    in the whole text, every window scanned."""
    low = text.lower()
    out = []
    newlines = [m.start() for m in re.finditer("\n", text)]
    for message in catalogue:
        if message.needles is None:
            hits = [(0, len(text))]
        else:
            hits = sorted((max(0, i - message.reach), min(len(low), i + len(n) + message.reach))
                          for n in message.needles for i in (p for p in range(len(low)) if low.startswith(n, p)))
        windows: list = []
        for a, b in hits:
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], b))
            else:
                windows.append((a, b))
        for a, b in windows:
            for m in message.pattern.finditer(text, a, b):
                if m.end() > m.start():
                    out.append((m.start(), message.id, m.end(), m.group(0), messages._facts(message, m)))
    return sorted(out), newlines


def test_catalogue_scan_finds_what_a_plain_scan_finds():
    cat = messages.catalogue()
    rnd = random.Random(5)
    examples = [e for m in cat.messages for e in m.examples]
    for n in range(120):
        parts = []
        chosen = rnd.sample(examples, 3) if n % 2 else examples  # half: a few messages, repeated close together
        for _ in range(rnd.randint(1, 12)):
            e = rnd.choice(chosen)
            cut = rnd.randint(0, len(e))
            parts.append(rnd.choice([e, e, e[:cut], e[cut:], e.upper(), "noise line 123"]))
        text = rnd.choice(["\n", " ", "\n\n", ""]).join(parts)
        got = messages.scan(cat.messages, text, text.lower())
        want, newlines = _plain_scan(cat.messages, text)
        assert [(m.start, m.id, m.end, m.text, m.facts) for m in got] == want
        assert [m.line for m in got] == [sum(1 for n in newlines if n <= s) + 1 for s, *_ in want]


def test_freetext_reads_repeated_lines_once_and_finds_the_same():
    pool = ["I have a 3060 ti", "GPU: 3090", "", "3060", "ti", "nvidia driver 550.54.15", "550.54.15", "--",
            "我的显卡是3060", "running on ubuntu 22.04 in a docker container", "step 1080 loss 3060 gpu",
            "torch 2.1 with cuda 12.1", "İ python 3.10", "a T4 gpu", "GeForce 940MX"]
    rnd = random.Random(6)
    for _ in range(300):
        lines = tuple(rnd.choice(pool) for _ in range(rnd.randint(2, 40)))
        doc, plain = Pasted(lines), Pasted(lines)
        plain.__dict__["distinct"] = (plain, None)  # every line read where it stands
        assert doc.distinct[1] is not None or len(set(lines)) * 2 > len(lines)
        assert freetext._readers(doc) == freetext._readers(plain), lines
        assert freetext.parse(doc) == freetext.parse(plain), lines
