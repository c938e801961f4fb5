"""``nvidia-smi -q -x``: the ``-q`` report as XML (``nvsmi_device_v11.dtd`` … ``v13.dtd``).

The document is ``<nvidia_smi_log>`` with ``driver_version`` / ``cuda_version`` (R610 adds
``kmd_version`` / ``cuda_umd_version``, the old pair deprecated), ``attached_gpus`` and one
``<gpu id="00000000:07:00.0">`` per GPU, whose elements mirror the ``-q`` text ("FB Memory
Usage" is ``fb_memory_usage``, values keep their units: ``<total>81920 MiB</total>``). Element
names come from the DTD nvidia-smi names in its ``DOCTYPE``; renamed elements (R530's
``clocks_event_reasons`` for ``clocks_throttle_reasons``, ``gpu_power_readings`` for
``power_readings``, v13's ``instant_power_draw``) are read under both names.

Safety: the text comes from strangers. It is parsed with the standard library's expat-based
parser after refusing any document that declares entities or carries a DTD of its own (an
internal subset) — so no entity can expand — and after dropping nvidia-smi's one-line
``<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_vNN.dtd">``, which is never fetched. A paste
cut short is read up to where it breaks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.smi_values import convert, plausible_power
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "nvidia-smi -q -x"

_START = lazy(r"<(?:\?xml\b|nvidia_smi_log\b)")
_END = "</nvidia_smi_log>"
_DOCTYPE = lazy(r"<!DOCTYPE\s+nvidia_smi_log\s+SYSTEM\s+\"[\w.]+\"\s*>")
_UNSAFE = lazy(r"<!ENTITY|<!DOCTYPE|<!ELEMENT|<!ATTLIST", re.IGNORECASE)
_VERSION = lazy(r"^(\d+\.\d+(?:\.\d+)?)\b")

# element path under <gpu> → GpuFacts field; later entries win over earlier ones.
_PATHS = (
    ("product_name", "name"), ("uuid", "uuid"), ("serial", "serial"), ("vbios_version", "vbios_version"),
    ("persistence_mode", "persistence_mode"), ("display_active", "display_active"),
    ("performance_state", "pstate"), ("mig_mode/current_mig", "mig_mode_current"),
    ("pci/pci_bus_id", "pci_bus_id"), ("pci/replay_counter", "pcie_replay_count"),
    ("pci/pci_gpu_link_info/pcie_gen/max_link_gen", "pcie_gen_max"),
    ("pci/pci_gpu_link_info/pcie_gen/current_link_gen", "pcie_gen_current"),
    ("pci/pci_gpu_link_info/pcie_gen/device_current_link_gen", "pcie_gen_current"),
    ("pci/pci_gpu_link_info/link_widths/max_link_width", "pcie_width_max"),
    ("pci/pci_gpu_link_info/link_widths/current_link_width", "pcie_width_current"),
    ("fb_memory_usage/total", "memory_total_bytes"), ("fb_memory_usage/used", "memory_used_bytes"),
    ("utilization/gpu_util", "utilization_gpu_pct"), ("ecc_mode/current_ecc", "ecc_mode_current"),
    ("retired_pages/multiple_single_bit_retirement/retired_count", "retired_pages_sbe"),
    ("retired_pages/double_bit_retirement/retired_count", "retired_pages_dbe"),
    ("retired_pages/pending_blacklist", "retired_pages_pending"),
    ("retired_pages/pending_retirement", "retired_pages_pending"),
    ("remapped_rows/remapped_row_corr", "remapped_rows_correctable"),
    ("remapped_rows/remapped_row_unc", "remapped_rows_uncorrectable"),
    ("remapped_rows/remapped_row_pending", "remapped_rows_pending"),
    ("remapped_rows/remapped_row_failure", "remapped_rows_failed"),
    ("temperature/gpu_temp", "temp_c"), ("temperature/gpu_temp_max_threshold", "temp_shutdown_c"),
    ("temperature/gpu_temp_slow_threshold", "temp_slowdown_c"),
    ("temperature/gpu_temp_max_gpu_threshold", "temp_max_operating_c"), ("temperature/memory_temp", "memory_temp_c"),
    ("clocks/sm_clock", "clock_sm_mhz"), ("clocks/mem_clock", "clock_mem_mhz"),
    ("max_clocks/sm_clock", "clock_sm_max_mhz"), ("max_clocks/mem_clock", "clock_mem_max_mhz"),
)
_POWER = ("power_readings", "gpu_power_readings")
_DRAW = ("power_draw", "average_power_draw", "instant_power_draw")
_LIMIT = ("power_limit", "current_power_limit", "enforced_power_limit")
_REASONS = lazy(r"^clocks_(?:throttle|event)_reason_(\w+)$")
_REASON_NAMES = {"gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "hw_thermal_slowdown",
                 "hw_power_brake_slowdown", "sync_boost", "sw_thermal_slowdown", "display_clocks_setting"}


def _text(e: Optional[ET.Element]) -> Optional[str]:
    return e.text.strip() if e is not None and e.text is not None and e.text.strip() else None


def _document(text: str) -> Optional[str]:
    m = _START.search(text)
    if not m:
        return None
    end = text.find(_END, m.start())
    return text[m.start():end + len(_END) if end >= 0 else len(text)]


def _root(doc: str) -> Optional[ET.Element]:
    """The parsed tree, as far as the text goes (a cut paste keeps what came before the cut)."""
    parser = ET.XMLPullParser(events=("start",))
    root = None
    try:
        parser.feed(doc)
        for _, elem in parser.read_events():
            root = elem if root is None else root
        parser.close()
    except ET.ParseError:
        for _, elem in parser.read_events():
            root = elem if root is None else root
    return root if root is not None and root.tag == "nvidia_smi_log" else None


def _ecc(gpu: ET.Element, scope: str, d: str) -> Dict[str, Reading]:
    """Corrected / uncorrected totals of ``ecc_errors/<scope>``: the ``single_bit`` / ``double_bit``
    totals (before R470) or the sum of the ``*_correctable`` / ``*_uncorrectable*`` counters."""
    node = gpu.find(f"ecc_errors/{scope}")
    if node is None:
        return {}
    out: Dict[str, Reading] = {}
    for kind, old, match in (("corrected", "single_bit/total", "_correctable"),
                             ("uncorrected", "double_bit/total", "_uncorrectable")):
        raw = [_text(node.find(old))] if node.find(old) is not None else [
            _text(c) for c in node if match in c.tag and not (
                c.tag == "sram_uncorrectable" and node.find("sram_uncorrectable_parity") is not None)]
        readings = [convert("ecc_volatile_corrected", r, d) for r in raw if r is not None]
        numbers = [r.value for r in readings if r.ok]
        if numbers:
            out[f"ecc_{scope}_{kind}"] = Reading.of(sum(numbers), d)
        elif readings and all(r.status is Status.NOT_SUPPORTED for r in readings):
            out[f"ecc_{scope}_{kind}"] = Reading.fail(Status.NOT_SUPPORTED, f"{d}: N/A")
    return out


def _gpu(f: Found, gpu: ET.Element, line: int) -> None:
    d = f.detail(line)
    fields: Dict[str, Reading] = {}
    for path, field in _PATHS:
        raw = _text(gpu.find(path))
        if raw is not None:
            reading = convert(field, raw, d)
            if reading.known:
                fields[field] = reading
    for section in _POWER:
        for names, field in ((_DRAW, "power_draw_w"), (_LIMIT, "power_limit_w")):
            for name in names:
                raw = _text(gpu.find(f"{section}/{name}"))
                reading = convert(field, raw, d) if raw is not None else Reading.unknown()
                if reading.known and (field not in fields or reading.ok):
                    fields[field] = reading
    if "power_draw_w" in fields and "power_limit_w" in fields:
        fields["power_draw_w"] = plausible_power(fields["power_draw_w"], fields["power_limit_w"])
    for scope in ("volatile", "aggregate"):
        fields.update(_ecc(gpu, scope, d))
    if _text(gpu.find("remapped_rows")) == "N/A":  # GPUs before Ampere have no row remapper
        for field in ("remapped_rows_correctable", "remapped_rows_uncorrectable", "remapped_rows_pending",
                      "remapped_rows_failed"):
            fields[field] = Reading.fail(Status.NOT_SUPPORTED, f"{d}: <remapped_rows>N/A</remapped_rows>")
    for section in ("clocks_throttle_reasons", "clocks_event_reasons"):
        node = gpu.find(section)
        if node is None:
            continue
        active = []
        for c in node:
            m = _REASONS.match(c.tag)
            if m and m.group(1) in _REASON_NAMES and (_text(c) or "").lower() == "active":
                # the XML says "display_clocks_setting" where NVML and -q say "display clock setting"
                active.append("display_clock_setting" if m.group(1) == "display_clocks_setting" else m.group(1))
        fields["clock_event_reasons"] = Reading.of(tuple(active), d)
    procs = gpu.find("processes")
    if procs is not None:
        out: List[GpuProcess] = []
        for p in procs.findall("process_info"):
            pid = _text(p.find("pid"))
            if pid and pid.isdigit():
                used = convert("memory_used_bytes", _text(p.find("used_memory")) or "", d)
                out.append(GpuProcess(int(pid), Reading.of(_text(p.find("process_name")) or "?", d),
                                      used if used.known else Reading.fail(Status.NOT_SUPPORTED, f"{d}: not shown"),
                                      "graphics" if _text(p.find("type")) == "G" else "compute"))
        fields["processes"] = Reading.of(tuple(out), d)
    if gpu.find("mig_devices/mig_device") is not None:
        fields["mig_mode_current"] = Reading.of(True, d)
    lost = [r for r in fields.values() if r.status is Status.GPU_LOST]
    if lost:
        fields["status"] = Reading.fail(Status.GPU_LOST, lost[0].detail)
    if "pci_bus_id" not in fields and gpu.get("id"):
        fields["pci_bus_id"] = Reading.of(gpu.get("id"), d)
    f.gpu(None, line, **fields)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    text = doc.text
    xml = _document(text)
    if xml is None:
        return f
    start = text[:text.find(xml)].count("\n")
    body = _DOCTYPE.sub("", xml, count=1)
    if _UNSAFE.search(body):
        f.note(f"the XML at line {start + 1} declares entities or a DTD of its own, which nvidia-smi never "
               "writes; it was not read")
        return f
    root = _root(body)
    if root is None:
        return f
    f.set("nvml.init", True, start, detail="nvidia-smi -q -x ran (pasted output)")
    for tag, path in (("driver_version", "nvml.driver_version"), ("kmd_version", "nvml.driver_version"),
                      ("cuda_version", "nvml.cuda_driver_version"), ("cuda_umd_version", "nvml.cuda_driver_version")):
        raw = _text(root.find(tag))
        m = _VERSION.match(raw or "")
        if m:
            f.set(path, m.group(1), start)  # claimed in this order: the R610 names win (same line, later claim)
        elif raw and "ERR!" in raw:
            f.fail(path, Status.ERROR, start, detail=f"nvidia-smi -q -x: <{tag}>{raw}</{tag}>")
    lines = xml.split("\n")
    at = {}
    for n, line in enumerate(lines):
        m = re.search(r"<gpu id=\"([^\"]+)\"", line)
        if m:
            at[m.group(1)] = start + n
    for gpu in root.findall("gpu"):
        _gpu(f, gpu, at.get(gpu.get("id") or "", start))
    return f
