"""Reading envcheck's TOML data files (knowledge tables, recipes, reference results).

One loader, so the Python 3.10 fallback (``tomli``) and the error wording live in one
place. A missing or broken shipped file is a broken installation: one line naming the
file (``SetupError`` by default; callers with their own error class pass it).

Parsing TOML in pure Python took ~0.1 s of every ``envcheck explain`` (67 files, the message
catalogue's 450 KiB most of it). ``knowledge/data/compiled.json`` (checked in, written by
``scripts/compile_data.py``) holds each packaged file's parsed content under the SHA-256 of
its bytes: a file whose bytes hash to a stored digest is that file, so its content is taken
from there (``json`` is in C); any other file (edited, newer, a user's) is parsed for real,
and so is every file when compiled.json is missing or unreadable. Correctness never depends
on regenerating it; ``tests/knowledge/test_compiled.py`` fails when it is stale.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Type, Union

from .errors import EnvcheckError, SetupError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError

COMPILED = Path(__file__).resolve().parent / "knowledge" / "data" / "compiled.json"
COMPILED_FORMAT = 1
# TOML's date and time values, which JSON lacks: stored as ISO text beside the JSON (see to_json).
_TIMES = {"datetime": datetime.datetime, "date": datetime.date, "time": datetime.time}


def read_toml(path: Union[str, Path], error: Type[EnvcheckError] = SetupError) -> Dict[str, Any]:
    """The parsed file; ``error`` (one line naming the file) when it is missing, unreadable or not TOML."""
    return read_toml_digest(path, error)[0]


def read_toml_digest(path: Union[str, Path], error: Type[EnvcheckError] = SetupError) -> Tuple[Dict[str, Any], str]:
    """:func:`read_toml`, and the SHA-256 of the file's bytes (hex)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{p}: not found (envcheck is installed without its data files)") from None
    except OSError as exc:
        raise error(f"{p}: cannot read: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    stored = compiled_toml().get(digest)
    if stored is not None:
        try:
            data = from_json(stored)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            data = None  # a damaged entry: the file itself is the truth
        if isinstance(data, dict):  # a TOML document is a table; anything else is a damaged entry
            return data, digest
    try:
        return tomllib.loads(raw.decode()), digest  # what tomllib.load does with the bytes
    except TOMLDecodeError as exc:
        raise error(f"{p}: not valid TOML: {exc}") from None


def parse_toml(text: str, origin: str, error: Type[EnvcheckError] = SetupError) -> Dict[str, Any]:
    """TOML from a string (a test's inline table); ``origin`` names it in the error."""
    try:
        return tomllib.loads(text)
    except TOMLDecodeError as exc:
        raise error(f"{origin}: not valid TOML: {exc}") from None


# ------------------------------------------------------------------ the compiled form
@functools.lru_cache(maxsize=1)
def compiled() -> Dict[str, Any]:
    """compiled.json's content ({} when it is missing, unreadable or of another format)."""
    try:
        with COMPILED.open("rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == COMPILED_FORMAT else {}


@functools.lru_cache(maxsize=1)
def compiled_toml() -> Dict[str, Dict[str, Any]]:
    """Stored TOML content by the SHA-256 of the file's bytes."""
    try:
        return {e["sha256"]: e for e in compiled().get("toml", ()) if isinstance(e, dict) and "json" in e}
    except (TypeError, KeyError):
        return {}


def to_json(data: Dict[str, Any]) -> Dict[str, Any]:
    """Parsed TOML as stored in compiled.json: its JSON text, with each date/time value null
    there and listed in ``times`` as (path of keys and indices, kind, ISO text)."""
    times: List[Tuple[List[Union[str, int]], str, str]] = []

    def plain(value: Any, at: List[Union[str, int]]) -> Any:
        if isinstance(value, dict):
            return {k: plain(v, at + [k]) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v, at + [i]) for i, v in enumerate(value)]
        for kind, cls in _TIMES.items():  # datetime first: it is also a date
            if isinstance(value, cls):
                times.append((at, kind, value.isoformat()))
                return None
        return value

    text = json.dumps(plain(data, []), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return {"json": text, "times": times} if times else {"json": text}


def from_json(entry: Dict[str, Any]) -> Dict[str, Any]:
    """The parsed TOML an entry of :func:`to_json` stands for (fresh objects on every call)."""
    data = json.loads(entry["json"])
    for at, kind, iso in entry.get("times", ()):
        holder: Any = data
        for key in at[:-1]:
            holder = holder[key]
        holder[at[-1]] = _TIMES[kind].fromisoformat(iso)
    return data


def same(a: Any, b: Any) -> bool:
    """``a == b`` and of the same types all the way down (1 is not 1.0, nor True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (datetime.datetime, datetime.time)):
        return a == b and a.utcoffset() == b.utcoffset() if a.tzinfo or b.tzinfo else a == b
    return a == b


def digest_of(path: Union[str, Path]) -> Optional[str]:
    """The SHA-256 (hex) of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
