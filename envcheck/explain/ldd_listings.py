"""Which ``ldd`` rows of a paste belong to one process (``parsers/loader.py`` reads them)."""

from __future__ import annotations

import re
from typing import Dict, Sequence


class Listings:
    """``ldd`` rows grouped by listing: a paste may hold several programs' listings (``ldd a.so``,
    then ``ldd b.so``; ``ldd a b`` heads each with "a:"), each its own process's view. A library in
    a later listing that an earlier one already gave is that other program's, not a second copy in
    the same process: only two copies within one listing are (rules/versions.py's
    conflicting_cuda_libraries_loaded). A listing is a run of rows with nothing between them but
    glibc's other trace rows (``linux-vdso.so.1 (0x…)``, the loader itself, ``=> not found``)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines
        self._last = -1  # the line of the last ldd row
        self._listing = 0
        self._first: Dict[str, int] = {}  # library base name -> the listing that gave it first

    def keeps(self, path: str, i: int) -> bool:
        if "=>" not in self._lines[i]:
            return True  # /proc/PID/maps, LD_DEBUG: one process's own view
        if self._last < 0 or any(_breaks_listing(self._lines[j]) for j in range(self._last + 1, i)):
            self._listing += 1
        self._last = i
        base = re.sub(r"\.so.*$", "", re.split(r"[/\\]", path)[-1])
        return self._first.setdefault(base, self._listing) == self._listing


def _breaks_listing(line: str) -> bool:
    """A line that is not one of ldd's trace rows: a prompt, a program's name, words."""
    return bool(line.strip()) and "=>" not in line and "(0x" not in line
