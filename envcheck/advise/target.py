"""A machine described on the command line (``envcheck advise --gpu … --driver …``) as a
:class:`Target`, with one clear line for every value envcheck cannot use."""

from __future__ import annotations

from typing import Optional, Sequence

from ..errors import EnvcheckError
from ..facts import Facts, GpuFacts, HostFacts, NvmlFacts
from ..knowledge.archs import cc_text, cc_tuple, ver
from ..reading import Reading
from .choose import Target

NAME_HELP = '"RTX 5090", "GeForce GTX 1080 Ti", "A100", "H100 80GB HBM3", "Tesla T4", "RTX A6000", "L40S"'


def describe_target(gpu: Sequence[str], cc: Sequence[str], driver: Optional[str], python: Optional[str],
                    os_id: Optional[str], kb):
    """A Target for a machine given on the command line; unknown GPU names are an error."""
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


def facts_of(target: Target) -> Facts:
    """A described machine as the facts a recipe is filled from (distribution, container,
    GPU names and capabilities, driver): what the driver recipe needs to pick its flavour."""
    known = Reading.of
    gpus = tuple(GpuFacts(index=i, name=known(n), compute_capability=known(cc) if cc else Reading.unknown())
                 for i, (n, cc) in enumerate(zip(target.gpu_names, target.compute_capabilities)))
    return Facts(
        source="synthetic",
        host=HostFacts(os_id=known(target.os_id) if target.os_id else Reading.unknown(),
                       container=known("docker" if target.in_container else "none")),
        nvml=NvmlFacts(gpus=known(gpus), driver_version=known(target.driver_version) if target.driver_version
                       else Reading.unknown()),
    )
