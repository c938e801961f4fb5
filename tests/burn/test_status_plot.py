"""The live status line (text only; rich draws it) and the telemetry plots."""

from __future__ import annotations

import io

from envcheck.burn import report
from envcheck.burn.plot import spans, write_plots
from envcheck.burn.status import LiveStatus, device_line, status_lines
from envcheck.reading import Reading
from envcheck.telemetry import TelemetrySample

from .test_report import _finished_run


def test_status_lines_while_burning():
    run = _finished_run()
    run.phase, run.end_s = "burn", None  # clock is at 5 s after the samples; go was at 1 s
    assert status_lines(run) == ["burn 5s elapsed, 0s left",
                                 "cpu      done  9.6 GFLOP/s  66°C  2400 MHz  100%"]


def test_device_line_shows_power_throttling_loss_and_failed_checks():
    d = _finished_run().devices["cpu"]
    sample = TelemetrySample(t_s=3.0, device="cuda:0", temp_c=Reading.of(83), power_draw_w=Reading.of(349.6),
                             clock_sm_mhz=Reading.of(1410),
                             clock_event_reasons=Reading.of(("gpu_idle", "hw_thermal_slowdown")))
    assert device_line(d, sample) == "cpu      done  9.6 GFLOP/s  83°C  350 W  1410 MHz  throttle: hw_thermal_slowdown"
    d.checks.append(d.checks[0].__class__("repeat", "fp32", False))
    assert device_line(d, TelemetrySample(t_s=4.0, device="cuda:0", lost=True)).endswith("LOST  1 check(s) FAILED")


def test_live_status_is_silent_off_a_terminal():
    stream = io.StringIO()
    with LiveStatus(stream) as live:
        live.update(_finished_run())
    assert stream.getvalue() == "" and live.live is None


def test_live_status_draws_on_a_terminal():
    stream = io.StringIO()
    with LiveStatus(stream, enabled=True) as live:
        live.update(_finished_run())
    assert "cpu" in stream.getvalue()


def test_spans_of_flagged_samples():
    t = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert spans(t, [False, True, True, False, True, True]) == [(1.0, 3.0), (4.0, 6.0)]
    assert spans(t, [False] * 6) == []


def test_plots_are_png_files_per_device(tmp_path):
    paths = write_plots(report.document(_finished_run()), str(tmp_path / "plots"))
    assert [p.name for p in paths] == ["burn-cpu.png"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_cpu_plot_has_no_empty_panels_and_shows_utilisation():
    # The CPU plot drew "temperature: not found" and an empty power panel,
    # and left out utilisation, which is known.
    from envcheck.burn.plot import figure, panels

    doc = report.document(_finished_run())
    dev = doc["devices"][0]
    for name in ("temp_c", "memory_temp_c"):  # a VM without a temperature sensor
        dev["series"]["fields"][name] = {"values": [None] * len(dev["series"]["t_s"]),
                                         "status": ["not_found"] * len(dev["series"]["t_s"])}
    shown = panels(dev)
    assert [unit for _, unit in shown] == ["MHz", "%"]
    assert [label for lines, _ in shown for _, label in lines] == ["CPU clock", "utilisation"]
    fig = figure(dev, doc["load_window_s"])
    assert len(fig.axes) == 2
    assert "not measured: temperature (not found), power (unknown)" in fig._suptitle.get_text()
