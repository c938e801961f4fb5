"""`envcheck explain` end to end through click: formats, exit codes, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

import envcheck.rules as rules_pkg
from envcheck.cli import cli
from envcheck.rules import make

from .helpers import FIXTURES

CASE = (FIXTURES / "collect_env_2x_multi_gpu.txt").read_text()


def run(args, stdin=None):
    return CliRunner().invoke(cli, ["explain", *args], input=stdin)


def test_text_report(tmp_path):
    p = tmp_path / "paste.txt"
    p.write_text(CASE)
    r = run([str(p), "--no-color"])
    assert r.exit_code in (0, 1), r.output
    assert r.output.startswith("envcheck explain — pasted text")
    assert "NVIDIA A100-SXM4-80GB" in r.output and "2.5.1+cu124" in r.output


def test_json_report_from_stdin():
    r = run(["-", "--json"], stdin=CASE)
    doc = json.loads(r.stdout)
    assert doc["command"] == "explain" and doc["facts"]["source"] == "explain"
    version = doc["facts"]["torch"]["version"]
    assert (version["value"], version["status"]) == ("2.5.1+cu124", "ok")
    assert version["detail"].endswith("of the text")
    assert doc["facts"]["nvml"]["init"] == {"value": None, "status": "unknown"}


def test_markdown_report():
    r = run(["-", "--markdown"], stdin=CASE)
    assert r.stdout.startswith("### envcheck explain:")


def test_unusable_input_is_one_line_and_exit_2():
    r = run(["-"], stdin="")
    assert r.exit_code == 2
    assert "standard input: empty, nothing to explain" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_text_with_nothing_recognised_is_too_little_to_judge_not_a_usage_error():
    r = run(["-", "--no-color"], stdin="thanks for the great library!\n")
    assert r.exit_code == 5
    assert "nothing recognised in the text" in r.stdout
    assert "Verdict: too little to judge" in r.stdout and "$ nvidia-smi" in r.stdout
    assert "the error message, whole" in r.stdout  # asked for, but not as a command to run
    assert "$ run the failing" not in r.stdout


def test_missing_file_exit_2(tmp_path):
    r = run([str(tmp_path / "nope.txt")])
    assert r.exit_code == 2 and "no such file" in r.stderr


REAL_EVALUATE = rules_pkg.evaluate


def _with_rules(monkeypatch, *stand_ins):
    """Run the real engine with a stand-in rule set (the real rules live on other branches)."""
    monkeypatch.setattr(rules_pkg, "evaluate", lambda facts: REAL_EVALUATE(facts, rules=list(stand_ins)))


def test_exit_codes_follow_the_findings(monkeypatch):
    # A stand-in rule set: one error when the paste names a driver, one warning always.
    def driver_named(ctx):
        if ctx.facts.nvml.driver_version.ok:
            yield make("driver_too_old_for_torch_cuda", "stand-in", [("nvml.driver_version", ctx.facts.nvml.driver_version.value)])

    def always_warn(ctx):
        yield make("ld_library_path_conflict", "stand-in")

    _with_rules(monkeypatch, driver_named, always_warn)
    assert run(["-"], stdin="Nvidia driver version: 550.90.07\n").exit_code == 1
    _with_rules(monkeypatch, always_warn)
    assert run(["-"], stdin="Nvidia driver version: 550.90.07\n").exit_code == 0
    assert run(["-", "--strict"], stdin="Nvidia driver version: 550.90.07\n").exit_code == 1


def test_a_rule_that_raises_is_exit_3(monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    _with_rules(monkeypatch, broken)
    r = run(["-", "--no-color"], stdin="Nvidia driver version: 550.90.07\n")
    assert r.exit_code == 3 and "envcheck bug (please report): broken: RuntimeError: boom" in r.stdout


def test_the_plan_hint_plans_the_pasted_machine_not_this_one(tmp_path):
    # A bare `envcheck plan` probes the machine it runs on; the paste is planned from the JSON.
    p = tmp_path / "paste.txt"
    p.write_text((FIXTURES / "dmesg_mismatch_xid.txt").read_text())
    r = run([str(p), "--no-color"])
    assert r.exit_code == 1
    assert "`envcheck plan --facts report.json`" in r.output and "Next: `envcheck plan` " not in r.output
    report = tmp_path / "report.json"
    report.write_text(run([str(p), "--json"]).stdout)
    planned = CliRunner().invoke(cli, ["plan", "--facts", str(report)])
    assert planned.exit_code == 0 and "driver_mismatch_recover" in planned.output


def test_envcheck_json_is_sent_to_doctor_facts(tmp_path):
    from envcheck import snapshot
    from tests.builders import healthy_machine

    p = snapshot.save(healthy_machine(), tmp_path / "host.json")
    r = run([str(p)])
    assert r.exit_code == 2 and "envcheck doctor --facts FILE" in r.output and len(r.output.splitlines()) == 1
    report = tmp_path / "report.json"
    report.write_text(CliRunner().invoke(cli, ["doctor", "--facts", str(p), "--json"]).stdout)
    assert run([str(report)]).exit_code == 2


REDACTABLE = ("alice@box:~$ nvidia-smi -L\n"
              "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-5f1c2a3b-9d8e-4c7b-a6f5-0e1d2c3b4a59)\n")


def test_redact_replaces_the_uuid_and_markdown_always_redacts():
    def uuid(args):
        doc = json.loads(run(["-", "--json", *args], stdin=REDACTABLE).stdout)
        return doc["facts"]["nvml"]["gpus"]["value"][0]["uuid"]["value"]

    assert uuid([]) == "GPU-5f1c2a3b-9d8e-4c7b-a6f5-0e1d2c3b4a59"
    assert uuid(["--redact"]) == "GPU-REDACTED-0"
    md = run(["-", "--markdown"], stdin=REDACTABLE).stdout
    assert "GPU-REDACTED-0" in md and "5f1c2a3b" not in md
    text = run(["-", "--redact", "--no-color"], stdin=REDACTABLE)
    assert text.exit_code in (0, 1, 5) and "5f1c2a3b" not in text.stdout


def test_a_name_cut_by_the_table_is_printed_cut():
    paste = ("|   0  NVIDIA RTX A1000 6GB Lap...    On  |   00000000:01:00.0 Off |                  N/A |\n"
             "| N/A   46C    P0             12W /   35W |      14MiB /   6144MiB |      6%      Default |\n")
    out = run(["-", "--no-color"], stdin=paste).stdout
    assert "GPU 0  NVIDIA RTX A1000 6GB Lap…, 6.0 GiB" in out
