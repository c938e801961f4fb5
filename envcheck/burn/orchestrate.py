"""Run the burn: a worker process per device, the telemetry thread, signals, the report file.

Order of events:

1. the telemetry thread starts (NVML or psutil), and SIGINT/SIGTERM handlers go in;
2. with ``--micro``, each device runs the microbenchmarks alone, one after another
   (in its own process, so figures are not shared with another device's traffic);
3. with two GPUs or more, the cross-GPU all-reduce phase starts first (a process per
   GPU, ``envcheck.interconnect.burn_phase``): its buffers are allocated before the
   workers size their GEMMs to the memory that is left;
4. every device's worker starts (spawn context), sets up — the convolution check, the
   seeded correctness problem, the CNN — and waits; when all are ready (or failed), and
   the all-reduce phase is, one shared ``go`` event starts them together, so every GPU
   heats the box at once while the all-reduce loads the links between them;
5. the parent drains the queue, notices dead workers, rewrites the report file every
   few seconds and feeds the live status line; at the deadline, on a signal, or when
   every worker has ended, it sets ``stop``, gives workers ``stop_grace_s`` to finish
   their batch and kills the rest; then the all-reduce phase stops (its result goes to
   the report, and its failures into the verdict);
6. the telemetry thread stops (before NVML shuts down) and the handlers are restored.

A worker that dies fails only its own device; the others run to the end.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..envelope import now
from ..reading import Reading
from ..telemetry import Sampler
from .deps import Deps
from .micro import attach_peaks
from .options import BurnOptions
from .records import CheckResult, DeviceInfo, MicroResult, WorkCounters, WorkerStatus
from .worker import WorkerConfig

SIGNAL_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}
POLL_S = 0.1


@dataclass
class DeviceState:
    info: DeviceInfo
    work: WorkCounters = field(default_factory=WorkCounters)
    checks: List[CheckResult] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    state: str = "not_started"
    detail: Optional[str] = None
    ready_s: Optional[float] = None
    versions: Dict[str, str] = field(default_factory=dict)
    micro: Optional[MicroResult] = None
    process: Any = None
    ended: bool = False  # sent done/failed (or died)

    def status(self) -> WorkerStatus:
        return WorkerStatus(self.state, self.detail, tuple(self.notes), self.ready_s, dict(self.versions))


@dataclass
class Run:
    """Everything the report needs, live while the burn runs and final after."""

    options: BurnOptions
    devices: Dict[str, DeviceState]
    sampler: Sampler
    telemetry_source: str  # "nvml" | "psutil" | a fake's name
    telemetry_status: Reading
    started: str = field(default_factory=now)
    ended: Optional[str] = None
    phase: str = "setup"  # setup | micro | burn | stopping | done
    go_s: Optional[float] = None
    end_s: Optional[float] = None
    interrupted_by: Optional[int] = None  # the signal number
    micro_windows: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    allreduce: Any = None  # the cross-GPU all-reduce phase (deps.allreduce_phase), None with fewer than 2 GPUs
    allreduce_status: Any = None  # its live counts (PhaseStatus) while it runs
    allreduce_result: Any = None  # its result (PhaseResult) once stopped

    def t(self) -> float:
        return self.sampler.clock() - self.sampler.t0

    @property
    def window(self) -> Optional[Tuple[float, float]]:
        if self.go_s is None:
            return None
        return (self.go_s, self.end_s if self.end_s is not None else self.t())


class _Signals:
    """SIGINT/SIGTERM set a flag instead of raising; the old handlers come back after."""

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        self.on_signal = on_signal
        self.saved: Dict[int, Any] = {}

    def __enter__(self) -> "_Signals":
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNAL_EXIT:
                self.saved[sig] = signal.signal(sig, lambda signum, frame: self.on_signal(signum))
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


class Orchestrator:
    def __init__(self, run: Run, deps: Deps, on_tick: Callable[[Run], None] = lambda r: None,
                 ctx: Any = None) -> None:
        self.run, self.deps, self.on_tick = run, deps, on_tick
        self.ctx = ctx or mp.get_context("spawn")
        self.queue = self.ctx.Queue()
        self.stop_event = self.ctx.Event()
        self.go_event = self.ctx.Event()
        self.last_tick = -1e9

    # -- signals --------------------------------------------------------------------------
    def _signalled(self, signum: int) -> None:
        # Only a flag: the handler runs between two bytecodes of the main thread, which may
        # be inside stop_event.set()/clear() holding the event's (non-reentrant) lock —
        # setting the event here could deadlock. Every loop polls ``stopping`` every
        # POLL_S and :meth:`_finish` sets the event for the workers.
        if self.run.interrupted_by is None:
            self.run.interrupted_by = signum

    @property
    def stopping(self) -> bool:
        return self.run.interrupted_by is not None

    # -- messages -------------------------------------------------------------------------
    def _handle(self, device: str, kind: str, payload: Any) -> None:
        d = self.run.devices.get(device)
        if d is None:
            return
        if kind == "ready":
            d.state, d.ready_s, d.versions = "ready", round(self.run.t(), 3), dict(payload)
        elif kind == "note":
            d.notes.append(str(payload))
        elif kind == "check":
            d.checks.append(payload)
        elif kind == "counters":
            d.work = payload
            if d.state == "ready":
                d.state = "running"
        elif kind == "done":
            d.work, d.ended = payload, True
            if d.state in ("ready", "running"):
                d.state = "done"
        elif kind == "failed":
            d.state, d.detail = payload
            d.ended = True
        elif kind == "micro":
            d.micro, d.ended = payload, True

    def drain(self, timeout: float = 0.0) -> None:
        try:
            msg = self.queue.get(timeout=timeout) if timeout > 0 else self.queue.get_nowait()
            while True:
                self._handle(*msg)
                msg = self.queue.get_nowait()
        except (queue_mod.Empty, EOFError, OSError):
            return

    def _reap(self, devices: Sequence[DeviceState]) -> None:
        """A process that exited without saying why has crashed (or its GPU took it down)."""
        for d in devices:
            p = d.process
            if p is not None and not p.is_alive() and not d.ended:
                self.drain()
                if d.ended:
                    continue
                code = p.exitcode
                why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                d.state, d.detail, d.ended = "crashed", f"worker exited without a word ({why})", True

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last_tick >= 0.25:
            self.last_tick = now
            if self.run.allreduce is not None and self.run.allreduce_result is None:
                self.run.allreduce_status = self.run.allreduce.poll()
            self.on_tick(self.run)

    # -- the cross-GPU all-reduce ---------------------------------------------------------
    def _start_allreduce(self) -> None:
        o = self.run.options
        # It runs until stopped: its own clock only bounds a phase whose parent vanished.
        phase = self.deps.allreduce_phase(o.devices, o.setup_timeout_s + o.duration_s)
        if phase is not None:
            self.run.allreduce = phase
            phase.start()

    def _allreduce_ready(self) -> bool:
        return self.run.allreduce is None or self.run.allreduce.ready()

    def _stop_allreduce(self) -> None:
        if self.run.allreduce is not None and self.run.allreduce_result is None:
            self.run.allreduce_result = self.run.allreduce.stop()

    # -- process control ------------------------------------------------------------------
    def _start(self, d: DeviceState, mode: str) -> None:
        o = self.run.options
        cfg = WorkerConfig(d.info.device, o.duration_s, mode, o.seed, o.inject, self.deps.cnn_factory,
                           self.deps.conv_check)
        d.ended = False
        d.process = self.ctx.Process(target=self.deps.worker_target,
                                     args=(cfg, self.queue, self.go_event, self.stop_event),
                                     name=f"envcheck-burn-{d.info.device}", daemon=True)
        d.process.start()

    def _wait(self, devices: Sequence[DeviceState], until: Callable[[], bool], deadline: float) -> None:
        while not until() and not self.stopping and self.run.t() < deadline:
            self.drain(POLL_S)
            self._reap(devices)
            self.tick()

    def _finish(self, devices: Sequence[DeviceState]) -> None:
        """Stop every worker: the event first, then after the grace period, kill."""
        self.stop_event.set()
        grace_end = time.monotonic() + self.run.options.stop_grace_s

        def running(d: DeviceState) -> bool:
            return d.process is not None and d.process.is_alive() and not d.ended
        while time.monotonic() < grace_end and any(running(d) for d in devices):
            self.drain(0.05)
            self._reap(devices)
        for d in devices:
            p = d.process
            if p is not None and p.is_alive() and d.ended:
                p.join(0.5)  # it said goodbye and is flushing its queue
            if p is not None and p.is_alive():
                if not d.ended:
                    d.notes.append(f"worker did not stop within {self.run.options.stop_grace_s:g} s and was killed")
                    d.ended = True
                p.kill()
                p.join(1.0)
        self.drain()
        self._reap(devices)

    # -- the phases -----------------------------------------------------------------------
    def micro(self) -> None:
        self.run.phase = "micro"
        for d in self.run.devices.values():
            if self.stopping:
                break
            start = self.run.t()
            self._start(d, "micro")
            self._wait([d], lambda: d.ended, start + self.run.options.setup_timeout_s + 600)
            self._finish([d])
            self.stop_event.clear()
            self.run.micro_windows[d.info.device] = (start, self.run.t())
            if d.micro is None:
                d.micro = MicroResult(d.info.device, error=d.detail or "the microbenchmarks did not finish")
            elif d.micro.error is None:
                link, source = self._link(d)
                d.micro = attach_peaks(d.micro, d.info.spec, link, source, self.deps.pcie_gb_s(*link))
                d.state = "done"

    def _link(self, d: DeviceState) -> Tuple[Tuple[Optional[int], Optional[int]], str]:
        lo, hi = self.run.micro_windows.get(d.info.device, (0.0, self.run.t()))
        seen = [s for s in self.run.sampler.samples() if s.device == d.info.device and lo <= s.t_s <= hi]
        gens = [s.pcie_gen_current.value for s in seen if s.pcie_gen_current.ok]
        widths = [s.pcie_width_current.value for s in seen if s.pcie_width_current.ok]
        if gens and widths:
            return (max(gens), max(widths)), "the link seen during the test"
        return (d.info.pcie_gen_max.get(None), d.info.pcie_width_max.get(None)), "the link's maximum"

    def burn(self, write: Callable[[], None]) -> None:
        self._start_allreduce()
        try:
            self._burn(write)
        finally:  # after the workers: the links were loaded for as long as the GEMMs ran
            self._stop_allreduce()
            self.tick(force=True)

    def _burn(self, write: Callable[[], None]) -> None:
        devices = list(self.run.devices.values())
        o = self.run.options
        for d in devices:
            d.state, d.detail = "not_started", None
            self._start(d, "burn")
        self._wait(devices, lambda: all(d.ended or d.state == "ready" for d in devices) and self._allreduce_ready(),
                   self.run.t() + o.setup_timeout_s)
        for d in devices:
            if not d.ended and d.state != "ready" and not self.stopping:
                d.detail = f"set-up took longer than {o.setup_timeout_s:g} s"
        self.run.go_s = round(self.run.t(), 3)
        self.run.phase = "burn"
        if self.stopping:  # interrupted during set-up: workers must see stop before go
            self.stop_event.set()
        self.go_event.set()
        deadline = self.run.go_s + o.duration_s
        last_write = -1e9
        try:
            while not self.stopping and self.run.t() < deadline and not all(d.ended for d in devices):
                self.drain(POLL_S)
                self._reap(devices)
                self.tick()
                if self.run.t() - last_write >= o.report_interval_s:
                    last_write = self.run.t()
                    write()
        finally:  # also when writing the report failed: never leave workers burning
            self.run.end_s = round(self.run.t(), 3)
            self.run.phase = "stopping"
            self._finish(devices)
        self.tick(force=True)

    def execute(self, write: Callable[[], None]) -> Run:
        with _Signals(self._signalled):
            self.run.sampler.start()
            try:
                write()
                if self.run.options.micro:
                    self.micro()
                    write()
                if self.run.options.duration_s > 0 and not self.stopping:
                    self.burn(write)
            finally:
                self.run.sampler.stop()
                self.run.phase = "done"
                self.run.ended = now()
                try:
                    self.queue.cancel_join_thread()
                    self.queue.close()
                except (OSError, ValueError):
                    pass
        return self.run
