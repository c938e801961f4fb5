"""The notes a reader leaves on the facts for a rule: a person's account kept as a line that starts
with a fixed phrase (``facts.SAID_FAILING``, ``derived/runtime_said.RUNTIME_SAID``, ...), not as a
reading. Each phrase's module says what its note holds; this finds it."""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.facts import Facts


def note_after(facts: Facts, prefix: str) -> Optional[str]:
    """What follows ``prefix`` in the first of the facts' notes that starts with it, or None."""
    return next((n[len(prefix):] for n in facts.notes if n.startswith(prefix)), None)


def named_note(facts: Facts, prefix: str) -> Optional[Tuple[str, str]]:
    """For a note that names a thing and then quotes the person ("… : cudnn64_8.dll — “…” (line 3)"):
    (the thing named, the words quoted with their line), or None."""
    rest = note_after(facts, prefix)
    if rest is None:
        return None
    name, _, said = rest.partition(" — ")
    return name, said
