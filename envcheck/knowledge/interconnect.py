"""Expected bandwidth between GPUs and to the host (``data/interconnect_bandwidth.toml``).

:func:`expected_busbw` answers "what bus bandwidth should a collective reach over this
route?" — a published system figure when one matches (basis ``published``), else the
link arithmetic of the table (basis ``derived``); :func:`pcie_practical_gb_s` the
host↔device practical peak of a PCIe link. Every answer carries its source and date.
Like ``xid.py`` this module stands alone, so the interconnect rules work even where the
other knowledge tables fail to load.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from envcheck.datafile import read_toml
from envcheck.errors import SetupError

DATA_FILE = Path(__file__).resolve().parent / "data" / "interconnect_bandwidth.toml"
ROUTES = ("nvlink", "pcie_p2p", "pcie_host", "network")


class InterconnectTableError(SetupError):
    """The table file is malformed (an envcheck packaging bug, not a machine problem)."""


@dataclass(frozen=True)
class NvlinkGeneration:
    generation: int
    line_rate_gb_s: float  # one link, one direction
    capabilities: Tuple[str, ...]  # compute capabilities whose NVLinks are this generation
    gpus: str
    source: str
    date: str


@dataclass(frozen=True)
class SystemFigure:
    name: str
    generation: int
    links: int
    fabric: str  # "switch"
    gpus: int
    busbw_gb_s: float
    all_reduce_busbw_gb_s: float
    source: str
    date: str
    note: str = ""


@dataclass(frozen=True)
class Route:
    """The slowest hop a collective's traffic crosses (``rules.interconnect.route`` builds it)."""

    kind: str  # one of ROUTES
    ranks: int = 0
    nvlink_generation: Optional[int] = None
    links: Optional[int] = None  # NVLinks between each pair of GPUs (or each GPU's links to the switches)
    switch: bool = False  # NVLinks go through NVSwitches
    pcie_gen: Optional[int] = None
    pcie_width: Optional[int] = None
    nic_gbps: Optional[float] = None  # line rate of one NIC (network route)
    nics: int = 0  # NICs per node

    def describe(self) -> str:
        if self.kind == "nvlink":
            how = "through NVSwitch" if self.switch else "direct"
            return f"NVLink {self.nvlink_generation or '?'} x {self.links} {how}"
        if self.kind == "network":
            return f"{self.nics} x {self.nic_gbps:g} Gb/s NIC per node"
        where = "peer-to-peer under a PCIe switch" if self.kind == "pcie_p2p" else "PCIe through the host"
        return f"{where} (gen{self.pcie_gen or '?'} x{self.pcie_width or '?'})"


@dataclass(frozen=True)
class Expectation:
    busbw_gb_s: float
    basis: str  # "published" | "derived"
    what: str  # the row or arithmetic it came from
    source: str
    date: str


@dataclass(frozen=True)
class InterconnectTable:
    nvlink: Tuple[NvlinkGeneration, ...]
    systems: Tuple[SystemFigure, ...]
    pcie_lane_gb_s: Mapping[int, float]
    nvlink_efficiency: float
    pcie_practical_fraction: float
    pcie_p2p_fraction: float
    pcie_host_fraction: float
    network_efficiency: float
    sources: Mapping[str, str]  # what -> URL
    network_date: str
    checked: str

    def generation_for(self, capability: Optional[str]) -> Optional[NvlinkGeneration]:
        """The NVLink generation of a GPU, from its compute capability ("9.0" -> 4).

        Drivers have reported nvmlDeviceGetNvLinkVersion both as a plain generation and as
        the nvmlNvlinkVersion_t enum (3.0 = 4, 4.0 = 6), so the architecture decides."""
        for row in self.nvlink:
            if capability in row.capabilities:
                return row
        return None


def _need(row: Mapping[str, Any], key: str, kind: type, origin: str) -> Any:
    value = row.get(key)
    if isinstance(value, int) and kind is float:
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InterconnectTableError(f"{origin}: '{key}' missing or not a {kind.__name__}")
    return value


def parse(data: Mapping[str, Any], origin: str = "interconnect_bandwidth.toml") -> InterconnectTable:
    for key in ("source", "checked"):
        _need(data, key, str, origin)
    gens = tuple(NvlinkGeneration(_need(r, "generation", int, f"{origin} [[nvlink]]"),
                                  _need(r, "line_rate_gb_s", float, f"{origin} [[nvlink]]"),
                                  tuple(r.get("capabilities", ())), r.get("gpus", ""),
                                  _need(r, "source", str, f"{origin} [[nvlink]]"), _need(r, "date", str, origin))
                 for r in data.get("nvlink", ()))
    systems = []
    for r in data.get("system", ()):
        where = f"{origin} [[system]] {r.get('name', '?')}"
        systems.append(SystemFigure(_need(r, "name", str, where), _need(r, "generation", int, where),
                                    _need(r, "links", int, where), _need(r, "fabric", str, where),
                                    _need(r, "gpus", int, where), _need(r, "busbw_gb_s", float, where),
                                    _need(r, "all_reduce_busbw_gb_s", float, where), _need(r, "source", str, where),
                                    _need(r, "date", str, where), r.get("note", "")))
    lanes = {_need(r, "generation", int, f"{origin} [[pcie]]"): _need(r, "lane_gb_s", float, f"{origin} [[pcie]]")
             for r in data.get("pcie", ())}
    net = data.get("network") or {}
    if not gens or not systems or not lanes:
        raise InterconnectTableError(f"{origin}: [[nvlink]], [[system]] and [[pcie]] rows are all needed")
    sources = {"nvlink_efficiency": _need(data, "nvlink_efficiency_source", str, origin),
               "pcie_practical": _need(data, "pcie_practical_source", str, origin),
               "pcie_host": _need(data, "pcie_host_source", str, origin),
               "network": _need(net, "source", str, f"{origin} [network]"), "table": data["source"]}
    return InterconnectTable(gens, tuple(systems), lanes, _need(data, "nvlink_efficiency", float, origin),
                             _need(data, "pcie_practical_fraction", float, origin),
                             _need(data, "pcie_p2p_fraction", float, origin),
                             _need(data, "pcie_host_fraction", float, origin),
                             _need(net, "efficiency", float, f"{origin} [network]"), sources,
                             _need(net, "date", str, f"{origin} [network]"), data["checked"])


@functools.lru_cache(maxsize=1)
def load() -> InterconnectTable:
    return parse(read_toml(DATA_FILE, InterconnectTableError), str(DATA_FILE.name))


# --------------------------------------------------------------------------- look-ups
def pcie_raw_gb_s(table: InterconnectTable, gen: Optional[int], width: Optional[int]) -> Optional[float]:
    """One direction of a PCIe link before packet overheads."""
    if not gen or not width or gen not in table.pcie_lane_gb_s:
        return None
    return table.pcie_lane_gb_s[gen] * width


def pcie_practical_gb_s(table: InterconnectTable, gen: Optional[int], width: Optional[int]) -> Optional[float]:
    """What host↔device copies reach on a healthy link of this generation and width."""
    raw = pcie_raw_gb_s(table, gen, width)
    return None if raw is None else round(raw * table.pcie_practical_fraction, 2)


def expected_busbw(table: InterconnectTable, route: Route, collective: str) -> Optional[Expectation]:
    """The bus bandwidth a healthy system reaches over ``route`` at large messages, or None."""
    if route.kind == "nvlink":
        return _nvlink(table, route, collective)
    if route.kind in ("pcie_p2p", "pcie_host"):
        raw = pcie_raw_gb_s(table, route.pcie_gen, route.pcie_width)
        if raw is None:
            return None
        p2p = route.kind == "pcie_p2p"
        fraction = table.pcie_p2p_fraction if p2p else table.pcie_host_fraction
        source = table.sources["pcie_practical" if p2p else "pcie_host"]
        return Expectation(round(raw * fraction, 1), "derived", f"{route.describe()}: {raw:.1f} GB/s x {fraction:g}",
                           source, table.checked)
    if route.kind == "network" and route.nic_gbps and route.nics:
        per_nic = route.nic_gbps / 8 * table.network_efficiency
        return Expectation(round(per_nic * route.nics, 1), "published",
                           f"{route.describe()}: {per_nic:.1f} GB/s per NIC", table.sources["network"],
                           table.network_date)
    return None


def _nvlink(table: InterconnectTable, route: Route, collective: str) -> Optional[Expectation]:
    if not route.nvlink_generation or not route.links:
        return None
    for s in table.systems:
        if route.switch and (s.generation, s.links, s.fabric) == (route.nvlink_generation, route.links, "switch"):
            # NVLink SHARP's all_reduce figure holds for the published GPU count only.
            value = s.all_reduce_busbw_gb_s if collective == "all_reduce" and route.ranks == s.gpus else s.busbw_gb_s
            return Expectation(value, "published", s.name, s.source, s.date)
    gen = next((g for g in table.nvlink if g.generation == route.nvlink_generation), None)
    if gen is None:
        return None
    value = route.links * gen.line_rate_gb_s * table.nvlink_efficiency
    return Expectation(round(value, 1), "derived",
                       f"{route.describe()}: {route.links} x {gen.line_rate_gb_s:g} GB/s x {table.nvlink_efficiency:g}",
                       table.sources["nvlink_efficiency"], gen.date)
