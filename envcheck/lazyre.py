"""Regular expressions compiled on first use, for module-level patterns.

``envcheck explain`` imports every reader, and compiling their several hundred module-level
patterns took a quarter of a second of each start (``re._parser``), though a paste uses few of
them. ``lazy(pattern, flags)`` stands for ``re.compile(pattern, flags)`` and compiles on the
first call of a method: that call puts the compiled pattern's own bound methods on the
object, so every later call goes straight to them (no wrapper in the loop of a 4 MiB scan).

``pattern`` is known without compiling; ``flags``, ``groups`` and ``groupindex`` compile
(inline flags such as ``(?i)`` count in ``flags``). A pattern that does not compile raises
``re.error`` at its first use, not at import: ``tests/core/test_lazyre.py`` compiles every
lazy pattern of the package.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

# Every method of re.Pattern that a caller may use; each is replaced by the compiled
# pattern's own on first use.
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")

_MADE: List["LazyPattern"] = []  # every lazy pattern made, for the test that compiles them all


class LazyPattern:
    """``re.compile(pattern, flags)``, done on first use (see the module's docstring)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags
        _MADE.append(self)

    @property
    def compiled(self) -> "re.Pattern[str]":
        d: Dict[str, Any] = self.__dict__
        compiled = d.get("_compiled")
        if compiled is None:
            compiled = d["_compiled"] = re.compile(self.pattern, self._flags)
            for name in _METHODS:  # instance attributes: found before the class's methods below
                d[name] = getattr(compiled, name)
        return compiled

    @property
    def flags(self) -> int:
        return self.compiled.flags

    @property
    def groups(self) -> int:
        return self.compiled.groups

    @property
    def groupindex(self):
        return self.compiled.groupindex

    # The first call of each of these lands here, compiles, and is passed on; later calls find
    # the compiled pattern's method on the instance.
    def search(self, *args, **kwargs):
        return self.compiled.search(*args, **kwargs)

    def match(self, *args, **kwargs):
        return self.compiled.match(*args, **kwargs)

    def fullmatch(self, *args, **kwargs):
        return self.compiled.fullmatch(*args, **kwargs)

    def finditer(self, *args, **kwargs):
        return self.compiled.finditer(*args, **kwargs)

    def findall(self, *args, **kwargs):
        return self.compiled.findall(*args, **kwargs)

    def sub(self, *args, **kwargs):
        return self.compiled.sub(*args, **kwargs)

    def subn(self, *args, **kwargs):
        return self.compiled.subn(*args, **kwargs)

    def split(self, *args, **kwargs):
        return self.compiled.split(*args, **kwargs)

    def scanner(self, *args, **kwargs):
        return self.compiled.scanner(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self._flags})"


def lazy(pattern: str, flags: int = 0) -> "re.Pattern[str]":
    """A pattern compiled on first use; typed as ``re.Pattern`` for its callers."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]


def made() -> List[LazyPattern]:
    """Every lazy pattern made so far (those of the modules imported)."""
    return list(_MADE)
