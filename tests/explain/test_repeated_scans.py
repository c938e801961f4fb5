"""The shortcuts for pastes that repeat their lines (a log, a report pasted twice) find exactly
what the plain scans find: the catalogue's needles looked for in the distinct lines only, the
wrapped-prose breaks found from their newlines, a whole-paste helper computed once.

Compared with the plain way on random pastes built from the catalogue's own examples and the
characters where they could differ (case, İ which lower() lengthens, Σ whose lower case
depends on its neighbours, ſ and K that re.IGNORECASE takes for ASCII letters)."""

from __future__ import annotations

import random
import re
from typing import List, Tuple

import pytest

from envcheck.explain import smi_values
from envcheck.explain.source import Pasted
from envcheck.explain.wrapped import breaks_in
from envcheck.knowledge import messages

_ODD = ["İ", "Σ", "ΑΣ", "ſ", "\u212a", "noise line 123", "", "  indented", "% margin", "%x"]


@pytest.fixture(autouse=True)
def shortcuts_for_any_size(monkeypatch):
    """The words shortcut is taken on large texts only; these small texts must take it too."""
    monkeypatch.setattr(messages, "LARGE", 0)


def _repeated(rnd: random.Random, examples: List[str]) -> Tuple[str, ...]:
    pool = [line for e in rnd.sample(examples, 4) for line in e.split("\n")] + rnd.sample(_ODD, 3)
    pool = [rnd.choice([line, line.upper(), line[: len(line) // 2]]) if rnd.random() < 0.3 else line for line in pool]
    return tuple(rnd.choice(pool) for _ in range(rnd.randint(4, 60)))


def _key(found) -> list:
    return [(m.id, m.start, m.end, m.line, m.text, m.facts) for m in found]


def test_catalogue_scan_through_the_distinct_lines_finds_what_a_plain_scan_finds():
    cat = messages.catalogue()
    rnd = random.Random(10)
    examples = [e for m in cat.messages for e in m.examples]
    repeated = 0
    for _ in range(150):
        doc = Pasted(_repeated(rnd, examples))
        repeated += doc.distinct[1] is not None
        got = doc._scan()  # with the distinct lines' needle places and the line starts
        assert _key(got) == _key(messages.scan(cat.messages, doc.text, doc.text.lower())), doc.lines
    assert repeated > 100  # the shortcut was taken, not only the plain way


def test_positions_are_every_place_a_needle_starts():
    rnd = random.Random(11)
    for _ in range(300):
        doc = Pasted(tuple(rnd.choice(["abab", "ba", "aB", "İab", "", "xab ab"]) for _ in range(rnd.randint(2, 20))))
        for needle in ("ab", "aba", "b", "x", "\nab"):
            got = doc._positions(needle)
            if got is None:
                assert doc.distinct[1] is None or "\n" in needle or len(doc.lower) != len(doc.text)
                continue
            low = doc.text.lower()
            assert got == [p for p in range(len(low)) if low.startswith(needle, p)], (doc.lines, needle)


_WRAP_BREAK = re.compile(r"[A-Za-z,(\"'][ \t]?\n(?=[a-z\"')])")  # what breaks_in finds, as one regex


def test_wrap_breaks_are_the_newlines_the_plain_pattern_finds():
    rnd = random.Random(12)
    pieces = ["a", "Z", ",", "(", '"', "'", ")", " ", "\t", "  ", "\n", "\n\n", "1", ".", "b", "-"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 16)))
        want = [m.start() + m.group(0).index("\n") for m in _WRAP_BREAK.finditer(text)]
        assert list(breaks_in(text)) == want, repr(text)


def test_messages_wrapped_over_lines_are_found_in_a_repeated_paste_as_in_one_copy():
    prose = ("I tried everything and the training script still fails with the message, RuntimeError: CUDA error: no\n"
             "kernel image is available for execution on the device, what can I do")
    one, many = Pasted(tuple(prose.split("\n"))), Pasted(tuple((prose + "\n") .split("\n") * 5))
    assert many.distinct[1] is not None
    first = [(m.id, m.start, m.end) for m in one.messages]
    assert first and [(m.id, m.start, m.end) for m in many.messages if m.line <= 2] == first


def test_unmargined_is_computed_once_per_paste_and_takes_the_margin_off():
    doc = Pasted(("% GPU 0: A100", "%Driver Version: 550.54.15", "plain % line", "%"))
    assert smi_values.unmargined(doc) == ("GPU 0: A100", "Driver Version: 550.54.15", "plain % line", "")
    assert smi_values.unmargined(doc) is smi_values.unmargined(doc)
    plain = Pasted(("GPU 0: A100",))
    assert smi_values.unmargined(plain) is plain.lines


_REPORT_LINES = [
    "Ultralytics YOLOv8.1.3 🚀 Python-3.10.11 torch-2.1.0+cu121 CUDA:0 (NVIDIA GeForce RTX 3060, 12288MiB)",
    "- PyTorch version (GPU?): 2.1.0+cu121 (True)", "- Platform: Linux-5.15.0-88-generic-x86_64-with-glibc2.35",
    "PyTorch: 1.10.0+cu113", "GPU 0,1: NVIDIA A100-SXM4-40GB", "CUDA available: True", "Python: 3.8.10 (default)",
    "GPU available  Yes", "Driver version  470.82.01", "* CUDA:", "\t- GPU:", "\t\t- NVIDIA A10G", "\t- available: True",
    "\t- version: 11.3", "* Packages:", "\t- torch: 1.12.1", "* System:", "\t- python: 3.9.13", "*  CUDA:",
    "- PyTorch version: 2.2.2 (GPU)", "- GPU type: NVIDIA GeForce RTX 4090", "- Name: cuda:0 NVIDIA L4 : cudaMallocAsync",
    ">>> torch.cuda.is_available()", "False", ">>> torch.version.cuda", ">>> ", "print(torch.cuda.is_available())",
    "True", "torch version: 2.1.0", "cuda.is_available() returns False", "Python 3.7.5 (default, Oct 25 2019)",
    "torch.cuda.is_available(): False", "GPU count: 2", "python -c 'import torch; print(torch.__version__)'", "2.0.1",
    "", "plain text about python and gpu ", "İ torch", "- something: else",
    ">>> print(torch.__version__, torch.cuda.is_available())", "2.1.0 True", "2.1.0",
]


def _every_line(doc: Pasted) -> Pasted:
    """``doc`` whose first look (lines_containing) gives every line: each is read where it stands."""
    doc.__dict__["lines_containing"] = lambda *needles, **kw: list(range(len(doc.lines)))
    return doc


def test_library_reports_read_once_per_distinct_line_find_what_reading_every_line_finds():
    from envcheck.explain.parsers import framework_env
    from envcheck.explain.partial import PROGRAM, Found

    rnd = random.Random(13)
    for _ in range(500):
        pool = rnd.sample(_REPORT_LINES, 8)
        lines = tuple(rnd.choice(pool) for _ in range(rnd.randint(2, 40)))
        plain = Found(framework_env.SOURCE, PROGRAM)
        doc = _every_line(Pasted(lines))
        for i, line in enumerate(lines):  # the loop before lines were remembered
            framework_env._line(plain, line, i)
            if line.lstrip().startswith("-"):
                framework_env._reports(plain, line, i)
        if "PyTorch built with:" in doc.text:
            framework_env._config(plain, lines)
        if "* CUDA:" in doc.text or "* System:" in doc.text:
            framework_env._lightning(plain, doc)  # every line a header candidate: the plain loop
        assert framework_env.parse(Pasted(lines)) == plain, lines


def test_python_sessions_read_once_per_distinct_line_find_what_reading_every_line_finds():
    from envcheck.explain.parsers import interactive
    from envcheck.explain.partial import PROGRAM, Found

    rnd = random.Random(14)
    many = ">>> print(torch.__version__, torch.cuda.is_available())"
    fixed = [(many, "2.1.0", many, "2.1.0 True")]  # the same call line, its value unreadable, then readable
    for lines in fixed + [tuple(rnd.choice(pool) for _ in range(rnd.randint(2, 40)))
                          for pool in (rnd.sample(_REPORT_LINES, 8) for _ in range(500))]:
        plain = Found(interactive.SOURCE, PROGRAM)
        doc = Pasted(lines)
        for i in doc.lines_containing(*interactive._MAY_SAY):
            interactive._line(plain, lines, i)
        assert interactive.parse(Pasted(lines)) == plain, lines


def test_fences_searched_from_newlines_are_the_ones_a_line_anchor_finds():
    from envcheck.explain import plain

    anchored = re.compile(r"^[ \t]*(?:```+|~~~+)(?:[ \t]*[\w+#.:{}-]*[ \t]*$)?", re.MULTILINE)  # as it was
    rnd = random.Random(15)
    pieces = ["```", "~~~", "``", "`", "\n", "\n\n", " ", "\t", "bash", "py thon", "{x}", "a", "-", "\u00e9", "~"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 14)))
        assert plain._FENCE.sub(text) == anchored.sub("", text), repr(text)


def test_lines_containing_several_words_in_a_repeating_paste_is_the_plain_answer():
    rnd = random.Random(16)
    pool = ["GPU 0: A100", "gpu", "", "python 3.10", "İ gpu", "nothing", "Python", "cuda: 12.1", "ſ"]
    for _ in range(400):
        lines = tuple(rnd.choice(pool) for _ in range(rnd.randint(2, 30)))
        doc, plain = Pasted(lines), Pasted(lines)
        plain.__dict__["distinct"] = (plain, None)  # every line searched where it stands
        words = rnd.sample(["gpu", "python", "cuda:", "i", "s", "0: a"], rnd.randint(2, 4))
        assert doc.lines_containing(*words) == plain.lines_containing(*words), (lines, words)
        assert doc.lines_containing(*words, ignorecase=True) == plain.lines_containing(*words, ignorecase=True)


def test_unmargined_takes_off_what_the_margin_pattern_takes_off():
    margin = re.compile(r"\n% ?")  # the margin as one pattern: "%" and at most one space at a line's start
    rnd = random.Random(17)
    pieces = ["%", "% ", "%%", "  ", " %", "a", "\n", "\n%", "x % y"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10)))
        doc = Pasted(tuple(text.split("\n")))
        want = tuple(margin.sub("\n", "\n" + doc.text)[1:].split("\n"))
        assert smi_values.unmargined(doc) == want, repr(text)


def test_a_coloured_log_reads_as_the_same_log_without_colour():
    from envcheck.explain.source import normalise
    log = "".join(f"step {i % 7}: loss 0.{i % 5}\nRuntimeError: CUDA error: out of memory\n" for i in range(200))
    coloured = "".join(f"\x1b[3{n % 8}m{line}\x1b[0m\n" for n, line in enumerate(log.split("\n")))
    assert normalise(coloured).lines == normalise(log + "\n").lines
