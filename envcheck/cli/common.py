"""Options and output handling shared by the report-producing commands."""

from __future__ import annotations

import functools
import os
import sys
from typing import TYPE_CHECKING, Callable, Optional

import click

from ..errors import EnvcheckError

if TYPE_CHECKING:  # the renderers (and the recipes and rules they read) load when a report is emitted
    from ..report import Report

FORMATS = ("text", "json", "markdown")


def _formats(fn: Callable) -> Callable:
    """--json / --markdown, given to ``fn`` as ``fmt`` ("json", "markdown" or None); both at
    once is a usage error, not a silent choice."""

    @functools.wraps(fn)
    def wrapper(*args, as_json: bool = False, as_markdown: bool = False, **kwargs):
        if as_json and as_markdown:
            raise EnvcheckError("--json and --markdown exclude each other: give one")
        return fn(*args, fmt="json" if as_json else "markdown" if as_markdown else None, **kwargs)

    wrapper = click.option("--markdown", "as_markdown", is_flag=True,
                           help="Markdown, ready to paste into a GitHub issue.")(wrapper)
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")(wrapper)


def format_options(fn: Callable) -> Callable:
    """--json / --markdown / --no-color on a command whose text output has colour
    (stored as ``fmt`` and ``no_color``)."""
    fn = click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR is honoured too).")(fn)
    return _formats(fn)


def plain_format_options(fn: Callable) -> Callable:
    """--json / --markdown for a command whose text has no colour (no --no-color to offer)."""
    return _formats(fn)


def use_colour(no_color: bool, stream=None) -> bool:
    """Colour only on a terminal; never with --no-color, TERM=dumb or a non-empty NO_COLOR
    (https://no-color.org: "when present and not an empty string")."""
    stream = stream or sys.stdout
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def unicode_ok(stream=None) -> bool:
    enc = (getattr(stream or sys.stdout, "encoding", None) or "").lower()
    return "utf" in enc


def emit_report(report: Report, fmt: Optional[str], no_color: bool) -> None:
    """The report on stdout; for a person reading text, the next step as a hint on stderr."""
    # Imported here: a command refused before it has a report (an empty file, a bad option)
    # need not load them (0.17 s of `envcheck explain EMPTY`'s 0.5 s).
    from ..report import render
    from ..report.text import next_hint

    fmt = fmt or "text"
    text = render(report, fmt, colour=use_colour(no_color), unicode=unicode_ok())
    click.echo(text, nl=False)
    hint = next_hint(report) if fmt == "text" else None
    if hint:
        click.echo(hint, err=True)


# Set by a command whose results are many small objects (explain: a 4 MiB paste's diagnosis is
# about a million), so that the console entry point ends the process without freeing them one by
# one: the interpreter's teardown took 0.07 s of such a run (cli.main; see quick_exit).
_QUICK_EXIT = [False]


def quick_exit(asked: bool = True) -> None:
    """Ask the console entry point (``envcheck.cli.main``) to end the process without the
    interpreter's teardown once this command returns: everything it wrote is flushed first and
    its exit code kept. The command must hold nothing that needs cleaning up (no temporary
    files, threads or child processes). Invoked other ways (click's test runner, a library
    call) it changes nothing. ``asked`` False takes the request back."""
    _QUICK_EXIT[0] = asked


def quick_exit_asked() -> bool:
    return _QUICK_EXIT[0]


def progress(message: str) -> None:
    """A hint on stderr, only for a person watching (never in pipes or tests)."""
    if sys.stderr.isatty():
        click.echo(message, err=True)
