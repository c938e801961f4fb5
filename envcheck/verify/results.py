"""What a verify run found: one record per check, the worst per operation, the verdict.

Records only; :mod:`envcheck.verify.text` turns them into text and JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class CaseResult:
    """One operation of one case on one device in one dtype."""

    op: str  # conv2d, conv2d_grad_{input,weight,bias}, conv_transpose2d, max_pool2d, avg_pool2d
    params: Dict[str, Any]  # the case (shapes and hyper-parameters), JSON-ready
    dtype: str  # fp32, tf32, bf16, fp16 (fp64 in tests)
    device: str  # "cpu", "cuda:0"
    rel_err: Optional[float]  # ||out - ref|| / ||ref||; None when there was no usable output
    tol: Optional[float]  # the dtype's tolerance for this op
    passed: Optional[bool]  # None: skipped (torch has no kernel for it; reason says so)
    reason: Optional[str] = None  # why it failed or was skipped; None when it passed

    @property
    def failed(self) -> bool:
        return self.passed is False


@dataclass(frozen=True)
class Skipped:
    """A (device, dtype) combination that was not run at all, and why."""

    device: str
    dtype: str
    reason: str


@dataclass(frozen=True)
class Worst:
    """The check with the largest relative error of one op, dtype and device."""

    device: str
    dtype: str
    op: str
    checks: int
    failed: int
    worst: CaseResult


@dataclass(frozen=True)
class VerifyResult:
    cases: Tuple[CaseResult, ...]
    skipped: Tuple[Skipped, ...]
    devices: Tuple[str, ...]
    dtypes: Tuple[str, ...]
    case_count: int  # parameter sets (each gives one to three checks per device and dtype)
    seed: int
    quick: bool
    torch_version: str
    seconds: float

    @property
    def failures(self) -> Tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if c.failed)

    @property
    def checked(self) -> int:
        """Checks that ran to a verdict (passed or failed, not skipped)."""
        return sum(1 for c in self.cases if c.passed is not None)

    @property
    def passed(self) -> bool:
        """No check failed, and at least one ran (nothing checked proves nothing)."""
        return self.checked > 0 and not self.failures

    @property
    def max_rel_err(self) -> Optional[float]:
        """The largest relative error seen (``inf`` when an output was unusable, e.g. NaN)."""
        errs = [math.inf if c.rel_err is None else c.rel_err for c in self.cases if c.passed is not None]
        return max(errs) if errs else None

    def worst(self) -> List[Worst]:
        """Per (device, dtype, op), in run order: the check furthest from the reference.
        A check without a usable output (NaN, wrong shape, an exception) counts as worst."""
        groups: Dict[Tuple[str, str, str], List[CaseResult]] = {}
        for c in self.cases:
            if c.passed is not None:
                groups.setdefault((c.device, c.dtype, c.op), []).append(c)
        out = []
        for (device, dtype, op), items in groups.items():
            worst = max(items, key=lambda c: (c.failed, math.inf if c.rel_err is None else c.rel_err))
            out.append(Worst(device, dtype, op, len(items), sum(c.failed for c in items), worst))
        return out
