"""Free disk space: envcheck's own measurement of the cache disk, or a person saying a disk is full.

Live, ``statvfs`` of envcheck's cache directory gives the free bytes. Explained, a person's
"I ran out of disk space" / 磁盘空间不足 (explain/parsers/host_health.py) is a failed reading
of it with the sentence as its detail: the finding it gives is likely, and names what was
said. The OS's own "No space left on device" / "Disk quota exceeded" are catalogue messages
(rules/upstream.py), confirmed on their own; the engine merges the two.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.df_reading import df_row
from envcheck.derived.messages import is_stated
from envcheck.reading import Status
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding

GiB = 2**30


def low_disk_space(ctx: RuleContext) -> Iterator[Finding]:
    h = ctx.facts.host
    free = h.cache_disk_free_bytes
    if free.status is Status.ERROR and is_stated(free):
        # A person's words, no number: "I ran out of disk space", 磁盘空间不足.
        yield make("low_disk_space",
                   f"The text says a disk ran out of space ({free.detail.split(': ', 1)[-1]}). Model downloads, data "
                   "sets, checkpoints and pip's wheel cache fail to write on a full file system; `df -h` shows which "
                   "one is full (often / or /tmp, or a container's volume).",
                   evidence(("host.cache_disk_free_bytes", free)), confidence=Confidence.LIKELY)
        return
    if not free.ok:
        return
    row = df_row(free)
    if row:
        # A pasted df table's row at 100% (explain/parsers/df_full.py): the mount it names, not envcheck's cache.
        yield make("low_disk_space",
                   f"The pasted df output shows a full file system ({row}, {free.value / GiB:.1f} GiB available). Downloads "
                   "(pip's wheels and Hugging Face models go through /tmp and ~/.cache), checkpoints and compiler temporaries "
                   "written there fail; free space or point TMPDIR / the cache at a volume with room.",
                   evidence(("host.cache_disk_free_bytes", free)))
        return
    # Data sets, checkpoints and wheels need absolute space: 10 GiB free is what a CUDA torch
    # install plus Fashion-MNIST and a few checkpoints take, whatever the disk's size.
    if free.value >= 10 * GiB:
        return
    where = h.cache_dir.value if h.cache_dir.ok else "envcheck's cache directory"
    yield make("low_disk_space",
               f"Only {free.value / GiB:.1f} GiB is free on the disk holding {where}. Data sets, checkpoints and pip's wheel cache (a CUDA "
               "PyTorch install alone downloads several GiB) will fail to write.",
               evidence(("host.cache_disk_free_bytes", free.value), ("host.cache_dir", h.cache_dir)))
