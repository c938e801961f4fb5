"""``envcheck validate``: wiring only (the work is in ``envcheck/validate/``)."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Optional

import click

from .. import devices, exitcodes
from ..errors import EnvcheckError


def _writable(path: str, what: str) -> None:
    """Said before the run: a directory given as the file, or a path under a file. The
    directories are made now (``reports/{host}.json`` on a fresh node is the usual case),
    so the first checkpoint does not fail minutes in."""
    target = Path(path)
    if target.is_dir():
        raise EnvcheckError(f"{what} {path}: is a directory")
    existing = next((p for p in (target.parent, *target.parent.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise EnvcheckError(f"{what} {path}: {existing} is not a directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvcheckError(f"{what} {path}: cannot make {target.parent}: {exc.strerror or exc}") from None


def _terminated(signum, frame):  # SIGTERM (scancel, kubectl delete) stops like Ctrl-C
    from ..validate import Terminated

    raise Terminated()


@click.command(epilog=exitcodes.epilog())
@click.option("--level", type=click.Choice(["quick", "standard", "long"]), default="quick", show_default=True,
              help="How thorough: the burn is burn's preset of the same name (1 min, 3 min, 15 min).")
@click.option("--burn", "burn_duration", default=None, metavar="TIME",
              help="Burn for this long instead of the level's preset (10s, 5m, 1h).")
@click.option("--device", default="all", show_default=True, help=devices.HELP + ". cpu validates this CPU alone.")
@click.option("--interconnect", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
              help="The interconnect stage: auto measures two GPUs or more (NCCL) and skips otherwise; on also "
                   "runs gloo over 4 CPU processes with --device cpu (and is an error with one GPU); off skips it.")
@click.option("--keep-going", is_flag=True, help="Run every stage even after the doctor found errors.")
@click.option("--strict", is_flag=True, help="Exit 1 on WARN too.")
@click.option("--report", "report_path", default=None, metavar="FILE",
              help="Keep the JSON report (every stage's document inside) in FILE, rewritten after each stage; "
                   "{host} and {job} in the name become the host name and the SLURM job id.")
@click.option("--html", "html_path", default=None, metavar="FILE", help="Write a self-contained HTML report to FILE.")
@click.option("--json", "fmt", flag_value="json", help="The report as JSON on stdout.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Markdown on stdout, ready to paste into an issue.")
@click.option("--redact", is_flag=True, help="Replace host names, GPU UUIDs, serials and user names "
              "(always on with --markdown).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Fashion-MNIST for the bench (default: wherever `envcheck data path` finds it, else synthetic).")
@click.option("--synthetic", is_flag=True, help="Bench on synthetic data even where Fashion-MNIST is present.")
@click.option("--bench-model", default=None, metavar="NAME",
              help="The bench's model (default: the level's; softmax is the quickest smoke test).")
@click.option("--bench-epochs", type=click.IntRange(1, 1000), default=None,
              help="Bench epochs (fewer than the recipe's are timed, not judged: the stage WARNs).")
@click.option("--threads", type=click.IntRange(1, 1024), default=None,
              help="The bench's CPU threads (on a CPU shared with other jobs, 1 is often much faster).")
@click.option("--python", default=None, type=click.Path(dir_okay=False),
              help="Probe the packages and torch of another interpreter in the doctor stage.")
@click.option("--torch-timeout", type=click.FloatRange(1, 3600), default=90.0, show_default=True,
              help="Seconds the doctor's torch probe may take.")
def validate(level, burn_duration, device, interconnect, keep_going, strict, report_path, html_path, fmt, redact, data_dir,
             synthetic, bench_model, bench_epochs, threads, python, torch_timeout) -> None:
    """Validate this machine: doctor, verify, bench, burn, interconnect; one verdict.

    Each stage gets PASS / WARN / FAIL / ERROR (or SKIP with the reason), and so does
    the machine. After a doctor error the later stages are skipped (--keep-going runs
    them). Progress goes to stderr; the summary (or --json / --markdown) to stdout.
    """
    from ..burn.options import parse_duration
    from ..validate import Events, ValidateOptions, document, render_markdown, render_text, run
    from ..validate.document import write
    from ..validate.identity import expand_path, identity
    from ..validate.pipeline import check_request
    from ..validate.progress import ProgressPrinter

    burn_s: Optional[float] = parse_duration(burn_duration) if burn_duration else None
    check_request(device)
    if bench_model is not None:
        import importlib.util

        if importlib.util.find_spec("torch") is not None:
            import sample_models

            try:
                sample_models.get(bench_model)
            except sample_models.UnknownModelError as exc:
                raise EnvcheckError(f"--bench-model: {exc}") from None
    if synthetic and data_dir is not None:
        raise EnvcheckError("--synthetic and --data-dir exclude each other")
    redact = redact or fmt == "markdown"
    machine = identity(os.environ, redact)
    report_file = expand_path(report_path, machine) if report_path else None
    html_file = expand_path(html_path, machine) if html_path else None
    for path, what in ((report_file, "--report"), (html_file, "--html")):
        if path:
            _writable(path, what)
    options = ValidateOptions(level=level, device=device, burn_s=burn_s, keep_going=keep_going, strict=strict,
                              bench_model=bench_model, bench_epochs=bench_epochs, threads=threads, data_dir=data_dir,
                              synthetic=synthetic, python=python,
                              torch_timeout_s=torch_timeout, redact=redact, interconnect=interconnect)
    printer = ProgressPrinter(sys.stderr, live=sys.stderr.isatty())

    def checkpoint(vrun) -> None:
        if report_file:
            write(report_file, document(vrun))

    events = Events(start=printer.start, tick=printer.tick, end=printer.end, checkpoint=checkpoint)
    old = signal.signal(signal.SIGTERM, _terminated)
    try:
        vrun = run(options, events)
    finally:
        signal.signal(signal.SIGTERM, old)
    doc = document(vrun)
    from .. import html

    html.write(html_file, doc)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
    elif fmt == "markdown":
        click.echo(render_markdown(doc), nl=False)
    else:
        click.echo(render_text(doc), nl=False)
    for path, what in ((report_file, "report"), (html_file, "HTML report")):
        if path:
            click.echo(f"envcheck validate: {what} written to {path}", err=True)
    sys.exit(vrun.exit_code)
