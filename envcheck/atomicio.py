"""Write files so that a reader never sees half of one — and only replace what is a file.

A regular file (or a new one) is written to a temporary file in the same directory,
flushed, fsynced and renamed over the target (atomic on POSIX); on any failure the
temporary file is removed and whatever was at the target before is untouched. A
symlink to a regular file keeps its link: the file it points to is replaced.

Anything else is written *through*, never replaced: ``-`` is stdout, and a FIFO, a
character device (``/dev/null``, ``/dev/full``, a terminal) or a symlink to one
(``/dev/stdout``) is opened and written like ``cat > PATH`` would. Renaming over those
turned ``/dev/full`` into a JSON file when run as root. A directory is refused, and so
is a missing parent directory: a typo in a path must not silently grow a tree.

New files get the permissions ``open()`` would give them (0666 less the umask); a file
that is replaced keeps its permissions.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]
STDOUT = "-"


def umask() -> int:
    """The process umask, read without changing it where Linux tells it (``/proc/self/status``)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)  # elsewhere the only way to read it is to set it (and put it back)
    os.umask(old)
    return old


def new_file_mode() -> int:
    """What ``open(path, "w")`` would give a new file: 0666 less the umask."""
    return 0o666 & ~umask()


def _stat(path: Path) -> Optional[os.stat_result]:
    try:
        return os.stat(path)  # follows symlinks: what a write would reach
    except FileNotFoundError:
        return None


def replaceable(path: PathLike) -> bool:
    """True when ``path`` is (or will be) a regular file that an atomic write replaces;
    False for ``-``, FIFOs, devices and links to them, which are written through."""
    if str(path) == STDOUT:
        return False
    st = _stat(Path(path))
    return st is None or stat.S_ISREG(st.st_mode)


def target_problem(path: PathLike) -> Optional[str]:
    """Why a write to ``path`` would fail (one phrase), or None — checked before a long run,
    so a bad ``--report`` costs nothing."""
    if str(path) == STDOUT:
        return None
    target = Path(path)
    st = _stat(target)
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None if os.access(target, os.W_OK) else "permission denied"
    parent = (Path(os.path.realpath(target)) if target.is_symlink() else target).parent
    if not parent.is_dir():
        return f"the directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot write in {parent}"
    return None


def _write_through(path: PathLike, data: bytes) -> None:
    if str(path) == STDOUT:
        out = sys.stdout.buffer
        out.write(data)
        out.flush()
        return
    with open(path, "wb") as fh:  # O_TRUNC on a device or FIFO is harmless
        fh.write(data)


def atomic_write_bytes(path: PathLike, data: bytes, mode: Optional[int] = None) -> Path:
    """Write ``data`` to ``path``: atomically for a regular file, through for anything else.

    ``mode`` overrides the permissions of the written file (default: keep a replaced
    file's, else 0666 less the umask). Raises ``OSError`` with a readable ``strerror``.
    """
    target = Path(path)
    st = _stat(target) if str(path) != STDOUT else None
    if str(path) == STDOUT or (st is not None and not stat.S_ISREG(st.st_mode)):
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        _write_through(path, data)
        return target
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    parent = real.parent
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the directory {parent} does not exist", str(path))
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def atomic_write_text(path: PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: PathLike, data: Any) -> Path:
    return atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
