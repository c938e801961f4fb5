"""docs/explain.md names every parser explain runs: a reader nobody can find in the docs is one
a maintainer cannot weigh when a paste is misread."""

from __future__ import annotations

from pathlib import Path

from envcheck.explain.parsers import PARSERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "explain.md"


def test_every_parser_has_a_row_in_docs_explain():
    text = DOC.read_text(encoding="utf-8")
    names = sorted({p.__module__.rsplit(".", 1)[-1] for p in PARSERS})
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"docs/explain.md has no row for: {', '.join(missing)}"
