"""The detail a person's "DataLoader workers set to 0 got past it, in a container" claim carries
(``explain/parsers/shm_workers_said.py`` writes it on ``host.shm_total_bytes``, ``rules/health.py``
words its finding by it): a workaround told, not a size or a shortage said."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL

WORKERS_DETAIL = f"{STATED_DETAIL}: DataLoader workers set to 0 got past the failure in a container"
