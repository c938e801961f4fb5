"""Burn across GPUs: continuous, cross-checked all-reduce while the burn-in's GEMMs run.

``envcheck burn --device all`` loads each GPU on its own; this phase loads the links
between them (NVLink, PCIe, the host path) at the same time. One process per device
all-reduces a buffer of whole-number check data (``collectives.Case``, a new seed every
iteration) and compares the result with the exact sum, every iteration. Ranks stop
together (a one-element all-reduce of the stop flag each iteration, so none leaves the
others waiting); an iteration past ``deadline_s`` is a hang, reported, never waited on.

Entry point for the burn-in (``envcheck/burn/orchestrate.py`` wires it)::

    phase = AllReducePhase.for_devices(options.devices, duration_s)   # None: fewer than 2 GPUs
    phase.start()          # before the workers size their GEMMs (it holds 2 x size_bytes per GPU)
    phase.ready()          # True once every rank has its buffers (or failed): then the GEMMs start
    ...                    # phase.poll() -> PhaseStatus for the live line
    result = phase.stop()  # after the workers stop: PhaseResult; result.failures() -> FAIL reasons

Works with gloo on CPU processes too (the tests), with NCCL on GPUs.
"""

from __future__ import annotations

import datetime
import multiprocessing as mp
import queue as queue_mod
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .collectives import Case
from .nccltests import busbw_gb_s, rounded_gb_s, shape

GPU_SIZE_BYTES = 64 << 20
CPU_SIZE_BYTES = 1 << 20
DEADLINE_S = 60.0
REPORT_EVERY_S = 1.0
START_TIMEOUT_S = 180.0  # spawn, import torch, rendezvous, NCCL set-up


@dataclass(frozen=True)
class PhaseConfig:
    devices: Tuple[str, ...]  # "cuda:N" each (NCCL), or "cpu" repeated (gloo)
    duration_s: float
    size_bytes: int = GPU_SIZE_BYTES
    deadline_s: float = DEADLINE_S
    inject: Optional[Tuple[str, int]] = None  # ("wrong" | "stall", rank): test hooks

    @property
    def backend(self) -> str:
        return "nccl" if all(d.startswith("cuda") for d in self.devices) else "gloo"


@dataclass(frozen=True)
class PhaseStatus:
    iterations: int
    wrong: int
    busbw_gb_s: float


@dataclass(frozen=True)
class PhaseResult:
    devices: Tuple[str, ...]
    size_bytes: int
    iterations: int = 0  # all-reduces every rank completed and checked
    wrong: int = 0  # elements that differed from the exact sum, over all ranks and iterations
    busbw_gb_s: float = 0.0  # over the phase (nccl-tests' all_reduce definition)
    seconds: float = 0.0
    hung: bool = False
    errors: Tuple[str, ...] = field(default=())

    def reasons(self) -> List[Tuple[str, str]]:
        """(code, text) of each of the burn-in's FAIL reasons from this phase (empty: it passed)."""
        out = []
        if self.wrong:
            out.append(("allreduce_wrong", f"cross-GPU all-reduce returned {self.wrong} wrong element(s) in "
                                           f"{self.iterations} checked runs"))
        if self.hung:
            out.append(("allreduce_hang", "cross-GPU all-reduce hung (an iteration passed its deadline)"))
        out += [("allreduce_error", f"cross-GPU all-reduce: {e}") for e in self.errors]
        return out

    def failures(self) -> List[str]:
        """The burn-in's FAIL reasons from this phase, as text (empty: it passed)."""
        return [text for _, text in self.reasons()]


def _rank_main(cfg: PhaseConfig, rank: int, port: int, stop: Any, out: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the phase
    import os

    if cfg.backend == "gloo":
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    try:
        import torch
        import torch.distributed as dist

        device = cfg.devices[rank]
        if device.startswith("cuda"):
            torch.cuda.set_device(torch.device(device))
        world = len(cfg.devices)
        store = dist.TCPStore("127.0.0.1", port, None, is_master=False,
                              timeout=datetime.timedelta(seconds=START_TIMEOUT_S))
        dist.init_process_group(cfg.backend, store=store, rank=rank, world_size=world,
                                timeout=datetime.timedelta(seconds=cfg.deadline_s))
        sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
        case = Case(torch, dist, shape("all_reduce", cfg.size_bytes, world), rank, device)
        flag = torch.zeros(1, device=device)
        out.put(("ready", rank, 0.0))
        iterations, wrong, t0, last = 0, 0, time.monotonic(), 0.0
        while True:
            flag.fill_(1.0 if stop.is_set() or time.monotonic() - t0 > cfg.duration_s else 0.0)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)  # everyone stops at the same iteration
            if flag.item() > 0:
                break
            if cfg.inject == ("stall", rank) and iterations == 2:
                time.sleep(cfg.deadline_s * 10)
            seed = iterations % 997
            case.fill(seed)
            case.op()
            sync()
            if cfg.inject == ("wrong", rank) and iterations == 1:
                case.corrupt()
            wrong += case.wrong(seed)
            iterations += 1
            now = time.monotonic()
            if now - last >= REPORT_EVERY_S:
                last = now
                out.put(("progress", rank, (iterations, wrong, now - t0)))
        out.put(("done", rank, (iterations, wrong, time.monotonic() - t0)))
        dist.destroy_process_group()
    except Exception as exc:  # reported as the phase's error, never a traceback
        out.put(("error", rank, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]))


class AllReducePhase:
    def __init__(self, cfg: PhaseConfig, ctx: Any = None) -> None:
        self.cfg = cfg
        self.ctx = ctx or mp.get_context("spawn")
        self.out = self.ctx.Queue()
        self.stop_event = self.ctx.Event()
        self.procs: List[Any] = []
        self.state: Dict[int, Tuple[str, Any, float]] = {}  # rank -> (kind, payload, when)
        self.store: Any = None
        self.t0 = 0.0
        self.stopping = False  # the ranks are being ended here: their exits are not errors
        self.start_error: Optional[str] = None

    @classmethod
    def for_devices(cls, devices: Sequence[str], duration_s: float, **kwargs: Any) -> Optional["AllReducePhase"]:
        """The phase for the burn-in's devices, or None when fewer than two GPUs take part."""
        gpus = tuple(d for d in devices if d.startswith("cuda"))
        return cls(PhaseConfig(gpus, duration_s, **kwargs)) if len(gpus) >= 2 else None

    def start(self) -> None:
        """Serve the store and spawn the ranks. Never raises: a phase that cannot start (no
        torch.distributed, no port, no process) is this phase's error, and the burn-in's
        GEMMs go on without it."""
        self.t0 = time.monotonic()
        try:
            import torch.distributed as dist

            self.store = dist.TCPStore("127.0.0.1", 0, None, is_master=True, wait_for_workers=False)
            for rank in range(len(self.cfg.devices)):
                p = self.ctx.Process(target=_rank_main, args=(self.cfg, rank, self.store.port, self.stop_event, self.out),
                                     name=f"envcheck-allreduce-{rank}", daemon=True)
                p.start()
                self.procs.append(p)
        except Exception as exc:
            self.start_error = f"could not start: {type(exc).__name__}: {exc}".splitlines()[0][:300]

    def _drain(self) -> None:
        try:
            while True:
                kind, rank, payload = self.out.get_nowait()
                if self.state.get(rank, ("",))[0] not in ("done", "error"):
                    self.state[rank] = (kind, payload, time.monotonic())
        except (queue_mod.Empty, EOFError, OSError):
            pass
        for rank, p in enumerate(self.procs if not self.stopping else ()):
            # A rank that died (the OOM killer, a crash in the driver) says nothing: its
            # exit is the error, not a hang to wait out.
            if p.exitcode is not None and self.state.get(rank, ("",))[0] not in ("done", "error"):
                why = f"killed by signal {-p.exitcode}" if p.exitcode < 0 else f"exit code {p.exitcode}"
                self.state[rank] = ("error", f"rank {rank} ({self.cfg.devices[rank]}) exited without a word ({why})",
                                    time.monotonic())

    def ready(self) -> bool:
        """Every rank has set up (or failed): its buffers are allocated. The burn-in starts
        its GEMMs after this, so their memory sizing sees what the phase holds."""
        self._drain()
        return self.start_error is not None or len(self.state) == len(self.procs) or self._hung()

    def poll(self) -> PhaseStatus:
        self._drain()
        counts = [p for k, p, _ in self.state.values() if k in ("progress", "done")]
        its = min((c[0] for c in counts), default=0)
        secs = max((c[2] for c in counts), default=0.0)
        bw = busbw_gb_s("all_reduce", self.cfg.size_bytes, secs / its, len(self.cfg.devices)) if its else 0.0
        return PhaseStatus(its, sum(c[1] for c in counts), rounded_gb_s(bw))

    def _hung(self) -> bool:
        now = time.monotonic()
        limit = self.cfg.deadline_s + REPORT_EVERY_S
        return any(k == "progress" and now - when > limit for k, _, when in self.state.values()) or (
            now - self.t0 > START_TIMEOUT_S and len(self.state) < len(self.procs))

    def stop(self, timeout_s: Optional[float] = None) -> PhaseResult:
        """Ask every rank to stop, wait for their last counts (or a hang), end the processes."""
        self.stop_event.set()
        end = time.monotonic() + (timeout_s if timeout_s is not None else self.cfg.deadline_s + 5.0)
        while time.monotonic() < end:
            self._drain()
            finished = [r for r, (k, _, _) in self.state.items() if k in ("done", "error")]
            if len(finished) == len(self.procs) or self._hung():
                break
            time.sleep(0.05)
        self._drain()
        hung = len([k for k, _, _ in self.state.values() if k in ("done", "error")]) < len(self.procs)
        self.stopping = True
        for p in self.procs:
            p.join(0.5 if not hung else 0.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        self.store = None  # the port goes back
        status = self.poll()
        errors = tuple(sorted({str(p) for k, p, _ in self.state.values() if k == "error"}))
        if self.start_error is not None:
            errors = (self.start_error,) + errors
        done = [p for k, p, _ in self.state.values() if k == "done"]
        seconds = max((d[2] for d in done), default=time.monotonic() - self.t0)
        # A peer that waited past the process group's timeout says so itself (gloo: "Timed
        # out waiting ...", NCCL's watchdog: "... timeout"): that is the same hang, seen from it.
        hung = hung or any("timed out" in e.lower() or "timeout" in e.lower() for e in errors)
        return PhaseResult(self.cfg.devices, self.cfg.size_bytes, status.iterations, status.wrong, status.busbw_gb_s,
                           round(seconds, 2), hung, errors)
