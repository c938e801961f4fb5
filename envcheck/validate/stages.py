"""The stages of a validation, each a thin call of another command's public entry point.

doctor  ``envcheck.probes.collect`` + ``envcheck.rules.evaluate`` + ``envcheck.report``
verify  ``envcheck.verify.run`` on every device
bench   ``envcheck.bench.run.run_bench`` on the first device (Fashion-MNIST if present)
burn    ``envcheck.burn.burn`` on every device, for the level's preset
interconnect  ``envcheck.interconnect.node.measure`` across the GPUs (see :func:`interconnect`)

Each returns a :class:`StageResult` holding the stage's own JSON document, unchanged, so
a reader of the validate report reads exactly what ``envcheck <stage> --json`` writes.
A stage never prints: it reports progress through ``tick(fraction, detail)``. Nothing
here imports torch; the commands it calls do, when they run.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from envcheck.errors import EnvcheckError, SetupError
from envcheck.validate.verdicts import BURN, Verdict, from_doctor

Tick = Callable[[Optional[float], str], None]  # (fraction done or None, what is happening)


@dataclass
class StageResult:
    name: str
    verdict: Verdict
    summary: str = ""  # one line for the table
    reason: str = ""  # why it was skipped, or could not run
    seconds: float = 0.0
    devices: Tuple[str, ...] = ()
    document: Optional[Dict[str, Any]] = None  # the stage's own envcheck document
    cannot_run: bool = False  # a prerequisite this machine lacks (exit 4 when nothing else failed)
    notes: List[str] = field(default_factory=list)

    def to_data(self) -> Dict[str, Any]:
        return {"name": self.name, "verdict": self.verdict.value, "summary": self.summary, "reason": self.reason,
                "seconds": round(self.seconds, 3), "devices": list(self.devices), "cannot_run": self.cannot_run,
                "notes": list(self.notes), "document": self.document}


class StageInterrupted(Exception):
    """A stage was stopped by SIGINT/SIGTERM; ``result`` is what it had when it stopped."""

    def __init__(self, signum: int, result: StageResult) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum
        self.result = result


@dataclass(frozen=True)
class StageContext:
    """What every stage may read: the options, the devices and the doctor's facts."""

    level: Any  # levels.Level
    devices: Tuple[str, ...]  # resolved: ("cpu",) or ("cuda:0", "cuda:1", …)
    burn_s: float
    bench_model: str
    bench_epochs: Optional[int] = None
    threads: Optional[int] = None
    data_dir: Optional[Path] = None
    synthetic: bool = False
    seed: int = 0
    strict: bool = False
    python: Optional[str] = None
    torch_timeout_s: float = 90.0
    redact: bool = False
    interconnect: str = "auto"  # auto | on | off (see interconnect())


def _setup_failure(name: str, exc: EnvcheckError, t0: float, devices: Tuple[str, ...] = ()) -> StageResult:
    return StageResult(name, Verdict.ERROR, summary=f"cannot run: {exc}", reason=str(exc),
                       seconds=time.perf_counter() - t0, devices=devices, cannot_run=isinstance(exc, SetupError))


# ------------------------------------------------------------------------------ doctor
def doctor(ctx: StageContext, tick: Tick) -> Tuple[StageResult, Any]:
    """The doctor's report document and the facts (validate resolves devices from them)."""
    from envcheck import snapshot
    from envcheck.probes import ProbeOptions, collect
    from envcheck.report import Report
    from envcheck.report.jsonfmt import document
    from envcheck.rules import evaluate

    t0 = time.perf_counter()
    tick(None, "reading this machine (the torch probe takes a few seconds)")
    collection = collect(ProbeOptions(python=ctx.python, torch=True, torch_timeout_s=ctx.torch_timeout_s))
    facts = collection.facts
    if ctx.redact:
        facts = snapshot.redact(facts)
    ev = evaluate(facts)
    report = Report("doctor", facts, ev.findings, tuple(collection.failures) + ev.failures)
    doc = document(report)
    counts = report.counts()
    verdict = from_doctor(report.verdict, len(report.failures))
    worst = [f.id for f in report.findings if f.severity.value == ("error" if counts["error"] else "warning")]
    summary = f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"
    if worst:
        summary += ": " + ", ".join(worst[:4]) + (" …" if len(worst) > 4 else "")
    if report.failures:
        summary += f"; envcheck failed: {report.failures[0]}"
    return StageResult("doctor", verdict, summary, seconds=time.perf_counter() - t0, document=doc), facts


# ------------------------------------------------------------------------------ verify
def verify(ctx: StageContext, tick: Tick) -> StageResult:
    from envcheck.validate.levels import verify_dtypes
    from envcheck.verify import run
    from envcheck.verify.text import to_document

    t0 = time.perf_counter()
    dtypes = verify_dtypes(ctx.level, ctx.devices[0])
    tick(None, f"{', '.join(dtypes)} on {', '.join(ctx.devices)}")
    try:
        result = run(",".join(ctx.devices), dtypes, seed=ctx.seed)
    except EnvcheckError as exc:
        return _setup_failure("verify", exc, t0, ctx.devices)
    doc = to_document(result)
    if not result.checked and not result.failures:
        why = "; ".join(f"{s.dtype} on {s.device}: {s.reason}" for s in result.skipped) or "nothing to check"
        return StageResult("verify", Verdict.ERROR, f"nothing checked ({why})", seconds=time.perf_counter() - t0,
                           devices=ctx.devices, document=doc)
    failed = len(result.failures)
    verdict = Verdict.PASS if result.passed else Verdict.FAIL
    summary = (f"{result.checked} checks, {failed} failed" if failed else f"{result.checked} checks passed") + \
        f" ({', '.join(dtypes)}; worst rel. error {result.max_rel_err:.1e})"
    return StageResult("verify", verdict, summary, seconds=time.perf_counter() - t0, devices=ctx.devices, document=doc)


# ------------------------------------------------------------------------------- bench
def _bench_data(ctx: StageContext) -> Tuple[Any, str]:
    """Real Fashion-MNIST when it is on this machine (never downloaded by validate), else
    the synthetic stand-in, labelled; the note says which and why."""
    from envcheck.dataset import load, locate, synthetic_dataset

    # Always the full synthetic size: the accuracy gates were measured on it.
    if ctx.synthetic:
        return synthetic_dataset(seed=ctx.seed), "synthetic data (asked for)"
    lookup = locate(ctx.data_dir)
    if lookup.found is None and ctx.data_dir is None:  # an explicit --data-dir without the files is an error
        return (synthetic_dataset(seed=ctx.seed),
                "no Fashion-MNIST on this machine (looked in " + ", ".join(lookup.tried) +
                "); SYNTHETIC data — `envcheck data fetch` for the real set")
    data = load(ctx.data_dir, download=False)
    return data, f"Fashion-MNIST ({data.kind}) from {data.source}"


def bench(ctx: StageContext, tick: Tick) -> StageResult:
    t0 = time.perf_counter()
    device = ctx.devices[0]
    try:
        import sample_models
        from envcheck.bench.results import to_document
        from envcheck.bench.run import BenchConfig, Hooks, run_bench

        tick(None, "loading the data set")
        data, note = _bench_data(ctx)
        spec = sample_models.get(ctx.bench_model)
        epochs = ctx.bench_epochs or spec.epochs

        def progress(event: Any) -> None:
            if event.record is not None:
                tick(event.epoch / max(1, event.epochs),
                     f"{spec.name} epoch {event.epoch}/{event.epochs}, test acc {100 * event.record.test_accuracy:.1f}%")

        config = BenchConfig(model=spec.name, epochs=epochs, device=device, seed=ctx.seed, threads=ctx.threads)
        tick(0.0, f"{spec.name}, {epochs} epochs on {device}" + (" [SYNTHETIC data]" if data.synthetic else ""))
        result, _ = run_bench(config, data, Hooks(progress=progress))
    except ImportError as exc:  # the bench extra (torch, numpy) is not installed
        return _setup_failure("bench", SetupError(f"the bench needs torch and numpy: {exc}"), t0, (device,))
    except EnvcheckError as exc:
        return _setup_failure("bench", exc, t0, (device,))
    doc = to_document(result)
    gate = result.fast.gate
    acc = f"test acc {100 * result.fast.test_accuracy:.1f}%"
    speed = f"{result.fast.train_images_per_s:,.0f} images/s"
    label = " [SYNTHETIC data]" if result.dataset.synthetic else ""
    if not result.judged:
        verdict = Verdict.WARN  # timed, not judged: accuracy was not shown
        summary = f"{spec.name} {acc}, {speed}{label}; not judged ({gate.why_not_judged if gate else 'no gate'})"
    elif result.passed:
        verdict = Verdict.PASS
        summary = f"{spec.name} {acc} ≥ gate {100 * gate.target_accuracy:.0f}%, {speed}{label}"
    else:
        verdict = Verdict.FAIL
        summary = f"{spec.name} {acc} < gate {100 * gate.target_accuracy:.0f}%: trains to the wrong answer{label}"
    return StageResult("bench", verdict, summary, seconds=time.perf_counter() - t0, devices=(device,), document=doc,
                       notes=[note])


# -------------------------------------------------------------------------------- burn
def burn(ctx: StageContext, tick: Tick) -> StageResult:
    from envcheck.burn import BurnOptions, parse_devices, resolve_devices
    from envcheck.burn import burn as run_burn
    from envcheck.burn.deps import default_deps
    from envcheck.burn.options import format_duration
    from envcheck.burn.session import Skipped

    t0 = time.perf_counter()
    options = BurnOptions(duration_s=ctx.burn_s, strict=ctx.strict, seed=ctx.seed)
    deps = default_deps()
    try:
        infos = resolve_devices(parse_devices(",".join(ctx.devices)), deps)
    except Skipped as exc:
        return _setup_failure("burn", SetupError(str(exc)), t0, ctx.devices)
    except EnvcheckError as exc:
        return _setup_failure("burn", exc, t0, ctx.devices)
    from dataclasses import replace

    options = replace(options, devices=tuple(i.device for i in infos))

    def on_tick(run: Any) -> None:
        elapsed = run.window[1] - run.window[0] if run.window else 0.0
        if run.window:
            tick(min(1.0, elapsed / max(ctx.burn_s, 1e-9)), f"{format_duration(elapsed)} of {format_duration(ctx.burn_s)}"
                 f" under load on {len(infos)} device(s)")
        else:
            tick(0.0, f"setting up {len(infos)} worker(s) ({run.phase})")

    outcome = run_burn(options, infos, deps, on_tick=on_tick)
    doc = outcome.document
    status = doc.get("status")
    devices = tuple(options.devices)
    summary = _burn_summary(doc)
    if status == "aborted":
        signum = 15 if doc.get("interrupted_by") == "SIGTERM" else 2
        partial = StageResult("burn", Verdict.SKIP, "interrupted: " + summary, reason="interrupted",
                              seconds=time.perf_counter() - t0, devices=devices, document=doc)
        raise StageInterrupted(signum, partial)
    verdict = BURN.get(str(status), Verdict.ERROR)
    return StageResult("burn", verdict, summary, seconds=time.perf_counter() - t0, devices=devices, document=doc)


def _burn_summary(doc: Dict[str, Any]) -> str:
    parts = []
    for d in doc.get("devices") or ():
        reasons = [r.get("code", "") for r in d.get("reasons") or () if r.get("level") in ("fail", "error", "warn")]
        tp = (d.get("work") or {}).get("throughput") or {}
        figures = []
        if tp.get("cnn_images_per_s"):
            figures.append(f"CNN {tp['cnn_images_per_s']:,.0f} img/s")
        if tp.get("bandwidth_gb_s"):
            figures.append(f"{tp['bandwidth_gb_s']:,.0f} GB/s")
        text = f"{d.get('device')} {str(d.get('verdict', '?')).upper()}"
        if figures:
            text += f" ({', '.join(figures)})"
        if reasons:
            text += ": " + ", ".join(reasons[:3])
        parts.append(text)
    return "; ".join(parts) or str(doc.get("reason") or doc.get("status"))


# ------------------------------------------------------------------------ interconnect
INTERCONNECT_MODES = ("auto", "on", "off")
CPU_RANKS = 4  # gloo processes for --interconnect on with --device cpu (the command's own default)
# The sweep per level: nccl-tests' factor 2 at standard and long; a quick run steps by 8
# (10 sizes, 8 B to 1 GiB: the peak near 1 GiB, which the verdict judges, is still measured).
# On CPUs (asked for with --interconnect on) gloo stops at 4 MiB: it measures this host's
# memory, not a link, and is there to prove torch.distributed works.
SWEEP = {"quick": 8, "standard": 2, "long": 2}
CPU_MAX_BYTES = 4 << 20


def interconnect_plan(ctx: StageContext) -> Any:
    """The interconnect command's plan for this level and these devices."""
    from envcheck.interconnect import plan as p

    factor = SWEEP.get(ctx.level.name, 2)
    if ctx.devices == ("cpu",):
        return p.Plan("gloo", p.COLLECTIVES, p.sizes(8, CPU_MAX_BYTES, factor), step_budget_s=p.CPU_STEP_BUDGET_S)
    return p.Plan("nccl", p.COLLECTIVES, p.sizes(8, p.GPU_MAX_BYTES, factor))


def interconnect_estimate_s(ctx: StageContext) -> float:
    """Wall time for the ETA: start-up, then each step's budget and checks."""
    if interconnect_skip(ctx) is not None:
        return 0.0
    from envcheck.interconnect.plan import steps

    plan = interconnect_plan(ctx)
    world = CPU_RANKS if plan.backend == "gloo" else len(ctx.devices)
    per_step = plan.step_budget_s * 1.5
    return 10.0 + sum(per_step if s.kind == "collective" else 3.0 for s in steps(plan, world))


def interconnect_skip(ctx: StageContext) -> Optional[str]:
    """Why the stage does not run here (None: it runs). ``auto`` measures two GPUs or more;
    ``on`` also runs gloo over CPU processes with ``--device cpu``; ``off`` never runs."""
    if ctx.interconnect == "off":
        return "not asked for (--interconnect off)"
    if ctx.devices == ("cpu",):
        if ctx.interconnect == "on":
            return None
        return ("the CPU has no interconnect to measure (--interconnect on runs gloo over "
                f"{CPU_RANKS} CPU processes: it proves torch.distributed works, and measures this host's memory)")
    if len(ctx.devices) < 2:
        return "one GPU: nothing to interconnect"
    return None


def _interconnect_summary(doc: Dict[str, Any]) -> str:
    run = doc.get("run") or {}
    expected = doc.get("expected_busbw") or {}
    peaks = []
    for c, v in (doc.get("peak_busbw_gb_s") or {}).items():
        e = (expected.get(c) or {}).get("busbw_gb_s")
        peaks.append(f"{c} {v:,.3g} GB/s" + (f" ({100 * v / e:.0f} % of {e:g})" if e else ""))
    wrong = sum(r.get("wrong") or 0 for r in doc.get("collectives") or ())
    text = f"{run.get('world_size')} ranks over {run.get('backend')}: " + (", ".join(peaks) or "no collective measured")
    text += f"; {wrong} wrong element(s)" if wrong else "; every result right"
    if doc.get("hang"):
        text += f"; HANG at {doc['hang'].get('label')}"
    ids = [f.get("id") for f in doc.get("findings") or () if f.get("severity") in ("error", "warning")]
    return text + (": " + ", ".join(ids[:4]) if ids else "")


def interconnect(ctx: StageContext, tick: Tick) -> StageResult:
    """``envcheck interconnect`` on this node: NCCL across ``ctx.devices`` (or gloo over CPU
    processes when asked), its document unchanged in the report. With one GPU, on the CPU
    (unless ``--interconnect on``) or with ``--interconnect off`` the stage is a SKIP with
    the reason; ``on`` with one GPU cannot run (ERROR, exit 4)."""
    from envcheck.interconnect import text
    from envcheck.interconnect.node import measure, visible_devices
    from envcheck.interconnect.plan import steps

    why = interconnect_skip(ctx)
    if why is not None:
        if ctx.interconnect == "on" and ctx.devices != ("cpu",):
            return StageResult("interconnect", Verdict.ERROR, f"cannot run: {why} (--interconnect on)",
                               reason=why, devices=ctx.devices, cannot_run=True)
        return StageResult("interconnect", Verdict.SKIP, why, reason=why, devices=ctx.devices)
    t0 = time.perf_counter()
    plan = interconnect_plan(ctx)
    if plan.backend == "gloo":
        world, visible = CPU_RANKS, None
    else:
        indices = [int(d.split(":")[1]) for d in ctx.devices]
        world, visible = len(indices), visible_devices(indices, max(indices) + 1, os.environ)
    total = len(steps(plan, world))

    def on_step(step: Any, done: int) -> None:
        tick(step.index / max(1, total), step.label)

    tick(0.0, f"{world} ranks over {plan.backend}, {len(plan.sizes)} sizes to "
              f"{plan.sizes[-1] / 2**20:g} MiB, every result checked")
    try:
        verdict = measure(plan, world, visible, ctx.strict, on_step=on_step)
    except EnvcheckError as exc:
        return _setup_failure("interconnect", exc, t0, ctx.devices)
    doc = text.document(verdict)
    return StageResult("interconnect", Verdict(verdict.status), _interconnect_summary(doc),
                       seconds=time.perf_counter() - t0, devices=ctx.devices, document=doc)
