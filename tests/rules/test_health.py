"""GPU health (NVML, kernel log) and host-resource rules."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.facts import DriverFacts, Facts, GpuFacts, GpuProcess, HostFacts, PciFacts, XidEvent
from envcheck.rules import Severity
from envcheck.rules import health as h
from tests.builders import fail, gpu, healthy_host, healthy_machine, machine, nvml_failed, ok, with_gpu
from tests.rules import fix, fix_text, one, run

HEALTH_RULES = [h.nvml_unavailable, h.gpu_lost, h.pcie_link_degraded, h.gpu_throttling, h.ecc_errors,
                h.retired_pages_pending, h.row_remap_pending, h.row_remap_failed, h.xid_errors_logged,
                h.gpu_memory_in_use, h.shm_too_small, h.low_disk_space]
GiB = 2**30


@pytest.mark.parametrize("rule", HEALTH_RULES, ids=lambda r: r.__name__)
def test_silent_on_unknown_and_on_a_healthy_machine(rule):
    assert run(rule, Facts()) == []
    assert run(rule, healthy_machine()) == []


@pytest.mark.parametrize("rule", HEALTH_RULES, ids=lambda r: r.__name__)
def test_silent_when_every_gpu_field_is_unknown(rule):
    # A GPU NVML listed but could read nothing about (e.g. from a pasted nvidia-smi -L).
    assert run(rule, machine(gpus=[GpuFacts(index=0)])) == []


# --------------------------------------------------------------------------- NVML session and devices
def test_nvml_unknown_error_with_a_gpu_fires():
    # "Failed to initialize NVML: Unknown Error": nothing else known, so a GPU is not ruled out.
    facts = machine(nvml=nvml_failed("unknown", "Unknown Error"), host=HostFacts(container=ok("docker")))
    f = one(h.nvml_unavailable, facts)
    assert f.severity is Severity.WARNING and "Unknown Error" in f.explanation
    assert "systemctl daemon-reload" in fix_text(f, facts) and "create-dev-char-symlinks" in fix_text(f, facts)


def test_nvml_module_missing_suggests_the_binding():
    facts = healthy_machine(nvml=nvml_failed("module_missing", "No module named 'pynvml'"))
    f = one(h.nvml_unavailable, facts)
    assert fix(f, facts)[0].startswith("python -m pip install nvidia-ml-py")


def test_nvml_errors_with_their_own_findings_or_without_a_gpu_are_silent():
    for err in ("library_not_found", "driver_not_loaded", "lib_rm_version_mismatch"):
        assert run(h.nvml_unavailable, machine(nvml=nvml_failed(err))) == []
    assert run(h.nvml_unavailable, machine(pci=PciFacts(ok(())), nvml=nvml_failed("unknown"))) == []


def test_lost_gpu_is_reported_for_that_gpu_only():
    facts = machine(gpus=[gpu(index=0), gpu(index=1, status=fail("gpu_lost", "GPU is lost"))])
    f = one(h.gpu_lost, facts)
    assert f.gpu == 1 and f.severity is Severity.ERROR and "sudo reboot" in fix(f, facts)
    assert "sudo nvidia-smi -r -i 1" in fix(f, facts)


@pytest.mark.parametrize("detail", ["nvidia-smi, line 4: Unknown Error",
                                    "on the PCI bus, but No devices were found: the driver did not initialise it"])
def test_lost_gpu_quotes_what_the_reading_said(detail):
    f = one(h.gpu_lost, machine(gpus=[gpu(status=fail("gpu_lost", detail))]))
    assert f"({detail})" in f.explanation and "NVML" not in f.explanation
    assert "(NVML: GPU is lost)" in one(h.gpu_lost, machine(gpus=[gpu(status=fail("gpu_lost"))])).explanation


# --------------------------------------------------------------------------- PCIe
def test_lower_generation_at_idle_is_power_saving_and_silent():
    assert run(h.pcie_link_degraded, with_gpu(healthy_machine(), pcie_gen_current=1, utilization_gpu_pct=0)) == []


def test_narrow_link_at_idle_is_info_and_points_at_burn():
    facts = with_gpu(healthy_machine(), pcie_gen_current=1, pcie_width_current=8, utilization_gpu_pct=0)
    f = one(h.pcie_link_degraded, facts)
    assert f.severity is Severity.INFO and fix(f, facts)[0] == "envcheck burn" and "idle" in f.explanation
    assert "Gen1 x8" in f.explanation and "Gen5 x16" in f.explanation


def test_slow_or_narrow_link_under_load_is_a_warning():
    f = one(h.pcie_link_degraded, with_gpu(healthy_machine(), pcie_width_current=8, utilization_gpu_pct=97))
    assert f.severity is Severity.WARNING and "x8" in f.explanation and f.gpu == 0
    assert one(h.pcie_link_degraded, with_gpu(healthy_machine(), pcie_gen_current=3,
                                              utilization_gpu_pct=h.UNDER_LOAD_PCT)).severity is Severity.WARNING


def test_link_with_unknown_maximum_is_silent():
    assert run(h.pcie_link_degraded, with_gpu(healthy_machine(), pcie_gen_current=1,
                                              pcie_gen_max=fail("not_supported"))) == []


# --------------------------------------------------------------------------- clocks
@pytest.mark.parametrize("reason", sorted(h.HARMFUL_REASONS))
def test_thermal_and_power_brake_reasons_warn(reason):
    f = one(h.gpu_throttling, with_gpu(healthy_machine(), clock_event_reasons=(reason,), temp_c=91))
    assert f.severity is Severity.WARNING and "91 °C" in f.explanation


def test_power_cap_counts_only_under_load():
    assert run(h.gpu_throttling, with_gpu(healthy_machine(), clock_event_reasons=("sw_power_cap",))) == []
    busy = with_gpu(healthy_machine(), clock_event_reasons=("sw_power_cap",), utilization_gpu_pct=100,
                    power_draw_w=699.0)
    f = one(h.gpu_throttling, busy)
    assert f.severity is Severity.INFO and "699 W of a 700 W limit" in f.explanation


def test_idle_and_application_clocks_are_silent():
    facts = with_gpu(healthy_machine(), clock_event_reasons=("gpu_idle", "applications_clocks_setting", "sync_boost"))
    assert run(h.gpu_throttling, facts) == []


# --------------------------------------------------------------------------- memory errors
def test_uncorrectable_ecc_is_an_error_with_reset_command():
    facts = with_gpu(healthy_machine(), ecc_volatile_uncorrected=2, ecc_aggregate_uncorrected=2)
    f = one(h.ecc_errors, facts)
    assert f.severity is Severity.ERROR and "sudo nvidia-smi -r -i 0" in fix(f, facts)
    assert "2 since the driver" in f.explanation


def test_uncorrectable_errors_only_in_the_lifetime_count_are_history():
    # The aggregate count never goes back to 0 (a reset cannot clear it): with none since the
    # driver loaded, the memory was repaired and "reset the GPU" would be wrong advice.
    facts = with_gpu(healthy_machine(), ecc_volatile_uncorrected=0, ecc_aggregate_uncorrected=2)
    f = one(h.ecc_errors, facts)
    assert f.severity is Severity.WARNING and "in the past" in f.explanation
    assert not any("nvidia-smi -r" in c for c in fix(f, facts))
    # When the volatile count was not read, when it happened is unknown: still an error.
    unknown = one(h.ecc_errors, with_gpu(healthy_machine(), ecc_volatile_uncorrected=fail("not_supported"),
                                         ecc_aggregate_uncorrected=2))
    assert unknown.severity is Severity.ERROR


def test_corrected_only_is_a_warning_with_counts():
    f = one(h.ecc_errors, with_gpu(healthy_machine(), ecc_aggregate_corrected=37))
    assert f.severity is Severity.WARNING and "37 over its life" in f.explanation


def test_ecc_not_supported_is_silent():
    facts = with_gpu(healthy_machine(), **{k: fail("not_supported") for k in (
        "ecc_volatile_uncorrected", "ecc_aggregate_uncorrected", "ecc_volatile_corrected", "ecc_aggregate_corrected")})
    assert run(h.ecc_errors, facts) == []


def test_pending_retirement_and_remap_flags():
    assert one(h.retired_pages_pending, with_gpu(healthy_machine(), retired_pages_pending=True,
                                                 retired_pages_dbe=3)).severity is Severity.ERROR
    pending = with_gpu(healthy_machine(), remapped_rows_pending=True)
    assert "ROW_REMAPPER" in fix_text(one(h.row_remap_pending, pending), pending)
    facts = with_gpu(healthy_machine(), remapped_rows_failed=True)
    failed = one(h.row_remap_failed, facts)
    assert failed.severity is Severity.ERROR and "RMA" in fix_text(failed, facts)


# --------------------------------------------------------------------------- Xid events
def with_xids(*events: XidEvent) -> Facts:
    base = healthy_machine()
    return dataclasses.replace(base, driver=dataclasses.replace(base.driver, xid_events=ok(tuple(events))))


def test_hardware_xid_is_an_error_with_meaning_and_gpu():
    facts = with_xids(XidEvent(79, "PCI:0000:01:00", "GPU has fallen off the bus."),
                      XidEvent(79, "PCI:0000:01:00", "GPU has fallen off the bus."))
    f = one(h.xid_errors_logged, facts)
    assert f.severity is Severity.ERROR
    assert "Xid 79 × 2 on GPU 0, “GPU has fallen off the bus”: The GPU stopped answering" in f.explanation
    assert "Xid 79 (hardware): Reboot" in f.explanation
    assert f.links == ("https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html",)


def test_application_xids_are_grouped_and_rated_low():
    facts = with_xids(XidEvent(13, "PCI:0000:01:00", "Graphics SM Warp Exception"), XidEvent(43, "PCI:0000:01:00"),
                      XidEvent(13, "PCI:0000:01:00"))
    f = one(h.xid_errors_logged, facts)
    assert f.severity is Severity.WARNING and "Xid 13 × 2" in f.explanation and "Xid 43 × 1" in f.explanation
    only_consequences = one(h.xid_errors_logged, with_xids(XidEvent(43), XidEvent(45)))
    assert only_consequences.severity is Severity.INFO and "the GPU itself is fine" in only_consequences.explanation


def test_reset_bucket_xid_adds_the_reset_command():
    facts = with_xids(XidEvent(95, "PCI:0000:01:00", "Uncontained ECC error"))
    f = one(h.xid_errors_logged, facts)
    assert "sudo nvidia-smi -r -i 0" in fix(f, facts)


def test_unknown_xid_is_a_warning_that_says_so():
    f = one(h.xid_errors_logged, with_xids(XidEvent(999, "PCI:0000:01:00")))
    assert f.severity is Severity.WARNING and "not in envcheck's table" in f.explanation


def test_unreadable_kernel_log_is_silent():
    assert run(h.xid_errors_logged, machine(driver=DriverFacts(xid_events=fail("no_permission", "dmesg")))) == []


# --------------------------------------------------------------------------- processes
def test_other_processes_holding_memory_are_listed():
    procs = (GpuProcess(4242, ok("python"), ok(5 * GiB)), GpuProcess(77, ok("ollama"), ok(2 * GiB)))
    f = one(h.gpu_memory_in_use, with_gpu(healthy_machine(), processes=procs, memory_used_bytes=7 * GiB))
    assert f.severity is Severity.WARNING and "pid 4242 python (5.0 GiB)" in f.explanation and f.gpu == 0


def test_a_long_process_list_says_how_many_more():
    procs = tuple(GpuProcess(100 + i, ok("python"), ok(GiB)) for i in range(9))
    f = one(h.gpu_memory_in_use, with_gpu(healthy_machine(), processes=procs))
    assert "pid 105 python (1.0 GiB) and 3 more processes." in f.explanation and "pid 106" not in f.explanation
    seven = one(h.gpu_memory_in_use, with_gpu(healthy_machine(), processes=procs[:7]))
    assert "and 1 more process." in seven.explanation


def test_small_gpu_uses_the_ten_percent_limit():
    facts = with_gpu(healthy_machine(), memory_total_bytes=4 * GiB, memory_used_bytes=600 * 2**20,
                     processes=(GpuProcess(1, ok("Xorg"), ok(600 * 2**20), "graphics"),))
    assert one(h.gpu_memory_in_use, facts)


def test_no_processes_or_little_memory_is_silent():
    assert run(h.gpu_memory_in_use, with_gpu(healthy_machine(), memory_used_bytes=3 * GiB, processes=())) == []
    small = (GpuProcess(1, ok("python"), ok(200 * 2**20)),)
    assert run(h.gpu_memory_in_use, with_gpu(healthy_machine(), processes=small)) == []


def test_unreadable_process_list_falls_back_to_used_memory():
    facts = with_gpu(healthy_machine(), processes=fail("no_permission"), memory_used_bytes=9 * GiB)
    assert "9.0 GiB" in one(h.gpu_memory_in_use, facts).explanation


# --------------------------------------------------------------------------- host resources
def test_small_shm_in_a_container_suggests_shm_size():
    facts = machine(host=HostFacts(shm_total_bytes=ok(64 * 2**20), container=ok("docker")))
    f = one(h.shm_too_small, facts)
    assert "64 MiB" in f.explanation and any(c.startswith("docker run") and "--shm-size=8g" in c for c in fix(f, facts))


def test_small_shm_on_a_host_suggests_remount():
    facts = machine(host=healthy_host(shm_total_bytes=512 * 2**20))
    f = one(h.shm_too_small, facts)
    assert "sudo mount -o remount,size=8G /dev/shm" in fix(f, facts)


def test_low_disk_space():
    facts = machine(host=healthy_host(cache_disk_free_bytes=3 * GiB))
    f = one(h.low_disk_space, facts)
    assert "3.0 GiB" in f.explanation and "df -h /home/USER/.cache/envcheck" in fix(f, facts)
    assert run(h.low_disk_space, machine(host=healthy_host(cache_disk_free_bytes=11 * GiB))) == []
