"""The topology probe in the live doctor: a job of the NVML worker after ``nvml.probe``, so
``Facts.interconnect`` is filled on a live machine and in snapshots, and a topology read
that hangs costs the deadline, keeps the GPU facts and says ``timeout`` on its own part.
The fakes sit at the import boundary (a ``pynvml`` first on the worker's path) and the
sysfs tree is a fake root."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from envcheck.probes import ProbeOptions, collect, topology
from envcheck.reading import Reading, Status
from tests.interconnect.fakes import gpu_tree, hgx, host_files
from tests.probes.fakefs import FakeRoot

from .hung_nvml import REPO, alive, worker_env


def two_gpus(tmp_path) -> FakeRoot:
    fake = FakeRoot(tmp_path / "root")
    host_files(fake)
    for i in range(2):
        gpu_tree(fake, i, numa=i, cpus="0-15" if i == 0 else "16-31")
    return fake


def cpus():
    return sorted(os.sched_getaffinity(0))


def test_collect_reads_the_topology_in_the_worker_as_the_probe_would_in_process(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "hgx")
    fake = two_gpus(tmp_path)
    c = collect(ProbeOptions(torch=False, root=fake.path))
    facts = c.facts
    assert c.failures == [] and facts.nvml.init.ok and len(facts.gpus) == 2
    # Every field survives the trip through the worker's JSON.
    assert facts.interconnect == topology.probe(hgx(2), fake.path, process_cpus=cpus())
    (pair,) = facts.interconnect.pairs.value
    assert pair.path.value == "NV18" and pair.p2p_read.value == "ok"
    assert [a.numa_node.value for a in facts.interconnect.affinity.value] == [0, 1]


def test_a_module_handed_in_runs_both_jobs_in_process_inside_sessions(tmp_path):
    fake = two_gpus(tmp_path)
    nv = hgx(2)
    facts = collect(ProbeOptions(torch=False, root=fake.path), nvml_module=nv).facts
    assert facts.interconnect.pairs.ok and len(facts.interconnect.nvlinks.value) == 2 * 18
    assert nv.init_count == nv.shutdown_count == 2 and nv.calls_outside_session == 0


def test_a_topology_read_that_hangs_keeps_the_gpus_and_says_timeout(monkeypatch, tmp_path):
    pidfile = worker_env(monkeypatch, tmp_path, "p2p_hangs")
    fake = two_gpus(tmp_path)
    facts = collect(ProbeOptions(torch=False, root=fake.path, nvml_timeout_s=3)).facts
    assert facts.nvml.init.ok and len(facts.gpus) == 2  # the first job's record came back
    inter = facts.interconnect
    why = "NVML did not answer within 3 s: nvmlDeviceGetP2PStatus on GPU 0 never returned"
    assert inter.pairs == Reading.fail(Status.TIMEOUT, why) and inter.nvlinks == inter.pairs
    # The sysfs part is read in envcheck's own process: NUMA, IOMMU, RDMA are still known.
    assert [(a.gpu, a.numa_node.value, a.cpu_list.value) for a in inter.affinity.value] == [
        (0, 0, "0-15"), (1, 1, "16-31")]
    assert inter.affinity.detail == "GPU numbers follow the PCI bus order (NVML unavailable)"
    assert inter.iommu.value == "off" and inter.peermem_loaded == Reading.of(False)
    assert inter.process_cpus == Reading.of(topology.format_cpulist(cpus()))
    assert not alive(int(pidfile.read_text()))


def test_the_worker_failing_outright_is_an_error_on_the_nvml_part(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "init_crashes")
    facts = collect(ProbeOptions(torch=False, root=two_gpus(tmp_path).path)).facts
    assert facts.interconnect.pairs.status is Status.ERROR
    assert facts.interconnect.pairs.detail.startswith("NVML worker killed by SIGABRT")
    assert facts.interconnect.affinity.ok


def test_a_snapshot_carries_the_topology(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(_fake_dir(tmp_path)), str(REPO)]))
    r = subprocess.run([sys.executable, "-m", "envcheck", "snapshot", "--no-torch"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    inter = json.loads(r.stdout)["interconnect"]
    assert inter["pairs"]["status"] == "ok" and [p["path"]["value"] for p in inter["pairs"]["value"]] == ["NV18"]
    assert inter["nvlinks"]["status"] == "ok" and inter["process_cpus"]["status"] == "ok"


def _fake_dir(tmp_path):
    from .hung_nvml import pynvml_dir

    return pynvml_dir(tmp_path, "hgx")


def test_the_interconnect_command_reads_its_node_the_same_way(tmp_path):
    from envcheck.interconnect.nodefacts import node_facts

    fake = two_gpus(tmp_path)
    facts = node_facts({"NCCL_P2P_DISABLE": "1"}, fake.path, hgx(2))
    assert len(facts.gpus) == 2 and facts.interconnect == topology.probe(hgx(2), fake.path, process_cpus=cpus())
    assert facts.env.variables.value.get("NCCL_P2P_DISABLE") == "1"
