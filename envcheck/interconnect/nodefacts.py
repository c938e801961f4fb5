"""The facts of one node that the interconnect verdict reads: NVML's GPUs, the topology,
the environment's NCCL variables. Read once per node (by envcheck's parent, or by local
rank 0 under torchrun/srun), without the doctor's slower probes (torch, packages)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

from .. import __version__
from ..envelope import now
from ..facts import Facts
from ..probes import envvars, read_gpus


def node_facts(environ: Optional[Mapping[str, str]] = None, root: Path = Path("/"), nvml_module: Any = None) -> Facts:
    # The GPUs and their topology from one deadline-bounded NVML worker (as the doctor
    # reads them): a wedged driver costs its deadline, never a hung interconnect run.
    gpus, links = read_gpus(root, nvml_module=nvml_module)
    return Facts(envcheck_version=__version__, collected_at=now(), source="live", nvml=gpus, interconnect=links,
                 env=envvars.probe(dict(os.environ if environ is None else environ)))
