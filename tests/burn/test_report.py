"""The report document, its status and exit code, the compact series, the text rendering."""

from __future__ import annotations

import itertools
import json
import signal

import pytest

from envcheck.burn import report, text
from envcheck.burn.options import BurnOptions
from envcheck.burn.orchestrate import DeviceState, Run
from envcheck.burn.records import CheckResult, DeviceInfo, GemmCounter, Verdict, WorkCounters
from envcheck.reading import Reading, Status
from envcheck.telemetry import Sampler, TelemetrySample
from envcheck.telemetry.series import columns

from .fakes import FakePsutil


@pytest.mark.parametrize("status, strict, signum, code", [
    ("pass", False, None, 0), ("warn", False, None, 0), ("warn", True, None, 1), ("fail", True, None, 1),
    ("error", False, None, 3), ("skipped", False, None, 4), ("aborted", False, signal.SIGINT, 130),
    ("aborted", False, signal.SIGTERM, 143),
])
def test_exit_codes(status, strict, signum, code):
    assert report.exit_code(status, strict, signum) == code


def test_overall_is_the_most_severe_verdict():
    assert report.overall([Verdict.PASS, Verdict.WARN]) == "warn"
    assert report.overall([Verdict.ERROR, Verdict.WARN]) == "error"
    assert report.overall([Verdict.ERROR, Verdict.FAIL, Verdict.PASS]) == "fail"
    assert report.overall([]) == "error"


def test_series_is_columnar_and_keeps_statuses_only_where_needed():
    samples = [TelemetrySample(t_s=0.0, device="cpu", temp_c=Reading.of(50), clock_sm_mhz=Reading.of(2400)),
               TelemetrySample(t_s=1.0, device="cpu", temp_c=Reading.fail(Status.ERROR, "read failed"),
                               clock_sm_mhz=Reading.of(2300), xids=(13,))]
    s = columns(samples)
    assert s["t_s"] == [0.0, 1.0] and s["xids"] == [[], [13]] and s["lost"] == [False, False]
    assert s["fields"]["temp_c"] == {"values": [50, None], "status": ["ok", "error"]}
    assert s["fields"]["clock_sm_mhz"] == {"values": [2400, 2300]}
    assert s["fields"]["power_draw_w"]["status"] == ["unknown", "unknown"]


def _finished_run():
    ticks = itertools.count(0.0, 1.0)
    from envcheck.telemetry.cpu import PsutilTelemetry

    sampler = Sampler(PsutilTelemetry(FakePsutil(percents=(0.0, 99.0, 100.0, 100.0, 100.0, 100.0))),
                      clock=lambda: next(ticks))
    info = DeviceInfo("cpu", "cpu", Reading.of("Test CPU"), temp_max_c=Reading.of(95),
                      temp_max_source="CPU sensor critical temperature (psutil)")
    d = DeviceState(info)
    d.state = "done"
    d.work = WorkCounters({"fp32": GemmCounter("fp32", 512, 4, None, 100, 100 * 2 * 512 ** 3, 2.0)},
                          10, 1.5e9, 0.5, 20, 640, 2.0e9, 1.0, 4.0)
    d.checks = [CheckResult("reference", "fp32", True, -0.2, 1e-7, 4e-6),
                CheckResult("repeat", "fp32", True, 2.0, 0.0, 4e-6, True)]
    run = Run(BurnOptions(duration_s=4.0, devices=("cpu",)), {"cpu": d}, sampler, "psutil", Reading.of(True),
              started="2026-11-23T10:00:00+00:00")
    for _ in range(5):
        sampler.sample_once()
    run.go_s, run.end_s, run.ended, run.phase = 1.0, 5.0, "2026-11-23T10:00:06+00:00", "done"
    return run


def test_document_of_a_finished_run():
    doc = report.document(_finished_run())
    assert report.validate(doc) == []
    assert (doc["status"], doc["exit_code"], doc["load_window_s"], doc["interrupted_by"]) == ("pass", 0, [1.0, 5.0], None)
    dev = doc["devices"][0]
    assert dev["verdict"] == "pass" and dev["reasons"] == []
    assert dev["work"]["throughput"] == {"gemm_tflops": {"fp32": 0.013422}, "bandwidth_gb_s": 3.0,
                                         "cnn_images_per_s": 640.0}
    assert dev["telemetry_summary"]["temp_peak_c"] == {"value": 66, "status": "ok"}
    assert dev["series"]["t_s"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    json.dumps(doc)  # JSON-ready


def test_running_document_has_no_exit_code_yet():
    doc = report.document(_finished_run(), final=False)
    assert doc["status"] == "running" and doc["exit_code"] is None and doc["ended"] is None


def test_text_rendering():
    assert text.render(report.document(_finished_run())) == (
        "envcheck burn: PASS  (4s requested on cpu)\n"
        "\n"
        "cpu  Test CPU  PASS\n"
        "  work: 4s under load: GEMM fp32 13.4 GFLOP/s; memory 3.0 GB/s; CNN 640 images/s\n"
        "  correctness: 2 checks, all passed, repeats bit-for-bit equal\n"
        "  telemetry: peak 66 °C; CPU clock median 2400 MHz (p5 2400, CV 0.0%); utilisation 100%\n")


def test_skipped_document():
    doc = report.skipped_document(BurnOptions(), "no GPU visible to torch; to burn the CPU instead, use --device cpu")
    assert report.validate(doc) == [] and doc["exit_code"] == 4
    assert text.render(doc) == ("envcheck burn: SKIPPED — no GPU visible to torch; to burn the CPU instead, "
                                "use --device cpu\n")


def test_validate_names_what_is_wrong():
    assert report.validate([]) == ["not a JSON object"]
    bad = {"schema_version": 1, "kind": "envcheck.burn", "status": "great", "options": {}, "versions": {},
           "devices": [{"device": "cpu", "verdict": "ok", "series": {"t_s": [0], "fields": {"temp_c": {"values": []}}}}]}
    problems = report.validate(bad)
    assert "unknown status 'great'" in problems and "devices[0] verdict 'ok'" in problems
    assert "devices[0] series temp_c has 0 values, not 1" in problems


def test_a_long_run_keeps_a_bounded_series_with_every_extreme():
    # A day at 1 Hz would be 86,400 points per device; the report keeps MAX_POINTS, and no
    # spike, dip, flag or Xid disappears (the lab-validation work needs it).
    from envcheck.telemetry.series import MAX_POINTS, downsample

    n = 20_000
    samples = [TelemetrySample(t_s=float(i), device="cuda:0", temp_c=Reading.of(60 + i % 7),
                               power_draw_w=Reading.of(300.0), clock_event_reasons=Reading.of(()),
                               remapped_rows_pending=Reading.of(False)) for i in range(n)]
    samples[12_345] = TelemetrySample(t_s=12_345.0, device="cuda:0", temp_c=Reading.of(97), xids=(79,),
                                      power_draw_w=Reading.of(5.0), clock_event_reasons=Reading.of(("hw_slowdown",)),
                                      remapped_rows_pending=Reading.of(True), lost=True)
    small = downsample(samples)
    assert len(small) <= MAX_POINTS and small[0].t_s == 0.0 and small[-1].t_s == n - 1
    assert max(s.temp_c.value for s in small) == 97 and min(s.power_draw_w.value for s in small) == 5.0
    assert [x for s in small for x in s.xids] == [79] and sum(s.lost for s in small) == 2
    assert any(s.remapped_rows_pending.value for s in small)
    assert any("hw_slowdown" in s.clock_event_reasons.value for s in small)
    assert [s.t_s for s in small] == sorted(s.t_s for s in small)
    assert downsample(samples[:10]) == samples[:10]


def test_the_report_of_a_long_run_does_not_grow_with_its_length():
    run = _finished_run()
    for _ in range(3000):
        run.sampler.sample_once()
    doc = report.document(run)
    assert report.validate(doc) == []
    assert len(doc["devices"][0]["series"]["t_s"]) <= 600
    assert doc["devices"][0]["telemetry_summary"]["samples"] == 3005  # the verdict read every sample
