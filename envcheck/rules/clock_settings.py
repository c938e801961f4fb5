"""A GPU run with clocks or voltage its owner changed (an overclock, an undervolt), as the
person says (``explain/parsers/clock_settings_prose.py``; ``derived/clock_settings.py``).

Settings that pass games and benchmarks still fail CUDA work, whose kernels load the GPU
differently: "unspecified launch failure", "an illegal memory access/instruction was
encountered", driver resets (Xid 13/31/43), a machine that reboots under load; the same
program runs at stock clocks. A warning, "likely": it is the person's account of a setting,
and a reason to test at stock before anything else, not proof that it is the cause.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.clock_settings import clocks_changed
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding


def gpu_unstable_clock_settings(ctx: RuleContext) -> Iterator[Finding]:
    said = clocks_changed(ctx.facts)
    if said is None:
        return
    yield make("gpu_unstable_clock_settings",
               f"The text says the GPU runs clocks or voltage changed from stock ({said}). An overclock or undervolt "
               "that is stable in games can still break CUDA work: kernels fail with “unspecified launch failure” or "
               "“an illegal memory access was encountered”, the driver resets or the machine reboots under load. "
               "Reset the clocks and voltage to the defaults and run the same job again before looking elsewhere.",
               [("notes", said)], confidence=Confidence.LIKELY)


RULES = (gpu_unstable_clock_settings,)
