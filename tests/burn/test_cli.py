"""``envcheck burn`` through the CLI: a real short CPU burn, the micro run, the exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envcheck.burn import deps as burn_deps
from envcheck.burn import report
from envcheck.cli import cli

from .test_session import H100, _deps


def invoke(*args):
    return CliRunner().invoke(cli, ["burn", *args])


@pytest.mark.torch
def test_short_cpu_burn_end_to_end(tmp_path):
    out, plots, page = tmp_path / "burn.json", tmp_path / "plots", tmp_path / "burn.html"
    # 6 s: long enough for every phase (CNN, GEMM, bandwidth) to run even on a busy 2-core machine
    r = invoke("--device", "cpu", "--duration", "6s", "--json", "--report", str(out), "--plot", str(plots),
               "--html", str(page))
    doc = json.loads(r.stdout)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert doc == json.loads(out.read_text()) and report.validate(doc) == []
    assert doc["status"] == "pass" and doc["options"]["devices"] == ["cpu"]
    dev = doc["devices"][0]
    assert dev["verdict"] == "pass"
    assert dev["work"]["gemm"]["fp32"]["ops"] > 0 and dev["work"]["bandwidth_bytes"] > 0
    assert any(c["kind"] == "repeat" and c["bitwise_equal"] for c in dev["correctness"])
    assert len(dev["series"]["t_s"]) >= 3 and dev["telemetry_summary"]["utilization_mean_pct"]["status"] == "ok"
    assert (plots / "burn-cpu.png").read_bytes()[:4] == b"\x89PNG"
    assert f"report written to {out}" in r.stderr
    html = page.read_text()  # the page: the verdict, telemetry over time, the checks
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and f"HTML report written to {page}" in r.stderr
    assert 'aria-label="Utilisation over time' in html and "<h3>Checks" in html and ">repeat<" in html


@pytest.mark.torch
def test_a_run_too_short_to_judge_is_an_error_not_a_pass():
    r = invoke("--device", "cpu", "--duration", "1s")
    assert r.exit_code == 3, r.stdout
    assert r.stdout.startswith("envcheck burn: ERROR")
    assert "ERROR too little work to judge" in r.stdout


@pytest.mark.torch
def test_micro_alone_on_the_cpu(tmp_path):
    r = invoke("--device", "cpu", "--micro", "--json")
    assert r.exit_code == 0, (r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["duration_s"] == 0 and doc["status"] == "pass"
    micro = doc["devices"][0]["micro"]
    assert [(i["name"], i["dtype"]) for i in micro["items"]] == [
        ("matmul", "fp32"), ("matmul", "bf16"), ("device_copy", "fp32"), ("device_triad", "fp32")]
    assert all(i["value"] > 0 and i["peak"] is None and i["peak_source"] == "unknown" for i in micro["items"])
    assert micro["items"][0]["unit"] == "GFLOP/s"


def test_all_on_a_machine_without_gpus_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setattr(burn_deps, "default_deps", lambda: _deps([]))
    out = tmp_path / "r.json"
    r = invoke("--json", "--report", str(out))
    assert r.exit_code == 4
    assert r.stderr.strip() == ("envcheck burn: skipped — no GPU visible to torch; to burn the CPU instead, "
                                "use --device cpu")
    assert json.loads(r.stdout)["status"] == "skipped" == json.loads(out.read_text())["status"]


@pytest.mark.parametrize("args, code, message", [
    (("--duration", "soon"), 2, "--duration 'soon': expected a preset"),
    (("--device", "graphics"), 2, "--device graphics: 'graphics' is not a device"),
    (("--device", "cuda:3"), 4, "--device cuda:3: only 1 CUDA device(s) visible"),
    (("--max-temp", "500"), 2, "500.0 is not in the range"),
])
def test_bad_input_is_one_line(monkeypatch, args, code, message):
    monkeypatch.setattr(burn_deps, "default_deps", lambda: _deps([H100]))
    r = invoke(*args)
    assert r.exit_code == code
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_report_path_that_is_a_directory(tmp_path):
    r = invoke("--device", "cpu", "--report", str(tmp_path))
    assert r.exit_code == 2 and "is a directory" in r.stderr


def test_plot_directory_that_cannot_be_made_is_refused_before_the_burn(monkeypatch, tmp_path):
    def no_burn():
        raise AssertionError("the burn started although its --plot directory cannot exist")

    monkeypatch.setattr(burn_deps, "default_deps", no_burn)
    (tmp_path / "file").write_text("")
    r = invoke("--device", "cpu", "--plot", str(tmp_path / "file" / "plots"))
    assert r.exit_code == 2 and "--plot" in r.stderr and "cannot create the directory" in r.stderr


def test_report_through_a_link_to_a_device_keeps_the_link(monkeypatch, tmp_path):
    # `--report /dev/full` as root once turned the device into a JSON file.
    monkeypatch.setattr(burn_deps, "default_deps", lambda: _deps([]))
    link = tmp_path / "out"
    link.symlink_to("/dev/null")
    r = invoke("--report", str(link))
    assert r.exit_code == 4, r.stderr
    assert link.is_symlink() and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_report_in_a_missing_directory_is_refused_before_the_burn(monkeypatch, tmp_path):
    monkeypatch.setattr(burn_deps, "default_deps", lambda: (_ for _ in ()).throw(AssertionError("burn started")))
    r = invoke("--device", "cpu", "--report", str(tmp_path / "typo" / "r.json"))
    assert r.exit_code == 2 and "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "typo").exists()


def test_a_run_that_cannot_start_leaves_a_finished_report(monkeypatch, tmp_path):
    # The set-up report is written first; a device that is not there must not leave it "running".
    monkeypatch.setattr(burn_deps, "default_deps", lambda: _deps([H100]))
    out = tmp_path / "r.json"
    r = invoke("--device", "cuda:3", "--report", str(out))
    assert r.exit_code == 4 and "only 1 CUDA device(s) visible" in r.stderr
    doc = json.loads(out.read_text())
    assert report.validate(doc) == [] and (doc["status"], doc["exit_code"]) == ("skipped", 4)
    assert "only 1 CUDA device(s) visible" in doc["reason"]
