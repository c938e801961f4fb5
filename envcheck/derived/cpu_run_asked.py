"""The note explain/parsers/cpu_run_asked.py leaves for rules/platform.py: the text's code or command
tells the run to use the CPU (``device="cpu"``, ``torch.device("cpu")``, ``--device cpu``, ``--cpu``).
The note is its phrase, then the words quoted with their line."""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

CPU_RUN_ASKED = "the text's code or command tells the run to use the CPU: "


def cpu_run_asked(facts: Facts) -> Optional[str]:
    """The quoted setting that tells the run to use the CPU, or None."""
    return note_after(facts, CPU_RUN_ASKED)
