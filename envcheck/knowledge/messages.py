"""Upstream's own words: the messages torch, CUDA, NVML, the NVIDIA kernel module, cuDNN,
NCCL, the glibc loader, Docker and the NVIDIA container toolkit, pip and conda print about
a machine's setup (``data/messages.toml``), and :func:`match` to find them in any text.

Each :class:`Message` says where upstream prints it (:class:`Origin`), which facts its
named groups carry (converted the way envcheck stores them: the driver's CUDA 11040 ->
"11.4", a capability sm_120 -> "12.0", cuDNN (8, 3, 2) -> 8302 as
``torch.backends.cudnn.version()`` encodes it) and which findings of
``envcheck/rules/catalogue.py`` it is evidence for (:class:`Support`).

Scanning is linear in the text: every pattern starts on a literal (or a look-behind), has no
unbounded repeat inside another repeat and bounded gaps, and a literal each pattern cannot
match without (read from the parsed pattern) is looked for first, so a message whose words
are absent costs one substring search. Figures: docs/messages.md.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from envcheck.datafile import read_toml
from envcheck.errors import SetupError

from .archs import cc_text, cc_tuple, cuda_int_text, encode_cudnn, major_minor, sm_name

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

DATA_FILE = Path(__file__).resolve().parent / "data" / "messages.toml"

KINDS = ("error", "warning")
STRENGTHS = ("decisive", "supporting")
PROJECTS = (
    "torch", "cuda_runtime", "cuda_libraries", "nvml", "nvidia_smi", "nvidia_kernel_module", "linux_kernel",
    "kmod", "cudnn", "nccl", "nvrtc", "nvcc", "glibc_loader", "windows_loader", "docker",
    "nvidia_container_toolkit", "pip", "conda", "python", "ultralytics",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ANSI = re.compile(r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]")


# ------------------------------------------------------------------ fact conversions
def _cuda(text: str) -> str:
    """A CUDA version as written upstream: "11040" (integer encoding) or "12.4" -> "M.m"."""
    text = text.strip()
    if text.isdigit() and int(text) >= 1000:
        return cuda_int_text(int(text))
    return major_minor(text) or text


def _cc(text: str) -> str:
    """A compute capability: "5.0", "sm_120", "86" -> "M.m"."""
    return cc_text(cc_tuple(text))


def _arch_list(text: str) -> Tuple[str, ...]:
    """torch's arch list, from "sm_50 sm_60 compute_90" or the 2.13+ lines "- 7.5 which supports ..."."""
    tokens = re.findall(r"(?:sm|compute)_\d+[af]?", text)
    if tokens:
        return tuple(tokens)
    return tuple(sm_name(cc) for cc in re.findall(r"-\s*(\d+\.\d+) which supports", text))


def _cudnn(text: str) -> int:
    """cuDNN as torch.backends.cudnn.version(): "(8, 3, 2)" -> 8302, "(9, 1, 0)" -> 90100, "91100" -> 91100."""
    numbers = re.findall(r"\d+", text)
    if len(numbers) == 1:
        return int(numbers[0])
    return encode_cudnn(".".join(numbers))


_CONVERTERS: Dict[str, Callable[[str], object]] = {
    "cuda": _cuda, "cc": _cc, "arch_list": _arch_list, "cudnn": _cudnn, "int": int,
    "basename": lambda t: re.split(r"[\\/]", t.strip())[-1], "text": lambda t: " ".join(t.split()),
}

# Every fact a message can carry: name -> conversion. The names follow envcheck/facts.py
# where a field exists (nvml.cuda_driver_version, torch.arch_list, ...).
FACTS: Mapping[str, str] = {
    "nvml.cuda_driver_version": "cuda", "torch.cuda_build": "cuda", "toolkit.nvcc_version": "cuda",
    "toolkit.cuda_home": "text", "container.required_cuda": "cuda", "gpu.required_cuda": "cuda",
    "gpu.index": "int", "gpu.name": "text", "gpu.compute_capability": "cc", "gpu.pci_bus_id": "text",
    "torch.arch_list": "arch_list", "torch.min_compute_capability": "cc", "torch.version": "text",
    "torch.cudnn_compiled_version": "cudnn", "torch.cudnn_version": "cudnn", "torch.nccl_version": "text",
    "nccl.compiled_version": "text", "nccl.runtime_version": "text", "nccl.timeout_ms": "int",
    "nccl.elapsed_ms": "int", "nccl.shm_request_bytes": "int",
    "loader.library": "basename", "loader.symbol": "text", "loader.symbol_version": "text",
    "loader.required_version": "text", "loader.required_by": "text",
    "driver.userspace_library_version": "text", "driver.kernel_module_version": "text", "driver.xid": "int",
    "driver.module": "text", "cuda.error_code": "int", "library.status": "text",
    "env.cuda_visible_devices": "text", "env.torch_cuda_arch_list": "text",
    "compiler.name": "text", "compiler.version": "text", "compiler.max_version": "text",
    "pip.requirement": "text", "pip.wheel": "basename", "pip.ignored_versions": "text",
    "python.version": "text", "python.requires": "text", "conda.required_cuda": "text", "conda.package": "text",
    "windows.error_code": "int", "detail": "text",
}


def convert(fact: str, raw: str) -> object:
    """The value of ``fact`` from the text a group captured."""
    return _CONVERTERS[FACTS[fact]](raw)


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
    kind: str  # "error" | "warning"
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

    def findings(self, strength: Optional[str] = None) -> Tuple[str, ...]:
        return tuple(s.finding for s in self.supports if strength is None or s.strength == strength)


@dataclass(frozen=True)
class Ignored:  # a setup-looking upstream text deliberately not catalogued
    pattern: "re.Pattern[str]"
    reason: str


@dataclass(frozen=True)
class Fact:
    name: str  # a key of FACTS
    value: object
    group: str  # the pattern group it came from


@dataclass(frozen=True)
class Match:
    id: str  # Message.id
    kind: str
    start: int  # offsets in the text after colour codes are removed (line numbers are unchanged)
    end: int
    line: int  # 1-based line of ``start``
    text: str
    facts: Tuple[Fact, ...]

    def fact(self, name: str) -> object:
        """The value of a fact (None when the message did not carry it)."""
        return next((f.value for f in self.facts if f.name == name), None)


@dataclass(frozen=True)
class Catalogue:
    source: Tuple[str, ...]
    checked: str
    messages: Tuple[Message, ...]
    ignored: Tuple[Ignored, ...]

    @functools.cached_property
    def by_id(self) -> Dict[str, Message]:
        return {m.id: m for m in self.messages}

    def get(self, message_id: str) -> Message:
        return self.by_id[message_id]

    def match(self, text: str, lower: Optional[str] = None, words: Optional[str] = None) -> List[Match]:
        return scan(self.messages, text, lower, words)

    def ignored_reason(self, text: str) -> Optional[str]:
        """The reason a text is on the ignore list, or None."""
        return next((i.reason for i in self.ignored if i.pattern.search(text)), None)


# ------------------------------------------------------------------ required literals
def _better(a: Optional[FrozenSet[str]], b: Optional[FrozenSet[str]]) -> Optional[FrozenSet[str]]:
    """The more selective of two needle sets (longer shortest needle, then fewer needles)."""
    if a is None:
        return b
    if b is None:
        return a
    key = lambda s: (min(len(n) for n in s), -len(s))  # noqa: E731
    return a if key(a) >= key(b) else b


def _needles(items: Iterable) -> Optional[FrozenSet[str]]:
    """Lowercased strings of which every match of the parsed ``items`` contains one, or None."""
    best: Optional[FrozenSet[str]] = None
    run: List[str] = []
    for op, av in list(items) + [(None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(av).lower())
            continue
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run = []
        sub: Optional[FrozenSet[str]] = None
        if op is sre_constants.SUBPATTERN:
            sub = _needles(av[-1])
        elif op is sre_constants.BRANCH:
            alts = [_needles(b) for b in av[1]]
            sub = None if any(a is None for a in alts) else frozenset().union(*alts)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _needles(av[2])
        best = _better(best, sub)
    if best is not None and min(len(n) for n in best) < 3:
        return None  # too short to be worth a search
    return best


def needles_of(pattern: str) -> Optional[FrozenSet[str]]:
    return _needles(sre_parse.parse(pattern))


# The longest stretch of text a match is looked for in around a needle, for patterns whose
# length has no bound (a \s+ where upstream wraps lines). Upstream's messages are a few
# lines; the longest catalogued one (torch 2.13's capability warning) is under 3,000 characters.
REACH = 4096


def reach_of(pattern: str) -> int:
    """The longest a match of ``pattern`` can be, at most REACH."""
    return min(sre_parse.parse(pattern).getwidth()[1], REACH)


def _lead(items: "sre_parse.SubPattern", needles: FrozenSet[str]) -> Optional[int]:
    """How far into a match of ``items`` (at most) some needle starts, from the literal runs
    every match holds (at the top level, or in every branch of a group there); None: unknown."""
    best: Optional[int] = None
    width = 0  # the longest the items before the current one can be
    run: List[str] = []
    run_at = 0
    for op, av in list(items) + [(None, None)]:
        if op is sre_constants.LITERAL:
            run_at = run_at if run else width
            run.append(chr(av).lower())
            width += 1
            continue
        found: List[int] = [] if best is None else [best]
        if run:
            text = "".join(run)
            found += [run_at + text.find(n) for n in needles if n in text]
            run = []
        if op is sre_constants.SUBPATTERN:
            sub = _lead(av[-1], needles)
            found += [] if sub is None else [width + sub]
        elif op is sre_constants.BRANCH:
            alts = [_lead(b, needles) for b in av[1]]
            found += [] if any(a is None for a in alts) else [width + max(alts)]  # type: ignore[type-var]
        best = min(found, default=None)
        if op is None:
            return best
        width = min(width + sre_parse.SubPattern(items.state, [(op, av)]).getwidth()[1], REACH)
    return best


def lead_of(pattern: str, needles: Optional[FrozenSet[str]]) -> Optional[int]:
    """How far into a match of ``pattern`` (at most) one of its ``needles`` starts, or None
    (unknown, or a pattern matching without regard to case, where a match may hold a
    letter that re.IGNORECASE takes for the needle's)."""
    parsed = sre_parse.parse(pattern)
    if needles is None or parsed.state.flags & re.IGNORECASE or not all(n.isascii() for n in needles):
        return None
    return _lead(parsed, needles)


# ------------------------------------------------------------------ loading
def _fail(where: str, what: str) -> SetupError:
    return SetupError(f"message table {where}: {what} (broken installation)")


def _strings(row: dict, key: str, where: str) -> Tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key} must be a list of strings")
    return tuple(value)


def _message(row: dict, where: str) -> Message:
    for key in ("id", "kind", "summary", "pattern", "origin", "supports", "examples"):
        if key not in row:
            raise _fail(where, f"lacks {key}")
    mid = row["id"]
    where = f"{where} ({mid})"
    if not isinstance(mid, str) or not _ID.match(mid):
        raise _fail(where, "id must be snake_case")
    if row["kind"] not in KINDS:
        raise _fail(where, f"kind must be one of {', '.join(KINDS)}")
    try:
        pattern = re.compile(row["pattern"])
    except re.error as exc:
        raise _fail(where, f"pattern does not compile: {exc}") from None
    o = row["origin"]
    if not isinstance(o, dict) or o.get("project") not in PROJECTS or not o.get("where") or not o.get("versions"):
        raise _fail(where, f"origin needs project (one of {', '.join(PROJECTS)}), where and versions")
    facts = row.get("facts", {})
    if not isinstance(facts, dict):
        raise _fail(where, "facts must be a table")
    groups = set(pattern.groupindex)
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
                   row.get("note", ""), needles_of(row["pattern"]), reach_of(row["pattern"]),
                   lead_of(row["pattern"], needles_of(row["pattern"])))


def parse(data: Mapping[str, object], origin: str = "messages.toml") -> Catalogue:
    """Build and validate the catalogue from parsed TOML."""
    meta = data.get("meta")
    if not isinstance(meta, dict) or not meta.get("source") or not meta.get("checked"):
        raise _fail(origin, "[meta] needs source and checked")
    rows = data.get("message")
    if not isinstance(rows, list) or not rows:
        raise _fail(origin, "no [[message]] entries")
    messages = [_message(r, f"{origin} [[message]] #{i + 1}") for i, r in enumerate(rows)]
    ids = [m.id for m in messages]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _fail(origin, f"ids listed twice: {', '.join(dupes)}")
    for m in messages:
        unknown = set(m.overlaps) - set(ids)
        if unknown:
            raise _fail(origin, f"{m.id} overlaps unknown ids {sorted(unknown)}")
    ignored = []
    for i, r in enumerate(data.get("ignore", [])):
        if not isinstance(r, dict) or not r.get("pattern") or not r.get("reason"):
            raise _fail(origin, f"[[ignore]] #{i + 1} needs pattern and reason")
        ignored.append(Ignored(re.compile(r["pattern"]), r["reason"]))
    source = meta["source"] if isinstance(meta["source"], list) else [meta["source"]]
    return Catalogue(tuple(str(s) for s in source), str(meta["checked"]), tuple(messages), tuple(ignored))


def load(path: Path = DATA_FILE) -> Catalogue:
    """Read and validate a message table file."""
    return parse(read_toml(path), Path(path).name)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    return load()


# ------------------------------------------------------------------ matching
def strip_colour(text: str) -> str:
    """``text`` without ANSI colour and cursor codes (terminals paste them)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


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


def distinct_words(low: str) -> str:
    """The text's distinct whitespace-separated words, one per line: a needle is in the text
    only if each of its words is in this, which is searched in a fraction of the time."""
    return "\n".join(set(low.split()))


def absent(words: str, needle: str) -> bool:
    """True when ``needle`` cannot be in the text ``words`` (:func:`distinct_words`) came from."""
    return any(w not in words for w in needle.split())


class _Text:
    """One text being scanned, with what the messages' scans share: where each needle occurs
    (several messages look for the same words), the line starts, and the facts of a matched
    text already converted (a long log repeats the same message)."""

    def __init__(self, text: str, low: str, words: Optional[str] = None) -> None:
        self.text, self.low = text, low
        self._words = words
        self.aligned = len(low) == len(text)  # lower() can lengthen a few non-ASCII letters
        self._hits: Dict[str, List[int]] = {}
        self._newlines: Optional[List[int]] = None
        self._facts: Dict[Tuple[str, Tuple[Optional[str], ...]], Tuple[Fact, ...]] = {}

    def hits(self, needle: str) -> List[int]:
        """Where ``needle`` starts in the lowercased text; on a large text, nowhere without a
        search when one of its words is not among the text's distinct words."""
        out = self._hits.get(needle)
        if out is not None:
            return out
        low = self.low
        out = []
        if len(low) > LARGE and self._words is None:
            self._words = distinct_words(low)
        if len(low) <= LARGE or not absent(self._words, needle):  # type: ignore[arg-type]
            i = low.find(needle)
            while i != -1:
                out.append(i)
                i = low.find(needle, i + 1)
        self._hits[needle] = out
        return out

    def line(self, pos: int) -> int:
        """1-based line of ``pos`` (a match starting on a newline counts on the next line)."""
        if self._newlines is None:
            ends = itertools.accumulate(map(len, self.text.split("\n")[:-1]))  # each line's end, less the newlines before
            self._newlines = [end + n for n, end in enumerate(ends)]
        return bisect.bisect_right(self._newlines, pos) + 1

    def facts(self, message: Message, m: "re.Match[str]") -> Tuple[Fact, ...]:
        if not message.facts:
            return ()
        key = (message.id, tuple(m.group(group) for group, _ in message.facts))
        out = self._facts.get(key)
        if out is None:
            out = self._facts[key] = _facts(message, m)
        return out


def _windows(text: _Text, needles: FrozenSet[str], reach: int) -> List[Tuple[int, int, int, int]]:
    """Disjoint stretches of the text in which a match can lie: a match contains a needle
    and is at most ``reach`` long, so it lies within ``reach`` of the needle's ends. Each
    is (start, end, first needle's place, last needle's place)."""
    size = len(text.low)
    hits: List[Tuple[int, int, int]] = []
    for needle in needles:
        n = len(needle) + reach
        hits.extend((i - reach if i > reach else 0, i + n if i + n < size else size, i) for i in text.hits(needle))
    if len(needles) > 1:
        hits.sort()
    out: List[Tuple[int, int, int, int]] = []
    for a, b, i in hits:
        if out and a <= out[-1][1]:
            w = out[-1]
            out[-1] = (w[0], b if b > w[1] else w[1], w[2], i if i > w[3] else w[3])
        else:
            out.append((a, b, i, i))
    return out


_ORDER = operator.attrgetter("start", "id")
# A text this long (characters) is worth checking a needle's words first (_Text.hits,
# Pasted._lines_of); a shorter one is searched plainly.
LARGE = 1 << 18


def scan(messages: Sequence[Message], text: str, lower: Optional[str] = None,
         words: Optional[str] = None) -> List[Match]:
    """Every match of every message in ``text``, in order of position.

    A pattern runs only around the places where a literal it needs occurs (no further than
    the longest match it can make), so the cost follows the number of near-misses, not the
    size of the text times the number of messages. ``lower`` and ``words``: ``text.lower()``
    and :func:`distinct_words` of it, when the caller has them already.
    """
    stripped = strip_colour(text)
    if stripped is not text or lower is None:
        lower, words = stripped.lower(), None
    t = _Text(stripped, lower, words)
    out: List[Match] = []
    everywhere = (0, len(stripped), -1, len(stripped))
    for message in messages:
        if message.needles is not None and t.aligned:
            windows = _windows(t, message.needles, message.reach)
        elif message.needles is not None and not any(n in lower for n in message.needles):
            windows = []
        else:
            windows = [everywhere]
        lead = message.lead
        for a, b, first, last in windows:
            # Every match holds one of the window's needles at most ``lead`` into it, so none
            # starts before the first needle less the lead, or after the last one: the regex
            # need not try those places (the window's ends stay, for look-arounds and \b).
            start = first - lead if lead is not None and first - lead > a else a
            for m in message.pattern.finditer(stripped, start, b):
                if m.end() > m.start():
                    out.append(Match(message.id, message.kind, m.start(), m.end(), t.line(m.start()), m.group(0),
                                     t.facts(message, m)))
                if lead is not None and m.end() > last:
                    break
    out.sort(key=_ORDER)
    return out


def match(text: str, lower: Optional[str] = None, words: Optional[str] = None) -> List[Match]:
    """The catalogued upstream messages in ``text`` (a paste, a log, a traceback); ``lower``
    and ``words``: ``text.lower()`` and :func:`distinct_words` of it, when the caller has them."""
    return catalogue().match(text, lower, words)
