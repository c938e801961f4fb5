"""``envcheck fleet``: many machines' validate reports side by side, and the odd one out.

Public API::

    find_reports(paths) -> [Path]                   # files, and *.json under directories
    load(paths, workers=None) -> [summary]          # one small record per file (summaries.py)
    build(summaries, now=..., max_age_s=..., expected=(), threshold=0.10) -> document
    render_text(doc), render_csv(doc), render_prometheus(doc)

The HTML page is ``envcheck.html.render(doc)``. docs/validate.md has the rules.
"""

from .report import build, render_csv, render_prometheus, render_text
from .summaries import find_reports, load, summarise, summarise_document

__all__ = ["build", "find_reports", "load", "render_csv", "render_prometheus", "render_text", "summarise",
           "summarise_document"]
