"""Finding the catalogued messages in a text, in time linear in its length.

A :class:`ScannedMessage` (``messages.Message``) has a pattern that starts on a literal (or a
look-behind), has no unbounded repeat inside another repeat, and bounded gaps (the
catalogue's tests refuse others). From the parsed pattern this module reads the literals a
match cannot do without, the longest a match can be and how far into a match a needle
starts (:func:`shape_of`, in ``pattern_shape.py``); :func:`scan` then runs each
pattern only around the places its needles occur, so a message whose words are absent costs
one substring search. Figures: docs/messages.md. The catalogue itself (records, loading,
fact conversions) is ``messages.py``.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, Optional, Protocol, Sequence, Tuple

from envcheck.knowledge.pattern_shape import (  # noqa: F401 (the analysis's names, for this module's callers)
    REACH,
    _behind,
    parse_checked,
    parse_shaped,
    shape_of,
)

_ANSI = re.compile(r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]")


@dataclass(frozen=True)
class Fact:
    name: str  # a key of FACTS
    value: object
    group: str  # the pattern group it came from


@dataclass(frozen=True)
class Match:
    id: str  # Message.id
    kind: str
    start: int  # offsets in the text after colour codes are removed (line numbers are unchanged)
    end: int
    line: int  # 1-based line of ``start``
    text: str
    facts: Tuple[Fact, ...]

    def fact(self, name: str) -> object:
        """The value of a fact (None when the message did not carry it)."""
        return next((f.value for f in self.facts if f.name == name), None)



class ScannedMessage(Protocol):
    """What :func:`scan` reads of a message (``messages.Message``)."""

    id: str
    kind: str
    pattern: "re.Pattern[str]"
    facts: Tuple[Tuple[str, str], ...]
    needles: Optional[FrozenSet[str]]
    reach: int
    lead: Optional[int]
    behind: Optional[int]

    def read_facts(self, m: "re.Match[str]") -> Tuple[Fact, ...]: ...


# ------------------------------------------------------------------ matching
def strip_colour(text: str) -> str:
    """``text`` without ANSI colour and cursor codes (terminals paste them)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def distinct_words(low: str) -> str:
    """The text's distinct whitespace-separated words, one per line: a needle is in the text
    only if each of its words is in this, which is searched in a fraction of the time."""
    return "\n".join(set(low.split()))


def absent(words: str, needle: str) -> bool:
    """True when ``needle`` cannot be in the text ``words`` (:func:`distinct_words`) came from.
    A needle's word that is one of the words is there without a substring search (most are:
    "cuda", "driver"; the search of 160 KiB of words for each cost 0.07 s of a 4 MiB paste)."""
    known = _word_set(words)
    return any(w not in known and w not in words for w in needle.split())


@functools.lru_cache(maxsize=4)
def _word_set(words: str) -> FrozenSet[str]:
    """The words of :func:`distinct_words`'s text (a str keeps its hash: a lookup here is cheap)."""
    return frozenset(words.split("\n"))


# Where a needle (lowercased, no newline) starts in the lowercased text, ascending, found
# by the caller's own means (a paste that repeats its lines searches only the distinct ones);
# None: not known that way, searched plainly.
Positions = Callable[[str], Optional[List[int]]]


class _Text:
    """One text being scanned, with what the messages' scans share: where each needle occurs
    (several messages look for the same words), the line starts, and the facts of a matched
    text already converted (a long log repeats the same message)."""

    def __init__(self, text: str, low: str, words: Optional[str] = None, positions: Optional[Positions] = None,
                 starts: Optional[Sequence[int]] = None) -> None:
        self.text, self.low = text, low
        self._words = words
        self._positions = positions
        self._starts = starts
        self.aligned = len(low) == len(text)  # lower() can lengthen a few non-ASCII letters
        self._hits: Dict[str, List[int]] = {}
        self._newlines: Optional[List[int]] = None
        self._facts: Dict[Tuple[str, Tuple[Optional[str], ...]], Tuple[Fact, ...]] = {}

    def hits(self, needle: str) -> List[int]:
        """Where ``needle`` starts in the lowercased text; on a large text, nowhere without a
        search when one of its words is not among the text's distinct words."""
        out = self._hits.get(needle)
        if out is not None:
            return out
        low = self.low
        out = self._positions(needle) if self._positions is not None else None
        if out is not None:  # the caller's own means (a word index) tell absent needles too
            pass
        elif len(low) > LARGE and absent(self._known_words(), needle):
            out = []
        else:
            out = []
            i = low.find(needle)
            while i != -1:
                out.append(i)
                i = low.find(needle, i + 1)
        self._hits[needle] = out
        return out

    def _known_words(self) -> str:
        if self._words is None:
            self._words = distinct_words(self.low)
        return self._words

    def line(self, pos: int) -> int:
        """1-based line of ``pos`` (a match starting on a newline counts on the next line)."""
        if self._starts is not None:  # the newline before line k+1 is at starts[k+1] - 1
            return bisect.bisect_right(self._starts, pos + 1)
        if self._newlines is None:
            ends = itertools.accumulate(map(len, self.text.split("\n")[:-1]))  # each line's end, less the newlines before
            self._newlines = [end + n for n, end in enumerate(ends)]
        return bisect.bisect_right(self._newlines, pos) + 1

    def facts(self, message: ScannedMessage, m: "re.Match[str]") -> Tuple[Fact, ...]:
        if not message.facts:
            return ()
        key = (message.id, tuple(m.group(group) for group, _ in message.facts))
        out = self._facts.get(key)
        if out is None:
            out = self._facts[key] = message.read_facts(m)
        return out


def _windows(text: "_Text", needles: FrozenSet[str], reach: int) -> List[Tuple[int, int, int, int]]:
    """Disjoint stretches of the text in which a match can lie: a match contains a needle
    and is at most ``reach`` long, so it lies within ``reach`` of the needle's ends. Each
    is (start, end, first needle's place, last needle's place)."""
    size = len(text.low)
    hits: List[Tuple[int, int, int]] = []
    for needle in needles:
        n = len(needle) + reach
        hits.extend((i - reach if i > reach else 0, i + n if i + n < size else size, i) for i in text.hits(needle))
    if len(needles) > 1:
        hits.sort()
    out: List[Tuple[int, int, int, int]] = []
    for a, b, i in hits:
        if out and a <= out[-1][1]:
            w = out[-1]
            out[-1] = (w[0], b if b > w[1] else w[1], w[2], i if i > w[3] else w[3])
        else:
            out.append((a, b, i, i))
    return out


_ORDER = operator.attrgetter("start", "id")
# A text this long (characters) is worth checking a needle's words first (_Text.hits,
# Pasted._lines_of); a shorter one is searched plainly.
LARGE = 1 << 18
SHORT = 1 << 12


# The needles of a sequence of messages, all together (the catalogue scans with the same tuple
# every time): {id(messages): (messages, needles, needle -> the messages' places holding it, the
# places of those without needles, a needle's first three letters -> the needles starting so)};
# the messages are kept so the id stays theirs.
_ALL_NEEDLES: Dict[int, Tuple[Sequence[ScannedMessage], FrozenSet[str], Dict[str, Tuple[int, ...]], Tuple[int, ...],
                              Dict[str, Tuple[str, ...]]]] = {}
_GRAM = 3  # letters; a shorter needle (pattern_shape makes none) is searched in every text


def _known(messages: Sequence[ScannedMessage]):
    known = _ALL_NEEDLES.get(id(messages))
    if known is None or known[0] is not messages:
        by_needle: Dict[str, List[int]] = {}
        for i, m in enumerate(messages):
            for n in m.needles or ():
                by_needle.setdefault(n, []).append(i)
        by_start: Dict[str, List[str]] = {}
        for n in by_needle:
            by_start.setdefault(n[:_GRAM] if len(n) >= _GRAM else "", []).append(n)
        known = (messages, frozenset(by_needle), {n: tuple(v) for n, v in by_needle.items()},
                 tuple(i for i, m in enumerate(messages) if m.needles is None),
                 {g: tuple(v) for g, v in by_start.items()})
        if isinstance(messages, tuple):  # kept only for a sequence that cannot change
            if len(_ALL_NEEDLES) > 8:
                _ALL_NEEDLES.clear()
            _ALL_NEEDLES[id(messages)] = known
    return known


def _present(messages: Sequence[ScannedMessage], lower: str) -> FrozenSet[str]:
    """The messages' needles that ``lower`` (a short text) holds: only those starting with three
    letters the text holds are searched (some twenty of the catalogue's 600, on a line of prose)."""
    by_start = _known(messages)[4]
    grams = {lower[i:i + _GRAM] for i in range(len(lower) - _GRAM + 1)}
    grams.add("")
    return frozenset([n for g in grams.intersection(by_start) for n in by_start[g] if n in lower])


def _holding(messages: Sequence[ScannedMessage], present: FrozenSet[str]) -> List[ScannedMessage]:
    """The messages, in order, with a needle among ``present`` or none at all (the others cannot
    match): picked by needle, not by a test of each of the catalogue's 400 messages (the rules
    scan hundreds of short texts: 0.015 s of a 4 MiB paste's run)."""
    _, _, by_needle, unguarded, _ = _known(messages)
    places = set(unguarded)
    for n in present:
        places.update(by_needle[n])
    return [messages[i] for i in sorted(places)]


def scan(messages: Sequence[ScannedMessage], text: str, lower: Optional[str] = None,
         words: Optional[str] = None, positions: Optional[Positions] = None,
         starts: Optional[Sequence[int]] = None) -> List[Match]:
    """Every match of every message in ``text``, in order of position.

    A pattern runs only around the places where a literal it needs occurs (no further than
    the longest match it can make), so the cost follows the number of near-misses, not the
    size of the text times the number of messages. ``lower`` and ``words``: ``text.lower()``
    and :func:`distinct_words` of it, when the caller has them already; ``positions``: where
    a needle occurs in ``lower`` (:data:`Positions`), and ``starts``: where each line of ``text``
    starts, both used for a text without colour codes.
    """
    stripped = strip_colour(text)
    if stripped is not text or lower is None:
        lower, words, positions, starts = stripped.lower(), None, None, None
    t = _Text(stripped, lower, words, positions, starts)
    out: List[Match] = []
    everywhere = (0, len(stripped), -1, len(stripped))
    # A short text (one error line, a traceback) holds few of the catalogue's words: a substring
    # test per needle skips the rest before any window is built (the rules scan hundreds of
    # them). Each distinct needle is tested once, then each message asks whether it has one of
    # those present (a set operation in C, not a loop per message: 130 -> 50 us a text).
    todo = _holding(messages, _present(messages, lower)) if len(lower) < SHORT else messages
    for message in todo:
        if message.needles is not None and t.aligned:
            windows = _windows(t, message.needles, message.reach)
        elif message.needles is not None and not any(n in lower for n in message.needles):
            windows = []
        else:
            windows = [everywhere]
        lead = message.lead
        behind = message.behind
        seen: Dict[Tuple[str, int], List[Tuple[int, int, str, Tuple[Fact, ...]]]] = {}
        for a, b, first, last in windows:
            # Every match holds one of the window's needles at most ``lead`` into it, so none
            # starts before the first needle less the lead, or after the last one: the regex
            # need not try those places (the window's ends stay, for look-arounds and \b).
            start = first - lead if lead is not None and first - lead > a else a
            # What the regex finds from ``start`` to ``b`` depends only on the characters from
            # ``behind`` before ``start`` to ``b`` (it reads nothing past its end, and nothing
            # before its start but look-behinds and \b): a window whose text is one met already
            # (a log repeats its lines) takes that window's matches, moved. 11,500 windows, 900
            # distinct texts on the benchmark's 4 MiB paste.
            key = None
            if behind is not None and start >= behind:
                key = (stripped[start - behind:b], last - start if lead is not None else 0)
                found = seen.get(key)
                if found is not None:
                    for rel, end, said, facts in found:
                        out.append(Match(message.id, message.kind, start + rel, start + end, t.line(start + rel),
                                         said, facts))
                    continue
            made: List[Tuple[int, int, str, Tuple[Fact, ...]]] = []
            for m in message.pattern.finditer(stripped, start, b):
                if m.end() > m.start():
                    said, facts = m.group(0), t.facts(message, m)
                    out.append(Match(message.id, message.kind, m.start(), m.end(), t.line(m.start()), said, facts))
                    made.append((m.start() - start, m.end() - start, said, facts))
                if lead is not None and m.end() > last:
                    break
            if key is not None:
                seen[key] = made
    out.sort(key=_ORDER)
    return out


