"""Reading envcheck's TOML data files (knowledge tables, recipes, reference results).

One loader, so the Python 3.10 fallback (``tomli``) and the error wording live in one
place. A missing or broken shipped file is a broken installation: one line naming the
file (``SetupError`` by default; callers with their own error class pass it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Type, Union

from .errors import EnvcheckError, SetupError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError


def read_toml(path: Union[str, Path], error: Type[EnvcheckError] = SetupError) -> Dict[str, Any]:
    """The parsed file; ``error`` (one line naming the file) when it is missing, unreadable or not TOML."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise error(f"{p}: not found (envcheck is installed without its data files)") from None
    except TOMLDecodeError as exc:
        raise error(f"{p}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise error(f"{p}: cannot read: {exc.strerror or exc}") from None


def parse_toml(text: str, origin: str, error: Type[EnvcheckError] = SetupError) -> Dict[str, Any]:
    """TOML from a string (a test's inline table); ``origin`` names it in the error."""
    try:
        return tomllib.loads(text)
    except TOMLDecodeError as exc:
        raise error(f"{origin}: not valid TOML: {exc}") from None
