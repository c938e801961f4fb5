"""Reading a file the user named on the command line: bounded, and one clear line on failure.

Bounded because `--facts /dev/zero` or a wrong multi-GB file must not eat the memory:
the caller gets at most ``limit + 1`` bytes and decides what "too large" means.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Union

from .errors import EnvcheckError


def read_bounded(path: Union[str, Path], limit: int) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise EnvcheckError(f"{path}: is a directory, not a file")
        with p.open("rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise EnvcheckError(f"{path}: no such file") from None
    except PermissionError:
        raise EnvcheckError(f"{path}: permission denied") from None
    except OSError as exc:
        raise EnvcheckError(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_json(path: Union[str, Path], limit: int, what: str) -> Any:
    """The JSON document in ``path`` (at most ``limit`` bytes); every way it can be wrong —
    too large, not text, not JSON, nested too deeply, an integer of thousands of digits
    (Python refuses to convert those: a ``ValueError`` that is not a ``JSONDecodeError``)
    — is one :class:`EnvcheckError` line naming ``what`` was expected (a noun: "envcheck snapshot")."""
    data = read_bounded(path, limit)
    if len(data) > limit:
        raise EnvcheckError(f"{path}: larger than any {what} ({_size(limit)}); not a {what}")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise EnvcheckError(f"{path}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise EnvcheckError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise EnvcheckError(f"{path}: not a {what} (JSON nested too deeply)") from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise EnvcheckError(f"{path}: not a {what} ({str(exc).split(';')[0]})") from None


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n:,} bytes"
