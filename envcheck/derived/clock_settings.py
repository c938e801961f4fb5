"""A person saying their GPU runs clocks or voltage of their own choosing (an overclock, an
undervolt, offsets set in MSI Afterburner or ``nvidia-settings``), read by
``explain/parsers/clock_settings_prose.py`` and judged by ``rules/clock_settings.py``.

NVML can read the offsets (``nvmlDeviceGetGpcClkVfOffset`` / ``nvmlDeviceGetMemClkVfOffset``,
R510 and later), but no pasted tool output prints them; people retell them. It is kept as a
note on the facts (as ``facts.SAID_FAILING`` is), not as a reading: it is the person's account
of a setting, quoted, and a finding on it is "likely".
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

CLOCKS_CHANGED = "the text says the GPU runs clocks or voltage changed from stock: "


def clocks_changed(facts: Facts) -> Optional[str]:
    """The person's words about the changed clocks (quoted, with their line), or None."""
    return note_after(facts, CLOCKS_CHANGED)
