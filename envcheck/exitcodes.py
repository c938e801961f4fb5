"""The one table of exit codes: every sub-command, one meaning per code.

Scripts branch on these, so a code never changes meaning between commands: a usage
error is always 2, a prerequisite this machine lacks is always 4, and "problems found"
(error findings, a failed check, a failed burn, warnings under ``--strict``) is always 1.
"""

from __future__ import annotations

from typing import Tuple

OK = 0            # nothing wrong (warnings do not count unless --strict)
PROBLEMS = 1      # problems found: an error finding, a failed check/gate/burn, warnings with --strict
USAGE = 2         # bad arguments or a bad input file; nothing was run
FAILED = 3        # envcheck could not do its job: an internal error, or a run that ended without a verdict
CANNOT_RUN = 4    # a prerequisite is missing here (the bench extra, torch, a GPU, the data): skipped
INSUFFICIENT = 5  # the input holds too little to judge (a paste without the facts a verdict needs)
INTERRUPTED = 130  # Ctrl-C (SIGINT); a partial report is still written
TERMINATED = 143   # SIGTERM; a partial report is still written

TABLE: Tuple[Tuple[int, str], ...] = (
    (OK, "nothing wrong (warnings only fail with --strict)"),
    (PROBLEMS, "problems found: an error finding, a failed check, warnings with --strict"),
    (USAGE, "usage error: bad arguments or input; nothing was run"),
    (FAILED, "envcheck failed: an internal error, or a run that ended without a verdict"),
    (CANNOT_RUN, "cannot run here: a prerequisite is missing (extra, torch, GPU, data)"),
    (INSUFFICIENT, "too little to judge: the input lacks the facts a verdict needs"),
    (INTERRUPTED, "interrupted (Ctrl-C); partial results are kept"),
    (TERMINATED, "terminated (SIGTERM); partial results are kept"),
)


def epilog() -> str:
    """The table as the end of every ``--help`` (click keeps lines that follow ``\\b``)."""
    return "\b\nExit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in TABLE)


def markdown() -> str:
    """The table for the README (a test keeps the README's copy identical)."""
    rows = "\n".join(f"| {code} | {text} |" for code, text in TABLE)
    return "| code | meaning |\n|---|---|\n" + rows
