"""One bench run: the fast path (and, when asked, the naive baseline) trained and measured.

Nothing here prints: progress goes to a callback, the result is a record. The device's
peak, the GPU telemetry and the reference table are reached through replaceable hooks,
so every path — including the GPU-only ones — runs in tests with fakes.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import platform
import signal
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch

import sample_models
from envcheck import __version__
from envcheck.bench import reference
from envcheck.bench.baseline import BaselineTrainer, evaluate_baseline
from envcheck.bench.device import (
    Precision,
    backend_settings,
    cuda_devices,
    device_name,
    resolve_device,
    resolve_precision,
)
from envcheck.bench.fastpath import DeviceData, FastTrainer, evaluate, graph_supported
from envcheck.bench.peak import device_peak_tflops
from envcheck.bench.results import BenchResult, DatasetInfo, DeviceInfo, EpochRecord, Gate, LoopResult
from envcheck.bench.text import plan_text
from envcheck.dataset import DataSet
from envcheck.errors import EnvcheckError, Terminated
from envcheck.reading import Reading, Status
from envcheck.telemetry import Sampler, TelemetrySource, match_nvml, summarise
from envcheck.telemetry import gpu as gpu_telemetry
from sample_models import ModelSpec
from sample_models.nets import first_conv


@dataclass(frozen=True)
class BenchConfig:
    model: Optional[str] = None  # None: sample_models.DEFAULT
    epochs: Optional[int] = None  # None: the recipe's
    device: str = "auto"
    precision: str = "auto"
    seed: int = 0
    compile: bool = False
    graph: bool = True  # capture the step as a CUDA graph where possible
    compare_baseline: bool = False
    channels_last: Optional[bool] = None  # None: the model's preference
    threads: Optional[int] = None  # CPU intra-op threads (None: torch's default)


@dataclass(frozen=True)
class Event:
    loop: str  # "fast" | "baseline"
    phase: str  # "setup" | "epoch" | "done"
    epoch: int
    epochs: int
    record: Optional[EpochRecord] = None
    message: str = ""


def gpu_telemetry_for(dev: torch.device) -> Tuple[Optional[TelemetrySource], Reading]:
    """(NVML telemetry for the CUDA device, "sampled") or (None, why not): its NVML twin is
    found by UUID or PCI address (CUDA and NVML number GPUs differently), then opened."""
    cuda = next((c for c in cuda_devices() if c.index == (dev.index or 0)), None)
    if cuda is None:
        return None, Reading.fail(Status.NOT_FOUND, f"torch lists no {dev}")
    nvml = gpu_telemetry.nvml_gpus()
    if not nvml.init.ok:
        return None, Reading.fail(nvml.init.status, f"NVML: {nvml.init.detail}")
    gpu, why = match_nvml(cuda, nvml.gpus.get(()))
    if gpu is None:
        return None, Reading.fail(Status.NOT_FOUND, why)
    source = gpu_telemetry.open_nvml({gpu.index: cuda.label})
    if not source.status.ok:
        source.close()
        return None, source.status
    return source, Reading.of("sampled")


@dataclass
class Hooks:
    progress: Callable[[Event], None] = lambda event: None
    peak_fn: Callable[[str, str, str], Reading] = device_peak_tflops
    telemetry_fn: Callable[[torch.device], Tuple[Optional[TelemetrySource], Reading]] = gpu_telemetry_for
    compare_fn: Callable = reference.compare
    compile_backend: str = "inductor"
    telemetry_interval_s: float = 1.0


@dataclass
class Artifacts:
    """What the plots need beyond the result: the trained first layer's weights."""

    first_layer: Optional[np.ndarray] = None  # (out, in, kh, kw) conv filters or (out, 28, 28)
    first_layer_kind: str = ""
    extras: dict = field(default_factory=dict)


class _Timer:
    """Device events on CUDA (no host sync until read); perf_counter on the CPU."""

    def __init__(self, dev: torch.device) -> None:
        self.cuda = dev.type == "cuda"

    def start(self) -> None:
        if self.cuda:
            self.a = torch.cuda.Event(enable_timing=True)
            self.a.record()
        else:
            self.t0 = time.perf_counter()

    def stop(self) -> float:
        if self.cuda:
            b = torch.cuda.Event(enable_timing=True)
            b.record()
            b.synchronize()
            return self.a.elapsed_time(b) / 1000.0
        return time.perf_counter() - self.t0


def versions() -> dict:
    out = {"envcheck": __version__, "python": platform.python_version(), "torch": torch.__version__,
           "numpy": np.__version__, "torch_cuda": str(torch.version.cuda)}
    if torch.backends.cudnn.is_available():
        out["cudnn"] = str(torch.backends.cudnn.version())
    return out


def _loop_result(loop: str, spec: ModelSpec, records: List[EpochRecord], images_per_epoch: int,
                 eval_images: int, setup_s: float, target: Gate, peak: Reading, options: dict) -> LoopResult:
    secs = [r.seconds for r in records]
    # Throughput from the median warm epoch: robust to another job stealing the CPU (or
    # GPU) for one epoch, which a mean would fold in. The first epoch is warm-up (cuDNN
    # autotuning, lazy allocation) and is reported on its own.
    steady = statistics.median(secs[1:] or secs)
    ips = images_per_epoch / steady if steady > 0 else 0.0
    eval_s = statistics.median([r.eval_seconds for r in records][1:] or [r.eval_seconds for r in records])
    eval_ips = eval_images / eval_s if eval_s > 0 else 0.0
    hit = next((r for r in records if r.test_accuracy >= target.target_accuracy), None)
    ttt = setup_s + sum(secs[:hit.epoch]) if hit else None
    tflops = spec.train_flops_per_image * ips / 1e12
    fraction = (Reading.of(round(tflops / peak.value, 5)) if peak.ok and peak.value
                else Reading.fail(peak.status if peak.status is not Status.OK else Status.UNKNOWN, peak.detail))
    last = records[-1]
    return LoopResult(
        loop=loop, test_accuracy=round(last.test_accuracy, 5), test_loss=round(last.test_loss, 5),
        train_images_per_s=round(ips, 1), eval_images_per_s=round(eval_ips, 1),
        epoch_seconds=tuple(round(s, 5) for s in secs), first_epoch_seconds=round(secs[0], 5),
        steady_epoch_seconds=round(statistics.median(secs[1:]), 5) if len(secs) > 1 else None,
        setup_seconds=round(setup_s, 4), train_seconds=round(sum(secs), 4), images_per_epoch=images_per_epoch,
        time_to_target_s=round(ttt, 4) if ttt is not None else None, epochs_to_target=hit.epoch if hit else None,
        achieved_tflops=round(tflops, 6), fraction_of_peak=fraction, options=options, curve=tuple(records),
        gate=dataclasses.replace(target, test_accuracy=round(last.test_accuracy, 5)),
        warm_spread=round(max(secs[1:]) / min(secs[1:]), 3) if len(secs) > 2 and min(secs[1:]) > 0 else None,
    )


def _first_layer(model: torch.nn.Module) -> Tuple[Optional[np.ndarray], str]:
    conv = first_conv(model)
    if conv is not None:
        return conv.weight.detach().float().cpu().numpy(), "conv"
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and m.in_features == 28 * 28:
            return m.weight.detach().float().cpu().numpy().reshape(-1, 28, 28), "linear"
    return None, ""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM before a loop finished its first epoch: no figures, only that."""

    def __init__(self, signum: int, stage: str) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name} {stage}")
        self.signum, self.stage = signum, stage


def signal_of(exc: BaseException) -> int:
    return signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT


def _epochs(loop: str, trainer, dev, epochs: int, hooks, evaluate_fn) -> Tuple[List[EpochRecord], Optional[int]]:
    """Train ``epochs`` epochs (timed on the device), evaluating after each (timed apart).
    Ctrl-C / SIGTERM end the loop: the finished epochs and the signal (the epoch it cut is dropped)."""
    timer = _Timer(dev)
    records: List[EpochRecord] = []
    for e in range(epochs):
        try:
            timer.start()
            trainer.train_epoch(e)
            secs = timer.stop()
            tr_loss, tr_acc = trainer.epoch_stats()
            t1 = time.perf_counter()
            te_loss, te_acc = evaluate_fn()
            records.append(EpochRecord(e + 1, secs, tr_loss, tr_acc, te_loss, te_acc, time.perf_counter() - t1))
            hooks.progress(Event(loop, "epoch", e + 1, epochs, records[-1]))
        except (KeyboardInterrupt, Terminated) as exc:
            return records, signal_of(exc)
    return records, None


def _cut_short(records: List[EpochRecord], signum: Optional[int], epochs: int, gate: Gate, loop: str) -> Gate:
    """The gate of a loop that was interrupted is not judged (raises Interrupted without an epoch)."""
    if signum is None:
        return gate
    if not records:
        raise Interrupted(signum, f"before the {loop} loop finished its first epoch")
    return dataclasses.replace(gate, judged=False, why_not_judged=(
        f"interrupted by {signal.Signals(signum).name} after {len(records)} of {epochs} epochs"))


def _train_fast(spec, config, data, dev, precision, epochs, gate, peak, hooks, artifacts):
    torch.manual_seed(config.seed)
    model = spec.build()
    t0 = time.perf_counter()
    train = DeviceData(data.train_images, data.train_labels, dev)
    test = DeviceData(data.test_images, data.test_labels, dev)
    transfer_s = time.perf_counter() - t0
    why_not = graph_supported(dev, precision, config.compile) if config.graph else "disabled (--no-graph)"
    hooks.progress(Event("fast", "setup", 0, epochs, message="capturing the step" if why_not is None else "warming up"))
    trainer = FastTrainer(spec, model, train, dev, precision, seed=config.seed, epochs=epochs,
                          graph=why_not is None, compile=config.compile, compile_backend=hooks.compile_backend,
                          channels_last=config.channels_last)
    records, signum = _epochs("fast", trainer, dev, epochs, hooks,
                              lambda: evaluate(trainer.model, test, precision, channels_last=trainer.channels_last))
    gate = _cut_short(records, signum, epochs, gate, "fast-path")
    artifacts.first_layer, artifacts.first_layer_kind = _first_layer(trainer.model)
    options = {"precision": precision.name, "tf32": precision.tf32, "channels_last": trainer.channels_last,
               "cuda_graph": trainer.graphed, "cuda_graph_note": why_not, "compile": config.compile,
               "cudnn_benchmark": dev.type == "cuda", "fused_optimizer": True,
               "batch_size": trainer.batch_size, "dropped_per_epoch": len(train) - trainer.steps_per_epoch * trainer.batch_size,
               "device_transfer_seconds": round(transfer_s, 4)}
    return _loop_result("fast", spec, records, trainer.steps_per_epoch * trainer.batch_size, len(test),
                        trainer.setup_seconds, gate, peak, options), signum


def _train_baseline(spec, config, data, dev, epochs, gate, peak, hooks):
    torch.manual_seed(config.seed)
    model = spec.build()
    trainer = BaselineTrainer(spec, model, data.train_images, data.train_labels, dev, seed=config.seed, epochs=epochs)
    records, signum = _epochs("baseline", trainer, dev, epochs, hooks,
                              lambda: evaluate_baseline(trainer.model, data.test_images, data.test_labels, dev))
    if signum is not None and not records:
        return None, signum
    gate = _cut_short(records, signum, epochs, gate, "baseline")
    options = {"precision": "fp32", "channels_last": False, "cuda_graph": False, "compile": False,
               "dataloader_workers": 0, "batch_size": trainer.batch_size, "torch_backend_defaults": True}
    return _loop_result("baseline", spec, records, trainer.images_per_epoch, len(data.test_labels), 0.0,
                        gate, peak, options), signum


def _estimate(model: str, dev: torch.device, name: str, precision: str, epochs: int, images: int,
              baseline: bool) -> Optional[float]:
    """Seconds the training will take from the reference table's throughput on this device
    (evaluation adds about a tenth); None when nobody measured this device and model."""
    threads = torch.get_num_threads() if dev.type == "cpu" else None
    total = 0.0
    for loop, prec in (("fast", precision),) + ((("baseline", "fp32"),) if baseline else ()):
        ips = reference.expected_images_per_s(device_type=dev.type, device_name=name, threads=threads, model=model,
                                              precision=prec, loop=loop)
        if not ips:
            return None
        total += 1.1 * epochs * images / ips
    return total


def start_telemetry(dev: torch.device, hooks: Hooks) -> Tuple[Optional[Sampler], Reading]:
    """A running sampler for a CUDA device (or None), and the telemetry status to report."""
    if dev.type != "cuda":
        return None, Reading.fail(Status.NOT_SUPPORTED, "GPU telemetry only on CUDA devices")
    source, status = hooks.telemetry_fn(dev)
    if source is None:
        return None, status
    return Sampler(source, hooks.telemetry_interval_s).start(), status


def run_bench(config: BenchConfig, data: DataSet, hooks: Optional[Hooks] = None) -> Tuple[BenchResult, Artifacts]:
    hooks = hooks or Hooks()
    started = time.perf_counter() - data.load_seconds  # the data load counts towards the run's wall time
    started_at = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=data.load_seconds)
    try:
        spec = sample_models.get(config.model)
    except sample_models.UnknownModelError as exc:
        raise EnvcheckError(f"--model: {exc}") from None
    epochs = spec.epochs if config.epochs is None else config.epochs
    if epochs < 1:
        raise EnvcheckError("--epochs must be at least 1")
    if config.threads:
        torch.set_num_threads(config.threads)
    dev = resolve_device(config.device)
    precision: Precision = resolve_precision(config.precision, dev)
    name = device_name(dev)
    peak = hooks.peak_fn(dev.type, name, precision.peak_key)
    gate = Gate(data.kind, spec.target_accuracy[data.kind], 0.0, judged=epochs >= spec.epochs,
                why_not_judged="" if epochs >= spec.epochs else f"{epochs} of the recipe's {spec.epochs} epochs")
    artifacts = Artifacts()
    hooks.progress(Event("fast", "plan", 0, epochs, message=plan_text(
        spec.name, data, f"{dev.type}" + (f":{dev.index}" if dev.index is not None else ""), name,
        torch.get_num_threads() if dev.type == "cpu" else None, precision.name, epochs, config.compare_baseline,
        _estimate(spec.name, dev, name, precision.name, epochs, len(data.train_labels), config.compare_baseline))))

    sampler, telemetry_status = start_telemetry(dev, hooks)
    try:
        with backend_settings(dev, precision):
            fast, signum = _train_fast(spec, config, data, dev, precision, epochs, gate, peak, hooks, artifacts)
    except (KeyboardInterrupt, Terminated) as exc:  # in set-up (moving the data, capturing the step)
        raise Interrupted(signal_of(exc), "before the fast-path loop finished its first epoch") from None
    finally:
        samples = sampler.stop() if sampler else []
    telemetry = summarise(samples) if sampler else None
    if sampler and sampler.errors:
        telemetry_status = Reading.of("sampled", "; ".join(sampler.errors))

    baseline = None
    if config.compare_baseline and signum is None:
        fp32_peak = peak if precision.name == "fp32" else hooks.peak_fn(dev.type, name, "fp32")
        try:
            baseline, signum = _train_baseline(spec, config, data, dev, epochs, gate, fp32_peak, hooks)
        except (KeyboardInterrupt, Terminated) as exc:  # building the naive loop
            signum = signal_of(exc)

    threads = torch.get_num_threads() if dev.type == "cpu" else None
    comparison = hooks.compare_fn(device_type=dev.type, device_name=name, threads=threads, model=spec.name,
                                  dataset=data.kind, precision=precision.name, loop="fast",
                                  train_images_per_s=fast.train_images_per_s)
    model_info = {"name": spec.name, "description": spec.description, "source": spec.source,
                  "flops_per_image": spec.flops_per_image, "train_flops_per_image": spec.train_flops_per_image,
                  "epochs": epochs, "hyperparameters": {**spec.hyperparameters(), "epochs": epochs}}
    result = BenchResult(
        dataset=DatasetInfo(data.kind, data.synthetic, data.label, data.source, data.directory, data.verification,
                            len(data.train_labels), len(data.test_labels), round(data.load_seconds, 4)),
        model=model_info,
        device=DeviceInfo(dev.type, dev.index, name, precision.name, peak, threads),
        seed=config.seed, versions=versions(), fast=fast, baseline=baseline,
        telemetry=telemetry, telemetry_status=telemetry_status, reference=comparison,
        wall_seconds=time.perf_counter() - started,
        started_at=started_at.replace(microsecond=0).isoformat(),
        interrupted_by=signal.Signals(signum).name if signum is not None else None,
    )
    return result, artifacts
