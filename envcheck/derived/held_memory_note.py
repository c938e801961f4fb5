"""The note a person's "GPU memory stays held by a process that is gone or not listed" sentence
leaves besides its claim on the used memory (``explain/parsers/held_memory_prose.py``).

A pasted nvidia-smi outranks the claim on ``memory_used_bytes`` (its number is a tool's), so the
claim itself is lost when both are there; yet a table whose used memory is large while its
process list is empty is exactly what the person describes (the holder is in another PID
namespace, or a child of a killed process). ``rules/held_memory.py`` reads the note beside such
a table.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

HELD_NOTE = "the text says GPU memory stays held by a process that is gone or not listed: "


def held_said(facts: Facts) -> Optional[str]:
    """The person's sentence (quoted, with its line), or None."""
    return note_after(facts, HELD_NOTE)
