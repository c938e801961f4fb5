"""What a run measures: options, the message sizes, and the numbered steps every rank walks.

Every rank builds the same :class:`Step` list from the same :class:`Plan`, so a step
number means the same thing on every rank — that is how a hang is located (the step some
ranks entered and others never reached) and how rows are matched across ranks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from ..errors import EnvcheckError
from .nccltests import COLLECTIVES, shape

# nccl-tests' defaults: 5 warm-up iterations, 20 timed ones (all_reduce_perf -w 5 -n 20).
WARMUP, ITERS = 5, 20
# envcheck's own: the first run of a size is timed; the other warm-ups stop at a quarter of
# STEP_BUDGET_S and the timed iterations at STEP_BUDGET_S (never fewer than MIN_ITERS), so a
# sweep to 1 GiB over a slow link still ends in minutes.
STEP_BUDGET_S = 1.0
CPU_STEP_BUDGET_S = 0.5  # gloo on CPUs measures the host, not a link: half the time is plenty
MIN_ITERS = 2
DEADLINE_S = 60.0  # one measured step (one collective at one size, checks included)
SETUP_DEADLINE_S = 180.0  # process start, rendezvous and NCCL's communicator set-up
COPIES_DEADLINE_S = 120.0  # one rank's host<->device figures, or one node's P2P matrix
GPU_MAX_BYTES, CPU_MAX_BYTES = 1 << 30, 64 << 20

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_bytes(text: str, what: str = "size") -> int:
    """``"8"``, ``"64M"``, ``"1GiB"`` -> bytes (binary units, as nccl-tests' -b/-e)."""
    m = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", text or "")
    if not m or m.group(2).lower() not in _UNITS:
        raise EnvcheckError(f"{what} {text!r}: use a number of bytes with an optional K, M or G (e.g. 8, 64M, 1G)")
    value = int(m.group(1)) * _UNITS[m.group(2).lower()]
    if value < 1:
        raise EnvcheckError(f"{what} {text!r}: must be at least 1 byte")
    return value


def parse_collectives(text: str) -> Tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip().lower().replace("-", "_") for p in (text or "").split(",") if p.strip()))
    if names == ("all",):
        return COLLECTIVES
    bad = [n for n in names if n not in COLLECTIVES]
    if bad or not names:
        raise EnvcheckError(f"--collectives {text!r}: choose from all, {', '.join(COLLECTIVES)}")
    return names


def parse_inject(text: Optional[str]) -> Optional[Tuple[str, int]]:
    """Test hooks: ``stall:R`` (rank R stops answering) or ``wrong:R`` (rank R corrupts a result)."""
    if not text:
        return None
    m = re.fullmatch(r"(stall|wrong):(\d+)", text.strip())
    if not m:
        raise EnvcheckError(f"--inject {text!r}: use stall:RANK or wrong:RANK")
    return m.group(1), int(m.group(2))


def sizes(min_bytes: int, max_bytes: int, factor: int) -> Tuple[int, ...]:
    if min_bytes > max_bytes:
        raise EnvcheckError(f"--min-bytes ({min_bytes}) is above --max-bytes ({max_bytes})")
    if factor < 2:
        raise EnvcheckError("--factor must be 2 or more")
    out: List[int] = []
    s = min_bytes
    while s <= max_bytes:
        out.append(s)
        s *= factor
    return tuple(out)


@dataclass(frozen=True)
class Plan:
    backend: str  # "nccl" | "gloo"
    collectives: Tuple[str, ...] = COLLECTIVES
    sizes: Tuple[int, ...] = ()
    warmup: int = WARMUP
    iters: int = ITERS
    step_budget_s: float = STEP_BUDGET_S
    deadline_s: float = DEADLINE_S
    setup_deadline_s: float = SETUP_DEADLINE_S
    copies: bool = True  # host<->device and the P2P matrix (GPUs only)
    inject: Optional[Tuple[str, int]] = None
    inject_step: Optional[int] = None  # the step at which the injected fault happens (default: the first collective)

    @property
    def gpu(self) -> bool:
        return self.backend == "nccl"


@dataclass(frozen=True)
class Step:
    index: int
    kind: str  # "setup" | "copies" | "matrix" | "collective"
    deadline_s: float
    collective: str = ""
    size_bytes: int = 0
    rank: int = -1  # copies: the rank whose turn it is
    node: int = -1  # matrix: the node whose local rank 0 measures
    label: str = field(default="", compare=False)


def human_bytes(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def steps(plan: Plan, world_size: int, nnodes: int = 1) -> Tuple[Step, ...]:
    """The numbered steps of a run: set-up, copies (GPUs), then each collective × size."""
    out = [Step(0, "setup", plan.setup_deadline_s, label="start-up and rendezvous")]
    if plan.gpu and plan.copies:
        for r in range(world_size):  # one rank at a time: concurrent copies would share the host's bandwidth
            out.append(Step(len(out), "copies", COPIES_DEADLINE_S, rank=r, label=f"host<->device copies of rank {r}"))
        for node in range(nnodes):
            out.append(Step(len(out), "matrix", COPIES_DEADLINE_S * 3, node=node,
                            label=f"GPU<->GPU matrix of node {node}"))
    for c in plan.collectives:
        seen = set()
        for s in plan.sizes:
            actual = shape(c, s, world_size).size_bytes  # 8 B over 4 ranks of all_gather is 16 B: once
            if actual not in seen:
                seen.add(actual)
                out.append(Step(len(out), "collective", plan.deadline_s, c, actual, label=f"{c} {human_bytes(actual)}"))
    return tuple(out)


def first_collective(all_steps: Tuple[Step, ...]) -> int:
    return next((s.index for s in all_steps if s.kind == "collective"), 0)
