"""The verdict of a run, its text and JSON: hangs, wrong data, low bandwidth, exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from envcheck import exitcodes
from envcheck.interconnect import text
from envcheck.interconnect.records import Hang
from envcheck.interconnect.verdict import judge
from tests.builders import env, ok
from tests.interconnect.scenarios import gloo_outcome, hgx_facts, hgx_outcome

EXPECTED = Path(__file__).resolve().parent / "expected"


def ids(v):
    return [f.id for f in v.findings]


def test_healthy_hgx_passes_against_the_published_figure():
    v = judge(hgx_outcome(470.0))
    assert (v.status, v.exit_code, ids(v)) == ("PASS", 0, [])
    assert v.expected["all_reduce"].busbw_gb_s == 480.0 and v.expected["all_gather"].busbw_gb_s == 370.0
    assert v.route == "NVLink 4 x 18 through NVSwitch" and round(v.peaks["all_reduce"]) == 470


def test_low_bus_bandwidth_warns_and_fails_only_with_strict():
    v = judge(hgx_outcome(150.0))
    assert v.status == "WARN" and v.exit_code == 0 and ids(v) == ["collective_bandwidth_low"] * 2
    assert judge(hgx_outcome(150.0), strict=True).exit_code == exitcodes.PROBLEMS


def test_a_hang_is_a_fail_that_names_the_ranks_and_the_likely_cause():
    hang = Hang(9, "all_reduce 1 GiB", 60.0, (), tuple(range(8)), "envcheck")
    facts = hgx_facts(acs_redirect_bridges=ok(("0000:02:08.0",)), iommu=ok("off"),
                      pairs=ok(tuple(dataclasses.replace(p, path=ok("SYS"), nvlinks=ok(0))
                                     for p in hgx_facts().interconnect.pairs.value)))
    v = judge(hgx_outcome(hang=hang, facts=facts))
    assert v.status == "FAIL" and v.exit_code == exitcodes.PROBLEMS
    assert ids(v) == ["collective_timeout", "p2p_blocked_by_iommu_acs"]
    timeout = v.findings[0]
    assert "every rank" in timeout.explanation and "p2p_blocked_by_iommu_acs" in timeout.explanation
    assert timeout.recipe == "nccl_triage"


def test_a_rank_that_never_joined_is_named_in_the_finding():
    hang = Hang(1, "all_reduce 8 B", 5.0, (2,), (0, 1, 3), "envcheck")
    v = judge(gloo_outcome(hang=hang, complete=False))
    assert ids(v) == ["collective_timeout"] and "rank 2 (box cpu, pid 202) never joined it" in v.findings[0].explanation


def test_wrong_data_is_an_error_finding():
    v = judge(hgx_outcome(wrong=3))
    assert v.status == "FAIL" and "collective_result_wrong" in ids(v)
    assert "all_reduce 1 MiB: 3 of 262144 elements" in next(f for f in v.findings
                                                             if f.id == "collective_result_wrong").explanation


def test_a_rank_that_failed_without_a_hang_is_an_error_without_verdict():
    v = judge(gloo_outcome(complete=False, failures=("rank 1 (box cpu, pid 201): RuntimeError: boom",)))
    assert (v.status, v.exit_code) == ("ERROR", exitcodes.FAILED)


def test_ranks_pinned_far_from_their_gpus():
    v = judge(hgx_outcome(cpus="0-47"))  # GPUs 4-7 sit on CPUs 48-95
    assert [f.gpu for f in v.findings if f.id == "gpu_numa_mismatch"] == [4, 5, 6, 7]
    assert "rank 4 (pid 1004)" in v.findings[0].explanation


def test_nccl_variables_and_copies_peaks():
    facts = dataclasses.replace(hgx_facts(), env=env(NCCL_P2P_DISABLE="1"))
    v = judge(hgx_outcome(facts=facts))
    assert ids(v) == ["nccl_env_overrides"] and v.status == "WARN"
    assert {c.practical_peak_gb_s for c in v.outcome.copies} == {50.41}  # gen5 x16: 63 GB/s x 0.8


def test_gloo_runs_are_not_compared_with_gpu_figures():
    v = judge(gloo_outcome())
    assert v.status == "PASS" and v.expected == {} and v.route == ""


def _check(name, actual):
    path = EXPECTED / name
    if os.environ.get("ENVCHECK_REGEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual)
    assert actual == path.read_text()


def test_text_report_is_exactly_as_recorded():
    _check("hgx_low_bandwidth.txt", text.render(judge(hgx_outcome(150.0))))
    _check("gloo_hang.txt", text.render(judge(gloo_outcome(
        hang=Hang(1, "all_reduce 8 B", 5.0, (2,), (0, 1, 3), "envcheck"), complete=False))))


def test_json_document_has_the_envelope_and_the_rows(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795424400")
    doc = text.document(judge(hgx_outcome(150.0)))
    assert (doc["kind"], doc["schema_version"], doc["verdict"], doc["exit_code"]) == (
        "envcheck.interconnect", 1, "WARN", 0)
    assert doc["created_at"] == "2026-11-23T09:00:00+00:00"
    assert doc["collectives"][0]["collective"] == "all_reduce" and doc["peak_busbw_gb_s"]["all_reduce"] == 150.0
    assert doc["expected_busbw"]["all_reduce"]["basis"] == "published"
    assert doc["findings"][0]["id"] == "collective_bandwidth_low"
    json.dumps(doc, allow_nan=False)


def test_each_finding_prints_its_recipe_filled_for_its_node():
    from envcheck.facts import HostFacts

    facts = dataclasses.replace(hgx_facts(), env=env(NCCL_P2P_DISABLE="1", NCCL_ALGO="Ring"))
    fedora = dataclasses.replace(facts, host=HostFacts(os_id=ok("fedora"), os_version=ok("41")),
                                 interconnect=dataclasses.replace(facts.interconnect,
                                                                  acs_redirect_bridges=ok(("0000:02:08.0",)),
                                                                  pairs=ok(tuple(dataclasses.replace(
                                                                      p, path=ok("SYS"), nvlinks=ok(0))
                                                                      for p in facts.interconnect.pairs.value))))
    two = dataclasses.replace(hgx_outcome(facts=facts), nnodes=2, facts=(facts, fedora))
    v = judge(two)
    by = {(f.id, f.explanation[:6]): i for i, f in enumerate(v.findings)}
    acs = v.remedy(by[("p2p_blocked_by_iommu_acs", "Node 1")])
    assert any("grubby --update-kernel=ALL --args=iommu=pt" in c for s in acs.steps for c in s.commands)
    assert not any("update-grub" in c for s in acs.steps for c in s.commands)  # Ubuntu's, not node 1's
    out = text.render(v)
    assert "$ unset NCCL_P2P_DISABLE NCCL_ALGO" in out and "fix (nccl_env_cleanup):" in out
    assert "[likely]" in out  # ACS on, yet no pair refused: inferred


def test_json_findings_carry_recipe_values_and_filled_steps():
    facts = dataclasses.replace(hgx_facts(), env=env(NCCL_P2P_DISABLE="1"))
    doc = text.document(judge(hgx_outcome(facts=facts)))
    [f] = doc["findings"]
    assert f["recipe"] == "nccl_env_cleanup" and f["values"] == [["nccl_vars", "NCCL_P2P_DISABLE"]]
    assert f["fix"]["recipes"] == ["nccl_env_cleanup"]
    assert "unset NCCL_P2P_DISABLE" in [c for s in f["fix"]["steps"] for c in s["commands"]]
    assert f["confidence"] == "confirmed"
