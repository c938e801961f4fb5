"""``envcheck data fetch|verify|path``: get Fashion-MNIST onto this machine and check it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import click

from envcheck import exitcodes
from envcheck.errors import SetupError


@click.group(epilog=exitcodes.epilog())
def data() -> None:
    """Fetch, verify and locate the Fashion-MNIST data set."""


def _progress_printer():
    if not sys.stderr.isatty():
        return None
    last = {}

    def show(name: str, done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if last.get(name) != pct:
            last[name] = pct
            click.echo(f"\r  {name}: {pct:3d}%", err=True, nl=pct >= 100)

    return show


@data.command(epilog=exitcodes.epilog())
@click.option("--to", "to_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Download into DIR (default: $ENVCHECK_DATA, else envcheck's cache directory).")
def fetch(to_dir: Optional[Path]) -> None:
    """Download the four files from the canonical mirrors, verified by checksum."""
    from envcheck.dataset import fetch as do_fetch
    from envcheck.dataset import locate

    dest = to_dir if to_dir is not None else locate(None).download_to
    result = do_fetch(dest, progress=_progress_printer())
    for f in result.files:
        how = {"present": "already present, checksums match", "downloaded": f"downloaded from {f.url}",
               "replaced": f"replaced ({f.detail}) from {f.url}"}[f.action]
        click.echo(f"{f.name}: {how}")
    click.echo(f"Fashion-MNIST is in {result.directory}")
    if to_dir is not None:
        click.echo(f"use it with: envcheck bench --data-dir {result.directory}  (or ENVCHECK_DATA={result.directory})")


@data.command(epilog=exitcodes.epilog())
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result on stdout.")
def verify(data_dir: Optional[Path], as_json: bool) -> None:
    """Check every file: gzip integrity, IDX header, length, labels, published checksums.

    Exit 0 when all four are good, 1 when any is not, 4 when no data set was found.
    """
    import importlib.util

    if importlib.util.find_spec("numpy") is None:
        raise SetupError("envcheck data verify needs numpy: pip install 'envcheck[bench]'")
    from envcheck.dataset import locate, verify_directory
    from envcheck.serial import to_data

    if data_dir is not None:  # check what is there, file by file, even when some are missing
        if not data_dir.is_dir():
            raise SetupError(f"--data-dir {data_dir}: no such directory")
        raw = data_dir / "FashionMNIST" / "raw"
        directory, source = (raw if raw.is_dir() else data_dir), "--data-dir"
    else:
        lookup = locate(None)
        if lookup.found is None:
            raise SetupError("no Fashion-MNIST files found (looked in " + ", ".join(lookup.tried)
                             + "); get them with `envcheck data fetch`")
        directory, source = lookup.found.directory, lookup.found.source
    checks = verify_directory(directory)
    ok = all(c.ok for c in checks)
    if as_json:
        click.echo(json.dumps({"directory": str(directory), "source": source, "ok": ok,
                               "files": to_data(checks)}, indent=2))
    else:
        click.echo(f"{directory} ({source})")
        for c in checks:
            n = f"{c.examples:,} examples, " if c.examples is not None else ""
            click.echo(f"  {'ok  ' if c.ok else 'BAD '} {c.name}: {n}{c.detail}")
    sys.exit(exitcodes.OK if ok else exitcodes.PROBLEMS)


@data.command(epilog=exitcodes.epilog())
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def path(data_dir: Optional[Path]) -> None:
    """Print the directory the bench would read (exit 4 when there is none yet)."""
    from envcheck.dataset import locate

    lookup = locate(data_dir)
    if lookup.found is not None:
        click.echo(str(lookup.found.directory))
        click.echo(f"found via {lookup.found.source}", err=True)
        sys.exit(exitcodes.OK)
    click.echo(f"no Fashion-MNIST files found (looked in {', '.join(lookup.tried)}); "
               f"`envcheck data fetch` would download them to {lookup.download_to}", err=True)
    sys.exit(exitcodes.CANNOT_RUN)
