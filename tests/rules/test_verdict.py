"""Honest verdicts: unexplained messages, too little to judge, and "no problems" only when
neither; the same for a pasted text and the live doctor."""

from __future__ import annotations

import dataclasses
import json

from click.testing import CliRunner

from envcheck import exitcodes
from envcheck.cli import cli
from envcheck.explain import diagnose, source
from envcheck.facts import Facts, NvmlFacts, TorchFacts
from envcheck.report import Report, render
from envcheck.rules import evaluate, make
from envcheck.rules.verdict import judge
from tests.builders import gpu, healthy_machine, ok


def report(facts: Facts, command: str = "explain") -> Report:
    ev = evaluate(facts)
    return Report(command, facts, ev.findings, ev.failures)


def pasted(**groups) -> Facts:
    return Facts(source="explain", **groups)


def test_a_message_no_finding_accounts_for_is_unexplained_with_ranked_causes():
    facts = pasted(torch=TorchFacts(errors=ok(("ncclUnhandledCudaError: Call to CUDA function failed.",))))
    r = report(facts)
    assert r.verdict == "unexplained" and r.exit_code() == exitcodes.PROBLEMS
    (u,) = r.judgement.unexplained
    assert u.message == "nccl_unhandled_cuda_error" and "ncclUnhandledCudaError" in u.text
    causes = [c.finding for c in u.causes]
    assert set(causes[:2]) == {"nccl_version_mismatch", "driver_too_old_for_torch_cuda"}
    driver = next(c for c in u.causes if c.finding == "driver_too_old_for_torch_cuda")
    assert "the driver version" in driver.unchecked and "nvidia-smi" in r.judgement.paste_next
    text = render(r)
    assert "Not explained" in text and "Paste next" in text and "Verdict: unexplained" in text
    doc = json.loads(render(r, "json"))
    assert doc["verdict"] == "unexplained" and doc["unexplained"][0]["causes"][0]["finding"] == causes[0]


def test_a_cause_the_facts_rule_out_says_why():
    facts = pasted(nvml=NvmlFacts(driver_version=ok("580.95.05"), gpus=ok((gpu("NVIDIA H100 80GB HBM3", "9.0"),))),
                   torch=TorchFacts(version=ok("2.13.0+cu130"), cuda_build=ok("13.0"), errors=ok((
                       "RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.",))))
    j = report(facts).judgement
    assert j.verdict == "unexplained"
    cause = next(c for u in j.unexplained for c in u.causes if c.finding == "driver_too_old_for_torch_cuda")
    assert cause.against and cause.score < 0 and not cause.unchecked


def test_an_explained_message_leaves_the_verdict_to_the_findings():
    facts = pasted(nvml=NvmlFacts(driver_version=ok("470.82.01"), gpus=ok((gpu("NVIDIA GeForce RTX 3090", "8.6"),))),
                   torch=TorchFacts(version=ok("2.3.1+cu121"), errors=ok((
                       "RuntimeError: The NVIDIA driver on your system is too old (found version 11040).",))))
    r = report(facts)
    assert r.verdict == "error" and r.judgement.unexplained == ()


def test_too_little_to_judge_is_its_own_verdict_and_exit_code():
    r = report(pasted(torch=TorchFacts(version=ok("2.13.0+cu130"))))
    assert r.verdict == "insufficient" and r.exit_code() == exitcodes.INSUFFICIENT == 5
    assert [what for what, _ in r.judgement.missing] == ["the GPU model", "the driver version"]
    assert "Too little to judge" in render(r) and "too little to judge" in render(r, "markdown")


def test_no_problems_only_with_enough_facts_and_no_error():
    enough = pasted(nvml=NvmlFacts(driver_version=ok("580.95.05"), gpus=ok((gpu(),))),
                    torch=TorchFacts(version=ok("2.13.0+cu130"), cuda_build=ok("13.0"), cuda_available=ok(True)))
    assert report(enough).verdict == "ok"
    # torch used the GPU: the GPU and the driver are proven even without nvidia-smi
    assert report(pasted(torch=TorchFacts(version=ok("2.13.0+cu130"), cuda_available=ok(True)))).verdict == "ok"


def test_a_live_probe_is_never_insufficient():
    assert judge(Facts(), ()).verdict == "ok"  # source "live": a probe looked, its unknowns are statuses


def test_a_warning_stays_a_warning_when_facts_are_missing():
    facts = pasted(env=healthy_machine().env)
    warn = make("low_disk_space", "x")
    r = Report("explain", facts, (warn,))
    assert r.verdict == "warning" and r.exit_code() == exitcodes.OK and r.judgement.missing


def test_the_live_doctor_and_a_paste_agree_on_a_message():
    # The torch probe records what torch printed; the same text pasted gives the same verdict.
    msg = "Failed to initialize NVML: Driver/library version mismatch"
    live = dataclasses.replace(healthy_machine(), torch=dataclasses.replace(healthy_machine().torch, errors=ok((msg,))))
    _, pasted_report = diagnose(source.normalise(msg), collected_at="")
    assert "nvml_driver_library_mismatch" in {f.id for f in report(live, "doctor").findings}
    assert "nvml_driver_library_mismatch" in {f.id for f in pasted_report.findings}


def test_confidence_is_shown_in_every_format():
    facts = pasted(torch=TorchFacts(errors=ok(("RuntimeError: Torch not compiled with CUDA enabled",))))
    r = report(facts)
    assert "[torch_cpu_only_build, confirmed]" in render(r)
    assert "| `torch_cpu_only_build` | confirmed |" in render(r, "markdown")
    assert json.loads(render(r, "json"))["findings"][0]["confidence"] == "confirmed"


def test_explain_cli_exits_5_on_too_little(tmp_path):
    p = tmp_path / "paste.txt"
    p.write_text("PyTorch version: 2.13.0+cu130\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["explain", str(p), "--no-color"])
    assert r.exit_code == exitcodes.INSUFFICIENT, r.output
