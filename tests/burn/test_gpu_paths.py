"""The burn's GPU-only paths on a machine without a GPU: the fakes sit at the import boundary — torch's CUDA device facts, a pynvml module in
the NVML worker — and everything above them is envcheck's real code."""

from __future__ import annotations

import types

import pytest

from envcheck.burn import deps as burn_deps
from envcheck.burn.deps import Deps
from envcheck.burn.options import DeviceRequest
from envcheck.burn.records import GemmCounter, Verdict, WorkCounters
from envcheck.burn.session import _NoTelemetry, resolve_devices
from envcheck.reading import Reading
from tests.fakes.fake_pynvml import h100_reference
from tests.probes_gpu.hung_nvml import worker_env

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

UUID = h100_reference()["uuid"][:-1]  # the fake's GPU i has this UUID with i as its last digit


def _torch_sees(monkeypatch, *devices):
    """CUDA device facts as torch.cuda.get_device_properties gives them: (uuid digit, PCI bus)."""
    props = [types.SimpleNamespace(name="NVIDIA H100 80GB HBM3", uuid=UUID[4:] + str(digit), pci_bus_id=bus,
                                   pci_domain_id=0, pci_device_id=0, total_memory=80 << 30)
             for digit, bus in devices]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: len(props))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda i: props[i])


def test_the_real_set_up_matches_cuda_devices_to_nvml_gpus(monkeypatch, tmp_path):
    # CUDA's order (fastest first) is not NVML's: cuda:0 is NVML GPU 1, cuda:1 is GPU 0.
    _torch_sees(monkeypatch, (1, 0x19), (0, 0x18))
    worker_env(monkeypatch, tmp_path, "healthy")  # pynvml in the NVML worker: two healthy H100s
    infos = resolve_devices(DeviceRequest(all=True), Deps())
    assert [(i.device, i.nvml_index, i.name.value) for i in infos] == [
        ("cuda:0", 1, "NVIDIA H100 80GB HBM3"), ("cuda:1", 0, "NVIDIA H100 80GB HBM3")]
    assert infos[0].power_limit_w == Reading.of(700.0) and infos[0].temp_max_c.ok
    assert infos[0].spec is not None and infos[0].spec.tflops["bf16"] > 0  # the spec table knows the H100


def test_a_wedged_nvml_leaves_the_gpus_without_nvml_facts(monkeypatch, tmp_path):
    _torch_sees(monkeypatch, (0, 0x18))
    worker_env(monkeypatch, tmp_path, "init_hangs")
    from envcheck.telemetry import gpu as gpu_telemetry

    facts = gpu_telemetry.nvml_gpus(timeout=2.0)  # the real worker, killed at its deadline
    assert facts.init_error == "unresponsive"
    monkeypatch.setattr(gpu_telemetry, "nvml_gpus", lambda: facts)
    count, gpus = burn_deps.nvml_gpus()
    assert gpus == [] and count.status.value == "timeout"
    [info] = resolve_devices(DeviceRequest(all=True), Deps())
    assert info.nvml_index is None and info.temp_max_c.status.value == "not_found"


def test_fp32_math_switches_tf32_in_either_spelling():
    from envcheck.burn.correctness import fp32_math

    new = types.SimpleNamespace(fp32_precision="tf32")
    with fp32_math(types.SimpleNamespace(backends=types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=new))),
                   tf32=False):
        assert new.fp32_precision == "ieee"
    assert new.fp32_precision == "tf32"
    old = types.SimpleNamespace(allow_tf32=False)
    with fp32_math(types.SimpleNamespace(backends=types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=old))),
                   tf32=True):
        assert old.allow_tf32 is True
    assert old.allow_tf32 is False


def test_out_of_memory_is_recognised_by_class_or_message():
    from envcheck.burn.workloads import is_oom

    assert is_oom(torch, torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert is_oom(types.SimpleNamespace(cuda=types.SimpleNamespace()), RuntimeError("CUDA error: out of memory"))
    assert not is_oom(torch, RuntimeError("CUBLAS_STATUS_EXECUTION_FAILED"))


def test_a_note_is_sent_once():
    from envcheck.burn.worker import Worker

    sent = []
    fake = types.SimpleNamespace(noted=set(), send=lambda kind, text: sent.append((kind, text)))
    for _ in range(3):
        Worker._note_once(fake, "backoff-fp16", "GEMM fp16: backed off")
    assert sent == [("note", "GEMM fp16: backed off")]


def test_small_records():
    assert str(Verdict.WARN) == "warn" and f"{Verdict.FAIL}" == "fail"
    w = WorkCounters({"fp32": GemmCounter("fp32", 512, 4, None, 10, 1.0, 2.0)}, bandwidth_busy_s=0.5, cnn_busy_s=1.5)
    assert w.busy_s == pytest.approx(4.0)
    none = _NoTelemetry()
    assert none.sample() == [] and none.close() is None


def test_backend_settings_on_cuda_switch_tf32_and_restore(monkeypatch):
    from envcheck.bench.device import Precision, _has_new_tf32_api, backend_settings

    before = (torch.backends.cudnn.benchmark, _has_new_tf32_api())
    with backend_settings(torch.device("cuda", 0), Precision("bf16", torch.bfloat16, False, True)):
        assert torch.backends.cudnn.benchmark is True
    assert (torch.backends.cudnn.benchmark, _has_new_tf32_api()) == before
