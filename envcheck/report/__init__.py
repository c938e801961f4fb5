"""Renderers: findings and facts → text, JSON or Markdown. Nothing here reads the machine."""

from __future__ import annotations

from . import jsonfmt, markdown, text
from .model import Report

__all__ = ["Report", "render"]


def render(report: Report, fmt: str = "text", colour: bool = False, unicode: bool = True) -> str:
    if fmt == "json":
        return jsonfmt.render(report)
    if fmt == "markdown":
        return markdown.render(report)
    return text.render(report, colour=colour, unicode=unicode)
