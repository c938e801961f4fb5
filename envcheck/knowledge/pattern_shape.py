"""What a catalogue pattern needs, read from its parse tree (``re``'s parser), for
``message_scan.scan``: the literals a match cannot do without (its needles), the longest a match
can be, how far into a match a needle starts and how far before a search's start the pattern
may read (:func:`shape_of`); and the check that a pattern is one the scan can run
(:func:`parse_checked`). Kept apart from the scan itself (``message_scan.py``): the message
table's analysis is stored in compiled.json (``messages.shapes_key`` names this module).
"""

from __future__ import annotations

import re
import sys
from typing import FrozenSet, Iterable, List, Optional, Tuple, Union

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse


# ------------------------------------------------------------------ required literals
def _better(a: Optional[FrozenSet[str]], b: Optional[FrozenSet[str]]) -> Optional[FrozenSet[str]]:
    """The more selective of two needle sets (longer shortest needle, then fewer needles)."""
    if a is None:
        return b
    if b is None:
        return a
    key = lambda s: (min(len(n) for n in s), -len(s))  # noqa: E731
    return a if key(a) >= key(b) else b


def _needles(items: Iterable) -> Optional[FrozenSet[str]]:
    """Lowercased strings of which every match of the parsed ``items`` contains one, or None."""
    best: Optional[FrozenSet[str]] = None
    run: List[str] = []
    for op, av in list(items) + [(None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(av).lower())
            continue
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run = []
        sub: Optional[FrozenSet[str]] = None
        if op is sre_constants.SUBPATTERN:
            sub = _needles(av[-1])
        elif op is sre_constants.BRANCH:
            alts = [_needles(b) for b in av[1]]
            sub = None if any(a is None for a in alts) else frozenset().union(*alts)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _needles(av[2])
        best = _better(best, sub)
    if best is not None and min(len(n) for n in best) < 3:
        return None  # too short to be worth a search
    return best




# The longest stretch of text a match is looked for in around a needle, for patterns whose
# length has no bound (a \s+ where upstream wraps lines). Upstream's messages are a few
# lines; the longest catalogued one (torch 2.13's capability warning) is under 3,000 characters.
REACH = 4096




def _lead(items: "sre_parse.SubPattern", needles: FrozenSet[str]) -> Optional[int]:
    """How far into a match of ``items`` (at most) some needle starts, from the literal runs
    every match holds (at the top level, or in every branch of a group there); None: unknown."""
    best: Optional[int] = None
    width = 0  # the longest the items before the current one can be
    run: List[str] = []
    run_at = 0
    for op, av in list(items) + [(None, None)]:
        if op is sre_constants.LITERAL:
            run_at = run_at if run else width
            run.append(chr(av).lower())
            width += 1
            continue
        found: List[int] = [] if best is None else [best]
        if run:
            text = "".join(run)
            found += [run_at + text.find(n) for n in needles if n in text]
            run = []
        if op is sre_constants.SUBPATTERN:
            sub = _lead(av[-1], needles)
            found += [] if sub is None else [width + sub]
        elif op is sre_constants.BRANCH:
            alts = [_lead(b, needles) for b in av[1]]
            found += [] if any(a is None for a in alts) else [width + max(alts)]  # type: ignore[type-var]
        best = min(found, default=None)
        if op is None:
            return best
        width = min(width + sre_parse.SubPattern(items.state, [(op, av)]).getwidth()[1], REACH)
    return best


# Position tests that look at the character before the place they stand on (a word boundary,
# a multi-line ^), and those that look at the place's distance from the text's start.
_LOOKS_BACK_ONE = frozenset({sre_constants.AT_BEGINNING_LINE, sre_constants.AT_BOUNDARY,
                             sre_constants.AT_NON_BOUNDARY, sre_constants.AT_UNI_BOUNDARY,
                             sre_constants.AT_UNI_NON_BOUNDARY, sre_constants.AT_LOC_BOUNDARY,
                             sre_constants.AT_LOC_NON_BOUNDARY})
_ABSOLUTE = frozenset({sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING})
_BEHIND_CAP = 8192


_REPEATS = tuple(getattr(sre_constants, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(sre_constants, name))
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)


def _behind(items: "sre_parse.SubPattern") -> Optional[int]:
    """How many characters before the place a search starts the parsed ``items`` may read
    (look-behinds' widths and one for each test of the character before), summed over the whole
    pattern, so never less than the truth; None when unbounded or when a test depends on the
    place's distance from the text's start (``^`` without MULTILINE, ``\\A``). Raises re.error
    for a look-behind of more than one width, as re.compile does (the parser lets it pass)."""
    total: Optional[int] = 0
    for op, av in items:
        sub: Optional[int] = 0
        if op is sre_constants.AT:
            sub = None if av in _ABSOLUTE else 1 if av in _LOOKS_BACK_ONE else 0
        elif op is sre_constants.ASSERT or op is sre_constants.ASSERT_NOT:
            inner = _behind(av[1])
            if av[0] < 0:
                lo, hi = av[1].getwidth()
                if lo != hi:
                    raise re.error("look-behind requires fixed-width pattern")
                sub = None if inner is None else hi + inner
            else:
                sub = inner
        elif op is sre_constants.SUBPATTERN:
            sub = _behind(av[-1])
        elif op is sre_constants.BRANCH or op is sre_constants.GROUPREF_EXISTS:
            parts = [_behind(p) for p in (av[1] if op is sre_constants.BRANCH else av[1:]) if p is not None]
            sub = None if None in parts else sum(parts)  # type: ignore[arg-type]
        elif op in _REPEATS:
            sub = _behind(av[2])
        elif op is _ATOMIC:
            sub = _behind(av)
        total = None if total is None or sub is None else total + sub
    return None if total is None or total > _BEHIND_CAP else total


def parse_checked(pattern: str) -> "sre_parse.SubPattern":
    """``pattern`` parsed, with every error re.compile would raise raised (re.error)."""
    parsed = sre_parse.parse(pattern)
    _behind(parsed)  # raises for what re.compile would refuse
    return parsed


def parse_shaped(pattern: str) -> Tuple["sre_parse.SubPattern", Tuple[Optional[FrozenSet[str]], int, Optional[int],
                                                                        Optional[int]]]:
    """:func:`parse_checked` and :func:`shape_of` from one parse and one walk of the look-behinds
    (the catalogue's three hundred patterns, read at every start)."""
    parsed = sre_parse.parse(pattern)
    return parsed, shape_of(parsed)  # shape_of's _behind raises what re.compile would


def shape_of(pattern: Union[str, "sre_parse.SubPattern"]) -> Tuple[Optional[FrozenSet[str]], int, Optional[int],
                                                                 Optional[int]]:
    """What :func:`scan` needs of ``pattern``, from one parse of it: the lowercased literals
    every match holds one of (None: none worth a search), the longest a match can be (at most
    REACH), how far into a match (at most) one of those needles starts (None: unknown, or
    a pattern matching without regard to case, where a match may hold a letter that
    re.IGNORECASE takes for the needle's), and how far before the place a search starts it
    may read (:func:`_behind`; None: unknown)."""
    parsed = sre_parse.parse(pattern) if isinstance(pattern, str) else pattern
    needles = _needles(parsed)
    reach = min(parsed.getwidth()[1], REACH)
    behind = _behind(parsed)
    if needles is None or parsed.state.flags & re.IGNORECASE or not all(n.isascii() for n in needles):
        return needles, reach, None, behind
    return needles, reach, _lead(parsed, needles), behind
