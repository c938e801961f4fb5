"""``envcheck burn``: load every GPU (or the CPU), watch it, check its results, judge it."""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import click

from .. import devices, exitcodes
from ..atomicio import replaceable, target_problem
from ..errors import EnvcheckError, SetupError, Terminated
from ..html import html_option


def _check_writable(path: str, what: str) -> None:
    problem = target_problem(path)
    if problem:
        raise EnvcheckError(f"{what} {path}: {problem}")


def _write_html(html_path: Optional[str], doc: dict) -> None:
    """The page (telemetry over time, checks, verdicts); a page that cannot be written is
    said on stderr, and the report and its exit code still stand."""
    if html_path:
        from .. import html

        try:
            html.write(html_path, doc)
        except EnvcheckError as exc:
            click.echo(f"envcheck burn: {exc}", err=True)
            return
        click.echo(f"envcheck burn: HTML report written to {html_path}", err=True)


@click.command(epilog=exitcodes.epilog())
@click.option("--duration", default=None, metavar="TIME",
              help="quick (60s, the default), standard (3m), long (15m), or any time such as 10s, 5m, 1h.")
@click.option("--device", "device", default="all", show_default=True,
              help=devices.HELP + ". The CPU burns on its own.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON on stdout.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Keep the JSON report in FILE (rewritten atomically every few seconds).")
@click.option("--max-temp", type=click.FloatRange(20, 150), default=None, metavar="C",
              help="FAIL at this temperature (default: the GPU's own maximum operating temperature).")
@click.option("--strict", is_flag=True, help="Exit 2 on warnings too.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False), default=None,
              help="Write telemetry plots (PNG per device) into DIR.")
@click.option("--micro", is_flag=True,
              help="Microbenchmarks (matmul, memory, PCIe); alone unless --duration is given too.")
@click.option("--seed", type=int, default=0, hidden=True)
@click.option("--inject", type=click.Choice(["mismatch", "nan", "die"]), default=None, hidden=True,
              help="Test hook: a wrong result, a NaN, or a dying worker.")
@html_option
def burn(duration: Optional[str], device: str, as_json: bool, report_path: Optional[str], max_temp: Optional[float],
         strict: bool, plot_dir: Optional[str], micro: bool, seed: int, inject: Optional[str],
         html_path: Optional[str]) -> None:
    """Burn-in every GPU under a real workload, with telemetry and a verdict.

    Each GPU runs the reference CNN's training step, GEMMs in every tensor-core dtype
    and fp32 filling ~90% of its memory, and a memory-bandwidth kernel, all GPUs at
    once; results are checked against float64 and against themselves, and NVML is
    watched once a second. `--device cpu` runs the same test on the CPU.
    """
    from ..burn import deps as burn_deps
    from ..burn import report as burn_report
    from ..burn import text
    from ..burn.options import PRESETS, BurnOptions, parse_devices, parse_duration
    from ..burn.session import Skipped, resolve_devices
    from ..burn.session import burn as run_burn
    from ..burn.status import LiveStatus

    duration_s = parse_duration(duration) if duration else (0.0 if micro else PRESETS["quick"])
    request = parse_devices(device)
    if report_path:
        _check_writable(report_path, "--report")
    if plot_dir:
        if importlib.util.find_spec("matplotlib") is None:  # said now, not after a burn of many minutes
            raise SetupError("--plot needs matplotlib, which is not installed: pip install 'envcheck[plot]'")
        if Path(plot_dir).exists() and not Path(plot_dir).is_dir():
            raise EnvcheckError(f"--plot {plot_dir}: not a directory")
        try:  # now, not after a burn of many minutes
            Path(plot_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvcheckError(f"--plot {plot_dir}: cannot create the directory: {exc.strerror or exc}") from None
    options = BurnOptions(duration_s=duration_s, max_temp_c=max_temp, strict=strict, micro=micro,
                          report_path=report_path, plot_dir=plot_dir, seed=seed, inject=inject)
    if report_path and replaceable(report_path):  # from the first second: Ctrl-C during set-up keeps a report
        burn_report.write(report_path, burn_report.setup_document(options))
    try:
        deps = burn_deps.default_deps()
        try:
            infos = resolve_devices(request, deps)
        except Skipped as exc:
            doc = burn_report.skipped_document(options, str(exc))
            if report_path:
                burn_report.write(report_path, doc)
            click.echo(f"envcheck burn: skipped — {exc}", err=True)
            _write_html(html_path, doc)
            if as_json:
                click.echo(json.dumps(doc, indent=2))
            sys.exit(exitcodes.CANNOT_RUN)
        options = replace(options, devices=tuple(i.device for i in infos))
        try:
            with LiveStatus() as live:
                outcome = run_burn(options, infos, deps, on_tick=live.update)
        except OSError as exc:
            raise EnvcheckError(f"cannot write the report: {exc.strerror or exc}") from None
    except EnvcheckError as exc:  # no such device, no torch…: the set-up report must not stay "running"
        if report_path:
            burn_report.write(report_path, burn_report.failed_setup_document(options, str(exc), exc.exit_code))
        raise
    except (KeyboardInterrupt, Terminated) as exc:
        # Before the burn's own handlers are in place (torch importing, NVML answering):
        # the same promise as later — a valid report, exit 130/143.
        signum = signal.SIGINT if isinstance(exc, KeyboardInterrupt) else signal.SIGTERM
        doc = burn_report.aborted_document(options, signum)
        if report_path:
            burn_report.write(report_path, doc)
        _write_html(html_path, doc)
        if as_json:
            click.echo(json.dumps(doc, indent=2))
        else:
            click.echo(text.render(doc), nl=False)
        sys.exit(doc["exit_code"])
    doc = outcome.document
    if plot_dir:
        from ..burn.plot import write_plots

        try:
            for path in write_plots(doc, plot_dir):
                click.echo(f"envcheck burn: plot written to {path}", err=True)
        except OSError as exc:  # a full disk must not throw the report and its verdict away
            click.echo(f"envcheck burn: plots not written: {exc.strerror or exc}", err=True)
    _write_html(html_path, doc)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(text.render(doc), nl=False)
    if report_path:
        click.echo(f"envcheck burn: report written to {report_path}", err=True)
    sys.exit(outcome.exit_code)
