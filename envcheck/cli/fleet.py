"""``envcheck fleet``: wiring only (the work is in ``envcheck/fleet/``)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Optional, Tuple

import click

from .. import exitcodes
from ..errors import EnvcheckError


def _expected(text: Optional[str]) -> Tuple[str, ...]:
    """--expect: a file with one host per line, or a comma-separated list."""
    if not text:
        return ()
    if "," in text or "/" not in text and not Path(text).exists():
        raw = text.split(",")
    else:
        try:
            raw = Path(text).read_text(encoding="utf-8").split()
        except OSError as exc:
            raise EnvcheckError(f"--expect {text}: cannot read: {exc.strerror or exc}") from None
    return tuple(h.strip() for h in raw if h.strip() and not h.strip().startswith("#"))


@click.command(epilog=exitcodes.epilog())
@click.argument("paths", nargs=-1, required=True, metavar="REPORT…|DIR")
@click.option("--json", "as_json", is_flag=True, help="The fleet document as JSON on stdout.")
@click.option("--html", "html_path", default=None, metavar="FILE", help="Write a self-contained HTML page to FILE.")
@click.option("--csv", "csv_path", default=None, metavar="FILE", help="One row per machine as CSV (- for stdout).")
@click.option("--prometheus", "prom_path", default=None, metavar="FILE",
              help="Write node_exporter textfile metrics to FILE (e.g. /var/lib/node_exporter/envcheck.prom).")
@click.option("--expect", default=None, metavar="HOSTS",
              help="Hosts that should have a report: a file (one per line) or a comma-separated list.")
@click.option("--max-age", default="7d", show_default=True, metavar="AGE",
              help="Reports older than this are stale (30m, 12h, 7d).")
@click.option("--threshold", type=click.FloatRange(1, 90), default=10.0, show_default=True, metavar="PCT",
              help="A GPU this many percent below its peers' median (and beyond their spread) is an outlier.")
@click.option("--strict", is_flag=True, help="Exit 1 on WARN too (drift, outliers, stale reports).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Processes that parse reports.")
def fleet(paths, as_json, html_path, csv_path, prom_path, expect, max_age, threshold, strict, workers) -> None:
    """Compare validate reports of many machines: a machines × stages table, version drift,
    performance outliers, health flags, and missing or stale reports.

    REPORT… are `envcheck validate --report` files (doctor --json and snapshots count too);
    a DIR is searched for *.json.
    """
    from ..atomicio import atomic_write_text
    from ..envelope import now
    from ..fleet import build, find_reports, load, render_csv, render_prometheus, render_text

    max_age_s = _age_seconds(max_age)
    files = find_reports(paths)
    if not files:
        raise EnvcheckError(f"no *.json reports in {', '.join(paths)}")
    summaries = load(files, workers)
    when = datetime.datetime.fromisoformat(now())
    doc = build(summaries, now=when, max_age_s=max_age_s, expected=_expected(expect), threshold=threshold / 100)
    if html_path:
        from .. import html

        html.write(html_path, doc)
        click.echo(f"envcheck fleet: HTML written to {html_path}", err=True)
    if prom_path:
        atomic_write_text(prom_path, render_prometheus(doc))
        click.echo(f"envcheck fleet: Prometheus metrics written to {prom_path}", err=True)
    if csv_path == "-":
        click.echo(render_csv(doc), nl=False)
    elif csv_path:
        atomic_write_text(csv_path, render_csv(doc))
        click.echo(f"envcheck fleet: CSV written to {csv_path}", err=True)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    elif csv_path != "-":
        click.echo(render_text(doc), nl=False)
    verdict = doc["verdict"]
    if verdict == "ERROR":
        sys.exit(exitcodes.INSUFFICIENT)
    sys.exit(exitcodes.PROBLEMS if verdict == "FAIL" or (strict and verdict == "WARN") else exitcodes.OK)


def _age_seconds(text: str) -> float:
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not m:
        raise EnvcheckError(f"--max-age {text!r}: expected a time such as 30m, 12h or 7d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
