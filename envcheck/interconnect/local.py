"""One node: a rank process per GPU (or N CPU processes with gloo), supervised from here.

This process serves the run's store (torch's TCPStore, on 127.0.0.1) and starts each rank
with multiprocessing's *spawn* — the same rank program torchrun or srun would start, told
that the store is served outside it, as torchrun's agent does. It then watches: every
rank done is the end; a step that stays the furthest one past its deadline is a hang
(the ranks are killed, the store says who held it up); a rank that exits early is a
failure. Nothing here imports torch until a run starts.
"""

from __future__ import annotations

import datetime
import multiprocessing as mp
import os
import signal
import sys
import time
from typing import Any, Callable, List, Optional

from ..facts import Facts
from .launch import Launch
from .plan import Plan, Step, steps
from .protocol import StoreIO, assemble, describe_ranks, diagnose
from .records import Hang, Outcome

POLL_S = 0.1
STOP_GRACE_S = 2.0  # a killed run: terminate, then kill whatever still runs after this
EARLY_EXIT_GRACE_S = 3.0  # after one rank fails, how long the others get to say why they stop too


def _child(plan: Plan, launch: Launch) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what stops, and when.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One intra-op thread per rank, as torchrun sets by default: N ranks of N threads each
    # would oversubscribe the CPUs and time the contention, not the transport.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if plan.backend == "gloo":
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # one node: loopback, whatever the hostname resolves to
    from ..errors import EnvcheckError
    from .rank import RANK_FAILED, run

    try:
        sys.exit(run(plan, launch))
    except EnvcheckError:  # could not reach the store: the parent reports the exit code
        sys.exit(RANK_FAILED)


class Supervisor:
    """Start the ranks, watch the store and the processes, stop everything at the end."""

    def __init__(self, plan: Plan, world_size: int, facts: Facts,
                 on_step: Callable[[Step, int], None] = lambda step, done: None, ctx: Any = None) -> None:
        self.plan, self.world, self.facts, self.on_step = plan, world_size, facts, on_step
        self.ctx = ctx or mp.get_context("spawn")
        self.steps = steps(plan, world_size, 1)
        self.procs: List[Any] = []

    def run(self) -> Outcome:
        import torch.distributed as dist

        t0 = time.monotonic()
        store = dist.TCPStore("127.0.0.1", 0, None, is_master=True, wait_for_workers=False,
                              timeout=datetime.timedelta(seconds=self.plan.setup_deadline_s))
        io = StoreIO(store)
        hang: Optional[Hang] = None
        failures: List[str] = []
        try:
            for r in range(self.world):
                la = Launch("local", r, self.world, r, self.world, 0, 1, "127.0.0.1", store.port, agent_store=True)
                p = self.ctx.Process(target=_child, args=(self.plan, la), name=f"envcheck-rank-{r}", daemon=True)
                p.start()
                self.procs.append(p)
            hang, failures = self._watch(io)
        finally:
            self._stop()
        return assemble(io, self.plan, self.steps, self.world, 1, "local", [self.facts], hang, failures,
                        time.monotonic() - t0)

    def _watch(self, io: StoreIO):
        furthest, since = -1, time.monotonic()
        early_end: Optional[float] = None
        while True:
            done = set(io.done(self.world))
            if len(done) == self.world:
                return None, []
            positions = io.positions(self.world)
            now = time.monotonic()
            current = max((p[0] for p in positions.values() if p is not None), default=0)
            if current != furthest:
                furthest, since = current, now
                self.on_step(self.steps[min(current, len(self.steps) - 1)], len(done))
            step = self.steps[min(current, len(self.steps) - 1)]
            if now - since > step.deadline_s:
                return diagnose(self.steps, positions, "envcheck", stuck_at=current), []
            exited = [r for r, p in enumerate(self.procs) if not p.is_alive() and r not in done]
            said_hung = io.hung(self.world)
            if exited and said_hung:  # a rank's own watchdog timed its step: it knows where it hung
                rank, at = min(said_hung.items())
                return diagnose(self.steps, positions, f"rank {rank}", stuck_at=at), []
            if exited:
                early_end = early_end or now + EARLY_EXIT_GRACE_S
                said = io.failures(self.world)
                if now >= early_end or all(r in said or r in done for r in range(self.world)):
                    silent = [r for r in exited if r not in said]
                    return None, [f"{describe_ranks([r], ())} exited without a word "
                                  f"(exit code {self.procs[r].exitcode})" for r in silent]
            time.sleep(POLL_S)

    def _stop(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        end = time.monotonic() + STOP_GRACE_S
        for p in self.procs:
            p.join(max(0.0, end - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)


def run_local(plan: Plan, world_size: int, facts: Facts,
              on_step: Callable[[Step, int], None] = lambda step, done: None) -> Outcome:
    return Supervisor(plan, world_size, facts, on_step).run()
