"""Which ``ldd`` rows of a paste belong to one process (``parsers/loader.py`` reads them)."""

from __future__ import annotations

import re
from typing import Dict, Sequence, Set

from envcheck.lazyre import lazy


class Listings:
    """``ldd`` rows grouped by listing: a paste may hold several programs' listings (``ldd a.so``,
    then ``ldd b.so``; ``ldd a b`` heads each with "a:"), each its own process's view. A library in
    a later listing that an earlier one already gave is that other program's, not a second copy in
    the same process: only two copies within one listing are (rules/versions.py's
    conflicting_cuda_libraries_loaded). A listing is a run of rows with nothing between them but
    glibc's other trace rows (``linux-vdso.so.1 (0x…)``, the loader itself, ``=> not found``).
    Rows under a command that ran ldd on several programs without their headings
    (``several_programs``) are as many processes as rows: a library's second row there is
    another program's."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines
        self._last = -1  # the line of the last ldd row
        self._listing = 0
        self._first: Dict[str, int] = {}  # library base name -> the listing that gave it first
        self._several = False  # the current listing is several programs' rows, headings dropped
        self._in_listing: Set[str] = set()

    def keeps(self, path: str, i: int) -> bool:
        if "=>" not in self._lines[i]:
            return True  # /proc/PID/maps, LD_DEBUG: one process's own view
        if self._last < 0 or not same_listing(self._lines, self._last, i):
            self._listing += 1
            self._several = several_programs(self._lines, i)
            self._in_listing = set()
        self._last = i
        base = re.sub(r"\.so.*$", "", re.split(r"[/\\]", path)[-1])
        if self._several and base in self._in_listing:
            return False
        self._in_listing.add(base)
        return self._first.setdefault(base, self._listing) == self._listing


# The rows of a listing without "=>": the vDSO and the loader itself ("\\tlinux-vdso.so.1 (0x…)",
# "\\t/lib64/ld-linux-x86-64.so.2 (0x…)"), printed by the same trace (glibc elf/rtld.c).
_BARE_ROW = lazy(r"^\s*\S+\s+\(0x[0-9a-fA-F]+\)\s*$")


def _trace_row(line: str) -> bool:
    """One of ldd's trace rows (a library: " => " a path or "not found"; the vDSO; the loader), or a
    blank line a paste put between them."""
    return not line.strip() or " => " in line or bool(_BARE_ROW.match(line))


def same_listing(lines: Sequence[str], i: int, j: int) -> bool:
    """Rows i and j are one listing: only ldd's trace rows between them; a program's "a:" heading,
    a prompt or words end a listing."""
    return all(_trace_row(lines[k]) for k in range(i + 1, j))


# A shell command running ldd (glibc's ldd script: "ldd [OPTION]... FILE...") on several programs
# whose output lost the "FILE:" heading ldd prints above each one when given several: a loop or
# find -exec running ldd once per file (no heading), xargs or a glob or several operands piped
# through grep (the headings filtered out).
_LDD_LOOP = re.compile(r"\bfor\s+\w+\s+in\b.*\bldd\b|-exec(?:dir)?\s+ldd\b|\bxargs\b[^|;\n]*\bldd\b")
_LDD_ARGS = re.compile(r"\bldd((?:\s+(?:\$\([^)\n]*\)|`[^`\n]*`|\"[^\"\n]*\"|'[^'\n]*'|[^\s|;&<>]+))+)\s*\|")
_ONE_WORD = re.compile(r"\$\([^)\n]*\)|`[^`\n]*`|\"[^\"\n]*\"|'[^'\n]*'")


def several_programs(lines: Sequence[str], i: int) -> bool:
    """Are the ldd rows from line ``i`` on several programs' rows with no heading between them?
    Read from the command line above them (the first line up from ``i`` that is not a trace row)."""
    for j in range(i - 1, max(-1, i - 400), -1):
        line = lines[j]
        if _trace_row(line):
            continue
        if "ldd" not in line:
            return False
        if _LDD_LOOP.search(line):
            return True
        m = _LDD_ARGS.search(line)
        if m is None:
            return False
        # a command substitution or a quoted path is one operand ("ldd $(which python) | grep …")
        operands = [a for a in _ONE_WORD.sub("X", m.group(1)).split() if not a.startswith("-")]
        return len(operands) > 1 or any(c in a for a in operands for c in "*?[")
    return False
