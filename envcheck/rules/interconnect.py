"""Between GPUs: P2P blocked by ACS or the IOMMU, NVLinks down or erroring, GPUs without
P2P, GPUs far from their process's CPUs, NCCL variables forcing slower paths.

Every rule reads ``facts.interconnect`` (the topology probe) and ``facts.env``, and stays
silent when what it needs is unknown. :func:`route` and :func:`bandwidth_low` serve
``envcheck interconnect``: they judge measured bus bandwidth against the expectation
table (``knowledge/interconnect.py``), which no fact alone can do.
"""

from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from envcheck.facts import Facts, GpuPair, NvLink
from envcheck.knowledge import interconnect as table_mod
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding

PCIE_PATHS = ("board", "PIX", "PXB", "PHB", "NODE", "SYS", "SOC")
SWITCH_PATHS = ("board", "PIX", "PXB")  # peers under one PCIe switch (or one board)
# Measured busbw below this fraction of the expectation is reported. Published figures are
# reached by healthy systems at 1 GiB messages within ~20 % (nccl-tests#149, #212); derived
# ones are link arithmetic, so only a large shortfall means something. envcheck's choice.
WARN_FRACTION = {"published": 0.7, "derived": 0.5}

# NCCL variables that turn a transport off or force slower settings, and what that costs.
# https://docs.nvidia.com/deeplearning/nccl/user-guide/docs/env.html
_TRUE = ("1", "true", "yes", "y", "on")
NCCL_OVERRIDES: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "NCCL_P2P_DISABLE": (_TRUE, "turns off peer-to-peer (NVLink and PCIe): GPU traffic goes through host memory"),
    "NCCL_P2P_LEVEL": ((), "limits which GPU pairs may use peer-to-peer"),
    "NCCL_SHM_DISABLE": (_TRUE, "turns off shared memory between processes: traffic that cannot use P2P goes "
                                "over the network stack"),
    "NCCL_IB_DISABLE": (_TRUE, "turns off InfiniBand/RoCE: traffic between nodes falls back to TCP sockets"),
    "NCCL_NET": ((), "forces one network plugin"),
    "NCCL_NET_GDR_LEVEL": ((), "limits GPUDirect RDMA between NICs and GPUs"),
    "NCCL_NET_GDR_READ": (("0",), "turns off GPUDirect RDMA reads"),
    "NCCL_NVLS_ENABLE": (("0",), "turns off NVLink SHARP, which doubles all_reduce speed on NVSwitch systems"),
    "NCCL_ALGO": ((), "forces collective algorithms instead of NCCL's tuned choice"),
    "NCCL_PROTO": ((), "forces protocols instead of NCCL's tuned choice"),
    "NCCL_MAX_NCHANNELS": ((), "caps the channels (parallel rings) NCCL may use"),
    "NCCL_MAX_NRINGS": ((), "caps the channels (old name of NCCL_MAX_NCHANNELS)"),
    "NCCL_BUFFSIZE": ((), "changes the buffer size per channel"),
    "NCCL_IGNORE_CPU_AFFINITY": (_TRUE, "ignores the GPUs' CPU affinity (NUMA placement)"),
}


def _gpu_label(facts: Facts, index: int) -> str:
    g = next((g for g in facts.gpus if g.index == index), None)
    return f"GPU {index} ({g.name.value})" if g is not None and g.name.ok else f"GPU {index}"


def _pairs(facts: Facts) -> Tuple[GpuPair, ...]:
    return facts.interconnect.pairs.get(())


def _gpu_count(facts: Facts) -> int:
    ic = facts.interconnect
    return max(len(ic.affinity.get(())), len(facts.gpus), len(facts.pci.gpus),
               len({i for p in _pairs(facts) for i in (p.a, p.b)}))


def _over_pcie(p: GpuPair) -> Optional[bool]:
    if p.nvlinks.ok:
        return p.nvlinks.value == 0
    return p.path.value in PCIE_PATHS if p.path.ok else None


# --------------------------------------------------------------------------- P2P and the IOMMU
def p2p_blocked_by_iommu_acs(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    ic = f.interconnect
    vm = f.host.in_vm
    if vm.ok and vm.value not in (None, "none"):
        return  # a guest's IOMMU and bridges are the hypervisor's business (see the recipe)
    if _gpu_count(f) < 2:
        return
    pcie = [p for p in _pairs(f) if _over_pcie(p) is not False]
    if _pairs(f) and not pcie and not ic.rdma_devices.get(()):
        return  # every pair talks over NVLink and no NIC needs GPUDirect: PCIe P2P is not used
    bridges = ic.acs_redirect_bridges.get(())
    translated = ic.iommu.ok and ic.iommu.value == "translated"
    if not bridges and not translated:
        return
    refused = [p for p in pcie if p.p2p_read.ok and p.p2p_read.value != "ok"]
    what = []
    if bridges:
        what.append(f"ACS redirects peer-to-peer traffic on {len(bridges)} PCIe bridge(s) above the GPUs "
                    f"({', '.join(bridges[:4])}{' …' if len(bridges) > 4 else ''})")
    if translated:
        what.append("the IOMMU translates DMA (not off, not pass-through)")
    ev = evidence(("interconnect.acs_redirect_bridges", ic.acs_redirect_bridges), ("interconnect.iommu", ic.iommu),
                  ("interconnect.iommu_groups", ic.iommu_groups))
    ev += [(f"interconnect.pairs[{p.a},{p.b}].p2p_read", p.p2p_read.value) for p in refused[:4]]
    # The settings are read; that they hold P2P back is inferred until NVML refuses a pair's P2P.
    yield make("p2p_blocked_by_iommu_acs",
               "On this machine " + " and ".join(what) + ". GPU-to-GPU traffic over PCIe then goes up to the CPU's "
               "root complex or is refused: NCCL runs far below the link's bandwidth, or hangs in its first "
               "collective. NVIDIA's NCCL guide asks for ACS off between GPUs and the IOMMU off or in pass-through.",
               ev, confidence=None if refused else Confidence.LIKELY,
               links=("https://docs.nvidia.com/deeplearning/nccl/user-guide/docs/troubleshooting.html"
                      "#pci-access-control-services-acs",))


def p2p_unsupported_consumer_gpus(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    refused = [p for p in _pairs(f) if p.p2p_read.ok and p.p2p_read.value != "ok" and _over_pcie(p) is not False]
    if not refused:
        return
    reasons = sorted({p.p2p_read.value for p in refused})
    pairs = ", ".join(f"{p.a}-{p.b}" for p in refused[:8]) + (" …" if len(refused) > 8 else "")
    names = sorted({f.gpus[i].name.value for p in refused for i in (p.a, p.b)
                    if i < len(f.gpus) and f.gpus[i].name.ok})
    consumer = any("geforce" in n.lower() for n in names)
    why = {"gpu_not_supported": "the GPUs do not offer it" + (" (NVIDIA leaves P2P off on GeForce cards)"
                                                              if consumer else ""),
           "disabled_by_regkey": "the driver's registry key turns it off",
           "chipset_not_supported": "the chipset (root complex) does not support it",
           "topology_not_supported": "the PCIe topology between them does not allow it"}
    said = "; ".join(why.get(r, f"NVML says {r}") for r in reasons)
    ev = evidence(("interconnect.pairs", pairs), ("interconnect.pairs.p2p_read", ", ".join(reasons)))
    if names:
        ev.append(("nvml.gpus.name", ", ".join(names)))
    yield make("p2p_unsupported_consumer_gpus",
               f"GPU pairs {pairs} cannot reach each other directly: {said}. NCCL copies their traffic through "
               "host memory instead (its SHM transport): results are correct, bandwidth is what the CPU and its "
               "memory deliver. `envcheck interconnect` measures both paths.",
               ev)


# --------------------------------------------------------------------------- NVLink
def _links_by_gpu(facts: Facts) -> Dict[int, List[NvLink]]:
    out: Dict[int, List[NvLink]] = {}
    for link in facts.interconnect.nvlinks.get(()):
        out.setdefault(link.gpu, []).append(link)
    return out


def nvlink_link_down(ctx: RuleContext) -> Iterator[Finding]:
    by_gpu = _links_by_gpu(ctx.facts)
    any_up = any(link.active.get(False) for links in by_gpu.values() for link in links)
    for gpu, links in sorted(by_gpu.items()):
        down = [link.link for link in links if link.active.ok and link.active.value is False]
        up = [link.link for link in links if link.active.get(False)]
        # A GPU whose links are all inactive while no GPU has one up has no bridge fitted
        # (a PCIe card): nothing is down. Down is a link beside working ones, here or on a peer.
        if not down or not (up or any_up):
            continue
        yield make("nvlink_link_down",
                   f"{_gpu_label(ctx.facts, gpu)} has {len(down)} of its {len(links)} NVLinks inactive (link(s) "
                   f"{', '.join(map(str, down))}) while {'its other links' if up else 'other GPUs’ links'} are up. "
                   "Traffic over the missing links slows down or falls back to PCIe; on NVSwitch boards a GPU "
                   "with a link down can leave the NVLink fabric altogether.",
                   evidence((f"interconnect.nvlinks[gpu={gpu}].inactive", down),
                            (f"interconnect.nvlinks[gpu={gpu}].active", up or "(none)")),
                   {"gpu_index": gpu}, gpu=gpu)


def nvlink_errors(ctx: RuleContext) -> Iterator[Finding]:
    for gpu, links in sorted(_links_by_gpu(ctx.facts).items()):
        counted = []
        for link in links:
            parts = [f"{r.value} {name}" for name, r in (("CRC flit", link.crc_flit_errors),
                                                         ("CRC data", link.crc_data_errors),
                                                         ("replay", link.replay_errors),
                                                         ("recovery", link.recovery_errors)) if r.get(0) > 0]
            if parts:
                counted.append(f"link {link.link}: {', '.join(parts)}")
        if not counted:
            continue
        yield make("nvlink_errors",
                   f"{_gpu_label(ctx.facts, gpu)} counted NVLink errors since the driver loaded ({'; '.join(counted)}). "
                   "CRC and replay errors are retransmissions of damaged packets; recovery errors are the link "
                   "retraining. A few after a reset can be noise; counts that grow under load mean a marginal "
                   "link, bridge or baseboard.",
                   evidence((f"interconnect.nvlinks[gpu={gpu}]", counted)), {"gpu_index": gpu}, gpu=gpu)


# --------------------------------------------------------------------------- NUMA
def _cpus(text: str) -> Set[int]:
    out: Set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def numa_mismatch(facts: Facts, gpu: int, cpus: str, who: str = "this process") -> Optional[Finding]:
    """``gpu_numa_mismatch`` when ``cpus`` (where ``who`` may run) share none of the GPU's local CPUs."""
    a = next((a for a in facts.interconnect.affinity.get(()) if a.gpu == gpu), None)
    if a is None or not a.cpu_list.ok or not a.cpu_list.value or not cpus:
        return None
    local, mine = _cpus(a.cpu_list.value), _cpus(cpus)
    if not local or not mine or local & mine:
        return None
    node = a.numa_node.get(-1)
    return make("gpu_numa_mismatch",
                f"{_gpu_label(facts, gpu)} hangs off NUMA node {node} (CPUs {a.cpu_list.value}), but {who} may "
                f"only run on CPUs {cpus}, all on another node. Every host-to-device copy and every NCCL transfer "
                "through host memory crosses the socket link.",
                evidence((f"interconnect.affinity[{gpu}].cpu_list", a.cpu_list),
                         (f"interconnect.affinity[{gpu}].numa_node", a.numa_node), ("cpus", cpus)),
                {"gpu_index": gpu, "numa_node": node if node >= 0 else None, "gpu_cpus": a.cpu_list.value}, gpu=gpu)


def gpu_numa_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    ic = ctx.facts.interconnect
    if not ic.process_cpus.ok or not ic.process_cpus.value:
        return
    for a in ic.affinity.get(()):
        f = numa_mismatch(ctx.facts, a.gpu, ic.process_cpus.value)
        if f is not None:
            yield f


# --------------------------------------------------------------------------- NCCL's variables
def nccl_env_overrides(ctx: RuleContext) -> Iterator[Finding]:
    env = ctx.facts.env.variables
    if not env.ok:
        return
    hits = []
    for name, (values, what) in NCCL_OVERRIDES.items():
        value = env.value.get(name)
        if value is None or (values and value.strip().lower() not in values):
            continue
        hits.append((name, value, what))
    if not hits:
        return
    said = "; ".join(f"{n}={v} {w}" for n, v, w in hits)
    yield make("nccl_env_overrides",
               f"NCCL reads these variables and they override its own choices: {said}. They are often left "
               "from a workaround for an old problem (a hang, a driver bug) and make every multi-GPU job slower.",
               evidence(*((f"env.variables.{n}", v) for n, v, _ in hits)),
               {"nccl_vars": " ".join(n for n, _, _ in hits)})


RULES = (p2p_blocked_by_iommu_acs, nvlink_link_down, nvlink_errors, p2p_unsupported_consumer_gpus, gpu_numa_mismatch,
         nccl_env_overrides)


# --------------------------------------------------------------------------- measured bandwidth
def _bdf(bus_id: str) -> str:
    """NVML's ``00000000:18:00.0`` as sysfs (and the NVLink facts) spell it: ``0000:18:00.0``."""
    domain, _, rest = bus_id.strip().lower().partition(":")
    return f"{domain[-4:].rjust(4, '0')}:{rest}" if rest else bus_id.strip().lower()


def route(facts: Facts, gpus: Optional[Sequence[int]] = None, ranks: int = 0,
          table: Optional[table_mod.InterconnectTable] = None) -> Optional[table_mod.Route]:
    """The slowest hop between the GPUs ``gpus`` (NVML indices; default all) of one node."""
    table = table or table_mod.load()
    chosen = set(gpus) if gpus is not None else None
    pairs = [p for p in _pairs(facts) if chosen is None or (p.a in chosen and p.b in chosen)]
    if not pairs:
        return None
    members = sorted({i for p in pairs for i in (p.a, p.b)})
    ranks = ranks or len(members)
    nv = [p.nvlinks.value for p in pairs if p.nvlinks.ok]
    if len(nv) == len(pairs) and min(nv) > 0:
        caps = {g.compute_capability.value for g in facts.gpus if g.index in members and g.compute_capability.ok}
        gen = table.generation_for(next(iter(caps))) if len(caps) == 1 else None
        # A link whose far end is no GPU of this machine ends at an NVSwitch.
        gpu_buses = {_bdf(g.pci_bus_id.value) for g in facts.gpus if g.pci_bus_id.ok}
        switch = any(link.remote_bus_id.ok and link.remote_bus_id.value not in gpu_buses
                     for link in facts.interconnect.nvlinks.get(()) if link.gpu in members)
        return table_mod.Route("nvlink", ranks, gen.generation if gen else None, min(nv), switch)
    gens = [g.pcie_gen_max.value for g in facts.gpus if g.index in members and g.pcie_gen_max.ok]
    widths = [g.pcie_width_max.value for g in facts.gpus if g.index in members and g.pcie_width_max.ok]
    pcie = [p for p in pairs if not (p.nvlinks.ok and p.nvlinks.value > 0)]
    p2p = all(p.path.get("") in SWITCH_PATHS and p.p2p_read.get("") == "ok" for p in pcie)
    return table_mod.Route("pcie_p2p" if p2p else "pcie_host", ranks, pcie_gen=min(gens) if gens else None,
                           pcie_width=min(widths) if widths else None)


def bandwidth_low(peaks: Dict[str, float], rt: Optional[table_mod.Route],
                  table: Optional[table_mod.InterconnectTable] = None) -> Iterable[Finding]:
    """``collective_bandwidth_low`` for each collective whose peak busbw (GB/s) is too far
    below what ``rt`` delivers on a healthy system."""
    if rt is None:
        return []
    table = table or table_mod.load()
    out = []
    for collective, peak in peaks.items():
        exp = table_mod.expected_busbw(table, rt, collective)
        if exp is None or peak >= WARN_FRACTION[exp.basis] * exp.busbw_gb_s:
            continue
        out.append(make("collective_bandwidth_low",
                        f"{collective} reached {peak:.1f} GB/s bus bandwidth over {rt.describe()}, "
                        f"{100 * peak / exp.busbw_gb_s:.0f} % of the {exp.busbw_gb_s:g} GB/s a healthy system "
                        f"reaches ({exp.basis}: {exp.what}, {exp.date}). Look for ACS or IOMMU findings, NCCL "
                        "variables, links below their width or generation, and other jobs on these GPUs.",
                        evidence((f"measured.{collective}.peak_busbw_gb_s", round(peak, 2)),
                                 ("expected.busbw_gb_s", exp.busbw_gb_s), ("expected.source", exp.source)),
                        title=f"{collective}: bus bandwidth below the expected figure",
                        # A derived expectation is link arithmetic, not a measured healthy system.
                        confidence=Confidence.LIKELY if exp.basis == "derived" else None))
    return out
