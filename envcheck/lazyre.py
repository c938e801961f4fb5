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

Compiling is still ~0.17 s of a 4 MiB paste's run (the 700-odd patterns it uses, parsed and
translated to the regex engine's code in pure Python). ``knowledge/data/compiled_re.json``
(checked in, written by ``scripts/compile_data.py``) holds that code for every lazy pattern
of the package, made by the CPython release, regex engine and Unicode tables named in its
``key``: under exactly those a stored pattern is built from its code (``_sre.compile``, what
``re.compile`` ends with), under any other, or for a pattern not stored, it is compiled. A
pattern's text and flags select its code, so an edited pattern is never given another's.
"""

from __future__ import annotations

import _sre
import array
import base64
import functools
import json
import re
import sys
import unicodedata
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

if sys.version_info >= (3, 11):
    from re import _compiler as sre_compile
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_compile
    import sre_parse

# Every method of re.Pattern that a caller may use; each is replaced by the compiled
# pattern's own on first use.
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")

_MADE: List["LazyPattern"] = []  # every lazy pattern made, for the test that compiles them all

STORE = Path(__file__).resolve().parent / "knowledge" / "data" / "compiled_re.json"
# The code's units, packed in the store as base64 of their machine bytes, deflated (decoded in
# C: a list of 300,000 numbers in JSON took 0.03 s to read). The store's key holds the byte order.
_CODE_TYPE = "I" if array.array("I").itemsize == _sre.CODESIZE else "L"


class LazyPattern:
    """``re.compile(pattern, flags)``, done on first use (see the module's docstring)."""

    def __init__(self, pattern: str, flags: int = 0, parsed: Optional[Any] = None) -> None:
        self.pattern = pattern
        self._flags = flags
        self._parsed = parsed
        _MADE.append(self)

    @property
    def compiled(self) -> "re.Pattern[str]":
        d: Dict[str, Any] = self.__dict__
        compiled = d.get("_compiled")
        if compiled is None:
            parsed = self._parsed
            compiled = _from_store(self.pattern, self._flags)
            if compiled is None:
                compiled = (re.compile(self.pattern, self._flags) if parsed is None
                            else _from_parsed(self.pattern, self._flags, parsed))
            d["_compiled"] = compiled
            self._parsed = None  # the tree is not needed again
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


def _from_parsed(pattern: str, flags: int, parsed: Any) -> "re.Pattern[str]":
    """``re.compile(pattern, flags)`` from the tree ``re``'s parser made of it already: what
    ``re._compiler.compile`` does after parsing, with the pattern's text kept (the same
    pattern object, ``==`` included; tests/core/test_lazyre.py compares them)."""
    try:
        code = sre_compile._code(parsed, flags)
        state = parsed.state
        indexgroup: List[Optional[str]] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        return _sre.compile(pattern, flags | state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup))
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - another Python's private internals
        # These are CPython's private internals (3.10-3.13 alike): where they differ, compile again.
        return re.compile(pattern, flags)


def store_key() -> List[object]:
    """What a stored pattern's code is valid under: this CPython release, its regex engine's
    version and code unit, and its Unicode tables (case folding is compiled in)."""
    return [list(sys.version_info[:3]), sys.implementation.name, _sre.MAGIC, _sre.CODESIZE, sys.byteorder,
            unicodedata.unidata_version]


def code_of(pattern: str, flags: int = 0) -> List[object]:
    """A pattern as compiled_re.json stores it: [pattern, flags, the compiled pattern's flags,
    its code, groups, group index, index group] (``scripts/compile_data.py``)."""
    parsed = sre_parse.parse(pattern, flags)
    code = sre_compile._code(parsed, flags)
    state = parsed.state
    indexgroup: List[Optional[str]] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    packed = base64.b64encode(zlib.compress(array.array(_CODE_TYPE, code).tobytes(), 9)).decode("ascii")
    return [pattern, flags, flags | state.flags, packed, state.groups - 1, dict(state.groupdict), indexgroup]


@functools.lru_cache(maxsize=1)
def stored() -> Dict[Tuple[str, int], List[Any]]:
    """compiled_re.json's patterns by (text, flags); none when it is missing, unreadable or
    made under another :func:`store_key`."""
    try:
        data = json.loads(STORE.read_bytes())
        if not isinstance(data, dict) or data.get("key") != store_key():
            return {}
        return {(row[0], row[1]): row for row in data["patterns"]}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _from_store(pattern: str, flags: int) -> "Optional[re.Pattern[str]]":
    row = stored().get((pattern, flags))
    if row is None:
        return None
    try:
        _, _, all_flags, packed, groups, groupindex, indexgroup = row
        code = array.array(_CODE_TYPE, zlib.decompress(base64.b64decode(packed))).tolist()
        return _sre.compile(pattern, all_flags, code, groups, groupindex, tuple(indexgroup))
    except (TypeError, ValueError, RuntimeError, OverflowError, zlib.error):  # a damaged entry: compiled instead
        return None


def lazy(pattern: str, flags: int = 0, parsed: Optional[Any] = None) -> "re.Pattern[str]":
    """A pattern compiled on first use; typed as ``re.Pattern`` for its callers. ``parsed``: the
    tree ``re``'s parser made of ``pattern`` with ``flags`` (a caller that read it already: the
    message catalogue reads every pattern's shape), so that compiling does not parse again."""
    return LazyPattern(pattern, flags, parsed)  # type: ignore[return-value]


def made() -> List[LazyPattern]:
    """Every lazy pattern made so far (those of the modules imported)."""
    return list(_MADE)
