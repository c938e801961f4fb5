"""Upstream's own messages in the facts: what torch, CUDA, NVML, the loader… printed.

The texts a machine's facts carry (the torch probe's errors and warnings, a failed
import, refused kernel modules, NVML's failure, what a paste held) are read against the
one message catalogue (``knowledge/messages.py``); every match is evidence with its
source, and its facts (the driver's CUDA in "found version N", a GPU's capability) come
converted. Rules read :func:`stated`; nothing else here matches torch's wording.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from envcheck.facts import Facts
from envcheck.knowledge.messages import Match, Message, catalogue
from envcheck.reading import Reading

# What explain's parsers write as a reading's detail when a person, not a tool, said it
# (envcheck/explain/partial.py uses this one): findings built on it are "likely".
STATED_DETAIL = "stated in the text"
# The detail explain's parsers give a CPU-only build read from a package (an install line,
# a wheel's name, a conda build string) rather than from torch itself: which package was
# installed, not necessarily the torch that ran.
PACKAGE_CPU_DETAIL = "CPU-only build by its package"
# A person saying the machine has no NVIDIA GPU at all (pci.devices empty, by their word).
NO_NVIDIA_DETAIL = f"{STATED_DETAIL}: no NVIDIA GPU"


def is_stated(reading: Reading) -> bool:
    return bool(reading.detail) and str(reading.detail).startswith(STATED_DETAIL)


def is_package_claim(reading: Reading) -> bool:
    """A person's words or a package's name, not what torch printed about itself."""
    return is_stated(reading) or str(reading.detail or "").startswith(PACKAGE_CPU_DETAIL)


@dataclass(frozen=True)
class Stated:
    """A catalogued message found in one of the facts' texts."""

    match: Match
    message: Message
    source: str  # the fact the text is in: "torch.errors", "driver.module_load_errors", ...
    text: str  # the whole text it was found in (a line, a joined warning)

    @property
    def id(self) -> str:
        return self.match.id

    def fact(self, name: str) -> object:
        return self.match.fact(name)

    def supports(self, finding_id: str, strength: Optional[str] = None) -> bool:
        return finding_id in self.message.findings(strength)


def texts(facts: Facts) -> Iterator[Tuple[str, str]]:
    """(fact path, text) for every text the facts carry that upstream may have printed."""
    t = facts.torch
    for path, reading in (("torch.errors", t.errors), ("torch.warnings", t.warnings),
                          ("driver.module_load_errors", facts.driver.module_load_errors)):
        for text in reading.get(()) or ():
            if text and text.strip():
                yield path, text
    if t.import_error.ok and t.import_error.value:
        yield "torch.import_error", t.import_error.value
    for path, reading in (("nvml.init", facts.nvml.init), ("torch.cuda_available", t.cuda_available),
                          ("torch.installed", t.installed)):
        if not reading.ok and reading.detail:
            yield path, str(reading.detail)
    for e in facts.driver.xid_events.get(()) or ():
        if e.message:
            yield "driver.xid_events", f"NVRM: Xid ({e.pci or 'PCI:?'}): {e.xid}, {e.message}"


@functools.lru_cache(maxsize=4096)
def _matches(text: str) -> Tuple[Match, ...]:
    """One text's catalogued messages. The rules, the verdict and the report each ask for the
    same facts' texts (a pasted log's errors are hundreds of them): each is scanned once."""
    return tuple(catalogue().match(text))


def stated(facts: Facts) -> Tuple[Stated, ...]:
    """Every catalogued message in the facts' texts, each text's matches in order; the same
    message seen twice (a traceback and the line quoted again) counts once.

    Worked out once for a facts object (they are frozen): the rules, the verdict and the report
    each ask for the same facts (a dozen calls on a long paste, 5 ms each)."""
    last = _LAST[0]
    if last is not None and last[0] is facts:
        return last[1]
    found = _stated(facts)
    _LAST[0] = (facts, found)
    return found


# The last facts :func:`stated` read and what it found (one slot: one diagnosis at a time).
_LAST: List[Optional[Tuple[Facts, Tuple[Stated, ...]]]] = [None]


def _stated(facts: Facts) -> Tuple[Stated, ...]:
    cat = catalogue()
    out: List[Stated] = []
    seen = set()
    for path, text in texts(facts):
        for m in _matches(text):
            key = (m.id, " ".join(m.text.split()).lower())
            if key in seen:
                continue
            seen.add(key)
            out.append(Stated(m, cat.get(m.id), path, text))
    present = {s.match.id for s in out}
    return tuple(s for s in out if not present.intersection(s.message.voided_by))


def decisive_for(found: Tuple[Stated, ...], finding_id: str) -> Tuple[Stated, ...]:
    return tuple(s for s in found if s.supports(finding_id, "decisive"))
