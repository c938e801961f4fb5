"""nvidia-smi's process rows pasted on their own, without the table around them.

People asked "what holds the GPU memory?" often paste only the row that answers it:
``|    0     17750      C   ...python  1576MiB |``. The table parser (``nvidia_smi``)
reads rows under a "Processes:" header; this one reads the same row format where no
such header is in the text, so ``gpu_memory_in_use`` can weigh what the rows hold. The
row format is nvidia-smi's own (R361+ "GPU PID Type Process name Usage", R450+ with the
MIG GI/CI ids), so a row is tool output (``TOOL``) even out of its table.
"""

from __future__ import annotations

import re
from typing import Dict, List

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.reading import Reading

SOURCE = "nvidia-smi process rows"

_MIB = 1 << 20
# The type column is required here: without the table's header it is what tells a process
# row from any other "| 0 123 name 45MiB |" line.
_ROW = re.compile(r"^\|\s*(?P<gpu>\d{1,2})\s+(?:(?:N/A|\d+)\s+(?:N/A|\d+)\s+)?(?P<pid>\d+)\s+(?P<type>C\+G|M\+C|C|G|M)\s+"
                  r"(?P<name>\S.*?)\s+(?P<mem>\d+)MiB\s*\|$")
_HEADER = re.compile(r"\|\s*(?:Compute )?[Pp]rocesses:")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
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
