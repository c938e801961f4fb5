"""The report a diagnosis produces: facts + findings, and the exit code it implies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from .. import exitcodes
from ..facts import Facts
from ..rules import Finding, Severity


@dataclass(frozen=True)
class Report:
    command: str  # "doctor" | "explain"
    facts: Facts
    findings: Tuple[Finding, ...]
    failures: Tuple[str, ...] = ()  # envcheck's own bugs (a probe or rule that raised)

    def counts(self) -> Dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    @property
    def verdict(self) -> str:
        """"error", "warning" or "ok" (info findings do not change the verdict)."""
        c = self.counts()
        return "error" if c["error"] else "warning" if c["warning"] else "ok"

    def exit_code(self, strict: bool = False) -> int:
        if self.failures:
            return exitcodes.FAILED
        if self.verdict == "error" or (strict and self.verdict == "warning"):
            return exitcodes.PROBLEMS
        return exitcodes.OK
