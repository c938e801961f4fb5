"""``nvidia-smi --query-gpu=… --format=csv`` output (with or without the header row).

The header names the query fields ("name, driver_version, memory.total [MiB]");
``noheader`` output can only be read when the command line that produced it was pasted
too. Field names follow ``nvidia-smi --help-query-gpu``.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from ..partial import TOOL, Found
from ..smi_values import convert
from ..source import Pasted

SOURCE = "nvidia-smi --query-gpu"

# query field → GpuFacts field ("index" and "driver_version" are handled apart)
_QUERY: Dict[str, str] = {
    "name": "name", "gpu_name": "name", "pci.bus_id": "pci_bus_id", "gpu_bus_id": "pci_bus_id",
    "uuid": "uuid", "gpu_uuid": "uuid", "serial": "serial", "compute_cap": "compute_capability",
    "vbios_version": "vbios_version", "memory.total": "memory_total_bytes", "memory.used": "memory_used_bytes",
    "utilization.gpu": "utilization_gpu_pct", "temperature.gpu": "temp_c", "temperature.memory": "memory_temp_c",
    "power.draw": "power_draw_w", "power.draw.instant": "power_draw_w", "power.limit": "power_limit_w",
    "enforced.power.limit": "power_limit_w", "clocks.sm": "clock_sm_mhz", "clocks.current.sm": "clock_sm_mhz",
    "clocks.mem": "clock_mem_mhz", "clocks.current.memory": "clock_mem_mhz", "clocks.max.sm": "clock_sm_max_mhz",
    "clocks.max.mem": "clock_mem_max_mhz", "clocks.max.memory": "clock_mem_max_mhz", "pstate": "pstate",
    "pcie.link.gen.current": "pcie_gen_current", "pcie.link.gen.gpucurrent": "pcie_gen_current",
    "pcie.link.gen.max": "pcie_gen_max", "pcie.link.width.current": "pcie_width_current",
    "pcie.link.width.max": "pcie_width_max", "ecc.mode.current": "ecc_mode_current",
    "ecc.errors.corrected.volatile.total": "ecc_volatile_corrected",
    "ecc.errors.uncorrected.volatile.total": "ecc_volatile_uncorrected",
    "ecc.errors.corrected.aggregate.total": "ecc_aggregate_corrected",
    "ecc.errors.uncorrected.aggregate.total": "ecc_aggregate_uncorrected",
    "retired_pages.sbe": "retired_pages_sbe", "retired_pages.single_bit_ecc.count": "retired_pages_sbe",
    "retired_pages.dbe": "retired_pages_dbe", "retired_pages.double_bit.count": "retired_pages_dbe",
    "retired_pages.pending": "retired_pages_pending", "remapped_rows.correctable": "remapped_rows_correctable",
    "remapped_rows.uncorrectable": "remapped_rows_uncorrectable", "remapped_rows.pending": "remapped_rows_pending",
    "remapped_rows.failure": "remapped_rows_failed", "persistence_mode": "persistence_mode",
    "mig.mode.current": "mig_mode_current", "display_active": "display_active",
}
_KNOWN = set(_QUERY) | {"index", "driver_version", "count", "timestamp"}
_COMMAND = re.compile(r"--query-gpu[= ]([\w.,]+)")


def _columns(line: str) -> Optional[List[str]]:
    """A header row → field names, or None if the line is not one."""
    if "," not in line or len(line) > 2000:
        return None
    cells = [c.split("[", 1)[0].strip().lower() for c in line.split(",")]  # "memory.total [MiB]"
    if len(cells) < 2 or not all(c in _KNOWN for c in cells):
        return None
    return cells


def _rows(f: Found, columns: List[str], lines: Tuple[str, ...], start: int, by_order: bool) -> None:
    position = 0
    for j in range(start, min(start + 256, len(lines))):
        cells = [c.strip() for c in lines[j].split(",")]
        if len(cells) != len(columns) or not lines[j].strip():
            break
        d = f.detail(j)
        fields = {}
        index: Optional[int] = position if by_order else None
        for col, raw in zip(columns, cells):
            if col == "index" and raw.isdigit():
                index = int(raw)
            elif col == "driver_version" and re.match(r"^\d+\.\d+", raw):
                f.set("nvml.driver_version", raw, j)
            elif col in _QUERY:
                reading = convert(_QUERY[col], raw, d)
                if reading.known:
                    fields[_QUERY[col]] = reading
        f.set("nvml.init", True, j, detail="nvidia-smi --query-gpu ran (pasted output)")
        f.gpu(index, j, **fields)
        position += 1


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        cmd = _COMMAND.search(line)
        if cmd:
            columns = [c.lower() for c in cmd.group(1).split(",") if c]
            selected = re.search(r"\s(-i|--id)[= ]", line) is not None
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if "noheader" in line and all(c in _KNOWN for c in columns):
                _rows(f, columns, lines, i + 1, by_order=not selected)
            elif _columns(nxt):
                _rows(f, _columns(nxt), lines, i + 2, by_order=not selected)
                i += 1
            i += 1
            continue
        columns = _columns(line)
        if columns:
            _rows(f, columns, lines, i + 1, by_order=True)
        i += 1
    return f
