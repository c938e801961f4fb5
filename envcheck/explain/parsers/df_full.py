"""A full file system in pasted ``df`` output: a tool's reading of free space.

GNU coreutils df (src/df.c) prints a header "Filesystem Size Used Avail Use% Mounted on" (``-h``;
"1K-blocks … Available" without it, a "Type" column with ``-T``) and one row per mount. A row
at 100% or with nothing available on a file system that takes writes (/, /tmp, /home, a data
or scratch volume, a container's overlay) is the disk full: "tmpfs 3.9G 3.9G 0 100% /tmp"
after curl's "Failure writing output to destination". Read only under a df header
(``doc.lines_containing("mounted on")``), never ``df -i`` (inodes: no Avail column).

Always full by design, and said nothing of: snap's and other read-only images (squashfs loop
devices under /snap, ISO images under /media, /cdrom), /boot and /boot/efi, the kernel's
pseudo file systems (/dev, /proc, /sys, /run) and WSL's driver mounts. /dev/shm is
shm_too_small's (host_health.py).
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.df_reading import df_detail
from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

# coreutils df's header (src/df.c get_header): "Avail" with -h/-H, "Available" with -k/-P.
_HEADER = lazy(r"^\s*Filesystem\s+(?:Type\s+)?(?:Size|1K-blocks|1024-blocks|\d+[KMG]?-blocks)\s+Used\s+Avail(?:able)?\s+"
               r"(?:Use|Capacity)%\s+Mounted\s+on\s*$", 0)
# One df row: file system, optional type, size, used, avail, use%, mount point.
_ROW = lazy(r"^\s*(?P<fs>\S+)\s+(?:(?P<type>[a-z][\w.]*)\s+)?(?P<size>\d+(?:[.,]\d+)?)(?P<su>[KMGTP]i?)?\s+"
            r"(?P<used>\d+(?:[.,]\d+)?)(?:[KMGTP]i?)?\s+(?P<avail>\d+(?:[.,]\d+)?)(?P<au>[KMGTP]i?)?\s+(?P<use>\d{1,3})%\s+"
            r"(?P<mount>/\S*)\s*$", 0)
_ALWAYS_FULL = lazy(r"^/(?:snap|boot|media|cdrom|run|dev|proc|sys|usr/lib/wsl|mnt/wsl|var/lib/snapd/snap)(?:/|$)", 0)
_READ_ONLY_FS = ("squashfs", "iso9660", "udf", "devtmpfs", "udev")
_UNIT = {"": 2**10, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}


def _bytes(number: str, unit: Optional[str], blocks: bool) -> Optional[int]:
    u = (unit or "").upper().rstrip("I")
    if not u and not blocks and float(number.replace(",", ".")) != 0:
        return None  # a bare number under an -h header: unit unknown
    return int(float(number.replace(",", ".")) * _UNIT[u])


def full_row(line: str, blocks: bool) -> Optional[Tuple[str, int, int]]:
    """(mount point, use %, available bytes) of a df row on a full, writable file system."""
    m = _ROW.match(line)
    if not m:
        return None
    mount, fs, kind = m.group("mount"), m.group("fs"), (m.group("type") or "").lower()
    if _ALWAYS_FULL.match(mount) or fs.startswith("/dev/loop") or fs.lower() in _READ_ONLY_FS or kind in _READ_ONLY_FS:
        return None
    avail = _bytes(m.group("avail"), m.group("au"), blocks)
    size = _bytes(m.group("size"), m.group("su"), blocks)
    use = int(m.group("use"))
    if avail is None or not size:
        return None
    return (mount, use, avail) if use >= 100 or avail == 0 else None


def read(doc: Pasted, f: Found) -> None:
    """The first full file system in the text's df tables, as the free space read."""
    lines = doc.lines
    for h in doc.lines_containing("mounted on"):
        if not _HEADER.match(lines[h]):
            continue
        blocks = "blocks" in lines[h]
        for i in range(h + 1, min(len(lines), h + 200)):
            if not lines[i].strip() or _HEADER.match(lines[i]):
                break
            row = full_row(lines[i], blocks)
            if row:
                mount, use, avail = row
                f.set("host.cache_disk_free_bytes", avail, i, rank=TOOL,
                      detail=df_detail(i + 1, mount, use))
                return
