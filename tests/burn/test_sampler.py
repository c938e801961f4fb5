"""The sampling thread and the psutil source."""

from __future__ import annotations

import itertools

from envcheck.reading import Reading, Status
from envcheck.telemetry import Sampler
from envcheck.telemetry.cpu import PsutilTelemetry

from .fakes import FakePsutil, ScriptedSource


def test_samples_are_stamped_with_the_parents_clock():
    ticks = itertools.count(100.0, 0.5)
    sampler = Sampler(ScriptedSource(["cuda:0", "cuda:1"]), clock=lambda: next(ticks))
    sampler.sample_once()
    sampler.sample_once()
    assert [(s.device, s.t_s) for s in sampler.samples()] == [("cuda:0", 0.5), ("cuda:1", 0.5),
                                                            ("cuda:0", 1.0), ("cuda:1", 1.0)]
    assert set(sampler.latest()) == {"cuda:0", "cuda:1"}


def test_thread_stops_before_the_source_closes():
    source = ScriptedSource(["cuda:0"])
    sampler = Sampler(source, interval_s=0.01).start()
    while source.calls < 3:
        pass
    sampler.stop()
    sampler.stop()  # idempotent
    assert source.closed and not source.sampled_after_close
    assert not sampler._thread.is_alive()


def test_a_failing_read_is_counted_not_fatal():
    source = ScriptedSource(["cuda:0"], fail_on=2)
    sampler = Sampler(source)
    for _ in range(3):
        sampler.sample_once()
    assert len(sampler.samples()) == 2
    assert dict(sampler.errors) == {"RuntimeError: sensor read failed": 1}


def test_psutil_source_reads_the_hottest_sensor_frequency_and_load():
    src = PsutilTelemetry(FakePsutil())
    s = src.sample()[0]
    assert (s.device, s.temp_c, s.clock_sm_mhz, s.utilization_pct) == ("cpu", Reading.of(66), Reading.of(2400),
                                                                        Reading.of(97))
    assert s.power_draw_w.status is Status.UNKNOWN


def test_psutil_source_without_sensors_says_so():
    s = PsutilTelemetry(FakePsutil(temps={}, freq=0.0)).sample()[0]
    assert s.temp_c == Reading.fail(Status.NOT_FOUND, "no temperature sensors visible")
    assert s.clock_sm_mhz == Reading.fail(Status.NOT_FOUND, "no CPU frequency reported")
