"""Machine health: what NVML and the kernel log say about each GPU, plus the host resources
GPU work depends on (``/dev/shm``, free disk).

Every rule is per GPU where the fact is per GPU (``gpu=`` on the finding), reads only facts
and the Xid table, and stays silent when the value it needs was not read. Thresholds that
are envcheck's own choice are named constants with the reason next to them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional

from envcheck.derived.machine import in_container
from envcheck.derived.messages import is_stated
from envcheck.derived.shm_said import said_head
from envcheck.derived.xid_said import xid_said
from envcheck.facts import GpuFacts
from envcheck.knowledge import xid as xid_table
from envcheck.reading import Status
from envcheck.rules.disk_space import low_disk_space
from envcheck.rules.ecc_said import gpu_told as _gpu_told
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.held_memory import working_moment
from envcheck.rules.shm_limit import shm_limit

GiB = 2**30
# Above this utilisation the GPU counts as "under load". NVIDIA GPUs lower the PCIe link
# generation and clocks when idle to save power, so link and power-cap readings only mean
# something while the GPU is busy. 50 % is envcheck's choice: well above idle housekeeping.
UNDER_LOAD_PCT = 50
# Other processes holding more than min(1 GiB, 10 % of the GPU) count as "in use".
IN_USE_BYTES = GiB
IN_USE_FRACTION = 0.10
# Processes named in gpu_memory_in_use; the rest are counted ("and 3 more processes").
LISTED_PROCESSES = 6
# Clock-event reasons (nvmlClocksEventReason*) that mean the GPU is being slowed down by
# heat or by a power problem; gpu_idle, applications_clocks_setting, sync_boost and
# display_clock_setting are normal operation.
HARMFUL_REASONS = {
    "hw_slowdown": "hardware slowdown (clocks cut by half or more: overheating or a power brake)",
    "hw_thermal_slowdown": "hardware thermal slowdown (the GPU is too hot)",
    "sw_thermal_slowdown": "software thermal slowdown (GPU or memory above its maximum operating temperature)",
    "hw_power_brake_slowdown": "external power brake (the system or power supply asked the GPU to slow down)",
}


def _label(g: GpuFacts) -> str:
    name = g.name.value if g.name.ok else "GPU"
    return f"GPU {g.index} ({name})"


def _p(g: GpuFacts, field: str) -> str:
    return f"nvml.gpus[{g.index}].{field}"


def _num(r, default=None):
    return r.value if r.ok and r.value is not None else default


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _under_load(g: GpuFacts) -> bool:
    return _num(g.utilization_gpu_pct, 0) >= UNDER_LOAD_PCT


# --------------------------------------------------------------------------- NVML as a whole
def nvml_unavailable(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    err = f.nvml.init_error
    if err not in ("unknown", "no_permission", "module_missing") or f.has_nvidia_gpu is False:
        return
    detail = f.nvml.init.detail or err
    yield make("nvml_unavailable",
               f"NVML, the library behind nvidia-smi, could not start ({detail}), so GPU health (temperatures, "
               "ECC, clocks, processes) is unknown."
               + (" envcheck's NVML binding (nvidia-ml-py) is not installed." if err == "module_missing" else ""),
               evidence(("nvml.init_error", err), ("nvml.init", f.nvml.init)))


def gpu_lost(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if g.status.status is not Status.GPU_LOST:
            continue
        # The reading's own words: NVML says "GPU is lost", a pasted nvidia-smi may say "Unknown Error"
        # or "No devices were found" beside an lspci listing.
        said = (g.status.detail or "NVML: GPU is lost").rstrip(".")
        if is_stated(g.status):
            # A person's words ("it falls off the bus", "an Xid 79"): the kernel log or
            # nvidia-smi would show it; the finding is likely until they do.
            yield make("gpu_lost",
                       f"The text says {_label(g)} fell off the bus ({said.split(': ', 1)[-1]}). A GPU in this "
                       "state stops answering until a reset, usually a reboot; if it comes back, power (PSU, "
                       "cables, riser), heat or the PCIe slot is the usual cause. `dmesg | grep -i xid` shows "
                       "the Xid 79 that confirms it.",
                       evidence((_p(g, "status"), g.status)), gpu=g.index, confidence=Confidence.LIKELY)
            continue
        yield make("gpu_lost",
                   f"{_label(g)} stopped answering ({said}). A GPU in this state usually logged Xid 79 (fallen "
                   "off the bus) in the kernel log. Every program on it has failed; it needs a reset, usually a "
                   "reboot.",
                   evidence((_p(g, "status"), g.status), (_p(g, "pci_bus_id"), g.pci_bus_id)), gpu=g.index)


# --------------------------------------------------------------------------- link, clocks
def pcie_link_degraded(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        gen, gmax = _num(g.pcie_gen_current), _num(g.pcie_gen_max)
        wid, wmax = _num(g.pcie_width_current), _num(g.pcie_width_max)
        slow_gen = gen is not None and gmax is not None and gen < gmax
        narrow = wid is not None and wmax is not None and wid < wmax
        if not (slow_gen or narrow):
            continue
        link = f"Gen{gen} x{wid}" if gen is not None and wid is not None else (f"Gen{gen}" if gen else f"x{wid}")
        best = f"Gen{gmax} x{wmax}" if gmax is not None and wmax is not None else (f"Gen{gmax}" if gmax else f"x{wmax}")
        ev = evidence(*((_p(g, n), getattr(g, n)) for n in ("pcie_gen_current", "pcie_gen_max", "pcie_width_current",
                                                             "pcie_width_max", "utilization_gpu_pct")))
        if _under_load(g):
            yield make("pcie_link_degraded",
                       f"{_label(g)} is busy ({g.utilization_gpu_pct.value} %) yet its PCIe link runs at {link} "
                       f"instead of {best}, cutting host-to-GPU bandwidth. Common causes: a slot wired narrower "
                       "than it looks, a riser or cable, a BIOS PCIe setting, or a card not fully seated.",
                       ev, gpu=g.index)
        elif narrow:
            # An idle GPU drops its link *generation* to save power (ASPM / dynamic link speed):
            # normal, and silent here. A narrower link than the slot's is not a power state on
            # most boards, so it is worth a note — judged for real only under load.
            yield make("pcie_link_degraded",
                       f"{_label(g)}'s PCIe link reads {link}, below its maximum {best}, but the GPU is idle"
                       + (f" ({g.utilization_gpu_pct.value} %)" if g.utilization_gpu_pct.ok else "")
                       + ": the link width rarely changes to save power, so check whether it stays "
                       "narrow under load. `envcheck burn` loads the GPU and reads the link again.",
                       ev, severity=Severity.INFO, gpu=g.index, recipe="gpu_load_check")


def gpu_throttling(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if not g.clock_event_reasons.ok:
            continue
        reasons = set(g.clock_event_reasons.value or ())
        harmful = [r for r in HARMFUL_REASONS if r in reasons]
        power_capped = "sw_power_cap" in reasons and _under_load(g)
        if not harmful and not power_capped:
            continue
        facts_text = []
        if g.temp_c.ok:
            facts_text.append(f"{g.temp_c.value} °C" + (f" (slowdown at {g.temp_slowdown_c.value} °C)"
                                                       if g.temp_slowdown_c.ok else ""))
        if g.power_draw_w.ok and g.power_limit_w.ok:
            facts_text.append(f"{g.power_draw_w.value:.0f} W of a {g.power_limit_w.value:.0f} W limit")
        if g.clock_sm_mhz.ok and g.clock_sm_max_mhz.ok:
            facts_text.append(f"SM clock {g.clock_sm_mhz.value} of {g.clock_sm_max_mhz.value} MHz")
        now = " Now: " + ", ".join(facts_text) + "." if facts_text else ""
        ev = [(_p(g, "clock_event_reasons"), sorted(reasons))] + evidence(
            *((_p(g, n), getattr(g, n)) for n in ("temp_c", "power_draw_w", "power_limit_w", "clock_sm_mhz")))
        if harmful:
            cause = []
            if any("thermal" in r for r in harmful) or "hw_slowdown" in harmful:
                cause.append("check fans, airflow and dust (in a server: the chassis fans and airflow shrouds "
                             "this GPU needs)")
            if "hw_power_brake_slowdown" in harmful or "hw_slowdown" in harmful:
                cause.append("check the power supply and the GPU's power cables")
            # A person's "it is thermal throttling" is likely until -q's Clocks Event Reasons shows it.
            said = is_stated(g.clock_event_reasons)
            yield make("gpu_throttling",
                       (f"The text says {_label(g)} is slowing down from heat ({g.clock_event_reasons.detail}): "
                        if said else f"{_label(g)} is being slowed down: ")
                       + "; ".join(HARMFUL_REASONS[r] for r in harmful) + "."
                       + now + (" " + _sentence("; ".join(cause)) if cause else ""), ev, gpu=g.index,
                       confidence=Confidence.LIKELY if said else Confidence.CONFIRMED)
        else:
            # Normal for a GPU working flat out: nothing to fix unless someone lowered the limit.
            yield make("gpu_throttling",
                       f"{_label(g)} is busy and held at its power limit (sw_power_cap). That is normal for a GPU "
                       "working flat out, unless the limit was lowered below the board's default: compare "
                       "'Current Power Limit' with 'Default Power Limit' in `nvidia-smi -q -d POWER`." + now,
                       ev, severity=Severity.INFO, gpu=g.index, recipe=None)


# --------------------------------------------------------------------------- memory errors
def ecc_errors(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        vu, au = _num(g.ecc_volatile_uncorrected, 0), _num(g.ecc_aggregate_uncorrected, 0)
        vc, ac = _num(g.ecc_volatile_corrected, 0), _num(g.ecc_aggregate_corrected, 0)
        if not (vu or au or vc or ac):
            continue
        counts = (f"uncorrectable: {vu} since the driver loaded, {au} over the GPU's life; "
                  f"corrected: {vc} since the driver loaded, {ac} over its life")
        ev = evidence(*((_p(g, n), getattr(g, n)) for n in ("ecc_volatile_uncorrected", "ecc_aggregate_uncorrected",
                                                             "ecc_volatile_corrected", "ecc_aggregate_corrected")))
        if au and not vu and is_stated(g.ecc_aggregate_uncorrected):
            # Only a person's word: no count, no time. The counters settle it.
            if not _gpu_told(ctx.facts, g):
                continue  # the host's memory (a DIMM, EDAC) is told, and this claim names no GPU (rules/ecc_said.py)
            now = (" nvidia-smi's counter since the driver loaded shows none, so the error came before the "
                   "last driver load or reset." if g.ecc_volatile_uncorrected.ok else "")
            yield make("ecc_errors",
                       f"The text says {_label(g)} had an uncorrectable ECC memory error ({g.ecc_aggregate_uncorrected.detail}"
                       f").{now} Uncorrectable errors corrupt data and make CUDA calls fail; a reset retires or "
                       "remaps the faulty memory, and errors that come back mean the GPU needs service. "
                       "`nvidia-smi -q -d ECC,PAGE_RETIREMENT,ROW_REMAPPER` shows the counts.",
                       ev, severity=Severity.WARNING if g.ecc_volatile_uncorrected.ok else None, gpu=g.index,
                       recipe=None if g.ecc_volatile_uncorrected.ok else "", confidence=Confidence.LIKELY)
        elif au and not vu and g.ecc_volatile_uncorrected.ok:
            # Aggregate counts survive driver reloads and resets for the GPU's whole life; with
            # none since the driver loaded, the error is history: the page was retired or the
            # row remapped (pending or failed repairs are findings of their own), and no reset
            # clears the count, so it is not an error to fix now.
            yield make("ecc_errors",
                       f"{_label(g)} reported uncorrectable memory errors in the past ({counts}). None since the "
                       "driver loaded: the faulty memory was retired or remapped, unless a pending or failed "
                       "repair is reported here too. A lifetime count that keeps growing means the GPU needs "
                       "service: note the aggregate counts and compare them after a few weeks of work.",
                       ev, severity=Severity.WARNING, gpu=g.index, recipe=None)
        elif vu or au:
            yield make("ecc_errors",
                       f"{_label(g)} has reported uncorrectable memory errors ({counts}). Uncorrectable errors "
                       "mean data was corrupted: programs that used it were stopped or computed wrong results. "
                       "A reset retires or remaps the faulty memory; errors that come back after it mean the GPU "
                       "needs service (RMA).",
                       ev, gpu=g.index)
        else:
            yield make("ecc_errors",
                       f"{_label(g)} has corrected memory errors ({counts}). ECC fixed them, so results are right, "
                       "but a count that keeps growing can come before uncorrectable errors: check again later, a "
                       "fast-growing count is worth a service call.",
                       ev, severity=Severity.WARNING, gpu=g.index, recipe=None)


def retired_pages_pending(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if not (g.retired_pages_pending.ok and g.retired_pages_pending.value):
            continue
        yield make("retired_pages_pending",
                   f"{_label(g)} has memory pages marked for retirement after ECC errors; they are retired only "
                   "when the driver reloads, and stay in use until then"
                   + (f" (retired so far: {_num(g.retired_pages_sbe, 0)} single-bit, "
                      f"{_num(g.retired_pages_dbe, 0)} double-bit)" if g.retired_pages_sbe.ok else "") + ".",
                   evidence((_p(g, "retired_pages_pending"), True), (_p(g, "retired_pages_sbe"), g.retired_pages_sbe),
                            (_p(g, "retired_pages_dbe"), g.retired_pages_dbe)), gpu=g.index)


def row_remap_pending(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if not (g.remapped_rows_pending.ok and g.remapped_rows_pending.value):
            continue
        yield make("row_remap_pending",
                   f"{_label(g)} has a faulty memory row waiting to be remapped to a spare; the remap happens at "
                   "the next GPU reset. Running programs are unaffected, but the repair is not active yet.",
                   evidence((_p(g, "remapped_rows_pending"), True),
                            (_p(g, "remapped_rows_uncorrectable"), g.remapped_rows_uncorrectable),
                            (_p(g, "remapped_rows_correctable"), g.remapped_rows_correctable)), gpu=g.index,
                   confidence=Confidence.LIKELY if is_stated(g.remapped_rows_pending) else None)


def row_remap_failed(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if not (g.remapped_rows_failed.ok and g.remapped_rows_failed.value):
            continue
        yield make("row_remap_failed",
                   f"{_label(g)} failed to remap a faulty memory row (no spare row left in that bank). It can no "
                   "longer repair its memory, and NVIDIA treats this as a reason for replacement.",
                   evidence((_p(g, "remapped_rows_failed"), True),
                            (_p(g, "remapped_rows_uncorrectable"), g.remapped_rows_uncorrectable)), gpu=g.index,
                   confidence=Confidence.LIKELY if is_stated(g.remapped_rows_failed) else None)


# --------------------------------------------------------------------------- kernel log
def _bus_key(pci: Optional[str]) -> Optional[str]:
    """'PCI:0000:01:00' and '00000000:01:00.0' both -> '01:00' (bus:device)."""
    if not pci:
        return None
    m = re.search(r"([0-9a-fA-F]{2}):([0-9a-fA-F]{2})(?:\.\d)?\s*$", pci.strip())
    return f"{m.group(1)}:{m.group(2)}".lower() if m else None


_RANK = {"error": 0, "warning": 1, "info": 2}


def xid_errors_logged(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    events = f.driver.xid_events.get(())
    if not events:
        return
    table = xid_table.table()
    gpu_of = {_bus_key(g.pci_bus_id.value): g.index for g in f.gpus if g.pci_bus_id.ok}
    groups: Dict[int, List] = OrderedDict()
    for e in events:
        groups.setdefault(e.xid, []).append(e)
    parts, ev, advice, worst = [], [], [], "info"
    reset_gpus: List[int] = []
    for code, evs in groups.items():
        info = table.lookup(code)
        gpus = sorted({gpu_of[k] for k in (_bus_key(e.pci) for e in evs) if k in gpu_of})
        on = f" on GPU {', '.join(map(str, gpus))}" if gpus else (f" at {evs[0].pci}" if evs[0].pci else "")
        sev = info.severity if info else "warning"
        worst = min(worst, sev, key=_RANK.__getitem__)
        if info:
            parts.append(f"Xid {code} × {len(evs)}{on}, “{info.name}”: {info.meaning}")
            advice.append(f"Xid {code} ({info.kind}): {info.advice}")
            if info.nvidia_action in ("RESET_GPU", "WORKFLOW_XID_48") and info.severity == "error":
                reset_gpus += gpus
        else:
            parts.append(f"Xid {code} × {len(evs)}{on}: not in envcheck's table; see NVIDIA's Xid catalog (link below)")
        ev.append((f"driver.xid_events[xid={code}]", f"{len(evs)} × " + (evs[0].message.strip() or "(no text)")))
    lead = ("The NVIDIA driver logged Xid events in the kernel log" + (" that point at the GPU hardware or driver"
            if worst == "error" else "" if worst == "warning" else ", all of them consequences of a program's "
            "own faults (the GPU itself is fine)") + ". ")
    what = " What to do: " + " ".join(a.rstrip(".") + "." for a in advice) if advice else ""
    reset = sorted(set(reset_gpus))
    # Application faults (info) need no repair of the GPU; the others take the hardware triage,
    # on the GPU whose Xid NVIDIA's table says wants a reset.
    yield make("xid_errors_logged", lead + " ".join(p.rstrip(".") + "." for p in parts) + what, ev,
               {"gpu_index": reset[0]} if reset else None, severity=Severity(worst), links=(xid_table.CATALOG_URL,),
               gpu=None, recipe="" if worst != "info" else None,
               confidence=Confidence.LIKELY if xid_said(f.driver.xid_events) else None)


# --------------------------------------------------------------------------- processes
def _fmt_bytes(n: int) -> str:
    return f"{n / GiB:.1f} GiB" if n >= GiB else f"{n / 2**20:.0f} MiB"


def gpu_memory_in_use(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if working_moment(ctx, g):
            continue
        total = _num(g.memory_total_bytes)
        limit = min(IN_USE_BYTES, int(IN_USE_FRACTION * total)) if total else IN_USE_BYTES
        procs = g.processes.value if g.processes.ok else None
        if procs is not None and not procs:
            continue  # nobody holds memory; what "used" shows is the driver's own reservation
        known = [p for p in procs or () if p.used_memory_bytes.ok]
        if procs and len(known) == len(procs):
            held = sum(p.used_memory_bytes.value for p in known)
        else:  # process list or per-process memory unreadable (containers, other users)
            held = _num(g.memory_used_bytes)
        if held is None or held <= limit:
            continue
        shown = (procs or ())[:LISTED_PROCESSES]
        more = len(procs or ()) - len(shown)
        listing = ", ".join(
            f"pid {p.pid} {p.name.value if p.name.ok else '?'}"
            + (f" ({_fmt_bytes(p.used_memory_bytes.value)})" if p.used_memory_bytes.ok else "")
            for p in shown) + (f" and {more} more process{'es' if more > 1 else ''}" if more else "")
        yield make("gpu_memory_in_use",
                   f"{_fmt_bytes(held)}" + (f" of {_fmt_bytes(total)}" if total else "") + f" on {_label(g)} is "
                   "held by other processes" + (f": {listing}" if listing else "") + ". Benchmarks will read low "
                   "and large jobs may run out of memory.",
                   evidence((_p(g, "processes"), listing or g.processes), (_p(g, "memory_used_bytes"), g.memory_used_bytes)),
                   gpu=g.index)

# --------------------------------------------------------------------------- host resources
def shm_too_small(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    shm = f.host.shm_total_bytes
    c = f.host.container
    contained = in_container(f)
    if shm.status is Status.ERROR and is_stated(shm):
        # A person's words, no size: "shared memory is not enough", 共享内存不足.
        yield make("shm_too_small",
                   said_head(shm.detail) + "PyTorch DataLoader "
                   "workers hand batches over through /dev/shm and die with “bus error” when it is full"
                   + (", the usual state of a container started with Docker's 64 MiB default." if contained
                      else "; `df -h /dev/shm` shows its size."),
                   evidence(("host.shm_total_bytes", shm), ("host.container", c)), confidence=Confidence.LIKELY)
        return
    if not shm.ok or shm.value >= shm_limit(f):
        return
    mib = shm.value / 2**20
    yield make("shm_too_small",
               f"/dev/shm holds only {mib:.0f} MiB. PyTorch DataLoader workers hand batches over through shared "
               "memory and die with “bus error” or “unable to write to file </torch_…>” when it runs out"
               + (", which is the usual state of a container started with Docker's 64 MiB default." if contained
                  else "."),
               evidence(("host.shm_total_bytes", f"{shm.value} ({mib:.0f} MiB)"), ("host.container", c)),
               # a size told in words ("df -h /dev/shm gives 64M") is a person's reading, not df's
               confidence=Confidence.LIKELY if is_stated(shm) else Confidence.CONFIRMED)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    nvml_unavailable,
    gpu_lost,
    pcie_link_degraded,
    gpu_throttling,
    ecc_errors,
    retired_pages_pending,
    row_remap_pending,
    row_remap_failed,
    xid_errors_logged,
    gpu_memory_in_use,
    shm_too_small,
    low_disk_space,
)
