"""Reading a file the user named on the command line: bounded, and one clear line on failure.

Bounded because `--facts /dev/zero` or a wrong multi-GB file must not eat the memory:
the caller gets at most ``limit + 1`` bytes and decides what "too large" means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

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
