"""NVML in a worker process with a deadline: a wedged driver whose
``nvmlInit`` never returns gives ``timeout`` facts instead of hanging envcheck, and
Ctrl-C stops it. The fakes sit at the import boundary: a ``pynvml`` module first on the
worker's path, or a ``libnvidia-ml.so.1`` that the real pynvml loads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from envcheck.facts import NvmlFacts
from envcheck.probes import ProbeOptions, collect, nvml, nvml_worker
from envcheck.reading import Status
from envcheck.rules.engine import run_rules
from envcheck.rules.unresponsive import RULES as UNRESPONSIVE
from tests.fakes.fake_pynvml import h100

from . import hung_nvml
from .hung_nvml import REPO, alive, worker_env

PROBE = nvml_worker.Job(nvml.probe, nvml.failed)


def test_the_worker_reads_what_the_process_itself_would(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "healthy")
    [facts] = nvml_worker.run_jobs([PROBE])
    assert isinstance(facts, NvmlFacts)
    assert facts == nvml.probe(h100(2))  # the same fake, in-process: every field survives the trip


def test_a_session_error_comes_back_as_the_same_facts(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "driver_not_loaded")
    [facts] = nvml_worker.run_jobs([PROBE])
    assert facts.init_error == "driver_not_loaded" and facts.init.status is Status.ERROR


def test_an_init_that_never_returns_is_a_timeout_and_the_worker_is_killed(monkeypatch, tmp_path):
    pidfile = worker_env(monkeypatch, tmp_path, "init_hangs")
    [facts] = nvml_worker.run_jobs([PROBE], timeout=3)
    assert facts.init.status is Status.TIMEOUT and facts.init_error == "unresponsive"
    assert facts.init.detail == "NVML did not answer within 3 s: nvmlInit never returned"
    assert facts.gpus.status is Status.TIMEOUT
    assert not alive(int(pidfile.read_text()))


def test_the_timeout_names_the_call_and_the_gpu_that_hung(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "gpu1_power_hangs")
    [facts] = nvml_worker.run_jobs([PROBE], timeout=3)
    assert facts.init.detail == "NVML did not answer within 3 s: nvmlDeviceGetPowerUsage on GPU 1 never returned"


def test_a_worker_that_crashes_is_an_error_with_the_signal(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "init_crashes")
    [facts] = nvml_worker.run_jobs([PROBE])
    assert facts.init.status is Status.ERROR and facts.init_error == "unknown"
    assert facts.init.detail.startswith("NVML worker killed by SIGABRT (nvmlInit never returned)")


def test_jobs_share_the_worker_and_a_hung_job_keeps_the_ones_before(monkeypatch, tmp_path):
    # How the multi-GPU probes (topology, P2P, NVLink) run: after nvml.probe, in the same worker.
    worker_env(monkeypatch, tmp_path, "healthy")
    seen = []
    jobs = [PROBE, nvml_worker.Job(hung_nvml.raises, lambda r: seen.append(r) or "failed"),
            nvml_worker.Job(hung_nvml.hang_after_call, lambda r: seen.append(r) or "timed out")]
    facts, bug, hung = nvml_worker.run_jobs(jobs, timeout=4)
    assert facts.init.ok and len(facts.gpus.value) == 2
    assert bug == "failed" and seen[0].detail == "NVML worker: RuntimeError: topology parser bug"
    assert hung == "timed out" and seen[1].status is Status.TIMEOUT
    assert seen[1].detail.endswith("still busy after nvmlSystemGetDriverVersion returned")


def test_a_module_handed_in_runs_in_process():
    fake = h100(1)
    [facts] = nvml_worker.run_jobs([PROBE], nvml_module=fake)
    assert facts.init.ok and fake.init_count == 1


def test_only_module_level_functions_can_be_jobs():
    with pytest.raises(ValueError, match="module-level"):
        nvml_worker.run_jobs([nvml_worker.Job(lambda nv: None, nvml.failed)])


def test_the_rule_says_nvml_does_not_answer(monkeypatch, tmp_path):
    worker_env(monkeypatch, tmp_path, "init_hangs")
    facts = collect(ProbeOptions(torch=False, nvml_timeout_s=2)).facts
    assert facts.nvml.init_error == "unresponsive"
    ev = run_rules(facts, UNRESPONSIVE, None)
    [finding] = ev.findings
    assert finding.id == "nvml_unresponsive" and finding.severity.value == "error"
    assert finding.recipe == "gpu_hardware_fault"
    assert any("nvmlInit never returned" in e.value for e in finding.evidence)


def _envcheck(args, env, **kw):
    return subprocess.Popen([sys.executable, "-m", "envcheck", *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_a_hung_libnvidia_ml_gives_a_snapshot_within_the_deadline(tmp_path):
    lib = hung_nvml.hung_library(tmp_path)
    if lib is None:
        pytest.skip("no C compiler to build the fake libnvidia-ml.so.1")
    pidfile = tmp_path / "lib.pid"
    env = dict(os.environ, LD_LIBRARY_PATH=str(lib), FAKE_NVML_PIDFILE=str(pidfile))
    proc = _envcheck(["snapshot", "--no-torch"], env)
    out, err = proc.communicate(timeout=120)  # before the worker, it never returned at all
    assert proc.returncode == 0, err
    nvml_facts = json.loads(out)["nvml"]
    assert nvml_facts["init"]["status"] == "timeout" and nvml_facts["init_error"] == "unresponsive"
    assert "nvmlInit never returned" in nvml_facts["init"]["detail"]
    assert not alive(int(pidfile.read_text()))


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_stops_a_doctor_waiting_on_a_hung_nvml(tmp_path, sig, code):
    pidfile = tmp_path / "hung.pid"
    env = dict(os.environ, FAKE_NVML_PIDFILE=str(pidfile),
               PYTHONPATH=os.pathsep.join([str(hung_nvml.pynvml_dir(tmp_path, "init_hangs")), str(REPO)]))
    proc = _envcheck(["doctor", "--no-torch"], env)
    for _ in range(600):  # until the worker is inside nvmlInit
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] in ("envcheck: interrupted", "envcheck: terminated")
    assert not alive(int(pidfile.read_text()))
