"""What ranks publish in the run's key-value store, and how a hang is located.

The store is torch's ``TCPStore``: served by envcheck's parent on one node, by torchrun's
agent, or by rank 0 under srun. Keys (all under ``envcheck/``)::

    at/<rank>       "<step>:in" when the rank entered a step, "<step>:op" once it waits on the
                    others there (inside the collective or the barrier that ends the step)
    rank/<rank>     RankInfo (JSON)
    copies/<rank>   host<->device CopyRows of the rank's GPU (JSON list)
    matrix/<node>   the node's GPU<->GPU Matrix (JSON, from its local rank 0)
    facts/<node>    the node's topology Facts (JSON, from its local rank 0)
    row/<step>      the step's CollectiveRow (JSON, from rank 0)
    done/<rank>     "1": the rank finished every step
    failed/<rank>   one line: the rank stopped with an error
    hung/<rank>     JSON {"step": N}: the rank's own watchdog saw step N pass its deadline

Everything here but :class:`StoreIO` is pure (the store is any object with ``set``,
``get``, ``check``), so supervision and diagnosis are tested without torch.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar

from ..facts import Facts
from ..serial import from_dict, to_data
from .plan import Plan, Step
from .records import CollectiveRow, CopyRow, Hang, Matrix, Outcome, RankInfo

PREFIX = "envcheck/"
T = TypeVar("T")
Position = Tuple[int, str]  # (step, "in" | "op")


class StoreIO:
    """JSON records in and out of a store; a missing key is None, never a wait."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def put(self, key: str, value: Any) -> None:
        self.store.set(PREFIX + key, json.dumps(to_data(value)))

    def put_text(self, key: str, text: str) -> None:
        self.store.set(PREFIX + key, text)

    def has(self, key: str) -> bool:
        return bool(self.store.check([PREFIX + key]))

    def text(self, key: str) -> Optional[str]:
        if not self.has(key):
            return None
        raw = self.store.get(PREFIX + key)
        return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)

    def get(self, key: str, cls: Type[T]) -> Optional[T]:
        raw = self.text(key)
        return None if raw is None else from_dict(cls, json.loads(raw))

    def get_list(self, key: str, cls: Type[T]) -> List[T]:
        raw = self.text(key)
        return [] if raw is None else [from_dict(cls, item) for item in json.loads(raw)]

    # -- the keys ------------------------------------------------------------------------
    def mark(self, rank: int, step: int, phase: str) -> None:
        self.put_text(f"at/{rank}", f"{step}:{phase}")

    def positions(self, world_size: int) -> Dict[int, Optional[Position]]:
        out: Dict[int, Optional[Position]] = {}
        for r in range(world_size):
            raw = (self.text(f"at/{r}") or "").strip()
            step, _, phase = raw.partition(":")
            out[r] = (int(step), phase or "in") if step.isdigit() else None
        return out

    def done(self, world_size: int) -> List[int]:
        return [r for r in range(world_size) if self.has(f"done/{r}")]

    def failures(self, world_size: int) -> Dict[int, str]:
        return {r: t for r in range(world_size) if (t := self.text(f"failed/{r}")) is not None}

    def hung(self, world_size: int) -> Dict[int, int]:
        out = {}
        for r in range(world_size):
            raw = self.text(f"hung/{r}")
            if raw:
                out[r] = int(json.loads(raw)["step"])
        return out

    def collect(self, all_steps: Sequence[Step], world_size: int, nnodes: int
                ) -> Tuple[Tuple[RankInfo, ...], Tuple[CopyRow, ...], Tuple[Matrix, ...], Tuple[CollectiveRow, ...]]:
        ranks = tuple(i for r in range(world_size) if (i := self.get(f"rank/{r}", RankInfo)) is not None)
        copies = tuple(c for r in range(world_size) for c in self.get_list(f"copies/{r}", CopyRow))
        matrices = tuple(m for n in range(nnodes) if (m := self.get(f"matrix/{n}", Matrix)) is not None)
        rows = tuple(row for s in all_steps if s.kind == "collective"
                     and (row := self.get(f"row/{s.index}", CollectiveRow)) is not None)
        return ranks, copies, matrices, rows


def diagnose(all_steps: Sequence[Step], positions: Dict[int, Optional[Position]], seen_by: str,
             stuck_at: Optional[int] = None) -> Hang:
    """Which step hung, which ranks never reached it and which waited in it.

    The hung step is the furthest any rank has entered (``stuck_at`` when the caller knows
    better: a watchdog that timed its own step). A collective needs every rank, so the ranks
    behind it — an earlier step, or this one but not yet waiting on the others — hold it
    up; when every rank waits, the data itself never arrived."""
    known = [p[0] for p in positions.values() if p is not None]
    step = stuck_at if stuck_at is not None else (max(known) if known else 0)
    waiting = tuple(r for r, p in sorted(positions.items()) if p is not None and (p[0] > step or p == (step, "op")))
    missing = tuple(r for r in sorted(positions) if r not in waiting)
    s = all_steps[step] if 0 <= step < len(all_steps) else Step(step, "unknown", 0.0, label=f"step {step}")
    return Hang(step, s.label, s.deadline_s, missing, waiting, seen_by)


def describe_ranks(ranks: Iterable[int], infos: Sequence[RankInfo]) -> str:
    by = {i.rank: i for i in infos}
    words = []
    for r in ranks:
        i = by.get(r)
        words.append(f"rank {r}" + (f" ({i.host} {i.device}, pid {i.pid})" if i else ""))
    return ", ".join(words) if words else "none"


def stored_facts(io: StoreIO, nnodes: int) -> Tuple[Facts, ...]:
    return tuple(f for n in range(nnodes) if (f := io.get(f"facts/{n}", Facts)) is not None)


def assemble(io: StoreIO, plan: Plan, all_steps: Sequence[Step], world_size: int, nnodes: int, launcher: str,
             facts: Sequence[Facts], hang: Optional[Hang] = None, failures: Sequence[str] = (),
             seconds: float = 0.0) -> Outcome:
    """Everything the ranks published, as one Outcome."""
    ranks, copies, matrices, rows = io.collect(all_steps, world_size, nnodes)
    seen = dict(io.failures(world_size))
    lines = list(failures) + [f"{describe_ranks([r], ranks)}: {t}" for r, t in sorted(seen.items())]
    complete = hang is None and not lines and len(io.done(world_size)) == world_size
    return Outcome(plan.backend, launcher, world_size, nnodes, plan.collectives, plan.sizes, plan.deadline_s, ranks,
                   copies, matrices, rows, hang, tuple(dict.fromkeys(lines)), round(seconds, 2), complete,
                   tuple(facts))
