"""A value that carries its status.

Every fact envcheck collects is a :class:`Reading`: the value (or ``None``), a status
saying whether the value could be read and, when it could not, why, plus a one-line
detail. The reason a value is missing is often the diagnosis itself (a temperature
that reads ``no_permission`` says something different from one that reads
``gpu_lost``), so it is never collapsed into a bare "N/A" below the human renderer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, Optional, TypeVar

T = TypeVar("T")


class Status(str, enum.Enum):
    """Why a value is (or is not) present."""

    OK = "ok"
    NOT_SUPPORTED = "not_supported"  # the hardware/driver/OS does not offer this value
    NO_PERMISSION = "no_permission"  # it exists, but this user may not read it
    NOT_FOUND = "not_found"  # looked for it and it is not there (no tool, no file, no GPU)
    GPU_LOST = "gpu_lost"  # the GPU fell off the bus or stopped answering
    TIMEOUT = "timeout"  # the probe ran past its time limit
    ERROR = "error"  # anything else went wrong; detail says what
    UNKNOWN = "unknown"  # nobody looked (e.g. a pasted report that does not say)

    def __str__(self) -> str:  # pragma: no cover - convenience for f-strings
        return self.value


@dataclass(frozen=True)
class Reading(Generic[T]):
    """``(value, status, detail)``; ``value`` is ``None`` unless ``status`` is ``ok``."""

    value: Optional[T] = None
    status: Status = Status.UNKNOWN
    detail: Optional[str] = None

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            object.__setattr__(self, "status", Status(self.status))
        if self.status is not Status.OK and self.value is not None:
            raise ValueError(f"a reading with status {self.status.value} carries no value")

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def known(self) -> bool:
        """True when somebody looked (any status but ``unknown``)."""
        return self.status is not Status.UNKNOWN

    def get(self, default: T) -> T:
        return self.value if self.status is Status.OK and self.value is not None else default  # type: ignore[return-value]

    @classmethod
    def of(cls, value: T, detail: Optional[str] = None) -> "Reading[T]":
        return cls(value, Status.OK, detail)

    @classmethod
    def fail(cls, status: Status, detail: Optional[str] = None) -> "Reading[T]":
        return cls(None, status, detail)

    @classmethod
    def unknown(cls, detail: Optional[str] = None) -> "Reading[T]":
        return cls(None, Status.UNKNOWN, detail)

    def describe(self) -> str:
        """Human text: the value, or the status and why (only renderers call this)."""
        if self.status is Status.OK:
            return str(self.value)
        text = "n/a" if self.status is Status.NOT_SUPPORTED else self.status.value.replace("_", " ")
        return f"{text} ({self.detail})" if self.detail else text


UNKNOWN: Reading = Reading()

# The detail of a reading that holds a value no hardware can produce (a power draw many times
# the board's limit): the reader that saw it (explain/smi_values.plausible_power) records an
# error reading whose detail starts with this, and the rule gpu_reading_implausible
# (rules/tool_output.py) looks for it. One phrase, so the two cannot drift apart.
IMPLAUSIBLE = "implausible reading"

# The detail of a GPU name nvidia-smi's table cut to its column ("NVIDIA GeForce RTX 3...").
# explain's nvidia-smi reader records it, the assembler matches a cut name against full ones,
# and the text report says the name is cut. One phrase below all of them.
TRUNCATED = "name truncated by nvidia-smi"


def is_truncated(detail: Optional[str]) -> bool:
    return TRUNCATED in (detail or "")
