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
from ..probes import envvars, nvml, topology


def node_facts(environ: Optional[Mapping[str, str]] = None, root: Path = Path("/"), nvml_module: Any = None) -> Facts:
    # NVML is read twice (GPU facts, then the topology): the deadline-bounded NVML worker
    # of the hardening work will serve both from one session.
    return Facts(envcheck_version=__version__, collected_at=now(), source="live",
                 nvml=nvml.probe(nvml_module), interconnect=topology.probe(nvml_module, root),
                 env=envvars.probe(dict(os.environ if environ is None else environ)))
