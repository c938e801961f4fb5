"""topology.probe on fake NVML answers and fake sysfs trees: pairs, P2P, NVLinks, NUMA,
IOMMU, ACS, RDMA — and every NVML failure level (field, device, session)."""

from __future__ import annotations

import pynvml as real  # noqa: TID251 - the real error classes, raised by the fake

from envcheck.probes import topology
from envcheck.reading import Reading, Status
from tests.fakes.fake_pynvml import FakeNvml
from tests.interconnect.fakes import (
    NODE,
    P2P_GPU_NOT_SUPPORTED,
    PHB,
    Link,
    TopologyNvml,
    bus,
    gpu_tree,
    hgx,
    host_files,
)
from tests.probes.fakefs import FakeRoot, call_unprivileged, shared_root


def machine(tmp_path, count=2, **gpu_kwargs) -> FakeRoot:
    fake = FakeRoot(tmp_path)
    host_files(fake)
    for i in range(count):
        gpu_tree(fake, i, **gpu_kwargs)
    return fake


def test_hgx_pairs_are_nv18_through_the_switches(tmp_path):
    fake = machine(tmp_path, count=4)
    facts = topology.probe(hgx(4), fake.path, process_cpus={0, 1, 2, 3})
    pairs = facts.pairs.value
    assert len(pairs) == 6 and {p.path.value for p in pairs} == {"NV18"}
    assert {p.nvlinks.value for p in pairs} == {18}
    assert {p.p2p_read.value for p in pairs} == {"ok"} and {p.p2p_nvlink.value for p in pairs} == {"ok"}
    links = facts.nvlinks.value
    assert len(links) == 4 * 18 and all(link.active.value for link in links)
    first = links[0]
    assert (first.gpu, first.link, first.version.value) == (0, 0, 4)
    assert first.speed_gbps.value == 25.781 and first.remote_bus_id.value == "0000:c0:00.0"
    assert first.replay_errors.value == 0 and first.crc_flit_errors.value == 0
    assert facts.process_cpus == Reading.of("0-3")


def test_bridged_pair_counts_direct_links_and_pcie_pair_keeps_the_ancestor(tmp_path):
    fake = machine(tmp_path, count=3)
    links = {0: [Link(remote_bus=bus(1), remote_type=0)] * 4, 1: [Link(remote_bus=bus(0), remote_type=0)] * 4}
    nv = TopologyNvml(3, links=links, ancestor={(0, 1): PHB, (0, 2): NODE, (1, 2): NODE})
    facts = topology.probe(nv, fake.path, process_cpus=[0])
    by = {(p.a, p.b): p for p in facts.pairs.value}
    assert by[(0, 1)].path.value == "NV4" and by[(0, 1)].nvlinks.value == 4
    assert by[(0, 2)].path.value == "NODE" and by[(0, 2)].nvlinks.value == 0
    assert [link.gpu for link in facts.nvlinks.value] == [0] * 4 + [1] * 4  # GPU 2: no NVLink, no entries


def test_consumer_cards_without_p2p_say_why(tmp_path):
    fake = machine(tmp_path, count=2)
    nv = TopologyNvml(2, ancestor={(0, 1): PHB}, p2p={(0, 1): P2P_GPU_NOT_SUPPORTED})
    (pair,) = topology.probe(nv, fake.path, process_cpus=[0]).pairs.value
    assert pair.path.value == "PHB" and pair.p2p_read.value == "gpu_not_supported"
    assert pair.p2p_write.value == "gpu_not_supported" and pair.p2p_atomics.value == "gpu_not_supported"


def test_inactive_link_and_a_counter_nvml_refuses(tmp_path):
    fake = machine(tmp_path, count=2)
    nv = hgx(2)
    nv._device["nvmlDeviceGetNvLinkState"][0].table[(5,)] = 0
    nv._device["nvmlDeviceGetNvLinkErrorCounter"][0].table.update({(5, 0): 7, (5, 1): 2,
                                                                    (5, 3): real.NVMLError_NoPermission()})
    facts = topology.probe(nv, fake.path, process_cpus=[0])
    down = [link for link in facts.nvlinks.value if link.gpu == 0 and link.link == 5][0]
    assert down.active == Reading.of(False) and not down.version.known and not down.remote_bus_id.known
    assert down.replay_errors.value == 7 and down.recovery_errors.value == 2
    assert down.crc_data_errors.status is Status.NO_PERMISSION
    (pair,) = facts.pairs.value
    assert pair.path.value == "NV17"  # GPU 0 reaches the switches over 17 links


def test_remote_device_type_missing_from_an_old_driver(tmp_path):
    fake = machine(tmp_path, count=2)
    links = {0: [Link(remote_bus=bus(1), remote_type=real.NVMLError_FunctionNotFound())] * 2,
             1: [Link(remote_bus=bus(0), remote_type=real.NVMLError_FunctionNotFound())] * 2}
    facts = topology.probe(TopologyNvml(2, links=links), fake.path, process_cpus=[0])
    assert facts.pairs.value[0].path.value == "NV2"  # the remote bus id is a GPU's


def test_lost_gpu_leaves_its_pairs_unknown_and_the_others_read(tmp_path):
    fake = machine(tmp_path, count=3)
    nv = hgx(3)
    nv.lost.add(1)
    facts = topology.probe(nv, fake.path, process_cpus=[0])
    by = {(p.a, p.b): p for p in facts.pairs.value}
    assert not by[(0, 1)].path.known and not by[(1, 2)].p2p_read.known
    assert by[(0, 2)].path.value == "NV18"
    assert "GPU(s) 1 stopped answering" in facts.pairs.detail
    assert {link.gpu for link in facts.nvlinks.value} == {0, 2}


def test_field_errors_on_pair_calls_degrade_one_value(tmp_path):
    fake = machine(tmp_path, count=2)
    nv = TopologyNvml(2, ancestor={(0, 1): real.NVMLError_NotSupported()},
                      p2p={(0, 1, 3): real.NVMLError_NoPermission()})
    (pair,) = topology.probe(nv, fake.path, process_cpus=[0]).pairs.value
    assert pair.path.status is Status.NOT_SUPPORTED and pair.p2p_read.value == "ok"
    assert pair.p2p_atomics.status is Status.NO_PERMISSION


def test_nvml_session_failure_keeps_the_sysfs_part(tmp_path):
    fake = machine(tmp_path, count=2, numa=1, cpus="16-31")
    facts = topology.probe(FakeNvml(init_error=real.NVMLError_DriverNotLoaded()), fake.path, process_cpus=[0])
    assert facts.pairs.status is Status.ERROR and "driver_not_loaded" in facts.pairs.detail
    assert facts.nvlinks.status is Status.ERROR
    aff = facts.affinity.value
    assert [(a.gpu, a.numa_node.value, a.cpu_list.value) for a in aff] == [(0, 1, "16-31"), (1, 1, "16-31")]
    assert "PCI bus order" in facts.affinity.detail


def test_numa_nodes_and_affinity_per_gpu(tmp_path):
    fake = FakeRoot(tmp_path)
    host_files(fake, numa_cpus="0-1")
    gpu_tree(fake, 0, numa=0, cpus="0-7")
    gpu_tree(fake, 1, numa=1, cpus="8-15", bridges=("0000:80:01.0",))
    facts = topology.probe(hgx(2), fake.path, process_cpus=range(8))
    assert [(a.numa_node.value, a.cpu_list.value) for a in facts.affinity.value] == [(0, "0-7"), (1, "8-15")]
    assert facts.process_cpus.value == "0-7"


def test_iommu_off_passthrough_translated(tmp_path):
    off = machine(tmp_path / "off", count=1)
    assert topology.probe(hgx(1), off.path, process_cpus=[0]).iommu.value == "off"
    ident = FakeRoot(tmp_path / "pt")
    host_files(ident)
    gpu_tree(ident, 0, group="identity")
    facts = topology.probe(hgx(1), ident.path, process_cpus=[0])
    assert facts.iommu.value == "passthrough" and facts.iommu_groups.value == 1
    dma = FakeRoot(tmp_path / "dma")
    host_files(dma)
    gpu_tree(dma, 0, group="DMA-FQ")
    assert topology.probe(hgx(1), dma.path, process_cpus=[0]).iommu.value == "translated"


def test_iommu_from_the_command_line_when_the_group_type_is_absent(tmp_path):
    fake = FakeRoot(tmp_path)
    host_files(fake, cmdline="ro intel_iommu=on iommu=pt")
    gpu_tree(fake, 0)
    fake.mkdir("/sys/kernel/iommu_groups/3")
    facts = topology.probe(hgx(1), fake.path, process_cpus=[0])
    assert facts.iommu == Reading.of("passthrough", "iommu=pt on the kernel command line")
    (fake / "/proc/cmdline").write_text("ro intel_iommu=on\n")
    assert topology.probe(hgx(1), fake.path, process_cpus=[0]).iommu.value == "translated"


def test_acs_redirect_found_on_the_bridges_above_the_gpus(tmp_path):
    fake = FakeRoot(tmp_path)
    host_files(fake)
    gpu_tree(fake, 0, bridges=("0000:00:01.0", "0000:01:00.0", "0000:02:08.0"), acs=0x1D)
    gpu_tree(fake, 1, bridges=("0000:00:01.0", "0000:01:00.0", "0000:02:10.0"), acs=0x1D)
    facts = topology.probe(hgx(2), fake.path, process_cpus=[0])
    assert facts.acs_redirect_bridges.value == ("0000:00:01.0", "0000:01:00.0", "0000:02:08.0", "0000:02:10.0")


def test_acs_off_or_absent_is_an_empty_list(tmp_path):
    fake = machine(tmp_path, count=2, acs=0x0)
    assert topology.probe(hgx(2), fake.path, process_cpus=[0]).acs_redirect_bridges == Reading.of(())
    bare = machine(tmp_path / "bare", count=1, acs=None)
    assert topology.probe(hgx(1), bare.path, process_cpus=[0]).acs_redirect_bridges == Reading.of(())


def test_acs_unreadable_without_root_says_so(tmp_path):
    # The kernel hands an ordinary user only the first 64 bytes of a device's config space.
    fake = machine(tmp_path, count=2, acs=0x1D, config_length=64)
    acs = topology.probe(hgx(2), fake.path, process_cpus=[0]).acs_redirect_bridges
    assert acs.status is Status.NO_PERMISSION and "sudo lspci -vvv" in acs.detail


def test_acs_config_file_closed_to_this_user():
    with shared_root() as fake:
        host_files(fake)
        gpu_tree(fake, 0, acs=0x1D)
        (fake / "/sys/devices/pci0000:00/0000:00:01.0/config").chmod(0o000)
        # The fake NVML reads its fixture from the checkout, which the unprivileged child may not
        # be able to reach (a clone under a 0700 mktemp directory): build it here.
        nv = hgx(1)
        acs = call_unprivileged(lambda: topology.probe(nv, fake.path, process_cpus=[0]).acs_redirect_bridges)
    assert acs.status is Status.NO_PERMISSION


def test_peermem_and_rdma_devices(tmp_path):
    fake = FakeRoot(tmp_path)
    host_files(fake, modules=("nvidia", "nvidia_peermem", "mlx5_ib"), infiniband=("mlx5_1", "mlx5_0"))
    gpu_tree(fake, 0)
    facts = topology.probe(hgx(1), fake.path, process_cpus=[0])
    assert facts.peermem_loaded == Reading.of(True) and facts.rdma_devices.value == ("mlx5_0", "mlx5_1")
    bare = machine(tmp_path / "bare", count=1)
    facts = topology.probe(hgx(1), bare.path, process_cpus=[0])
    assert facts.peermem_loaded == Reading.of(False) and facts.rdma_devices.value == ()


def test_missing_proc_and_sys_are_statuses_not_exceptions(tmp_path):
    facts = topology.probe(hgx(2), FakeRoot(tmp_path).path, process_cpus=[0])
    assert facts.peermem_loaded.status is Status.NOT_FOUND
    assert facts.iommu.value == "off" and facts.rdma_devices.value == ()
    assert [a.numa_node.status for a in facts.affinity.value] == [Status.NOT_SUPPORTED, Status.NOT_SUPPORTED]
    assert facts.pairs.ok  # NVML still answered


def test_cpulist_format():
    assert topology.format_cpulist([5, 0, 1, 2, 7, 8]) == "0-2,5,7-8"
    assert topology.format_cpulist([3]) == "3" and topology.format_cpulist([]) == ""


def test_nvml_calls_stay_inside_one_session(tmp_path):
    nv = hgx(2)
    topology.probe(nv, machine(tmp_path).path, process_cpus=[0])
    assert nv.init_count == nv.shutdown_count == 1 and nv.calls_outside_session == 0
