"""``envcheck advise``: which PyTorch build (and driver) works here or on a described machine."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Optional, Sequence

import click

from envcheck import exitcodes
from envcheck.errors import EnvcheckError

from .common import progress

NAME_HELP = '"RTX 5090", "GeForce GTX 1080 Ti", "A100", "H100 80GB HBM3", "Tesla T4", "RTX A6000", "L40S"'


def describe_target(gpu: Sequence[str], cc: Sequence[str], driver: Optional[str], python: Optional[str],
                    os_id: Optional[str], kb):
    """A Target for a machine given on the command line; unknown GPU names are an error."""
    from envcheck.advise import Target
    from envcheck.knowledge.archs import cc_text, cc_tuple, ver

    names, ccs = [], []
    for name in gpu:
        model = kb.gpu_model(name)
        if model is None:
            raise EnvcheckError(f"unknown GPU name {name!r}: write it as NVIDIA names it, e.g. {NAME_HELP} "
                                f"(or give --cc 8.6)")
        names.append(name)
        ccs.append(model.cc)
    for value in cc:
        try:
            text = cc_text(cc_tuple(value))
        except (ValueError, IndexError):
            raise EnvcheckError(f"--cc {value!r}: expected a compute capability such as 8.6 or sm_86") from None
        if kb.compute_capability(text) is None:
            raise EnvcheckError(f"--cc {value!r}: compute capability {text} is not in envcheck's tables "
                                f"(known: {', '.join(c.cc for c in kb.ccs)})")
        names.append(f"compute capability {text}")
        ccs.append(text)
    if driver is not None and ver(driver) is None:
        raise EnvcheckError(f"--driver {driver!r}: expected a driver version such as 570.124.04")
    if python is not None and (ver(python) is None or len(ver(python).release) < 2):
        raise EnvcheckError(f"--python {python!r}: expected a Python version such as 3.12")
    return Target(tuple(names), tuple(ccs), driver, python, os_id, False)


def render_text(advice, target) -> str:
    gpus = ", ".join(f"{n} ({c})" if c and not n.endswith(c) else n
                     for n, c in zip(target.gpu_names, target.compute_capabilities)) or "no GPU"
    lines = [f"Machine: {gpus}; driver {target.driver_version or 'unknown'}; Python {target.python_version or 'unknown'}"]
    if advice.driver_command:
        lines.append(f"First install driver R{advice.driver_branch}:")
        lines.append(f"  {advice.driver_command}")
    if advice.torch_version:
        status = ("works now" if advice.ok else "after the driver" if advice.driver_command
                  else "no GPU build fits" if advice.variant == "cpu" else "with a caveat, see the last reason")
        lines.append(f"PyTorch: torch {advice.torch_version} + {advice.variant}"
                     + (f" (CUDA {advice.cuda})" if advice.cuda else "") + f" - {status}")
        lines.append(f"  pip:   {advice.pip_command}")
        lines.append(f"  uv:    {advice.uv_command}")
        if advice.conda_command:
            lines.append(f"  conda: {advice.conda_command}")
    else:
        lines.append("PyTorch: no build found")
    lines.append("Why:")
    lines += [f"  - {r}" for r in advice.reasons]
    return "\n".join(lines) + "\n"


def to_json(advice, target) -> str:
    from envcheck.envelope import wrap

    return json.dumps(wrap("envcheck.advice", {"target": dataclasses.asdict(target),
                                               "advice": dataclasses.asdict(advice)}), indent=2) + "\n"


@click.command(epilog=exitcodes.epilog())
@click.option("--gpu", "gpu", multiple=True, metavar="NAME",
              help='A GPU of the machine to advise for (repeat per GPU), e.g. --gpu "RTX 5090".')
@click.option("--cc", "cc", multiple=True, metavar="X.Y", help="A GPU given by compute capability instead of name.")
@click.option("--driver", default=None, metavar="VERSION", help="NVIDIA driver version, e.g. 570.124.04.")
@click.option("--python", "python", default=None, metavar="X.Y", help="Python version, e.g. 3.12.")
@click.option("--os", "os_id", default=None, metavar="ID", help="/etc/os-release ID for the driver command (ubuntu).")
@click.option("--facts", "facts_file", type=click.Path(dir_okay=False), default=None,
              help="Advise for a snapshot (from `envcheck snapshot`) instead of this machine.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
def advise(gpu, cc, driver, python, os_id, facts_file, as_json) -> None:
    """Which PyTorch build (and driver) works on this machine, a snapshot, or a described one.

    Without options it reads this machine (no torch import). Exit 0 when a build runs
    as things are, 1 when a driver must be installed first or no GPU build fits.
    """
    from envcheck.advise import advise as choose
    from envcheck.advise import target_from_facts
    from envcheck.knowledge import load

    kb = load()
    described = bool(gpu or cc or driver or python)
    if facts_file and described:
        raise EnvcheckError("--facts advises for a snapshot; --gpu/--cc/--driver/--python describe a machine instead")
    if described:
        target = describe_target(gpu, cc, driver, python, os_id, kb)
    else:
        if facts_file:
            from envcheck import snapshot

            facts = snapshot.load(facts_file)
        else:
            from envcheck.probes import ProbeOptions, collect

            progress("envcheck: reading this machine…")
            facts = collect(ProbeOptions(torch=False)).facts
        target = target_from_facts(facts, kb)
        if os_id:
            target = dataclasses.replace(target, os_id=os_id)
    result = choose(target, kb)
    click.echo(to_json(result, target) if as_json else render_text(result, target), nl=False)
    sys.exit(exitcodes.OK if result.ok else exitcodes.PROBLEMS)
