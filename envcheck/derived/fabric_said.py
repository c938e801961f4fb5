"""A person saying NVIDIA Fabric Manager's version does not match the driver's, read by
``explain/parsers/fabric_prose.py`` and weighed by ``rules/hosting.py``.

Fabric Manager is only installed and started on NVSwitch systems (HGX/DGX boards, the cloud's
8-GPU SXM machines), and it refuses to start against a driver of another version ("fabric manager
NVIDIA GPU driver interface version X don't match with driver version Y"). A person telling that
mismatch has such a system and a Fabric Manager that is not running, even where the text names
no NVSwitch or SXM GPU. Kept as a note on the facts (as ``derived.clock_settings`` does): it is
the person's account, quoted, and a finding on it is "likely".
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

FM_MISMATCH_SAID = "the text says Fabric Manager's version does not match the driver's: "


def fabric_mismatch_said(facts: Facts) -> Optional[str]:
    """The person's words about the mismatch (quoted, with their line), or None."""
    return note_after(facts, FM_MISMATCH_SAID)
