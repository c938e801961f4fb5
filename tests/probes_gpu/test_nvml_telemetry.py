"""NvmlTelemetry against a scripted fake NVML: throttling starts, ECC counts rise, an Xid
arrives and a GPU is lost mid-run; sampling from a thread stops cleanly before shutdown."""

from __future__ import annotations

import threading

import pynvml as real  # noqa: TID251 - the tests raise the real error classes
import pytest

from envcheck.reading import Reading, Status
from envcheck.telemetry import TelemetrySource, by_device
from envcheck.telemetry.gpu import NvmlTelemetry, open_nvml
from tests.fakes.fake_pynvml import ByArgs, FakeNvml, Seq, h100

ok = Reading.of
IDLE, POWER_CAP = real.nvmlClocksEventReasonGpuIdle, real.nvmlClocksEventReasonSwPowerCap
HW_THERMAL = real.nvmlClocksEventReasonHwThermalSlowdown | real.nvmlClocksEventReasonHwSlowdown
CORRECTED = (real.NVML_MEMORY_ERROR_TYPE_CORRECTED, real.NVML_VOLATILE_ECC)
UNCORRECTED = (real.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, real.NVML_VOLATILE_ECC)


def scripted() -> FakeNvml:
    """GPU 0 heats up and throttles while its ECC counters rise; GPU 1 runs clean."""
    return h100(2, device={
        "nvmlDeviceGetTemperature": {0: ByArgs({(0,): Seq(40, 71, 86, 88)})},
        "nvmlDeviceGetPowerUsage": {0: Seq(74710, 689000, 700120, 612000)},
        "nvmlDeviceGetClockInfo": {0: ByArgs({(real.NVML_CLOCK_SM,): Seq(345, 1980, 1755, 1410),
                                              (real.NVML_CLOCK_MEM,): 2619})},
        "nvmlDeviceGetCurrentClocksEventReasons": {0: Seq(IDLE, 0, POWER_CAP, POWER_CAP | HW_THERMAL)},
        "nvmlDeviceGetTotalEccErrors": {i: ByArgs({CORRECTED: Seq(0, 0, 2, 5) if i == 0 else 0,
                                                   UNCORRECTED: Seq(0, 0, 0, 1) if i == 0 else 0}) for i in (0, 1)},
        "nvmlDeviceGetRemappedRows": {0: Seq((0, 0, 0, 0), (0, 0, 0, 0), (1, 0, 1, 0), (1, 1, 1, 0))},
    })


def test_is_a_telemetry_source_and_samples_only_its_fields():
    with NvmlTelemetry(nvml_module=h100(1)) as t:
        source: TelemetrySource = t  # the Protocol is structural (not runtime-checkable)
        (s,) = source.sample()
    assert s.device == "cuda:0" and not s.lost and s.xids == ()
    assert (s.temp_c, s.memory_temp_c, s.power_draw_w, s.power_limit_w) == (ok(35), ok(44), ok(74.71), ok(700.0))
    assert (s.clock_sm_mhz, s.clock_mem_mhz, s.clock_event_reasons) == (ok(345), ok(2619), ok(("gpu_idle",)))
    assert (s.utilization_pct, s.memory_utilization_pct) == (ok(0), ok(0))
    assert (s.pcie_gen_current, s.pcie_width_current, s.pcie_replay_count) == (ok(5), ok(16), ok(0))
    assert (s.remapped_rows_pending, s.remapped_rows_failed, s.remapped_rows_uncorrectable) == (
        ok(False), ok(False), ok(0))
    assert s.ecc_volatile_uncorrected.status is Status.NOT_SUPPORTED
    assert s.retired_pages_pending.status is Status.NOT_SUPPORTED


def test_scripted_stream_throttling_ecc_xid_and_a_lost_gpu():
    fake = scripted()
    with NvmlTelemetry(nvml_module=fake) as t:
        assert t.xid_events == {"cuda:0": ok(True), "cuda:1": ok(True)}
        rounds = [t.sample(), t.sample()]
        fake.inject_xid(0, 48)  # double-bit ECC error
        rounds.append(t.sample())
        fake.inject_xid(1, 79)  # GPU fell off the bus
        fake.lost.add(1)
        rounds.append(t.sample())
        calls_to_lost = fake.calls_to("nvmlDeviceGetTemperature", 1)
        rounds.append(t.sample())
        assert fake.calls_to("nvmlDeviceGetTemperature", 1) == calls_to_lost  # a lost GPU is not asked again
    series = by_device(s for r in rounds for s in r)
    g0, g1 = series["cuda:0"], series["cuda:1"]
    assert [s.temp_c.value for s in g0] == [40, 71, 86, 88, 88]
    assert [s.power_draw_w.value for s in g0] == [74.71, 689.0, 700.12, 612.0, 612.0]
    assert [s.clock_sm_mhz.value for s in g0] == [345, 1980, 1755, 1410, 1410]
    assert [s.clock_event_reasons.value for s in g0] == [
        ("gpu_idle",), (), ("sw_power_cap",), ("sw_power_cap", "hw_slowdown", "hw_thermal_slowdown"),
        ("sw_power_cap", "hw_slowdown", "hw_thermal_slowdown")]
    assert [s.ecc_volatile_corrected.value for s in g0] == [0, 0, 2, 5, 5]
    assert [s.ecc_volatile_uncorrected.value for s in g0] == [0, 0, 0, 1, 1]
    assert [s.remapped_rows_pending.value for s in g0] == [False, False, True, True, True]
    assert [s.remapped_rows_uncorrectable.value for s in g0] == [0, 0, 0, 1, 1]
    assert [s.xids for s in g0] == [(), (), (48,), (), ()]
    assert [s.lost for s in g0] == [False] * 5
    assert [s.lost for s in g1] == [False, False, False, True, True]
    assert [s.xids for s in g1] == [(), (), (), (79,), ()]
    assert g1[3].temp_c == Reading.fail(Status.GPU_LOST, "nvmlDeviceGetTemperature: GPU is lost")
    assert not g1[3].power_draw_w.known and not g1[4].temp_c.known  # nobody asked a lost GPU
    assert all(s.temp_c == ok(35) for s in g1[:3])
    times = [s.t_s for s in g0]
    assert times == sorted(times) and all(a.t_s == b.t_s for a, b in zip(g0, g1))
    assert fake.freed_event_sets == 1 and fake.shutdown_count == 1 and fake.calls_outside_session == 0


def test_unsupported_values_are_not_asked_again():
    fake = h100(1, device={"nvmlDeviceGetPowerUsage": {0: real.NVMLError_NotSupported()}})
    with NvmlTelemetry(nvml_module=fake) as t:
        samples = [t.sample()[0] for _ in range(3)]
    assert all(s.power_draw_w.status is Status.NOT_SUPPORTED for s in samples)
    assert fake.calls_to("nvmlDeviceGetPowerUsage", 0) == 1
    assert fake.calls_to("nvmlDeviceGetTemperature", 0) == 3


def test_xid_events_unsupported_are_reported_not_polled():
    fake = h100(1, device={"nvmlDeviceGetSupportedEventTypes": {0: real.nvmlEventTypePState}})
    with NvmlTelemetry(nvml_module=fake) as t:
        assert t.xid_events["cuda:0"] == Reading.fail(Status.NOT_SUPPORTED, "this GPU does not report Xid events")
        t.sample()
    assert fake.calls_to("nvmlEventSetWait_v2") == 0 and fake.calls_to("nvmlDeviceRegisterEvents") == 0


def test_selected_gpus_carry_the_callers_labels_and_one_is_lost_before_the_start():
    # NVML's GPUs 2 and 0 are CUDA's 0 and 1 (CUDA orders fastest first).
    fake = h100(3, device={"nvmlDeviceGetHandleByIndex": {2: real.NVMLError_GpuIsLost()}})
    with open_nvml({2: "cuda:0", 0: "cuda:1"}, nvml_module=fake) as t:
        lost, good = t.sample()
    assert (lost.device, lost.lost, good.device, good.lost) == ("cuda:0", True, "cuda:1", False)
    assert t.xid_events["cuda:0"].status is Status.UNKNOWN and t.status == Reading.of(True)


@pytest.mark.parametrize("exc, error", [(real.NVMLError_DriverNotLoaded(), "driver_not_loaded"),
                                        (real.NVMLError_LibraryNotFound(), "library_not_found")])
def test_no_nvml_session_means_no_samples(exc, error):
    t = NvmlTelemetry(nvml_module=FakeNvml(init_error=exc))
    assert not t.init.ok and t.init_error == error and t.status == t.init
    assert t.sample() == []
    t.close()
    t.close()


def test_sampling_thread_stops_before_shutdown():
    fake = h100(2)
    t = NvmlTelemetry(nvml_module=fake)
    started, counts, errors = threading.Event(), [], []

    def loop():
        try:
            while True:
                got = t.sample()
                started.set()
                if not got:
                    return
                counts.append(len(got))
        except Exception as exc:  # the test fails on any escape
            errors.append(exc)

    worker = threading.Thread(target=loop)
    worker.start()
    started.wait(5)
    t.close()
    worker.join(5)
    assert not worker.is_alive() and errors == []
    assert counts and set(counts) == {2}
    assert fake.calls_outside_session == 0 and fake.shutdown_count == 1
