"""The note a person's sentence about ECC errors of the host's own memory leaves (a DIMM, the
system RAM, EDAC: ``explain/parsers/ecc_prose.py``).

"longma has a failed DIMM throwing uncorrectable ECC errors" is the server's memory, not a
GPU's; another reader of the same sentence may still put "uncorrectable ECC errors" on the GPU,
so ``rules/ecc_said.py`` reads this note to keep a person's bare ECC claim off the GPU.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

HOST_ECC_NOTE = "the text tells of ECC errors in the host's own memory (a DIMM, the RAM, EDAC), not a GPU's: "


def host_ecc_said(facts: Facts) -> Optional[str]:
    """The person's sentence (quoted, with its line), or None."""
    return note_after(facts, HOST_ECC_NOTE)
