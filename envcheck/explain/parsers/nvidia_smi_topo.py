"""``nvidia-smi topo -m``: how every pair of GPUs is connected, and each GPU's CPU / NUMA affinity.

The matrix (``nvidia-smi topo -m``, documented in its own legend)::

    \tGPU0\tGPU1\tNIC0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
    GPU0\t X \tNV12\tSYS\t0-63\t0\t\tN/A

Cells: ``X`` (self), ``NV#`` (a bonded set of # NVLinks), ``PIX`` (at most one PCIe bridge),
``PXB`` (several bridges), ``PHB`` (a PCIe host bridge), ``NODE`` (host bridges within a NUMA
node), ``SYS`` (across NUMA nodes; ``SOC`` in drivers before R384). Columns after the
devices: "CPU Affinity", "NUMA Affinity" and, since R530, "GPU NUMA ID". Older drivers name
NIC columns by device ("mlx5_0") instead of ``NIC#``. Cells are tab-separated; a paste may
have turned the tabs into spaces, and on a terminal newer drivers colour the cells (the
escape codes are gone after ``source.normalise``; bracket remnants such as ``[32m`` of a
copy that lost the escape character are removed here).

The matrix fills the ``interconnect`` facts (pairs and affinity) and says which GPUs exist
(it shows no names or bus ids).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.explain.partial import LISTING, TOOL, Found
from envcheck.explain.smi_values import unmargined
from envcheck.explain.source import Pasted
from envcheck.facts import GpuAffinity, GpuPair
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "nvidia-smi topo -m"

_COLOUR = lazy(r"\[\d+(?:;\d+)*m")
_ROW = lazy(r"^GPU(\d+)\b")
_MAY_BE_ROW = lazy(r"GPU\d")
_PATHS = {"X", "PIX", "PXB", "PHB", "NODE", "SYS", "SOC"}
_NV = lazy(r"^NV(\d+)$")


def _cells(line: str) -> List[str]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return line.split()


def _columns(line: str) -> Optional[List[str]]:
    """The device columns of a header line ("GPU0 GPU1 NIC0 … CPU Affinity …"), else None."""
    cols = [c for c in _cells(line.split("CPU Affinity")[0].strip()) if c]
    if not cols or cols[0] != "GPU0" or not all(re.match(r"^(GPU\d+|NIC\d+|mlx\w+|\w+_\d+)$", c) for c in cols):
        return None
    return cols


def _link(cell: str) -> Optional[Tuple[str, int]]:
    m = _NV.match(cell)
    if m:
        return cell, int(m.group(1))
    return (cell, 0) if cell in _PATHS else None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    raw = unmargined(doc)
    pairs: List[GpuPair] = []
    affinity: List[GpuAffinity] = []
    first: Optional[int] = None
    columns: Optional[List[str]] = None
    # Header and rows start with "GPU" and a number; a line without it can only become one by
    # losing a colour-code remnant ("[0m"), which has a bracket.
    for i in sorted(set(doc.lines_with(_MAY_BE_ROW)) | set(doc.lines_containing("["))):
        line = _COLOUR.sub("", raw[i])
        cells = _cells(line.strip())
        if cells and cells[0] == "GPU0" and (len(cells) == 1 or _link(cells[1]) is None):
            columns = _columns(line)  # the header row names the columns; a GPU row starts with a link
            continue
        m = _ROW.match(line.strip())
        if columns is None or not m:
            continue
        gpu = int(m.group(1))
        links = cells[1:1 + len(columns)]
        if len(links) < len(columns) or any(_link(c) is None for c, col in zip(links, columns) if col.startswith("GPU")):
            continue
        d = f.detail(i)
        first = i if first is None else first
        for col, cell in zip(columns, links):
            other = re.match(r"^GPU(\d+)$", col)
            if other and int(other.group(1)) > gpu:
                path, nvlinks = _link(cell)
                pairs.append(GpuPair(gpu, int(other.group(1)), Reading.of(path, d), Reading.of(nvlinks, d)))
        rest = cells[1 + len(columns):]
        cpus = rest[0] if rest else ""
        numa = rest[1] if len(rest) > 1 else ""
        affinity.append(GpuAffinity(
            gpu,
            Reading.of(int(numa), d) if numa.isdigit() else (
                Reading.fail(Status.NOT_SUPPORTED, f"{d}: NUMA Affinity {numa}") if numa == "N/A" else Reading.unknown()),
            Reading.of(cpus, d) if cpus and cpus != "N/A" else Reading.unknown()))
        # The matrix proves the GPU exists, nothing more: a lower rank than a tool's word on its state.
        f.gpu(gpu, i, rank=LISTING, status=Reading.of(True, f"{d} (listed by topo -m)"))
    if first is not None:
        f.set("nvml.init", True, first, detail="nvidia-smi topo -m ran (pasted output)")
        f.set("interconnect.pairs", tuple(pairs), first, detail=f"{SOURCE} (pasted output)")
        f.set("interconnect.affinity", tuple(affinity), first, detail=f"{SOURCE} (pasted output)")
    return f
