"""nvidia-smi: the table (three header generations), -L, and its failure messages."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import nvidia_smi
from envcheck.facts import GpuProcess
from envcheck.reading import Reading, Status

from .helpers import details, gpu_fields, items, load, text, values

MIB = 1 << 20


def test_classic_2017_table_with_truncated_name_and_processes():
    f = nvidia_smi.parse(load("nvidia_smi_2017.txt"))
    v = values(f)
    assert v["nvml.init"] is True and v["nvml.driver_version"] == "384.111"
    assert "nvml.cuda_driver_version" not in v  # the header had no CUDA version before ~R410
    g = [x for x in gpu_fields(f) if "name" in x][0]
    assert g["index"] == 0 and g["name"] == "GeForce GTX 108" and g["pci_bus_id"] == "00000000:01:00.0"
    name = [r for c in f.gpus for k, r in c.fields if k == "name"][0]
    assert "truncated" in name.detail
    row2 = [x for x in gpu_fields(f) if "temp_c" in x][0]
    assert row2 == {"index": 0, "temp_c": 35, "pstate": 8, "power_draw_w": 10.0, "power_limit_w": 250.0,
                    "memory_used_bytes": 403 * MIB, "memory_total_bytes": 11171 * MIB, "utilization_gpu_pct": 0}
    procs = [x["processes"] for x in gpu_fields(f) if "processes" in x]
    assert procs == [(GpuProcess(1130, Reading.of("/usr/lib/xorg/Xorg"), Reading.of(401 * MIB), "graphics"),)]


def test_r550_two_gpus():
    f = nvidia_smi.parse(load("nvidia_smi_r550_two_gpus.txt"))
    v = values(f)
    assert v["nvml.driver_version"] == "550.90.07" and v["nvml.cuda_driver_version"] == "12.4"
    by_index = {}
    for g in gpu_fields(f):
        by_index.setdefault(g.pop("index"), {}).update(g)
    assert set(by_index) == {0, 1}
    assert by_index[0]["name"] == by_index[1]["name"] == "NVIDIA GeForce RTX 4090"
    assert by_index[0]["display_active"] is True and by_index[1]["display_active"] is False
    assert by_index[0]["persistence_mode"] is False
    assert by_index[1]["power_draw_w"] == "not_supported" and by_index[1]["power_limit_w"] == 450.0
    assert by_index[1]["pstate"] == 2
    assert [p.pid for p in by_index[0]["processes"]] == [2316, 2511]
    assert [(p.pid, p.kind) for p in by_index[1]["processes"]] == [(88123, "compute")]


def test_r610_header_kmd_and_umd_versions():
    f = nvidia_smi.parse(load("nvidia_smi_r610.txt"))
    v = values(f)
    assert v["nvml.driver_version"] == "610.57.04"
    assert v["nvml.cuda_driver_version"] == "13.3"
    names = [g["name"] for g in gpu_fields(f) if "name" in g]
    assert names == ["NVIDIA GeForce RTX 5080"]
    assert [g["processes"] for g in gpu_fields(f) if "processes" in g] == [()]


def test_windows_wddm_table():
    f = nvidia_smi.parse(load("nvidia_smi_windows.txt"))
    g = [x for x in gpu_fields(f) if "name" in x][0]
    assert g["name"] == "NVIDIA GeForce RTX 3060" and "persistence_mode" not in g
    assert values(f)["nvml.driver_version"] == "552.12"


def test_gpu_list_with_uuids():
    f = nvidia_smi.parse(text("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0b1c2d3e-aaaa-bbbb-cccc-1234567890ab)\n"
                              "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-1b1c2d3e-aaaa-bbbb-cccc-1234567890ab)\n"))
    assert [(g["index"], g["name"]) for g in gpu_fields(f)] == [(0, "NVIDIA H100 80GB HBM3"), (1, "NVIDIA H100 80GB HBM3")]
    assert values(f)["nvml.init"] is True


@pytest.mark.parametrize("line, error, status", [
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
     "NVIDIA driver is installed and running.", "driver_not_loaded", "error"),
    ("Failed to initialize NVML: Driver/library version mismatch", "lib_rm_version_mismatch", "error"),
    ("Failed to initialize NVML: Unknown Error", "unknown", "error"),
    ("Failed to initialize NVML: Insufficient Permissions", "no_permission", "no_permission"),
    ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display "
     "Driver is properly installed and present in your system.", "library_not_found", "not_found"),
])
def test_nvml_session_failures(line, error, status):
    f = nvidia_smi.parse(text(line))
    v = values(f)
    assert v["nvml.init"] == status and v["nvml.init_error"] == error
    assert details(f)["nvml.init"] == line
    assert items(f, "torch.errors") == [line]


@pytest.mark.parametrize("line", [
    "bash: nvidia-smi: command not found",
    "nvidia-smi: command not found (inside container)",
    "/bin/sh: 1: nvidia-smi: not found",
    "Command 'nvidia-smi' not found, but can be installed with:",
    "'nvidia-smi' is not recognized as an internal or external command,",
    "你好，安装完之后 nvcc -V显示了 cuda 版本，但是 nvidia-smi 命令返回错误 command not found",
])
def test_nvidia_smi_missing(line):
    v = values(nvidia_smi.parse(text(line)))
    assert v["driver.nvidia_smi_path"] == "not_found"
    assert v["nvml.init"] == "not_found" and v["nvml.init_error"] == "library_not_found"


def test_version_mismatch_with_library_version_line():
    v = values(nvidia_smi.parse(text("Failed to initialize NVML: Driver/library version mismatch\n"
                                     "NVML library version: 550.107\n")))
    assert v["driver.userspace_library_version"] == "550.107"


def test_no_devices_and_lost_gpu():
    v = values(nvidia_smi.parse(text("No devices were found\n")))
    assert v["nvml.init"] is True and v["nvml.gpus"] == ()
    f = nvidia_smi.parse(text("Unable to determine the device handle for GPU0000:02:00.0: GPU is lost.  "
                              "Reboot the system to recover this GPU\n"))
    g = gpu_fields(f)[0]
    assert g["index"] is None and g["pci_bus_id"] == "0000:02:00.0" and g["status"] == Status.GPU_LOST.value


def test_smi_path_and_err_cells():
    v = values(nvidia_smi.parse(text("$ which nvidia-smi\n/usr/bin/nvidia-smi\n")))
    assert v["driver.nvidia_smi_path"] == "/usr/bin/nvidia-smi"
    f = nvidia_smi.parse(text("|   0  ERR!                Off  | 00000000:01:00.0 Off |                 ERR! |\n"
                              "|ERR!  ERR!  ERR!    ERR! / 250W |    0MiB / 11178MiB |    ERR!      Default |\n"))
    g = gpu_fields(f)
    assert g[0]["status"] == "gpu_lost" and "name" not in g[0]  # not even the name answered
    assert g[1]["temp_c"] == "error" and g[1]["power_draw_w"] == "error"
