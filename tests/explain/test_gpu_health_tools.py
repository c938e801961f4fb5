"""GPU hardware health read from tools' structured output: dcgm-exporter's memory-repair,
clock-event and PCIe fields, nvidia-smi's clock-event bitmask column, --query-remapped-rows,
and DCGM's health/diagnostic messages. Each with a healthy near-miss in the same format."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers.nvidia_smi_csv import reasons_of
from tests.rules.test_unseen_classes import findings as _ids


def _m(field: str, value: int, gpu: int = 0) -> str:
    return (f'{field}{{gpu="{gpu}",UUID="GPU-5fd3a1",device="nvidia{gpu}",modelName="NVIDIA A100-SXM4-80GB",'
            f'Hostname="node-7"}} {value}\n')


@pytest.mark.parametrize("metrics,finding", [
    (_m("DCGM_FI_DEV_ROW_REMAP_PENDING", 1), "row_remap_pending"),
    (_m("DCGM_FI_DEV_ROW_REMAP_FAILURE", 1, 3) + _m("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 8, 3), "row_remap_failed"),
    (_m("DCGM_FI_DEV_RETIRED_PENDING", 1, 1), "retired_pages_pending"),
    (_m("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", 72) + _m("DCGM_FI_DEV_GPU_UTIL", 100), "gpu_throttling"),
    (_m("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", 8) + _m("DCGM_FI_DEV_GPU_UTIL", 99), "gpu_throttling"),
    (_m("DCGM_FI_DEV_PCIE_LINK_GEN", 1) + _m("DCGM_FI_DEV_PCIE_LINK_WIDTH", 8) + _m("DCGM_FI_DEV_PCIE_MAX_LINK_GEN", 4)
     + _m("DCGM_FI_DEV_PCIE_MAX_LINK_WIDTH", 16) + _m("DCGM_FI_DEV_GPU_UTIL", 97), "pcie_link_degraded"),
])
def test_dcgm_exporter_health_fields(metrics, finding):
    assert finding in _ids(metrics)


def test_dcgm_exporter_healthy_fields_say_nothing():
    metrics = (_m("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", 1) + _m("DCGM_FI_DEV_ROW_REMAP_PENDING", 0)
               + _m("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0) + _m("DCGM_FI_DEV_RETIRED_PENDING", 0)
               + _m("DCGM_FI_DEV_PCIE_LINK_GEN", 4) + _m("DCGM_FI_DEV_PCIE_MAX_LINK_GEN", 4))
    ids = _ids(metrics)
    for finding in ("row_remap_pending", "row_remap_failed", "retired_pages_pending", "gpu_throttling",
                    "pcie_link_degraded"):
        assert finding not in ids


def test_reason_bits_follow_nvml():
    assert reasons_of(0x48) == ("hw_slowdown", "hw_thermal_slowdown")
    assert reasons_of(0x1) == ("gpu_idle",)
    assert reasons_of(0) == ()


def test_query_gpu_bitmask_column():
    paste = ("$ nvidia-smi --query-gpu=index,name,clocks_throttle_reasons.active,utilization.gpu --format=csv\n"
             "index, name, clocks_throttle_reasons.active, utilization.gpu [%]\n"
             "0, NVIDIA A100-SXM4-40GB, 0x0000000000000008, 100 %\n"
             "1, NVIDIA A100-SXM4-40GB, 0x0000000000000000, 100 %\n")
    f = _ids(paste)["gpu_throttling"]
    assert f.gpu == 0


def test_query_gpu_bitmask_idle_is_healthy():
    paste = "index, name, clocks_event_reasons.active\n0, NVIDIA GeForce RTX 4090, 0x0000000000000001\n"
    assert "gpu_throttling" not in _ids(paste)


def test_query_remapped_rows():
    paste = ("$ nvidia-smi --query-remapped-rows=gpu_bus_id,gpu_uuid,remapped_rows.correctable,"
             "remapped_rows.uncorrectable,remapped_rows.pending,remapped_rows.failure --format=csv\n"
             "gpu_bus_id, gpu_uuid, remapped_rows.correctable, remapped_rows.uncorrectable, remapped_rows.pending, "
             "remapped_rows.failure\n00000000:07:00.0, GPU-4d2c, 0, 3, Yes, No\n")
    ids = _ids(paste)
    assert "row_remap_pending" in ids and "row_remap_failed" not in ids


@pytest.mark.parametrize("line,finding", [
    ("A pending retired page has been detected in GPU 3.", "retired_pages_pending"),
    ("| Memory                    | Fail - GPU 5 had uncorrectable memory errors and row remapping failed. |",
     "row_remap_failed"),
    ("Health Monitor Report: GPU 1 had memory errors and row remappings are pending", "row_remap_pending"),
    ("Detected 2 volatile double-bit ECC error(s) in GPU 0.", "ecc_errors"),
    ("Warning: Detected clock throttling due to thermal violation in GPU 2.", "gpu_throttling"),
    ("GPU 0 is running at PCI link width 8X, which is below the minimum allowed link generation of 16 "
     "(parameter 'pcie.min_pci_width')", "pcie_link_degraded"),
])
def test_dcgm_health_messages(line, finding):
    assert finding in _ids(line + "\n")


def test_dcgm_diag_all_pass_is_healthy():
    paste = ("+---------------------------+------------------------------------------------+\n"
             "| Diagnostic                | Result                                         |\n"
             "| Page Retirement/Row Remap | Pass                                           |\n"
             "| PCIe                      | Pass - All                                     |\n"
             "| Memory                    | Pass - All                                     |\n")
    ids = _ids(paste)
    assert not {"retired_pages_pending", "row_remap_pending", "row_remap_failed", "pcie_link_degraded"} & set(ids)


# --------------------------------------------------------------------------- lspci -vv link
LSPCI_NARROW = """01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1) (prog-if 00 [VGA controller])
\tSubsystem: NVIDIA Corporation Device 147d
\t\tLnkCap:\tPort #0, Speed 16GT/s, Width x16, ASPM L0s L1, Exit Latency L0s <1us, L1 <4us
\t\tLnkSta:\tSpeed 2.5GT/s (downgraded), Width x4 (downgraded)
"""


def test_lspci_link_narrower_than_the_gpu_can_is_noted():
    assert "pcie_link_degraded" in _ids(LSPCI_NARROW)


@pytest.mark.parametrize("paste", [
    # idle: the generation drops to save power, the width stays
    "01:00.0 3D controller: NVIDIA Corporation GA100 [A100 PCIe 40GB] (rev a1)\n"
    "\t\tLnkCap:\tPort #0, Speed 16GT/s, Width x16, ASPM not supported\n"
    "\t\tLnkSta:\tSpeed 2.5GT/s (downgraded), Width x16 (ok)\n",
    # a bridge's link, not the GPU's
    "00:01.0 PCI bridge: Intel Corporation Device 460d (rev 02) (prog-if 00 [Normal decode])\n"
    "\t\tLnkCap:\tPort #2, Speed 16GT/s, Width x16, ASPM L1\n\t\tLnkSta:\tSpeed 2.5GT/s, Width x4\n"
    "01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)\n",
])
def test_lspci_link_at_full_width_or_of_another_device_says_nothing(paste):
    assert "pcie_link_degraded" not in _ids(paste)
