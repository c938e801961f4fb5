"""What a rule says: a :class:`Finding` (stable id, severity, evidence, and the recipe that fixes it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional, Tuple


class Confidence(str, enum.Enum):
    """How sure a finding is. ``confirmed``: an upstream message states it (torch's own
    driver comparison) or facts a tool read prove it; ``likely``: inferred (a heuristic, a
    fact missing), or built on facts a person only stated in a paste."""

    CONFIRMED = "confirmed"
    LIKELY = "likely"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Evidence:
    """A fact the finding rests on: its path in the facts (``nvml.gpus[0].temp_c``) and value."""

    fact: str
    value: str


@dataclass(frozen=True)
class Finding:
    id: str
    severity: Severity
    section: str
    title: str
    explanation: str
    evidence: Tuple[Evidence, ...] = ()
    # The recipe (recipes/<id>.toml) whose steps fix it, and the values this finding fills
    # into the recipe's {placeholders} (the variables to unset, the GPU concerned, ...):
    # commands come from recipes only, filled in by envcheck.recipes.remedy.
    recipe: Optional[str] = None
    values: Tuple[Tuple[str, str], ...] = ()
    gpu: Optional[int] = None  # NVML index when the finding is about one GPU
    links: Tuple[str, ...] = ()
    confidence: Confidence = Confidence.CONFIRMED
