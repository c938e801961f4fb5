"""The word index (knowledge/token_index.py) gives a needle's lines exactly as a search of each
line does, and a large paste's searches and catalogue scan through it find what plain
searches find."""

import random

import pytest

from envcheck.explain.pasted import Pasted
from envcheck.explain.source import normalise
from envcheck.knowledge import messages
from envcheck.knowledge.token_index import INDEXED, TokenIndex

# Whitespace str.split() splits at besides the blank: a tab, NBSP, the ASCII separators, the
# line and paragraph separators, an ideographic space.
SPACES = (" ", " ", " ", "\t", "\u00a0", "\x1c", "\x1f", "\u2028", "\u3000", "\x0b", "\x0c")
WORDS = ("cuda", "CUDA", "cuda12.1", "no", "gpu", "gpus", "nvidia-smi", "could", "not", "run", "running",
         "e:", "error:", "x", ",", "==", "aa", "a", "tool", "toolkit", "显卡", "ß", "link", "libcuda.so.1")


def _text(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        n = rng.randrange(0, 8)
        line = "".join(rng.choice(WORDS) + rng.choice(SPACES) * rng.randrange(1, 3) for _ in range(n))
        out.append(line[:rng.randrange(0, len(line) + 1)] if rng.random() < 0.3 else line)
    return "\n".join(out).lower()


def _needles(rng: random.Random, text: str):
    yield from ("cuda", "cuda ", " cuda", " cuda ", "could not", "no cuda gpus", " run", "link ", "e: ", ",", "==",
                "aa", "a", "tool kit", "显卡", "absent", "could  not", "not\tcould", " ", "  ", "\u00a0")
    for _ in range(300):
        a = rng.randrange(0, max(1, len(text) - 1))
        yield text[a:a + rng.randrange(1, 14)].replace("\n", "")


@pytest.mark.parametrize("seed", range(6))
def test_a_needles_lines_are_those_holding_it(seed):
    rng = random.Random(seed)
    text = _text(rng, 400)
    lines = text.split("\n")
    index = TokenIndex(text)
    for needle in _needles(rng, text):
        got = index.lines_of(needle)
        if not needle.split():
            assert got is None  # nothing but whitespace: the caller searches the text
            continue
        assert got == tuple(k for k, line in enumerate(lines) if needle in line), repr(needle)


def test_a_needle_with_a_newline_is_left_to_the_caller():
    assert TokenIndex("a b\nc d").lines_of("b\nc") is None


def test_its_words_are_the_distinct_words():
    text = _text(random.Random(9), 200)
    assert sorted(TokenIndex(text).words.split("\n")) == sorted(set(text.split()))


def _large(repeat: bool, size: int = messages.LARGE) -> str:
    """Every catalogue example among numbered filler, over ``size`` characters of distinct lines,
    twice over when ``repeat`` (the distinct lines then make the index)."""
    examples = [ex for m in messages.catalogue().messages for ex in m.examples if len(ex.lower()) == len(ex)]
    rng = random.Random(3)
    out, seen, made, n = [], set(), 0, 0
    while made <= size + 20000:  # of distinct lines
        line = examples[n % len(examples)] if n % 3 == 0 else f"step {n} loss {rng.random():.4f} cuda gpu{n % 7}"
        out.append(line)
        if line not in seen:
            seen.add(line)
            made += len(line) + 1
        n += 1
    return "\n".join(out * 2 if repeat else out) + "\n"


@pytest.mark.parametrize("size", [INDEXED, messages.LARGE])
@pytest.mark.parametrize("repeat", [False, True])
def test_a_large_pastes_searches_through_the_index_find_what_a_search_of_each_line_finds(repeat, size):
    doc = normalise(_large(repeat, size))
    distinct = doc.distinct[0]
    assert (doc.distinct[1] is not None) is repeat
    assert distinct._index is not None
    low = [line.lower() for line in doc.lines]
    needles = sorted({n for m in messages.catalogue().messages for n in m.needles or ()} |
                     {"cuda", " gpu", "loss ", "could not", "no cuda gpus", "step 1", "absent words"})
    for needle in needles:
        expected = [i for i, line in enumerate(low) if needle in line]
        assert doc.lines_containing(needle) == expected, repr(needle)


@pytest.mark.parametrize("size", [INDEXED, messages.LARGE])
@pytest.mark.parametrize("repeat", [False, True])
def test_a_large_pastes_catalogue_scan_through_the_index_is_the_plain_scan(repeat, size):
    doc = normalise(_large(repeat, size))
    assert doc.distinct[0]._index is not None
    plain = messages.match(doc.text)  # its own lowercasing and searches, nothing of the paste's
    assert plain and doc._scan() == plain


def test_an_unaligned_large_paste_has_no_index():
    doc = Pasted(tuple(f"İ line {n} cuda" for n in range(INDEXED // 10)))
    assert len(doc.lower) != len(doc.text) and doc._index is None
    assert doc.lines_containing("line 7 ") == [7]


@pytest.mark.parametrize("seed", range(3))
def test_a_needles_columns_are_every_place_it_starts(seed):
    rng = random.Random(seed)
    text = _text(rng, 300)
    lines = text.split("\n")
    index = TokenIndex(text)
    for needle in _needles(rng, text):
        got = index.columns(needle)
        if not needle.split():
            assert got is None
            continue
        assert got == [(k, c) for k, line in enumerate(lines) for c in range(len(line)) if line.startswith(needle, c)]
