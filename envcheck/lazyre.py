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

Under any other Python the CLI keeps the code of what a run compiled in a per-user store
(:func:`keep_compiled`: envcheck's cache directory, or ``$ENVCHECK_REGEX_CACHE``; ``off`` keeps
none), one file per interpreter (:func:`user_key`), read like the checked-in one from the next
start on: a 4 MiB paste's ~730 patterns are then compiled once per Python, not once per run.

``_sre.compile`` trusts the code it is given: a code word changed on disk crashed the process
(SIGSEGV). So each row, in either store, carries a digest of what it hands ``_sre.compile``
(:func:`_digest`), and a row that does not match it is compiled instead; a store file is read
only when it is a regular file under :data:`_MAX_STORE_BYTES`.
"""

from __future__ import annotations

import _sre
import array
import base64
import functools
import hashlib
import json
import os
import re
import stat
import sys
import unicodedata
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

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

# The per-user store (see keep_compiled): a directory, or one of these words to keep none.
USER_STORE_ENV = "ENVCHECK_REGEX_CACHE"
_OFF = ("", "0", "off", "no", "false", "none")
# Patterns compiled in this process that neither store held: (text, flags) -> their row, code unpacked.
_COMPILED_HERE: Dict[Tuple[str, int], List[Any]] = {}


def compiled_here() -> Dict[Tuple[str, int], List[Any]]:
    """The patterns compiled in this process that neither store held (the dict itself): a forked
    reader process (explain/two_processes.py) sends its own back, and they join these for
    :func:`keep_compiled`."""
    return _COMPILED_HERE


# A store file larger than this is not read (the checked-in one is ~0.7 MB; a store pointed at
# /dev/zero or a huge file would otherwise be read whole).
_MAX_STORE_BYTES = 16 * 1024 * 1024
_DIGEST_CHARS = 32  # of sha256's hex: enough to tell a damaged row, not a secret


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
                compiled = _compile_kept(self.pattern, self._flags, parsed)
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


def _compile_kept(pattern: str, flags: int, parsed: Optional[Any]) -> "re.Pattern[str]":
    """``re.compile(pattern, flags)`` (a bad pattern raises ``re.error``, as there), its code
    kept for :func:`keep_compiled` where neither store had it."""
    if parsed is None:
        parsed = sre_parse.parse(pattern, flags)
    try:
        row = _row(pattern, flags, parsed)
        compiled = _sre.compile(pattern, *row[2:4], row[4], row[5], tuple(row[6]))
    except (AttributeError, TypeError, ValueError, RuntimeError):  # pragma: no cover - another Python's internals
        return re.compile(pattern, flags)
    _COMPILED_HERE[(pattern, flags)] = row
    return compiled


def _row(pattern: str, flags: int, parsed: Any) -> List[Any]:
    """[pattern, flags, the compiled pattern's flags, its code (a list), groups, group index,
    index group]: what ``re._compiler.compile`` hands ``_sre.compile`` after parsing."""
    code = sre_compile._code(parsed, flags)
    state = parsed.state
    indexgroup: List[Optional[str]] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    return [pattern, flags, flags | state.flags, code, state.groups - 1, dict(state.groupdict), indexgroup]


def store_key() -> List[object]:
    """What a stored pattern's code is valid under: this CPython release, its regex engine's
    version and code unit, and its Unicode tables (case folding is compiled in)."""
    return [list(sys.version_info[:3]), sys.implementation.name, _sre.MAGIC, _sre.CODESIZE, sys.byteorder,
            unicodedata.unidata_version]


def code_of(pattern: str, flags: int = 0) -> List[object]:
    """A pattern as compiled_re.json stores it: [pattern, flags, the compiled pattern's flags,
    its code, groups, group index, index group] (``scripts/compile_data.py``)."""
    return _packed(_row(pattern, flags, sre_parse.parse(pattern, flags)))


def _packed(row: List[Any], level: int = 9) -> List[Any]:
    """``row`` with its code packed as the stores hold it (see _CODE_TYPE) and its digest
    appended (:func:`_digest`); ``level``: zlib's (9, the smallest, for the checked-in store;
    1 for the per-user one: 9 took 0.07 s a run)."""
    packed = base64.b64encode(zlib.compress(array.array(_CODE_TYPE, row[3]).tobytes(), level)).decode("ascii")
    out = row[:3] + [packed] + row[4:7]
    return out + [_digest(out)]


def _digest(row: List[Any]) -> str:
    """sha256 of a stored row's first seven fields (everything ``_sre.compile`` is given) as
    JSON writes them: a row read back verifies only when not one of them changed."""
    text = json.dumps(row[:7], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]


def _read_store(path: Path) -> Any:
    """A store file's JSON: only a regular file (never a device or a pipe a link points to),
    only up to _MAX_STORE_BYTES; OSError or ValueError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path}: not a regular file")
        data = f.read(_MAX_STORE_BYTES + 1)
    if len(data) > _MAX_STORE_BYTES:
        raise ValueError(f"{path}: larger than {_MAX_STORE_BYTES} bytes")
    return json.loads(data)


@functools.lru_cache(maxsize=1)
def stored() -> Dict[Tuple[str, int], List[Any]]:
    """compiled_re.json's patterns by (text, flags); none when it is missing, unreadable or
    made under another :func:`store_key`."""
    try:
        data = _read_store(STORE)
        if not isinstance(data, dict) or data.get("key") != store_key():
            return {}
        return {(row[0], row[1]): row for row in data["patterns"]}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _from_store(pattern: str, flags: int) -> "Optional[re.Pattern[str]]":
    row = stored().get((pattern, flags))
    if row is None:
        row = user_stored().get((pattern, flags))
        if row is None:
            return None
    try:
        _, _, all_flags, packed, groups, groupindex, indexgroup, digest = row
        if digest != _digest(row):  # damaged (or written before rows had digests): never handed to _sre
            return None
        code = array.array(_CODE_TYPE, zlib.decompress(base64.b64decode(packed))).tolist()
        return _sre.compile(pattern, all_flags, code, groups, groupindex, tuple(indexgroup))
    except (TypeError, ValueError, RuntimeError, OverflowError, zlib.error):  # a damaged entry: compiled instead
        return None


def user_store_file() -> Optional[Path]:
    """Where this Python's per-user store is (one file per :func:`user_key`): under
    $ENVCHECK_REGEX_CACHE, else envcheck's cache directory; None when it is turned off."""
    where = os.environ.get(USER_STORE_ENV)
    if where is not None and where.strip().lower() in _OFF:
        return None
    if where is None:
        import platformdirs  # imported here: only a start without usable stored code needs it

        where = str(Path(platformdirs.user_cache_dir("envcheck")) / "regex")
    tag = hashlib.sha256(json.dumps(user_key()).encode()).hexdigest()[:16]
    return Path(where) / f"compiled_re-{tag}.json"


def user_key() -> List[object]:
    """:func:`store_key` and the interpreter's full version line (a build of the same release
    from another source still gets its own file)."""
    return store_key() + [sys.version]


@functools.lru_cache(maxsize=1)
def user_stored() -> Dict[Tuple[str, int], List[Any]]:
    """The per-user store's patterns by (text, flags), as :func:`stored`'s; none when it is
    turned off, missing, unreadable or made by another Python (never an error: then the
    patterns are compiled)."""
    try:
        path = user_store_file()
        if path is None:
            return {}
        data = _read_store(path)
        if not isinstance(data, dict) or data.get("key") != user_key():
            return {}
        return {(row[0], row[1]): row for row in data["patterns"]}
    except Exception:  # noqa: BLE001 - any failure of a cache is a cache miss
        return {}


def keep_compiled() -> bool:
    """Add the code of the patterns this process compiled (neither the checked-in store nor the
    per-user one had them) to the per-user store, so that the next start under this same Python
    takes them from there: compiled_re.json serves only the CPython that wrote it, and compiling
    a 4 MiB paste's ~700 patterns costs ~0.15 s. The CLI calls it on its way out. Kept: every
    pattern the package makes (:func:`_package_patterns`) and those made here, so that another
    command (``doctor`` after ``explain``) keeps what it does not use and runs alternating settle;
    a pattern edited or removed drops out. Written atomically under a lock, skipped when another
    process holds it. True when written; any failure is silent (a cache, never needed)."""
    if not _COMPILED_HERE:
        return False
    try:
        path = user_store_file()
        if path is None or (path.exists() and not path.is_file()):  # a device or FIFO there: left alone
            return False  # (writing through to a FIFO would wait for a reader for ever)
        import filelock  # imported here: only a start that compiled patterns writes

        from envcheck.atomicio import atomic_write_text

        path.parent.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(path) + ".lock", timeout=0):  # held: the other process writes it
            user_stored.cache_clear()  # another process may have written it since this one read it
            rows = dict(user_stored())
            rows.update((k, _packed(row, 1)) for k, row in _COMPILED_HERE.items())
            package = _package_patterns()
            if package is None:  # the list is out of reach: nothing is known to be gone
                kept = list(rows.values())
            else:
                live = package | {(p.pattern, p._flags) for p in _MADE}
                kept = [row for k, row in rows.items() if k in live]
            atomic_write_text(path, json.dumps({"key": user_key(), "patterns": kept}, ensure_ascii=False,
                                               separators=(",", ":")))
        _COMPILED_HERE.clear()
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no error (read-only home, full disk, a lock held)
        return False


def _package_patterns() -> Optional[Set[Tuple[str, int]]]:
    """(text, flags) of every lazy pattern of the package: compiled_re.json's rows, whatever
    Python wrote them (``scripts/compile_data.py`` lists them all); None when it cannot be read."""
    try:
        data = _read_store(STORE)
        return {(row[0], row[1]) for row in data["patterns"]}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def lazy(pattern: str, flags: int = 0, parsed: Optional[Any] = None) -> "re.Pattern[str]":
    """A pattern compiled on first use; typed as ``re.Pattern`` for its callers. ``parsed``: the
    tree ``re``'s parser made of ``pattern`` with ``flags`` (a caller that read it already: the
    message catalogue reads every pattern's shape), so that compiling does not parse again."""
    return LazyPattern(pattern, flags, parsed)  # type: ignore[return-value]


def made() -> List[LazyPattern]:
    """Every lazy pattern made so far (those of the modules imported)."""
    return list(_MADE)
