"""A long pattern of alternatives searched one alternative at a time, each only in lines holding
a word that alternative cannot match without.

:class:`~envcheck.explain.gated.Gated` skips a line holding none of a pattern's words; a line
holding one of them ("no", "gpu") is still searched with every alternative at every position,
and a pattern of sixteen alternatives in four languages, several of which may start anywhere,
costs ~1 µs a character under re.IGNORECASE. :class:`FirstOf` gives each top-level
alternative its own gate (checked like any gate: ``gated.py``) and searches only the
alternatives whose words the line holds.

The same match as the whole pattern's: at a position, the regex engine tries the alternatives
in order and the first that matches there ends the search (nothing follows a top-level
alternative), so the whole pattern's match is the alternative matching leftmost, the first
of those that match at that place; each alternative searched alone finds its own leftmost
match, the same text at the same place.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from envcheck.explain.gated import Gated
from envcheck.lazyre import lazy

# gated.py's letters that re.IGNORECASE takes for ASCII ones and str.lower() does not: a line
# holding one is searched with every alternative.
_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")


def alternatives(pattern: str) -> List[str]:
    """``pattern`` split at its top-level ``|`` (outside groups and character classes)."""
    out: List[str] = []
    depth, in_class, start, i = 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            if pattern[i:i + 1] == "^":
                i += 1
            if pattern[i:i + 1] == "]":  # a "]" first in a class is a member
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


_MADE: List["FirstOf"] = []  # every one made, for the test that checks their gates


class FirstOf:
    """``re.compile(pattern, flags).search`` as its top-level alternatives, each gated by its
    ``gates`` entry (one tuple of words per alternative, in order). A pattern with inline
    flags (which scope over every alternative) or a VERBOSE one is refused (ValueError).
    ``within``: the whole pattern's own gate, where it has one: a line holding none of its
    words is not searched at all.

    Nothing is compiled or parsed when it is made (every start imports the readers): each
    alternative is a lazy pattern, and that its words gate it is checked by :meth:`check`,
    which tests/explain/test_first_of.py calls for every one the package makes."""

    def __init__(self, pattern: str, flags: int, gates: Sequence[Tuple[str, ...]],
                 within: Optional[Gated] = None) -> None:
        if within is not None and (within.pattern, within.flags & ~re.UNICODE) != (pattern, flags & ~re.UNICODE):
            raise ValueError("the gate of another pattern")
        parts = alternatives(pattern)
        if len(parts) != len(gates):
            raise ValueError(f"{len(parts)} alternatives, {len(gates)} gates")
        if flags & re.VERBOSE or any(p.startswith("(?") and p[2:3] not in (":", "=", "!", "<", "P") for p in parts):
            raise ValueError("inline or verbose flags scope over the alternatives")
        if not all(gates) or not all(all(words) for words in gates):
            raise ValueError("an alternative without words")
        self.pattern, self.flags = pattern, flags
        self._fold = bool(flags & re.IGNORECASE)  # as Gated: the words and the line compared lower-cased
        self._gates = tuple(tuple(words) for words in gates)
        self._words = tuple(frozenset(w.lower() for w in words) if self._fold else frozenset(words) for words in gates)
        self._alternatives = tuple(lazy(p, flags) for p in parts)
        self._all = tuple(sorted(frozenset().union(*self._words)))
        self._within = within.words if within is not None else ()
        _MADE.append(self)

    def check(self) -> None:
        """Refuse a gate that would hide a match of its alternative (ValueError, from Gated)."""
        for alternative, words in zip(self._alternatives, self._gates):
            Gated(alternative.compiled, words)

    def search(self, string: str) -> "Optional[re.Match[str]]":
        """What ``Gated.search`` of each alternative would give, the line lowered once for all."""
        low = string.lower() if self._fold else string
        ungated = not string.isascii() and any(ch in string for ch in _FOLDS)
        if self._within and not ungated and not any(w in low for w in self._within):
            return None
        held = None if ungated else {w for w in self._all if w in low}  # each word looked for once
        if held is not None and not held:
            return None
        best = None
        for alternative, words in zip(self._alternatives, self._words):
            if held is not None and held.isdisjoint(words):
                continue
            m = alternative.search(string)
            if m is not None and (best is None or m.start() < best.start()):
                best = m  # at the same place, the earlier alternative's match stays
        return best


def made() -> List[FirstOf]:
    """Every FirstOf made so far (those of the modules imported)."""
    return list(_MADE)
