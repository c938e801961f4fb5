"""A reproduction, in a person's steps, of a container losing the GPU at a host's daemon reload.

``explain/parsers/container_lost_prose.py`` writes the note (the GPU used in a container, then
``systemctl daemon-reload`` on the host, then the GPU in the container again); the rule
``rules/container_reload_repro.py`` reads it.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

RELOAD_REPRO = "the text reproduces a container's GPU use across a host's systemctl daemon-reload: "


def reload_repro(facts: Facts) -> Optional[str]:
    """The step quoted (with its line), or None."""
    return note_after(facts, RELOAD_REPRO)
