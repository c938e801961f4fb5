"""``nvidia-smi -q`` output, whole or in excerpts.

``-q`` prints an indented tree of ``Key : value`` lines under section headers
("FB Memory Usage", "Remapped Rows", …), one ``GPU 00000000:07:00.0`` block per GPU.
A paste keeps the indentation when it sits in a code block; when it does not
("flat"), a key belongs to the last header seen, which is right for every key read here.
GPUs are matched by their bus id (``-q`` does not print the NVML index).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from envcheck.reading import Reading, Status

from ..partial import TOOL, Found
from ..smi_values import convert
from ..source import Pasted

SOURCE = "nvidia-smi -q"

_GPU = re.compile(r"^GPU\s+([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])\s*$")
_KV = re.compile(r"^(\s*)([A-Za-z][\w ./()-]*?)\s+:\s?(.*)$")
_HEADER = re.compile(r"^(\s*)([A-Za-z][\w ./()-]{1,50})$")

# (innermost section or None for the GPU block itself, key) → GpuFacts field
_FIELDS: Dict[Tuple[Optional[str], str], str] = {
    (None, "Product Name"): "name", (None, "GPU UUID"): "uuid", (None, "Serial Number"): "serial",
    (None, "VBIOS Version"): "vbios_version", (None, "Persistence Mode"): "persistence_mode",
    (None, "Display Active"): "display_active", (None, "Performance State"): "pstate",
    ("PCI", "Bus Id"): "pci_bus_id", ("PCI", "Replays Since Reset"): "pcie_replay_count",
    ("PCIe Generation", "Current"): "pcie_gen_current", ("PCIe Generation", "Device Current"): "pcie_gen_current",
    ("PCIe Generation", "Max"): "pcie_gen_max",
    ("Link Width", "Current"): "pcie_width_current", ("Link Width", "Device Current"): "pcie_width_current",
    ("Link Width", "Max"): "pcie_width_max",
    ("FB Memory Usage", "Total"): "memory_total_bytes", ("FB Memory Usage", "Used"): "memory_used_bytes",
    ("Utilization", "Gpu"): "utilization_gpu_pct",
    ("Ecc Mode", "Current"): "ecc_mode_current", ("MIG Mode", "Current"): "mig_mode_current",
    ("Retired Pages", "Single Bit ECC"): "retired_pages_sbe", ("Retired Pages", "Double Bit ECC"): "retired_pages_dbe",
    ("Retired Pages", "Pending Page Blacklist"): "retired_pages_pending",
    ("Retired Pages", "Pending Page Retirement"): "retired_pages_pending",
    ("Remapped Rows", "Correctable Error"): "remapped_rows_correctable",
    ("Remapped Rows", "Uncorrectable Error"): "remapped_rows_uncorrectable",
    ("Remapped Rows", "Pending"): "remapped_rows_pending",
    ("Remapped Rows", "Remapping Failure Occurred"): "remapped_rows_failed",
    ("Temperature", "GPU Current Temp"): "temp_c", ("Temperature", "GPU Shutdown Temp"): "temp_shutdown_c",
    ("Temperature", "GPU Slowdown Temp"): "temp_slowdown_c",
    ("Temperature", "GPU Max Operating Temp"): "temp_max_operating_c",
    ("Temperature", "Memory Current Temp"): "memory_temp_c",
    ("Clocks", "SM"): "clock_sm_mhz", ("Clocks", "Memory"): "clock_mem_mhz",
    ("Max Clocks", "SM"): "clock_sm_max_mhz", ("Max Clocks", "Memory"): "clock_mem_max_mhz",
}
for _section in ("Power Readings", "GPU Power Readings"):
    for _key in ("Power Draw", "Instantaneous Power Draw"):
        _FIELDS[(_section, _key)] = "power_draw_w"
    for _key in ("Power Limit", "Current Power Limit", "Enforced Power Limit"):  # later lines win: Enforced last
        _FIELDS[(_section, _key)] = "power_limit_w"

# NVML clock-event reason → the name envcheck uses (nvmlClocksEventReason* constants).
_REASONS = {
    "Idle": "gpu_idle", "Applications Clocks Setting": "applications_clocks_setting", "SW Power Cap": "sw_power_cap",
    "HW Slowdown": "hw_slowdown", "HW Thermal Slowdown": "hw_thermal_slowdown",
    "HW Power Brake Slowdown": "hw_power_brake_slowdown", "Sync Boost": "sync_boost",
    "SW Thermal Slowdown": "sw_thermal_slowdown", "Display Clock Setting": "display_clock_setting",
}
_REASON_SECTIONS = {"Clocks Event Reasons", "Clocks Throttle Reasons"}


class _Gpu:
    """What one ``GPU <bus id>`` block said, until the block ends."""

    def __init__(self, bus: str, line: int) -> None:
        self.bus, self.line = bus, line
        self.fields: Dict[str, Reading] = {}
        self.ecc: Dict[Tuple[str, str], List[Reading]] = {}
        self.reasons: Optional[List[str]] = None

    def ecc_add(self, path: List[str], key: str, reading: Reading) -> None:
        scope = "volatile" if "Volatile" in path else "aggregate" if "Aggregate" in path else None
        if scope is None:
            return
        if "Double Bit" in path and key == "Total":
            kind = "uncorrected"
        elif "Single Bit" in path and key == "Total":
            kind = "corrected"
        elif key.endswith("Uncorrectable") or "Uncorrectable" in key:
            kind = "uncorrected"
        elif key.endswith("Correctable"):
            kind = "corrected"
        else:
            return
        self.ecc.setdefault((scope, kind), []).append(reading)

    def emit(self, f: Found) -> None:
        d = f.detail(self.line)
        fields = dict(self.fields)
        for (scope, kind), readings in self.ecc.items():
            numbers = [r.value for r in readings if r.ok]
            if numbers:
                fields[f"ecc_{scope}_{kind}"] = Reading.of(sum(numbers), d)
            elif readings and all(r.status is Status.NOT_SUPPORTED for r in readings):
                fields[f"ecc_{scope}_{kind}"] = Reading.fail(Status.NOT_SUPPORTED, f"{d}: N/A")
        if self.reasons is not None:
            fields["clock_event_reasons"] = Reading.of(tuple(self.reasons), d)
        fields.setdefault("pci_bus_id", Reading.of(self.bus, d))
        f.gpu(None, self.line, **fields)


_TOP_KEYS = ("Driver Version", "KMD Version", "CUDA Version", "CUDA UMD Version", "Attached GPUs")


def _top(f: Found, key: str, value: str, i: int) -> None:
    v = value.strip()
    if key in ("Driver Version", "KMD Version") and re.match(r"^\d+\.\d+", v):
        f.set("nvml.init", True, i, detail="nvidia-smi -q ran (pasted output)")
        f.set("nvml.driver_version", v, i)
    elif key in ("CUDA Version", "CUDA UMD Version") and re.match(r"^\d+\.\d+$", v):
        f.set("nvml.cuda_driver_version", v, i)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    gpu: Optional[_Gpu] = None
    stack: List[Tuple[int, str]] = []  # (indent, header) inside the current GPU block
    flat = True
    in_log = False
    for i, line in enumerate(doc.lines):
        if "NVSMI LOG" in line:
            in_log = True
            continue
        m = _GPU.match(line)
        if m:
            if gpu:
                gpu.emit(f)
            gpu, stack, in_log, flat = _Gpu(m.group(1), i), [], True, True
            continue
        if not in_log:
            # An excerpt may start at the top-level keys, without the "NVSMI LOG" banner.
            top = _KV.match(line)
            if not (top and top.group(2).strip() in _TOP_KEYS and re.search(r"\S\s{2,}:", line)):
                continue
            in_log = True
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if gpu is not None:
            flat = flat and indent == 0
        kv = _KV.match(line)
        if kv:
            key, value = kv.group(2).strip(), kv.group(3)
            if gpu is None:
                _top(f, key, value, i)
                continue
            if not flat:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
            section = stack[-1][1] if stack else None
            path = [name for _, name in stack]
            field = _FIELDS.get((section, key)) or _FIELDS.get((None, key))
            if section in _REASON_SECTIONS and key in _REASONS:
                gpu.reasons = gpu.reasons if gpu.reasons is not None else []
                if value.strip().lower() == "active":
                    gpu.reasons.append(_REASONS[key])
            elif "ECC Errors" in path:
                gpu.ecc_add(path, key, convert("ecc_volatile_corrected", value, f.detail(i)))
            elif field:
                reading = convert(field, value, f.detail(i))
                if reading.known:
                    gpu.fields[field] = reading
            continue
        h = _HEADER.match(line)
        if h and gpu is not None and (indent > 0 or flat):
            if flat:
                stack = [(0, h.group(2).strip())]
            else:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                stack.append((indent, h.group(2).strip()))
            continue
        if indent == 0:  # the -q output ended: something else was pasted after it
            if gpu:
                gpu.emit(f)
            gpu, stack, in_log, flat = None, [], False, True
    if gpu:
        gpu.emit(f)
    return f
