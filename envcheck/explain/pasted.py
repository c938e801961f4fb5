"""The normalised paste (:class:`Pasted`) and the searches every reader makes of it: the lines
holding a needle, a line-local pattern's lines, the catalogued upstream messages in it, each
made once per paste and, in a log repeating its lines, on its distinct lines.

``source.py`` makes a Pasted of what a user gave (reading, decoding, normalising); the readers
(``parsers/``) read it through this module. Kept apart: they change for different reasons (a
new wrapping of pasted text; a faster search).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import operator
import re
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple, TypeVar

from envcheck.explain.wrapped import across_breaks
from envcheck.knowledge import messages
from envcheck.knowledge.line_scan import after_newline as _after_newline
from envcheck.knowledge.line_scan import on_copies as _on_copies
from envcheck.knowledge.line_scan import pattern_line_local as _line_local
from envcheck.knowledge.line_scan import scan_lines, sorted_matches
from envcheck.knowledge.token_index import INDEXED, TokenIndex
from envcheck.lazyre import lazy

T = TypeVar("T")
_FIRST = operator.itemgetter(0)

# Letters re.IGNORECASE takes for ASCII ones that str.lower() does not make ASCII: İ and ı
# match "i", ſ matches "s" (the Kelvin sign, which matches "k", lowers to "k").
_FOLDS = ("\u0130", "\u0131", "\u017f")


# Where a subprocess's captured output ends (Pasted.enclosed): pip's "[end of output]", or a
# shell prompt, the next command.
_OUTPUT_END = lazy(r"^\s*(?:\[end of output\]|[$#>]\s|PS [A-Z]:\\|>>>\s|\(\S+\)\s*\S*[$#]\s)")


@dataclasses.dataclass(frozen=True)
class Pasted:
    """The normalised text; parsers work on ``lines`` and report 0-based line numbers."""

    lines: Tuple[str, ...]

    # Cached (a frozen dataclass still has a __dict__): several parsers read the whole text
    # and the upstream messages in it, and a paste may be 4 MiB.
    @functools.cached_property
    def text(self) -> str:
        return "\n".join(self.lines)

    @functools.cached_property
    def offsets(self) -> Tuple[int, ...]:
        """Where each line starts in :attr:`text`: the lengths of the lines before it, plus their newlines."""
        # Each line's length and its newline summed, all in C (a generator over 100k lines is 15 ms).
        return tuple(itertools.accumulate(map((1).__add__, map(len, self.lines)), initial=0))[:len(self.lines)]

    @functools.cached_property
    def lower(self) -> str:
        distinct, copies = self.distinct
        if copies is None:
            return self.text.lower()
        # A log repeating its lines: its distinct lines lowered once and joined in its order. The
        # same text: lower() reads no context across a newline (Σ's looks at cased letters and
        # case-ignorable marks, which a newline is not).
        lowered = dict(zip(distinct.lines, distinct.lower.split("\n")))
        return "\n".join(map(lowered.__getitem__, self.lines))

    @functools.cached_property
    def distinct(self) -> Tuple["Pasted", Optional[Tuple[Tuple[int, ...], ...]]]:
        """The distinct lines, in order of first appearance, as a text of their own, and for each
        the numbers of the lines it stands on; (this text, None) when few lines repeat."""
        if len(set(self.lines)) * 2 > len(self.lines):
            return self, None
        where: Dict[str, List[int]] = {}
        for i, line in enumerate(self.lines):
            copies = where.get(line)  # not setdefault: that makes a list for every line, kept or not
            if copies is None:
                where[line] = [i]
            else:
                copies.append(i)
        return Pasted(tuple(where)), tuple(tuple(v) for v in where.values())

    @functools.cached_property
    def words(self) -> str:
        """The distinct words of :attr:`lower` (``messages.distinct_words``; those of the
        distinct lines are the same words), from the word index where the text has one."""
        distinct = self.distinct[0]
        index = distinct._index
        if index is not None:
            return index.words
        return messages.distinct_words(distinct.lower if distinct is not self else self.lower)

    @functools.cached_property
    def _index(self) -> Optional[TokenIndex]:
        """The lines of each of the text's words (``knowledge/token_index.py``), for a text over
        :data:`INDEXED` characters (the distinct lines of a repeating one) whose lowercasing kept
        every line's length; None otherwise (its needles are searched in the text)."""
        if self.distinct[1] is not None or len(self.lower) <= INDEXED or len(self.lower) != len(self.text):
            return None
        return TokenIndex(self.lower)

    @functools.cached_property
    def _folds(self) -> bool:
        return not self.text.isascii() and any(ch in self.text for ch in _FOLDS)

    @functools.cached_property
    def _needle_lines(self) -> Dict[str, Tuple[int, ...]]:
        return {}

    def _lines_of(self, needle: str) -> Tuple[int, ...]:
        """The lines holding ``needle`` (which has no newline), once per paste: parsers look for
        the same words. A search of 4 MiB costs milliseconds even when it finds nothing, and
        parsers ask for some two hundred needles: on a large text, one with a word the text
        lacks (checked against its distinct words) is not searched for."""
        hits = self._needle_lines.get(needle)
        if hits is not None:
            return hits
        distinct, copies = self.distinct
        if copies is not None:  # a log repeating its lines: the distinct ones are searched
            hits = tuple(sorted(itertools.chain.from_iterable(map(copies.__getitem__, distinct._lines_of(needle)))))
            self._needle_lines[needle] = hits
            return hits
        low, offsets = self.lower, self.offsets
        indexed = self._index.lines_of(needle) if self._index is not None else None
        if indexed is not None:
            hits = indexed
        elif len(low) != len(self.text):  # lower() lengthened a letter: offsets no longer match
            hits = tuple(i for i, line in enumerate(self.lines) if needle in line.lower())
        elif len(low) > messages.LARGE and messages.absent(self.words, needle):
            hits = ()
        else:
            out = []
            last = len(offsets) - 1
            pos = low.find(needle)
            while pos != -1:
                i = bisect.bisect_right(offsets, pos) - 1
                out.append(i)
                pos = low.find(needle, offsets[i + 1]) if i < last else -1
            hits = tuple(out)
        self._needle_lines[needle] = hits
        return hits

    def _positions(self, needle: str) -> Optional[List[int]]:
        """Where ``needle`` (lower case, no newline) starts in :attr:`lower`, ascending, for a
        paste that repeats its lines: found in the distinct lines and placed on each copy (the
        catalogue's scan looks for some three hundred needles, each a pass over 4 MiB
        otherwise); None for other pastes, or where lowercasing changed a line's length."""
        distinct, copies = self.distinct
        if copies is None:
            return self._own_positions(needle)
        if "\n" in needle or len(self.lower) != len(self.text):
            return None
        low, starts, offsets = distinct.lower, distinct.offsets, self.offsets
        out: List[int] = []
        places = distinct._index.columns(needle) if distinct._index is not None else None
        for k, column in places or ():  # the distinct lines holding it, from the word index
            out.extend(map(column.__add__, map(offsets.__getitem__, copies[k])))
        if places is not None:
            out.sort()
            return out
        if len(self.lower) > messages.LARGE and messages.absent(self.words, needle):
            return out
        pos = low.find(needle)
        while pos != -1:
            k = bisect.bisect_right(starts, pos) - 1
            column = pos - starts[k]
            out.extend(map(column.__add__, map(offsets.__getitem__, copies[k])))  # in C: a needle may be on 10k lines
            pos = low.find(needle, pos + 1)
        out.sort()
        return out

    def _own_positions(self, needle: str) -> Optional[List[int]]:
        """Where ``needle`` (lower case) starts in :attr:`lower`, ascending, found in the lines the
        word index gives (:attr:`_index`); None without an index or for a needle it does not take."""
        places = self._index.columns(needle) if self._index is not None else None
        return None if places is None else [self.offsets[k] + column for k, column in places]

    @functools.cached_property
    def _once(self) -> Dict[str, object]:
        return {}

    def once(self, key: str, compute: Callable[["Pasted"], T]) -> T:
        """``compute(self)``, computed once per paste under ``key``: a helper that several parsers
        call on the whole paste (a pass over 4 MiB each time) gives them all the one result."""
        if key not in self._once:
            self._once[key] = compute(self)
        return self._once[key]  # type: ignore[return-value]

    @functools.cached_property
    def _searched(self) -> Dict[int, Dict[str, Optional["re.Match[str]"]]]:
        return {}

    def search(self, pattern: "re.Pattern[str]", line: str) -> Optional["re.Match[str]"]:
        """``pattern.search(line)``, remembered for this paste: a log repeats its lines, and what a
        line-local pattern finds on a line does not depend on where the line stands. Patterns
        are told apart by identity (hashing one is slow); they are module constants."""
        seen = self._searched.get(id(pattern))
        if seen is None:
            seen = self._searched[id(pattern)] = {}
        try:
            return seen[line]
        except KeyError:  # a line met the first time (the rarer case in a long paste)
            found = seen[line] = pattern.search(line)
            return found

    @functools.cached_property
    def _read(self) -> Dict[Callable[[str], object], Dict[str, object]]:
        return {}

    def read(self, test: Callable[[str], T], line: str) -> T:
        """``test(line)``, remembered for this paste (:meth:`search` for any reading of one line
        alone): a reader visiting each copy of a repeated line gets the first copy's result.
        ``test`` is a module-level function (told apart by identity), reading nothing but ``line``."""
        seen = self._read.get(test)
        if seen is None:
            seen = self._read[test] = {}
        try:
            return seen[line]  # type: ignore[return-value]
        except KeyError:
            found = seen[line] = test(line)
            return found

    def line_of(self, pos: int) -> int:
        """The number of the line holding offset ``pos`` of :attr:`text`."""
        return bisect.bisect_right(self.offsets, pos) - 1

    def lines_containing(self, *needles: str, ignorecase: bool = False) -> List[int]:
        """The numbers of the lines holding any of ``needles`` (lower case: the text is
        compared lowercased), in order — a parser's cheap first look at up to 4 MiB: a
        substring search per needle, where a pattern of alternatives would try every one at
        every position.

        ``ignorecase``: the caller runs ``re.IGNORECASE`` patterns that contain one of the
        needles; those also take İ, ı and ſ for ASCII letters, so a text holding one of them
        gives every line (the patterns then decide, exactly as without this first look)."""
        if ignorecase and self._folds:
            return list(range(len(self.lines)))
        if len(needles) == 1:
            return list(self._lines_of(needles[0]))
        distinct, copies = self.distinct
        if copies is not None:  # the distinct lines' hits joined first, then placed on their copies once
            found = set()
            for needle in needles:
                found.update(distinct._lines_of(needle))
            return sorted(itertools.chain.from_iterable(copies[k] for k in found))
        hits = set()
        for needle in needles:
            hits.update(self._lines_of(needle))
        return sorted(hits)

    def where(self, test: Callable[[str], Optional[T]], *needles: str, ignorecase: bool = False) -> List[Tuple[int, T]]:
        """(line number, ``test(line)``) for the lines holding any of ``needles``
        (:meth:`lines_containing`; every line without needles) on which ``test`` gives something
        (not None, not false), in order. ``test`` must read the line alone (a pattern's search, a check of its words): it
        is called once per distinct line, and only the lines it keeps are visited copy by copy
        (a 4 MiB log's needles stand on tens of thousands of lines, of a few hundred texts)."""
        distinct, copies = self.distinct
        if copies is None:
            lines = self.lines
            return [(i, r) for i, r in ((i, test(lines[i])) for i in self._candidates(needles, ignorecase)) if r]
        dl = distinct.lines
        kept = [(k, r) for k, r in ((k, test(dl[k])) for k in distinct._candidates(needles, ignorecase)) if r]
        out = [(i, r) for k, r in kept for i in copies[k]]
        out.sort(key=_FIRST)
        return out

    def first(self, test: Callable[[str], Optional[T]], *needles: str, ignorecase: bool = False) -> Optional[Tuple[int, T]]:
        """The first of :meth:`where`'s pairs, or None: lines are read in order up to it (``test``
        once per distinct line), where a claim made once need not read the rest of a long paste."""
        seen: Dict[str, Optional[T]] = {}
        lines, repeats = self.lines, self.distinct[1] is not None
        for i in self._candidates(needles, ignorecase):
            line = lines[i]
            r = (seen[line] if line in seen else seen.setdefault(line, test(line))) if repeats else test(line)
            if r:
                return i, r  # type: ignore[return-value]
        return None

    def _candidates(self, needles: Tuple[str, ...], ignorecase: bool) -> Sequence[int]:
        return self.lines_containing(*needles, ignorecase=ignorecase) if needles else range(len(self.lines))

    def lines_with(self, pattern: "re.Pattern[str]", lower: bool = False) -> List[int]:
        """The numbers of the lines ``pattern`` finds something on, in order: one scan of the
        whole text instead of a search per line. For patterns that start on a single literal,
        a character class or a line anchor; a list of alternative words is
        :meth:`lines_containing`'s job. ``lower``: search the lowercased text (with a
        lower-case pattern; ``re.IGNORECASE`` makes a scan several times slower)."""
        distinct, copies = self.distinct
        if copies is not None and _line_local(pattern):
            return _on_copies(distinct.lines_with(pattern, lower), copies)
        text, offsets = (self.lower if lower and len(self.lower) == len(self.text) else self.text), self.offsets
        out: List[int] = []
        pos = 0
        while True:
            m = pattern.search(text, pos)
            if m is None:
                return out
            i = bisect.bisect_right(offsets, m.start()) - 1
            out.append(i)
            if i + 1 >= len(offsets):
                return out
            pos = offsets[i + 1]

    def lines_starting(self, pattern: "re.Pattern[str]", lower: bool = False) -> List[int]:
        """:meth:`lines_with` for a pattern anchored at a line's start, written without its
        ``^``: the lines at whose start ``pattern`` matches. The scan looks for "a newline, then
        the pattern", which the regex engine finds by that one character, where an anchor is
        tried at every position of the text (several times slower on 4 MiB)."""
        distinct, copies = self.distinct
        if copies is not None and _line_local(pattern):
            return _on_copies(distinct.lines_starting(pattern, lower), copies)
        text, offsets = (self.lower if lower and len(self.lower) == len(self.text) else self.text), self.offsets
        out: List[int] = [0] if pattern.match(text) else []
        after = _after_newline(pattern)
        last = len(offsets) - 1
        pos = offsets[1] - 1 if last else -1
        while pos >= 0:
            m = after.search(text, pos)
            if m is None:
                break
            i = bisect.bisect_right(offsets, m.start() + 1) - 1
            out.append(i)
            pos = offsets[i + 1] - 1 if i < last else -1
        return out

    @functools.cached_property
    def messages(self) -> Tuple[messages.Match, ...]:
        """The catalogued upstream messages in the text (``Match.line`` is 1-based), also those
        a person's editor wrapped over two lines of prose (:meth:`_wrapped`)."""
        found = self._scan()
        plain = {(m.id, m.start) for m in found}
        wrapped = [m for m in self._wrapped() if (m.id, m.start) not in plain]  # not the same one longer
        return tuple(sorted(found + wrapped, key=lambda m: (m.start, m.id)) if wrapped else found)

    def _scan(self) -> List[messages.Match]:
        """The catalogue's scan of this text, with what the paste knows already (its lowercased
        text, words, where its lines start, and the distinct lines' needle places); in a paste
        repeating its lines, the messages that fit in a line on its distinct lines (``line_scan``)."""
        distinct, copies = self.distinct
        if (copies is None or len(self.text) < messages.LARGE or len(distinct.lower) != len(distinct.text)
                or "\x1b" in distinct.text):  # (a short text: two scans would cost more than they save)
            return messages.match(self.text, self.lower, self.words, self._positions, self.offsets)
        local, spanning = messages.catalogue().by_line
        return sorted_matches(messages.scan(spanning, self.text, self.lower, self.words, self._positions, self.offsets),
                              scan_lines(local, distinct.text, distinct.lower, self.words, distinct.offsets, copies,
                                         self.offsets, distinct._own_positions))

    @functools.cached_property
    def enclosed(self) -> FrozenSet[int]:
        """Lines (0-based) inside another process's captured output, after a catalogued message
        that encloses it (``encloses_output`` in messages.toml): pip's failed build prints its
        isolated build environment's traceback there, whose "No module named 'torch'" is not this
        machine's. The output ends at pip's "[end of output]", or at a shell prompt (the next
        command) where the paste was cut before it."""
        cat = messages.catalogue()
        out = set()
        for m in self.messages:
            if not cat.get(m.id).encloses_output:
                continue
            for i in range(m.line, min(len(self.lines), m.line + 400)):
                if _OUTPUT_END.match(self.lines[i]):
                    break
                out.add(i)
        return frozenset(out)

    def _wrapped(self) -> List[messages.Match]:
        """Messages quoted in prose a person's editor wrapped over two lines (``wrapped.py``); the
        windows around the breaks are scanned as a paste of their own (they repeat where the log does)."""
        return across_breaks(self, lambda text: Pasted(tuple(text.split("\n")))._scan())
