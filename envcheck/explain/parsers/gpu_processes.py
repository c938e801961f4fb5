"""nvidia-smi's process rows pasted on their own, without the table around them.

People asked "what holds the GPU memory?" often paste only the row that answers it:
``|    0     17750      C   ...python  1576MiB |``. The table parser (``nvidia_smi``)
reads rows under a "Processes:" header; this one reads the same row format where no
such header is in the text, so ``gpu_memory_in_use`` can weigh what the rows hold. The
row format is nvidia-smi's own (R361+ "GPU PID Type Process name Usage", R450+ with the
MIG GI/CI ids), so a row is tool output (``TOOL``) even out of its table.

gpustat's line for a GPU (gpustat/core.py GPUStat.print_to: ``[0] NVIDIA GeForce RTX 3090 |
45'C,  0 % | 23000 / 24576 MB | alice(22950M) bob:python/1234(500M)``) gives the same: the
memory used and total, and the processes with their memory (a pid only with ``-p``).
"""

from __future__ import annotations

from typing import Dict, List

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.lazyre import lazy
from envcheck.reading import Reading

SOURCE = "nvidia-smi process rows"

_MIB = 1 << 20
# The type column is required here: without the table's header it is what tells a process
# row from any other "| 0 123 name 45MiB |" line.
_ROW = lazy(r"^\|\s*(?P<gpu>\d{1,2})\s+(?:(?:N/A|\d+)\s+(?:N/A|\d+)\s+)?(?P<pid>\d+)\s+(?P<type>C\+G|M\+C|C|G|M)\s+"
                  r"(?P<name>\S.*?)\s+(?P<mem>\d+)MiB\s*\|$")
_GPUSTAT = lazy(r"^\[(?P<gpu>\d{1,2})\]\s+(?P<name>[^|\n]+?)\s*\|[^|\n]*%\s*\|\s*(?P<used>\d+)\s*/\s*"
                      r"(?P<total>\d+)\s*MB\s*\|(?P<procs>[^\n]*)$")
_GPUSTAT_PROC = lazy(r"(?:(?P<user>[\w.-]+):)?(?:(?P<cmd>[^\s/()]+)/)?(?P<pid>\d+)?\((?P<mem>\d+)M\)")
_HEADER = lazy(r"\|\s*(?:Compute )?[Pp]rocesses:")


def _gpustat(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing(" mb |", " mb|"):
        m = _GPUSTAT.match(doc.lines[i].strip())
        if not m:
            continue
        procs = [p for p in _GPUSTAT_PROC.finditer(m.group("procs"))]
        fields = dict(memory_used_bytes=int(m.group("used")) * _MIB, memory_total_bytes=int(m.group("total")) * _MIB)
        if procs and all(p.group("pid") for p in procs):
            fields["processes"] = tuple(
                GpuProcess(int(p.group("pid")), Reading.of(p.group("cmd") or p.group("user") or "?"),
                           Reading.of(int(p.group("mem")) * _MIB), "compute") for p in procs)
        f.gpu(int(m.group("gpu")), i, detail=f"gpustat, line {i + 1} of the text", name=m.group("name").strip(),
              **fields)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    _gpustat(doc, f)
    rows = doc.lines_containing("mib |", "mib|")
    if not rows or doc.lines_containing("processes:"):
        return f  # none, or a whole table: nvidia_smi reads it
    by_gpu: Dict[int, List[GpuProcess]] = {}
    last = 0
    for i in rows:
        m = _ROW.match(doc.lines[i].strip())
        if not m:
            continue
        kind = "graphics" if m.group("type") == "G" else "compute"
        by_gpu.setdefault(int(m.group("gpu")), []).append(
            GpuProcess(int(m.group("pid")), Reading.of(m.group("name")), Reading.of(int(m.group("mem")) * _MIB), kind))
        last = i
    for idx, procs in by_gpu.items():
        f.gpu(idx, last, processes=tuple(procs),
              detail=f"nvidia-smi process row(s) pasted without their table, line {last + 1}")
    return f
