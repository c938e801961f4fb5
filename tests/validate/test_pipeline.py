"""The pipeline's rules with fake stage runners: order, verdict table, skips, keep-going,
interruption, exit codes, the report document. (test_cli.py runs the real stages.)"""

from __future__ import annotations

import json

import pytest

from envcheck import exitcodes
from envcheck.facts import Facts
from envcheck.validate import Events, ValidateOptions, document, render_markdown, render_text, run
from envcheck.validate.document import check
from envcheck.validate.pipeline import ORDER
from envcheck.validate.stages import StageInterrupted, StageResult
from envcheck.validate.verdicts import DOCTOR, Verdict, exit_code, from_doctor, overall
from tests import builders as b

CPU_FACTS = Facts(torch=b.torch_build("2.13.0+cpu", cuda=None, cudnn=None, available=False))
GPU_FACTS = Facts(torch=b.torch_build(devices=[], device_count=b.ok(2)))


def runners(doctor=Verdict.PASS, facts=CPU_FACTS, calls=None, **verdicts):
    calls = calls if calls is not None else []

    def doctor_stage(ctx, tick):
        calls.append(("doctor", ctx.devices))
        return StageResult("doctor", doctor, f"doctor {doctor.value}", document={"tool": "envcheck", "kind": "envcheck.report"}), facts

    def stage(name):
        def fn(ctx, tick):
            calls.append((name, ctx.devices))
            tick(0.5, "half way")
            v = verdicts.get(name, Verdict.PASS)
            if isinstance(v, BaseException):
                raise v
            return StageResult(name, v, f"{name} {v.value}", devices=ctx.devices)
        return fn

    out = {"doctor": doctor_stage}
    out.update({n: stage(n) for n in ORDER[1:]})
    return out


def test_doctor_table_is_the_documented_one():
    assert DOCTOR == {"ok": Verdict.PASS, "warning": Verdict.WARN, "error": Verdict.FAIL, "unexplained": Verdict.WARN}
    assert from_doctor("ok", envcheck_failures=1) is Verdict.ERROR
    assert from_doctor("something new", 0) is Verdict.WARN  # never a silent PASS


def test_overall_and_exit_codes():
    assert overall([Verdict.PASS, Verdict.SKIP, Verdict.WARN]) is Verdict.WARN
    assert overall([Verdict.ERROR, Verdict.FAIL]) is Verdict.FAIL
    assert overall([Verdict.SKIP]) is Verdict.ERROR
    assert exit_code(Verdict.PASS) == exitcodes.OK
    assert exit_code(Verdict.WARN) == exitcodes.OK and exit_code(Verdict.WARN, strict=True) == exitcodes.PROBLEMS
    assert exit_code(Verdict.FAIL) == exitcodes.PROBLEMS
    assert exit_code(Verdict.ERROR) == exitcodes.FAILED
    assert exit_code(Verdict.ERROR, cannot_run=True) == exitcodes.CANNOT_RUN
    assert exit_code(Verdict.PASS, interrupted_by=2) == exitcodes.INTERRUPTED
    assert exit_code(Verdict.PASS, interrupted_by=15) == exitcodes.TERMINATED


def test_all_stages_in_order_on_the_cpu():
    calls = []
    vrun = run(ValidateOptions(device="cpu"), runners=runners(calls=calls), environ={"ENVCHECK_HOST": "box1"})
    assert [c[0] for c in calls] == ["doctor", "verify", "bench", "burn", "interconnect"]
    assert all(c[1] == ("cpu",) for c in calls[1:])
    assert vrun.verdict is Verdict.PASS and vrun.exit_code == 0 and vrun.status == "complete"
    doc = document(vrun)
    assert check(doc) == []
    assert doc["kind"] == "envcheck.validate" and doc["machine"]["hostname"] == "box1"
    assert [s["name"] for s in doc["stages"]] == list(ORDER)
    json.dumps(doc)


def test_doctor_error_skips_the_rest_with_the_reason():
    calls = []
    vrun = run(ValidateOptions(device="cpu"), runners=runners(doctor=Verdict.FAIL, calls=calls), environ={})
    assert [c[0] for c in calls] == ["doctor"]
    assert [r.verdict for r in vrun.results] == [Verdict.FAIL] + [Verdict.SKIP] * 4
    assert "doctor found errors" in vrun.results[1].reason and "--keep-going" in vrun.results[1].reason
    assert vrun.exit_code == exitcodes.PROBLEMS


def test_keep_going_runs_them_anyway():
    calls = []
    vrun = run(ValidateOptions(device="cpu", keep_going=True), runners=runners(doctor=Verdict.FAIL, calls=calls),
               environ={})
    assert len(calls) == 5 and vrun.verdict is Verdict.FAIL


def test_warn_and_strict():
    vrun = run(ValidateOptions(device="cpu"), runners=runners(bench=Verdict.WARN), environ={})
    assert vrun.verdict is Verdict.WARN and vrun.exit_code == 0
    vrun = run(ValidateOptions(device="cpu", strict=True), runners=runners(bench=Verdict.WARN), environ={})
    assert vrun.exit_code == exitcodes.PROBLEMS


def test_a_stage_that_raises_is_an_envcheck_error_and_the_next_still_runs():
    calls = []
    vrun = run(ValidateOptions(device="cpu"), runners=runners(calls=calls, verify=RuntimeError("boom")), environ={})
    assert [c[0] for c in calls] == list(ORDER)
    v = vrun.results[1]
    assert v.verdict is Verdict.ERROR and "RuntimeError: boom" in v.summary
    assert vrun.verdict is Verdict.ERROR and vrun.exit_code == exitcodes.FAILED


def test_gpus_come_from_the_doctors_torch_probe():
    calls = []
    run(ValidateOptions(device="all"), runners=runners(facts=GPU_FACTS, calls=calls), environ={})
    assert dict(calls)["verify"] == ("cuda:0", "cuda:1") and dict(calls)["burn"] == ("cuda:0", "cuda:1")


def test_no_gpu_for_device_all_is_cannot_run_exit_4():
    calls = []
    vrun = run(ValidateOptions(device="all"), runners=runners(calls=calls), environ={})
    assert [c[0] for c in calls] == ["doctor"]
    assert all(r.verdict is Verdict.ERROR and r.cannot_run for r in vrun.results[1:])  # interconnect too
    assert "--device cpu" in vrun.results[1].reason
    assert vrun.exit_code == exitcodes.CANNOT_RUN


@pytest.mark.parametrize("signum, code", [(2, 130), (15, 143)])
def test_interruption_gives_a_valid_partial_report(signum, code):
    class Stop(KeyboardInterrupt):
        pass

    exc = Stop()
    exc.signum = signum
    checkpoints = []
    vrun = run(ValidateOptions(device="cpu"), runners=runners(bench=exc), environ={},
               events=Events(checkpoint=lambda r: checkpoints.append(document(r))))
    assert vrun.status == "interrupted" and vrun.exit_code == code
    assert [r.verdict for r in vrun.results] == [Verdict.PASS, Verdict.PASS, Verdict.SKIP, Verdict.SKIP, Verdict.SKIP]
    doc = checkpoints[-1]
    assert check(doc) == [] and doc["status"] == "interrupted"
    assert doc["interrupted_by"] == {2: "SIGINT", 15: "SIGTERM"}[signum]
    assert "Interrupted" in render_text(doc)


def test_a_burn_stopped_by_a_signal_keeps_its_partial_document():
    def burn(ctx, tick):
        raise StageInterrupted(2, StageResult("burn", Verdict.SKIP, "interrupted", document={"kind": "envcheck.burn",
                                                                                             "tool": "envcheck"}))
    r = runners()
    r["burn"] = burn
    vrun = run(ValidateOptions(device="cpu"), runners=r, environ={})
    assert vrun.exit_code == 130 and vrun.results[3].document["kind"] == "envcheck.burn"
    assert vrun.results[4].reason == "interrupted"


def test_checkpoint_after_every_stage():
    seen = []
    run(ValidateOptions(device="cpu"), runners=runners(), environ={},
        events=Events(checkpoint=lambda r: seen.append(len(r.results))))
    assert seen == [1, 2, 3, 4, 5, 5]


def test_progress_events_carry_an_eta():
    ticks = []
    run(ValidateOptions(device="cpu"), runners=runners(), environ={},
        events=Events(tick=lambda name, f, detail, elapsed, eta: ticks.append((name, f, eta))))
    assert {t[0] for t in ticks} == {"verify", "bench", "burn", "interconnect"}
    assert all(t[2] >= 0 for t in ticks)


def test_markdown_and_text_name_every_stage():
    doc = document(run(ValidateOptions(device="cpu"), runners=runners(bench=Verdict.WARN), environ={}))
    md, text = render_markdown(doc), render_text(doc)
    for name in ORDER:
        assert f"| {name} |" in md and name in text
    assert "**WARN**" in md


def test_cpu_with_gpus_is_a_usage_error():
    from envcheck.errors import EnvcheckError

    with pytest.raises(EnvcheckError, match="CPU on its own"):
        run(ValidateOptions(device="cpu,all"), runners=runners(), environ={})
