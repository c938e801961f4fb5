"""Versioned JSON snapshots of a machine's facts, and their redaction.

``envcheck snapshot -o host.json`` writes one; ``envcheck doctor --facts host.json``
diagnoses it exactly as if it were live. ``--redact`` replaces GPU UUIDs and serials,
user names and home directories with stable placeholders, so a snapshot can be attached
to a public bug report or kept as a test fixture.

One set of rules for what envcheck never shows (the environment probe, ``doctor``,
``explain``): secrets are dropped always — variables whose names say they hold one
(:data:`SECRET_MARKERS`) and values shaped like a token (:data:`SECRET_VALUE`), whatever
the variable; identities (UUIDs, serials, user names, home paths) only when redacting.
"""

from __future__ import annotations

import dataclasses
import enum
import getpass
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Set, Tuple, Union

from .envelope import newer_than_known, wrap
from .errors import EnvcheckError
from .facts import SCHEMA_VERSION, Facts, GpuFacts
from .lazyre import lazy
from .reading import Reading
from .serial import SchemaError, from_dict, to_data
from .userfiles import read_json

KIND = "envcheck.facts"
# A snapshot of an 8-GPU machine is tens of kilobytes; nothing real comes near this.
MAX_BYTES = 64 * 2**20

_HOME = lazy(r"(/home/|/Users/|[A-Za-z]:\\Users\\|[A-Za-z]:/Users/)[^/\\\s:'\"]+")
_UUID = lazy(r"\b(GPU|MIG)-[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}\b")
_ANY_UUID = lazy(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_SERIAL = lazy(r"(?i)(\bserial(?: number)?\s*[:=]\s*)[0-9A-Za-z-]{6,}")
# A shell prompt names the user: "kgk2@bock:~$", "(base) dell@dell:~/x$", "[alice@gpu01 ~]$".
_PROMPT_USER = lazy(r"(?:^|[\s(\[])([a-z_][a-z0-9_.-]{1,31})@[\w.-]+[:\s][^\n]{0,80}?[$#]")
# Account names that identify nobody (default users of images and clouds).
_GENERIC_USERS = frozenset({"root", "user", "admin", "ubuntu", "ec2-user", "runner", "jovyan", "appuser", "app",
                            "centos", "debian", "fedora", "nobody", "docker", "USER"})

SECRET_PLACEHOLDER = "<secret removed>"
# Names of variables that hold secrets (NVIDIA_API_KEY, HF_TOKEN, NCCL_IB_AUTH_TOKEN, …).
SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSW", "CREDENTIAL", "AUTH")
# Values shaped like a credential, whatever holds them: the documented prefixes of GitHub
# (fine-grained github_pat_, classic ghp_/gho_/ghu_/ghs_/ghr_), GitLab (glpat-), NVIDIA NGC /
# build.nvidia.com (nvapi-), Hugging Face (hf_), OpenAI and Anthropic (sk-, sk-proj-, sk-ant-),
# AWS access key ids (AKIA/ASIA + 16), Slack (xox?-), Google API keys (AIza + 35), JSON Web
# Tokens, PEM private keys.
SECRET_VALUE = lazy(
    r"github_pat_[A-Za-z0-9_]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bglpat-[A-Za-z0-9_-]{20,}|\bnvapi-[A-Za-z0-9_-]{20,}"
    r"|\bhf_[A-Za-z0-9]{20,}|\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"|-----BEGIN [A-Z ]{0,30}PRIVATE KEY-----[\s\S]{0,8192}?(?:-----END [A-Z ]{0,30}PRIVATE KEY-----|$)")
# NAME=value / NAME: value where the name says it is a secret ("export HF_TOKEN=…", "-e NVIDIA_API_KEY=…",
# "aws_secret_access_key = …").
_SECRET_ASSIGNMENT = lazy(
    r"(?i)(\b[A-Za-z_][A-Za-z0-9_]{0,60}(?:" + "|".join(SECRET_MARKERS) + r")[A-Za-z0-9_]{0,60}\s*[=:]\s*[\"']?)"
    r"(?!\s|" + re.escape(SECRET_PLACEHOLDER) + r")([^\s\"',;]{1,512})")


def to_document(facts: Facts) -> Dict[str, Any]:
    """The envelope, then the facts; the envelope's schema_version is the facts' schema."""
    data = to_data(facts)
    version = data.pop("schema_version")
    # A snapshot is made when its facts are collected, by the envcheck that collected them.
    doc = wrap(KIND, {k: v for k, v in data.items() if k != "envcheck_version"}, created_at=facts.collected_at or None)
    return {**doc, "schema_version": version, "envcheck_version": facts.envcheck_version}


def save(facts: Facts, path: Union[str, Path]) -> Path:
    # Imported here: `envcheck explain` never writes a snapshot, and atomicio brings tempfile,
    # shutil and the compression modules (~4 ms of its start).
    from .atomicio import atomic_write_json

    return atomic_write_json(path, to_document(facts))


def from_document(doc: Any, origin: str = "snapshot") -> Facts:
    if not isinstance(doc, dict):
        raise EnvcheckError(f"{origin}: not an envcheck snapshot (expected a JSON object)")
    if doc.get("tool") == "envcheck" and isinstance(doc.get("facts"), dict):
        doc = doc["facts"]  # the facts part of a `doctor --json` report is a snapshot too
    version = doc.get("schema_version")
    if not isinstance(version, int):
        raise EnvcheckError(f"{origin}: not an envcheck snapshot (no schema_version)")
    newer = newer_than_known("snapshot", version, SCHEMA_VERSION)
    if newer:
        raise EnvcheckError(f"{origin}: {newer}")
    body = {k: v for k, v in doc.items() if k not in ("tool", "kind", "created_at")}
    try:
        facts = from_dict(Facts, body)
    except SchemaError as exc:
        raise EnvcheckError(f"{origin}: invalid snapshot: {exc}") from None
    return dataclasses.replace(facts, source="snapshot")


def load(path: Union[str, Path]) -> Facts:
    p = Path(path)
    # Bounded (`--facts /dev/zero` must not eat the memory); a 5000-digit integer is bad input too.
    return from_document(read_json(p, MAX_BYTES, "envcheck snapshot"), str(p))


# ---------------------------------------------------------------------------- secrets
def is_secret_name(name: str) -> bool:
    """Does a variable's name say it holds a secret?"""
    return any(marker in name.upper() for marker in SECRET_MARKERS)


def is_secret_value(value: str) -> bool:
    """Is the value (or a part of it) shaped like a credential?"""
    return bool(SECRET_VALUE.search(value))


# What every match of SECRET_VALUE holds (each alternative's literal start, case as written), and
# what a secret-named assignment holds in an ASCII text once upper-cased: a text without any is
# not searched (the patterns try every alternative at every place; a 4 MiB paste's facts hold
# a thousand distinct texts, 0.02 s of searching).
_VALUE_STARTS = ("github_pat_", "gh", "glpat-", "nvapi-", "hf_", "sk-", "AKIA", "ASIA", "xox", "AIza", "eyJ", "-----BEGIN ")


def scrub_secrets(text: str) -> str:
    """``text`` with credential-shaped values and secret-named assignments replaced."""
    if not text:
        return text
    if any(start in text for start in _VALUE_STARTS):
        text = SECRET_VALUE.sub(SECRET_PLACEHOLDER, text)
    # re.IGNORECASE also takes a few non-ASCII letters for ASCII ones (the Kelvin sign for k):
    # only an ASCII text is ruled out by its upper case.
    if text.isascii() and not any(marker in text.upper() for marker in SECRET_MARKERS):
        return text
    return _SECRET_ASSIGNMENT.sub(lambda m: m.group(1) + SECRET_PLACEHOLDER, text)


def _map_strings(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _without_secret_variables(facts: Facts) -> Facts:
    variables = facts.env.variables
    if not variables.ok or not variables.value:
        return facts
    kept = {k: v for k, v in variables.value.items() if not is_secret_name(k) and not is_secret_value(str(v))}
    if len(kept) == len(variables.value):
        return facts
    withheld = len(variables.value) - len(kept)
    detail = "; ".join(filter(None, (variables.detail, f"{withheld} variable(s) withheld: their names or values "
                                                       "look like secrets")))
    return dataclasses.replace(facts, env=dataclasses.replace(facts.env, variables=Reading.of(kept, detail)))


def drop_secrets(facts: Facts) -> Facts:
    """Facts without secrets: secret-named or secret-valued variables dropped, credential-shaped
    values in every text replaced. Applied to everything envcheck shows, redacted or not."""
    facts = _without_secret_variables(facts)
    texts: Set[str] = set()
    _data_strings(facts, texts)
    if all(scrub_secrets(text) == text for text in texts):
        return facts  # nothing to replace: the common case, found without building the facts' data
    changed = []
    # Each distinct text scrubbed once: a long paste's facts repeat the same lines thousands
    # of times (7,800 texts, 1,000 distinct on the benchmark's 4 MiB paste: 50 -> 8 ms).
    done: Dict[str, str] = {}

    def scrub(text: str) -> str:
        out = done.get(text)
        if out is None:
            out = done[text] = scrub_secrets(text)
            if out != text:
                changed.append(True)
        return out
    data = _map_strings(to_data(facts), scrub)
    # Rebuilt only when a text held a secret: a large paste's facts take a while to rebuild.
    return from_dict(Facts, data) if changed else facts


def _data_strings(obj: Any, out: Set[str]) -> None:
    """Every string ``_map_strings`` would meet in ``to_data(obj)`` (serial.py), into ``out``,
    without building the data: on a 4 MiB paste's facts that takes longer than the scrubbing."""
    if isinstance(obj, Reading):
        if isinstance(obj.value, float) and not math.isfinite(obj.value):
            _raw_strings(to_data(obj), out)
            return
        _data_strings(obj.value, out)
        _raw_strings(obj.status.value, out)
        if obj.detail:
            _raw_strings(obj.detail, out)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _data_strings(getattr(obj, f.name), out)
    elif isinstance(obj, enum.Enum):
        _raw_strings(obj.value, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _data_strings(v, out)
    elif isinstance(obj, dict):
        for v in obj.values():
            _data_strings(v, out)
    elif not isinstance(obj, float):
        _raw_strings(obj, out)


def _raw_strings(value: Any, out: Set[str]) -> None:
    """The strings ``_map_strings`` meets in ``value`` (data already: str, list, dict)."""
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, list):
        for v in value:
            _raw_strings(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _raw_strings(v, out)


# ---------------------------------------------------------------------------- redaction
def local_identity() -> Tuple[Optional[str], Optional[str]]:
    """This machine's home directory and user name (``$HOME``, the login name), as far as known."""
    home = os.environ.get("HOME") or None
    try:
        user: Optional[str] = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (a container's numeric uid)
        user = None
    return home, user


def user_names(text: str) -> Tuple[str, ...]:
    """User names a pasted text shows: home directories and shell prompts."""
    names = [m.group(0).rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] for m in _HOME.finditer(text)]
    names += [m.group(1) for m in _PROMPT_USER.finditer(text)]
    return tuple(dict.fromkeys(n for n in names if _identifying(n)))


def _identifying(name: Optional[str]) -> bool:
    return bool(name) and len(name) >= 3 and name not in _GENERIC_USERS and not name.isdigit()


def _redactor(users: Iterable[str], home: Optional[str]):
    homes = []
    if home and home not in ("/", "/root") and len(home) > 1:
        parent = os.path.dirname(home.rstrip("/"))
        homes.append((home.rstrip("/"), (parent.rstrip("/") + "/USER") if parent else "USER"))
    names = sorted({u for u in users if _identifying(u)}, key=len, reverse=True)
    name_re = re.compile(r"(?<![\w.-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])") if names else None

    def text(value: str) -> str:
        for path, placeholder in homes:
            value = value.replace(path, placeholder)
        value = _HOME.sub(lambda m: m.group(1) + "USER", value)
        value = _UUID.sub(lambda m: f"{m.group(1)}-REDACTED", value)
        value = _ANY_UUID.sub("REDACTED-UUID", value)
        value = _SERIAL.sub(lambda m: m.group(1) + "REDACTED", value)
        if name_re is not None:
            value = name_re.sub("USER", value)
        return value
    return text


def redact(facts: Facts, users: Iterable[str] = ()) -> Facts:
    """UUIDs and serials become ``GPU-REDACTED-<n>`` / ``REDACTED-<n>``; home directories
    (``/home/x``, ``/Users/x``, ``C:\\Users\\x`` and this machine's ``$HOME``) and user
    names (this machine's and ``users``, e.g. those :func:`user_names` found in a paste)
    become ``USER``; secrets are dropped (:func:`drop_secrets`)."""
    def gpu(g: GpuFacts) -> GpuFacts:
        uuid = Reading.of(f"GPU-REDACTED-{g.index}") if g.uuid.ok else g.uuid
        serial = Reading.of(f"REDACTED-{g.index}") if g.serial.ok else g.serial
        return dataclasses.replace(g, uuid=uuid, serial=serial)

    gpus = facts.nvml.gpus
    if gpus.ok and gpus.value is not None:
        gpus = Reading.of(tuple(gpu(g) for g in gpus.value))
    facts = dataclasses.replace(facts, nvml=dataclasses.replace(facts.nvml, gpus=gpus), redacted=True)
    facts = _without_secret_variables(facts)
    home, user = local_identity()
    redactor = _redactor(list(users) + ([user] if user else []), home)
    done: Dict[str, str] = {}  # each distinct text once, as drop_secrets does

    def text(value: str) -> str:
        out = done.get(value)
        if out is None:
            out = done[value] = redactor(scrub_secrets(value))
        return out
    data = _map_strings(to_data(facts), text)
    return from_dict(Facts, data)
