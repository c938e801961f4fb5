"""nvidia-smi's text conventions, shared by the readers of its formats (table, ``-q``, ``-q -x``,
``--query-gpu``, ``-L``, ``topo -m``, ``nvlink -s``) and of ``deviceQuery``.

Values: nvidia-smi prints "N/A" for a value the GPU or driver does not offer (NVML's
NotSupported), "[Not Supported]" in ``--query-*`` CSV for the same, "[Insufficient
Permissions]" when the user may not read it, "[GPU requires reset]" / "Unknown Error" /
"ERR!" when the query failed, "GPU is lost" when the GPU stopped answering, and units after
numbers ("81920 MiB", "34 C", "60.52 W", "16x", "P0") unless ``nounits`` is asked.

Margins: pastes put things before every line of a tool's output: MATLAB's ``!nvidia-smi``
echoes each line after "% ", a forum post indents the block, a shell transcript keeps
``$``-prompts. :func:`unmargined` takes the per-line margins off so each reader sees
nvidia-smi's own layout.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import IMPLAUSIBLE, Reading, Status

_MIB = 1 << 20

# A PCI address as nvidia-smi prints it: "00000000:07:00.0" (R384+), "0000:07:00.0" (older
# drivers, lspci) and Hyper-V's "00008ED0:00:00.0".
BUS_ID = r"[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]"
# "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)": ``nvidia-smi -L``, and the line above each GPU's
# part of ``nvlink -s``. The UUID may be empty ("GPU-") or elided by the poster ("...").
GPU_LINE = lazy(r"^GPU (?P<idx>\d+): (?P<name>.+?) \(UUID: ?(?P<uuid>[^)]*)\)")

# A power draw above this multiple of the power limit is not a measurement: boards hold
# their average draw at the limit (brief excursions over it are milliseconds long, well
# below nvidia-smi's sampling), so 3x the limit (312 W on a 35 W laptop part) is a sensor
# or firmware misreading, and no rule should reason from it.
IMPLAUSIBLE_POWER_RATIO = 3.0

# GpuFacts field → how its value is written.
KIND: Dict[str, str] = {
    "name": "str", "uuid": "str", "serial": "str", "pci_bus_id": "str", "vbios_version": "str",
    "compute_capability": "cc",
    "memory_total_bytes": "mib", "memory_used_bytes": "mib",
    "utilization_gpu_pct": "int", "temp_c": "int", "temp_slowdown_c": "int", "temp_shutdown_c": "int",
    "temp_max_operating_c": "int", "memory_temp_c": "int",
    "power_draw_w": "float", "power_limit_w": "float",
    "clock_sm_mhz": "int", "clock_mem_mhz": "int", "clock_sm_max_mhz": "int", "clock_mem_max_mhz": "int",
    "pstate": "pstate",
    "pcie_gen_current": "int", "pcie_gen_max": "int", "pcie_width_current": "int", "pcie_width_max": "int",
    "pcie_replay_count": "int",
    "ecc_mode_current": "bool", "ecc_volatile_corrected": "int", "ecc_volatile_uncorrected": "int",
    "ecc_aggregate_corrected": "int", "ecc_aggregate_uncorrected": "int",
    "retired_pages_sbe": "int", "retired_pages_dbe": "int", "retired_pages_pending": "bool",
    "remapped_rows_correctable": "int", "remapped_rows_uncorrectable": "int",
    "remapped_rows_pending": "bool", "remapped_rows_failed": "bool",
    "persistence_mode": "bool", "mig_mode_current": "bool", "display_active": "bool",
}

_TRUE = {"enabled", "yes", "on", "active", "true", "1"}
_FALSE = {"disabled", "no", "off", "not active", "false", "0"}


def _failed(raw: str, detail: str) -> Optional[Reading]:
    t = raw.strip().strip("[]").lower()
    if t in ("n/a", "not supported", "notsupported", "requested functionality has been deprecated"):
        return Reading.fail(Status.NOT_SUPPORTED, f"{detail}: {raw.strip()}")
    if "insufficient permissions" in t or "no permission" in t:
        return Reading.fail(Status.NO_PERMISSION, f"{detail}: {raw.strip()}")
    if "gpu is lost" in t:
        return Reading.fail(Status.GPU_LOST, f"{detail}: {raw.strip()}")
    if "requires reset" in t or "unknown error" in t or "err!" in t:
        return Reading.fail(Status.ERROR, f"{detail}: {raw.strip()}")
    return None


def convert(field: str, raw: str, detail: str) -> Reading:
    """nvidia-smi's text for ``field`` → a reading (``unknown`` when it cannot be read)."""
    failed = _failed(raw, detail)
    if failed is not None:
        return failed
    kind = KIND[field]
    t = raw.strip()
    if kind == "str":
        return Reading.of(t, detail) if t else Reading.unknown()
    if kind == "bool":
        low = t.lower()
        if low in _TRUE:
            return Reading.of(True, detail)
        if low in _FALSE:
            return Reading.of(False, detail)
        return Reading.unknown()
    if kind == "pstate":
        m = re.match(r"^P(\d+)$", t)
        return Reading.of(int(m.group(1)), detail) if m else Reading.unknown()
    if kind == "cc":
        m = re.match(r"^(\d+)\.(\d+)$", t)
        return Reading.of(f"{m.group(1)}.{m.group(2)}", detail) if m else Reading.unknown()
    m = re.match(r"^(-?\d+(?:\.\d+)?)\s*([A-Za-z%]*)", t)
    if not m:
        return Reading.unknown()
    number = float(m.group(1))
    unit = m.group(2).lower()
    if kind == "mib":
        scale = {"gib": 1024 * _MIB, "kib": 1024, "b": 1}.get(unit, _MIB)
        return Reading.of(int(number * scale), detail)
    if kind == "float":
        return Reading.of(number, detail)
    return Reading.of(int(number), detail)


def plausible_power(draw: Reading, limit: Reading) -> Reading:
    """The draw reading, or an error saying why it cannot be right (see IMPLAUSIBLE_POWER_RATIO)."""
    if draw.ok and limit.ok and limit.value and draw.value > IMPLAUSIBLE_POWER_RATIO * limit.value:
        return Reading.fail(Status.ERROR, f"{IMPLAUSIBLE}: {draw.value:g} W drawn against a {limit.value:g} W "
                                          f"limit ({draw.detail or 'nvidia-smi'})")
    return draw


def unmargined(doc: Pasted) -> Tuple[str, ...]:
    """The lines without MATLAB's "% " echo margin (``!nvidia-smi -q`` in a MATLAB session writes
    every line of the output after "% "); indentation is left to each reader, which reads it
    relative to its own block. Once per paste: six readers ask."""
    return doc.once("smi_values.unmargined", _unmargined)


def _unmargined(doc: Pasted) -> Tuple[str, ...]:
    if not (doc.text.startswith("%") or "\n%" in doc.text):  # no line starts with "%"
        return doc.lines
    # Only the lines that start with "%" (found by one scan for a newline and "%") are changed: a
    # loop over every line of 4 MiB costs 15 ms, a sub and a split of the whole paste more.
    out = list(doc.lines)
    for i in doc.lines_starting(_MARGIN):
        line = out[i]
        out[i] = line[2:] if line[1:2] == " " else line[1:]
    return tuple(out)


_MARGIN = lazy("%")


def same_bus(a: Optional[str], b: Optional[str]) -> bool:
    """"00000000:07:00.0", "0000:07:00.0" and "07:00.0" name the same PCI function."""
    return bool(a and b) and a.lower()[-7:] == b.lower()[-7:]
