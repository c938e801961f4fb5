"""GPU memory errors the kernel log shows as Xids, when no ECC counter was pasted.

NVIDIA's Xid catalog (docs.nvidia.com/deploy/xid-errors; DCGM's health watch maps the same
codes in dcgmlib HealthWatch ``m_fatalXids``) names the codes that mean the GPU's memory had an
ECC error: 48 "DBE (Double Bit Error) ECC Error", 94 "Contained ECC error" and 95
"Uncontained ECC error" (Ampere and later), 140 "ECC unrecovered error" (Blackwell) are
uncorrectable; 92 "High single-bit ECC error rate" is a growing count of corrected ones. A
paste with one of these lines and no ECC counters gets ``ecc_errors`` from the log itself;
where counters were pasted, ``health.ecc_errors`` reads them and this rule stays silent.
``xid_errors_logged`` still lists every Xid with its advice.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.xid_said import xid_said
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

UNCORRECTABLE = {48: "DBE (Double Bit Error) ECC Error", 94: "Contained ECC error", 95: "Uncontained ECC error",
                 140: "ECC unrecovered error"}
CORRECTED = {92: "High single-bit ECC error rate"}


def _counted(ctx: RuleContext) -> bool:
    """Any GPU whose ECC counters were read: health.ecc_errors judges those."""
    for g in ctx.facts.gpus:
        for r in (g.ecc_volatile_uncorrected, g.ecc_aggregate_uncorrected, g.ecc_volatile_corrected,
                  g.ecc_aggregate_corrected):
            if r.ok and r.value:
                return True
    return False


def ecc_errors_in_kernel_log(ctx: RuleContext) -> Iterator[Finding]:
    events = ctx.facts.driver.xid_events.get(())
    if not events or _counted(ctx):
        return
    bad = [e for e in events if e.xid in UNCORRECTABLE]
    soft = [e for e in events if e.xid in CORRECTED]
    if not (bad or soft):
        return
    shown = bad or soft
    names = {**UNCORRECTABLE, **CORRECTED}
    codes = sorted({e.xid for e in shown})
    where = sorted({e.pci for e in shown if e.pci})
    said = ", ".join(f"Xid {c} “{names[c]}”" for c in codes) + (f" at {', '.join(where)}" if where else "")
    ev = evidence(*((f"driver.xid_events[xid={c}]", next(e.message.strip() or "(no text)" for e in shown if e.xid == c))
                    for c in codes))
    likely = Confidence.LIKELY if xid_said(ctx.facts.driver.xid_events) else None
    log = "The text says the kernel log showed" if likely else "The kernel log shows"
    if bad:
        yield make("ecc_errors",
                   f"{log} {said}: the GPU's memory had an uncorrectable ECC error, so the work on "
                   "it was stopped or computed wrong results. A GPU reset retires or remaps the faulty memory; if "
                   "the errors come back after it, the GPU needs service (RMA). `nvidia-smi -q -d "
                   "ECC,PAGE_RETIREMENT,ROW_REMAPPER` shows the counts.", ev, confidence=likely)
    else:
        yield make("ecc_errors",
                   f"{log} {said}: ECC is correcting many single-bit memory errors on this GPU. "
                   "Results are still right, but a fast-growing count often comes before uncorrectable errors: "
                   "watch `nvidia-smi -q -d ECC,PAGE_RETIREMENT,ROW_REMAPPER` and plan a service call.",
                   ev, severity=Severity.WARNING, recipe=None, confidence=likely)


# Xid 63 "ECC page retirement or row remapping recording event" and 64 "ECC page retirement or row remapper
# recording failure" (NVIDIA's Xid catalog): on a GPU with a row remapper (A100 and later data-center parts;
# NVIDIA's "A100 GPU Memory Error Management") 63 is a row marked for remapping at the next reset, 64 a
# remap that could not be made (an RMA criterion); on older GPUs they are page retirement's, which
# retired_pages_pending and xid_errors_logged cover. Read where the GPU shown has a remapper or the line
# itself names the remapper, and no remapped-rows counters were pasted (health.row_remap_* judge those).
_REMAPPER_GPU = re.compile(r"\b(?:A100|A800|A30|H100|H800|H200|H20|GH200|B100|B200|GB200|B300|GB300)\b", re.I)
_REMAP_XIDS = {63: "row_remap_pending", 64: "row_remap_failed"}


def _remapper(ctx: RuleContext, events) -> bool:
    # The catalog's own wording of 63/64 names both mechanisms ("ECC page retirement or row remapping
    # recording event"): only other words about the remapper (R470+'s "Row Remapper: New row marked for
    # remapping, reset gpu to activate.") say which one this GPU has.
    if any("remap" in low and "page retirement or row remap" not in low for low in (e.message.lower() for e in events)):
        return True
    return any(g.name.ok and _REMAPPER_GPU.search(str(g.name.value)) for g in ctx.facts.gpus)


def row_remap_in_kernel_log(ctx: RuleContext) -> Iterator[Finding]:
    events = [e for e in ctx.facts.driver.xid_events.get(()) or () if e.xid in _REMAP_XIDS]
    if not events or not _remapper(ctx, events):
        return
    if any(r.ok for g in ctx.facts.gpus for r in (g.remapped_rows_pending, g.remapped_rows_failed)):
        return
    for code in sorted({e.xid for e in events}, reverse=True):
        e = next(x for x in events if x.xid == code)
        where = f" at {e.pci}" if e.pci else ""
        said = ("a faulty memory row was marked for remapping, which takes effect at the next GPU reset or reboot"
                if code == 63 else "the GPU could not remap a faulty memory row: its spare rows are used up, which "
                "NVIDIA treats as a reason for replacement")
        yield make(_REMAP_XIDS[code],
                   f"The kernel log shows Xid {code}{where}: {said}. `nvidia-smi -q -d ROW_REMAPPER` shows the "
                   "remapper's counters.",
                   evidence((f"driver.xid_events[xid={code}]", e.message.strip() or "(no text)")),
                   confidence=Confidence.LIKELY)
        return  # a failure says more than a pending remap


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (ecc_errors_in_kernel_log, row_remap_in_kernel_log)
