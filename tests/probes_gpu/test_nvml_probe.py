"""nvml.probe against the fake pynvml: one exact healthy H100, and every NVML error class
at field, device and session level (classification against the real pynvml hierarchy)."""

from __future__ import annotations

import os
import sys

import psutil
import pynvml as real  # noqa: TID251 - the tests raise the real error classes
import pytest

from envcheck.facts import GpuFacts, GpuProcess, NvmlFacts
from envcheck.probes import nvml
from envcheck.reading import Reading, Status
from envcheck.serial import to_data
from tests.fakes.fake_pynvml import ByArgs, FakeNvml, h100, proc

ok = Reading.of


def fail(status: str, detail: str) -> Reading:
    return Reading.fail(Status(status), detail)


def healthy_h100(index: int = 0) -> GpuFacts:
    """What NVML says about the reference idle Hopper SXM board (tests/fixtures/gpu)."""
    ns = "not_supported"
    return GpuFacts(
        index=index, status=ok(True), name=ok("NVIDIA H100 80GB HBM3"),
        uuid=ok(f"GPU-00000000-0000-0000-0000-00000000000{index}"), serial=ok(f"000000000000{index}"),
        pci_bus_id=ok(f"00000000:{0x18 + index:02X}:00.0"), compute_capability=ok("9.0"),
        vbios_version=ok("96.00.51.00.0E"), memory_total_bytes=ok(81559 * 2**20), memory_used_bytes=ok(0),
        utilization_gpu_pct=ok(0), temp_c=ok(35), temp_slowdown_c=ok(89), temp_shutdown_c=ok(92),
        temp_max_operating_c=ok(87), memory_temp_c=ok(44), power_draw_w=ok(74.71), power_limit_w=ok(700.0),
        clock_sm_mhz=ok(345), clock_mem_mhz=ok(2619), clock_sm_max_mhz=ok(1980), clock_mem_max_mhz=ok(2619),
        pstate=ok(0), clock_event_reasons=ok(("gpu_idle",)), pcie_gen_current=ok(5), pcie_gen_max=ok(5),
        pcie_width_current=ok(16), pcie_width_max=ok(16), pcie_replay_count=ok(0), ecc_mode_current=ok(False),
        # ECC is off on the reference board, so its counters read N/A, as nvidia-smi prints them.
        ecc_volatile_corrected=fail(ns, "nvmlDeviceGetTotalEccErrors: Not Supported"),
        ecc_volatile_uncorrected=fail(ns, "nvmlDeviceGetTotalEccErrors: Not Supported"),
        ecc_aggregate_corrected=fail(ns, "nvmlDeviceGetTotalEccErrors: Not Supported"),
        ecc_aggregate_uncorrected=fail(ns, "nvmlDeviceGetTotalEccErrors: Not Supported"),
        # Hopper remaps rows instead of retiring pages.
        retired_pages_sbe=fail(ns, "nvmlDeviceGetRetiredPages: Not Supported"),
        retired_pages_dbe=fail(ns, "nvmlDeviceGetRetiredPages: Not Supported"),
        retired_pages_pending=fail(ns, "nvmlDeviceGetRetiredPagesPendingStatus: Not Supported"),
        remapped_rows_correctable=ok(0), remapped_rows_uncorrectable=ok(0), remapped_rows_pending=ok(False),
        remapped_rows_failed=ok(False), persistence_mode=ok(True), mig_mode_current=ok(False),
        display_active=ok(False), processes=ok(()))


def test_healthy_h100_exact_facts():
    fake = h100()
    facts = nvml.probe(nvml_module=fake)
    expected = NvmlFacts(init=ok(True), driver_version=ok("525.105.17"), nvml_version=ok("12.525.105.17"),
                         cuda_driver_version=ok("12.0"), gpus=ok((healthy_h100(),)))
    assert to_data(facts) == to_data(expected)
    assert facts == expected
    assert (fake.init_count, fake.shutdown_count, fake.calls_outside_session) == (1, 1, 0)


# --------------------------------------------------------------------------- field level
NOT_SUPPORTED = {"NotSupported", "FunctionNotFound", "Deprecated", "ArgumentVersionMismatch", "VgpuEccNotSupported"}
NOT_FOUND = {"NotFound", "NoData"}
DEVICE_ERROR = {"Unknown", "Uninitialized", "ResetRequired", "InsufficientPower", "IrqIssue", "GpuNotFound"}
ERROR_CLASSES = sorted(n for n in dir(real) if n.startswith("NVMLError_"))


def expected_level(cls_name: str):
    short = cls_name[len("NVMLError_"):]
    if short == "GpuIsLost":
        return "device", "gpu_lost"
    if short in DEVICE_ERROR:
        return "device", "error"
    if short in NOT_SUPPORTED:
        return "field", "not_supported"
    if short == "NoPermission":
        return "field", "no_permission"
    if short in NOT_FOUND:
        return "field", "not_found"
    return "field", "error"  # InvalidArgument, InsufficientSize, CorruptedInforom, Timeout, InUse, Memory...


def test_every_documented_class_is_in_the_installed_pynvml():
    short = {n[len("NVMLError_"):] for n in ERROR_CLASSES}
    assert {"GpuIsLost", "NoPermission", "LibraryNotFound", "DriverNotLoaded", "LibRmVersionMismatch",
            "CorruptedInforom", "InsufficientSize", "InvalidArgument"} | NOT_SUPPORTED | NOT_FOUND | DEVICE_ERROR <= short


@pytest.mark.parametrize("cls_name", ERROR_CLASSES)
def test_each_error_class_on_one_field_of_gpu0_leaves_gpu1_untouched(cls_name):
    exc = getattr(real, cls_name)()
    fake = h100(2, device={"nvmlDeviceGetPowerUsage": {0: exc}})
    facts = nvml.probe(nvml_module=fake)
    g0, g1 = facts.gpus.value
    level, status = expected_level(cls_name)
    assert g0.power_draw_w == fail(status, f"nvmlDeviceGetPowerUsage: {exc}")
    if level == "device":
        assert g0.status == fail(status, f"nvmlDeviceGetPowerUsage: {exc}")
        assert g0.name.ok and g0.temp_c.ok  # read before the GPU failed: kept
        assert not g0.power_limit_w.known and not g0.processes.known  # never asked afterwards
        last = max(i for i, (_, gpu, _) in enumerate(fake.calls) if gpu == 0)
        assert fake.calls[last][0] == "nvmlDeviceGetPowerUsage"
    else:
        assert g0.status == ok(True)
        assert g0.power_limit_w == ok(700.0)
    assert g1 == healthy_h100(1)
    assert fake.shutdown_count == 1


def test_gpu_lost_on_handle_marks_that_gpu_only():
    fake = h100(2, device={"nvmlDeviceGetHandleByIndex": {1: real.NVMLError_GpuIsLost()}})
    g0, g1 = nvml.probe(nvml_module=fake).gpus.value
    assert g0 == healthy_h100(0)
    assert g1 == GpuFacts(index=1, status=fail("gpu_lost", "nvmlDeviceGetHandleByIndex: GPU is lost"))
    assert fake.calls_to("nvmlDeviceGetName", 1) == 0


def test_field_value_error_inside_a_successful_call_is_classified():
    fake = h100(device={"nvmlDeviceGetFieldValues": {0: {real.NVML_FI_DEV_MEMORY_TEMP: real.NVMLError_NoPermission()}}})
    g = nvml.probe(nvml_module=fake).gpus.value[0]
    assert g.memory_temp_c == fail("no_permission", "nvmlDeviceGetFieldValues: Insufficient Permissions")
    assert g.temp_c == ok(35)


def test_unknown_pstate_and_device_count_failure():
    g = nvml.probe(nvml_module=h100(device={"nvmlDeviceGetPerformanceState": {0: 32}})).gpus.value[0]
    assert g.pstate == fail("not_supported", "nvmlDeviceGetPerformanceState: NVML reports the P-state as unknown")
    facts = nvml.probe(nvml_module=h100(system={"nvmlDeviceGetCount": real.NVMLError_NoPermission()}))
    assert facts.init == ok(True) and facts.driver_version == ok("525.105.17")
    assert facts.gpus == fail("no_permission", "nvmlDeviceGetCount: Insufficient Permissions")


def test_throttling_reasons_are_named():
    mask = real.nvmlClocksEventReasonSwPowerCap | real.nvmlClocksEventReasonHwThermalSlowdown
    g = nvml.probe(nvml_module=h100(device={"nvmlDeviceGetCurrentClocksEventReasons": {0: mask}})).gpus.value[0]
    assert g.clock_event_reasons == ok(("sw_power_cap", "hw_thermal_slowdown"))


def test_processes_names_memory_and_partial_failure():
    me = os.getpid()
    gone = 4194305  # above Linux's PID_MAX_LIMIT (4194304): no such process can exist
    fake = h100(device={
        "nvmlDeviceGetComputeRunningProcesses_v2": {0: [proc(me, 512 * 2**20), proc(gone, None)]},
        "nvmlDeviceGetGraphicsRunningProcesses_v2": {0: real.NVMLError_NoPermission()}})
    g = nvml.probe(nvml_module=fake).gpus.value[0]
    assert g.processes.ok
    assert g.processes.detail == "nvmlDeviceGetGraphicsRunningProcesses_v2: Insufficient Permissions"
    mine, other = g.processes.value
    assert mine == GpuProcess(me, ok(psutil.Process(me).name()), ok(512 * 2**20), "compute")
    assert other.name.status is Status.NOT_FOUND
    assert other.used_memory_bytes == fail("not_supported", "not reported")


def test_a_process_seen_as_compute_and_graphics_is_listed_once():
    me = os.getpid()
    fake = h100(device={"nvmlDeviceGetComputeRunningProcesses_v2": {0: [proc(me, 2**20)]},
                        "nvmlDeviceGetGraphicsRunningProcesses_v2": {0: [proc(me, 2**20)]}})
    assert [p.kind for p in nvml.probe(nvml_module=fake).gpus.value[0].processes.value] == ["compute"]


# --------------------------------------------------------------------------- session level
@pytest.mark.parametrize("exc, error, status", [
    (real.NVMLError_LibraryNotFound(), "library_not_found", "not_found"),
    (real.NVMLError_DriverNotLoaded(), "driver_not_loaded", "error"),
    (real.NVMLError_LibRmVersionMismatch(), "lib_rm_version_mismatch", "error"),
    (real.NVMLError_NoPermission(), "no_permission", "no_permission"),
    (real.NVMLError_Unknown(), "unknown", "error"),
    (real.NVMLError_Uninitialized(), "unknown", "error"),
    (real.NVMLError_InsufficientPower(), "unknown", "error"),
    (OSError("libnvidia-ml.so.1: cannot open shared object file"), "unknown", "error"),
])
def test_init_failure_is_a_session_status(exc, error, status):
    fake = FakeNvml(count=1, init_error=exc)
    facts = nvml.probe(nvml_module=fake)
    assert facts == NvmlFacts(init=fail(status, f"nvmlInit: {exc}"), init_error=error)
    assert fake.shutdown_count == 0 and len(fake.calls) == 1


def test_pynvml_module_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # `import pynvml` now raises ImportError
    facts = nvml.probe()
    assert facts.init_error == "module_missing" and facts.init.status is Status.NOT_FOUND


def test_real_pynvml_on_this_machine_never_raises():
    facts = nvml.probe()  # the installed nvidia-ml-py against whatever driver this machine has
    if facts.init.ok:
        assert facts.gpus.known
    else:
        assert facts.init_error in {"library_not_found", "driver_not_loaded", "lib_rm_version_mismatch",
                                    "no_permission", "unknown"}


# --------------------------------------------------------------------------- driver-version matrix
V3_COMPUTE, V2_COMPUTE = "nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetComputeRunningProcesses_v2"


def test_driver_440_has_no_versioned_process_calls():
    # 440.59's libnvidia-ml lacks nvmlDeviceGetComputeRunningProcesses_v2
    # (https://github.com/NVIDIA/k8s-device-plugin/issues/331).
    lacks = {V3_COMPUTE, V2_COMPUTE, "nvmlDeviceGetGraphicsRunningProcesses",
             "nvmlDeviceGetGraphicsRunningProcesses_v2"}
    fake = h100(system={"nvmlSystemGetDriverVersion": "440.59"}, driver_lacks=lacks)
    g = nvml.probe(nvml_module=fake).gpus.value[0]
    assert g.processes == fail("not_supported", f"{V2_COMPUTE}: Function Not Found")
    assert g.status == ok(True) and g.temp_c == ok(35)


def test_r510_to_r530_ask_v2_first():
    # These drivers export _v3 but fill the v2 struct; pynvml's unversioned call reads v3.
    fake = h100(system={"nvmlSystemGetDriverVersion": "525.105.17"})
    nvml.probe(nvml_module=fake)
    assert fake.calls_to(V2_COMPUTE) == 1 and fake.calls_to(V3_COMPUTE) == 0


def test_535_98_removed_v3_and_falls_back_to_v2():
    # pynvml's unversioned wrapper turns the missing symbol into NVMLLibraryMismatchError.
    fake = h100(system={"nvmlSystemGetDriverVersion": "535.98"},
                device={V2_COMPUTE: {0: [proc(os.getpid(), 2**20)]}},
                driver_lacks={V3_COMPUTE, "nvmlDeviceGetGraphicsRunningProcesses"})
    g = nvml.probe(nvml_module=fake).gpus.value[0]
    assert [p.pid for p in g.processes.value] == [os.getpid()]
    assert fake.calls_to(V3_COMPUTE) == 1 and fake.calls_to(V2_COMPUTE) == 1


def test_current_driver_uses_the_unversioned_v3_call():
    fake = h100(system={"nvmlSystemGetDriverVersion": "580.95.05"})
    assert nvml.probe(nvml_module=fake).gpus.value[0].processes == ok(())
    assert fake.calls_to(V3_COMPUTE) == 1 and fake.calls_to(V2_COMPUTE) == 0


def test_old_pynvml_without_clock_event_names_uses_throttle_names():
    old_names = {n for n in dir(real) if n.startswith("nvmlClocksEventReason")}
    fake = h100(missing=old_names | {"nvmlDeviceGetCurrentClocksEventReasons"},
                device={"nvmlDeviceGetCurrentClocksThrottleReasons": {0: real.nvmlClocksThrottleReasonSwPowerCap}})
    assert nvml.probe(nvml_module=fake).gpus.value[0].clock_event_reasons == ok(("sw_power_cap",))


def test_driver_without_clock_event_symbol_falls_back():
    fake = h100(driver_lacks={"nvmlDeviceGetCurrentClocksEventReasons"},
                device={"nvmlDeviceGetCurrentClocksThrottleReasons": {0: real.nvmlClocksThrottleReasonHwSlowdown}})
    assert nvml.probe(nvml_module=fake).gpus.value[0].clock_event_reasons == ok(("hw_slowdown",))


def test_driver_without_memory_v2_reads_v1_and_cuda_v1():
    v1 = h100().__dict__["_device"]["nvmlDeviceGetMemoryInfo"][0].table[()]
    fake = h100(device={"nvmlDeviceGetMemoryInfo": {0: ByArgs({(real.nvmlMemory_v2,): real.NVMLError_FunctionNotFound(),
                                                                (): v1})}},
                driver_lacks={"nvmlSystemGetCudaDriverVersion_v2"})
    facts = nvml.probe(nvml_module=fake)
    assert facts.cuda_driver_version == ok("12.0")
    assert facts.gpus.value[0].memory_used_bytes == ok(516 * 2**20)  # v1 counts the driver's reservation as used
