"""``burn --device all`` on two GPUs: the cross-GPU all-reduce phase under the burn's own
orchestration. The GPUs are fakes (torch-free workers and a scripted telemetry source, as in
test_orchestrate.py); the phase is real — two processes all-reducing over gloo on the CPU,
each result checked — so the start order, the live line, the report, the verdict and the
exit code are the burn's own."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from envcheck.burn import deps as burn_deps
from envcheck.burn import report, text
from envcheck.burn.deps import Deps
from envcheck.burn.options import BurnOptions
from envcheck.burn.session import burn
from envcheck.burn.status import status_lines
from envcheck.cli import cli
from envcheck.interconnect.burn_phase import AllReducePhase, PhaseConfig
from envcheck.reading import Reading
from envcheck.telemetry.match import CudaDevice

from . import fakes
from .fakes import ScriptedSource
from .test_orchestrate import _infos
from .test_session import _facts

pytestmark = pytest.mark.torch
GPUS = ("cuda:0", "cuda:1")


class GlooPhase(AllReducePhase):
    """The real phase on two CPU processes (gloo) standing in for two GPUs; notes when it
    was first ready, to check the burn's GEMMs started after its buffers existed."""

    ready_at = None

    def ready(self) -> bool:
        done = super().ready()
        if done and self.ready_at is None:
            self.ready_at = time.monotonic()
        return done


def gloo_phase(made, **kwargs):
    def make(devices, duration_s):
        assert tuple(devices) == GPUS and duration_s == 180.0 + 4.0  # set-up time + the burn: it runs until stopped
        made.append(GlooPhase(PhaseConfig(("cpu", "cpu"), duration_s, size_bytes=64 << 10, **kwargs)))
        return made[-1]
    return make


def deps(made, **kwargs):
    return Deps(worker_target=fakes.fake_worker, gpu_telemetry=lambda infos: ScriptedSource(list(GPUS)),
                xid_text=lambda x: f"Xid {x}", allreduce_phase=gloo_phase(made, **kwargs))


def test_the_links_are_loaded_while_the_gemms_run_and_the_report_shows_it(tmp_path):
    out = tmp_path / "r.json"
    options = BurnOptions(duration_s=4.0, devices=GPUS, report_path=str(out), telemetry_interval_s=0.25,
                          report_interval_s=0.5)
    made, lines = [], []
    outcome = burn(options, _infos(), deps(made), on_tick=lambda run: lines.append(status_lines(run)[-1]))
    doc = json.loads(out.read_text())
    assert doc == json.loads(json.dumps(outcome.document)) and report.validate(doc) == []
    ar = doc["allreduce"]
    assert ar["verdict"] == "pass" and ar["reasons"] == [] and ar["wrong"] == 0 and not ar["hung"]
    assert ar["iterations"] >= 3 and ar["busbw_gb_s"] > 0 and ar["backend"] == "gloo"
    assert doc["status"] == "pass" and outcome.exit_code == 0
    # Started first; the GEMMs went only once its buffers existed.
    run = outcome.run
    assert made[0].ready_at is not None and made[0].ready_at <= run.sampler.t0 + run.go_s + 1e-3  # go_s: ms
    assert all(not p.is_alive() for p in made[0].procs)
    assert any(line.startswith("all-reduce  ") and " runs  busbw " in line for line in lines)
    rendered = text.render(doc)
    assert "all-reduce across cpu, cpu  PASS" in rendered and " 0 wrong element(s)" in rendered


def test_a_wrong_all_reduce_fails_the_burn_while_every_gpu_passes(tmp_path):
    options = BurnOptions(duration_s=4.0, devices=GPUS, telemetry_interval_s=0.25, report_interval_s=0.5)
    outcome = burn(options, _infos(), deps([], inject=("wrong", 1)))
    doc = outcome.document
    assert [d["verdict"] for d in doc["devices"]] == ["pass", "pass"]
    ar = doc["allreduce"]
    assert ar["verdict"] == "fail" and ar["wrong"] == 1
    assert [(r["level"], r["code"]) for r in ar["reasons"]] == [("fail", "allreduce_wrong")]
    assert doc["status"] == "fail" and outcome.exit_code == 1 and report.validate(doc) == []
    assert "FAIL  cross-GPU all-reduce returned 1 wrong element(s)" in text.render(doc)


def test_one_gpu_or_the_cpu_has_no_phase():
    assert burn_deps.allreduce_phase(("cuda:0",), 60.0) is None
    assert burn_deps.allreduce_phase(("cpu",), 60.0) is None
    assert burn_deps.allreduce_phase(GPUS, 60.0).cfg.devices == GPUS


def test_through_the_cli_json_and_text(monkeypatch):
    cudas = [CudaDevice(i, "NVIDIA H100 80GB HBM3", f"GPU-{i}", (0, 0x18 + i, 0), 80 << 30) for i in (0, 1)]
    nvml = [_facts(i, f"GPU-{i}", f"00000000:{0x18 + i:02X}:00.0", temp_max_operating_c=Reading.of(90),
                   power_limit_w=Reading.of(350.0)) for i in (0, 1)]
    made: list = []

    def fake_deps():
        d = deps(made, inject=("wrong", 0))
        d.cuda_devices, d.nvml_gpus = (lambda: cudas), (lambda: (Reading.of(2), nvml))
        d.spec_peaks = lambda name: None
        return d

    monkeypatch.setattr(burn_deps, "default_deps", fake_deps)
    r = CliRunner().invoke(cli, ["burn", "--device", "all", "--duration", "4s", "--json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == 1, r.stderr
    assert doc["options"]["devices"] == list(GPUS) and doc["allreduce"]["verdict"] == "fail"
    assert doc["allreduce"]["reasons"][0]["code"] == "allreduce_wrong"
