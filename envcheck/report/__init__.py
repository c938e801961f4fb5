"""Renderers: findings and facts → text, JSON or Markdown. Nothing here reads the machine."""

from __future__ import annotations

from . import text
from .model import Report

__all__ = ["Report", "render"]


def render(report: Report, fmt: str = "text", colour: bool = False, unicode: bool = True) -> str:
    # The JSON and Markdown renderers are imported when asked for: a text report (`envcheck
    # explain`'s usual) need not compile them and the plan steps JSON carries.
    if fmt == "json":
        from . import jsonfmt

        return jsonfmt.render(report)
    if fmt == "markdown":
        from . import markdown

        return markdown.render(report)
    return text.render(report, colour=colour, unicode=unicode)
