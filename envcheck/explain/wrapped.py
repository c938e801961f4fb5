"""Upstream messages a person quoted in prose their editor wrapped at a fixed width: "CUDA
init fails with error 802 ("system not yet" / "initialized")" split over two (or more) lines, which the
catalogue's patterns (a line's words in a row) miss. Kept apart from ``pasted.py``, which calls
:func:`across_breaks` for ``Pasted.messages``.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Callable, Iterator, List, Protocol, Tuple

from envcheck.knowledge.messages import Match
from envcheck.lazyre import lazy


class Paste(Protocol):
    """What :func:`across_breaks` reads of a ``source.Pasted`` (which imports this module)."""

    lines: Tuple[str, ...]

    @property
    def text(self) -> str: ...

    def line_of(self, pos: int) -> int: ...

# A line of prose cut mid-sentence (a letter, comma or opening bracket/quote at its end) and
# the line that continues it (a lower-case word or a closing quote/bracket first).
# Found as "a newline before a continuation" and the characters before it checked in Python:
# the regex r"[A-Za-z,(\"'][ \t]?\n(?=[a-z\"')])", which starts on a class, is tried at every
# position of the text (eight times slower on 4 MiB).
_NEWLINE = lazy(r"\n(?=[a-z\"')])")
_CUT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,(\"'")
WINDOW = 300  # characters each side of a break: a wrapped message's two parts
MAX_BREAKS = 2000
# A message quoted in wrapped prose spans at most this many breaks: torch's DataLoader message
# ("… killed by signal: Bus / error. It is possible … out of shared / memory. Please …") runs
# over three lines at 70 columns. Every newline inside a match must be such a break.
MAX_CROSSED = 3


def breaks_in(text: str) -> Iterator[int]:
    """Where a prose line cut mid-sentence ends (its newline), in order: a letter, comma or
    opening bracket/quote, then at most one blank, before the newline; a lower-case word or a
    closing quote/bracket after it."""
    for m in _NEWLINE.finditer(text):
        at = m.start()
        before = text[at - 1] if at else ""
        if before in _CUT or (before in (" ", "\t") and at >= 2 and text[at - 2] in _CUT):
            yield at


# A line an editor, a mail client or textwrap filled to a fixed width (72, 78, 80 columns; a
# terminal's 80 or 100) ends near that width, on a word, a number or a bracket: a message may go
# on in the next line with what the lower-case rule above does not take, a capital, a digit
# ("… (found version" / "11000). Please update …", "UserWarning:" / "CUDA initialization: …"),
# or after a closing bracket ("… worker (pid 47)" / "is killed by signal: Bus error").
FILLED = (60, 100)
_FILLED_END = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789,:()")
# At most this many: a report's wrapped description holds a few; a log of lines that long would
# otherwise make every newline a break (and the windows a second scan of the whole text).
MAX_FILLED = 200


def filled_breaks(doc: Paste) -> List[int]:
    """The newlines after lines filled to a width (:data:`FILLED`, not indented, no table bar,
    ending on a word, a number, a comma, a colon or a bracket) before a line that does not start
    with a blank; in order, at most MAX_FILLED."""
    out: List[int] = []
    lines = doc.lines
    low, high = FILLED
    end = -1  # the offset of the current line's newline
    for i, line in enumerate(lines):
        end += len(line) + 1
        if low <= len(line) <= high and i + 1 < len(lines):
            nxt = lines[i + 1][:1]
            if (nxt and not nxt.isspace() and line[-1] in _FILLED_END
                    and not line[:1].isspace() and "|" not in line):
                out.append(end)
                if len(out) >= MAX_FILLED:
                    break
    return out


def across_breaks(doc: Paste, scan: Callable[[str], List[Match]]) -> List[Match]:
    """Messages quoted in prose that was wrapped at a fixed width ("CUDA init fails with error
    802 ("system not yet" / "initialized")"): each break between a prose line cut
    mid-sentence and its continuation is joined by a space, within a window around it,
    and only matches that cross one to MAX_CROSSED breaks, and no other newline, are kept
    (the others the plain scan found). At most MAX_BREAKS breaks: wrapped prose is a report's description, not a log.

    The windows (overlapping ones merged) are scanned as one text, a newline between
    them, rather than the whole catalogue once per break: a log holding a thousand such
    breaks cost a thousand scans.

    ``scan``: the catalogue's scan of a text (pasted.py's, which reuses a repeating text's
    distinct lines)."""
    text = doc.text
    breaks: List[int] = []
    for n, at in enumerate(breaks_in(text)):
        if n >= MAX_BREAKS:
            break
        line = doc.lines[doc.line_of(at)]
        if len(line) < 30 or line[:1].isspace() or "|" in line:
            continue  # short lines, indented code, tables: not wrapped prose
        breaks.append(at)
    filled = filled_breaks(doc)
    if filled:
        breaks = sorted(set(breaks).union(filled))
    if not breaks:
        return []
    spans: List[List[int]] = []  # the windows [a, b) around the breaks, merged
    for at in breaks:
        a, b = max(0, at - WINDOW), min(len(text), at + WINDOW)
        if spans and a <= spans[-1][1]:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    pieces: List[str] = []
    placed: List[int] = []  # where each window starts in the joined text
    joined = 0  # the joined text's length so far
    i = 0
    for a, b in spans:
        cut = [a]
        while i < len(breaks) and breaks[i] < b:
            cut.append(breaks[i])
            i += 1
        # each break, and only a break, becomes a space: lengths and offsets stay
        piece = " ".join(text[x + (n > 0):y] for n, (x, y) in enumerate(zip(cut, cut[1:] + [b])))
        placed.append(joined)
        joined += len(piece) + 1
        pieces.append(piece)
    out: List[Match] = []
    for w in scan("\n".join(pieces)):
        k = bisect.bisect_right(placed, w.start) - 1
        if w.end > placed[k] + len(pieces[k]):
            continue  # runs into the next window
        start, end = spans[k][0] + w.start - placed[k], spans[k][0] + w.end - placed[k]
        j = bisect.bisect_right(breaks, start)
        crossed = bisect.bisect_left(breaks, end) - j  # the breaks inside the match
        if 1 <= crossed <= MAX_CROSSED and text.count("\n", start, end) == crossed:
            out.append(dataclasses.replace(w, start=start, end=end, line=doc.line_of(start) + 1,
                                           text=text[start:end]))
    return out
