"""The detail a person's "DataLoader workers set to 0 got past it, in a container" claim carries
(``explain/parsers/shm_workers_said.py`` writes it on ``host.shm_total_bytes``, ``rules/health.py``
words its finding by it): a workaround told, not a size or a shortage said."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL

WORKERS_DETAIL = f"{STATED_DETAIL}: DataLoader workers set to 0 got past the failure in a container"
# The converse (r28h): DataLoader workers above 0 said to bring the failure, in a container.
WORKERS_FAIL_DETAIL = f"{STATED_DETAIL}: the failure said to come with DataLoader workers above 0, in a container"
# A process killed by SIGBUS ("Bus error (core dumped)", torch elastic's "Signal 7 (SIGBUS)", DeepSpeed's
# "return code = -7"), with /dev/shm named as the way out or the run in a container with no shm setting
# (explain/parsers/shm_workers_said.py, r27h).
SIGBUS_DETAIL = f"{STATED_DETAIL}: a process killed by SIGBUS (bus error), where /dev/shm is what runs short"


def said_head(detail: str) -> str:
    """The opening of shm_too_small's explanation for a person's words (``rules/health.py``): a
    workaround told (workers=0), a bus error with /dev/shm named, or a shortage said."""
    said = detail.split(": ", 1)[-1]
    if detail.startswith(WORKERS_DETAIL):
        return f"The text says {said}; with no workers nothing goes through /dev/shm. "
    if detail.startswith(WORKERS_FAIL_DETAIL):
        return f"The text says {said}. "
    if detail.startswith(SIGBUS_DETAIL):
        return (f"A process in the text died of SIGBUS (“bus error”) and /dev/shm is what ran short "
                f"({detail[len(SIGBUS_DETAIL) + 2:]}). ")
    return f"The text says shared memory ran short ({said}). "
