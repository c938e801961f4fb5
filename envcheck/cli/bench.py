"""``envcheck bench``: train a reference CNN on Fashion-MNIST, measure it, gate its accuracy.

Exit codes: 0 the accuracy gate passed, 1 it did not (the machine trains to the wrong
answer), 2 bad usage, 4 the machine cannot run it (no torch, no data, no such device).
"""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
from pathlib import Path
from typing import Optional

import click

from envcheck import devices, exitcodes
from envcheck.errors import EnvcheckError, SetupError, Terminated
from envcheck.html import html_option

PRECISION_CHOICES = ("auto", "fp32", "tf32", "bf16", "fp16")


def _need_torch() -> None:
    if importlib.util.find_spec("torch") is None:
        raise SetupError("envcheck bench needs torch: pip install 'envcheck[bench]' "
                         "(`envcheck advise` says which torch build fits this machine)")


class _Progress:
    """Progress on stderr: the plan first (what runs where, for how long), then a rich bar
    while a person watches a terminal, or one plain line per epoch anywhere else (a CI log,
    a pipe) — never silence for minutes."""

    def __init__(self, terminal: bool, synthetic: bool = False) -> None:
        self.terminal = terminal
        self.suffix = " [SYNTHETIC data]" if synthetic else ""
        self.bar = None
        self.tasks: dict = {}

    def __enter__(self) -> "_Progress":
        if self.terminal:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=False)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, event) -> None:
        if event.phase == "plan":
            (self.bar.console.print if self.bar is not None else _err)(event.message)
            return
        name = "fast path" if event.loop == "fast" else "naive loop"
        r = event.record
        if self.bar is None:
            if r is not None:
                _err(f"envcheck bench: {name} epoch {event.epoch}/{event.epochs}: {r.seconds:.2f} s, "
                     f"test accuracy {100 * r.test_accuracy:.1f}%{self.suffix}")
            return
        if event.loop not in self.tasks:
            self.tasks[event.loop] = self.bar.add_task(f"{name:<10}{self.suffix}", total=event.epochs,
                                                       info=event.message)
        if r is not None:
            self.bar.update(self.tasks[event.loop], completed=event.epoch,
                            info=f"test acc {100 * r.test_accuracy:.1f}%, epoch {r.seconds:.2f} s")


def _write_html(html_path: Optional[str], doc: dict) -> None:
    """The page (learning curve, throughput); one that cannot be written is said on stderr,
    and the result and its exit code still stand (the path was checked before training)."""
    if html_path:
        from envcheck import html

        try:
            html.write(html_path, doc)
        except EnvcheckError as exc:
            _err(f"envcheck bench: {exc}")
            return
        _err(f"envcheck bench: HTML report written to {html_path}")


def _err(line: str) -> None:
    click.echo(line, err=True)


@click.command(epilog=exitcodes.epilog())
@click.option("--model", "model_name", default=None, metavar="NAME",
              help="softmax, mlp, lenet, leaky-cnn or refcnn (default: refcnn).")
@click.option("--epochs", type=click.IntRange(1, 1000), default=None, help="Epochs (default: the model's recipe).")
@click.option("--device", default="auto", show_default=True, help=devices.HELP + ". One device.")
@click.option("--precision", type=click.Choice(PRECISION_CHOICES), default="auto", show_default=True,
              help="auto: bf16 where the GPU supports it, else fp16 with a scaler; fp32 on CPUs.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding the four Fashion-MNIST .gz (or extracted) files.")
@click.option("--synthetic", is_flag=True, help="Use generated data of the same shape (labelled synthetic everywhere).")
@click.option("--offline", is_flag=True, help="Never download; fail with instructions when no data is found.")
@click.option("--compare-baseline", is_flag=True, help="Also train with the naive tutorial loop and print the ratio.")
@click.option("--compile", "use_compile", is_flag=True, help="torch.compile the model (compile time reported apart).")
@click.option("--no-graph", is_flag=True, help="Do not capture the training step as a CUDA graph.")
@click.option("--threads", type=click.IntRange(1, 1024), default=None, help="CPU threads for torch.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result on stdout.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the learning curve and first-layer filters as PNG files into DIR.")
@html_option
def bench(model_name: Optional[str], epochs, device, precision, seed, data_dir, synthetic, offline, compare_baseline,
          use_compile, no_graph, threads, as_json, plot_dir, html_path) -> None:
    """Train a reference CNN on Fashion-MNIST: speed and correctness.

    Exit codes: 0 accuracy gate passed, 1 gate missed, 2 usage error, 4 cannot run here.
    """
    _need_torch()
    if synthetic and data_dir is not None:
        raise EnvcheckError("--synthetic and --data-dir exclude each other")
    if plot_dir is not None:
        from envcheck.bench.plots import check_available, prepare_directory

        check_available()
        prepare_directory(plot_dir)
    import sample_models

    try:
        spec = sample_models.get(model_name)
    except sample_models.UnknownModelError as exc:
        raise EnvcheckError(f"--model: {exc}") from None

    from envcheck.bench.device import resolve_device, resolve_precision
    from envcheck.bench.results import interrupted_document, to_document
    from envcheck.bench.run import BenchConfig, Hooks, Interrupted, run_bench, signal_of
    from envcheck.bench.text import render_text
    from envcheck.dataset import load, synthetic_dataset

    # A wrong --device or --precision is said before the data set is looked for (and
    # perhaps downloaded: 30 MB for nothing); run_bench resolves them again, the same way.
    resolve_precision(precision, resolve_device(device))
    config = BenchConfig(model=spec.name, epochs=epochs, device=device, precision=precision, seed=seed,
                         compile=use_compile, graph=not no_graph, compare_baseline=compare_baseline, threads=threads)
    try:
        data = (synthetic_dataset(seed=seed, n_train=spec.synthetic_images[0], n_test=spec.synthetic_images[1])
                if synthetic else load(data_dir, download=not offline))
        with _Progress(sys.stderr.isatty(), data.synthetic) as progress:
            result, artifacts = run_bench(config, data, Hooks(progress=progress))
    except (KeyboardInterrupt, Terminated, Interrupted) as exc:
        # Ctrl-C / SIGTERM before any epoch finished: still a valid (partial) document.
        signum = exc.signum if isinstance(exc, Interrupted) else signal_of(exc)
        stage = exc.stage if isinstance(exc, Interrupted) else "before training started"
        name = signal.Signals(signum).name
        partial = interrupted_document(spec.name, device, name, stage)
        _write_html(html_path, partial)
        if as_json:
            click.echo(json.dumps(partial, indent=2))
        else:
            click.echo(f"envcheck bench — {spec.name}: INTERRUPTED by {name} {stage}; no figures")
        sys.exit(128 + signum)
    if plot_dir is not None:
        from envcheck.bench.plots import write_plots

        try:
            for path in write_plots(result, artifacts.first_layer, artifacts.first_layer_kind, plot_dir):
                click.echo(f"envcheck: wrote {path}", err=True)
        except (OSError, SetupError) as exc:  # a full disk must not throw the measured result away
            click.echo(f"envcheck: plots not written: {getattr(exc, 'strerror', None) or exc}", err=True)
    doc = to_document(result)
    _write_html(html_path, doc)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(render_text(result), nl=False)
    if result.interrupted_by:
        sys.exit(128 + signal.Signals[result.interrupted_by])
    sys.exit(exitcodes.OK if result.passed else exitcodes.PROBLEMS)
