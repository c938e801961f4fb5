"""The four collectives on one rank: buffers, the operation, and an exact check of its result.

Check data are small whole numbers in float32 (1..61, a pattern shifted by rank and by a
seed that changes every check), so every sum over up to 2^18 ranks is exact and "right"
means bit-for-bit equal; a stale buffer, a dropped or duplicated contribution or a
corrupted byte all show. The expected result is built from the same 61-value pattern,
which costs one pass over the buffer whatever the number of ranks. Timed iterations run
on whatever the buffers hold (nccl-tests likewise times, then checks in a separate run).
"""

from __future__ import annotations

from typing import Any

from .nccltests import Shape

PERIOD = 61  # prime: the pattern never lines up with a power-of-two chunk boundary
FILL = -1.0  # what output buffers hold before a checked run, so an untouched one shows


def _dist_fn(dist: Any, new: str, old: str) -> Any:
    # torch 2.13 renamed the tensor forms (the old names still work, with a FutureWarning).
    return getattr(dist, new, None) or getattr(dist, old)


class Case:
    """One collective at one size on one rank."""

    def __init__(self, torch: Any, dist: Any, shape: Shape, rank: int, device: str) -> None:
        self.torch, self.dist, self.shape, self.rank, self.device = torch, dist, shape, rank, device
        self.world = shape.ranks
        f32 = torch.float32
        c = shape.collective
        self.inp = torch.zeros(shape.in_count, dtype=f32, device=device)
        self.out = self.inp if c in ("all_reduce", "broadcast") else torch.zeros(shape.out_count, dtype=f32,
                                                                                  device=device)
        if c == "all_gather":
            self._op = lambda: _dist_fn(dist, "all_gather_single", "all_gather_into_tensor")(self.out, self.inp)
        elif c == "reduce_scatter":
            self._op = lambda: _dist_fn(dist, "reduce_scatter_single", "reduce_scatter_tensor")(self.out, self.inp)
        elif c == "all_reduce":
            self._op = lambda: dist.all_reduce(self.inp)
        elif c == "broadcast":
            self._op = lambda: dist.broadcast(self.inp, src=0)
        else:
            raise ValueError(f"unknown collective {c!r}")

    def op(self) -> None:
        self._op()

    # -- check data -------------------------------------------------------------------------
    def _pattern(self, rank: int, seed: int) -> Any:
        t = self.torch
        return ((t.arange(PERIOD, dtype=t.int64) + 3 * rank + 5 * seed) % PERIOD + 1).to(t.float32).to(self.device)

    def _sum_pattern(self, seed: int) -> Any:
        return sum(self._pattern(r, seed) for r in range(self.world))

    @staticmethod
    def _tile(p: Any, n: int, offset: int = 0) -> Any:
        offset %= PERIOD
        return p.repeat((n + offset) // PERIOD + 1)[offset:offset + n]

    def fill(self, seed: int) -> None:
        c, n = self.shape.collective, self.shape.in_count
        if c == "broadcast" and self.rank != 0:
            self.inp.fill_(FILL)
        else:
            self.inp.copy_(self._tile(self._pattern(self.rank, seed), n))
        if self.out is not self.inp:
            self.out.fill_(FILL)

    def expected(self, seed: int) -> Any:
        c = self.shape.collective
        if c == "all_reduce":
            return self._tile(self._sum_pattern(seed), self.shape.out_count)
        if c == "broadcast":
            return self._tile(self._pattern(0, seed), self.shape.out_count)
        part = self.shape.out_count if c == "reduce_scatter" else self.shape.in_count
        if c == "all_gather":
            return self.torch.cat([self._tile(self._pattern(r, seed), part) for r in range(self.world)])
        return self._tile(self._sum_pattern(seed), part, offset=self.rank * part)  # reduce_scatter: my block

    def wrong(self, seed: int) -> int:
        """Elements of this rank's output that differ from the expected result."""
        return int((self.out != self.expected(seed)).sum().item())

    def corrupt(self) -> None:
        """Test hook (``--inject wrong:R``): one wrong element, as a bad link would leave."""
        self.out[0] += 1.0
