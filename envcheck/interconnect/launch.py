"""Who started this process: torchrun, SLURM's srun, or nobody (envcheck spawns the ranks).

torchrun (``torch.distributed.run``) sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``LOCAL_WORLD_SIZE``, ``GROUP_RANK`` / ``GROUP_WORLD_SIZE`` (the node), ``MASTER_ADDR`` and
``MASTER_PORT``; its agent hosts the TCP store when ``TORCHELASTIC_USE_AGENT_STORE=True``
(https://docs.pytorch.org/docs/stable/elastic/run.html). srun sets ``SLURM_PROCID``,
``SLURM_STEP_NUM_TASKS``, ``SLURM_LOCALID``, ``SLURM_NODEID``, ``SLURM_STEP_NUM_NODES``,
``SLURM_STEP_TASKS_PER_NODE`` and ``SLURM_STEP_NODELIST`` for each task of a job step
(https://slurm.schedmd.com/srun.html#SECTION_OUTPUT-ENVIRONMENT-VARIABLES); the store then
runs in rank 0 on the first node of the step. envcheck reads these and launches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Mapping, Optional

from ..errors import EnvcheckError

LAUNCHERS = ("auto", "local", "torchrun", "slurm")
# With no MASTER_PORT, every task of a SLURM step must still agree on one: derived from
# the job id (envcheck's choice; export MASTER_PORT to pick it yourself).
SLURM_PORT_BASE, SLURM_PORT_SPAN = 29500, 1000


@dataclass(frozen=True)
class Launch:
    source: str  # "local" | "torchrun" | "slurm"
    rank: int
    world_size: int
    local_rank: int
    local_world_size: int
    node_rank: int
    nnodes: int
    master_addr: str
    master_port: int
    agent_store: bool = False  # the store is served outside the ranks (torchrun's agent, envcheck's parent)


def _int(env: Mapping[str, str], *names: str, default: Optional[int] = None) -> int:
    for name in names:
        value = env.get(name)
        if value not in (None, ""):
            try:
                return int(str(value).strip())
            except ValueError:
                raise EnvcheckError(f"{name}={value!r} is not a number") from None
    if default is None:
        raise EnvcheckError(f"{' or '.join(names)} is not set")
    return default


def torchrun(env: Mapping[str, str]) -> Launch:
    world = _int(env, "WORLD_SIZE")
    local_world = _int(env, "LOCAL_WORLD_SIZE", default=world)
    return Launch("torchrun", _int(env, "RANK"), world, _int(env, "LOCAL_RANK", default=0), local_world,
                  _int(env, "GROUP_RANK", default=0), _int(env, "GROUP_WORLD_SIZE", default=max(1, world // local_world)),
                  env.get("MASTER_ADDR") or "127.0.0.1", _int(env, "MASTER_PORT"),
                  agent_store=env.get("TORCHELASTIC_USE_AGENT_STORE") == "True")


def tasks_per_node(text: str) -> List[int]:
    """SLURM's compressed counts: ``"4(x2),3"`` -> ``[4, 4, 3]``."""
    out: List[int] = []
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        m = re.fullmatch(r"(\d+)(?:\(x(\d+)\))?", part)
        if not m:
            raise EnvcheckError(f"cannot read SLURM's tasks per node {text!r}")
        out += [int(m.group(1))] * int(m.group(2) or 1)
    return out


def first_host(nodelist: str) -> str:
    """The first host of a SLURM host list: ``"gpu[07-09,12],login1"`` -> ``"gpu07"``."""
    text = (nodelist or "").strip()
    m = re.match(r"([^,\[]+)(?:\[([^\]]+)\])?", text)
    if not m:
        raise EnvcheckError(f"cannot read SLURM's node list {nodelist!r}; export MASTER_ADDR")
    prefix, ranges = m.group(1), m.group(2)
    if not ranges:
        return prefix
    first = ranges.split(",")[0].split("-")[0]
    rest = text[m.end():]
    if rest and not rest.startswith(","):  # "rack[1-2]-node[01-04]": more than one bracket
        raise EnvcheckError(f"SLURM's node list {nodelist!r} is too intricate to read; export MASTER_ADDR")
    return prefix + first


def slurm(env: Mapping[str, str]) -> Launch:
    world = _int(env, "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS")
    node = _int(env, "SLURM_NODEID", default=0)
    counts = tasks_per_node(env.get("SLURM_STEP_TASKS_PER_NODE") or env.get("SLURM_TASKS_PER_NODE") or "")
    local_world = counts[node] if node < len(counts) else _int(env, "SLURM_NTASKS_PER_NODE", default=world)
    addr = env.get("MASTER_ADDR") or first_host(env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST") or "")
    port = _int(env, "MASTER_PORT", default=SLURM_PORT_BASE + _int(env, "SLURM_JOB_ID", default=0) % SLURM_PORT_SPAN)
    return Launch("slurm", _int(env, "SLURM_PROCID"), world, _int(env, "SLURM_LOCALID", default=0), local_world, node,
                  _int(env, "SLURM_STEP_NUM_NODES", "SLURM_NNODES", default=len(counts) or 1), addr, port)


def detect(env: Mapping[str, str], launcher: str = "auto") -> Optional[Launch]:
    """The launch this process is part of, or None: envcheck starts the ranks itself.

    ``auto`` takes torchrun's variables first (torchrun inside an srun step is common),
    then an srun step with more than one task; a batch script's own SLURM variables (one
    task, no step) do not count."""
    if launcher not in LAUNCHERS:
        raise EnvcheckError(f"--launcher {launcher!r}: choose from {', '.join(LAUNCHERS)}")
    if launcher == "local":
        return None
    if launcher == "torchrun" or (launcher == "auto" and "TORCHELASTIC_RUN_ID" in env and "RANK" in env):
        return torchrun(env)
    if launcher == "slurm" or (launcher == "auto" and "SLURM_STEP_ID" in env and "SLURM_PROCID" in env
                               and _int(env, "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", default=1) > 1):
        return slurm(env)
    return None
