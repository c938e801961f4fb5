"""Upstream's own words: the messages torch, CUDA, NVML, the NVIDIA kernel module, cuDNN,
NCCL, the glibc loader, Docker and the NVIDIA container toolkit, pip and conda print about
a machine's setup (``data/messages.toml``), and :func:`match` to find them in any text.

Each :class:`Message` says where upstream prints it (:class:`Origin`), which facts its
named groups carry (converted the way envcheck stores them: the driver's CUDA 11040 ->
"11.4", a capability sm_120 -> "12.0", cuDNN (8, 3, 2) -> 8302 as
``torch.backends.cudnn.version()`` encodes it) and which findings of
``envcheck/rules/catalogue.py`` it is evidence for (:class:`Support`).

Scanning (``message_scan.py``) is linear in the text: every pattern starts on a literal (or a
look-behind), has no unbounded repeat inside another repeat and bounded gaps, and a literal
each pattern cannot match without (read from the parsed pattern) is looked for first, so a
message whose words are absent costs one substring search. Figures: docs/messages.md.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from envcheck.datafile import compiled, digest_of, read_toml_digest
from envcheck.errors import SetupError
from envcheck.knowledge.line_scan import line_local
from envcheck.knowledge.message_facts import FACTS, convert  # noqa: F401 (callers read them here)
from envcheck.knowledge.message_scan import (  # noqa: F401 (the scan's names, for callers of this module)
    LARGE,
    REACH,
    Fact,
    Match,
    Positions,
    absent,
    distinct_words,
    parse_checked,
    parse_shaped,
    scan,
    shape_of,
    strip_colour,
)
from envcheck.lazyre import lazy

DATA_FILE = Path(__file__).resolve().parent / "data" / "messages.toml"

# "info": a line read only for the facts it carries (a build's flags), never a failure to account for.
KINDS = ("error", "warning", "info")
# decisive: the message states the verdict; probable: the commonest cause by far, a likely
# finding where the facts cannot check it; supporting: one of several causes.
STRENGTHS = ("decisive", "probable", "supporting")
PROJECTS = (
    "torch", "cuda_runtime", "cuda_libraries", "nvml", "nvidia_smi", "nvidia_kernel_module", "linux_kernel",
    "kmod", "cudnn", "nccl", "nvrtc", "nvcc", "glibc_loader", "windows_loader", "docker",
    "nvidia_container_toolkit", "pip", "conda", "python", "ultralytics", "dkms", "fabric_manager", "glibc",
    "nvidia_installer", "torchvision", "stable_diffusion_webui", "tensorflow", "onnxruntime", "ctranslate2",
    "bitsandbytes", "uv", "ngc_containers", "podman", "container_device_interface", "xformers", "apex",
    "deepspeed", "poetry", "ollama", "mkinitcpio", "llama_cpp", "xorg", "pyg",
    "k8s_device_plugin", "transformers", "vllm", "ray", "cuda_python", "cudarc",
    "containerd", "shell", "apt",
    "pycuda",
    "paddlepaddle", "faiss", "dcgm",
    "binutils",
    "mxnet",
    "jax",  # r9fw: jax/_src/xla_bridge.py, environment_info.py
    "systemd",  # r13b: src/shared/module-util.c (systemd-modules-load)
    "xla",  # openxla: xla/pjrt (the PJRT plugin API JAX's CUDA and Metal plugins speak)
    "detectron2", "mmcv", "flash_attn", "tinycudann",  # r12ext: compiled extensions' own reports
    "invokeai", "openai_whisper", "insightface", "comfyui",  # r12sd: image/audio apps
    "numba",  # r19l: numba/cuda/cudadrv (its own library lookup errors)
    "xmr_stak",  # r20l: xmrstak/backend/nvidia (its own compiled-architecture check)
    "deformable_detr", "dcnv2", "spconv",  # r20l: their CUDA ops' own launch checks
    "cuda_jl", "tensorrt",  # r21d: JuliaGPU's CUDAnative/CUDA.jl/CUDA_Runtime_jll; TensorRT's builder/runtime
    "ffmpeg", "nvidia_video_codec_sdk", "obs_studio",  # r26n: NVENC users' own driver checks
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


# ------------------------------------------------------------------ records
@dataclass(frozen=True)
class Origin:
    project: str  # one of PROJECTS
    where: str  # file / function / error code that prints it
    versions: str  # the versions it was seen in


@dataclass(frozen=True)
class Support:
    finding: str  # an id of envcheck/rules/catalogue.py
    strength: str  # "decisive" | "supporting"


@dataclass(frozen=True)
class Message:
    id: str
    kind: str  # "error" | "warning" | "info"
    summary: str
    pattern: "re.Pattern[str]"
    origin: Origin
    facts: Tuple[Tuple[str, str], ...]  # (group, fact name)
    supports: Tuple[Support, ...]
    examples: Tuple[str, ...]
    overlaps: Tuple[str, ...] = ()
    note: str = ""
    needles: Optional[FrozenSet[str]] = None  # lowercased; a match contains one of them (None: unknown)
    reach: int = 0  # the longest a match can be (capped at REACH)
    lead: Optional[int] = None  # how far into a match (at most) a needle starts (None: unknown)
    behind: Optional[int] = None  # how far before a search's start the pattern may read (None: unknown)
    # Messages whose presence in the same text means this one is not about the machine (pip's
    # failed build subprocess: its "No module named 'torch'" is the build environment's).
    voided_by: Tuple[str, ...] = ()
    # The lines after it, to the subprocess's "[end of output]", are another process's output
    # (pip's build environment): the messages in them say nothing about this machine.
    encloses_output: bool = False
    # No match can hold or look past a newline (``line_scan.line_local``): a repeated line is scanned once.
    local: bool = False

    def findings(self, strength: Optional[str] = None) -> Tuple[str, ...]:
        # Asked tens of thousands of times per report (the verdict weighs each stated message
        # against each finding): made once per strength.
        out = self._findings.get(strength)
        if out is None:
            out = self._findings[strength] = tuple(
                s.finding for s in self.supports if strength is None or s.strength == strength)
        return out

    @functools.cached_property
    def _findings(self) -> Dict[Optional[str], Tuple[str, ...]]:
        return {}

    def read_facts(self, m: "re.Match[str]") -> Tuple[Fact, ...]:
        """The facts a match of this message carries, converted (``message_scan`` calls this)."""
        return _facts(self, m)


@dataclass(frozen=True)
class Ignored:  # a setup-looking upstream text deliberately not catalogued
    pattern: "re.Pattern[str]"
    reason: str


@dataclass(frozen=True)
class Catalogue:
    source: Tuple[str, ...]
    checked: str
    messages: Tuple[Message, ...]
    ignored: Tuple[Ignored, ...]

    @functools.cached_property
    def by_id(self) -> Dict[str, Message]:
        return {m.id: m for m in self.messages}

    @functools.cached_property
    def by_line(self) -> Tuple[Tuple[Message, ...], Tuple[Message, ...]]:
        """(the messages no match of which spans a line, the others)."""
        return tuple(m for m in self.messages if m.local), tuple(m for m in self.messages if not m.local)

    def get(self, message_id: str) -> Message:
        return self.by_id[message_id]

    def match(self, text: str, lower: Optional[str] = None, words: Optional[str] = None,
              positions: Optional[Positions] = None, starts: Optional[Sequence[int]] = None) -> List[Match]:
        return scan(self.messages, text, lower, words, positions, starts)

    def ignored_reason(self, text: str) -> Optional[str]:
        """The reason a text is on the ignore list, or None."""
        return next((i.reason for i in self.ignored if i.pattern.search(text)), None)


# ------------------------------------------------------------------ loading
def _fail(where: str, what: str) -> SetupError:
    return SetupError(f"message table {where}: {what} (broken installation)")


def _strings(row: dict, key: str, where: str) -> Tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key} must be a list of strings")
    return tuple(value)


def _stored_shape(stored: object) -> Optional[Tuple[tuple, bool, set]]:
    """(shape, local, group names) from a compiled.json entry, or None when it is missing or damaged
    (the pattern is then parsed for real)."""
    try:
        needles, reach, lead, behind, local, group_names = stored  # type: ignore[misc]
        if not (needles is None or all(isinstance(n, str) for n in needles)) or not isinstance(reach, int) \
                or not (lead is None or isinstance(lead, int)) or not (behind is None or isinstance(behind, int)) \
                or not isinstance(local, bool) or not all(isinstance(g, str) for g in group_names):
            return None
        return (None if needles is None else frozenset(needles), reach, lead, behind), local, set(group_names)
    except (TypeError, ValueError):
        return None


def _message(row: dict, where: str, stored_shapes: Optional[Mapping[str, list]] = None) -> Message:
    for key in ("id", "kind", "summary", "pattern", "origin", "supports", "examples"):
        if key not in row:
            raise _fail(where, f"lacks {key}")
    mid = row["id"]
    where = f"{where} ({mid})"
    if not isinstance(mid, str) or not _ID.match(mid):
        raise _fail(where, "id must be snake_case")
    if row["kind"] not in KINDS:
        raise _fail(where, f"kind must be one of {', '.join(KINDS)}")
    stored = _stored_shape(stored_shapes.get(mid) if stored_shapes else None)
    if stored is not None:  # this very table analysed before (compiled.json): its pattern parsed then
        parsed = None
        shape, local, groups = stored
    else:
        try:  # parsed and checked now, compiled on first use: a paste needs few of the catalogue's
            parsed, shape = parse_shaped(row["pattern"])
        except (re.error, TypeError) as exc:
            raise _fail(where, f"pattern does not compile: {exc}") from None
        groups = set(parsed.state.groupdict)
        local = line_local(parsed, parsed.state.flags)
    pattern = lazy(row["pattern"], 0, parsed)
    o = row["origin"]
    if not isinstance(o, dict) or o.get("project") not in PROJECTS or not o.get("where") or not o.get("versions"):
        raise _fail(where, f"origin needs project (one of {', '.join(PROJECTS)}), where and versions")
    facts = row.get("facts", {})
    if not isinstance(facts, dict):
        raise _fail(where, "facts must be a table")
    for group, fact in facts.items():
        if group not in groups:
            raise _fail(where, f"facts names group {group!r}, which the pattern lacks")
        if fact not in FACTS:
            raise _fail(where, f"fact {fact!r} is not one of messages.FACTS")
    if groups - set(facts):
        raise _fail(where, f"groups {sorted(groups - set(facts))} carry no fact")
    supports = []
    for s in row["supports"]:
        if not isinstance(s, dict) or not isinstance(s.get("finding"), str) or s.get("strength") not in STRENGTHS:
            raise _fail(where, "each supports entry needs finding and strength (decisive | supporting)")
        supports.append(Support(s["finding"], s["strength"]))
    if not supports and not row.get("note"):
        raise _fail(where, "a message that supports no finding needs a note")
    examples = _strings(row, "examples", where)
    if not examples:
        raise _fail(where, "needs at least one example")
    return Message(mid, row["kind"], row["summary"], pattern, Origin(o["project"], o["where"], o["versions"]),
                   tuple(facts.items()), tuple(supports), examples, _strings(row, "overlaps", where),
                   row.get("note", ""), *shape, voided_by=_strings(row, "voided_by", where),
                   encloses_output=row.get("encloses_output") is True, local=local)


def parse(data: Mapping[str, object], origin: str = "messages.toml",
          stored_shapes: Optional[Mapping[str, list]] = None) -> Catalogue:
    """Build and validate the catalogue from parsed TOML. ``stored_shapes``: message id ->
    what :func:`shape_record` read of its pattern, for this very table (see :func:`load`);
    the patterns of the others are parsed and analysed now."""
    meta = data.get("meta")
    if not isinstance(meta, dict) or not meta.get("source") or not meta.get("checked"):
        raise _fail(origin, "[meta] needs source and checked")
    rows = data.get("message")
    if not isinstance(rows, list) or not rows:
        raise _fail(origin, "no [[message]] entries")
    messages = [_message(r, f"{origin} [[message]] #{i + 1}", stored_shapes) for i, r in enumerate(rows)]
    ids = [m.id for m in messages]
    known = set(ids)  # made once: a set of the 400-odd ids per message and per check was 0.02 s of each start
    if len(known) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise _fail(origin, f"ids listed twice: {', '.join(dupes)}")
    for m in messages:
        unknown = set(m.overlaps) - known
        if unknown:
            raise _fail(origin, f"{m.id} overlaps unknown ids {sorted(unknown)}")
        unknown = set(m.voided_by) - known
        if unknown:
            raise _fail(origin, f"{m.id} is voided by unknown ids {sorted(unknown)}")
    ignored = []
    for i, r in enumerate(data.get("ignore", [])):
        if not isinstance(r, dict) or not r.get("pattern") or not r.get("reason"):
            raise _fail(origin, f"[[ignore]] #{i + 1} needs pattern and reason")
        ignored.append(Ignored(lazy(r["pattern"]), r["reason"]))
    source = meta["source"] if isinstance(meta["source"], list) else [meta["source"]]
    return Catalogue(tuple(str(s) for s in source), str(meta["checked"]), tuple(messages), tuple(ignored))


def load(path: Path = DATA_FILE) -> Catalogue:
    """Read and validate a message table file. Parsing and analysing its 400-odd patterns
    (``sre_parse``, needles, reach ...) took ~0.08 s of each start: compiled.json keeps what it
    gave for the packaged table (``scripts/compile_data.py``), used only for a table whose
    bytes, and the analysing code's, are the ones it was made from (:func:`shapes_key`)."""
    data, digest = read_toml_digest(path)
    stored = compiled().get("catalogue")
    shapes = None
    if isinstance(stored, dict) and stored.get("key") == shapes_key(digest) and isinstance(stored.get("shapes"), dict):
        shapes = stored["shapes"]
    return parse(data, Path(path).name, shapes)


def shapes_key(table_digest: str) -> Optional[str]:
    """What a stored analysis depends on: the table's bytes (SHA-256) and the modules that
    analyse patterns (None when their source cannot be read: nothing stored is then used)."""
    here = Path(__file__).resolve().parent
    parts = [table_digest] + [digest_of(here / name) for name in ("pattern_shape.py", "message_scan.py", "line_scan.py")]
    return None if None in parts else ":".join(parts)  # type: ignore[arg-type]


def shape_record(message: Message) -> list:
    """[needles, reach, lead, behind, local, group names] of a message parsed for real, as
    compiled.json stores them (``scripts/compile_data.py``)."""
    needles = None if message.needles is None else sorted(message.needles)
    return [needles, message.reach, message.lead, message.behind, message.local, sorted(message.pattern.groupindex)]


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    return load()


# ------------------------------------------------------------------ matching
def _facts(message: Message, m: "re.Match[str]") -> Tuple[Fact, ...]:
    out: List[Fact] = []
    seen = set()
    for group, name in message.facts:
        raw = m.group(group)
        if raw is None or name in seen:
            continue
        try:
            value = convert(name, raw)
        except (ValueError, IndexError):
            continue  # a value upstream wrote in a form the conversion does not know: left out
        seen.add(name)
        out.append(Fact(name, value, group))
    return tuple(out)


def match(text: str, lower: Optional[str] = None, words: Optional[str] = None,
          positions: Optional[Positions] = None, starts: Optional[Sequence[int]] = None) -> List[Match]:
    """The catalogued upstream messages in ``text`` (a paste, a log, a traceback); ``lower``
    and ``words``: ``text.lower()`` and :func:`distinct_words` of it, when the caller has them;
    ``positions``: where a needle occurs in ``lower`` (``message_scan.Positions``); ``starts``:
    where each line of ``text`` starts."""
    return catalogue().match(text, lower, words, positions, starts)
