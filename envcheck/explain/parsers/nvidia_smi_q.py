"""``nvidia-smi -q`` (and ``-q -d SECTION,…``) output, whole, in excerpts or flattened.

``-q`` prints the top-level keys ("Driver Version", since R610 also "KMD Version" and
"CUDA UMD Version", the old pair then marked "[Deprecated; …]"), then one block per GPU:
a ``GPU 00000000:07:00.0`` header and an indented tree of ``Key : value`` lines under
section headers ("FB Memory Usage", "Remapped Rows", "Processes", …). The layout is
documented in the nvidia-smi manual page (``man nvidia-smi``, "-q, --query").

* **Every block is a GPU**, keyed by its bus id (``-q`` does not print the NVML index; the
  assembler orders GPUs by the order of their blocks and joins them with other readers'
  GPUs by bus id).
* A paste may keep the indentation (read relative to the block's ``GPU`` line, so a block
  indented as a whole still reads) or lose it ("flat"; a key then belongs to the last
  header seen, which is right for every key read here).
* ``-q -d ECC,PAGE_RETIREMENT,ROW_REMAPPER`` prints only those sections under each GPU
  header; a section cut out *without* its GPU header (a fragment) is read as a GPU with no
  identity, which the assembler gives to the one GPU of the paste.
* MIG devices ("MIG Device" sub-blocks, R470+) have their own memory and ECC counters: they
  are not the GPU's and are skipped.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from envcheck.explain.partial import LISTING, TOOL, Found
from envcheck.explain.smi_values import BUS_ID, convert, plausible_power, unmargined
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "nvidia-smi -q"

_GPU = lazy(rf"^(\s*)GPU\s+({BUS_ID})\s*$")
_KV = lazy(r"^(\s*)([A-Za-z][\w ./()-]*?)\s+:\s?(.*)$")
_HEADER = lazy(r"^(\s*)([A-Za-z][\w ./()-]{1,50})$")
_VERSION = lazy(r"^(\d+\.\d+(?:\.\d+)?)\b")

# (innermost section or None for the GPU block itself, key) → GpuFacts field
_FIELDS: Dict[Tuple[Optional[str], str], str] = {
    (None, "Product Name"): "name", (None, "GPU UUID"): "uuid", (None, "Serial Number"): "serial",
    (None, "VBIOS Version"): "vbios_version", (None, "Persistence Mode"): "persistence_mode",
    (None, "Display Active"): "display_active", (None, "Performance State"): "pstate",
    ("PCI", "Bus Id"): "pci_bus_id", ("PCI", "Replays Since Reset"): "pcie_replay_count",
    ("PCI", "Replays since reset"): "pcie_replay_count",
    ("PCIe Generation", "Current"): "pcie_gen_current", ("PCIe Generation", "Device Current"): "pcie_gen_current",
    ("PCIe Generation", "Max"): "pcie_gen_max",
    ("Link Width", "Current"): "pcie_width_current", ("Link Width", "Device Current"): "pcie_width_current",
    ("Link Width", "Max"): "pcie_width_max",
    ("FB Memory Usage", "Total"): "memory_total_bytes", ("FB Memory Usage", "Used"): "memory_used_bytes",
    ("Utilization", "Gpu"): "utilization_gpu_pct",
    ("Ecc Mode", "Current"): "ecc_mode_current", ("ECC Mode", "Current"): "ecc_mode_current",
    ("MIG Mode", "Current"): "mig_mode_current",
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
# Sections that open a fragment pasted without its GPU header (``-q -d …`` cut by hand).
_SECTIONS = ({s for s, _ in _FIELDS if s} | _REASON_SECTIONS
             | {"ECC Errors", "Processes", "BAR1 Memory Usage", "Conf Compute Protected Memory Usage"})
_MIG = ("MIG Device", "MIG Devices")
_REMAP = ("remapped_rows_correctable", "remapped_rows_uncorrectable", "remapped_rows_pending", "remapped_rows_failed")
_TOP_KEYS = ("Driver Version", "KMD Version", "CUDA Version", "CUDA UMD Version", "Attached GPUs")


class _Gpu:
    """What one ``GPU <bus id>`` block (or a headerless fragment) said, until it ends."""

    def __init__(self, bus: Optional[str], line: int, base: int, first: str = "") -> None:
        self.bus, self.line, self.base, self.first = bus, line, base, first
        self.fields: Dict[str, Reading] = {}
        self.ecc: Dict[Tuple[str, str], List[Reading]] = {}
        self.reasons: Optional[List[str]] = None
        self.processes: Optional[List[Dict[str, Reading]]] = None

    def ecc_add(self, path: List[str], key: str, reading: Reading) -> None:
        scope = "volatile" if "Volatile" in path else "aggregate" if "Aggregate" in path else None
        if scope is None:
            return
        if "Double Bit" in path and key == "Total":
            kind = "uncorrected"
        elif "Single Bit" in path and key == "Total":
            kind = "corrected"
        elif "Uncorrectable" in key:
            kind = "uncorrected"
        elif key.endswith("Correctable"):
            kind = "corrected"
        else:
            return
        self.ecc.setdefault((scope, kind), []).append(reading)

    def process(self, key: str, value: str, detail: str) -> None:
        """A ``Processes`` entry: "Process ID" opens one, "Type" / "Name" / "Used GPU Memory" fill it."""
        if self.processes is None:
            self.processes = []
        if key == "Process ID" and value.strip().isdigit():
            self.processes.append({"pid": Reading.of(int(value.strip()), detail)})
        elif self.processes and key in ("Type", "Name", "Used GPU Memory"):
            if key == "Used GPU Memory":
                used = convert("memory_used_bytes", value, detail)
                # Windows (WDDM) prints "Not available in WDDM driver model": the driver does not say.
                self.processes[-1][key] = used if used.known else Reading.fail(Status.NOT_SUPPORTED,
                                                                              f"{detail}: {value.strip()}")
            else:
                self.processes[-1][key] = Reading.of(value.strip(), detail)

    def emit(self, f: Found, index: Optional[int] = None) -> None:
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
        if self.processes is not None:
            fields["processes"] = Reading.of(tuple(
                GpuProcess(p["pid"].value, p.get("Name", Reading.unknown()), p.get("Used GPU Memory", Reading.unknown()),
                           "graphics" if p.get("Type", Reading.unknown()).value == "G" else "compute")
                for p in self.processes), d)
        if "power_draw_w" in fields and "power_limit_w" in fields:
            fields["power_draw_w"] = plausible_power(fields["power_draw_w"], fields["power_limit_w"])
        lost = [r for r in fields.values() if r.status is Status.GPU_LOST]
        if lost:
            fields["status"] = Reading.fail(Status.GPU_LOST, lost[0].detail)
        if self.bus is not None:
            fields.setdefault("pci_bus_id", Reading.of(self.bus, d))
        f.set("nvml.init", True, self.line, detail="nvidia-smi -q ran (pasted output)")
        if fields:
            f.gpu(index, self.line, **fields)


def _top(f: Found, key: str, value: str, i: int) -> None:
    v = value.strip()
    m = _VERSION.match(v)
    if key in ("Driver Version", "KMD Version") and m:
        f.set("nvml.init", True, i, detail="nvidia-smi -q ran (pasted output)")
        f.set("nvml.driver_version", m.group(1), i)
    elif key in ("CUDA Version", "CUDA UMD Version"):
        if m:
            f.set("nvml.cuda_driver_version", m.group(1), i)
        elif "ERR!" in v:
            f.fail("nvml.cuda_driver_version", Status.ERROR, i, detail=f"nvidia-smi -q printed {key}: ERR!")


def _belongs(section: str, key: str) -> bool:
    """Is ``key`` one nvidia-smi prints under ``section`` (so a headerless fragment is -q's)?"""
    return ((section, key) in _FIELDS or (section in _REASON_SECTIONS and key in _REASONS)
            or (section == "Processes" and key in ("GPU instance ID", "Compute instance ID", "Process ID"))
            or (section == "ECC Errors" and key in ("Volatile", "Aggregate"))
            or (section.endswith("Memory Usage") and key in ("Total", "Used", "Free", "Reserved")))


def _fragment(lines: Tuple[str, ...], i: int) -> Optional[Tuple[int, bool]]:
    """(indent, flat) of a known section header at line ``i`` followed by one of its keys, else
    None. Flat: the keys are not indented (a paste that lost the indentation)."""
    h = _HEADER.match(lines[i])
    name = h.group(2).strip() if h else None
    if name not in _SECTIONS or i + 1 >= len(lines):
        return None
    nxt = lines[i + 1]
    kv = _KV.match(nxt) or _HEADER.match(nxt)
    if not kv or not _belongs(name, kv.group(2).strip()):
        return None
    if len(kv.group(1)) > len(h.group(1)):
        return len(h.group(1)), False
    return (len(h.group(1)), True) if len(kv.group(1)) == len(h.group(1)) and _KV.match(nxt) else None


# Outside a GPU block only a line holding one of these (lower case) can start one or say
# something: a GPU header, a top-level key, a section name. Inside a block every line counts.
_MAY_OPEN = tuple(k.lower() for k in _TOP_KEYS) + tuple(sorted(s.lower() for s in _SECTIONS))
_MAY_BE_GPU = lazy(r"GPU\s+[0-9A-Fa-f]{4,8}:")  # what _GPU needs, found with one scan of the text


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = unmargined(doc)
    may_open = set(doc.lines_containing(*_MAY_OPEN)) | set(doc.lines_with(_MAY_BE_GPU))
    gpu: Optional[_Gpu] = None
    stack: List[Tuple[int, str]] = []  # (indent, header) inside the current GPU block
    flat = True
    fragments: List[_Gpu] = []  # sections pasted without their GPU header
    for i, line in enumerate(lines):
        if gpu is None and i not in may_open:
            continue
        if "NVSMI LOG" in line:
            continue
        m = _GPU.match(line)
        if m:
            if gpu and gpu.bus:
                gpu.emit(f)
            gpu, stack, flat = _Gpu(m.group(2), i, len(m.group(1))), [], True
            continue
        if gpu is None:
            top = _KV.match(line)
            if top and top.group(2).strip() in _TOP_KEYS and re.search(r"\S\s{2,}:", line):
                # An excerpt may start at the top-level keys, without the "NVSMI LOG" banner.
                _top(f, top.group(2).strip(), top.group(3), i)
                continue
            if _HEADER.match(line) and line.strip() in _SECTIONS and len(line.strip().split()) > 1:
                # A section name alone (``-q | grep 'Clocks Event Reasons'``): nvidia-smi -q ran, no more.
                f.set("nvml.init", True, i, rank=LISTING, detail="nvidia-smi -q ran (a section name in the text)")
            start = _fragment(lines, i)
            if start is None:
                continue
            indent, flat = start
            gpu, stack = _Gpu(None, i, indent if flat else indent - 1, line.strip()), []
            fragments.append(gpu)
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        rel = indent - gpu.base
        flat = flat and rel <= 0
        kv = _KV.match(line)
        if kv and (rel > 0 or flat):
            key, value = kv.group(2).strip(), kv.group(3)
            if not flat:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
            path = [name for _, name in stack]
            section = path[-1] if path else None
            d = f.detail(i)
            if any(p in _MIG for p in path):
                continue  # a MIG device's own memory and counters, not the GPU's
            if section in _REASON_SECTIONS and key in _REASONS:
                gpu.reasons = gpu.reasons if gpu.reasons is not None else []
                if value.strip().lower() == "active":
                    gpu.reasons.append(_REASONS[key])
            elif "ECC Errors" in path:
                gpu.ecc_add(path, key, convert("ecc_volatile_corrected", value, d))
            elif section == "Processes":
                gpu.process(key, value, d)
            elif key == "Processes" and value.strip() == "None":
                gpu.processes = []
            elif key == "Remapped Rows" and value.strip() == "N/A":
                for field in _REMAP:  # GPUs before Ampere have no row remapper
                    gpu.fields[field] = Reading.fail(Status.NOT_SUPPORTED, f"{d}: Remapped Rows: N/A")
            else:
                field = _FIELDS.get((section, key)) or _FIELDS.get((None, key))
                if field:
                    reading = convert(field, value, d)
                    if reading.known:
                        gpu.fields[field] = reading
            continue
        h = _HEADER.match(line)
        if h and (rel > 0 or flat):
            name = h.group(2).strip()
            if flat:
                stack = [(0, name)]
            else:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                stack.append((indent, name))
            if name in _MIG:
                gpu.fields["mig_mode_current"] = Reading.of(True, f.detail(i))
            continue
        # Anything else at the block's own level: the -q output ended, something else was pasted.
        if gpu.bus:
            gpu.emit(f)
        gpu, stack, flat = None, [], True
    if gpu and gpu.bus:
        gpu.emit(f)
    _emit_fragments(f, fragments, headed=any(g.index is None for g in f.gpus))
    return f


def _emit_fragments(f: Found, fragments: List[_Gpu], headed: bool) -> None:
    """Sections without a GPU header. A section comes once per GPU, so when one repeats
    (``-q | grep -A 9 'Clocks Event Reasons'`` on a 4-GPU machine) the fragments are the
    GPUs in -q's order, which is the NVML index order; otherwise they are one GPU, unnamed.
    Beside blocks with their headers (``headed``) a fragment is always unnamed."""
    ordinal, seen, indices = 0, set(), []
    for frag in fragments:
        if frag.first in seen:
            ordinal, seen = ordinal + 1, set()
        seen.add(frag.first)
        indices.append(ordinal)
    for frag, index in zip(fragments, indices):
        frag.emit(f, index if ordinal > 0 and not headed else None)
