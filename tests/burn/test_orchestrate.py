"""The parent's orchestration with torch-free fake workers and a scripted telemetry source."""

from __future__ import annotations

import json
import os
import signal
import threading

from envcheck.burn import report
from envcheck.burn.deps import Deps
from envcheck.burn.options import BurnOptions
from envcheck.burn.records import DeviceInfo
from envcheck.burn.session import burn
from envcheck.reading import Reading

from . import fakes
from .fakes import ScriptedSource


def _infos():
    return [DeviceInfo(f"cuda:{i}", "cuda", Reading.of("Fake GPU"), nvml_index=i, temp_max_c=Reading.of(90),
                       power_limit_w=Reading.of(350.0), pcie_gen_max=Reading.of(4), pcie_width_max=Reading.of(16))
            for i in (0, 1)]


def _deps(source):
    return Deps(worker_target=fakes.fake_worker, gpu_telemetry=lambda infos: source,
                xid_text=lambda x: f"Xid {x}")


def test_a_lost_gpu_fails_alone_and_the_other_finishes(tmp_path):
    source = ScriptedSource(["cuda:0", "cuda:1"], lose_after={"cuda:1": 4})
    out = tmp_path / "r.json"
    options = BurnOptions(duration_s=4.0, devices=("cuda:0", "cuda:1"), report_path=str(out), inject="die",
                          telemetry_interval_s=0.25, report_interval_s=0.5)
    ticks = []
    outcome = burn(options, _infos(), _deps(source), on_tick=lambda run: ticks.append(run.phase))
    doc = json.loads(out.read_text())
    assert doc == json.loads(json.dumps(outcome.document))
    assert report.validate(doc) == []
    by = {d["device"]: d for d in doc["devices"]}
    assert by["cuda:1"]["verdict"] == "fail"
    assert [r["code"] for r in by["cuda:1"]["reasons"] if r["level"] == "fail"] == ["device_lost"]
    assert by["cuda:1"]["worker"]["state"] == "crashed"
    assert by["cuda:0"]["verdict"] == "pass", by["cuda:0"]["reasons"]
    assert by["cuda:0"]["work"]["load_s"] >= 3.0 and by["cuda:0"]["worker"]["state"] == "done"
    assert doc["status"] == "fail" and outcome.exit_code == 1
    assert source.closed and not source.sampled_after_close
    assert "burn" in ticks
    series = by["cuda:0"]["series"]
    assert len(series["t_s"]) == len(series["fields"]["temp_c"]["values"]) >= 4


def test_sigterm_stops_the_run_and_leaves_an_aborted_report(tmp_path):
    out = tmp_path / "r.json"
    options = BurnOptions(duration_s=60.0, devices=("cuda:0", "cuda:1"), report_path=str(out),
                          telemetry_interval_s=0.25, report_interval_s=0.5)
    seen = []

    def on_tick(run):
        # Once the burn runs and a first report with work exists, send ourselves SIGTERM.
        if run.phase == "burn" and not seen and all(d.work.load_s > 0.3 for d in run.devices.values()):
            seen.append(json.loads(out.read_text())["status"])
            threading.Timer(0.0, os.kill, (os.getpid(), signal.SIGTERM)).start()

    previous = signal.getsignal(signal.SIGTERM)
    outcome = burn(options, _infos(), _deps(ScriptedSource(["cuda:0", "cuda:1"])), on_tick=on_tick)
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers restored
    doc = json.loads(out.read_text())
    assert seen == ["running"]
    assert doc["status"] == "aborted" and doc["interrupted_by"] == "SIGTERM" and doc["exit_code"] == 143
    assert outcome.exit_code == 143 and report.validate(doc) == []
    assert all(d["worker"]["state"] == "done" for d in doc["devices"])
    assert doc["load_window_s"][1] - doc["load_window_s"][0] < 30


def test_a_signal_during_set_up_stops_workers_before_they_burn(tmp_path):
    out = tmp_path / "r.json"
    options = BurnOptions(duration_s=60.0, devices=("cuda:0", "cuda:1"), report_path=str(out),
                          telemetry_interval_s=0.25, report_interval_s=0.5)
    sent = []

    def on_tick(run):
        if run.phase == "setup" and not sent:
            sent.append(run.phase)
            threading.Timer(0.0, os.kill, (os.getpid(), signal.SIGINT)).start()

    deps = _deps(ScriptedSource(["cuda:0", "cuda:1"]))
    deps.worker_target = fakes.slow_setup_worker
    outcome = burn(options, _infos(), deps, on_tick=on_tick)
    doc = json.loads(out.read_text())
    assert sent and doc["status"] == "aborted" and doc["interrupted_by"] == "SIGINT" and outcome.exit_code == 130
    # The stop came before the common start, so no worker did a step of work.
    assert all(d["work"]["gemm"] == {} for d in doc["devices"]), [d["work"] for d in doc["devices"]]
    assert report.validate(doc) == []
