"""``envcheck validate`` end to end on the CPU with the real stages (short burn, the
smallest bench on synthetic data), and a real Ctrl-C in the middle of the burn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.errors import EnvcheckError
from envcheck.validate.document import check

# One bench thread: two threads on two shared cores can be many times slower (docs/bench.md).
QUICK = ["validate", "--device", "cpu", "--burn", "4s", "--synthetic", "--bench-model", "softmax", "--threads", "1"]


@pytest.mark.torch
def test_cpu_validation_end_to_end(tmp_path):
    pytest.importorskip("torch")
    r = CliRunner().invoke(cli, QUICK + ["--report", str(tmp_path / "{host}.json"), "--html", str(tmp_path / "r.html")],
                           env={"ENVCHECK_HOST": "box-7", "SLURM_JOB_ID": "77"})
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("envcheck validate: PASS")
    doc = json.loads((tmp_path / "box-7.json").read_text())
    assert check(doc) == [] and doc["verdict"] == "PASS" and doc["machine"]["slurm"] == {"job_id": "77"}
    stages = {s["name"]: s for s in doc["stages"]}
    assert [s["name"] for s in doc["stages"]] == ["doctor", "verify", "bench", "burn", "interconnect"]
    assert stages["doctor"]["document"]["kind"] == "envcheck.report"
    assert stages["verify"]["document"]["kind"] == "envcheck.verify" and stages["verify"]["document"]["passed"]
    assert stages["bench"]["document"]["synthetic"] is True and "SYNTHETIC" in stages["bench"]["summary"]
    assert stages["burn"]["document"]["kind"] == "envcheck.burn" and stages["burn"]["document"]["duration_s"] == 4.0
    assert stages["interconnect"]["verdict"] == "SKIP"
    html = (tmp_path / "r.html").read_text()
    assert "envcheck validate" in html and "box-7" in html and "<svg" in html


def test_report_directories_are_made_before_the_run(tmp_path):
    from envcheck.cli.validate import _writable

    _writable(str(tmp_path / "reports" / "job7" / "box.json"), "--report")
    assert (tmp_path / "reports" / "job7").is_dir()
    (tmp_path / "ro").mkdir(mode=0o500)
    if os.geteuid() != 0:  # root may write anywhere
        with pytest.raises(EnvcheckError, match="cannot make"):
            _writable(str(tmp_path / "ro" / "sub" / "box.json"), "--report")


def test_usage_errors_exit_2_before_anything_runs(tmp_path):
    runner = CliRunner()
    for args, text in ((["--device", "cpu,0"], "CPU on its own"), (["--device", "gpu"], "is not a device"),
                       (["--burn", "soon"], "--duration"), (["--report", str(tmp_path)], "is a directory"),
                       (["--synthetic", "--data-dir", str(tmp_path)], "exclude each other")):
        r = runner.invoke(cli, ["validate", *args])
        assert r.exit_code == 2 and text in r.output, (args, r.output)


@pytest.mark.torch
def test_ctrl_c_during_the_burn_leaves_a_valid_partial_report(tmp_path):
    pytest.importorskip("torch")
    report = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, "-m", "envcheck", *QUICK[:3], "--burn", "5m", "--synthetic",
                             "--bench-model", "softmax", "--bench-epochs", "2", "--threads", "1",
                             "--report", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    # The report is rewritten after each stage: once bench is in it, the burn is starting.
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if report.exists() and '"name":"bench"' in report.read_text():
            break
        time.sleep(0.5)
    time.sleep(8)  # into the burn's set-up or load
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    doc = json.loads(report.read_text())
    assert check(doc) == [] and doc["status"] == "interrupted" and doc["interrupted_by"] == "SIGINT"
    verdicts = {s["name"]: s["verdict"] for s in doc["stages"]}
    assert verdicts["doctor"] == verdicts["verify"] == "PASS"
    assert verdicts["bench"] == "WARN"  # 2 epochs: timed, not judged
    assert verdicts["burn"] == "SKIP" and verdicts["interconnect"] == "SKIP"
    assert "Interrupted" in out


def test_markdown_is_redacted(monkeypatch):
    """--markdown is for public issues: the host becomes its pseudonym, the doctor's facts
    go through the snapshot redaction (the real doctor stage; later stages faked)."""
    from envcheck.validate import pipeline
    from envcheck.validate.identity import pseudonym
    from envcheck.validate.stages import StageResult
    from envcheck.validate.verdicts import Verdict

    seen = {}

    def fake(name):
        def run(ctx, tick):
            return StageResult(name, Verdict.PASS, "faked")
        return run

    real = pipeline.default_runners()

    def doctor(ctx, tick):
        result, facts = real["doctor"](ctx, tick)
        seen["redacted"] = result.document["facts"]["redacted"]
        return result, facts

    monkeypatch.setattr(pipeline, "default_runners",
                        lambda: dict({n: fake(n) for n in pipeline.ORDER}, doctor=doctor))
    r = CliRunner().invoke(cli, ["validate", "--device", "cpu", "--markdown", "--torch-timeout", "60"],
                           env={"ENVCHECK_HOST": "secret-node-3"})
    assert r.exit_code == 0, r.output
    assert "secret-node-3" not in r.stdout and pseudonym("secret-node-3") in r.stdout
    assert seen["redacted"] is True
