"""GPU telemetry during a run (fake NVML stream) and the reference-results comparison."""

from __future__ import annotations

import sys
import threading
import types

import pytest
import torch

from envcheck.bench import reference
from envcheck.reading import Reading, Status
from envcheck.telemetry import Sampler, TelemetrySample, summarise


def _s(t, temp, power, clock, reasons=(), lost=False):
    return TelemetrySample(t_s=t, device="cuda:0", lost=lost, temp_c=Reading.of(temp),
                           power_draw_w=Reading.of(power), power_limit_w=Reading.of(700.0),
                           clock_sm_mhz=Reading.of(clock), clock_event_reasons=Reading.of(tuple(reasons)))


def test_summary_of_a_throttling_stream():
    samples = [_s(0, 50, 300.0, 1980), _s(1, 71, 650.0, 1755, ("sw_power_cap",)),
               _s(2, 83, 700.0, 1410, ("sw_power_cap", "hw_thermal_slowdown")), _s(3, 80, 690.0, 1600)]
    s = summarise(samples)
    assert s.samples == 4 and s.temp_peak_c.value == 83
    assert s.power_mean_w.value == pytest.approx(585.0) and s.power_max_w.value == 700.0
    assert s.clock_sm_median_mhz.value == 1677.5 and s.clock_sm_p5_mhz.value == pytest.approx(1438.5)
    assert list(s.throttle_s) == ["hw_thermal_slowdown", "sw_power_cap"] and not s.lost


def test_summary_keeps_why_a_value_is_missing():
    sample = TelemetrySample(t_s=0, device="cuda:0", temp_c=Reading.of(60),
                             power_draw_w=Reading.fail(Status.NOT_SUPPORTED, "nvmlDeviceGetPowerUsage"))
    s = summarise([sample])
    assert s.power_mean_w.status is Status.NOT_SUPPORTED and s.power_mean_w.detail == "nvmlDeviceGetPowerUsage"
    assert s.clock_sm_p5_mhz.status is Status.UNKNOWN
    assert summarise([]).temp_peak_c.status is Status.NOT_FOUND


class FakeSource:
    def __init__(self, fail_every=0):
        self.calls, self.closed, self.fail_every = 0, False, fail_every
        self.sampling = threading.Event()

    def sample(self):
        self.calls += 1
        self.sampling.set()
        if self.fail_every and self.calls % self.fail_every == 0:
            raise RuntimeError("NVML hiccup")
        return [_s(self.calls, 60 + self.calls, 400.0, 1800)]

    def close(self):
        self.closed = True


def test_the_sampler_samples_in_a_thread_and_closes_after_stopping():
    src = FakeSource(fail_every=3)
    rec = Sampler(src, interval_s=0.01).start()
    assert src.sampling.wait(5)
    while src.calls < 6:
        threading.Event().wait(0.01)
    samples = rec.stop()
    assert src.closed and len(samples) >= 4 and "RuntimeError: NVML hiccup" in rec.errors
    calls = src.calls
    threading.Event().wait(0.05)
    assert src.calls == calls  # the thread is gone


def test_a_source_that_stops_answering_is_abandoned_not_waited_for(monkeypatch):
    # NVML wedged mid-run: the sample never comes back; stop() must not hang on it, nor
    # close the source (that would wait on the same driver).
    from envcheck.telemetry import sampler as sampler_module

    monkeypatch.setattr(sampler_module, "STOP_TIMEOUT_S", 0.2)
    release = threading.Event()

    class Stuck(FakeSource):
        def sample(self):
            self.sampling.set()
            release.wait(30)
            return []

    src = Stuck()
    rec = Sampler(src, interval_s=0.01).start()
    assert src.sampling.wait(5)
    assert rec.stop() == [] and not src.closed
    assert any("stopped answering" in e for e in rec.errors)
    release.set()


def _torch_sees(monkeypatch, cudas):
    """Fake CUDA device facts at torch's boundary; the bench's own code reads them."""
    props = {c.index: types.SimpleNamespace(name=c.name, uuid=c.uuid[4:], pci_bus_id=c.pci[1], pci_domain_id=c.pci[0],
                                            pci_device_id=c.pci[2], total_memory=c.total_memory_bytes)
             for c in cudas}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: len(cudas))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda i: props[i])


def test_bench_telemetry_follows_the_card_not_the_number(monkeypatch, tmp_path):
    # CUDA orders fastest first: cuda:0 is the GPU NVML numbers 1. The fakes sit at the
    # boundaries (torch's device properties, pynvml in the NVML worker and in-process);
    # device matching, the worker, the NVML sampler and the Sampler are the real code.
    from envcheck.bench.run import gpu_telemetry_for
    from envcheck.telemetry.match import CudaDevice
    from tests.fakes.fake_pynvml import h100, h100_reference
    from tests.probes_gpu.hung_nvml import worker_env

    uuid = h100_reference()["uuid"][:-1]
    _torch_sees(monkeypatch, [CudaDevice(0, "NVIDIA H100 80GB HBM3", uuid + "1", (0, 0x19, 0), 80 << 30)])
    worker_env(monkeypatch, tmp_path, "healthy")
    monkeypatch.setitem(sys.modules, "pynvml", h100(2))
    source, status = gpu_telemetry_for(torch.device("cuda", 0))
    try:
        rec = Sampler(source, interval_s=0.01).start()
        threading.Event().wait(0.1)
        samples = rec.stop()
    finally:
        source.close()
    assert status == Reading.of("sampled") and samples and {s.device for s in samples} == {"cuda:0"}
    assert samples[0].temp_c.ok and samples[0].power_draw_w.ok


def test_bench_telemetry_says_why_not(monkeypatch, tmp_path):
    from envcheck.bench.run import gpu_telemetry_for
    from envcheck.telemetry.match import CudaDevice
    from tests.probes_gpu.hung_nvml import worker_env

    _torch_sees(monkeypatch, [CudaDevice(0, "NVIDIA H100 80GB HBM3", "GPU-elsewhere", (0, 0x77, 0), 80 << 30)])
    worker_env(monkeypatch, tmp_path, "healthy")
    assert gpu_telemetry_for(torch.device("cuda", 0)) == (
        None, Reading.fail(Status.NOT_FOUND, "NVML lists no GPU with cuda:0's UUID or PCI address"))
    assert gpu_telemetry_for(torch.device("cuda", 3))[1].detail == "torch lists no cuda:3"
    worker_env(monkeypatch, tmp_path, "driver_not_loaded")
    source, status = gpu_telemetry_for(torch.device("cuda", 0))
    assert source is None and status.status is Status.ERROR and status.detail.startswith("NVML: nvmlInit")


TABLE = {
    "result": [
        {"device": "AMD EPYC", "device_type": "cpu", "threads": 2, "model": "lenet", "dataset": "subset",
         "precision": "fp32", "loop": "fast", "train_images_per_s": 1000.0, "date": "2026-01-01"},
        {"device": "AMD EPYC", "device_type": "cpu", "threads": 2, "model": "lenet", "dataset": "subset",
         "precision": "fp32", "loop": "fast", "train_images_per_s": 2000.0, "date": "2026-02-01"},
        {"device": "AMD EPYC", "device_type": "cpu", "threads": 1, "model": "lenet", "dataset": "subset",
         "precision": "fp32", "loop": "fast", "train_images_per_s": 500.0, "date": "2026-03-01"},
    ],
    "pending": [{"device": "NVIDIA H100 80GB HBM3", "note": "needs a GPU session"}],
}


def _cmp(**over):
    kw = dict(device_type="cpu", device_name="AMD EPYC", threads=2, model="lenet", dataset="subset",
              precision="fp32", loop="fast", train_images_per_s=3000.0, table=TABLE)
    kw.update(over)
    return reference.compare(**kw)


def test_reference_matches_newest_row_for_the_same_setup():
    c = _cmp()
    assert c.matched and c.reference_images_per_s == 2000.0 and c.ratio == 1.5
    assert "1.50x the reference" in c.detail and "2026-02-01" in c.detail
    assert _cmp(threads=1).reference_images_per_s == 500.0


def test_reference_missing_or_pending():
    assert not _cmp(model="refcnn").matched
    c = _cmp(device_type="cuda", device_name="NVIDIA H100 80GB HBM3", threads=None)
    assert not c.matched and "needs a GPU session" in c.detail


def test_shipped_table_loads_and_keeps_the_h100_row_pending():
    table = reference.load_table()
    assert table["source"] and table["checked"]
    assert any("H100" in p["device"] for p in table.get("pending", []))
    for row in table.get("result", []):
        assert row["command"].startswith("envcheck bench") and row["date"] and row["train_images_per_s"] > 0
