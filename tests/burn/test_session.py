"""Choosing devices, matching CUDA to NVML, and one real CPU worker with the fault hook."""

from __future__ import annotations

import json

import pytest

from envcheck.burn import report
from envcheck.burn.deps import Deps, cpu_info, gpu_info, xid_text
from envcheck.burn.options import BurnOptions, DeviceRequest
from envcheck.burn.session import Skipped, burn, resolve_devices, telemetry_for
from envcheck.errors import SetupError
from envcheck.facts import GpuFacts
from envcheck.reading import Reading, Status
from envcheck.telemetry.match import CudaDevice, match_nvml, parse_bus_id

from . import fakes
from .fakes import FakePsutil, ScriptedSource

ok = Reading.of
H100 = CudaDevice(0, "NVIDIA H100 80GB HBM3", "GPU-5f0c8a3e-0000-1111-2222-333344445555", (0, 0x3B, 0), 80 << 30)


def _facts(index, uuid, bus, **kw):
    return GpuFacts(index=index, name=ok("NVIDIA H100 80GB HBM3"), uuid=ok(uuid), pci_bus_id=ok(bus), **kw)


def test_bus_ids_parse_in_both_nvml_spellings():
    assert parse_bus_id("00000000:3B:00.0") == (0, 0x3B, 0) == parse_bus_id("0000:3b:00.0")
    assert parse_bus_id("garbage") is None and parse_bus_id(None) is None


def test_nvml_record_is_matched_by_uuid_then_pci_address():
    other = _facts(0, "GPU-other", "00000000:1A:00.0")
    same_uuid = _facts(1, H100.uuid.upper(), "00000000:99:00.0")
    same_bus = _facts(2, "GPU-x", "00000000:3B:00.0")
    assert match_nvml(H100, [other, same_uuid, same_bus])[0].index == 1
    assert match_nvml(CudaDevice(0, "x", None, (0, 0x3B, 0)), [other, same_bus])[0].index == 2
    assert match_nvml(CudaDevice(0, "x", "GPU-gone"), [other]) == (
        None, "NVML lists no GPU with cuda:0's UUID or PCI address")


def test_without_uuid_or_address_the_visible_devices_list_decides():
    # torch too old to give either: CUDA_VISIBLE_DEVICES=2,0 makes cuda:0 NVML's GPU 2.
    gpus = [_facts(i, f"GPU-{i}", f"00000000:{i:02X}:00.0") for i in range(3)]
    env = {"CUDA_VISIBLE_DEVICES": "2,0"}
    assert match_nvml(CudaDevice(0, "x"), gpus, env)[0].index == 2
    assert match_nvml(CudaDevice(1, "x"), gpus, env)[0].index == 0
    assert match_nvml(CudaDevice(0, "x"), gpus, {"CUDA_VISIBLE_DEVICES": "GPU-1"}) == (
        None, "CUDA_VISIBLE_DEVICES names devices by UUID; no NVML index")
    assert match_nvml(CudaDevice(0, "x"), gpus, {})[0].index == 0
    assert match_nvml(CudaDevice(5, "x"), gpus, {}) == (None, "NVML lists no GPU 5")


def test_gpu_info_takes_the_max_operating_temperature_or_the_slowdown_one():
    facts = _facts(3, H100.uuid, "00000000:3B:00.0", temp_max_operating_c=ok(87), temp_slowdown_c=ok(90),
                   power_limit_w=ok(700.0), pcie_gen_max=ok(5), pcie_width_max=ok(16))
    info = gpu_info(H100, facts, None)
    assert (info.device, info.nvml_index, info.temp_max_c, info.power_limit_w) == ("cuda:0", 3, ok(87), ok(700.0))
    from dataclasses import replace

    info = gpu_info(H100, replace(facts, temp_max_operating_c=Reading.fail(Status.NOT_SUPPORTED)), None)
    assert info.temp_max_c == ok(90) and info.temp_max_source == "GPU slowdown temperature (NVML)"
    unknown = gpu_info(H100, None, None)
    assert unknown.nvml_index is None and unknown.temp_max_c.status is Status.NOT_FOUND


def test_cpu_info_uses_the_lowest_critical_limit():
    info = cpu_info(FakePsutil())
    assert (info.device, info.kind, info.temp_max_c) == ("cpu", "cpu", ok(95))
    assert cpu_info(FakePsutil(temps={})).temp_max_c.status is Status.NOT_FOUND


def test_xid_text_falls_back_to_the_number():
    assert xid_text(999999).startswith("Xid 999999")


def _deps(cudas, gpus=(), missing=None):
    return Deps(torch_missing=lambda: missing, cuda_devices=lambda: list(cudas),
                nvml_gpus=lambda: (ok(len(gpus)), list(gpus)), spec_peaks=lambda name: None,
                cpu_info=lambda: cpu_info(FakePsutil()))


def test_all_without_a_gpu_is_skipped_with_a_hint():
    with pytest.raises(Skipped) as exc:
        resolve_devices(DeviceRequest(all=True), _deps([]))
    assert exc.value.exit_code == 4 and "--device cpu" in str(exc.value)


@pytest.mark.parametrize("request_, cudas, missing, text", [
    (DeviceRequest(cuda=(1,)), [H100], None, "--device cuda:1: only 1 CUDA device(s) visible (cuda:0..cuda:0)"),
    (DeviceRequest(cuda=(0,)), [], None, "--device cuda:0: torch sees no CUDA device"),
    (DeviceRequest(cpu=True), [], "torch is not installed: pip install torch", "torch is not installed"),
])
def test_setup_errors(request_, cudas, missing, text):
    with pytest.raises(SetupError) as exc:
        resolve_devices(request_, _deps(cudas, missing=missing))
    assert exc.value.exit_code == 4 and str(exc.value).startswith(text)


def test_gpus_are_resolved_with_their_nvml_facts():
    infos = resolve_devices(DeviceRequest(all=True), _deps([H100], [_facts(0, H100.uuid, "00000000:3B:00.0")]))
    assert [(i.device, i.nvml_index, i.name) for i in infos] == [("cuda:0", 0, ok("NVIDIA H100 80GB HBM3"))]
    assert resolve_devices(DeviceRequest(cpu=True), _deps([]))[0].device == "cpu"


def test_telemetry_that_cannot_start_says_why():
    info = gpu_info(H100, None, None)
    source, name, status = telemetry_for([info], Deps())
    assert (name, status.status, source.sample()) == ("nvml", Status.NOT_FOUND, [])

    def broken(infos):
        raise ImportError("cannot import name 'NvmlTelemetry' from 'envcheck.probes.nvml'")
    from dataclasses import replace

    # An envcheck bug is seen, never turned into "no telemetry" (it hid
    # that telemetry never started on a GPU).
    with pytest.raises(ImportError):
        telemetry_for([replace(info, nvml_index=0)], Deps(gpu_telemetry=broken))


def test_gpu_telemetry_runs_the_real_code_over_a_fake_pynvml(monkeypatch):
    # The fake sits at the import boundary (sys.modules["pynvml"]); everything above it —
    # the burn's default gpu_telemetry, the NVML sampler, the relabelling — is the real code.
    # Before the fix the default raised ImportError, and the burn swallowed it.
    from tests.fakes.fake_pynvml import h100

    monkeypatch.setitem(__import__("sys").modules, "pynvml", h100(2))
    facts = _facts(1, H100.uuid, "00000000:3B:00.0")
    info = gpu_info(H100, facts, None)  # cuda:0 is NVML's GPU 1
    source, name, status = telemetry_for([info], Deps())
    try:
        samples = source.sample()
    finally:
        source.close()
    assert (name, status) == ("nvml", ok(True))
    assert [s.device for s in samples] == ["cuda:0"]
    assert samples[0].temp_c.ok and samples[0].power_draw_w.ok and samples[0].utilization_pct.ok


@pytest.mark.torch
def test_cpu_worker_with_a_cnn_and_an_injected_mismatch_fails(tmp_path):
    """One real spawned CPU worker: GEMMs, the copy kernel, a CNN (a stand-in for the
    bench's), the seeded checks — and the hook that corrupts the first recomputation."""
    deps = Deps(cnn_factory=fakes.tiny_cnn_step, conv_check=None, cpu_telemetry=lambda i: ScriptedSource(["cpu"]))
    out = tmp_path / "r.json"
    # 8 s: every phase (two GEMM dtypes, bandwidth, the CNN) gets a turn even on a loaded 2-core machine
    options = BurnOptions(duration_s=8.0, devices=("cpu",), inject="mismatch", report_path=str(out),
                          telemetry_interval_s=0.5)
    outcome = burn(options, [cpu_info(FakePsutil())], deps)
    doc = json.loads(out.read_text())
    assert report.validate(doc) == [] and outcome.exit_code == 1 and doc["status"] == "fail"
    dev = doc["devices"][0]
    assert dev["verdict"] == "fail"
    assert {r["code"] for r in dev["reasons"] if r["level"] == "fail"} == {"result_mismatch"}
    kinds = {(c["kind"], c["passed"]) for c in dev["correctness"]}
    assert ("reference", True) in kinds and ("repeat", False) in kinds
    work = dev["work"]
    assert work["cnn_steps"] > 0 and work["bandwidth_bytes"] > 0 and work["gemm"]["fp32"]["ops"] > 0
    assert doc["options"]["inject"] == "mismatch"
