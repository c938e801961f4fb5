"""The JSON Schemas of envcheck's documents, one per kind (docs/schemas.md).

``<kind>.schema.json`` describes one kind's document (draft 2020-12); each refers to
``envelope.schema.json`` for the five keys every document starts with and to
``defs.schema.json`` for the shapes several kinds share (a reading, a finding's fix, a
telemetry summary). References are relative file names and the files carry no ``$id``,
so any validator resolves them against the schema file's own location (a relative
``$id`` would be resolved against the working directory by some: check-jsonschema).

Reading the schemas needs nothing beyond the standard library. :func:`validate` needs
``jsonschema`` (a test dependency, not a runtime one: envcheck writes documents, it
never has to check them itself); it is imported when called, and a missing one is one
line (:class:`~envcheck.errors.SetupError`), not a traceback.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Dict, List, Tuple

from ..envelope import SCHEMA_VERSIONS, kind_of
from ..errors import EnvcheckError, SetupError

SHARED = ("envelope.schema.json", "defs.schema.json")


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


@functools.lru_cache(maxsize=None)
def _load(name: str) -> Dict[str, Any]:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def names() -> Tuple[str, ...]:
    """Every schema file shipped here (the kinds' and the shared ones), sorted."""
    return tuple(sorted(p.name for p in resources.files(__name__).iterdir() if p.name.endswith(".schema.json")))


def schema_for(kind: str) -> Dict[str, Any]:
    """The JSON Schema of ``kind`` (``envcheck.report``, ...): a fresh copy, safe to change."""
    if kind not in SCHEMA_VERSIONS:
        raise EnvcheckError(f"unknown document kind {kind!r}: one of {', '.join(sorted(SCHEMA_VERSIONS))}")
    return json.loads(json.dumps(_load(file_name(kind))))


def registry():
    """Every schema file as a ``referencing.Registry`` keyed by its file name (what the ``$ref`` name)."""
    try:
        from referencing import Registry, Resource
    except ImportError:
        raise SetupError("validating a document needs jsonschema (pip install 'jsonschema>=4.18')") from None
    return Registry().with_resources((name, Resource.from_contents(_load(name))) for name in names())


def validator(kind: str):
    """A ``jsonschema`` validator for ``kind`` whose ``$ref`` reach the other schema files."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        raise SetupError("validating a document needs jsonschema (pip install 'jsonschema>=4.18')") from None
    return Draft202012Validator(schema_for(kind), registry=registry())


def validate(doc: Any) -> List[str]:
    """What is wrong with ``doc`` against the schema its ``kind`` names: one line per
    problem (``$.findings[0].severity: 'fatal' is not one of ...``), empty when valid.
    A stage document inside a validate document is checked against its own kind's schema."""
    kind = kind_of(doc)
    if kind is None:
        return ["not an envcheck document (no tool \"envcheck\" and kind)"]
    if kind not in SCHEMA_VERSIONS:
        return [f"unknown document kind {kind!r}"]
    check = validator(kind)  # SetupError without jsonschema, before the import below
    from jsonschema.exceptions import best_match

    # An error under anyOf ("not valid under any of the given schemas", with the whole
    # object printed) is replaced by the branch's deepest cause: the key that is wrong.
    errors = sorted((best_match([e]) for e in check.iter_errors(doc)), key=lambda e: (list(e.absolute_path), e.message))
    return [f"{e.json_path}: {e.message}" for e in errors]
