"""The interconnect rules on scenario facts, the expectation table, and the measured-bandwidth judgement."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.errors import SetupError
from envcheck.facts import Facts, GpuAffinity, GpuPair, InterconnectFacts, NvLink
from envcheck.knowledge import interconnect as table_mod
from envcheck.rules import Severity, evaluate
from envcheck.rules import interconnect as ic
from tests.builders import env, fail, gpu, healthy_host, healthy_machine, machine, ok
from tests.rules import fix, fix_text, one, run

RULES = list(ic.RULES)


def pair(a, b, path="NV18", nvlinks=None, p2p="ok"):
    n = nvlinks if nvlinks is not None else (int(path[2:]) if path.startswith("NV") else 0)
    return GpuPair(a, b, ok(path), ok(n), ok(p2p), ok(p2p), ok("ok" if n else "not_supported"), ok(p2p))


def link(g, i, active=True, remote="0000:c0:00.0", **counters):
    base = {"replay_errors": 0, "recovery_errors": 0, "crc_flit_errors": 0, "crc_data_errors": 0}
    base.update(counters)
    return NvLink(g, i, ok(active), ok(4) if active else fail("unknown"), ok(25.781) if active else fail("unknown"),
                  ok(remote) if active else fail("unknown"), **{k: ok(v) for k, v in base.items()})


def box(gpus=2, pairs=None, links=(), name="NVIDIA H100 80GB HBM3", cc="9.0", host=None, environment=None, **ic_fields):
    g = [gpu(name, cc, index=i, pci_bus_id=f"00000000:{0x18 + i:02X}:00.0") for i in range(gpus)]
    if pairs is None:
        pairs = [pair(a, b) for a in range(gpus) for b in range(a + 1, gpus)]
    inter = InterconnectFacts(pairs=ok(tuple(pairs)), nvlinks=ok(tuple(links)), **ic_fields)
    return healthy_machine(nvml=machine(gpus=g).nvml, interconnect=inter, host=host or healthy_host(),
                           env=environment or env())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_silent_on_unknown_facts_and_a_healthy_hgx(rule):
    assert run(rule, Facts()) == []
    assert run(rule, healthy_machine()) == []
    healthy = box(4, links=[link(g, i) for g in range(4) for i in range(18)], iommu=ok("off"),
                  acs_redirect_bridges=ok(()), process_cpus=ok("0-63"),
                  affinity=ok(tuple(GpuAffinity(i, ok(0), ok("0-31")) for i in range(4))))
    assert run(rule, healthy) == []


def test_the_registry_runs_them():
    names = {r.__name__ for r in RULES}
    from envcheck.rules.registry import RULES as ALL

    assert names <= {r.__name__ for r in ALL}


# --------------------------------------------------------------------------- ACS and IOMMU
def test_acs_redirect_between_pcie_gpus_is_an_error():
    facts = box(2, pairs=[pair(0, 1, "PXB")], acs_redirect_bridges=ok(("0000:02:08.0", "0000:02:10.0")),
                iommu=ok("off"))
    f = one(ic.p2p_blocked_by_iommu_acs, facts)
    assert f.severity is Severity.ERROR and f.recipe == "p2p_iommu_acs"
    assert "0000:02:08.0" in f.explanation and "ACSCtl" in fix_text(f, facts)


def test_translating_iommu_is_an_error_too():
    facts = box(2, pairs=[pair(0, 1, "SYS", p2p="chipset_not_supported")], iommu=ok("translated", "DMA-FQ"),
                acs_redirect_bridges=fail("no_permission", "needs root"))
    f = one(ic.p2p_blocked_by_iommu_acs, facts)
    assert "translates DMA" in f.explanation
    assert any(e.fact == "interconnect.pairs[0,1].p2p_read" for e in f.evidence)


def test_acs_does_not_matter_when_every_pair_is_nvlink_and_no_nic():
    facts = box(2, acs_redirect_bridges=ok(("0000:00:01.0",)), iommu=ok("translated"), rdma_devices=ok(()))
    assert run(ic.p2p_blocked_by_iommu_acs, facts) == []
    with_nic = dataclasses.replace(facts, interconnect=dataclasses.replace(facts.interconnect,
                                                                           rdma_devices=ok(("mlx5_0",))))
    assert one(ic.p2p_blocked_by_iommu_acs, with_nic).id == "p2p_blocked_by_iommu_acs"


def test_acs_is_the_hypervisors_business_in_a_vm_and_needs_two_gpus():
    facts = box(2, pairs=[pair(0, 1, "PHB")], iommu=ok("translated"), host=healthy_host(in_vm="kvm"))
    assert run(ic.p2p_blocked_by_iommu_acs, facts) == []
    single = box(1, pairs=[], iommu=ok("translated"))
    assert run(ic.p2p_blocked_by_iommu_acs, single) == []


def test_consumer_cards_without_p2p_are_informational():
    facts = box(2, pairs=[pair(0, 1, "PHB", p2p="gpu_not_supported")], name="NVIDIA GeForce RTX 4090", cc="8.9")
    f = one(ic.p2p_unsupported_consumer_gpus, facts)
    assert f.severity is Severity.INFO and "GeForce" in f.explanation and "SHM" in f.explanation
    assert f.recipe == "nccl_triage"


# --------------------------------------------------------------------------- NVLink
def test_link_down_beside_working_links():
    links = [link(0, i) for i in range(18)] + [link(1, i, active=(i != 7)) for i in range(18)]
    f = one(ic.nvlink_link_down, box(2, links=links))
    assert f.gpu == 1 and "1 of its 18" in f.explanation and "link(s) 7" in f.explanation
    assert f.severity is Severity.ERROR and f.recipe == "nvlink_check"


def test_link_findings_fill_the_nvlink_recipe_for_their_gpu():
    links = [link(0, 0), link(0, 1, replay_errors=12), link(1, 0, active=False), link(1, 1)]
    facts = box(2, links=links)
    down, errors = one(ic.nvlink_link_down, facts), one(ic.nvlink_errors, facts)
    assert {"nvidia-smi nvlink -s -i 1", "nvidia-smi nvlink -e -i 1"} <= set(fix(down, facts))
    assert "nvidia-smi nvlink -e -i 0" in fix(errors, facts) and "nvidia-smi nvlink -s -i 1" not in fix(errors, facts)


def test_all_links_down_on_one_gpu_while_others_are_up():
    links = [link(0, i) for i in range(4)] + [link(1, i, active=False) for i in range(4)]
    f = one(ic.nvlink_link_down, box(2, links=links))
    assert f.gpu == 1 and "other GPUs" in f.explanation


def test_no_bridge_fitted_is_not_a_link_down():
    links = [link(g, i, active=False) for g in range(2) for i in range(4)]
    assert run(ic.nvlink_link_down, box(2, pairs=[pair(0, 1, "PHB")], links=links)) == []


def test_nvlink_error_counters_per_gpu():
    links = [link(0, 0), link(0, 1, replay_errors=12, crc_flit_errors=3), link(1, 0, recovery_errors=1)]
    found = run(ic.nvlink_errors, box(2, links=links))
    assert [f.gpu for f in found] == [0, 1] and all(f.severity is Severity.WARNING for f in found)
    assert "link 1: 3 CRC flit, 12 replay" in found[0].explanation


# --------------------------------------------------------------------------- NUMA
def test_gpu_far_from_the_process_cpus():
    aff = (GpuAffinity(0, ok(0), ok("0-15,32-47")), GpuAffinity(1, ok(1), ok("16-31,48-63")))
    facts = box(2, affinity=ok(aff), process_cpus=ok("0-7"))
    f = one(ic.gpu_numa_mismatch, facts)
    assert f.gpu == 1 and "numactl --cpunodebind=1 --membind=1" in fix_text(f, facts) and f.recipe == "numa_binding"


def test_unpinned_process_and_unknown_numa_are_silent():
    aff = (GpuAffinity(0, ok(0), ok("0-15")), GpuAffinity(1, ok(1), ok("16-31")))
    assert run(ic.gpu_numa_mismatch, box(2, affinity=ok(aff), process_cpus=ok("0-31"))) == []
    unknown = (GpuAffinity(0, ok(-1), fail("not_found")),)
    assert run(ic.gpu_numa_mismatch, box(1, pairs=[], affinity=ok(unknown), process_cpus=ok("0"))) == []


# --------------------------------------------------------------------------- NCCL variables
def test_nccl_overrides_named_with_what_they_cost():
    facts = box(2, environment=env(NCCL_P2P_DISABLE="1", NCCL_IB_DISABLE="0", NCCL_DEBUG="INFO", NCCL_ALGO="Ring"))
    f = one(ic.nccl_env_overrides, facts)
    assert "NCCL_P2P_DISABLE=1" in f.explanation and "NCCL_ALGO=Ring" in f.explanation
    assert "NCCL_IB_DISABLE" not in f.explanation and "NCCL_DEBUG" not in f.explanation
    assert "unset NCCL_P2P_DISABLE NCCL_ALGO" in fix(f, facts) and f.recipe == "nccl_env_cleanup"


def test_findings_flow_through_the_engine():
    facts = box(2, pairs=[pair(0, 1, "PXB")], acs_redirect_bridges=ok(("0000:02:08.0",)), iommu=ok("off"),
                environment=env(NCCL_SHM_DISABLE="1"))
    ids = {f.id for f in evaluate(facts).findings}
    assert {"p2p_blocked_by_iommu_acs", "nccl_env_overrides"} <= ids


# --------------------------------------------------------------------------- route and expectation
def test_route_of_an_hgx_is_nvlink_4_through_switches():
    facts = box(8, links=[link(g, i) for g in range(8) for i in range(18)])
    rt = ic.route(facts)
    assert (rt.kind, rt.nvlink_generation, rt.links, rt.switch, rt.ranks) == ("nvlink", 4, 18, True, 8)
    exp = table_mod.expected_busbw(table_mod.load(), rt, "all_reduce")
    assert exp.busbw_gb_s == 480.0 and exp.basis == "published"
    assert table_mod.expected_busbw(table_mod.load(), rt, "all_gather").busbw_gb_s == 370.0


def test_route_of_a_bridged_pair_is_direct_and_derived():
    facts = box(2, pairs=[pair(0, 1, "NV4")], links=[link(0, i, remote="0000:19:00.0") for i in range(4)],
                name="NVIDIA A100 80GB PCIe", cc="8.0")
    rt = ic.route(facts)
    assert (rt.kind, rt.switch, rt.links, rt.nvlink_generation) == ("nvlink", False, 4, 3)
    exp = table_mod.expected_busbw(table_mod.load(), rt, "all_reduce")
    assert exp.basis == "derived" and exp.busbw_gb_s == 80.0


def test_route_over_pcie_switch_or_host():
    under_switch = box(2, pairs=[pair(0, 1, "PIX")])
    assert ic.route(under_switch).kind == "pcie_p2p"
    via_host = box(4, pairs=[pair(a, b, "SYS", p2p="gpu_not_supported") for a in range(4) for b in range(a + 1, 4)])
    rt = ic.route(via_host, gpus=[0, 1])
    assert (rt.kind, rt.pcie_gen, rt.pcie_width, rt.ranks) == ("pcie_host", 5, 16, 2)
    assert ic.route(Facts()) is None


def test_bandwidth_low_against_published_and_derived_figures():
    rt = table_mod.Route("nvlink", 8, 4, 18, True)
    low = list(ic.bandwidth_low({"all_reduce": 250.0, "all_gather": 360.0}, rt))
    assert [f.id for f in low] == ["collective_bandwidth_low"]
    assert "all_reduce reached 250.0 GB/s" in low[0].explanation and "52 %" in low[0].explanation
    host = table_mod.Route("pcie_host", 2, pcie_gen=4, pcie_width=16)  # expect 12.6 GB/s, warn below half
    assert list(ic.bandwidth_low({"all_reduce": 7.0}, host)) == []
    assert len(list(ic.bandwidth_low({"all_reduce": 5.0}, host))) == 1
    assert list(ic.bandwidth_low({"all_reduce": 1.0}, None)) == []


# --------------------------------------------------------------------------- the table itself
def test_every_row_has_a_source_and_date():
    t = table_mod.load()
    assert t.checked and t.sources["table"].endswith("PERFORMANCE.md")
    assert all(s.source.startswith("https://") and s.date for s in t.systems)
    assert all(g.source.startswith("https://") and g.date for g in t.nvlink)
    assert table_mod.pcie_practical_gb_s(t, 4, 16) == 25.21 and table_mod.pcie_practical_gb_s(t, None, 16) is None


def test_a_broken_table_is_one_clear_line():
    with pytest.raises(SetupError, match="'checked' missing"):
        table_mod.parse({"source": "x"})
    good = {"source": "s", "checked": "d", "nvlink_efficiency": 0.8, "nvlink_efficiency_source": "u",
            "pcie_practical_fraction": 0.8, "pcie_practical_source": "u", "pcie_p2p_fraction": 0.8,
            "pcie_host_fraction": 0.4, "pcie_host_source": "u", "network": {"efficiency": 0.96, "source": "u",
                                                                              "date": "d"},
            "nvlink": [{"generation": 4, "line_rate_gb_s": 25, "source": "u", "date": "d"}],
            "system": [{"name": "n", "generation": 4, "links": 18, "fabric": "switch", "gpus": 8,
                        "busbw_gb_s": 370, "all_reduce_busbw_gb_s": "fast", "source": "u", "date": "d"}],
            "pcie": [{"generation": 4, "lane_gb_s": 1.97}]}
    with pytest.raises(SetupError, match=r"\[\[system\]\] n: 'all_reduce_busbw_gb_s' missing or not a float"):
        table_mod.parse(good)
