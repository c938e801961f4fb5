"""``--plot DIR``: the learning curve and the first layer's learned filters, as PNG files.

matplotlib is optional (``envcheck[plot]``) and imported only here, with the Agg
backend (no display needed). Files are written atomically.
"""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path
from typing import List

import numpy as np

from envcheck.atomicio import atomic_write_bytes
from envcheck.bench.results import BenchResult
from envcheck.errors import EnvcheckError, SetupError


def check_available() -> None:
    """Fail before training, in one line, when plots were asked for but cannot be drawn."""
    if importlib.util.find_spec("matplotlib") is None:
        raise SetupError("--plot needs matplotlib, which is not installed: pip install 'envcheck[plot]'")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return atomic_write_bytes(path, buf.getvalue())


def learning_curve(result: BenchResult, path: Path) -> Path:
    plt = _pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for loop, style in ((result.fast, "-"), (result.baseline, "--")):
        if loop is None:
            continue
        ep = [r.epoch for r in loop.curve]
        name = "fast path" if loop.loop == "fast" else "naive loop"
        ax_loss.plot(ep, [r.train_loss for r in loop.curve], style, marker="o", label=f"{name} train")
        ax_loss.plot(ep, [r.test_loss for r in loop.curve], style, marker="s", label=f"{name} test")
        ax_acc.plot(ep, [r.train_accuracy for r in loop.curve], style, marker="o", label=f"{name} train")
        ax_acc.plot(ep, [r.test_accuracy for r in loop.curve], style, marker="s", label=f"{name} test")
    gate = result.fast.gate
    if gate is not None:
        ax_acc.axhline(gate.target_accuracy, color="grey", linewidth=0.8, label=f"gate {gate.target_accuracy:.2f}")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    from matplotlib.ticker import MaxNLocator

    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    title = f"{result.model['name']} on {result.dataset.label} — {result.device.name}"
    fig.suptitle(title, fontsize=10)
    out = _save(fig, path)
    plt.close(fig)
    return out


def filters(weights: np.ndarray, kind: str, model_name: str, synthetic: bool, path: Path) -> Path:
    """One panel per output unit: conv kernels (input channel 0) or 28x28 linear weights."""
    plt = _pyplot()
    w = weights[:, 0] if kind == "conv" else weights
    n = min(len(w), 64)
    cols = min(8, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols + 1.0, 1.3 * rows + 0.4), squeeze=False)
    # One colour scale for every panel, symmetric around 0 (white): the panels compare, and
    # the bar says what a colour means.
    lim = float(np.abs(w[:n]).max()) or 1.0
    image = None
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            image = ax.imshow(w[i], cmap="bwr", vmin=-lim, vmax=lim, interpolation="nearest")
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight (blue −, red +)")
    what = "first-layer convolution filters" if kind == "conv" else "first-layer weights per unit (28x28)"
    fig.suptitle(f"{model_name}: {what}" + (" — SYNTHETIC data" if synthetic else ""), fontsize=10)
    out = _save(fig, path)
    plt.close(fig)
    return out


def prepare_directory(directory: Path) -> Path:
    """Create ``directory`` (the CLI does it before training, so a bad ``--plot`` costs no run)."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvcheckError(f"--plot {directory}: cannot create the directory: {exc.strerror or exc}") from None
    return directory


def write_plots(result: BenchResult, weights, kind: str, directory: Path) -> List[Path]:
    directory = prepare_directory(directory)
    stem = f"{result.model['name']}-{result.dataset.kind}"
    out = [learning_curve(result, directory / f"{stem}-learning-curve.png")]
    if weights is not None:
        out.append(filters(weights, kind, result.model["name"], result.dataset.synthetic,
                           directory / f"{stem}-first-layer.png"))
    return out
