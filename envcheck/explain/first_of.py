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


class FirstOf:
    """``re.compile(pattern, flags).search`` as its top-level alternatives, each gated by its
    ``gates`` entry (one tuple of words per alternative, in order). A pattern with inline
    flags (which scope over every alternative) or a VERBOSE one is refused (ValueError).
    ``within``: the whole pattern's own gate, where it has one: a line holding none of its
    words is not searched at all."""

    def __init__(self, pattern: str, flags: int, gates: Sequence[Tuple[str, ...]],
                 within: Optional[Gated] = None) -> None:
        if within is not None and (within.pattern, within.flags) != (pattern, flags):
            raise ValueError("the gate of another pattern")
        self._within = within.words if within is not None else ()
        parts = alternatives(pattern)
        if len(parts) != len(gates):
            raise ValueError(f"{len(parts)} alternatives, {len(gates)} gates")
        if flags & re.VERBOSE or any(p.startswith("(?") and p[2:3] not in (":", "=", "!", "<", "P") for p in parts):
            raise ValueError("inline or verbose flags scope over the alternatives")
        self.pattern, self.flags = pattern, flags
        self.alternatives = tuple(Gated(lazy(p, flags), words) for p, words in zip(parts, gates))
        self._words = tuple(sorted(frozenset().union(*(a.words for a in self.alternatives))))

    def search(self, string: str) -> "Optional[re.Match[str]]":
        """What ``Gated.search`` of each alternative would give, the line lowered once for all."""
        fold = bool(self.flags & re.IGNORECASE)
        low = string.lower() if fold else string
        ungated = not string.isascii() and any(ch in string for ch in _FOLDS)
        if self._within and not ungated and not any(w in low for w in self._within):
            return None
        held = None if ungated else {w for w in self._words if w in low}  # each word looked for once
        if held is not None and not held:
            return None
        best = None
        for alternative in self.alternatives:
            if held is not None and held.isdisjoint(alternative.words):
                continue
            m = alternative.compiled.search(string)
            if m is not None and (best is None or m.start() < best.start()):
                best = m  # at the same place, the earlier alternative's match stays
        return best
