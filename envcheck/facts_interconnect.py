"""The interconnect group of :class:`envcheck.facts.Facts`: how GPUs reach each other (topology,
P2P, NVLinks), where they sit (NUMA, CPU affinity), and the platform settings multi-GPU training
depends on (IOMMU, PCIe ACS, GPUDirect RDMA). Kept apart from facts.py, which imports these
names (probes and rules import them from either), for its size: one group of the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

from .reading import UNKNOWN, Reading


def _u() -> Reading:
    return field(default=UNKNOWN)


@dataclass(frozen=True)
class GpuPair:
    """How two GPUs reach each other: NVML ``nvmlDeviceGetTopologyCommonAncestor`` and
    ``nvmlDeviceGetP2PStatus`` (or a pasted ``nvidia-smi topo -m`` / ``topo -p2p``)."""

    a: int  # NVML index
    b: int
    # nvidia-smi topo -m's words: "NV<n>" (n NVLinks), "PIX" (one PCIe switch), "PXB"
    # (several switches), "PHB" (a host bridge), "NODE" (host bridges in one NUMA node),
    # "SYS" (across NUMA nodes), "SOC" (older drivers' SYS); "board" for two GPUs on one card.
    path: Reading[str] = _u()
    nvlinks: Reading[int] = _u()  # NVLinks between the two (0: none)
    # P2P capability: "ok" or NVML's reason ("chipset_not_supported", "topology_not_supported",
    # "disabled_by_regkey", "not_supported", "unknown"); per direction where NVML says so.
    p2p_read: Reading[str] = _u()
    p2p_write: Reading[str] = _u()
    p2p_nvlink: Reading[str] = _u()
    p2p_atomics: Reading[str] = _u()


@dataclass(frozen=True)
class NvLink:
    """One NVLink of one GPU: ``nvmlDeviceGetNvLink{State,Version,RemotePciInfo,ErrorCounter}``
    (or a pasted ``nvidia-smi nvlink -s`` / ``-e``)."""

    gpu: int  # NVML index
    link: int
    active: Reading[bool] = _u()
    version: Reading[int] = _u()
    speed_gbps: Reading[float] = _u()  # per direction, as nvidia-smi nvlink -s prints it
    remote_bus_id: Reading[str] = _u()
    crc_flit_errors: Reading[int] = _u()
    crc_data_errors: Reading[int] = _u()
    replay_errors: Reading[int] = _u()
    recovery_errors: Reading[int] = _u()


@dataclass(frozen=True)
class GpuAffinity:
    """A GPU's NUMA node and CPU affinity: sysfs ``numa_node`` / ``local_cpulist`` of its
    PCI device, or NVML ``nvmlDeviceGetCpuAffinity``."""

    gpu: int  # NVML index
    numa_node: Reading[int] = _u()  # -1: the platform does not say
    cpu_list: Reading[str] = _u()  # "0-15,32-47"


@dataclass(frozen=True)
class InterconnectFacts:
    """What multi-GPU training depends on: the GPU-to-GPU topology and P2P, NVLinks, NUMA
    placement, the IOMMU and PCIe ACS (kernel command line, ``/sys/kernel/iommu_groups``,
    bridges' ACS control), GPUDirect RDMA (``nvidia_peermem``, ``/sys/class/infiniband``).
    NCCL's environment overrides are in ``env.variables``."""

    pairs: Reading[Tuple[GpuPair, ...]] = _u()
    nvlinks: Reading[Tuple[NvLink, ...]] = _u()
    affinity: Reading[Tuple[GpuAffinity, ...]] = _u()
    iommu: Reading[str] = _u()  # "off" | "passthrough" | "translated"
    iommu_groups: Reading[int] = _u()  # how many groups /sys/kernel/iommu_groups holds
    acs_redirect_bridges: Reading[Tuple[str, ...]] = _u()  # bridges above GPUs with ACS P2P redirect on
    peermem_loaded: Reading[bool] = _u()
    rdma_devices: Reading[Tuple[str, ...]] = _u()  # /sys/class/infiniband entries
    process_cpus: Reading[str] = _u()  # CPUs this process may run on (sched_getaffinity), "0-15"
