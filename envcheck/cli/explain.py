"""``envcheck explain FILE|-``: diagnose pasted output instead of this machine."""

from __future__ import annotations

import sys

import click

from envcheck import exitcodes
from envcheck.cli.common import emit_report, format_options, progress, quick_exit


@click.command(epilog=exitcodes.epilog())
@format_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--redact", is_flag=True,
              help="Replace GPU UUIDs, serials, user names and home paths (always for --markdown).")
@click.argument("file", type=str, metavar="FILE|-")
def explain(fmt, no_color, strict, redact, file) -> None:
    """Diagnose what someone pasted: collect_env, nvidia-smi, pip list, nvcc, error messages.

    FILE is a text file holding the pasted output (any mix, in any order); `-` reads
    standard input. Everything recognised becomes the same facts `envcheck doctor`
    reads from a live machine, and the same rules run on them; what the text does not
    show stays unknown and is listed under "Could not tell".

    Every finding says how sure it is (confirmed / likely). An error or warning in the
    text that no finding accounts for makes the verdict "unexplained": it is quoted with
    its likeliest causes and what to paste next.

    Exit codes: 0 no errors, 1 errors found or an unexplained error message (or warnings
    with --strict), 2 usage error (also: empty, binary or over-4-MiB input), 3 envcheck
    itself failed, 5 too little in the text to judge (also: nothing in it recognised).
    """
    from envcheck.explain import source

    doc = source.read(file)  # a bad file is refused before the readers and rules are loaded
    from envcheck.explain import NOTHING_RECOGNISED, diagnose

    # Markdown is for pasting into public issues, so it never carries identities.
    explanation, report = diagnose(doc, redact=redact or fmt == "markdown")
    progress("envcheck: recognised " + ", ".join(explanation.recognised) if explanation.recognised
             else "envcheck: " + NOTHING_RECOGNISED)
    emit_report(report, fmt, no_color)
    quick_exit()  # the diagnosis of a long paste is a million objects not worth freeing one by one
    sys.exit(report.exit_code(strict))
