"""What one parser found in pasted text: claims about facts, each with a weight.

A parser never builds :class:`~envcheck.facts.Facts` itself: it records *claims*
("torch.version is 2.6.0+cu126, said collect_env on line 12") in a :class:`Found`.
The assembler (``assemble.py``) merges the claims of every parser, letting the more
specific source win and noting where sources disagree. Claims name facts by path
("group.field"), so a parser stays a small pure function of the text.

Ranks say how far a source can be trusted about the machine it came from. They are
about the *kind* of text, not about a parser: the same parser may record a tool's
output at ``TOOL`` and a person's sentence at ``STATED``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from envcheck.derived.messages import STATED_DETAIL
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

# A person's words: "Video card: 3060ti", a bare "410.48" given as the driver.
STATED = 10
# An install command: what was asked for, not necessarily what got installed.
INTENT = 20
# A person's list holding a version string only a program prints, with its local build label
# ("- PyTorch: 2.8.0+cu128" in an issue template): copied from the program's output, so it
# outranks what an install command asked for (often a later workaround), never a program's own
# output. Its detail stays STATED_DETAIL. See :func:`weight`.
COPIED = 22
# A person saying what a command did ("it installed the CPU version"): outranks what the
# command asked for, never a program's own output. Its detail is still STATED_DETAIL.
OUTCOME = 25
# A library banner or a REPL line printed by the program itself.
PROGRAM = 30
# A package listing (pip list / pip freeze / conda list).
LISTING = 40
# collect_env and similar reports that summarise other tools.
REPORT = 50
# The tool's own output or error message (nvidia-smi, nvcc, torch's errors).
TOOL = 60

# A full release number and a PEP 440 local label naming a build ("2.8.0+cu128", "2.1.2+cpu",
# "2.4.1+rocm6.1"): pip, torch.__version__ and collect_env print it, people do not make it up.
_PRINTED_VERSION = lazy(r"\d+\.\d+\.\d+(?:\.\w+)?\+(?:cu\d{2,3}|cpu|rocm\d+(?:\.\d+)*|xpu)")

_EXCEPTION_PREFIX = lazy(r"^(?:[\w.]*(?:Error|Exception|Warning|Check FAIL)\b:?\s*)+")

# STATED_DETAIL (defined in derived.messages, where the rules read it) is the detail of a
# value that is only someone's word; parsers import it from here.


@dataclass(frozen=True, init=False)
class Claim:
    """One value for one fact: ``path`` is "group.field" of :class:`Facts`."""

    path: str
    reading: Reading
    rank: int
    source: str
    line: int  # 0-based line in the normalised text; among equal ranks the later line wins

    def __init__(self, path: str, reading: Reading, rank: int, source: str, line: int) -> None:
        # The fields written straight into the instance: a frozen dataclass's own __init__ sets
        # each through object.__setattr__ (twice the time), and a 4 MiB paste makes 20,000 claims.
        d = self.__dict__
        d["path"], d["reading"], d["rank"], d["source"], d["line"] = path, reading, rank, source, line


@dataclass(frozen=True)
class GpuClaim:
    """Fields of one GPU. ``index`` is None when the text names a GPU without its
    NVML index (free text, a warning); the assembler then matches it by bus id or name."""

    index: Optional[int]
    fields: Tuple[Tuple[str, Reading], ...]
    rank: int
    source: str
    line: int

    def get(self, name: str) -> Optional[Reading]:
        for k, v in self.fields:
            if k == name:
                return v
        return None


@dataclass(frozen=True, init=False)
class ItemClaim:
    """One member of a collection fact (a package, a library file, an error line, an
    environment variable); ``key`` identifies it so repeats merge."""

    path: str
    key: str
    value: Any
    rank: int
    source: str
    line: int

    def __init__(self, path: str, key: str, value: Any, rank: int, source: str, line: int) -> None:
        d = self.__dict__  # as Claim's: a 4 MiB paste makes 8,000 of these
        d["path"], d["key"], d["value"], d["rank"], d["source"], d["line"] = path, key, value, rank, source, line


@functools.lru_cache(maxsize=4096)  # a long log repeats its errors
def _message_key(text: str) -> str:
    """What makes two error lines the same message: the text without exception class names."""
    return _EXCEPTION_PREFIX.sub("", text).strip().rstrip(".").lower()


def _reading(value: Union[Reading, Any], detail: Optional[str]) -> Reading:
    if isinstance(value, Reading):
        return value
    return Reading.of(value, detail)


@dataclass
class Found:
    """The claims one parser made; parsers add to it with the helpers below."""

    source: str  # the kind of input, as a person would name it: "collect_env", "nvidia-smi"
    rank: int
    claims: List[Claim] = field(default_factory=list)
    gpus: List[GpuClaim] = field(default_factory=list)
    items: List[ItemClaim] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    _gpu_at: Dict[Any, int] = field(default_factory=dict, repr=False, compare=False)

    def detail(self, line: int, rank: Optional[int] = None) -> str:
        if (rank or self.rank) == STATED:
            return STATED_DETAIL
        return f"{self.source}, line {line + 1} of the text"

    def set(self, path: str, value: Any, line: int, detail: Optional[str] = None, rank: Optional[int] = None) -> None:
        """Claim ``path`` has ``value`` (a plain value, or a Reading as it stands)."""
        r = rank or self.rank
        self.claims.append(Claim(path, _reading(value, detail or self.detail(line, r)), r, self.source, line))

    def fail(self, path: str, status: Status, line: int, detail: Optional[str] = None,
             rank: Optional[int] = None) -> None:
        """Claim ``path`` was looked for and is missing/failed (``status``), and why."""
        r = rank or self.rank
        self.claims.append(Claim(path, Reading.fail(status, detail or self.detail(line, r)), r, self.source, line))

    def gpu(self, index: Optional[int], line: int, rank: Optional[int] = None, detail: Optional[str] = None,
            **fields: Any) -> None:
        """Claim fields of a GPU (plain values become ok readings). The same claim made again
        (a warning repeated in a long log) is kept once, at its last line: the assembler
        compares every claim with the others, and a repeat adds nothing but its line."""
        r = rank or self.rank
        d = detail or self.detail(line, r)
        pairs = tuple((k, _reading(v, d)) for k, v in fields.items() if v is not None)
        if not pairs:
            return
        self._add_gpu(GpuClaim(index, pairs, r, self.source, line))

    def gpu_again(self, claim: GpuClaim, line: int) -> None:
        """``claim`` (another Found's, of this source) made again at ``line``: what :meth:`gpu`
        does with the same fields, without converting them again."""
        self._add_gpu(GpuClaim(claim.index, claim.fields, claim.rank, self.source, line))

    def _add_gpu(self, claim: GpuClaim) -> None:
        # The detail often names the line; repeats are the same claim whatever their line.
        key = (claim.index, claim.rank, tuple((k, v.value, v.status) for k, v in claim.fields))
        at = self._gpu_at.get(key)
        if at is None:
            self._gpu_at[key] = len(self.gpus)
            self.gpus.append(claim)
        else:
            self.gpus[at] = claim

    def item(self, path: str, key: str, value: Any, line: int, rank: Optional[int] = None) -> None:
        self.items.append(ItemClaim(path, key, value, rank or self.rank, self.source, line))

    def error(self, text: str, line: int, path: str = "torch.errors") -> None:
        """A recognised error (or warning) line. Repeats merge on the message itself, so
        "RuntimeError: X" in a traceback and "X" quoted in prose count once."""
        text = text.strip()
        self.item(path, _message_key(text), text, line)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def __bool__(self) -> bool:
        return bool(self.claims or self.gpus or self.items)


def weight(claim: Union[Claim, "GpuClaim", "ItemClaim"]) -> int:
    """The rank the assembler weighs ``claim`` by: its own, except that a person's (STATED) word
    which is a program-printed build string (:data:`_PRINTED_VERSION`) counts as COPIED."""
    if claim.rank != STATED or not isinstance(claim, Claim):
        return claim.rank
    r = claim.reading
    if r.ok and isinstance(r.value, str) and _PRINTED_VERSION.fullmatch(r.value):
        return COPIED
    return claim.rank
