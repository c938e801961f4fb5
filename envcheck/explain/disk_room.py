"""A disk-space message asked about and answered with room to spare: not this machine's failure.

"Disk quota exceeded? I think it's the HF cache, but actually I have 100GB quota and it's fine",
"No space left on device? The disk has 400 GB free": the person wonders whether the OS's
message (glibc's ENOSPC / EDQUOT text, Windows' ERROR_DISK_FULL; messages.toml, those that
support low_disk_space) is their trouble and says the space is there. errors_messages'
_ANSWERED_NO reads the plain "? No, …"; this reads the answer given as room.

Only right after the question (the rest of its line and the next two lines), and not when the
room is undone ("I have 100GB quota but it is full", "I thought I had 100 GB free"): those still
report a full disk.
"""

from __future__ import annotations

import re
from typing import Sequence

from envcheck.knowledge import messages
from envcheck.lazyre import lazy

_SIZE = r"(?:about\s+|over\s+|more\s+than\s+|at\s+least\s+|~\s*)?\d+(?:[.,]\d+)?\s*(?:[GT]i?B|[GT]|gigs?|gigabytes?|terabytes?)\b"
# The room said: "I have 100GB quota", "we still have 2 TB free", "the disk has 400 GB free",
# "plenty of space", "the quota is fine", "disk is not full".
_ROOM = lazy(
    rf"\b(?:i|we)\s+(?:still\s+|do\s+|actually\s+)?(?:have|had|got)\s+{_SIZE}\s*(?:of\s+)?(?:free\s+|disk\s+|storage\s+)?"
    r"(?:quota|free|left|available|space|storage|disk)\b"
    rf"|\b(?:disk|drive|partition|volume|quota|home|filesystem|file\s+system)\s+(?:still\s+)?(?:has|shows)\s+{_SIZE}\s*"
    r"(?:of\s+)?(?:free|left|available|space)\b"
    r"|\bplenty\s+of\s+(?:free\s+|disk\s+)?(?:space|room|quota|storage)\b"
    r"|\b(?:quota|disk|space|storage|drive)\s+is\s+(?:fine|ok(?:ay)?|not\s+(?:full|exceeded|the\s+(?:issue|problem)))\b",
    re.I)
# The room undone after it ("… but it's full", "… yet writes fail") or doubted before it in its
# clause ("I thought I had …", "I should have …", "if I have …").
_UNDONE_AFTER = lazy(r"^[^.!?;\n]{0,60}?\b(?:but|yet|however|though|except|until)\b", re.I)
_DOUBTED_BEFORE = lazy(r"\b(?:thought|think|supposed|should|if|assum\w*|believed?)\b[^,.!?;]*$", re.I)
# The message itself asked: its "?" right after it ("Disk quota exceeded?", "'No space left on
# device'?"); "No space left on device when I download, any idea? I have 400GB free" got it.
_ASKED = lazy(r"[\s'\"`“”‘’)]{0,3}[?？]")
_BUT = lazy(r"\bbut\b", re.I)
_SPACE_FINDING = "low_disk_space"
_SPAN = 300


def room_answered(message_id: str, lines: Sequence[str], i: int, end: int) -> bool:
    """Is the disk-space message ending at ``end`` of line ``i`` asked about and answered with
    room to spare (the module's docstring)?"""
    line = lines[i]
    head = line[end:end + 5]
    # The cheap tests first: a long log holds thousands of messages, few of them asked.
    if ("?" not in head and "？" not in head) or not _ASKED.match(line, end):
        return False
    if _SPACE_FINDING not in messages.catalogue().get(message_id).findings():
        return False
    text = "\n".join([line[end:end + _SPAN]] + [s[:_SPAN] for s in lines[i + 1:i + 3]])
    for m in _ROOM.finditer(text):
        head = text[max(0, m.start() - 80):m.start()]
        if _DOUBTED_BEFORE.search(_BUT.split(head)[-1]) or _UNDONE_AFTER.search(text[m.end():]):
            continue
        return True
    return False
