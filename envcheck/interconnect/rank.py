"""One rank's program: rendezvous, copies, the sweep, each step under a deadline.

The same code runs in a process envcheck spawned (one node) and in one torchrun or srun
started (many nodes). Each step: mark it in the store, do it, end it with the collective
that is its last operation (so all ranks leave together). Rank 0 publishes each row; the
reporter — envcheck's parent, or rank 0 itself under torchrun/srun (``finish``) — reads
them back. A step past its deadline fires the watchdog: the rank says so in the store
and leaves; under torchrun/srun rank 0 first reports the hang, with the step and the
ranks that held it up, and exits with the verdict's code.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import time
from typing import Any, Callable, List, Optional, Sequence

from ..errors import SetupError
from ..probes.topology import format_cpulist
from . import copies as copies_mod
from . import nodefacts
from .collectives import Case
from .launch import Launch
from .nccltests import busbw_gb_s, shape
from .plan import MIN_ITERS, Plan, Step, first_collective, steps
from .protocol import StoreIO, assemble, diagnose, stored_facts
from .records import CollectiveRow, Hang, Matrix, Outcome, RankInfo
from .watchdog import Watchdog

RANK_OK, RANK_FAILED, RANK_HUNG = 0, 1, 3
# On one node envcheck's parent reports a hang; the ranks' own watchdogs give it this head start.
LOCAL_GRACE_S = 5.0
# Under torchrun/srun rank 0 reports a hang itself, and the first rank to leave makes the launcher
# stop the rest: the other ranks' watchdogs wait this much longer, so rank 0's report (the verdict
# with each finding's filled recipe) is written before they go.
REPORTER_HEAD_START_S = 5.0
Finish = Callable[[Outcome], int]


class RankError(RuntimeError):
    """This rank cannot take part (no GPU for it, ...): one line for the report."""


def run(plan: Plan, launch: Launch, finish: Optional[Finish] = None) -> int:
    """Run every step; ``finish`` (rank 0 under torchrun/srun) reports and returns the exit code."""
    import torch
    import torch.distributed as dist

    return _Rank(torch, dist, plan, launch, finish).run()


class _Rank:
    def __init__(self, torch: Any, dist: Any, plan: Plan, launch: Launch, finish: Optional[Finish]) -> None:
        self.torch, self.dist, self.plan, self.launch = torch, dist, plan, launch
        self.finish = finish if launch.rank == 0 else None
        self.rank, self.world = launch.rank, launch.world_size
        self.steps: Sequence[Step] = steps(plan, launch.world_size, launch.nnodes)
        self.inject_step = plan.inject_step if plan.inject_step is not None else first_collective(self.steps)
        self.device = "cpu"
        self.started = time.monotonic()
        self.io: Optional[StoreIO] = None

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> int:
        self.io = StoreIO(self._connect())
        grace = (LOCAL_GRACE_S if self.launch.source == "local"
                 else 0.0 if self.finish is not None else REPORTER_HEAD_START_S)
        with Watchdog(self._expired, grace) as self.wd:
            try:
                self._enter(self.steps[0])
                self._setup()
                for step in self.steps[1:]:
                    self._enter(step)
                    self._step(step)
                self.wd.clear()
                self.io.put_text(f"done/{self.rank}", "1")
            except Exception as exc:  # a rank's failure is a line in the report, not a traceback
                self.wd.clear()
                line = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
                try:
                    self.io.put_text(f"failed/{self.rank}", line)
                except Exception:  # the store went with the failure: the parent sees the exit code
                    pass
                return self._report(failed=True) if self.finish else RANK_FAILED
        code = self._report() if self.finish else RANK_OK
        self._teardown()
        return code

    def _connect(self) -> Any:
        la, dist = self.launch, self.dist
        serve = la.rank == 0 and not la.agent_store  # srun: rank 0 serves the store
        try:
            return dist.TCPStore(la.master_addr, la.master_port, la.world_size if serve else None, is_master=serve,
                                 timeout=datetime.timedelta(seconds=self.plan.setup_deadline_s),
                                 wait_for_workers=False)
        except Exception as exc:  # nobody to report to yet: one line through the CLI
            raise SetupError(f"rank {la.rank}: cannot {'serve' if serve else 'reach'} the rendezvous store at "
                             f"{la.master_addr}:{la.master_port}: {str(exc).splitlines()[0][:200]}") from None

    def _enter(self, step: Step) -> None:
        self.wd.enter(step)
        self.io.mark(self.rank, step.index, "in")

    def _waiting(self, step: Step) -> None:
        self.io.mark(self.rank, step.index, "op")

    def _setup(self) -> None:
        torch, la = self.torch, self.launch
        self.device = self._pick_device()
        self.sync: Callable[[], None] = (lambda: torch.cuda.synchronize()) if self.plan.gpu else (lambda: None)
        self.io.put(f"rank/{self.rank}", self._info())
        if la.local_rank == 0 and la.source != "local":  # on one node envcheck's parent read them already
            self.io.put(f"facts/{la.node_rank}", nodefacts.node_facts())
        kwargs = {"device_id": torch.device(self.device)} if self.plan.gpu else {}
        self.dist.init_process_group(self.plan.backend, store=self.dist.PrefixStore("envcheck/pg/", self.io.store),
                                     rank=self.rank, world_size=self.world,
                                     timeout=datetime.timedelta(seconds=self.plan.deadline_s + 30), **kwargs)
        self._waiting(self.steps[0])
        self.dist.barrier()

    def _pick_device(self) -> str:
        if not self.plan.gpu:
            return "cpu"
        n = self.torch.cuda.device_count()
        if n == 0:
            raise RankError(f"torch sees no CUDA device on {socket.gethostname()}")
        lr, lw = self.launch.local_rank, self.launch.local_world_size
        if lw <= n:
            index = lr
        elif n == 1:  # one GPU per task (srun --gpus-per-task=1): CUDA_VISIBLE_DEVICES picked it
            index = 0
        else:
            raise RankError(f"{lw} ranks on {socket.gethostname()} but only {n} GPUs visible: one rank per GPU")
        self.torch.cuda.set_device(index)
        return f"cuda:{index}"

    def _info(self) -> RankInfo:
        la, torch = self.launch, self.torch
        try:
            cpus = format_cpulist(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = ""
        name = uuid = bus = ""
        if self.plan.gpu:
            props = torch.cuda.get_device_properties(self.device)
            name, uuid = props.name, str(getattr(props, "uuid", ""))
            if getattr(props, "pci_bus_id", None) is not None:
                bus = f"{getattr(props, 'pci_domain_id', 0):04x}:{props.pci_bus_id:02x}:{getattr(props, 'pci_device_id', 0):02x}.0"
        return RankInfo(self.rank, la.node_rank, la.local_rank, socket.gethostname(), os.getpid(), self.device, name,
                        uuid, bus, cpus)

    # -- the steps --------------------------------------------------------------------------
    def _step(self, step: Step) -> None:
        if step.kind == "copies":
            if step.rank == self.rank:
                self.io.put(f"copies/{self.rank}", copies_mod.host_device(self.torch, self.device, self.rank))
        elif step.kind == "matrix":
            if self.launch.node_rank == step.node and self.launch.local_rank == 0:
                self.io.put(f"matrix/{step.node}", self._matrix(step.node))
        elif step.kind == "collective":
            row = self._collective(step)
            if row is not None:
                self.io.put(f"row/{step.index}", row)
            return
        self._waiting(step)
        self.dist.barrier()

    def _matrix(self, node: int) -> Matrix:
        try:
            return copies_mod.matrix(self.torch, node, socket.gethostname())
        except Exception as exc:  # an out-of-memory GPU must not lose the collectives
            return Matrix(node, socket.gethostname(), (), copies_mod.TRANSFER_BYTES, error=f"{type(exc).__name__}: {exc}")

    def _injected(self, step: Step, kind: str) -> bool:
        inj = self.plan.inject
        return inj is not None and inj == (kind, self.rank) and step.index == self.inject_step

    def _collective(self, step: Step) -> Optional[CollectiveRow]:
        torch, dist, plan = self.torch, self.dist, self.plan
        sh = shape(step.collective, step.size_bytes, self.world)
        case = Case(torch, dist, sh, self.rank, self.device)
        case.fill(step.index)
        if self._injected(step, "stall"):
            while True:  # --inject stall:R: this rank never joins; the watchdog ends it
                time.sleep(1.0)
        self._waiting(step)
        t0 = time.perf_counter()
        case.op()
        self.sync()
        # Every rank must run the same number of iterations: the slowest first run decides
        # how many more warm-ups fit a quarter of the step's budget, and how many timed ones.
        first = max(self._reduce([time.perf_counter() - t0], dist.ReduceOp.MAX)[0], 1e-9)
        for _ in range(min(plan.warmup - 1, int(0.25 * plan.step_budget_s / first))):
            case.op()
        iters = max(MIN_ITERS, min(plan.iters, int(plan.step_budget_s / first)))
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(iters):
            case.op()
        self.sync()
        elapsed = (time.perf_counter() - t0) / iters
        case.fill(step.index)  # the checked run, on fresh data (a seed per step)
        case.op()
        self.sync()
        if self._injected(step, "wrong"):
            case.corrupt()
        wrong = case.wrong(step.index)
        total, bad = self._reduce([elapsed, float(wrong)], dist.ReduceOp.SUM)
        slowest = self._reduce([elapsed], dist.ReduceOp.MAX)[0]
        if self.rank != 0:
            return None
        mean = total / self.world
        return CollectiveRow(step.collective, sh.size_bytes, sh.count, self.world, iters, round(mean * 1e6, 2),
                             round(slowest * 1e6, 2), round(sh.size_bytes / mean / 1e9, 4),
                             round(busbw_gb_s(step.collective, sh.size_bytes, mean, self.world), 4), int(bad),
                             0 if step.collective == "broadcast" else -1)

    def _reduce(self, values: List[float], op: Any) -> List[float]:
        t = self.torch.tensor(values, dtype=self.torch.float64, device=self.device)
        self.dist.all_reduce(t, op=op)
        return [float(v) for v in t.tolist()]

    # -- the end ----------------------------------------------------------------------------
    def _expired(self, step: Step) -> None:
        """Watchdog thread: this rank's step ran past its deadline."""
        try:
            self.io.put_text(f"hung/{self.rank}", json.dumps({"step": step.index}))
            if self.finish is not None:
                hang = diagnose(self.steps, self.io.positions(self.world), f"rank {self.rank}", stuck_at=step.index)
                os._exit(self._report(hang=hang))
        except Exception:  # the store may be gone with the hang: leaving is what matters
            pass
        os._exit(RANK_HUNG)

    def _report(self, hang: Optional[Hang] = None, failed: bool = False) -> int:
        """Rank 0 under torchrun/srun: wait for the others, assemble, hand to ``finish``."""
        if hang is None:
            end = time.monotonic() + (5.0 if failed else self.plan.deadline_s)
            while time.monotonic() < end and len(self.io.done(self.world)) + len(self.io.failures(self.world)) < self.world:
                time.sleep(0.1)
        la = self.launch
        outcome = assemble(self.io, self.plan, self.steps, self.world, la.nnodes, la.source,
                           stored_facts(self.io, la.nnodes), hang=hang,
                           seconds=time.monotonic() - self.started)
        return self.finish(outcome)

    def _teardown(self) -> None:
        try:
            self.dist.destroy_process_group()
        except Exception:  # nothing left to report; the process ends next
            pass

