"""A driver branch a person names without its full version ("my driver is 525", "driver
version 470", "the 535 driver"), read by ``explain/parsers/driver_branch_said.py``.

A branch is not a version: "525" compared with a minimum like 525.60.13 would call a driver of
that very branch too old. So the number is never ``nvml.driver_version``'s reading; it is a
failed reading (rank below every real one) whose detail carries the branch, as
``cuda_said`` does for a CUDA number. Only rules that need nothing finer than the branch's
newest CUDA read it (``rules/driver_older_program.py``)."""

from __future__ import annotations

from typing import Optional

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

BRANCH_SAID_DETAIL = f"{STATED_DETAIL}: the driver's branch said to be"


def said_branch(reading: Reading) -> Optional[str]:
    """The driver branch a person gave ("525"), else None."""
    detail = str(reading.detail or "")
    if reading.ok or not detail.startswith(BRANCH_SAID_DETAIL):
        return None
    return detail[len(BRANCH_SAID_DETAIL):].split()[0]
