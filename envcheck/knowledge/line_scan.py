"""The catalogue's scan of a text that repeats its lines, for the messages that fit in one line.

A pattern none of whose parts can match a newline (no ``\\s``, no negated class, no ``.`` under
DOTALL, no ``\\n``, no ``^``/``$``/``\\A``/``\\Z`` of the whole text) finds on a line exactly what
it finds on every copy of that line: the characters around a line are a newline or the text's
end, which such a pattern tells apart from nothing it can match. A 4 MiB log is some ten times
its distinct lines: :func:`scan_lines` scans those once and places each match on the copies,
where ``message_scan.scan`` of the whole text built a window around every copy's needle
(0.2-0.3 s of the benchmark's 4 MiB inputs). Messages that may span lines (a wrapped
``\\s+``) are scanned on the whole text as before (``Pasted._scan``).
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import sys
from typing import Iterable, List, Optional, Sequence

from envcheck.knowledge.message_scan import Match, Positions, ScannedMessage, scan

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

_NEWLINE = 10
# Classes that hold a newline (\s, \D, \W and their Unicode and locale forms).
_NEWLINE_CATEGORIES = frozenset(getattr(sre_constants, name) for name in (
    "CATEGORY_SPACE", "CATEGORY_NOT_DIGIT", "CATEGORY_NOT_WORD", "CATEGORY_LINEBREAK", "CATEGORY_UNI_SPACE",
    "CATEGORY_UNI_NOT_DIGIT", "CATEGORY_UNI_NOT_WORD", "CATEGORY_UNI_LINEBREAK", "CATEGORY_LOC_NOT_WORD")
    if hasattr(sre_constants, name))
_REPEATS = tuple(getattr(sre_constants, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(sre_constants, name))
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)


def _class_has_newline(items: Iterable) -> bool:
    negated = False
    hit = False
    for op, av in items:
        if op is sre_constants.NEGATE:
            negated = True
        elif op is sre_constants.LITERAL:
            hit = hit or av == _NEWLINE
        elif op is sre_constants.RANGE:
            hit = hit or av[0] <= _NEWLINE <= av[1]
        elif op is sre_constants.CATEGORY:
            hit = hit or av in _NEWLINE_CATEGORIES
        else:  # a form not known here: taken to hold one
            return True
    return hit != negated


def line_local(items: Iterable, flags: int) -> bool:
    """Whether no match of the parsed pattern ``items`` (with its ``flags``) can hold or look at
    a newline, nor depend on where in the whole text it stands; False for anything not known."""
    for op, av in items:
        if op is sre_constants.LITERAL:
            ok = av != _NEWLINE
        elif op is sre_constants.NOT_LITERAL:
            ok = av == _NEWLINE
        elif op is sre_constants.ANY:
            ok = not flags & sre_constants.SRE_FLAG_DOTALL
        elif op is sre_constants.IN:
            ok = not _class_has_newline(av)
        elif op is sre_constants.AT:
            ok = av not in (sre_constants.AT_BEGINNING_STRING, sre_constants.AT_END_STRING) and not (
                av in (sre_constants.AT_BEGINNING, sre_constants.AT_END) and not flags & sre_constants.SRE_FLAG_MULTILINE)
        elif op is sre_constants.SUBPATTERN:
            ok = line_local(av[-1], flags)
        elif op is sre_constants.BRANCH:
            ok = all(line_local(b, flags) for b in av[1])
        elif op in _REPEATS:
            ok = line_local(av[2], flags)
        elif op is sre_constants.ASSERT or op is sre_constants.ASSERT_NOT:
            ok = line_local(av[1], flags)
        elif op is _ATOMIC:
            ok = line_local(av, flags)
        else:  # a back-reference, a conditional group: not judged
            ok = False
        if not ok:
            return False
    return True


_ORDER = operator.attrgetter("start", "id")  # message_scan.scan's order


def sorted_matches(*parts: List[Match]) -> List[Match]:
    """The matches of several scans of one text together, in :func:`message_scan.scan`'s order."""
    return sorted(itertools.chain(*parts), key=_ORDER)


def scan_lines(messages: Sequence[ScannedMessage], text: str, low: str, words: str,
               starts: Sequence[int], copies: Sequence[Sequence[int]], offsets: Sequence[int],
               positions: Optional[Positions] = None) -> List[Match]:
    """The matches of line-local ``messages`` in a text whose distinct lines, joined, are ``text``
    (``low``: lowercased, ``words``: its distinct words, ``starts``: where each line starts)
    and whose line numbers ``copies[k]`` hold ``lines[k]`` (``offsets``: where each line of the
    whole text starts), placed on every copy; unordered. ``positions``: where a needle occurs in
    ``low`` (``message_scan.Positions``), where the caller knows a faster way than a search."""
    out: List[Match] = []
    for m in scan(messages, text, low, words, positions, starts):
        k = m.line - 1
        column = m.start - starts[k]
        width = m.end - m.start
        for c in copies[k]:
            at = offsets[c] + column
            out.append(Match(m.id, m.kind, at, at + width, c + 1, m.text, m.facts))
    return out


def literal_prefix(pattern: "re.Pattern[str]") -> str:
    """The characters every match of ``pattern`` starts with (its literal start, after a ``^``),
    so that ``s.startswith(prefix)`` can be tested before ``pattern.match(s)``; "" when the
    pattern ignores case or starts otherwise."""
    if pattern.flags & re.IGNORECASE:
        return ""
    out: List[str] = []
    for n, (op, av) in enumerate(sre_parse.parse(pattern.pattern, pattern.flags)):
        if n == 0 and op is sre_constants.AT and av is sre_constants.AT_BEGINNING:
            continue
        if op is not sre_constants.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)


def on_copies(found: List[int], copies: Sequence[Sequence[int]]) -> List[int]:
    """The numbers of the lines that are copies of the distinct lines ``found``, in order."""
    return sorted(itertools.chain.from_iterable(copies[k] for k in found))


@functools.lru_cache(maxsize=None)
def pattern_line_local(pattern: "re.Pattern[str]") -> bool:
    """No match of ``pattern`` holds or looks past a newline (``line_scan.line_local``): what it
    finds on a line of a text is what it finds on the line alone, so a text repeating its lines
    is searched on its distinct lines (``Pasted.lines_with``, ``Pasted.lines_starting``)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    return line_local(parsed, parsed.state.flags)


@functools.lru_cache(maxsize=None)
def after_newline(pattern: "re.Pattern[str]") -> "re.Pattern[str]":
    """``pattern`` right after a newline (for ``Pasted.lines_starting``)."""
    return re.compile(r"\n(?:" + pattern.pattern + ")", pattern.flags)
