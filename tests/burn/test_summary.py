"""Telemetry summaries: exact figures for a small hand-made stream."""

from __future__ import annotations

from envcheck.reading import Reading, Status
from envcheck.telemetry import TelemetrySample
from envcheck.telemetry.summary import percentile, summarise, weights

ok = Reading.of


def s(t, clock, power, reasons=(), util=100, **kw):
    return TelemetrySample(t_s=t, device="cuda:0", clock_sm_mhz=ok(clock), power_draw_w=ok(power),
                           power_limit_w=ok(300.0), clock_event_reasons=ok(tuple(reasons)), utilization_pct=ok(util),
                           **kw)


STREAM = [
    s(0.0, 300, 30.0, ("gpu_idle",), util=0, temp_c=ok(40), ecc_volatile_corrected=ok(5), pcie_replay_count=ok(2)),
    s(1.0, 1800, 280.0, ("sw_power_cap",), temp_c=ok(60), ecc_volatile_corrected=ok(5), pcie_gen_current=ok(4)),
    s(2.0, 1700, 290.0, ("sw_power_cap", "hw_slowdown"), temp_c=ok(70), pcie_gen_current=ok(4)),
    s(4.0, 1600, 295.0, ("hw_thermal_slowdown",), temp_c=ok(75), ecc_volatile_corrected=ok(7)),
    s(5.0, 1800, 285.0, (), temp_c=ok(72), pcie_replay_count=ok(9)),
    s(9.0, 400, 40.0, ("gpu_idle",), util=0, temp_c=ok(80)),  # after the load window: peak temp still counts
]


def test_percentile_interpolates_like_numpy():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10.0], 5) == 10.0
    assert percentile([0, 10], 90) == 9.0


def test_weights_give_each_sample_its_interval_and_the_last_the_median():
    assert weights(STREAM[1:5]) == [1.0, 2.0, 1.0, 1.0]


def test_summary_of_the_load_window():
    sm = summarise(STREAM, window=(1.0, 5.0))
    assert (sm.samples, sm.load_samples, sm.load_sampled_s) == (6, 4, 5.0)
    assert sm.temp_peak_c == ok(80)
    assert sm.throttle_s == {"hw_slowdown": 2.0, "hw_thermal_slowdown": 1.0, "sw_power_cap": 3.0}
    assert sm.slowdown_share == 0.6
    assert sm.clock_sm_median_mhz == ok(1750.0)
    assert sm.clock_sm_p5_mhz == ok(1615.0)
    assert sm.clock_sm_cv == ok(0.0481)  # pstdev 82.9 / mean 1725
    assert sm.power_mean_w == ok(287.5) and sm.power_max_w == ok(295.0) and sm.power_p90_w == ok(293.5)
    assert sm.power_limit_w == ok(300.0)
    assert sm.pcie_gen_max_seen == ok(4)
    assert sm.ecc_corrected_delta == ok(2) and sm.pcie_replay_delta == ok(7)
    assert sm.ecc_uncorrected_delta.status is Status.UNKNOWN
    assert not sm.lost and sm.xids == ()


def test_power_p90_counts_only_fully_loaded_samples():
    sm = summarise(STREAM)  # no window: idle samples are in the stream but not "full load"
    assert sm.power_p90_w == ok(293.5)
    assert sm.power_mean_w == ok(203.3)


def test_missing_values_keep_the_reason():
    samples = [TelemetrySample(t_s=float(t), device="cuda:0",
                               memory_temp_c=Reading.fail(Status.NOT_SUPPORTED, "no HBM sensor")) for t in range(3)]
    sm = summarise(samples)
    assert sm.memory_temp_peak_c == Reading.fail(Status.NOT_SUPPORTED, "no HBM sensor")
    assert summarise([]).temp_peak_c == Reading.fail(Status.NOT_FOUND, "no samples")


def test_lost_samples_end_the_counters_and_are_timed():
    samples = [s(0.0, 1800, 280.0, ecc_volatile_uncorrected=ok(0)), s(1.0, 1800, 280.0, ecc_volatile_uncorrected=ok(0)),
               TelemetrySample(t_s=2.0, device="cuda:0", lost=True, xids=(79,))]
    sm = summarise(samples)
    assert sm.lost and sm.lost_at_s == 2.0 and sm.xids == (79,)
    assert sm.ecc_uncorrected_delta == ok(0)
