"""Versioned JSON snapshots of a machine's facts, and their redaction.

``envcheck snapshot -o host.json`` writes one; ``envcheck doctor --facts host.json``
diagnoses it exactly as if it were live. ``--redact`` replaces GPU UUIDs and serials
(and user names in home paths) with stable placeholders, so a snapshot can be
attached to a public bug report or kept as a test fixture.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any, Dict, Union

from .atomicio import atomic_write_json
from .envelope import wrap
from .errors import EnvcheckError
from .facts import SCHEMA_VERSION, Facts, GpuFacts
from .reading import Reading
from .serial import SchemaError, from_dict, to_data
from .userfiles import read_bounded

KIND = "envcheck.facts"
# A snapshot of an 8-GPU machine is tens of kilobytes; nothing real comes near this.
MAX_BYTES = 64 * 2**20

_HOME = re.compile(r"(/home/|/Users/)[^/\s:]+")
_UUID = re.compile(r"\b(GPU|MIG)-[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}\b")


def to_document(facts: Facts) -> Dict[str, Any]:
    """The envelope, then the facts; the envelope's schema_version is the facts' schema."""
    data = to_data(facts)
    version = data.pop("schema_version")
    # A snapshot is made when its facts are collected, by the envcheck that collected them.
    doc = wrap(KIND, {k: v for k, v in data.items() if k != "envcheck_version"}, created_at=facts.collected_at or None)
    return {**doc, "schema_version": version, "envcheck_version": facts.envcheck_version}


def save(facts: Facts, path: Union[str, Path]) -> Path:
    return atomic_write_json(path, to_document(facts))


def from_document(doc: Any, origin: str = "snapshot") -> Facts:
    if not isinstance(doc, dict):
        raise EnvcheckError(f"{origin}: not an envcheck snapshot (expected a JSON object)")
    if doc.get("tool") == "envcheck" and isinstance(doc.get("facts"), dict):
        doc = doc["facts"]  # the facts part of a `doctor --json` report is a snapshot too
    version = doc.get("schema_version")
    if not isinstance(version, int):
        raise EnvcheckError(f"{origin}: not an envcheck snapshot (no schema_version)")
    if version > SCHEMA_VERSION:
        raise EnvcheckError(f"{origin}: snapshot schema {version} is newer than this envcheck "
                            f"understands ({SCHEMA_VERSION}); upgrade envcheck")
    body = {k: v for k, v in doc.items() if k not in ("tool", "kind", "created_at")}
    try:
        facts = from_dict(Facts, body)
    except SchemaError as exc:
        raise EnvcheckError(f"{origin}: invalid snapshot: {exc}") from None
    return dataclasses.replace(facts, source="snapshot")


def load(path: Union[str, Path]) -> Facts:
    p = Path(path)
    data = read_bounded(p, MAX_BYTES)  # bounded: `--facts /dev/zero` must not eat the memory
    if len(data) > MAX_BYTES:
        raise EnvcheckError(f"{p}: larger than any envcheck snapshot ({MAX_BYTES // 2**20} MiB); not a snapshot")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise EnvcheckError(f"{p}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise EnvcheckError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise EnvcheckError(f"{p}: not an envcheck snapshot (JSON nested too deeply)") from None
    return from_document(doc, str(p))


# ---------------------------------------------------------------------------- redaction
def _redact_text(value: Any) -> Any:
    if isinstance(value, str):
        return _UUID.sub(lambda m: f"{m.group(1)}-REDACTED", _HOME.sub(r"\1USER", value))
    if isinstance(value, list):
        return [_redact_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_text(v) for k, v in value.items()}
    return value


def redact(facts: Facts) -> Facts:
    """UUIDs and serials become ``GPU-REDACTED-<n>`` / ``REDACTED-<n>``; home paths lose the user."""
    def gpu(g: GpuFacts) -> GpuFacts:
        uuid = Reading.of(f"GPU-REDACTED-{g.index}") if g.uuid.ok else g.uuid
        serial = Reading.of(f"REDACTED-{g.index}") if g.serial.ok else g.serial
        return dataclasses.replace(g, uuid=uuid, serial=serial)

    gpus = facts.nvml.gpus
    if gpus.ok and gpus.value is not None:
        gpus = Reading.of(tuple(gpu(g) for g in gpus.value))
    facts = dataclasses.replace(facts, nvml=dataclasses.replace(facts.nvml, gpus=gpus), redacted=True)
    data = _redact_text(to_data(facts))
    return from_dict(Facts, data)
