"""NVIDIA PCI device id -> GPU architecture (and an assumed compute capability).

For machines where nothing else can name the GPU: no driver yet, nouveau bound, a
driver/library mismatch. The table (``data/gpu_ids.toml``) holds id ranges per chip
family; an id outside every range is unknown, never guessed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

from envcheck.datafile import read_toml

_FILE = Path(__file__).resolve().parent / "data" / "gpu_ids.toml"


@dataclass(frozen=True)
class IdRange:
    first: int
    last: int
    arch: str  # lower-case family: "ada", "blackwell", ...
    datacenter: bool = False

    @property
    def assumed_cc(self) -> Optional[str]:
        table = _data()
        if self.datacenter and self.arch in table["arch_cc_datacenter"]:
            return table["arch_cc_datacenter"][self.arch]
        return table["arch_cc"].get(self.arch)


@functools.lru_cache(maxsize=None)
def _data() -> Dict:
    return read_toml(_FILE)


@functools.lru_cache(maxsize=None)
def id_ranges() -> Tuple[IdRange, ...]:
    return tuple(IdRange(r["first"], r["last"], r["arch"], bool(r.get("datacenter", False)))
                 for r in _data()["range"])


def range_of_device(device_id: int) -> Optional[IdRange]:
    for r in id_ranges():
        if r.first <= device_id <= r.last:
            return r
    return None
