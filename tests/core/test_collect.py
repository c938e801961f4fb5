"""The probe orchestrator: every group filled, torch handled, a probe bug contained."""

import importlib.util
import json

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.probes import ProbeOptions, collect
from envcheck.reading import Status


def test_live_collect_without_torch_fills_every_group():
    c = collect(ProbeOptions(torch=False))
    f = c.facts
    assert c.failures == [] and f.source == "live" and f.collected_at
    assert f.host.kernel.ok and f.pci.devices.known and f.nvml.init.known and f.python.packages.ok
    assert f.torch.installed.status is Status.UNKNOWN and "--no-torch" in f.torch.installed.detail
    assert set(c.seconds) >= {"host", "pci", "driver", "nvml", "toolkit", "env", "python"}


@pytest.mark.torch
def test_live_collect_with_torch_reads_the_build():
    f = collect(ProbeOptions()).facts
    assert f.torch.installed.value is True and f.torch.version.ok


def test_a_python_without_torch_reads_not_installed(tmp_path):
    import subprocess
    import sys

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    f = collect(ProbeOptions(python=str(venv / "bin" / "python"))).facts
    assert f.python.env_kind.value == "venv"
    assert f.torch.installed.ok and f.torch.installed.value is False


def test_a_crashing_probe_is_an_envcheck_failure_not_a_traceback(monkeypatch):
    from envcheck.probes import pci

    def broken(root):
        raise RuntimeError("sysfs parser bug")

    monkeypatch.setattr(pci, "probe", broken)
    c = collect(ProbeOptions(torch=False))
    assert c.failures == ["probe pci: RuntimeError: sysfs parser bug"]
    assert c.facts.pci.devices.status is Status.UNKNOWN
    assert any("sysfs parser bug" in n for n in c.facts.notes)


def test_doctor_on_this_machine_exits_0_with_no_nvidia_gpu_found():
    """On a machine without a GPU the doctor exits 0 with the info finding."""
    if _machine_has_nvidia_gpu():
        pytest.skip("this machine has an NVIDIA GPU")
    r = CliRunner().invoke(cli, ["doctor", "--no-torch", "--json"])
    doc = json.loads(r.output)
    assert r.exit_code == 0, [f["id"] for f in doc["findings"]]
    assert "no_nvidia_gpu_found" in [f["id"] for f in doc["findings"]]
    assert all(f["severity"] != "error" for f in doc["findings"])


def _machine_has_nvidia_gpu() -> bool:
    from pathlib import Path

    for d in Path("/sys/bus/pci/devices").glob("*"):
        try:
            if (d / "vendor").read_text().strip() == "0x10de":
                return True
        except OSError:
            pass
    return importlib.util.find_spec("torch") is not None and _cuda()


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_nvml_is_read_before_the_torch_worker_starts(monkeypatch):
    # The worker's CUDA context would otherwise be listed among the GPU's processes and
    # counted as memory in use by "other processes".
    # (The NVML worker is a slow start: the torch probe must still wait for it.)
    import time

    from envcheck.facts import InterconnectFacts, NvmlFacts, TorchFacts
    from envcheck.probes import nvml_worker, torch_probe

    events = []

    def slow_nvml(jobs, **kw):
        time.sleep(0.5)
        events.append("nvml")
        return [NvmlFacts(), InterconnectFacts()]  # the worker's two jobs: nvml.probe, topology.probe

    monkeypatch.setattr(nvml_worker, "run_jobs", slow_nvml)
    monkeypatch.setattr(torch_probe, "probe", lambda python, run, timeout: events.append("torch") or TorchFacts())
    c = collect(ProbeOptions())
    assert c.failures == [] and events == ["nvml", "torch"]


def test_the_probes_run_at_the_same_time(monkeypatch):
    # The driver probe's modinfo and the toolkit probe's ldconfig each wait for the other:
    # one after the other, the barrier breaks. (benchmarks/hung_tools.py measures the wall
    # time with hung tools: the slowest deadline, not their sum.)
    import threading

    from envcheck.runner import RunResult
    from envcheck.runner import run as real_run

    barrier = threading.Barrier(2, timeout=20)
    met = []

    def run(argv, timeout=10.0, env=None, input=None):
        if argv[0] in ("modinfo", "ldconfig"):
            try:
                barrier.wait()
                met.append(argv[0])
            except threading.BrokenBarrierError:
                return RunResult(tuple(argv), Status.TIMEOUT, detail="alone")
            return RunResult(tuple(argv), Status.OK, 1, "", "")
        return real_run(argv, timeout=timeout, env=env, input=input)

    c = collect(ProbeOptions(torch=False), run=run)
    assert c.failures == [] and sorted(met) == ["ldconfig", "modinfo"]
