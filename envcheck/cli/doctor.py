"""``envcheck doctor`` and ``envcheck snapshot``."""

from __future__ import annotations

import sys

import click

from .. import exitcodes
from ..errors import EnvcheckError
from ..facts import Facts
from ..html import html_option
from ..reading import Status
from ..report import Report
from .common import emit_report, format_options
from .machine import facts_option, probe_options, read_machine


@click.command(epilog=exitcodes.epilog())
@format_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@facts_option("Diagnose")
@click.option("--redact", is_flag=True,
              help="Replace GPU UUIDs, serials and user names in the output (always on with --markdown).")
@click.option("--require-gpu", is_flag=True,
              help="Exit 1 when no usable NVIDIA GPU is found (for scripts; without it that is exit 0).")
@html_option
@probe_options
def doctor(fmt, no_color, strict, facts_file, redact, require_gpu, html_path, python, no_torch, torch_timeout) -> None:
    """Diagnose the GPU / driver / CUDA / PyTorch stack and say how to fix it."""
    from .. import snapshot
    from ..rules import evaluate

    machine = read_machine(facts_file, torch=True, python=python, no_torch=no_torch, torch_timeout=torch_timeout)
    facts, failures = machine.facts, machine.failures
    if redact or fmt == "markdown":  # Markdown is for pasting into public issues
        facts = snapshot.redact(facts)
    ev = evaluate(facts)
    report = Report("doctor", facts, ev.findings, failures + ev.failures)
    _write_html(html_path, report, facts_file, redact or fmt == "markdown")
    emit_report(report, fmt, no_color)
    code = report.exit_code(strict)
    if require_gpu and code == exitcodes.OK and not usable_gpu(facts):
        click.echo("envcheck: --require-gpu: no usable NVIDIA GPU here (none that NVML or PyTorch can use)", err=True)
        code = exitcodes.PROBLEMS
    sys.exit(code)


def _write_html(html_path, report: Report, facts_file, redact: bool) -> None:
    """The page with the findings, their fix steps and the machine; the host name only when
    the facts are this machine's (a --facts file is another machine, whose name it lacks)."""
    if not html_path:
        return
    import os

    from .. import html
    from ..report.jsonfmt import document
    from ..validate.identity import identity

    html.write(html_path, document(report), machine=None if facts_file else identity(os.environ, redact))
    click.echo(f"envcheck doctor: HTML report written to {html_path}", err=True)


def usable_gpu(facts: Facts) -> bool:
    """A GPU NVML answers for, or one PyTorch can use."""
    if any(g.status.status is Status.OK and g.status.value for g in facts.gpus):
        return True
    return facts.torch.cuda_available.ok and facts.torch.cuda_available.value is True


@click.command(epilog=exitcodes.epilog())
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default=None,
              help="Write the snapshot to this file (atomically) instead of stdout (`-`: stdout).")
@click.option("--redact", is_flag=True, help="Replace GPU UUIDs, serials and user names.")
@probe_options
def snapshot(output, redact, python, no_torch, torch_timeout) -> None:
    """Save this machine's facts as versioned JSON.

    Diagnose it anywhere with `envcheck doctor --facts FILE`.
    """
    import json

    from .. import snapshot as snap

    machine = read_machine(None, torch=True, python=python, no_torch=no_torch, torch_timeout=torch_timeout)
    facts = machine.facts
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
    sys.exit(exitcodes.FAILED if machine.failures else exitcodes.OK)
