"""One validation: the stages in order, the skip rules, the verdicts, Ctrl-C.

doctor → verify → bench → burn → interconnect. After a doctor FAIL the later stages
cannot mean anything (a benchmark of a broken stack measures the breakage) and are
skipped with the reason, unless ``keep_going``. A stage that raises is an envcheck
failure (ERROR) and the next stage still runs. SIGINT/SIGTERM stop the run where it is:
the stage that was running is recorded as interrupted, the rest as not run, and the
document is still complete and valid (``status: interrupted``).

Nothing here prints: :class:`Events` receives the progress and every checkpoint.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .. import devices as devspec
from ..envelope import now
from ..errors import EnvcheckError
from . import stages as stage_mod
from .identity import identity
from .levels import LEVELS, bench_model
from .stages import StageContext, StageInterrupted, StageResult
from .verdicts import Verdict, exit_code, overall

ORDER = ("doctor", "verify", "bench", "burn", "interconnect")

# Rough CPU wall times of the bench's recipes on 60,000 images (docs/bench.md, this
# project's 2-core machine) for the ETA; a GPU runs any of them in well under a minute.
BENCH_CPU_S = {"softmax": 12.0, "mlp": 30.0, "lenet": 75.0, "leaky-cnn": 240.0, "refcnn": 420.0}


class Terminated(KeyboardInterrupt):
    """SIGTERM turned into an exception (the CLI installs the handler): stop like Ctrl-C."""

    signum = 15


@dataclass(frozen=True)
class ValidateOptions:
    level: str = "quick"
    device: str = "all"
    burn_s: Optional[float] = None  # None: the level's
    keep_going: bool = False
    strict: bool = False
    bench_model: Optional[str] = None  # None: the level's for the device
    bench_epochs: Optional[int] = None
    threads: Optional[int] = None  # the bench's CPU threads (None: torch's default)
    data_dir: Optional[Path] = None
    synthetic: bool = False
    seed: int = 0
    python: Optional[str] = None
    torch_timeout_s: float = 90.0
    redact: bool = False
    interconnect: str = "auto"  # auto: two GPUs or more; on: also gloo with --device cpu; off

    def public(self) -> Dict[str, Any]:
        return {"level": self.level, "device": self.device, "burn_s": self.burn_s, "keep_going": self.keep_going,
                "strict": self.strict, "bench_model": self.bench_model, "bench_epochs": self.bench_epochs,
                "threads": self.threads,
                "data_dir": str(self.data_dir) if self.data_dir else None, "synthetic": self.synthetic,
                "seed": self.seed, "redact": self.redact, "interconnect": self.interconnect}


@dataclass
class Events:
    """Callbacks for a person watching and for the report file (all optional)."""

    start: Callable[[int, int, str, float], None] = lambda index, total, name, eta_total_s: None
    tick: Callable[[str, Optional[float], str, float, float], None] = \
        lambda name, fraction, detail, elapsed_s, eta_total_s: None
    end: Callable[[int, int, StageResult], None] = lambda index, total, result: None
    checkpoint: Callable[["ValidateRun"], None] = lambda run: None


Runner = Callable[[StageContext, Callable[[Optional[float], str], None]], Any]


def default_runners() -> Dict[str, Runner]:
    return {name: getattr(stage_mod, name) for name in ORDER}


@dataclass
class ValidateRun:
    options: ValidateOptions
    machine: Dict[str, Any]
    started: str
    results: List[StageResult] = field(default_factory=list)
    status: str = "running"  # running | complete | interrupted
    interrupted_by: Optional[int] = None
    t0: float = field(default_factory=time.perf_counter)
    ended: Optional[str] = None

    @property
    def verdict(self) -> Verdict:
        return overall(r.verdict for r in self.results)

    @property
    def cannot_run(self) -> bool:
        return any(r.cannot_run for r in self.results)

    @property
    def exit_code(self) -> Optional[int]:
        if self.status == "running":
            return None
        return exit_code(self.verdict, strict=self.options.strict, cannot_run=self.cannot_run,
                         interrupted_by=self.interrupted_by)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


def estimate_s(name: str, ctx: StageContext) -> float:
    """A stage's expected wall time, for the ETA (refined while it runs)."""
    n_dev = max(1, len(ctx.devices))
    if name == "doctor":
        return 15.0
    if name == "verify":
        dtypes = 1 if ctx.devices[:1] == ("cpu",) else len(ctx.level.verify_dtypes)
        return 4.0 + 6.0 * dtypes * n_dev
    if name == "bench":
        if ctx.devices[:1] != ("cpu",):
            return 45.0
        scale = (ctx.bench_epochs or 10) / 10
        return 5.0 + BENCH_CPU_S.get(ctx.bench_model, 120.0) * scale
    if name == "burn":
        return ctx.burn_s + 25.0
    return stage_mod.interconnect_estimate_s(ctx)


def _no_devices_reason(facts: Any) -> str:
    t = getattr(facts, "torch", None)
    if t is None:
        return "the doctor could not read this machine, so its GPUs are unknown"
    if not t.installed.ok or not t.installed.value:
        return "torch is not installed in this Python (pip install 'envcheck[bench]')"
    if t.version.ok:
        return devspec.no_gpu_reason(str(t.version.value), t.cuda_build.value if t.cuda_build.ok else None)
    return "torch sees no CUDA device"


def resolve_devices(request: devspec.DeviceRequest, facts: Any) -> Tuple[str, ...]:
    """Device labels from the doctor's torch probe (SetupError when a GPU was asked for
    and torch sees none). The probe ran torch in a subprocess: validate itself never
    imports torch to count devices."""
    t = getattr(facts, "torch", None)
    count = int(t.device_count.value or 0) if t is not None and t.device_count.ok else 0
    return devspec.resolve(request, count, _no_devices_reason(facts))


def check_request(text: str) -> devspec.DeviceRequest:
    """``--device`` spelling, before anything runs (usage error, exit 2)."""
    request = devspec.parse(text)
    if request.cpu and (request.all or request.auto or request.cuda):
        raise EnvcheckError(f"--device {request.label}: validate the CPU on its own, not together with GPUs")
    return request


def run(options: ValidateOptions, events: Optional[Events] = None, runners: Optional[Mapping[str, Runner]] = None,
        environ: Optional[Mapping[str, str]] = None) -> ValidateRun:
    events = events or Events()
    runners = dict(default_runners(), **(runners or {}))
    env = os.environ if environ is None else environ
    level = LEVELS[options.level]
    request = check_request(options.device)
    if options.interconnect not in stage_mod.INTERCONNECT_MODES:
        raise EnvcheckError(f"--interconnect {options.interconnect}: choose from "
                            + ", ".join(stage_mod.INTERCONNECT_MODES))
    burn_s = options.burn_s if options.burn_s is not None else level.burn_s
    vrun = ValidateRun(options, identity(env, options.redact), now())
    ctx = StageContext(level=level, devices=("cpu",) if request.cpu else ("cuda:0",), burn_s=burn_s,
                       bench_model=options.bench_model or bench_model(level, "cpu" if request.cpu else "cuda"),
                       bench_epochs=options.bench_epochs, threads=options.threads, data_dir=options.data_dir,
                       synthetic=options.synthetic,
                       seed=options.seed, strict=options.strict,
                       python=options.python, torch_timeout_s=options.torch_timeout_s, redact=options.redact,
                       interconnect=options.interconnect)
    total = len(ORDER)
    skip_reason: Optional[str] = None
    device_error: Optional[EnvcheckError] = None

    def remaining_after(index: int) -> float:
        return sum(estimate_s(n, ctx) for n in ORDER[index + 1:])

    for index, name in enumerate(ORDER):
        if skip_reason is not None or device_error is not None:
            if skip_reason is not None:
                result = StageResult(name, Verdict.SKIP, skip_reason, reason=skip_reason)
            else:
                result = StageResult(name, Verdict.ERROR, f"cannot run: {device_error}", reason=str(device_error),
                                     cannot_run=True)
            vrun.results.append(result)
            events.end(index, total, result)
            continue
        est = estimate_s(name, ctx)
        events.start(index, total, name, est + remaining_after(index))
        t_stage = time.perf_counter()

        first: List[Tuple[float, float]] = []  # (elapsed, fraction) at the first progress report

        def tick(fraction: Optional[float], detail: str, _name: str = name, _est: float = est,
                 _index: int = index, _t: float = t_stage, _first: List[Tuple[float, float]] = first) -> None:
            elapsed = time.perf_counter() - _t
            if fraction and not _first:
                _first.append((elapsed, fraction))
            if fraction and _first and fraction > _first[0][1]:
                # The rate since the first report: set-up (data, workers) is front-loaded
                # and would make a plain elapsed/fraction estimate several times too long.
                t1, f1 = _first[0]
                left = (elapsed - t1) / (fraction - f1) * (1 - fraction)
            else:
                left = max(_est - elapsed, 1.0)
            events.tick(_name, fraction, detail, elapsed, left + remaining_after(_index))

        try:
            outcome = runners[name](ctx, tick)
        except StageInterrupted as exc:
            vrun.results.append(exc.result)
            events.end(index, total, exc.result)
            _interrupt(vrun, exc.signum, index + 1, events, total)
            break
        except KeyboardInterrupt as exc:
            result = StageResult(name, Verdict.SKIP, "interrupted", reason="interrupted",
                                 seconds=time.perf_counter() - t_stage)
            vrun.results.append(result)
            events.end(index, total, result)
            _interrupt(vrun, getattr(exc, "signum", 2), index + 1, events, total)
            break
        except Exception as exc:  # an envcheck bug in a stage: report it, run the next stage
            result = StageResult(name, Verdict.ERROR, f"envcheck failed: {type(exc).__name__}: {exc}",
                                 reason=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t_stage)
            outcome = (result, None) if name == "doctor" else result
        if name == "doctor":
            result, facts = outcome
            try:
                labels = resolve_devices(request, facts)
                ctx = replace(ctx, devices=labels, bench_model=options.bench_model or bench_model(level, labels[0]))
            except EnvcheckError as exc:
                device_error = exc
            if result.verdict is Verdict.FAIL and not options.keep_going:
                skip_reason = "skipped: the doctor found errors — fix them first (or use --keep-going)"
        else:
            result = outcome
        vrun.results.append(result)
        events.end(index, total, result)
        events.checkpoint(vrun)
    if vrun.status == "running":
        vrun.status = "complete"
    vrun.ended = now()
    events.checkpoint(vrun)
    return vrun


def _interrupt(vrun: ValidateRun, signum: int, next_index: int, events: Events, total: int) -> None:
    vrun.status = "interrupted"
    vrun.interrupted_by = signum
    for index in range(next_index, len(ORDER)):
        result = StageResult(ORDER[index], Verdict.SKIP, "not run: interrupted", reason="interrupted")
        vrun.results.append(result)
        events.end(index, total, result)
