"""The detail a person's "GPU memory stays held after the process ended" claim carries
(``explain/parsers/held_memory_prose.py`` writes it, ``rules/held_memory.py`` reads it), so
the rule knows the failed reading is that statement and not a tool that could not read."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL

HELD_DETAIL = f"{STATED_DETAIL}: GPU memory said to stay held by a process that ended or is not listed"
