"""What ``envcheck interconnect`` measured: plain records, serialised with ``envcheck.serial``.

Ranks publish these as JSON in the run's key-value store (``protocol``); the process that
reports (envcheck's parent on one node, rank 0 under torchrun/srun) reads them back into
an :class:`Outcome`. Units are in the names; bandwidths are 10^9 bytes per second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from ..facts import Facts


@dataclass(frozen=True)
class RankInfo:
    rank: int
    node: int
    local_rank: int
    host: str
    pid: int
    device: str  # "cuda:0" | "cpu"
    name: str = ""  # torch's device name
    uuid: str = ""  # torch's device UUID, matched with NVML's to find the GPU's NVML index
    bus_id: str = ""  # the GPU's PCI address as sysfs spells it, "0000:18:00.0" (where torch says)
    cpus: str = ""  # CPUs the rank may run on (sched_getaffinity), "0-15"


@dataclass(frozen=True)
class CopyRow:
    """Host<->device copies of one GPU (``h2d`` / ``d2h``, ``pinned`` / ``pageable`` host memory)."""

    rank: int
    device: str
    direction: str
    memory: str
    size_bytes: int
    gb_s: float
    practical_peak_gb_s: Optional[float] = None  # the PCIe link's practical peak (knowledge table)


@dataclass(frozen=True)
class MatrixCell:
    src: int  # local CUDA index
    dst: int
    via: str  # "p2p" (direct, peer access on where the GPUs allow it) | "host" (staged through pinned memory)
    bandwidth_gb_s: float
    latency_us: float
    peer_access: bool = False  # torch.cuda.can_device_access_peer(src, dst)


@dataclass(frozen=True)
class Matrix:
    node: int
    host: str
    devices: Tuple[str, ...]  # "cuda:0 NVIDIA H100 80GB HBM3 (0000:18:00.0)"
    size_bytes: int
    cells: Tuple[MatrixCell, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class CollectiveRow:
    """One collective at one size, as nccl-tests prints a line (time: mean over ranks)."""

    collective: str
    size_bytes: int  # S, nccl-tests' "size" column
    count: int  # elements of S
    ranks: int
    iters: int
    time_us: float
    time_max_us: float  # the slowest rank's mean
    algbw_gb_s: float
    busbw_gb_s: float
    wrong: int  # elements that differed from the expected result, summed over ranks
    root: int = -1  # broadcast's root, -1 for the others (as nccl-tests)
    dtype: str = "float"


@dataclass(frozen=True)
class Hang:
    """A step that did not finish within its deadline."""

    step: int
    label: str
    deadline_s: float
    missing_ranks: Tuple[int, ...] = ()  # never reached the step
    waiting_ranks: Tuple[int, ...] = ()  # entered it and waited for the others
    seen_by: str = ""  # "envcheck" (the supervising parent) | "rank N" (its watchdog)


@dataclass(frozen=True)
class Outcome:
    backend: str
    launcher: str
    world_size: int
    nnodes: int
    collectives: Tuple[str, ...] = ()
    sizes: Tuple[int, ...] = ()
    deadline_s: float = 0.0
    ranks: Tuple[RankInfo, ...] = ()
    copies: Tuple[CopyRow, ...] = ()
    matrices: Tuple[Matrix, ...] = ()
    rows: Tuple[CollectiveRow, ...] = ()
    hang: Optional[Hang] = None
    failures: Tuple[str, ...] = ()  # ranks that stopped with an error (not a hang)
    seconds: float = 0.0
    complete: bool = False  # every step of the plan ran
    facts: Tuple[Facts, ...] = field(default=(), repr=False)  # per node: the topology the run was on

    @property
    def wrong_rows(self) -> Tuple[CollectiveRow, ...]:
        return tuple(r for r in self.rows if r.wrong)
