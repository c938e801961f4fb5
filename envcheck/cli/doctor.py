"""``envcheck doctor`` and ``envcheck snapshot``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from .. import exitcodes
from ..errors import EnvcheckError
from ..facts import Facts
from ..report import Report
from .common import emit_report, format_options, progress


def _probe_options(fn):
    fn = click.option("--torch-timeout", type=click.FloatRange(1, 3600), default=90.0, show_default=True,
                      help="Seconds the torch probe may take (importing torch, initialising CUDA).")(fn)
    fn = click.option("--no-torch", is_flag=True, help="Skip the torch probe (fast: about a second).")(fn)
    fn = click.option("--python", "python", type=click.Path(dir_okay=False), default=None,
                      help="Probe the packages and torch of another Python interpreter (e.g. a venv's bin/python).")(fn)
    return fn


def _collect(python: Optional[str], no_torch: bool, torch_timeout: float):
    from ..probes import ProbeOptions, collect

    if python is not None:
        p = Path(python)
        if not p.exists():
            raise EnvcheckError(f"--python {python}: no such file")
        if not p.is_file() or not (p.stat().st_mode & 0o111):
            raise EnvcheckError(f"--python {python}: not an executable file")
    progress("envcheck: reading this machine" + ("" if no_torch else " (the torch probe takes a few seconds)") + "…")
    return collect(ProbeOptions(python=python, torch=not no_torch, torch_timeout_s=torch_timeout))


@click.command(epilog=exitcodes.epilog())
@format_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--facts", "facts_file", type=click.Path(dir_okay=False), default=None,
              help="Diagnose a snapshot (from `envcheck snapshot`) instead of this machine.")
@click.option("--redact", is_flag=True,
              help="Replace GPU UUIDs, serials and user names in the output (always on with --markdown).")
@_probe_options
def doctor(fmt, no_color, strict, facts_file, redact, python, no_torch, torch_timeout) -> None:
    """Diagnose the GPU / driver / CUDA / PyTorch stack and say how to fix it.

    Exit codes: 0 no errors, 1 errors found (or warnings with --strict),
    2 usage error, 3 envcheck itself failed.
    """
    from .. import snapshot
    from ..rules import evaluate

    failures: tuple = ()
    if facts_file:
        if python or no_torch:
            raise EnvcheckError("--facts diagnoses a snapshot; --python/--no-torch only apply to a live probe")
        facts: Facts = snapshot.load(facts_file)
    else:
        collection = _collect(python, no_torch, torch_timeout)
        facts, failures = collection.facts, tuple(collection.failures)
    if redact or fmt == "markdown":  # Markdown is for pasting into public issues
        facts = snapshot.redact(facts)
    ev = evaluate(facts)
    report = Report("doctor", facts, ev.findings, failures + ev.failures)
    emit_report(report, fmt, no_color)
    sys.exit(report.exit_code(strict))


@click.command(epilog=exitcodes.epilog())
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default=None,
              help="Write the snapshot to this file (atomically) instead of stdout (`-`: stdout).")
@click.option("--redact", is_flag=True, help="Replace GPU UUIDs, serials and user names.")
@_probe_options
def snapshot(output, redact, python, no_torch, torch_timeout) -> None:
    """Save this machine's facts as versioned JSON.

    Diagnose it anywhere with `envcheck doctor --facts FILE`.
    """
    import json

    from .. import snapshot as snap

    collection = _collect(python, no_torch, torch_timeout)
    facts = collection.facts
    if redact:
        facts = snap.redact(facts)
    if output and output != "-":
        try:
            snap.save(facts, output)
        except OSError as exc:
            raise EnvcheckError(f"{output}: cannot write: {exc.strerror or exc}") from None
        click.echo(f"envcheck: snapshot written to {output}", err=True)
    else:
        click.echo(json.dumps(snap.to_document(facts), indent=2))
    sys.exit(exitcodes.FAILED if collection.failures else exitcodes.OK)
