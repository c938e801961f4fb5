"""``envcheck validate``: doctor → verify → bench → burn → interconnect, one verdict.

Public API::

    run(ValidateOptions(level="quick", device="cpu"), events=Events(...)) -> ValidateRun
    document(vrun) -> dict          # the envcheck.validate envelope, each stage's document inside
    render_text(doc), render_markdown(doc)

Modules: levels (the level table), verdicts (stage → overall verdict → exit code),
stages (thin calls of the other commands' public entry points), pipeline (order, skips,
interruption), identity (host name, SLURM/Kubernetes variables, redaction), document
(the report), progress (the live stderr lines). docs/validate.md has the design.
"""

from .document import document, render_markdown, render_text
from .levels import LEVELS
from .pipeline import Events, Terminated, ValidateOptions, ValidateRun, run
from .verdicts import Verdict

__all__ = ["LEVELS", "Events", "Terminated", "ValidateOptions", "ValidateRun", "Verdict", "document",
           "render_markdown", "render_text", "run"]
