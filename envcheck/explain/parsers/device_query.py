"""``deviceQuery``, the CUDA sample (NVIDIA/cuda-samples ``Samples/1_Utilities/deviceQuery``).

What it prints (``deviceQuery.cpp``)::

    Detected 2 CUDA Capable device(s)

    Device 0: "NVIDIA GeForce RTX 5090"
      CUDA Driver Version / Runtime Version          12.8 / 12.8
      CUDA Capability Major/Minor version number:    12.0
      Total amount of global memory:                 32120 MBytes (33680457728 bytes)
      Device PCI Domain ID / Bus ID / location ID:   0 / 1 / 0
    ...
    deviceQuery, CUDA Driver = CUDART, CUDA Driver Version = 12.8, …, NumDevs = 2, Device0 = …
    Result = PASS

or, when CUDA cannot start, ``cudaGetDeviceCount returned 35`` / ``-> CUDA driver version is
insufficient for CUDA runtime version`` / ``Result = FAIL``.

Devices are numbered in CUDA's order (fastest first unless ``CUDA_DEVICE_ORDER=PCI_BUS_ID``),
not NVML's, so a device joins other readers' GPUs by its PCI address (the bus id here is
decimal). The "CUDA Driver Version" is the driver's CUDA (``cuDriverGetVersion``), the
same number nvidia-smi shows.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.smi_values import unmargined
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading

SOURCE = "deviceQuery"

_DETECTED = lazy(r"^Detected (\d+) CUDA Capable device\(s\)")
_DEVICE = lazy(r'^Device (\d+): "(.+)"\s*$')
_DRIVER = lazy(r"^CUDA Driver Version / Runtime Version\s+(\d+\.\d+) / (\d+\.\d+)")
_CC = lazy(r"^CUDA Capability Major/Minor version number:\s+(\d+)\.(\d+)")
_MEMORY = lazy(r"^Total amount of global memory:\s+(\d+) MBytes \((\d+) bytes\)")
_PCI = lazy(r"^Device PCI Domain ID / Bus ID / location ID:\s+(\d+) / (\d+) / (\d+)")
_SUMMARY = lazy(r"^deviceQuery, CUDA Driver = CUDART, CUDA Driver Version = (\d+\.\d+)")
_FAILED = lazy(r"^cudaGetDeviceCount returned (\d+)")
_NONE = lazy(r"^There (?:are no available device\(s\)|is no device) (?:that support|supporting) CUDA")


# What a line must hold (lower case) for the patterns above: the summary lines, and a device block's.
_MAY_SAY = ("detected ", "devicequery, cuda driver", "cudagetdevicecount returned", "there ")
_MAY_BLOCK = ("device ", "cuda driver version / runtime version", "cuda capability major/minor version number:",
              "total amount of global memory:", "device pci domain id / bus id / location id:")


def _blocks(lines: Tuple[str, ...], candidates: List[int]) -> List[Tuple[int, int, str, Dict[str, object]]]:
    """(device number, line, name, fields) for each ``Device N: "name"`` block."""
    out: List[Tuple[int, int, str, Dict[str, object]]] = []
    for i in candidates:
        s = lines[i].strip()
        m = _DEVICE.match(s)
        if m:
            out.append((int(m.group(1)), i, m.group(2).strip(), {}))
            continue
        if not out:
            continue
        fields = out[-1][3]
        for key, pattern in (("cuda", _DRIVER), ("cc", _CC), ("memory", _MEMORY), ("pci", _PCI)):
            m = pattern.match(s)
            if m:
                fields[key] = (m, i)
    return out


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = unmargined(doc)
    detected: Optional[Tuple[int, int]] = None
    for i in doc.lines_containing(*_MAY_SAY):
        s = lines[i].strip()
        m = _DETECTED.match(s)
        if m:
            detected = (int(m.group(1)), i)
            f.set("nvml.init", True, i, detail="deviceQuery ran (pasted output)")
        m = _SUMMARY.match(s)
        if m:
            f.set("nvml.cuda_driver_version", m.group(1), i)
        m = _FAILED.match(s)
        if m:
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            why = nxt[2:].strip() if nxt.startswith("->") else ""
            f.error(f"deviceQuery: cudaGetDeviceCount returned {m.group(1)}" + (f" -> {why}" if why else ""), i)
        if _NONE.match(s):
            f.error(f"deviceQuery: {s}", i)
    blocks = _blocks(lines, doc.lines_containing(*_MAY_BLOCK))
    for number, i, name, fields in blocks:
        d = f.detail(i)
        claim: Dict[str, object] = {"name": Reading.of(name, d)}
        if "cc" in fields:
            m, _ = fields["cc"]
            claim["compute_capability"] = Reading.of(f"{m.group(1)}.{m.group(2)}", d)
        if "memory" in fields:
            m, _ = fields["memory"]
            claim["memory_total_bytes"] = Reading.of(int(m.group(2)), d)
        if "cuda" in fields:
            m, j = fields["cuda"]
            f.set("nvml.cuda_driver_version", m.group(1), j)
        if "pci" in fields:
            m, _ = fields["pci"]
            claim["pci_bus_id"] = Reading.of(f"{int(m.group(1)):08X}:{int(m.group(2)):02X}:{int(m.group(3)):02X}.0", d)
            f.gpu(None, i, **claim)
        else:
            # A block cut before its PCI line: CUDA's device number is all that tells it apart.
            f.gpu(number, i, **claim)
    if detected is not None:
        count, i = detected
        shown = {number for number, _, _, _ in blocks}
        # After the shown blocks, so the assembler numbers them after the devices the text shows.
        after = max([i] + [line for _, line, _, _ in blocks])
        for number in range(count):
            if number not in shown:
                f.gpu(None, after, pci_bus_id=Reading.unknown(
                    f"deviceQuery detected device {number}; its block is not in the text"))
    return f
