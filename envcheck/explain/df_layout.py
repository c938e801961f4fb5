"""Whether a pasted ``df`` table was run on a host or inside a container, from its own rows.

Docker and Podman mount a container's ``/dev/shm`` as a tmpfs named ``shm`` (64 MiB unless
``--shm-size``/``--ipc=host``), and its root file system is the storage driver's ``overlay``
(``/dev/mapper/docker-…`` under devicemapper). A host's ``/dev/shm`` is systemd's ``tmpfs``
(half of RAM by default: Documentation/filesystems/tmpfs.rst, "size … default is half of your
physical RAM"), and its ``/`` is a block device (``/dev/nvme0n1p2``, ``/dev/mapper/ubuntu--vg-…``).

:func:`host_df` says the table around a ``/dev/shm`` row is a host's: that row's file system is
``tmpfs`` and the table's ``/`` row is a block device that is not Docker's. Anything else (an
``overlay`` root, a ``shm`` file system, a table without its ``/`` row) says nothing.
"""

from __future__ import annotations

from typing import Optional, Sequence

from envcheck.lazyre import lazy

# One df row (coreutils df: Filesystem, Size/1K-blocks, Used, Avail, Use%, Mounted on).
_ROW = lazy(r"^\s*(?P<fs>\S+)\s+\S+\s+\S+\s+\S+\s+\d{1,3}%\s+(?P<mnt>/\S*)\s*$")
_REACH = 80  # rows of one table above and below the /dev/shm row


def _root_fs(lines: Sequence[str], i: int) -> Optional[str]:
    """The file system of the ``/`` row of the df table holding line ``i`` (rows without blank lines between)."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= _REACH and lines[j].strip():
            m = _ROW.match(lines[j])
            if m and m.group("mnt") == "/":
                return m.group("fs")
            j += step
    return None


def host_df(lines: Sequence[str], i: int) -> Optional[str]:
    """A detail naming the host's ``/`` row when line ``i`` (a df row of ``/dev/shm``) belongs to a
    host's df table (see the module's docstring), else None."""
    m = _ROW.match(lines[i])
    if m is None or m.group("fs") != "tmpfs" or m.group("mnt") != "/dev/shm":
        return None
    root = _root_fs(lines, i)
    if root is None or not root.startswith("/dev/") or "docker" in root:
        return None
    return f"df shows / on {root} and /dev/shm as the host's tmpfs, not a container's"
