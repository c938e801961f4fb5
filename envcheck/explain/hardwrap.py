"""A terminal's hard wrap undone: a Windows console (conhost), tmux/screen copy mode, a serial
console or a CI log viewer cuts every line longer than its width W at exactly W characters,
mid-word, and copying gives the pieces as lines. ``source.normalise`` calls :func:`unwrap` on the
lines before anything else reads them, so that "CUDA driver version is insufficient for CUDA
runtime version" cut as "…insufficient for CU" / "DA runtime version" is one line again.

Where: the whole paste, or each block between Markdown fences (an issue's prose is one long line
per paragraph, its fenced terminal output cut at 120).

When (per block, W its longest line):

- strong: at least three different lines of exactly W that end inside a run of text, W the
  common length rather than the tail of a smooth spread (more lines at W than in the twenty
  columns below it), one cut inside a word; any W from :data:`MIN_WIDTH`;
- weak: W a width terminals open at (:data:`WIDTHS`: 80 is the classic console, 120 conhost's
  default since Windows 10), which one long message ("RuntimeError: The NVIDIA driver on your
  system is too old …") cut once or twice gives; each run is joined only where one of its cuts
  is a terminal's and not a person's editor filling prose at 80 (:class:`_Evidence`).

What is not a cut: a line of W ending on a border (nvidia-smi's rows are all one width and end
in "|" or "+"), and lines of W that look like their neighbours — rows of a table or a
``pip list`` padded to one width, a log's fixed-format lines — rather than pieces of one line:
a run of W lines whose starts match (the same first four characters) or whose columns line up
(a space before the same columns of text in every line of a run of three or more).

Linear: each line's length is taken once (in C), and only the lines of exactly W are looked at.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import FrozenSet, List, Sequence, Tuple

from envcheck.knowledge import messages

_BORDER = frozenset("|+-=│┃┐┤┘╗╣╝*#")
MIN_WIDTH = 60
MAX_WIDTH = 400
# Widths a terminal window opens at, where one cut is evidence enough.
WIDTHS = frozenset((80, 100, 120, 132))
# An issue's body holds a few fenced blocks; a paste with more is a concatenation (a 4 MiB one of
# every corpus case holds thousands), looked at whole rather than block by block.
MAX_FENCES = 100
# Words looked for in a block (each a search of it) where one cut is all the evidence.
MAX_WEAK = 8


def _fence_starts(text: str) -> List[int]:
    """Where each fence line ("```", "~~~" after blanks at most) starts in ``text``, in order."""
    starts = set()
    for marker in ("```", "~~~"):
        pos = text.find(marker)
        while pos != -1:
            begin = text.rfind("\n", 0, pos) + 1
            if not text[begin:pos].strip(" "):
                starts.add(begin)
            pos = text.find(marker, pos + 3)
    return sorted(starts)


def _blocks(lines: Sequence[str], text: str) -> List[Tuple[int, int]]:
    """[a, b) line ranges between Markdown fence lines (each fence line first in its block); the whole
    paste when it holds no fence (the usual case) or more than MAX_FENCES. The fences are found
    by substring search and their line numbers counted between them, in C: a 4 MiB paste has 100k
    lines."""
    fences = text.count("```") + text.count("~~~")
    if not fences or fences > MAX_FENCES:
        return [(0, len(lines))]
    out: List[Tuple[int, int]] = []
    start = 0
    line, pos = 0, 0  # the line number of offset pos
    for at in _fence_starts(text):
        line += text.count("\n", pos, at)
        pos = at
        out.append((start, line))
        start = line  # with the block it opens: "```NVIDIA GeForce RTX 5090 with …" is cut too
    out.append((start, len(lines)))
    return [(a, b) for a, b in out if b - a >= 2]


def _mid_word(a: str, b: str) -> bool:
    return a[-1:].isalnum() and b[:1].isalnum()


_WORD = re.compile(r"[A-Za-z0-9]+")
_WORD_END = re.compile(r"[A-Za-z0-9]+$")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> FrozenSet[str]:
    """The words of the catalogued upstream messages' examples, lowercased: what a cut splits."""
    return frozenset(w.lower() for m in messages.catalogue().messages for e in m.examples for w in _WORD.findall(e))


def _at_space(a: str, b: str) -> bool:
    """Whether a cut fell on the one space between two words: the piece ends on it, or the next
    starts with it. An editor's fill drops that space, and a line's indent is more than one."""
    if a[-1:] == " ":
        return a[-2:-1] not in (" ", "") and b[:1] not in (" ", "")
    return b[:1] == " " and b[1:2] not in (" ", "") and a[-1:] not in (" ", "")


# Characters a piece of one token ends or starts with, where a fill's line (broken at a space,
# between whole words) does not: "… Error loading (" / "C:\\Users…", "… version 24.0" / ".7, build".
_OPENS = frozenset("([{=/\\_")
_CLOSES = frozenset(".,;:)]}=/\\_")


def _inside_a_token(a: str, b: str) -> bool:
    """Whether a cut fell inside a run of non-blank characters where a fill cannot break: after
    an opening bracket, a slash or an underscore, before a closing one or a full stop, inside a
    C++ symbol's mangled name, or one letter cut off a word ("… More importantl" / "y cunn …";
    not "a" or "I")."""
    if a[-1:] in (" ", "") or b[:1] in (" ", ""):
        return False
    if a[-1] in _OPENS or b[0] in _CLOSES:
        return True
    if a[a.rfind(" ") + 1:].startswith("_Z") and (b[0].isalnum() or b[0] == "_"):
        return True  # inside a C++ symbol ("undefined symbol: _ZN3c" / "106Device8validateEv")
    lone = b[:1].isalpha() and (len(b) == 1 or not b[1].isalnum()) and b[0] not in "aAI"
    return lone or (a[-1].isalpha() and (len(a) == 1 or not a[-2].isalnum()) and a[-1] not in "aAI")


def _split_word(a: str, b: str) -> str:
    """The letters and digits either side of a cut inside a word, together, lowercased ("" when
    the cut is not inside a word of ASCII letters and digits)."""
    if not _mid_word(a, b):
        return ""
    left = _WORD_END.search(a)
    right = _WORD.match(b)
    if left is None or right is None:  # a letter outside ASCII at the cut
        return ""
    return (left.group() + right.group()).lower()


class _Evidence:
    """Whether a cut between ``a`` and ``b`` is a terminal's rather than a person's line break:
    it fell on the one space between two words (:func:`_at_space`), inside a run of characters
    a fill does not break (:func:`_inside_a_token`), or inside a word, the two parts together
    being a word of an upstream message or one the block writes elsewhere. An editor that fills
    prose at a width breaks between words ("… compiled with different" / "CUDA versions"), whose
    joining ("differentcuda") is no word. At most MAX_WEAK searches of the block."""

    def __init__(self, lines: Sequence[str], a: int, b: int) -> None:
        self._span = (lines, a, b)
        self._lower = ""
        self._left = MAX_WEAK

    def cut(self, a: str, b: str) -> bool:
        if _at_space(a, b) or _inside_a_token(a, b):
            return True
        word = _split_word(a, b)
        if len(word) < 4:
            return False
        if word in _vocabulary():
            return True
        if self._left <= 0:
            return False
        self._left -= 1
        if not self._lower:
            lines, start, end = self._span
            self._lower = "\n".join(lines[start:end]).lower()
        return word in self._lower


def _aligned(rows: Sequence[str]) -> bool:
    """Whether ``rows`` (three or more, one width) share columns where text starts after a space:
    one for four rows or more, two for three (three lines of prose share one such column about
    a third of the time, two one time in twenty)."""
    common = None
    for row in rows:
        starts = {c for c in range(1, len(row)) if row[c - 1] == " " and row[c] != " "}
        common = starts if common is None else common & starts
        if not common:
            return False
    return len(common) >= (1 if len(rows) >= 4 else 2)


def _runs(lines: Sequence[str], lengths: List[int], a: int, b: int, width: int) -> List[Tuple[int, int]]:
    """[i, j) runs of consecutive lines of exactly ``width`` in [a, b) that are cuts: each line
    ending in text (no border) and the run not a table's or a log's rows (module docstring)."""
    out: List[Tuple[int, int]] = []
    i = a
    while True:
        try:
            i = lengths.index(width, i, b)
        except ValueError:
            return out
        j = i
        while j < b and lengths[j] == width and lines[j][-1] not in _BORDER:
            j += 1
        if j == i:  # a border line of this width
            i += 1
            continue
        rows = lines[i:j]
        after = lines[j] if j < b else ""
        head = rows[0][:4]
        alike = (after[:4] == head and len(head) == 4) or (len(rows) >= 2 and all(r[:4] == head for r in rows[1:]))
        if not alike and not (len(rows) >= 3 and _aligned(rows)) and after:
            out.append((i, j))
        i = j


def width_of(lines: Sequence[str], lengths: List[int], a: int, b: int) -> List[Tuple[int, int]]:
    """The runs of lines in [a, b) a terminal cut (:func:`_runs`), or [] when the block was not cut."""
    if b - a < 2:
        return []
    width = max(lengths[a:b])
    if width < MIN_WIDTH or width > MAX_WIDTH:
        return []
    runs = _runs(lines, lengths, a, b, width)
    if not runs:
        return []
    pieces = {lines[k] for i, j in runs for k in range(i, j)}
    if len(pieces) >= 3 and any(_mid_word(lines[k], lines[k + 1]) for i, j in runs for k in range(i, j)):
        counts = Counter(lengths[a:b])
        if counts[width] > sum(counts[n] for n in range(width - 20, width)):
            return runs
    if width not in WIDTHS:
        return []
    # Weak evidence: each run joined only where one of its cuts is a terminal's (:class:`_Evidence`).
    evidence = _Evidence(lines, a, b)
    return [(i, j) for i, j in runs if any(evidence.cut(lines[k], lines[k + 1]) for k in range(i, j))]


def unwrap(lines: List[str], text: str) -> List[str]:
    """``lines`` (``text`` split at its newlines) with each run of pieces a terminal cut joined to
    the piece after it, as the program printed the line; ``lines`` itself when nothing was cut."""
    if len(lines) < 2:
        return lines
    lengths = list(map(len, lines))
    joins: List[Tuple[int, int]] = []
    for a, b in _blocks(lines, text):
        joins.extend(width_of(lines, lengths, a, b))
    if not joins:
        return lines
    out: List[str] = []
    last = 0
    for i, j in joins:  # in order: blocks are, and runs within one
        out.extend(lines[last:i])
        out.append("".join(lines[i:j + 1]))  # the run and its tail
        last = j + 1
    out.extend(lines[last:])
    return out
