"""Xid numbers: name, meaning, severity class and what to do (``data/xid.toml``).

The NVIDIA kernel driver logs ``NVRM: Xid (PCI:0000:01:00): 79, ...`` for events seen by
the GPU or the driver. The number alone tells an application bug (13, 31, 43, 45, 68)
from a dying GPU (48, 79, 95), so the table carries NVIDIA's name, a plain meaning, the
from envcheck.datafile import read_toml
from envcheck.errors import SetupError

class of cause, how envcheck rates it and the advice. Numbers missing from the table are
reported as unknown with a pointer to NVIDIA's catalog, never guessed.

This module stands alone (no import of the ``envcheck.knowledge`` loader) so the rules can
use it even where the other knowledge tables fail to load.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from envcheck.datafile import read_toml
from envcheck.errors import SetupError

DATA_FILE = Path(__file__).resolve().parent / "data" / "xid.toml"

CLASSES = ("application", "driver", "firmware", "memory", "hardware", "nvlink", "power", "informational")
SEVERITIES = ("error", "warning", "info")
CATALOG_URL = "https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html"


class XidTableError(SetupError):
    """The Xid table file is malformed (an envcheck packaging bug, not a machine problem)."""


@dataclass(frozen=True)
class XidInfo:
    code: int
    name: str  # NVIDIA's name, "GPU has fallen off the bus"
    kind: str  # class of cause, one of CLASSES
    severity: str  # one of SEVERITIES
    meaning: str
    advice: str
    nvidia_action: Optional[str] = None  # NVIDIA's immediate-action bucket, where confirmed

    @property
    def is_application(self) -> bool:
        """A program's own fault; the GPU is fine (13, 31, 43, 45, 68, 137)."""
        return self.kind == "application"


@dataclass(frozen=True)
class XidTable:
    entries: Mapping[int, XidInfo]
    source: str
    sources: Tuple[str, ...]
    checked: str  # ISO date the table was last compared with its sources

    def lookup(self, code: int) -> Optional[XidInfo]:
        return self.entries.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.entries

    def __len__(self) -> int:
        return len(self.entries)


_REQUIRED = ("code", "name", "class", "severity", "meaning", "advice")


def parse(data: Mapping[str, object], origin: str = "xid.toml") -> XidTable:
    """Build the table from parsed TOML; raise :class:`XidTableError` naming the bad entry."""
    for key in ("source", "checked"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise XidTableError(f"{origin}: top-level '{key}' is missing")
    rows = data.get("xid")
    if not isinstance(rows, list) or not rows:
        raise XidTableError(f"{origin}: no [[xid]] entries")
    entries: Dict[int, XidInfo] = {}
    for i, row in enumerate(rows):
        where = f"{origin}: [[xid]] #{i + 1}"
        if not isinstance(row, dict):
            raise XidTableError(f"{where} is not a table")
        missing = [k for k in _REQUIRED if k not in row]
        if missing:
            raise XidTableError(f"{where} lacks {', '.join(missing)}")
        code = row["code"]
        if not isinstance(code, int) or isinstance(code, bool) or code <= 0:
            raise XidTableError(f"{where}: code must be a positive integer")
        if code in entries:
            raise XidTableError(f"{where}: Xid {code} listed twice")
        if row["class"] not in CLASSES:
            raise XidTableError(f"{where}: class {row['class']!r} is not one of {', '.join(CLASSES)}")
        if row["severity"] not in SEVERITIES:
            raise XidTableError(f"{where}: severity {row['severity']!r} is not one of {', '.join(SEVERITIES)}")
        for k in ("name", "meaning", "advice"):
            if not isinstance(row[k], str) or not row[k].strip():
                raise XidTableError(f"{where}: {k} must be non-empty text")
        action = row.get("nvidia_action")
        if action is not None and not isinstance(action, str):
            raise XidTableError(f"{where}: nvidia_action must be text")
        entries[code] = XidInfo(code, row["name"], row["class"], row["severity"], row["meaning"].strip(),
                                row["advice"].strip(), action)
    sources = data.get("sources") or [data["source"]]
    return XidTable(entries=dict(sorted(entries.items())), source=str(data["source"]),
                    sources=tuple(str(s) for s in sources), checked=str(data["checked"]))


def load(path: Path = DATA_FILE) -> XidTable:
    """Read and validate a table file."""
    return parse(read_toml(path, error=XidTableError), path.name)


@functools.lru_cache(maxsize=1)
def table() -> XidTable:
    """The packaged table, read once."""
    return load()


def lookup(code: int) -> Optional[XidInfo]:
    return table().lookup(code)
