"""How the GPUs reach each other and the host: topology, P2P, NVLink, NUMA, IOMMU, ACS, RDMA.

NVML (through the primitives of :mod:`envcheck.probes.nvml`, the one pynvml importer):

* ``nvmlDeviceGetTopologyCommonAncestor`` per pair: the words of ``nvidia-smi topo -m``;
* ``nvmlDeviceGetP2PStatus`` per pair for read, write, NVLink and atomics (``topo -p2p``);
* per NVLink: ``nvmlDeviceGetNvLinkState`` / ``Version`` / ``RemotePciInfo`` /
  ``RemoteDeviceType`` / ``ErrorCounter`` and the field ``NVML_FI_DEV_NVLINK_SPEED_MBPS_COMMON``
  (``nvidia-smi nvlink -s`` / ``-e``).

sysfs and procfs under ``root`` (nothing needs root, except the PCIe extended
configuration space that holds ACS, which says ``no_permission`` when it is cut short):
each GPU's ``numa_node`` and ``local_cpulist``, ``/sys/kernel/iommu_groups`` and the
GPU's group ``type``, ``/proc/cmdline``, the ACS control register of every bridge above a
GPU, ``nvidia_peermem`` in ``/proc/modules``, ``/sys/class/infiniband``.

:func:`probe` opens its own NVML session (the doctor runs it as a job of the
deadline-bounded NVML worker, :mod:`envcheck.probes.nvml_worker`, after ``nvml.probe``);
:func:`read` takes one already open; :func:`failed` is the record when the worker gave
none. All are functions of their parameters only. Reference: https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..facts import GpuAffinity, GpuPair, InterconnectFacts, NvLink
from ..reading import Reading, Status
from . import nvml as nvml_probe
from . import pci as pci_probe
from .files import os_error_status, read_text, under

# nvml.h enums (NVML's ABI: spelt out so an older nvidia-ml-py cannot lack them).
ANCESTOR_WORDS = {0: "board", 10: "PIX", 20: "PXB", 30: "PHB", 40: "NODE", 50: "SYS"}  # nvmlGpuTopologyLevel_t
P2P_CAPS = (("p2p_read", 0), ("p2p_write", 1), ("p2p_nvlink", 2), ("p2p_atomics", 3))  # nvmlGpuP2PCapsIndex_t
P2P_STATUS = {0: "ok", 1: "chipset_not_supported", 2: "gpu_not_supported", 3: "topology_not_supported",
              4: "disabled_by_regkey", 5: "not_supported", 6: "unknown"}  # nvmlGpuP2PStatus_t
REMOTE_TYPES = {0: "gpu", 1: "ibmnpu", 2: "switch", 0xFF: "unknown"}  # nvmlIntNvLinkDeviceType_t
NVLINK_COUNTERS = (("replay_errors", 0), ("recovery_errors", 1), ("crc_flit_errors", 2), ("crc_data_errors", 3))
FI_NVLINK_SPEED_MBPS_COMMON = 90
# Links are asked for until the first one NVML does not know. 18 is the most any GPU has
# had so far (Hopper, Blackwell); NVML_NVLINK_MAX_LINKS itself grew 4 → 6 → 12 → 18 → 36.
MAX_LINKS = 18

# PCIe ACS (extended capability 0x000D); its control register is at +6. P2P Request
# Redirect (bit 2) and P2P Completion Redirect (bit 3) send peer traffic up to the root
# complex: the state `lspci -vvv` shows as "ACSCtl: ... ReqRedir+ CmpltRedir+".
ACS_CAP_ID, ACS_CTRL_OFFSET, ACS_REDIRECT_BITS = 0x000D, 6, 0x4 | 0x8
EXT_CAP_START, CONFIG_SPACE_BYTES = 0x100, 4096
_BDF = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")


def probe(nvml_module: Any = None, root: Path = Path("/"), process_cpus: Optional[Iterable[int]] = None) -> InterconnectFacts:
    """The interconnect facts, in an NVML session of its own (``nvmlInit`` … ``nvmlShutdown``)."""
    with nvml_probe.opened(nvml_module) as (session, init, error):
        if session is None:
            why = Reading.fail(init.status, f"NVML unavailable ({error}): {init.detail}")
            return read(None, root, process_cpus, nvml_failure=why)
        return read(session, root, process_cpus)


def failed(reason: Reading, root: Path = Path("/"), process_cpus: Optional[Iterable[int]] = None) -> InterconnectFacts:
    """The facts when the NVML worker delivered none (NVML hung past its deadline: ``timeout``;
    the worker died: ``error``): the NVML part (pairs, NVLinks) carries that reason, and the
    sysfs part is read here, in the caller's process — sysfs and procfs answer from the
    kernel's PCI core, not from the NVIDIA driver, so a wedged driver does not hold them,
    and the IOMMU, ACS and NUMA facts are what a hang between GPUs is diagnosed with."""
    return read(None, root, process_cpus, nvml_failure=reason)


def read(session: Any, root: Path = Path("/"), process_cpus: Optional[Iterable[int]] = None,
         nvml_failure: Optional[Reading] = None) -> InterconnectFacts:
    """The interconnect facts from an open NVML session (None: the sysfs part only)."""
    root = Path(root)
    devices: List[Any] = []
    if session is not None:
        count = session.reading("nvmlDeviceGetCount", convert=int)
        if not count.ok:
            nvml_failure = Reading.fail(count.status, count.detail)
        devices = [nvml_probe.Device(session, i) for i in range(count.get(0))]
    nvml_failure = nvml_failure or Reading.fail(Status.UNKNOWN, "NVML not asked")
    bus_ids = _bus_ids(devices, root)
    sysfs = {i: b for i, b in bus_ids.items() if b}
    nvml_part = _nvml_part(devices, bus_ids) if devices else {
        "pairs": nvml_failure, "nvlinks": nvml_failure}
    return InterconnectFacts(
        affinity=_affinity(sysfs, root, devices),
        iommu=_iommu(sysfs.values(), root), iommu_groups=_iommu_groups(root),
        acs_redirect_bridges=_acs(sysfs.values(), root),
        peermem_loaded=_peermem(root), rdma_devices=_rdma(root),
        process_cpus=_process_cpus(process_cpus), **nvml_part)


# --------------------------------------------------------------------------- NVML
def _text(v: Any) -> str:
    return (v.decode(errors="replace") if isinstance(v, bytes) else str(v)).strip()


def _sysfs_bdf(bus_id: str) -> str:
    """NVML's ``00000000:18:00.0`` as sysfs spells it: ``0000:18:00.0``."""
    text = bus_id.strip().lower()
    domain, _, rest = text.partition(":")
    return f"{domain[-4:].rjust(4, '0')}:{rest}" if rest else text


def _bus_ids(devices: Sequence[Any], root: Path) -> Dict[int, Optional[str]]:
    """NVML index -> sysfs address. Without NVML: the PCI bus order, which is NVML's own."""
    if devices:
        out: Dict[int, Optional[str]] = {}
        for d in devices:
            r = nvml_probe.pick(d.read("nvmlDeviceGetPciInfo"), lambda p: _text(p.busId))
            out[d.index] = _sysfs_bdf(r.value) if r.ok else None
        return out
    return {i: dev.address for i, dev in enumerate(pci_probe.probe(root).gpus)}


def _nvml_part(devices: Sequence[Any], bus_ids: Dict[int, Optional[str]]) -> Dict[str, Reading]:
    read = [(link, kind) for d in devices for link, kind in _links(d)]
    links = [link for link, _ in read]
    by_bus = {b: i for i, b in bus_ids.items() if b}
    peers = {}
    for link, kind in read:
        peers.setdefault(link.gpu, []).append(_peer_of(link, kind, by_bus))
    pairs = []
    for x, a in enumerate(devices):
        for b in devices[x + 1:]:
            pairs.append(_pair(a, b, peers))
    failed = [d.index for d in devices if d.failure is not None]
    detail = f"GPU(s) {', '.join(map(str, failed))} stopped answering" if failed else None
    return {"pairs": Reading.of(tuple(pairs), detail), "nvlinks": Reading.of(tuple(links), detail)}


def _links(d: Any) -> List[Tuple[NvLink, Reading]]:
    """Each NVLink of one GPU, with what is at its far end (nvmlDeviceGetNvLinkRemoteDeviceType)."""
    out: List[Tuple[NvLink, Reading]] = []
    speed = nvml_probe.pick(d.read("nvmlDeviceGetFieldValues", ((FI_NVLINK_SPEED_MBPS_COMMON,),), d.field_value),
                            lambda mbps: round(float(mbps) / 1000.0, 3))  # MB/s -> GB/s, per direction
    for link in range(MAX_LINKS):
        state = d.read("nvmlDeviceGetNvLinkState", (link,))
        if not state.ok:  # no NVLink at all (not_supported), or past the last link
            break
        active = bool(int(state.value))
        fields: Dict[str, Reading] = {"active": Reading.of(active)}
        kind: Reading = Reading()
        if active:
            fields["version"] = d.read("nvmlDeviceGetNvLinkVersion", (link,), int)
            fields["speed_gbps"] = speed
            fields["remote_bus_id"] = nvml_probe.pick(d.read("nvmlDeviceGetNvLinkRemotePciInfo", (link,)),
                                                      lambda p: _sysfs_bdf(_text(p.busId)))
            kind = d.read("nvmlDeviceGetNvLinkRemoteDeviceType", (link,), lambda t: REMOTE_TYPES.get(int(t), "unknown"))
        for name, counter in NVLINK_COUNTERS:  # counted on inactive links too: why it went down
            fields[name] = d.read("nvmlDeviceGetNvLinkErrorCounter", (link, counter), int)
        out.append((NvLink(gpu=d.index, link=link, **fields), kind))
    return out


def _peer_of(link: NvLink, kind: Reading, by_bus: Dict[str, int]) -> Optional[str]:
    """"gpu:<index>", "switch", or None (inactive, or a device envcheck cannot place)."""
    if not link.active.get(False):
        return None
    remote = link.remote_bus_id.get(None)
    if remote in by_bus and kind.get("unknown") in ("gpu", "unknown"):
        return f"gpu:{by_bus[remote]}"
    return "switch" if kind.get("") == "switch" else None


def _nvlink_count(a: int, b: int, peers: Dict[int, List[Optional[str]]]) -> int:
    pa, pb = peers.get(a, []), peers.get(b, [])
    direct = pa.count(f"gpu:{b}")
    if direct:
        return direct
    # Through NVSwitches every GPU reaches every other over all of its switch links
    # (nvidia-smi topo -m prints NV18 between any two H100 SXM on an HGX board).
    return min(pa.count("switch"), pb.count("switch"))


def _pair(a: Any, b: Any, peers: Dict[int, List[Optional[str]]]) -> GpuPair:
    if a.failure is not None or b.failure is not None:
        return GpuPair(a=a.index, b=b.index)  # unknown: one of them stopped answering
    ancestor = a.read("nvmlDeviceGetTopologyCommonAncestor", (b.handle,), lambda v: ANCESTOR_WORDS.get(int(v), str(v)))
    p2p = {name: a.read("nvmlDeviceGetP2PStatus", (b.handle, idx), lambda s: P2P_STATUS.get(int(s), "unknown"))
           for name, idx in P2P_CAPS}
    n = _nvlink_count(a.index, b.index, peers)
    path = Reading.of(f"NV{n}") if n else ancestor
    return GpuPair(a=a.index, b=b.index, path=path, nvlinks=Reading.of(n), **p2p)


# --------------------------------------------------------------------------- NUMA and CPUs
def format_cpulist(cpus: Iterable[int]) -> str:
    """``{0, 1, 2, 5}`` -> ``"0-2,5"`` (the kernel's cpulist format)."""
    ranges: List[str] = []
    for c in sorted(set(cpus)):
        if ranges and "-" in ranges[-1] and int(ranges[-1].split("-")[1]) == c - 1:
            ranges[-1] = f"{ranges[-1].split('-')[0]}-{c}"
        elif ranges and "-" not in ranges[-1] and int(ranges[-1]) == c - 1:
            ranges[-1] = f"{ranges[-1]}-{c}"
        else:
            ranges.append(str(c))
    return ",".join(ranges)


def _affinity(bus_ids: Dict[int, str], root: Path, devices: Sequence[Any]) -> Reading:
    if not bus_ids:
        return Reading.fail(Status.NOT_FOUND, "no GPU address known (NVML and the PCI bus gave none)")
    out = []
    by_index = {d.index: d for d in devices}
    for index, bdf in sorted(bus_ids.items()):
        base = f"/sys/bus/pci/devices/{bdf}"
        node = read_text(root, f"{base}/numa_node")
        cpus = read_text(root, f"{base}/local_cpulist")
        numa = _int(node)
        if not numa.ok and index in by_index:  # no sysfs (some containers): NVML knows it too
            numa = by_index[index].read("nvmlDeviceGetNumaNodeId", (), int)
        cpu_list = Reading.of(cpus.value.strip()) if cpus.ok else cpus
        out.append(GpuAffinity(gpu=index, numa_node=numa, cpu_list=cpu_list))
    detail = None if devices else "GPU numbers follow the PCI bus order (NVML unavailable)"
    return Reading.of(tuple(out), detail)


def _int(r: Reading) -> Reading:
    if not r.ok:
        return r
    try:
        return Reading.of(int(r.value.strip()))
    except ValueError:
        return Reading.fail(Status.ERROR, f"not a number: {r.value.strip()[:40]!r}")


def _process_cpus(cpus: Optional[Iterable[int]]) -> Reading:
    if cpus is None:
        try:
            cpus = os.sched_getaffinity(0)
        except (AttributeError, OSError) as exc:  # not Linux
            return Reading.fail(Status.NOT_SUPPORTED, f"sched_getaffinity: {exc}")
    return Reading.of(format_cpulist(cpus))


# --------------------------------------------------------------------------- IOMMU and ACS
def _iommu_groups(root: Path) -> Reading:
    try:
        return Reading.of(len(os.listdir(under(root, "/sys/kernel/iommu_groups"))))
    except FileNotFoundError:
        return Reading.of(0, "no /sys/kernel/iommu_groups")
    except OSError as exc:
        return Reading.fail(os_error_status(exc), f"/sys/kernel/iommu_groups: {exc.strerror or exc}")


def _iommu(bus_ids: Iterable[str], root: Path) -> Reading:
    """"off" (no IOMMU groups), "passthrough" (identity mapping) or "translated" (DMA
    remapping): from the GPU's group type (Linux 5.11+), else the kernel command line."""
    groups = _iommu_groups(root)
    if not groups.ok:
        return Reading.fail(groups.status, groups.detail)
    if groups.value == 0:
        return Reading.of("off", "the kernel has no IOMMU groups")
    for bdf in bus_ids:
        kind = read_text(root, f"/sys/bus/pci/devices/{bdf}/iommu_group/type")
        if kind.ok and kind.value.strip():
            word = kind.value.strip()
            value = "passthrough" if word == "identity" else "translated"
            return Reading.of(value, f"GPU {bdf}: IOMMU group type {word}")
    cmdline = read_text(root, "/proc/cmdline")
    if not cmdline.ok:
        return Reading.fail(cmdline.status, cmdline.detail)
    words = cmdline.value.split()
    if "iommu=pt" in words or "iommu.passthrough=1" in words:
        return Reading.of("passthrough", "iommu=pt on the kernel command line")
    return Reading.of("translated", f"{groups.value} IOMMU groups and no iommu=pt on the kernel command line")


def _bridges_above(bdf: str, root: Path) -> List[str]:
    """The PCI bridges between the root complex and a device: its sysfs path's parents."""
    try:
        real = under(root, f"/sys/bus/pci/devices/{bdf}").resolve(strict=True)
    except OSError:
        return []
    return [part for part in real.parts[:-1] if _BDF.match(part)]


def _acs(bus_ids: Iterable[str], root: Path) -> Reading:
    bridges: List[str] = []
    for bdf in bus_ids:
        bridges += [b for b in _bridges_above(bdf, root) if b not in bridges]
    redirect, unreadable = [], []
    for bridge in bridges:
        ctrl = _acs_control(root, bridge)
        if ctrl is None:
            unreadable.append(bridge)
        elif ctrl & ACS_REDIRECT_BITS:
            redirect.append(bridge)
    if unreadable and not redirect:
        return Reading.fail(Status.NO_PERMISSION, f"{len(unreadable)} bridge(s) above the GPUs: the PCIe extended "
                                                  "configuration space (where ACS is) needs root: sudo lspci -vvv")
    detail = f"{len(unreadable)} bridge(s) unreadable without root" if unreadable else None
    return Reading.of(tuple(redirect), detail)


def _acs_control(root: Path, bdf: str) -> Optional[int]:
    """The ACS control register of a bridge; 0 without ACS; None when the extended space
    cannot be read (only root reads past the first 64 bytes of sysfs ``config``)."""
    try:
        data = under(root, f"/sys/bus/pci/devices/{bdf}/config").read_bytes()[:CONFIG_SPACE_BYTES]
    except OSError:
        return None
    if len(data) <= EXT_CAP_START:
        return None
    offset, seen = EXT_CAP_START, set()
    while offset and offset not in seen and offset + 8 <= len(data):
        seen.add(offset)
        header = int.from_bytes(data[offset:offset + 4], "little")
        if header in (0, 0xFFFFFFFF):
            return 0
        if header & 0xFFFF == ACS_CAP_ID:
            return int.from_bytes(data[offset + ACS_CTRL_OFFSET:offset + ACS_CTRL_OFFSET + 2], "little")
        offset = (header >> 20) & 0xFFC
    return 0


# --------------------------------------------------------------------------- GPUDirect RDMA
def _peermem(root: Path) -> Reading:
    r = read_text(root, "/proc/modules")
    if not r.ok:
        return Reading.fail(r.status, r.detail)
    names = {line.split(" ", 1)[0] for line in r.value.splitlines() if line.strip()}
    return Reading.of(bool(names & {"nvidia_peermem", "nv_peer_mem"}))  # nv_peer_mem: Mellanox's older module


def _rdma(root: Path) -> Reading:
    try:
        return Reading.of(tuple(sorted(os.listdir(under(root, "/sys/class/infiniband")))))
    except FileNotFoundError:
        return Reading.of((), "no /sys/class/infiniband")
    except OSError as exc:
        return Reading.fail(os_error_status(exc), f"/sys/class/infiniband: {exc.strerror or exc}")
