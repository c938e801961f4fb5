"""Message sizes, element counts and bandwidths exactly as nccl-tests defines them.

From nccl-tests' ``doc/PERFORMANCE.md`` (https://github.com/NVIDIA/nccl-tests/blob/master/doc/PERFORMANCE.md):

* ``algbw = S / t`` — S the operation's size in bytes, t the time of one operation;
* ``busbw = algbw × factor`` — all_reduce ``2(n-1)/n``, reduce_scatter and all_gather
  ``(n-1)/n``, broadcast ``1``; the factor makes the figure comparable with the hardware's
  per-rank bandwidth whatever the number of ranks n.

For all_gather and reduce_scatter S is the size of the *whole* array (``count × n``
elements, count the per-rank part), as nccl-tests prints it; for all_reduce and broadcast
it is one rank's buffer. Sizes round down to whole elements per rank (at least one), so a
small S over many ranks grows to ``n × 4`` bytes — nccl-tests does the same. GB/s are
10^9 bytes per second, time is the mean over ranks (nccl-tests' default ``-a 1``).
"""

from __future__ import annotations

from dataclasses import dataclass

COLLECTIVES = ("all_reduce", "all_gather", "reduce_scatter", "broadcast")
ELEMENT_BYTES = 4  # float32, nccl-tests' default type


def busbw_factor(collective: str, ranks: int) -> float:
    n = max(ranks, 1)
    if collective == "all_reduce":
        return 2 * (n - 1) / n
    if collective in ("all_gather", "reduce_scatter"):
        return (n - 1) / n
    if collective == "broadcast":
        return 1.0
    raise ValueError(f"unknown collective {collective!r}")


@dataclass(frozen=True)
class Shape:
    """Elements in and out on each rank, and S (bytes) as nccl-tests reports it."""

    collective: str
    ranks: int
    in_count: int
    out_count: int
    size_bytes: int

    @property
    def count(self) -> int:
        """nccl-tests' "count" column: elements of S."""
        return self.size_bytes // ELEMENT_BYTES


def shape(collective: str, size_bytes: int, ranks: int) -> Shape:
    n = max(ranks, 1)
    if collective in ("all_reduce", "broadcast"):
        count = max(1, size_bytes // ELEMENT_BYTES)
        return Shape(collective, n, count, count, count * ELEMENT_BYTES)
    part = max(1, size_bytes // (ELEMENT_BYTES * n))
    if collective == "all_gather":
        return Shape(collective, n, part, part * n, part * n * ELEMENT_BYTES)
    if collective == "reduce_scatter":
        return Shape(collective, n, part * n, part, part * n * ELEMENT_BYTES)
    raise ValueError(f"unknown collective {collective!r}")


def algbw_gb_s(size_bytes: int, seconds: float) -> float:
    return size_bytes / seconds / 1e9 if seconds > 0 else 0.0


def busbw_gb_s(collective: str, size_bytes: int, seconds: float, ranks: int) -> float:
    return algbw_gb_s(size_bytes, seconds) * busbw_factor(collective, ranks)


def rounded_gb_s(value: float) -> float:
    """A measured rate for a report: two decimals, but never 0.0 for a copy or phase that
    moved data; a slow link (gloo or a pageable copy on a loaded CPU: a few MB/s) keeps two
    significant figures."""
    return round(value, 2) or float(f"{value:.2g}")
