"""``nvidia-smi --query-gpu=… --format=csv`` output, and ``--query-compute-apps`` /
``--query-retired-pages`` beside it.

The header names the query fields (``nvidia-smi --help-query-gpu`` lists them), with the
unit in brackets: ``name, memory.total [MiB]``. Values carry the unit too ("143771 MiB")
unless ``nounits`` was asked; ``noheader`` output can only be read when the command line
that produced it was pasted too. nvidia-smi writes "[N/A]" / "[Not Supported]" for values the
GPU does not offer, "[Requested functionality has been deprecated]" for retired fields,
and does not quote cells (no field value holds a comma).

Every driver adds fields (R610: ``kmd_version``, ``vgpu_driver_capability.*``,
``power_smoothing.*``), so a header is recognised by its shape — comma-separated field
names, at least one of them known — and the columns envcheck does not read are skipped.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.smi_values import convert, plausible_power
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.lazyre import lazy
from envcheck.reading import Reading

SOURCE = "nvidia-smi --query-gpu"

# query field → GpuFacts field ("index", "driver_version", "kmd_version" are handled apart)
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
# --query-compute-apps fields (``nvidia-smi --help-query-compute-apps``).
_APPS = {"pid", "process_name", "used_gpu_memory", "used_memory"}
_OTHER = {"index", "driver_version", "kmd_version", "count", "timestamp", "gpu_serial",
          "retired_pages.address", "retired_pages.cause", "retired_pages.timestamp"}
_KNOWN = set(_QUERY) | _APPS | _OTHER | {"clocks_throttle_reasons.active", "clocks_event_reasons.active"}
# clocks_throttle_reasons.* (before R530) and clocks_event_reasons.* (R530+) name the NVML reasons
# with the names envcheck uses.
_REASON = lazy(r"^clocks_(?:throttle|event)_reasons\.(gpu_idle|applications_clocks_setting|sw_power_cap|"
                     r"hw_slowdown|hw_thermal_slowdown|hw_power_brake_slowdown|sw_thermal_slowdown|sync_boost|"
                     r"display_clock_setting)$")
# The whole set as one bitmask: clocks_throttle_reasons.active / clocks_event_reasons.active
# ("0x0000000000000008"), dcgm-exporter's DCGM_FI_DEV_CLOCK_THROTTLE_REASONS /
# DCGM_FI_DEV_CLOCKS_EVENT_REASONS (decimal). Bits: nvml.h nvmlClocksEventReason* (named
# nvmlClocksThrottleReason* before R535), unchanged since R3xx.
REASON_BITS = ((0x1, "gpu_idle"), (0x2, "applications_clocks_setting"), (0x4, "sw_power_cap"), (0x8, "hw_slowdown"),
               (0x10, "sync_boost"), (0x20, "sw_thermal_slowdown"), (0x40, "hw_thermal_slowdown"),
               (0x80, "hw_power_brake_slowdown"), (0x100, "display_clock_setting"))
_MASK_COLUMNS = {"clocks_throttle_reasons.active", "clocks_event_reasons.active"}
_MASK = lazy(r"^(?:0x[0-9a-f]{1,16}|\d{1,10})$", re.I)


def reasons_of(mask: int) -> Tuple[str, ...]:
    """The NVML clock-event reason names set in ``mask``."""
    return tuple(name for bit, name in REASON_BITS if mask & bit)


_FIELD = lazy(r"^[A-Za-z_][\w.]*$")
_COMMAND = lazy(r"--query-(?:gpu|compute-apps)[= ]\"?'?([\w.,]+)")
_LONE_VALUE = lazy(r"^(?:\d[\d.]*(?:\s*[A-Za-z%]+)?|\[[\w/ ]+\]|Enabled|Disabled|Yes|No)$", re.I)
_VERSION = lazy(r"^\d+\.\d+(?:\.\d+)?$")


def _columns(line: str) -> Optional[List[str]]:
    """A header row → field names, or None if the line is not one."""
    if len(line) > 20000:
        return None
    cells = [c.split("[", 1)[0].strip().lower() for c in line.split(",")]  # "memory.total [MiB]"
    if len(cells) == 1:
        # A one-field query ("--query-gpu=ecc.errors.uncorrected.volatile.total") has a header
        # without commas; only nvidia-smi's dotted field names are taken alone, not a bare word.
        return cells if cells[0] in _QUERY and "." in cells[0] else None
    if not all(_FIELD.match(c) for c in cells):
        return None
    # Every column known, or one that only nvidia-smi names ("memory.total", "driver_version"): a
    # "name,version" CSV of something else is not a GPU list.
    if all(c in _KNOWN for c in cells) or any(c in _KNOWN and ("." in c or "_" in c) for c in cells):
        return cells
    return None


def _row(f: Found, columns: List[str], cells: List[str], j: int) -> Tuple[Dict[str, Reading], Optional[int]]:
    """One row → (GPU fields, the index column's value)."""
    d = f.detail(j)
    fields: Dict[str, Reading] = {}
    reasons: Optional[List[str]] = None
    index: Optional[int] = None
    process: Dict[str, str] = {}
    for col, raw in zip(columns, cells):
        reason = _REASON.match(col)
        if col == "index" and raw.isdigit():
            index = int(raw)
        elif col in ("driver_version", "kmd_version") and _VERSION.match(raw):
            f.set("nvml.driver_version", raw, j)  # kmd_version (R610+) comes later in the row: it wins
        elif col in _APPS:
            process[col] = raw
        elif col in _MASK_COLUMNS and _MASK.match(raw):
            reasons = (reasons or []) + list(reasons_of(int(raw, 0)))
        elif reason:
            reasons = reasons if reasons is not None else []
            if raw.lower() == "active":
                reasons.append(reason.group(1))
        elif col in _QUERY:
            reading = convert(_QUERY[col], raw, d)
            if reading.known:
                fields[_QUERY[col]] = reading
    if reasons is not None:
        fields["clock_event_reasons"] = Reading.of(tuple(reasons), d)
    if "power_draw_w" in fields and "power_limit_w" in fields:
        fields["power_draw_w"] = plausible_power(fields["power_draw_w"], fields["power_limit_w"])
    if process.get("pid", "").isdigit():
        used = convert("memory_used_bytes", process.get("used_gpu_memory", process.get("used_memory", "")), d)
        fields["processes"] = Reading.of(
            (GpuProcess(int(process["pid"]), Reading.of(process.get("process_name", "?"), d), used, "compute"),), d)
    return fields, index


def _rows(f: Found, columns: List[str], lines: Tuple[str, ...], start: int, by_order: bool) -> None:
    position = 0
    # --query-compute-apps and --query-retired-pages: one row per process or page, naming its
    # GPU by "gpu_bus_id" / "gpu_uuid" (--query-gpu's own columns are "pci.bus_id" / "uuid").
    per_item = "gpu_bus_id" in columns or "gpu_uuid" in columns
    apps: Dict[str, Tuple[int, Dict[str, Reading], List[GpuProcess]]] = {}
    for j in range(start, min(start + 1024, len(lines))):
        line = lines[j].strip()
        if line.startswith("#") and position == 0:
            continue  # a comment the poster put between the command and its output
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(columns) or not line or (len(columns) == 1 and not _LONE_VALUE.match(line)):
            break  # a one-field query's rows are bare values; a line of prose after it is not one
        f.set("nvml.init", True, j, detail="nvidia-smi --query-* ran (pasted output)")
        fields, index = _row(f, columns, cells, j)
        position += 1
        if per_item:
            key = fields.get("pci_bus_id") or fields.get("uuid")
            if key is not None and key.ok:
                first = apps.setdefault(key.value, (j, {}, []))
                first[1].update((k, v) for k, v in fields.items() if k != "processes")
                first[2].extend(fields["processes"].value if "processes" in fields else ())
            continue
        if index is None and by_order:
            index = position - 1  # nvidia-smi writes one row per GPU in index order
        if fields:
            f.gpu(index, j, **fields)
    for j, fields, procs in apps.values():
        if procs:
            fields["processes"] = Reading.of(tuple(procs), f.detail(j))
        f.gpu(None, j, **fields)
    if position == 0:
        f.set("nvml.init", True, max(start - 1, 0), detail="nvidia-smi --query-* ran (pasted output, no rows)")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    # A command line holds "--query-", a header row commas; no other line starts anything.
    # Lines that were neither a command nor a header (most of a long log holds a comma, and
    # repeats its lines): what they are depends on the line alone, so they are not read again.
    idle = set()
    for i in doc.lines_containing("--query-", ",", ".errors.", "retired_pages.", "remapped_rows."):
        line = lines[i].strip()
        if line in idle:
            continue
        cmd = _COMMAND.search(line)
        if cmd and "noheader" in line:
            columns = [c.lower() for c in cmd.group(1).split(",") if c]
            if any(c in _KNOWN for c in columns):
                selected = re.search(r"\s(-i|--id)[= ]", line) is not None
                _rows(f, columns, lines, i + 1, by_order=not selected)
            continue
        columns = _columns(line)
        if columns:
            selected = i > 0 and re.search(r"\s(-i|--id)[= ]", lines[i - 1]) is not None
            _rows(f, columns, lines, i + 1, by_order=not selected)
        else:
            idle.add(line)
    return f
