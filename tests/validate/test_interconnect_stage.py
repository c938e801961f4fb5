"""validate's interconnect stage: when it runs, the plan per level, the verdict and the
document — the real ``envcheck.interconnect`` writer on the synthetic 8x H100 outcome
(tests/interconnect/scenarios.py), and one real gloo run over CPU processes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envcheck import exitcodes
from envcheck.cli import cli
from envcheck.interconnect import node, text
from envcheck.interconnect.records import Hang
from envcheck.interconnect.verdict import judge
from envcheck.validate import ValidateOptions, run
from envcheck.validate import stages as st
from envcheck.validate.document import check
from envcheck.validate.levels import LEVELS
from envcheck.validate.stages import StageContext, interconnect, interconnect_plan
from envcheck.validate.verdicts import Verdict
from tests.interconnect.scenarios import hgx_outcome

GPUS8 = tuple(f"cuda:{i}" for i in range(8))


def ctx(devices=GPUS8, level="quick", mode="auto", strict=False):
    return StageContext(level=LEVELS[level], devices=devices, burn_s=1.0, bench_model="softmax",
                        interconnect=mode, strict=strict)


def fake_measure(monkeypatch, outcome, calls=None):
    def measure(plan, world, visible=None, strict=False, on_step=lambda s, d: None):
        if calls is not None:
            calls.append((plan, world, visible, strict))
        return judge(outcome, strict)
    monkeypatch.setattr(node, "measure", measure)


@pytest.mark.parametrize("devices, mode, verdict, reason", [
    (("cuda:0",), "auto", Verdict.SKIP, "one GPU: nothing to interconnect"),
    (("cuda:0",), "on", Verdict.ERROR, "one GPU"),
    (("cpu",), "auto", Verdict.SKIP, "the CPU has no interconnect to measure (--interconnect on runs gloo"),
    (GPUS8, "off", Verdict.SKIP, "not asked for (--interconnect off)"),
])
def test_when_the_stage_does_not_run(devices, mode, verdict, reason):
    r = interconnect(ctx(devices, mode=mode), lambda f, d: None)
    assert r.verdict is verdict and r.reason.startswith(reason) and r.document is None
    assert r.cannot_run is (verdict is Verdict.ERROR)
    assert st.interconnect_estimate_s(ctx(devices, mode=mode)) == 0.0


def test_the_plan_per_level():
    quick, standard = interconnect_plan(ctx()), interconnect_plan(ctx(level="standard"))
    assert quick.backend == "nccl" and quick.sizes[0] == 8 and quick.sizes[-1] == 1 << 30 and len(quick.sizes) == 10
    assert len(standard.sizes) == 28 and standard.collectives == ("all_reduce", "all_gather", "reduce_scatter",
                                                                   "broadcast")
    cpu = interconnect_plan(ctx(("cpu",), mode="on"))
    assert cpu.backend == "gloo" and cpu.sizes[-1] <= 4 << 20 and cpu.step_budget_s == 0.5
    assert 30 < st.interconnect_estimate_s(ctx()) < 200


def test_eight_gpus_give_the_interconnect_document_unchanged(monkeypatch):
    calls = []
    fake_measure(monkeypatch, hgx_outcome(470.0), calls)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3,4,5,6,7")
    ticks = []
    r = interconnect(ctx(), lambda f, d: ticks.append((f, d)))
    plan, world, visible, strict = calls[0]
    assert world == 8 and visible == "0,1,2,3,4,5,6,7" and plan.backend == "nccl"
    assert r.verdict is Verdict.PASS and r.devices == GPUS8 and ticks
    # what `envcheck interconnect --json` writes; created_at is the clock's, to the second, and the two
    # documents may be made either side of a second's boundary
    expected = text.document(judge(hgx_outcome(470.0)))
    assert {**r.document, "created_at": ""} == {**expected, "created_at": ""}
    assert r.document["kind"] == "envcheck.interconnect"
    assert r.summary.startswith("8 ranks over nccl: all_reduce 470 GB/s (98 % of 480)") and "every result right" in r.summary


def test_a_subset_of_gpus_is_what_the_ranks_see(monkeypatch):
    calls = []
    fake_measure(monkeypatch, hgx_outcome(470.0, n=2), calls)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,5,6,7")
    interconnect(ctx(("cuda:1", "cuda:3")), lambda f, d: None)
    assert calls[0][1:3] == (2, "5,7")


def test_low_bandwidth_warns_and_a_hang_fails(monkeypatch):
    fake_measure(monkeypatch, hgx_outcome(150.0))
    r = interconnect(ctx(), lambda f, d: None)
    assert r.verdict is Verdict.WARN and "collective_bandwidth_low" in r.summary
    fake_measure(monkeypatch, hgx_outcome(hang=Hang(3, "all_reduce 8 B", 60.0, (2,), (0, 1), "envcheck")))
    r = interconnect(ctx(), lambda f, d: None)
    assert r.verdict is Verdict.FAIL and "HANG at all_reduce 8 B" in r.summary


def test_no_torch_is_cannot_run(monkeypatch):
    def measure(*a, **kw):
        node.need_torch()
    monkeypatch.setattr(node, "measure", measure)
    monkeypatch.setattr(node.importlib.util, "find_spec", lambda name: None)
    r = interconnect(ctx(), lambda f, d: None)
    assert r.verdict is Verdict.ERROR and r.cannot_run and "needs torch" in r.reason


def test_a_bad_mode_is_a_usage_error():
    from envcheck.errors import EnvcheckError

    with pytest.raises(EnvcheckError, match="--interconnect sometimes"):
        run(ValidateOptions(device="cpu", interconnect="sometimes"), environ={})


@pytest.mark.torch
def test_validate_cpu_with_interconnect_on_runs_gloo_for_real(monkeypatch, tmp_path):
    """The real stage: 4 CPU processes over gloo, every result checked (other stages faked)."""
    pytest.importorskip("torch")
    from envcheck.validate import pipeline

    def fake(name):
        def stage(c, tick):
            return st.StageResult(name, Verdict.PASS, "faked")
        return stage

    real = pipeline.default_runners()
    monkeypatch.setattr(pipeline, "default_runners", lambda: dict(
        {n: fake(n) for n in pipeline.ORDER[1:4]}, doctor=real["doctor"], interconnect=real["interconnect"]))
    report = tmp_path / "r.json"
    r = CliRunner().invoke(cli, ["validate", "--device", "cpu", "--interconnect", "on", "--report", str(report),
                                 "--torch-timeout", "60"], env={"ENVCHECK_HOST": "box-9"})
    doc = json.loads(report.read_text())
    stage = {s["name"]: s for s in doc["stages"]}["interconnect"]
    assert r.exit_code in (exitcodes.OK, exitcodes.PROBLEMS), r.output  # the doctor may warn about this box
    assert check(doc) == [] and stage["verdict"] == "PASS", stage["summary"]
    ic = stage["document"]
    assert ic["kind"] == "envcheck.interconnect" and ic["run"]["backend"] == "gloo" and ic["run"]["world_size"] == 4
    assert set(ic["peak_busbw_gb_s"]) == {"all_reduce", "all_gather", "reduce_scatter", "broadcast"}
    assert all(row["wrong"] == 0 for row in ic["collectives"])
    assert doc["options"]["interconnect"] == "on"
