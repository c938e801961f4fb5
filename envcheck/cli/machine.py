"""The machine a command looks at: a snapshot (``--facts FILE``) or a live probe.

doctor, plan, recipe and advise all read "this machine, or that snapshot"; this is the
one place that decides which, checks the options that only fit one of the two, and
says on stderr that the machine is being read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Tuple

import click

from ..errors import EnvcheckError
from ..facts import Facts
from .common import progress


@dataclass(frozen=True)
class Machine:
    facts: Facts
    failures: Tuple[str, ...] = ()  # envcheck's own bugs during the probe (exit 3)


def facts_option(what: str) -> Callable[[Callable], Callable]:
    """``--facts FILE``; ``what`` completes "Diagnose … instead of this machine"."""
    return click.option("--facts", "facts_file", type=click.Path(dir_okay=False), default=None,
                        help=f"{what} a snapshot (from `envcheck snapshot`) instead of this machine.")


def probe_options(fn: Callable) -> Callable:
    """--python / --no-torch / --torch-timeout for commands that run the torch probe."""
    fn = click.option("--torch-timeout", type=click.FloatRange(1, 3600), default=90.0, show_default=True,
                      help="Seconds the torch probe may take (importing torch, initialising CUDA).")(fn)
    fn = click.option("--no-torch", is_flag=True, help="Skip the torch probe (fast: about a second).")(fn)
    fn = click.option("--python", "python", type=click.Path(dir_okay=False), default=None,
                      help="Probe the packages and torch of another Python interpreter (e.g. a venv's bin/python).")(fn)
    return fn


def _check_python(python: str) -> None:
    p = Path(python)
    if not p.exists():
        raise EnvcheckError(f"--python {python}: no such file")
    if not p.is_file() or not (p.stat().st_mode & 0o111):
        raise EnvcheckError(f"--python {python}: not an executable file")


def read_machine(facts_file: Optional[str], *, torch: bool = False, python: Optional[str] = None, no_torch: bool = False,
         torch_timeout: float = 90.0) -> Machine:
    """The snapshot in ``facts_file``, else this machine probed now.

    ``torch`` says whether the command runs the torch probe at all (doctor and plan do,
    unless ``--no-torch``; recipe and advise never need it)."""
    from .. import snapshot
    from ..probes import ProbeOptions, collect

    if facts_file:
        if python or no_torch:
            raise EnvcheckError("--facts reads a snapshot; --python/--no-torch only apply to a live probe")
        return Machine(snapshot.load(facts_file))
    if python is not None:
        _check_python(python)
    with_torch = torch and not no_torch
    progress("envcheck: reading this machine" + (" (the torch probe takes a few seconds)" if with_torch else "") + "…")
    collection = collect(ProbeOptions(python=python, torch=with_torch, torch_timeout_s=torch_timeout))
    return Machine(collection.facts, tuple(collection.failures))
