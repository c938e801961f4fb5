"""Stage verdicts, the overall verdict, and the exit code they imply.

The doctor speaks in findings; a validation speaks in PASS / WARN / FAIL / ERROR. The
doctor's verdict maps to a stage verdict by :data:`DOCTOR`, the one documented table
(docs/validate.md): a verdict this table does not know (a newer doctor) is a WARN —
something to look at, never a silent PASS.
"""

from __future__ import annotations

import enum
from typing import Iterable, Optional

from .. import exitcodes


class Verdict(str, enum.Enum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"  # the machine is wrong: an error finding, a failed check, a failed burn
    ERROR = "ERROR"  # no verdict: envcheck failed, or the stage could not run here
    SKIP = "SKIP"  # not run, with the reason (after a doctor error, or not applicable here)

    @property
    def rank(self) -> int:
        return {"FAIL": 4, "ERROR": 3, "WARN": 2, "PASS": 1, "SKIP": 0}[self.value]


# doctor verdict -> stage verdict. "unexplained": the doctor saw something it cannot
# explain (a value no rule accounts for) — not a known fault, not a clean bill either.
DOCTOR = {"ok": Verdict.PASS, "warning": Verdict.WARN, "error": Verdict.FAIL, "unexplained": Verdict.WARN}
DOCTOR_FAILURE = Verdict.ERROR  # envcheck's own failure during the probe or the rules


def from_doctor(verdict: str, envcheck_failures: int) -> Verdict:
    if envcheck_failures:
        return DOCTOR_FAILURE
    return DOCTOR.get(verdict, Verdict.WARN)


# burn's lower-case status -> a stage verdict ("aborted" is handled as an interruption)
BURN = {"pass": Verdict.PASS, "warn": Verdict.WARN, "fail": Verdict.FAIL, "error": Verdict.ERROR}


def overall(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe verdict among the stages that ran (FAIL > ERROR > WARN > PASS);
    skipped stages do not count; nothing run at all is an ERROR (nothing was shown)."""
    ran = [v for v in verdicts if v is not Verdict.SKIP]
    return max(ran, key=lambda v: v.rank) if ran else Verdict.ERROR


def exit_code(verdict: Verdict, *, strict: bool = False, cannot_run: bool = False,
              interrupted_by: Optional[int] = None) -> int:
    """The code from the one table: PASS/WARN 0 (WARN 1 with --strict), FAIL 1, ERROR 3
    (4 when what stopped it is a prerequisite this machine lacks), 130/143 interrupted."""
    if interrupted_by is not None:
        return 128 + int(interrupted_by)
    if verdict is Verdict.FAIL:
        return exitcodes.PROBLEMS
    if verdict is Verdict.ERROR:
        return exitcodes.CANNOT_RUN if cannot_run else exitcodes.FAILED
    if verdict is Verdict.WARN and strict:
        return exitcodes.PROBLEMS
    return exitcodes.OK
