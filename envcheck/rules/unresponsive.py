"""NVML that does not answer: the worker (``envcheck/probes/nvml_worker.py``) was killed at
its deadline, so ``nvml.init_error`` is ``unresponsive``.

A call into NVML that never returns is what a wedged kernel driver or a GPU that fell off
the bus does (Xid 79); ``nvidia-smi`` hangs the same way. It is an error, apart from
``nvml_unavailable`` (NVML answered, with an error): nothing else about the GPUs can be
known until the driver answers again, usually after a reboot.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Finding


def nvml_unresponsive(ctx: RuleContext) -> Iterator[Finding]:
    n = ctx.facts.nvml
    if n.init_error != "unresponsive":
        return
    yield make("nvml_unresponsive",
               f"NVML, the library behind nvidia-smi, did not answer ({n.init.detail or 'timeout'}). A wedged "
               "driver or a GPU that fell off the bus hangs every program that asks it, nvidia-smi and PyTorch "
               "too, so GPU health is unknown. The kernel log usually says which GPU (Xid 79: fallen off the bus).",
               evidence(("nvml.init_error", n.init_error), ("nvml.init", n.init)))


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (nvml_unresponsive,)
