"""The detail on Xid events a person names in their own words (``explain/parsers/xid_said.py``
writes it; ``rules/health.py`` and ``rules/xid_memory.py`` read it to make their findings
"likely": the codes are the person's summary, not the kernel's lines)."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

XID_SAID_DETAIL = f"{STATED_DETAIL}: Xid codes the person says the kernel log showed"


def xid_said(reading: Reading) -> bool:
    return str(reading.detail or "").startswith(XID_SAID_DETAIL)
