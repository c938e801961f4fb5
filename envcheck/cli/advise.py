"""``envcheck advise``: which PyTorch build (and driver) works here or on a described machine."""

from __future__ import annotations

import dataclasses
import sys

import click

from envcheck import exitcodes
from envcheck.cli.machine import facts_option, read_machine
from envcheck.errors import EnvcheckError
from envcheck.reading import Reading


@click.command(epilog=exitcodes.epilog())
@click.option("--gpu", "gpu", multiple=True, metavar="NAME",
              help='A GPU of the machine to advise for (repeat per GPU), e.g. --gpu "RTX 5090".')
@click.option("--cc", "cc", multiple=True, metavar="X.Y", help="A GPU given by compute capability instead of name.")
@click.option("--driver", default=None, metavar="VERSION", help="NVIDIA driver version, e.g. 570.124.04.")
@click.option("--python", "python", default=None, metavar="X.Y", help="Python version, e.g. 3.12.")
@click.option("--os", "os_id", default=None, metavar="ID", help="/etc/os-release ID for the driver command (ubuntu).")
@facts_option("Advise for")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
def advise(gpu, cc, driver, python, os_id, facts_file, as_json) -> None:
    """Which PyTorch build (and driver) works on this machine, a snapshot, or a described one.

    Without options it reads this machine (no torch import). Exit 0 when a build runs
    as things are, 1 when a driver must be installed first or no GPU build fits.
    """
    from envcheck.advise import advise as choose
    from envcheck.advise import describe_target, facts_of, render_text, target_from_facts, to_json
    from envcheck.knowledge import load
    from envcheck.recipes import install_driver, load_all, machine_values

    kb = load()
    described = bool(gpu or cc or driver or python)
    if facts_file and described:
        raise EnvcheckError("--facts advises for a snapshot; --gpu/--cc/--driver/--python describe a machine instead")
    if described:
        target = describe_target(gpu, cc, driver, python, os_id, kb)
        facts = facts_of(target)
    else:
        facts = read_machine(facts_file).facts
        target = target_from_facts(facts, kb)
        if os_id:
            target = dataclasses.replace(target, os_id=os_id)
            facts = dataclasses.replace(facts, host=dataclasses.replace(facts.host, os_id=Reading.of(os_id)))
    result = choose(target, kb)
    # The driver to install first comes from the driver recipe, as in the doctor's fix.
    steps = (install_driver(load_all(), facts, machine_values(facts, result), result.driver_branch)
             if result.driver_branch else None)
    click.echo(to_json(result, target, steps) if as_json else render_text(result, target, steps), nl=False)
    sys.exit(exitcodes.OK if result.ok else exitcodes.PROBLEMS)
