"""The free-space reading taken from a pasted df table (explain/parsers/df_full.py), told apart
by its detail so rules/disk_space.py can name the mount it read instead of envcheck's cache."""

from __future__ import annotations

from envcheck.reading import Reading

DF_DETAIL = "df"


def df_detail(line: int, mount: str, use: int) -> str:
    return f"{DF_DETAIL}, line {line} of the text: {mount} {use}% used"


def df_row(reading: Reading) -> str:
    """The mount and use the df reading names ("/tmp 100% used"), or "" for any other reading."""
    detail = str(reading.detail or "")
    return detail.split(": ", 1)[-1] if detail.startswith(f"{DF_DETAIL}, line ") else ""
