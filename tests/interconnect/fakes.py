"""Fake multi-GPU machines for the interconnect probe and rules: a pynvml that also answers
the topology, P2P and NVLink calls, and sysfs trees with NUMA, IOMMU, ACS and RDMA files.

NVML's two-handle calls (``nvmlDeviceGetTopologyCommonAncestor``, ``nvmlDeviceGetP2PStatus``)
are answered from per-pair tables; per-link calls (``nvmlDeviceGetNvLink*``) from ``ByArgs``
tables of the base fake, so one link or one counter can be an NVML error of its own.
The error classes are the real nvidia-ml-py ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pynvml as real  # noqa: TID251 - the fake raises the real error classes

from tests.fakes.fake_pynvml import ByArgs, FakeNvml, h100_tables, pci
from tests.probes.fakefs import FakeRoot

SYS, NODE, PHB, PXB, PIX = (real.NVML_TOPOLOGY_SYSTEM, real.NVML_TOPOLOGY_NODE, real.NVML_TOPOLOGY_HOSTBRIDGE,
                            real.NVML_TOPOLOGY_MULTIPLE, real.NVML_TOPOLOGY_SINGLE)
P2P_OK, P2P_GPU_NOT_SUPPORTED, P2P_CHIPSET = 0, 2, 1
FI_SPEED = 90


@dataclass
class Link:
    active: bool = True
    remote_bus: str = "00000000:00:00.0"
    remote_type: Any = 2  # NVML_NVLINK_DEVICE_TYPE_SWITCH; an exception instance to fail the call
    version: Any = 4
    counters: Dict[int, Any] = field(default_factory=lambda: {0: 0, 1: 0, 2: 0, 3: 0})


def bus(i: int) -> str:
    return f"00000000:{0x18 + i:02X}:00.0"


def bdf(i: int) -> str:
    return f"0000:{0x18 + i:02x}:00.0"


class TopologyNvml(FakeNvml):
    """``count`` H100s on buses 0x18, 0x19, ...; ``ancestor`` / ``p2p`` per unordered pair
    (default SYS / OK); ``links`` per GPU (default: none, NVLink calls raise NotSupported)."""

    def __init__(self, count: int, links: Optional[Dict[int, Sequence[Link]]] = None,
                 ancestor: Optional[Dict[Tuple[int, int], Any]] = None,
                 p2p: Optional[Dict[Tuple[int, int], Any]] = None, speed_mbps: Any = 25781,
                 device: Optional[Dict[str, Dict[int, Any]]] = None, **kwargs: Any) -> None:
        dev, system = h100_tables(count)
        for name, table in self._link_tables(count, links or {}, speed_mbps).items():
            dev.setdefault(name, {}).update(table)
        for fn, per in (device or {}).items():
            dev.setdefault(fn, {}).update(per)
        super().__init__(count=count, device=dev, system=system, **kwargs)
        self._ancestor = ancestor or {}
        self._p2p = p2p or {}

    @staticmethod
    def _link_tables(count: int, links: Dict[int, Sequence[Link]], speed: Any) -> Dict[str, Dict[int, Any]]:
        t: Dict[str, Dict[int, Any]] = {k: {} for k in (
            "nvmlDeviceGetNvLinkState", "nvmlDeviceGetNvLinkVersion", "nvmlDeviceGetNvLinkRemotePciInfo",
            "nvmlDeviceGetNvLinkRemoteDeviceType", "nvmlDeviceGetNvLinkErrorCounter", "nvmlDeviceGetFieldValues")}
        for g in range(count):
            ls = links.get(g, ())
            t["nvmlDeviceGetFieldValues"][g] = {FI_SPEED: speed} if ls else {}
            # Past the last link NVML answers InvalidArgument; a GPU without NVLink, NotSupported.
            end = real.NVMLError_InvalidArgument() if ls else real.NVMLError_NotSupported()
            state = {(i,): int(x.active) for i, x in enumerate(ls)}
            t["nvmlDeviceGetNvLinkState"][g] = ByArgs(_Defaulting(state, end))
            t["nvmlDeviceGetNvLinkVersion"][g] = ByArgs({(i,): x.version for i, x in enumerate(ls)})
            t["nvmlDeviceGetNvLinkRemotePciInfo"][g] = ByArgs({(i,): pci(x.remote_bus) for i, x in enumerate(ls)})
            t["nvmlDeviceGetNvLinkRemoteDeviceType"][g] = ByArgs({(i,): x.remote_type for i, x in enumerate(ls)})
            t["nvmlDeviceGetNvLinkErrorCounter"][g] = ByArgs({(i, c): v for i, x in enumerate(ls)
                                                              for c, v in x.counters.items()})
        return t

    def _pair_value(self, table: Dict, h1: Any, h2: Any, default: Any, *extra: Any) -> Any:
        if h1.index in self.lost or h2.index in self.lost:
            raise real.NVMLError_GpuIsLost()
        key = (min(h1.index, h2.index), max(h1.index, h2.index))
        value = table.get(key + extra, table.get(key, default))
        if isinstance(value, BaseException):
            raise value
        return value

    def _nvmlDeviceGetTopologyCommonAncestor(self, h1: Any, h2: Any) -> int:
        self.calls.append(("nvmlDeviceGetTopologyCommonAncestor", h1.index, (h2,)))
        return self._pair_value(self._ancestor, h1, h2, SYS)

    def _nvmlDeviceGetP2PStatus(self, h1: Any, h2: Any, caps: int) -> int:
        self.calls.append(("nvmlDeviceGetP2PStatus", h1.index, (h2, caps)))
        return self._pair_value(self._p2p, h1, h2, P2P_OK, caps)


class _Defaulting(dict):
    """A ByArgs table with a value (or exception) for the arguments it lacks."""

    def __init__(self, table: Dict[tuple, Any], default: Any) -> None:
        super().__init__(table)
        self.default = default

    def get(self, key: Any, fallback: Any = None) -> Any:
        return super().get(key, self.default)


def switch_links(count: int = 18, switch_buses: Sequence[str] = ("00000000:C0:00.0", "00000000:C1:00.0")) -> List[Link]:
    return [Link(remote_bus=switch_buses[i % len(switch_buses)]) for i in range(count)]


def hgx(count: int = 4, **kwargs: Any) -> TopologyNvml:
    """H100 SXM on an NVSwitch board: 18 active NVLinks per GPU to the switches."""
    return TopologyNvml(count, links={g: switch_links() for g in range(count)}, **kwargs)


# --------------------------------------------------------------------------- sysfs
def config_space(acs_control: Optional[int], length: int = 4096) -> bytes:
    """A PCIe function's config space: AER at 0x100 -> ACS at 0x148 (control at +6)."""
    data = bytearray(length)
    if length > 0x100:
        next_cap = 0x148 if acs_control is not None else 0
        data[0x100:0x104] = (0x0001 | (1 << 16) | (next_cap << 20)).to_bytes(4, "little")
        if acs_control is not None:
            data[0x148:0x14C] = (0x000D | (1 << 16)).to_bytes(4, "little")
            data[0x14E:0x150] = acs_control.to_bytes(2, "little")
    return bytes(data)


def gpu_tree(fake: FakeRoot, index: int, numa: int = 0, cpus: str = "0-15", bridges: Sequence[str] = ("0000:00:01.0",),
             acs: Optional[int] = None, config_length: int = 4096, group: Optional[str] = None) -> str:
    """A GPU under ``bridges`` (as sysfs nests devices), /sys/bus/pci/devices links to all of them."""
    addr = bdf(index)
    chain = "/sys/devices/pci0000:00"
    for b in bridges:
        chain += f"/{b}"
        if not (fake / f"/sys/bus/pci/devices/{b}").exists():
            fake.write(f"{chain}/config", config_space(acs, config_length))
            fake.symlink(f"/sys/bus/pci/devices/{b}", str(fake / chain))
    chain += f"/{addr}"
    fake.write(f"{chain}/vendor", "0x10de\n")
    fake.write(f"{chain}/device", "0x2330\n")
    fake.write(f"{chain}/class", "0x030200\n")
    fake.write(f"{chain}/numa_node", f"{numa}\n")
    fake.write(f"{chain}/local_cpulist", cpus + "\n")
    fake.symlink(f"/sys/bus/pci/devices/{addr}", str(fake / chain))
    if group is not None:
        fake.write(f"/sys/kernel/iommu_groups/{index + 10}/type", group + "\n")
        fake.symlink(f"{chain}/iommu_group", str(fake / f"/sys/kernel/iommu_groups/{index + 10}"))
    return addr


def host_files(fake: FakeRoot, cmdline: str = "BOOT_IMAGE=/vmlinuz ro quiet", modules: Sequence[str] = ("nvidia",),
               infiniband: Sequence[str] = (), numa_cpus: str = "0") -> None:
    fake.write("/proc/cmdline", cmdline + "\n")
    fake.write("/proc/modules", "".join(f"{m} 123 0 - Live 0x0\n" for m in modules))
    fake.write("/sys/devices/system/node/has_cpu", numa_cpus + "\n")
    fake.mkdir("/sys/kernel/iommu_groups")
    for name in infiniband:
        fake.mkdir(f"/sys/class/infiniband/{name}")
