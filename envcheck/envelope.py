"""One envelope for every JSON document envcheck writes.

Every ``--json`` output and every report file starts with the same five keys, then its
payload::

    {"schema_version": 1, "tool": "envcheck", "kind": "envcheck.burn",
     "envcheck_version": "0.1.0", "created_at": "2026-12-06T06:31:22+00:00", ...}

``kind`` says what the payload is; ``schema_version`` is the version of that kind's
payload (each kind's JSON Schema is ``envcheck/schemas/<kind>.schema.json``), so a
reader checks both before trusting the rest. Nothing here knows a payload's shape.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Dict, Mapping, Optional

from . import __version__

TOOL = "envcheck"
ENVELOPE_KEYS = ("schema_version", "tool", "kind", "envcheck_version", "created_at")

# kind -> the schema version of its payload. A payload change that drops or renames a key
# bumps its number (readers refuse a newer one); adding keys does not.
SCHEMA_VERSIONS: Dict[str, int] = {
    "envcheck.report": 1,      # doctor --json, explain --json
    "envcheck.facts": 1,       # snapshot
    "envcheck.advice": 1,      # advise --json
    "envcheck.recipes": 1,     # recipe list --json
    "envcheck.recipe": 1,      # recipe show --json
    "envcheck.plan": 1,        # plan --json
    "envcheck.bench": 1,       # bench --json
    "envcheck.burn": 1,        # burn --json / --report
    "envcheck.verify": 1,      # verify --json
    "envcheck.interconnect": 1,  # interconnect --json
    "envcheck.validate": 1,    # validate --report / --json
    "envcheck.fleet": 1,       # fleet --json
}


def now() -> str:
    """The current time in UTC, to the second, ISO 8601 (what ``created_at`` holds).

    ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/) fixes
    it, so a document made twice from the same input is the same byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit()
            else datetime.datetime.now(datetime.timezone.utc))
    return when.replace(microsecond=0).isoformat()


def wrap(kind: str, payload: Mapping[str, Any], created_at: Optional[str] = None) -> Dict[str, Any]:
    """The envelope for ``kind`` followed by ``payload`` (which must not use the envelope's keys)."""
    if kind not in SCHEMA_VERSIONS:
        raise KeyError(f"unknown document kind {kind!r}")
    clash = set(payload) & set(ENVELOPE_KEYS)
    if clash:
        raise ValueError(f"{kind} payload uses envelope keys: {sorted(clash)}")
    return {"schema_version": SCHEMA_VERSIONS[kind], "tool": TOOL, "kind": kind, "envcheck_version": __version__,
            "created_at": created_at or now(), **payload}


def newer_than_known(what: str, version: int, known: int) -> Optional[str]:
    """The one line a reader gives a document of a newer schema than it reads (None when it
    reads it): "snapshot schema 2 is newer than this envcheck understands (1); upgrade
    envcheck". The snapshot loader and fleet say it alike."""
    if version <= known:
        return None
    return f"{what} schema {version} is newer than this envcheck understands ({known}); upgrade envcheck"


def kind_of(doc: Any) -> Optional[str]:
    """The ``kind`` of an envcheck document, or None when ``doc`` is not one."""
    if isinstance(doc, dict) and doc.get("tool") == TOOL and isinstance(doc.get("kind"), str):
        return doc["kind"]
    return None
