"""How small a /dev/shm has to be to be a fault, by where the facts come from (``health.shm_too_small``)."""

from __future__ import annotations

from envcheck.facts import Facts

GiB = 2**30
# A host's /dev/shm is a tmpfs of half its RAM (Documentation/filesystems/tmpfs.rst), a container's
# 64 MiB (Docker's, Kubernetes'). On a known host a default size (1 GiB on a 2 GiB machine) is no fault:
# only one below a quarter of its RAM, or, RAM unknown, below a 512 MiB machine's default.
HOST_SHM_SMALL = 256 * 2**20


def shm_limit(f: Facts) -> int:
    """The size below which /dev/shm is too small: 1 GiB in a container or where nothing says which,
    less on a known host (see above)."""
    c, ram = f.host.container, f.host.ram_total_bytes
    if not (c.ok and c.value == "none"):
        return GiB
    return min(GiB, ram.value // 4) if ram.ok and ram.value else HOST_SHM_SMALL
