"""The bench's records and its JSON document (kind envcheck.bench).

The top level holds the fast path's figures (``test_accuracy``, ``train_images_per_s``,
``epoch_seconds`` …); with ``--compare-baseline`` a ``baseline`` object holds the same
fields for the naive loop, and ``speedup_vs_baseline`` the ratio of training
throughputs. Every value that may be missing is a reading (value + status).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from envcheck.envelope import wrap
from envcheck.reading import Reading
from envcheck.serial import to_data
from envcheck.telemetry import TelemetrySummary

# Warm epochs of an undisturbed run differ by a few percent; under a neighbour's load the
# figures came out 5x off, with warm epochs 2-3x apart. 1.5x is envcheck's line.
DISTURBED_SPREAD = 1.5
CHANCE_MARGIN = 0.05  # within this of 1/classes, a test accuracy is chance: nothing learnt


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 1-based
    seconds: float  # training time of this epoch (device events on CUDA, after sync on CPU)
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    eval_seconds: float


@dataclass(frozen=True)
class Gate:
    dataset_kind: str
    target_accuracy: float
    test_accuracy: float
    # The gates hold for the model's full recipe; a shorter run (--epochs below the recipe's,
    # to time a few epochs) is reported but not judged: LeNet's d2l recipe, for one, only
    # starts to learn after a couple of epochs.
    judged: bool = True
    why_not_judged: str = ""

    @property
    def passed(self) -> bool:
        return self.test_accuracy >= self.target_accuracy


@dataclass(frozen=True)
class LoopResult:
    loop: str  # "fast" | "baseline"
    test_accuracy: float
    test_loss: float
    train_images_per_s: float  # images per epoch / median epoch time after the first (the first if only one)
    eval_images_per_s: float  # the same, for the evaluation passes
    epoch_seconds: Tuple[float, ...]
    first_epoch_seconds: float
    steady_epoch_seconds: Optional[float]  # median of epochs 2..N
    setup_seconds: float  # graph capture / compilation, before the first epoch
    train_seconds: float  # sum of epoch_seconds
    images_per_epoch: int
    time_to_target_s: Optional[float]  # setup + training seconds until the gate's accuracy was first reached
    epochs_to_target: Optional[int]
    achieved_tflops: float  # counted training FLOPs (3x forward) x images/s
    fraction_of_peak: Reading[float]
    options: Dict[str, Any] = field(default_factory=dict)  # precision, channels_last, graph, compile, why not
    curve: Tuple[EpochRecord, ...] = ()
    gate: Optional[Gate] = None
    # Slowest / fastest warm epoch (epochs 2..N; None with fewer than two). Above
    # DISTURBED_SPREAD something else used the device: the speed figures are not its own.
    warm_spread: Optional[float] = None

    @property
    def disturbed(self) -> bool:
        return self.warm_spread is not None and self.warm_spread > DISTURBED_SPREAD


@dataclass(frozen=True)
class DatasetInfo:
    kind: str
    synthetic: bool
    label: str
    source: str
    directory: Optional[str]
    verification: str
    train_images: int
    test_images: int
    load_seconds: float


@dataclass(frozen=True)
class DeviceInfo:
    type: str  # "cuda" | "cpu"
    index: Optional[int]
    name: str
    precision: str
    peak_tflops: Reading[float]
    threads: Optional[int] = None  # CPU: torch intra-op threads


@dataclass(frozen=True)
class Comparison:
    """How this run compares with a stored reference result for the same setup."""

    matched: bool
    detail: str
    reference_images_per_s: Optional[float] = None
    ratio: Optional[float] = None  # this machine / reference
    reference: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchResult:
    dataset: DatasetInfo
    model: Dict[str, Any]
    device: DeviceInfo
    seed: int
    versions: Dict[str, str]
    fast: LoopResult
    baseline: Optional[LoopResult] = None
    telemetry: Optional[TelemetrySummary] = None
    telemetry_status: Reading[str] = field(default_factory=Reading)
    reference: Optional[Comparison] = None
    wall_seconds: float = 0.0  # the whole run: data, setup, training, evaluation
    started_at: str = ""
    interrupted_by: Optional[str] = None  # "SIGINT" / "SIGTERM": the epochs finished before it, not judged

    @property
    def speedup_vs_baseline(self) -> Optional[float]:
        if self.baseline is None or self.baseline.train_images_per_s <= 0:
            return None
        return self.fast.train_images_per_s / self.baseline.train_images_per_s

    @property
    def passed(self) -> bool:
        gates = [g for g in (self.fast.gate, self.baseline.gate if self.baseline else None) if g]
        return all(g.passed for g in gates if g.judged)

    @property
    def judged(self) -> bool:
        return any(g.judged for g in (self.fast.gate, self.baseline.gate if self.baseline else None) if g)


def interrupted_document(model: str, device: str, signal_name: str, stage: str) -> Dict[str, Any]:
    """The partial result of a run stopped before any loop finished an epoch."""
    return wrap("envcheck.bench", {"model": {"name": model}, "device": {"requested": device}, "passed": None,
                                   "interrupted_by": signal_name, "detail": f"interrupted {stage}",
                                   "epoch_seconds": []})


def _strict(value: Any) -> Any:
    """JSON has no NaN or Infinity — ``json.dumps`` writes them anyway and strict parsers
    (jq, JavaScript) reject the document — so a loss that diverged is written as null,
    exactly when a broken device makes the document matter most."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def _loop_doc(loop: LoopResult) -> Dict[str, Any]:
    doc = to_data(loop)
    if loop.gate is not None:
        doc["gate"]["passed"] = loop.gate.passed if loop.gate.judged else None
    return doc


def to_document(r: BenchResult) -> Dict[str, Any]:
    doc: Dict[str, Any] = {
        "started_at": r.started_at,
        "synthetic": r.dataset.synthetic,
        "dataset": to_data(r.dataset),
        "model": r.model,
        "device": to_data(r.device),
        "seed": r.seed,
        "versions": r.versions,
    }
    doc.update(_loop_doc(r.fast))
    doc["passed"] = r.passed if r.judged else None  # null: fewer epochs than the recipe (or interrupted), not judged
    doc["interrupted_by"] = r.interrupted_by
    doc["wall_seconds"] = round(r.wall_seconds, 3)
    doc["telemetry"] = to_data(r.telemetry) if r.telemetry else None
    doc["telemetry_status"] = to_data(r.telemetry_status)
    doc["reference"] = to_data(r.reference) if r.reference else None
    if r.baseline is not None:
        doc["baseline"] = _loop_doc(r.baseline)
        doc["speedup_vs_baseline"] = round(r.speedup_vs_baseline or 0.0, 3)
    return wrap("envcheck.bench", _strict(doc))
