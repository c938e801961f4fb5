"""Which lines of a large lowercased text hold a needle, found in its distinct words.

Readers ask a 4 MiB paste for some nine hundred needles ("cuda", "could not", "nvidia-smi")
and the message catalogue for five hundred more; each was a ``str.find`` pass over the text
(the distinct lines of a repeating log: 510,000 characters on the benchmark's paste), ~0.3 ms a
needle, ~0.5 s in all. The text's distinct whitespace-separated words, joined, are some 40 %
of it: :class:`TokenIndex` keeps them with the lines each stands on, and a needle's lines are
found by searching those words, not the text.

Exact: a needle without whitespace lies inside one word of a line (str.split's whitespace is
str.isspace's, the same on both sides), so its lines are those of the words holding it. A
needle with whitespace ("cuda used", " run") is looked for only in the lines of one of its
parts, in the place that part must take: a part between two blanks is a whole word (a
dictionary look-up), the first part a word's end, the last a word's start; then the
needle itself is tested in each of those lines.
"""

from __future__ import annotations

import bisect
import itertools
from typing import Dict, List, Optional, Tuple

# A text (the distinct lines of a repeating one) longer than this has its needles found through a
# word index (``Pasted._index``): some 1,400 needles, each a search of the text otherwise, against
# ~0.2 µs a word to build it (~15 ms for 64k characters).
INDEXED = 1 << 16


class TokenIndex:
    """The distinct words of ``low`` (a lowercased text, lines split at "\\n") and, for each,
    the numbers of the lines holding it, ascending."""

    def __init__(self, low: str) -> None:
        self.lines = low.split("\n")
        where: Dict[str, List[int]] = {}
        for k, words in enumerate(map(str.split, self.lines)):
            for w in words:
                seen = where.get(w)
                if seen is None:
                    where[w] = [k]
                elif seen[-1] != k:
                    seen.append(k)
        self._where = where
        # The words one per line, between newlines, so that a word's start and end are "\n"
        # (a part that must start or end a word is searched with it).
        self._joined = "\n" + "\n".join(where) + "\n"
        # Searched in two shelves, the ASCII words and the others, each with where its words start
        # (after their "\n") and their lines: one emoji or CJK word made the whole text 4 (or 2)
        # bytes a character, and every needle's search a pass over 860 KB, not 210 KB, on the
        # benchmark's paste; a needle that is not ASCII is searched only among the words that are not.
        ascii_words: List[str] = []
        other_words: List[str] = []
        ascii_on: List[List[int]] = []
        other_on: List[List[int]] = []
        for w, on in where.items():
            if w.isascii():
                ascii_words.append(w)
                ascii_on.append(on)
            else:
                other_words.append(w)
                other_on.append(on)
        self._ascii = (_joined(ascii_words), _starts(ascii_words), ascii_on)
        self._other = (_joined(other_words), _starts(other_words), other_on) if other_words else None
        self._lines_of: Dict[str, Tuple[int, ...]] = {}
        self._held: Dict[str, Tuple[int, ...]] = {}

    @property
    def words(self) -> str:
        """The distinct words, one per line (``message_scan.distinct_words``'s words, in order
        of first appearance)."""
        return self._joined[1:-1]

    def lines_of(self, needle: str) -> Optional[Tuple[int, ...]]:
        """The numbers of the lines holding ``needle`` (lower case), ascending; None for a
        needle with a newline or nothing but whitespace (the caller searches the text)."""
        out = self._lines_of.get(needle)
        if out is not None:
            return out
        parts = needle.split()
        if not parts or "\n" in needle:
            return None
        if len(parts) == 1 and parts[0] == needle:
            out = self._holding(needle)
        else:
            out = tuple(k for k in self._candidates(needle, parts) if needle in self.lines[k])
        self._lines_of[needle] = out
        return out

    def columns(self, needle: str) -> Optional[List[Tuple[int, int]]]:
        """(line number, column) of every place ``needle`` starts, in order (overlapping ones
        too, as a search from each place plus one finds them); None as :meth:`lines_of`."""
        hits = self.lines_of(needle)
        if hits is None:
            return None
        out: List[Tuple[int, int]] = []
        for k in hits:
            line = self.lines[k]
            column = line.find(needle)
            while column != -1:
                out.append((k, column))
                column = line.find(needle, column + 1)
        return out

    def _holding(self, part: str, before: str = "", after: str = "") -> Tuple[int, ...]:
        """The lines of the words holding ``part``; with ``before``/``after`` "\\n", only the
        words it starts/ends."""
        key = before + part + after
        out = self._held.get(key)  # needles share parts ("cuda version", "driver version")
        if out is None:
            out = self._held[key] = self._holding_key(key, len(before))
        return out

    def _holding_key(self, key: str, before: int) -> Tuple[int, ...]:
        """:meth:`_holding` of ``key`` (the part with its newlines; ``before``: 1 with one before it)."""
        found: List[List[int]] = []
        if not key.isascii():  # only among the words that are not ASCII
            shelves = (self._other,) if self._other is not None else ()
        else:
            shelves = (self._ascii, self._other) if self._other is not None else (self._ascii,)
        for joined, starts, on in shelves:
            at = joined.find(key)
            while at != -1:
                w = bisect.bisect_right(starts, at + before) - 1
                found.append(on[w])
                at = joined.find(key, starts[w + 1] - 1 if before else starts[w + 1])
        if not found:
            return ()
        if len(found) == 1:
            return tuple(found[0])
        return tuple(sorted(set(itertools.chain.from_iterable(found))))

    def _candidates(self, needle: str, parts: List[str]) -> Tuple[int, ...]:
        """Lines that may hold ``needle`` (which has whitespace): those of its most telling part
        in the place it must take (see the module's docstring)."""
        whole = parts[1:-1]
        first_whole = needle[:1].isspace()
        last_whole = needle[-1:].isspace()
        if len(parts) == 1:  # " run", "link ", " gpu ": one part and blanks around it
            if first_whole and last_whole:
                return tuple(self._where.get(parts[0], ()))
            return self._holding(parts[0], "\n" if first_whole else "", "\n" if last_whole else "")
        if first_whole:
            whole.append(parts[0])
        if last_whole:
            whole.append(parts[-1])
        if whole:
            return tuple(self._where.get(max(whole, key=len), ()))
        first, last = parts[0], parts[-1]
        if len(first) >= len(last):
            return self._holding(first, "", "\n")
        return self._holding(last, "\n", "")


def _joined(words: List[str]) -> str:
    """``words`` one per line, with a newline before the first and after the last."""
    return "\n" + "\n".join(words) + "\n"


def _starts(words: List[str]) -> List[int]:
    """Where each word starts in :func:`_joined` of ``words`` (after its newline), and where
    one after the last would."""
    return list(itertools.accumulate(map((1).__add__, map(len, words)), initial=1))
