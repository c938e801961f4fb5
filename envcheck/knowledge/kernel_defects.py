"""Known kernel defects of torch builds (``data/known_kernel_defects.toml``).

A defect is keyed by torch version × device × CPU feature × op × dtype and names a
``condition`` that recognises its wrong values; ``envcheck verify`` reports a failed
check that the condition explains as skipped, naming the defect and its evidence,
instead of blaming the machine. The table only describes; :mod:`envcheck.verify.known_defects`
applies the conditions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from envcheck.datafile import read_toml
from envcheck.errors import SetupError

DATA_FILE = Path(__file__).resolve().parent / "data" / "known_kernel_defects.toml"
CONDITIONS = ("padding_only_taps",)
_FIELDS = ("id", "library", "torch", "device", "op", "dtype", "condition", "summary", "evidence", "upstream")


@dataclass(frozen=True)
class KernelDefect:
    id: str
    library: str
    torch: SpecifierSet  # torch release versions affected
    device: str  # "cpu" | "cuda"
    cpu_flags: Tuple[str, ...]  # /proc/cpuinfo flags the defect needs, all of them
    op: str  # verify's op name, "conv2d_grad_weight"
    dtype: str  # verify's dtype name, "bf16"
    condition: str  # one of CONDITIONS
    summary: str
    evidence: str
    upstream: str
    workaround: str = ""

    def applies(self, torch_version: str, device: str, cpu_flags: Iterable[str], op: str, dtype: str) -> bool:
        """Does this defect concern ``op`` in ``dtype`` on ``device`` with this torch and CPU?"""
        try:
            release = Version(Version(torch_version).base_version)  # "2.13.0+cpu" -> 2.13.0
        except InvalidVersion:
            return False
        kind = "cuda" if device.startswith("cuda") else device
        return (self.op == op and self.dtype == dtype and self.device == kind and release in self.torch
                and set(self.cpu_flags) <= set(cpu_flags))


@dataclass(frozen=True)
class DefectTable:
    defects: Tuple[KernelDefect, ...]
    checked: str
    sources: Tuple[str, ...]


def parse(data: dict, origin: str) -> DefectTable:
    meta = data.get("meta") or {}
    if not meta.get("checked") or not meta.get("source"):
        raise SetupError(f"{origin}: [meta] needs checked and source")
    out = []
    for i, raw in enumerate(data.get("defect") or ()):
        missing = [k for k in _FIELDS if not raw.get(k)]
        if missing:
            raise SetupError(f"{origin}: defect {i + 1} lacks {', '.join(missing)}")
        if raw["condition"] not in CONDITIONS:
            raise SetupError(f"{origin}: defect {raw['id']}: unknown condition {raw['condition']!r}")
        try:
            versions = SpecifierSet(raw["torch"])
        except InvalidSpecifier:
            raise SetupError(f"{origin}: defect {raw['id']}: torch {raw['torch']!r} is not a version specifier") from None
        out.append(KernelDefect(raw["id"], raw["library"], versions, raw["device"], tuple(raw.get("cpu_flags") or ()),
                                raw["op"], raw["dtype"], raw["condition"], raw["summary"], raw["evidence"].strip(),
                                raw["upstream"], raw.get("workaround", "")))
    return DefectTable(tuple(out), str(meta["checked"]), tuple(meta["source"]))


@functools.lru_cache(maxsize=1)
def load() -> DefectTable:
    return parse(read_toml(DATA_FILE), str(DATA_FILE))
