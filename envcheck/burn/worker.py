"""One device's worker process (multiprocessing *spawn*): set up, wait for the common
start, burn in rotating phases until told to stop, and report over a queue.

Messages are ``(device, kind, payload)`` tuples:
``note`` (str), ``check`` (CheckResult), ``ready`` (dict of versions), ``counters`` and
``done`` (WorkCounters), ``failed`` ((state, detail)), ``micro`` (MicroResult).

The worker ignores SIGINT: Ctrl-C reaches the whole process group, and the parent —
which owns the report — stops workers through the ``stop`` event, so each one ends
its batch, sends its last counters and exits cleanly. A worker whose parent is gone
(killed with SIGKILL, or by the OOM killer: no one will set ``stop``) stops on its own
within about a second, and so does one still running long past its duration — an
orphan must never keep a GPU at full power.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

from .records import GemmCounter, WorkCounters

COUNTER_INTERVAL_S = 1.0
_CUDA_MARKERS = ("cuda error", "cudaerror", "cublas_status", "cudnn_status", "illegal memory access",
                 "unspecified launch failure", "uncorrectable ecc", "ecc error", "gpu is lost",
                 "fallen off the bus", "launch timed out")


@dataclass(frozen=True)
class WorkerConfig:
    device: str  # "cuda:N" or "cpu"
    duration_s: float
    mode: str = "burn"  # "burn" | "micro"
    seed: int = 0
    inject: Optional[str] = None
    cnn_factory: Optional[Callable[[Any, str], Any]] = None  # (torch, device) -> CnnStep; module-level
    conv_check: Optional[Callable[[str], Any]] = None  # (device) -> CheckResult; module-level
    correctness_n: Optional[int] = None  # None: 1024 on a GPU, 256 on the CPU


class Unavailable(Exception):
    """An optional third-party part of the workload is not installed here (raised by a
    ``cnn_factory`` or ``conv_check``); the message says which: a note, not a failure."""


PARENT_CHECK_S = 1.0
OVERRUN_S = 30.0  # the parent stops workers at the deadline; this is only the backstop


class StopSignal:
    """Calling it says True once the worker must stop: the parent set ``stop``, the parent
    process is gone (checked at most every PARENT_CHECK_S), or the burn has run OVERRUN_S
    past its duration (``started`` marks the common start)."""

    def __init__(self, stop: Any, duration_s: float, parent_alive: Callable[[], bool],
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.stop, self.duration_s, self.parent_alive, self.clock = stop, duration_s, parent_alive, clock
        self.go: Optional[float] = None
        self.orphaned = False
        self._checked = -1e9

    def started(self) -> None:
        self.go = self.clock()

    def __call__(self) -> bool:
        if self.stop.is_set():
            return True
        now = self.clock()
        if self.go is not None and now - self.go > self.duration_s + OVERRUN_S:
            return True
        if not self.orphaned and now - self._checked >= PARENT_CHECK_S:
            self._checked = now
            self.orphaned = not self.parent_alive()
        return self.orphaned


def parent_alive() -> bool:
    """False once the process that spawned this one has exited (its sentinel pipe closed)."""
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def classify(exc: BaseException) -> Tuple[str, str]:
    """("cuda_error" | "error", one line): CUDA/cuBLAS/cuDNN runtime faults are the device's."""
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
    low = text.lower()
    if "out of memory" in low:
        return "error", text
    if any(m in low for m in _CUDA_MARKERS):
        return "cuda_error", text
    return "error", text


def phase_seconds(duration_s: float, phases: int) -> float:
    """Each phase comes round at least twice in a run where it can: 0.5 s to 10 s each."""
    return min(10.0, max(0.5, duration_s / (2 * max(phases, 1))))


def check_interval(duration_s: float) -> float:
    """Recheck correctness about ten times a run, every 1 to 30 s."""
    return min(30.0, max(1.0, duration_s / 10))


class Worker:
    def __init__(self, torch: Any, cfg: WorkerConfig, send: Callable[[str, Any], None], stop: Any,
                 alive: Callable[[], bool] = parent_alive) -> None:
        from .correctness import Correctness
        from .workloads import calibrate_cpu_n, gemm_dtypes

        self.torch, self.cfg, self.send = torch, cfg, send
        self.stopped = StopSignal(stop, cfg.duration_s, alive)
        self.cuda = cfg.device.startswith("cuda")
        self.t_setup = time.perf_counter()
        if self.cuda:
            torch.cuda.set_device(torch.device(cfg.device))
            # Accumulate fp16/bf16 products in fp32, as the tolerances assume.
            torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
            if hasattr(torch.backends.cuda.matmul, "allow_bf16_reduced_precision_reduction"):
                torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
            torch.backends.cudnn.benchmark = True
        self.sync = (lambda: torch.cuda.synchronize()) if self.cuda else (lambda: None)
        self.dtypes = gemm_dtypes(torch, cfg.device)
        self.gemm: Dict[str, GemmCounter] = {}
        for dt in self.dtypes:
            n = 8192 if self.cuda else calibrate_cpu_n(torch, dt)
            self.gemm[dt] = GemmCounter(dt, n=n)
        if cfg.conv_check:
            try:
                send("check", replace(cfg.conv_check(cfg.device), t_s=self._setup_t()))
            except Unavailable as exc:
                send("note", f"convolution check skipped: {exc}")
        n = cfg.correctness_n or (1024 if self.cuda else 256)
        self.correct = Correctness(torch, cfg.device, self.dtypes, n, cfg.seed)
        for check in self.correct.first(self._setup_t()):
            send("check", check)
        self.cnn = None
        if cfg.cnn_factory:
            try:
                self.cnn = cfg.cnn_factory(torch, cfg.device)
            except Unavailable as exc:
                send("note", f"CNN training step skipped: {exc}")
        self.batchers: Dict[str, Any] = {}
        self.bw = dict(ops=0, bytes=0.0, busy=0.0)
        self.cnn_counts = dict(steps=0, images=0, flops=0.0, busy=0.0)
        self.noted: set = set()
        self.go: Optional[float] = None
        self.last_counters = 0.0
        self.injected = False

    def _setup_t(self) -> float:
        return -(time.perf_counter() - self.t_setup)

    def _t(self) -> float:
        return time.perf_counter() - self.go if self.go is not None else self._setup_t()

    def _batcher(self, key: str):
        from .workloads import Batched

        return self.batchers.setdefault(key, Batched(self.sync))

    def counters(self) -> WorkCounters:
        b, c = self.bw, self.cnn_counts
        return WorkCounters(dict(self.gemm), b["ops"], b["bytes"], b["busy"], c["steps"], c["images"], c["flops"],
                            c["busy"], round(self._t(), 3) if self.go is not None else 0.0)

    def _tick(self) -> None:
        now = time.perf_counter()
        if now - self.last_counters >= COUNTER_INTERVAL_S:
            self.last_counters = now
            self.send("counters", self.counters())
            if self.cfg.inject == "die":  # test hook: the worker (or its GPU) vanishes mid-run
                os._exit(3)

    def _note_once(self, key: str, text: str) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.send("note", text)

    def _free(self) -> Optional[int]:
        return int(self.torch.cuda.mem_get_info()[0]) if self.cuda else None

    # -- phases -------------------------------------------------------------------------
    def phases(self) -> List[Tuple[str, str]]:
        out = [("gemm", dt) for dt in self.dtypes] + [("bandwidth", "")]
        return out + ([("cnn", "")] if self.cnn is not None else [])

    def _until(self, seconds: float, body: Callable[[], None]) -> None:
        """``body`` in a loop for ``seconds`` from now — counted once the phase's buffers
        exist, since allocating and filling them on a busy host can take longer than a short
        phase — and at least once, so that every phase of a run does some work."""
        end = time.perf_counter() + seconds
        while not self.stopped():
            body()
            self._tick()
            if time.perf_counter() >= end:
                break

    def gemm_phase(self, dtype: str, seconds: float) -> None:
        from .workloads import GemmLoad

        g = self.gemm[dtype]
        load = GemmLoad(self.torch, self.cfg.device, dtype, g.n, self._free())
        if load.skipped:
            why = "could not allocate even half of free memory for its buffers"
            self.gemm[dtype] = replace(g, skipped=why)
            return
        if load.misses:
            self._note_once(f"backoff-{dtype}", f"GEMM {dtype}: backed off to {load.fraction:.0%} of free memory "
                                                f"after out-of-memory at {', '.join(f'{f:.0%}' for f, _ in load.misses)}")
        batcher = self._batcher(f"gemm-{dtype}")

        def body() -> None:
            k, dt = batcher.run(load.op)
            cur = self.gemm[dtype]
            self.gemm[dtype] = replace(cur, ops=cur.ops + k, flops=cur.flops + k * load.flops_per_op(),
                                       busy_s=cur.busy_s + dt, slots=load.slots, memory_fraction=load.fraction,
                                       skipped=None)
        with load.math():
            self._until(seconds, body)
            check = load.check_slots(self._t())
        if check is not None:
            self.send("check", check)
        load.release()

    def bandwidth_phase(self, seconds: float) -> None:
        from .workloads import BandwidthLoad

        load = BandwidthLoad(self.torch, self.cfg.device, self._free())
        batcher = self._batcher("bandwidth")

        def body() -> None:
            before = load.bytes
            k, dt = batcher.run(load.op)
            self.bw["ops"] += k
            self.bw["bytes"] += load.bytes - before
            self.bw["busy"] += dt
        self._until(seconds, body)
        self.send("check", load.check_copy(self._t()))
        load.release()

    def cnn_phase(self, seconds: float) -> None:
        from .records import CheckResult

        batcher = self._batcher("cnn")
        last: List[Any] = [None]

        def op(i: int) -> None:
            last[0] = self.cnn.run()

        def body() -> None:
            k, dt = batcher.run(op)
            c = self.cnn_counts
            c["steps"] += k
            c["images"] += k * self.cnn.images_per_step
            c["flops"] += k * self.cnn.flops_per_step
            c["busy"] += dt
            loss = float(last[0])
            if loss != loss or loss in (float("inf"), float("-inf")):
                self.send("check", CheckResult("finite", "cnn", False, self._t(), None, None, None, False,
                                               f"the CNN's training loss became {loss}"))
                self.cnn = None
                raise _PhaseOver()
        try:
            self._until(seconds, body)
        except _PhaseOver:
            pass

    def burn(self) -> None:
        self.go = time.perf_counter()
        self.stopped.started()
        phases = self.phases()
        phase_s = phase_seconds(self.cfg.duration_s, len(phases))
        interval = check_interval(self.cfg.duration_s)
        next_check = self.go + interval
        i = 0
        while not self.stopped():
            kind, dtype = phases[i % len(phases)]
            i += 1
            if kind == "gemm":
                self.gemm_phase(dtype, phase_s)
            elif kind == "bandwidth":
                self.bandwidth_phase(phase_s)
            elif self.cnn is not None:
                self.cnn_phase(phase_s)
            if time.perf_counter() >= next_check and not self.stopped():
                inject = None if self.injected else self.cfg.inject
                self.injected = self.injected or inject in ("mismatch", "nan")
                for check in self.correct.repeat(self._t(), inject if inject in ("mismatch", "nan") else None):
                    self.send("check", check)
                next_check = time.perf_counter() + interval
            self._tick()


class _PhaseOver(Exception):
    pass


def _quiet_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(cfg: WorkerConfig, queue: Any, go: Any, stop: Any) -> None:
    """Process entry point (spawned by orchestrate.py)."""
    _quiet_signals()
    # Fixed cuBLAS workspaces make repeated GEMMs bit-for-bit reproducible (see correctness.py).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

    def send(kind: str, payload: Any) -> None:
        queue.put((cfg.device, kind, payload))

    try:
        import torch

        if cfg.mode == "micro":
            from .micro import run_micro

            send("micro", run_micro(torch, cfg.device))
            return
        worker = Worker(torch, cfg, send, stop)
        versions = {"torch": str(torch.__version__), "cuda": str(torch.version.cuda or ""),
                    "cudnn": str(torch.backends.cudnn.version() or "") if cfg.device != "cpu" else "",
                    "threads": str(torch.get_num_threads())}
        send("ready", versions)
    except BaseException as exc:  # a worker must always say why it ended
        send("failed", ("setup_failed" if classify(exc)[0] == "error" else "cuda_error", classify(exc)[1]))
        return
    while not go.wait(0.1):
        if stop.is_set():
            send("done", worker.counters())
            return
        if worker.stopped():  # the parent is gone: nobody will say go (or read the queue)
            os._exit(0)
    try:
        worker.burn()
    except BaseException as exc:
        send("counters", worker.counters())
        send("failed", classify(exc))
        return
    if worker.stopped.orphaned:
        os._exit(0)
    send("done", worker.counters())
    # Flush the queue, then leave without the interpreter's teardown (freeing torch's
    # pools and threads takes over a second on a busy machine; the parent is waiting).
    queue.close()
    queue.join_thread()
    os._exit(0)
