"""nvidia-smi -q (indented and flattened) and --query-gpu CSV."""

from __future__ import annotations

from envcheck.explain.parsers import nvidia_smi_csv, nvidia_smi_q
from envcheck.explain.smi_values import convert

from .helpers import gpu_fields, load, text, values

MIB = 1 << 20


def test_q_a100_excerpt():
    f = nvidia_smi_q.parse(load("nvidia_smi_q_a100.txt"))
    v = values(f)
    assert v["nvml.driver_version"] == "535.183.01" and v["nvml.cuda_driver_version"] == "12.2"
    [g] = gpu_fields(f)
    assert g["index"] is None and g["pci_bus_id"] == "00000000:07:00.0"
    expected = {
        "name": "NVIDIA A100-SXM4-80GB", "display_active": False, "persistence_mode": True, "mig_mode_current": False,
        "serial": "1320000000000", "uuid": "GPU-00000000-1111-2222-3333-444444444444", "vbios_version": "92.00.45.00.08",
        "pcie_gen_max": 4, "pcie_gen_current": 4, "pcie_width_max": 16, "pcie_width_current": 8, "pcie_replay_count": 0,
        "pstate": 0, "clock_event_reasons": ("sw_power_cap",), "memory_total_bytes": 81920 * MIB,
        "memory_used_bytes": 4 * MIB, "utilization_gpu_pct": 0, "ecc_mode_current": True,
        "ecc_volatile_corrected": 3, "ecc_volatile_uncorrected": 1, "ecc_aggregate_corrected": 12,
        "ecc_aggregate_uncorrected": 2, "retired_pages_sbe": "not_supported", "retired_pages_dbe": "not_supported",
        "retired_pages_pending": "not_supported", "remapped_rows_correctable": 0, "remapped_rows_uncorrectable": 2,
        "remapped_rows_pending": True, "remapped_rows_failed": False, "temp_c": 34, "temp_shutdown_c": 92,
        "temp_slowdown_c": 89, "temp_max_operating_c": 85, "memory_temp_c": 45, "power_draw_w": 62.15,
        "power_limit_w": 400.0, "clock_sm_mhz": 1275, "clock_mem_mhz": 1593, "clock_sm_max_mhz": 1410,
        "clock_mem_max_mhz": 1593,
    }
    for key, value in expected.items():
        assert g[key] == value, key


def test_q_flattened_paste_still_reads_sections():
    f = nvidia_smi_q.parse(load("nvidia_smi_q_flat.txt"))
    assert values(f)["nvml.driver_version"] == "470.223.02"
    [g] = gpu_fields(f)
    assert g["name"] == "Tesla V100-PCIE-32GB" and g["persistence_mode"] is False
    assert g["retired_pages_sbe"] == 2 and g["retired_pages_dbe"] == 1 and g["retired_pages_pending"] is True
    assert g["temp_c"] == 71 and g["power_draw_w"] == 250.11 and g["power_limit_w"] == 250.0


def test_q_old_ecc_layout_and_throttle_reasons():
    doc = text("GPU 00000000:04:00.0\n    Product Name                    : Tesla P100-PCIE-16GB\n"
               "    Clocks Throttle Reasons\n        Idle                        : Active\n"
               "        HW Slowdown                 : Active\n"
               "    ECC Errors\n        Volatile\n            Single Bit\n"
               "                Device Memory       : 5\n                Total               : 5\n"
               "            Double Bit\n                Device Memory       : 0\n                Total               : 0\n")
    [g] = gpu_fields(nvidia_smi_q.parse(doc))
    assert g["clock_event_reasons"] == ("gpu_idle", "hw_slowdown")
    assert g["ecc_volatile_corrected"] == 5 and g["ecc_volatile_uncorrected"] == 0


def test_q_block_ends_at_unindented_text():
    f = nvidia_smi_q.parse(load("nvidia_smi_q_a100.txt"))
    assert len(f.gpus) == 1  # "$ echo done" after the block opens nothing new


def test_query_gpu_csv_with_and_without_header():
    f = nvidia_smi_csv.parse(load("nvidia_smi_query.txt"))
    assert values(f)["nvml.driver_version"] == "570.124.06"
    rows = gpu_fields(f)
    assert rows[0] == {"index": 0, "name": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0",
                       "memory_total_bytes": 81559 * MIB, "temp_c": 31, "pcie_gen_current": 5, "pcie_gen_max": 5}
    assert rows[1]["index"] == 1 and rows[1]["pcie_gen_current"] == 1
    # noheader rows: the command line names the columns; order gives the index
    assert rows[2] == {"index": 0, "name": "NVIDIA H100 80GB HBM3", "remapped_rows_pending": False}
    assert rows[3] == {"index": 1, "name": "NVIDIA H100 80GB HBM3", "remapped_rows_pending": True}


def test_smi_value_spellings():
    assert convert("memory_total_bytes", "24564 MiB", "d").value == 24564 * MIB
    assert convert("memory_total_bytes", "80 GiB", "d").value == 80 * 1024 * MIB
    assert convert("temp_c", "34 C", "d").value == 34
    assert convert("pcie_width_max", "16x", "d").value == 16
    assert convert("pstate", "P8", "d").value == 8
    assert convert("persistence_mode", "Enabled", "d").value is True
    assert convert("remapped_rows_pending", "No", "d").value is False
    assert convert("temp_c", "[N/A]", "d").status.value == "not_supported"
    assert convert("power_draw_w", "[Insufficient Permissions]", "d").status.value == "no_permission"
    assert convert("temp_c", "[GPU requires reset]", "d").status.value == "error"
    assert convert("name", "Unknown Error", "d").status.value == "error"
    assert convert("compute_capability", "12.0", "d").value == "12.0"
    assert not convert("temp_c", "hot", "d").known
