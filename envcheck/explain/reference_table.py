"""Lines of a paste that quote NVIDIA's Xid catalogue, not this machine's kernel log.

A person pastes the table of Xid codes and their meanings ("Xid 48: Double Bit ECC Error",
"| 79 | GPU has fallen off the bus |", copied from https://docs.nvidia.com/deploy/xid-errors/ or a
monitoring tool's alert list) to ask which codes matter, or above their own question. Each row
holds a catalogued message's words ("GPU has fallen off the bus", "Double Bit ECC Error"), and read
as output they would make this machine's GPU lost and its memory failing. The kernel's own report
has another shape ("NVRM: Xid (PCI:0000:3b:00): 79, pid=…, GPU has fallen off the bus."), and a
person telling what their log showed says so ("dmesg shows Xid 79", a list under "dmesg shows
repeated Xid events:", read by ``parsers/xid_said.py``).

:func:`table_lines` finds the rows: three or more lines, each a code followed by its meaning
("Xid 13: Graphics Engine Exception", "- `Xid 31` — GPU memory page fault"; under a header naming
Xid, also "| 79 | GPU has fallen off the bus |" and "79<TAB>GPU has fallen off the bus"), at least
three different codes, no more than two lines apart, none counting its occurrences ("(3 times)"),
and not under a line saying a log showed them ("dmesg shows:", "we got these on our cluster:"); also
a single code defined in a sentence ("Xid 79 means the GPU has fallen off the bus") where the line
says no log showed it.
:func:`drop` removes what every parser read on those lines.
"""

from __future__ import annotations

import dataclasses
import re
from typing import FrozenSet, List, Optional, Set

from envcheck.explain.partial import Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE
# A row naming the code itself: an optional list mark or table bar, "Xid" and the code, then a
# separator and the first word of its meaning (the docs' "Xid 79: GPU has fallen off the bus").
_XID_ROW = lazy(r"^\s*(?:[-*•+|]|\d{1,2}[.)])?\s*[`*_|]*\s*Xid\s*#?\s*(?P<code>\d{1,3})\b(?:\s*/\s*\d{1,3})*"
                r"[`*_]*\s*(?:[:：|=–—-]|\s{2,}|\t)\s*[`*_|]*\s*[A-Za-z(]", _I)
# Under a header naming Xid ("| Xid | Failure |", "XID  Description"): a row starting with the bare code.
_CODE_ROW = lazy(r"^\s*\|?\s*(?P<code>\d{1,3})\s*(?:\||\t|\s{2,}|[:–—-]\s)\s*[`*_]*\s*[A-Za-z(]")
_HEADER = lazy(r"\bxid\b", _I)
# The words before a list that make it this machine's log: "dmesg shows …:", "journalctl -k has",
# "we see these Xids", "I got the following".
_SEEN = lazy(r"\b(?:dmesg|journalctl|syslog|kern\.log|kernel\s+log|(?:the|our|my)\s+logs?)\b[^\n]{0,80}?"
             r"\b(?:show(?:s|ed|ing)?|has|had|have|contain(?:s|ed)?|report(?:s|ed)?|print(?:s|ed)?|logged)\b"
             r"|\b(?:we|I)\s+(?:\w+\s+){0,2}?(?:see|saw|seeing|get|got|getting|had|observed?|hit|notic(?:e|ed)|"
             r"encounter\w*|experienc\w*)\b|\b(?:from|on|in)\s+(?:our|my)\s+(?:cluster|nodes?|servers?|machines?|fleet|gpus?)\b", _I)
# One code defined in a sentence (review of round 23): "Xid 79 means the GPU has fallen off the bus", "Xid 48
# indicates a double bit ECC error", "Xid 13 is a graphics engine exception": NVIDIA's catalogue retold
# (https://docs.nvidia.com/deploy/xid-errors/), unless the line says a log showed it ("… and dmesg shows it").
_DEFINED = lazy(r"\bXid\s*#?\s*\d{1,3}\s*[`*_]*\s+(?:means|indicates|signals|signifies|stands\s+for|refers\s+to"
                r"|is\s+(?:a|an|the|when|what|caused|raised|reported\s+when)\b)", _I)
# A row counting its code's occurrences ("Xid 79: GPU has fallen off the bus (3 times)"): events seen.
_COUNTED = lazy(r"\b\d+\s*(?:times|occurrences|events?)\b|\(\s*x?\s*\d+\s*x?\s*\)", _I)
# A note quoting its line at its end, as parsers write them: "… (line 8)".
_NOTE_LINE = lazy(r"\(line (\d+)\)$")
_MIN_ROWS = 3
_GAP = 2  # rows may be this many lines apart (a blank line, a wrapped meaning)
_HEADER_REACH = 3  # a header this many lines above a block's first bare-code row


def _code(line: str, header: bool) -> Optional[int]:
    m = _XID_ROW.match(line) or (_CODE_ROW.match(line) if header else None)
    return int(m.group("code")) if m else None


def _seen_above(lines, first: int) -> bool:
    """Does one of the two lines above the block say a log showed these codes?"""
    return any(_SEEN.search(lines[j]) for j in range(max(0, first - 2), first) if lines[j].strip())


def table_lines(doc: Pasted) -> FrozenSet[int]:
    """The lines (0-based) of quoted Xid catalogue rows (see the module's docstring)."""
    hits = doc.lines_containing("xid")
    if len(hits) < 1:
        return frozenset()
    lines = doc.lines
    out: Set[int] = set()
    for h in hits:
        if h in out:
            continue
        start = h
        header = _HEADER.search(lines[h]) is not None and _code(lines[h], False) is None
        block: List[int] = []
        codes: Set[int] = set()
        i, last = (h + 1 if header else h), None
        stop = min(len(lines), start + 400)
        while i < stop:
            code = _code(lines[i], header)
            if code is not None:
                block.append(i)
                codes.add(code)
                last = i
            elif last is None and i - start > _HEADER_REACH:
                break
            elif last is not None and i - last > _GAP:
                break
            i += 1
        if len(block) >= _MIN_ROWS and len(codes) >= _MIN_ROWS and not _seen_above(lines, block[0]) \
                and not any(_COUNTED.search(lines[j]) for j in block):
            out.update(block)
    for h in hits:
        if h not in out and _DEFINED.search(lines[h]) and not _SEEN.search(lines[h]) and not _COUNTED.search(lines[h]):
            out.add(h)
    return frozenset(out)


def drop(doc: Pasted, found: List[Found]) -> List[Found]:
    """``found`` without what was read on :func:`table_lines`."""
    rows = table_lines(doc)
    if not rows:
        return found
    out = []
    for f in found:
        if not (any(c.line in rows for c in f.claims) or any(g.line in rows for g in f.gpus)
                or any(it.line in rows for it in f.items) or any(_noted_on(n, rows) for n in f.notes)):
            out.append(f)
            continue
        out.append(dataclasses.replace(f, claims=[c for c in f.claims if c.line not in rows],
                                       gpus=[g for g in f.gpus if g.line not in rows],
                                       items=[it for it in f.items if it.line not in rows],
                                       notes=[n for n in f.notes if not _noted_on(n, rows)]))
    return out


def _noted_on(note: str, rows: FrozenSet[int]) -> bool:
    """Does a parser's note quote one of the rows ("the text says something fails: “…” (line 8)")?"""
    m = _NOTE_LINE.search(note)
    return m is not None and int(m.group(1)) - 1 in rows
