"""A long pattern of alternatives searched only in lines holding a word it cannot match without.

Some prose readers' patterns are dozens of alternatives, each starting on a word boundary: the
regex engine tries every alternative at every position of a line (50 µs a line), and most
lines their needles pick hold none of them. :class:`Gated` is given a few words of which
every match holds one (checked against the pattern's parse tree when it is made) and searches
only lines holding one: the same matches, found sooner.
"""

from __future__ import annotations

import re
import sys
from typing import FrozenSet, List, Optional, Tuple

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

# Letters re.IGNORECASE takes for ASCII ones that str.lower() does not make those letters (İ
# and ı for "i", ſ for "s", the Kelvin sign for "k"): a line holding one is searched ungated.
_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")


def _usable(ch: str) -> bool:
    """A literal a lower-cased line holds exactly where the pattern can match it: ASCII, or a
    character without case (CJK, Hangul); others have case equivalents lower() may not give."""
    return ch.isascii() or ch.lower() == ch.upper()


def _covered(items, words: FrozenSet[str], fold: bool) -> bool:
    """Does every match of the sequence ``items`` hold one of ``words``? True when one of its
    runs of literals holds one, or one of its parts is covered (every alternative of a
    branch, a group, a part repeated at least once)."""
    run: List[str] = []

    def run_holds() -> bool:
        text = "".join(run).lower() if fold else "".join(run)
        run.clear()
        return any(w in text for w in words)
    for op, av in items:
        if op is sre_constants.LITERAL and _usable(chr(av)):
            run.append(chr(av))
            continue
        if op is sre_constants.BRANCH and run and all(
                _covered([(sre_constants.LITERAL, ord(c)) for c in run] + list(alternative), words, fold)
                for alternative in av[1]):
            return True  # the parser takes a common start out of alternatives: "with(?:out|\s+no)"
        if run and run_holds():
            return True
        if op is sre_constants.SUBPATTERN:
            _, add_flags, del_flags, inner = av
            if not (add_flags | del_flags) & re.IGNORECASE and _covered(inner, words, fold):
                return True
        elif op is sre_constants.BRANCH:
            if all(_covered(alternative, words, fold) for alternative in av[1]):
                return True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            if _covered(av[2], words, fold):
                return True
    return bool(run) and run_holds()


_MADE: List["Gated"] = []  # every gate of a module-level (lazy) pattern, for the test that checks them all


class Gated:
    """``pattern`` whose ``search`` of a whole string first checks the string holds one of
    ``words`` (lower-cased, where the pattern ignores case). Every match must hold one of
    them, which :meth:`check` reads from the pattern's parse tree (ValueError otherwise: a
    gate that would hide matches): when the gate is made for a compiled pattern; for a lazy
    one (a module's), by tests/explain/test_gated_deferred.py, which checks every gate the
    package makes, as tests/core/test_lazyre.py compiles every lazy pattern (parsing the long
    gated patterns took 8 ms of every run). Other calls pass through."""

    def __init__(self, pattern: "re.Pattern[str]", words: Tuple[str, ...]) -> None:
        fold = bool(pattern.flags & re.IGNORECASE)
        self.compiled = pattern
        self.pattern, self.flags = pattern.pattern, pattern.flags
        self.words = frozenset(w.lower() for w in words) if fold else frozenset(words)
        self._lower = fold
        if pattern.flags & re.VERBOSE or not all(self.words):
            raise ValueError(f"not every match of {pattern.pattern[:60]!r}… holds one of {sorted(self.words)}")
        if isinstance(pattern, re.Pattern):
            self.check()
        else:
            _MADE.append(self)

    def check(self) -> None:
        """Refuse a gate that would hide a match (ValueError)."""
        if not _covered(sre_parse.parse(self.pattern, self.flags), self.words, self._lower):
            raise ValueError(f"not every match of {self.pattern[:60]!r}… holds one of {sorted(self.words)}")

    def search(self, string: str, *args, **kwargs) -> "Optional[re.Match[str]]":
        words = self.words
        if not args and not kwargs and (string.isascii() or not any(ch in string for ch in _FOLDS)):
            low = string.lower() if self._lower else string
            if not any(w in low for w in words):
                return None
        return self.compiled.search(string, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.compiled, name)


def made() -> List[Gated]:
    """Every gate of a lazy pattern made so far (those of the modules imported)."""
    return list(_MADE)
