"""``nvidia-smi`` (the table), ``nvidia-smi -L``, and nvidia-smi's failure messages.

Header formats (see ../shared/facts/cuda_driver.md):

* ``| NVIDIA-SMI 580.142   Driver Version: 580.142   CUDA Version: 13.0 |``
* drivers ≥ R610: ``| NVIDIA-SMI 610.43.02   KMD Version: 610.43.02   CUDA UMD Version: 13.3 |``
* before ~R410 the header had no CUDA version at all; R325-era tables print memory in
  "MB" (MiB all the same: ``9MB /  4095MB``) and ``N/A`` for Disp.A; under WSL a mismatched
  ``nvidia-smi`` prints ``CUDA Version: ERR!``.

The table cuts names longer than its column ("NVIDIA GeForce RTX 4080 ..."): the cut name
is kept as a stub and the cut is said in the facts' notes, so the report shows it.
``-L`` lists ``GPU <index>: <name> (UUID: GPU-…)``, and under a GPU in MIG mode one
``MIG 1g.10gb Device 0: (UUID: MIG-…)`` line per MIG device (R470+), which is not a GPU.

The failure messages map onto NVML's session errors as ``envcheck/probes/nvml.py``
classifies them: "couldn't communicate with the NVIDIA driver" is
NVML_ERROR_DRIVER_NOT_LOADED, "Driver/library version mismatch" is
NVML_ERROR_LIB_RM_VERSION_MISMATCH, a missing nvidia-smi or libnvidia-ml is
NVML_ERROR_LIBRARY_NOT_FOUND (https://docs.nvidia.com/deploy/nvml-api/group__nvmlReturn.html).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.smi_values import BUS_ID, GPU_LINE, plausible_power, unmargined
from envcheck.explain.source import Pasted
from envcheck.facts import GpuProcess
from envcheck.lazyre import lazy
from envcheck.reading import TRUNCATED, Reading, Status

SOURCE = "nvidia-smi"
_I = re.IGNORECASE
_MIB = 1 << 20

_HEADER = lazy(r"NVIDIA-SMI\s+(?P<smi>[\d.]+)\s+(?P<kind>Driver|KMD) Version:\s*(?P<drv>[\d.]+)"
               r"(?:\s+CUDA(?: UMD)? Version:\s*(?P<cuda>[\d.]+|N/A|ERR!))?")
_ROW1 = lazy(r"^\|\s*(?P<idx>\d+)\s+(?P<name>.+?)\s+(?P<pm>On|Off|WDDM|TCC|N/A)\s*\|\s*"
             rf"(?P<bus>{BUS_ID})\s+(?P<disp>On|Off|N/A)\s*\|\s*(?P<ecc>[^|]*?)\s*\|")
_ROW2 = lazy(r"^\|\s*(?P<fan>\d+%|N/A|ERR!)\s+(?P<temp>\d+C|N/A|ERR!)\s+(?P<perf>P\d+|N/A|ERR!)\s+(?P<power>[^|]*?)\s*\|"
             r"\s*(?P<used>\d+)Mi?B\s*/\s*(?P<total>\d+)Mi?B\s*\|\s*(?P<util>\d+%|N/A|ERR!)\s+(?P<mode>[^|]*?)\s*\|")
# Processes rows: "GPU GI CI PID Type Process name Usage" (R450+ with MIG ids), "GPU PID Type
# Process name Usage" (R361+), "GPU PID Process name Usage" (R3xx "Compute processes:").
_PROC = lazy(r"^\|\s*(?P<gpu>\d+)\s+(?:(?:N/A|\d+)\s+(?:N/A|\d+)\s+)?(?P<pid>\d+)\s+(?:(?P<type>C\+G|M\+C|C|G|M)\s+)?"
             r"(?P<name>.+?)\s+(?P<mem>\d+Mi?B|N/A)\s*\|$")
_PROCESSES = lazy(r"^\|\s*(?:Compute )?[Pp]rocesses:")
_MIG_LIST = lazy(r"^MIG\s+\S+\s+Device\s+\d+:")
_UUID = lazy(r"^GPU-[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_SMI_PATH = lazy(r"^(/\S*/nvidia-smi)$")
_NO_DEVICES = lazy(r"^No devices were found\s*$")
# "for GPU0000:07:00.0: Unknown Error", "for GPU 0000:09:00.0: …", and with the index first,
# "for GPU1: 0000:34:00.0: Unknown Error".
_HANDLE = lazy(rf"Unable to determine the device handle for (?:GPU|gpu) ?(?:(?P<idx>\d+): )?(?P<bus>{BUS_ID}): "
               r"(?P<why>.+)$")
_LIB_VERSION = lazy(r"NVML library version:\s*([\d.]+)")

# (pattern, NVML session error class, status of nvml.init)
_FAILURES: Tuple[Tuple[re.Pattern, str, Status], ...] = (
    (lazy(r"NVIDIA-SMI has failed because it couldn'?t communicate with the NVIDIA driver", _I),
     "driver_not_loaded", Status.ERROR),
    (lazy(r"Failed to initialize NVML: Driver/library version mismatch", _I), "lib_rm_version_mismatch", Status.ERROR),
    (lazy(r"Failed to initialize NVML: (?:Insufficient Permissions|Permission denied|No permission)", _I),
     "no_permission", Status.NO_PERMISSION),
    (lazy(r"Failed to initialize NVML: Unknown Error", _I), "unknown", Status.ERROR),
    (lazy(r"NVIDIA-SMI couldn'?t find libnvidia-ml\.so library|Failed to initialize NVML: "
          r"(?:NVML Shared Library Not Found|Library not found)", _I), "library_not_found", Status.NOT_FOUND),
)
_NOT_FOUND = lazy(r"nvidia-smi'?\W{0,3}(?:command )?not found|command '?nvidia-smi'? not found"
                  r"|'?nvidia-smi'? is not recognized|nvidia-smi: No such file or directory"
                  r"|nvidia-smi.{0,40}command not found", _I)


_NUMBER = lazy(r"^\s*([\d.]+)")


def _num(text: str) -> Optional[float]:
    m = _NUMBER.match(text)
    return float(m.group(1)) if m else None


def _cell(text: str, convert, detail: str) -> Reading:
    t = text.strip()
    if t == "N/A":
        return Reading.fail(Status.NOT_SUPPORTED, f"{detail}: N/A")
    if "ERR!" in t:
        return Reading.fail(Status.ERROR, f"{detail}: nvidia-smi printed ERR!")
    value = _num(t)
    return Reading.of(convert(value), detail) if value is not None else Reading.unknown()


def _header(f: Found, line: str, i: int) -> bool:
    m = _HEADER.search(line)
    if not m:
        return False
    f.set("nvml.init", True, i, detail="nvidia-smi ran (pasted output)")
    f.set("nvml.driver_version", m.group("drv"), i)
    cuda = m.group("cuda")
    if cuda == "N/A":
        f.fail("nvml.cuda_driver_version", Status.NOT_FOUND, i, detail="nvidia-smi: CUDA Version: N/A")
    elif cuda == "ERR!":
        # nvidia-smi could not ask libcuda for its version: under WSL, a Linux-side nvidia-smi that
        # does not match the Windows driver; elsewhere a broken libcuda.
        f.fail("nvml.cuda_driver_version", Status.ERROR, i,
               detail=f"nvidia-smi printed CUDA Version: ERR! ({f.detail(i)})")
    elif cuda:
        f.set("nvml.cuda_driver_version", cuda, i)
    return True


def _rows(f: Found, lines: Tuple[str, ...], i: int, last: Optional[int]) -> Optional[int]:
    """Row 1 (index, name, bus id) or row 2 (fan, temp, power, memory) of a GPU; returns its index."""
    line = lines[i].strip()
    m = _ROW1.match(line)
    if m:
        idx = int(m.group("idx"))
        name = m.group("name").strip()
        d = f.detail(i)
        fields: Dict[str, object] = {"pci_bus_id": m.group("bus")}
        if name == "ERR!":
            # The name is the first thing nvidia-smi asks of a GPU: when even that fails, the GPU
            # does not answer (nvmlDeviceGetName → NVML_ERROR_GPU_IS_LOST / UNKNOWN).
            fields["status"] = Reading.fail(Status.GPU_LOST, f"{d}: nvidia-smi printed ERR! for this GPU's name")
        elif name.endswith("..."):
            fields["name"] = Reading.of(name[:-3].rstrip(), f"{d} ({TRUNCATED})")
        else:
            fields["name"] = name
        if m.group("pm") in ("On", "Off"):
            fields["persistence_mode"] = m.group("pm") == "On"
        if m.group("disp") != "N/A":
            fields["display_active"] = m.group("disp") == "On"
        if m.group("ecc").isdigit():
            # Row 1's third column is "Volatile Uncorr. ECC" in every layout: the uncorrectable
            # count since the driver loaded ("N/A" on GPUs without ECC or with it off).
            fields["ecc_volatile_uncorrected"] = int(m.group("ecc"))
        f.gpu(idx, i, **fields)
        return idx
    m = _ROW2.match(line)
    if m and last is not None:
        d = f.detail(i)
        # "24W /  450W", "N/A  /   75W", "N/A / N/A": the separator is a slash between spaces.
        draw, limit = (re.split(r"\s+/\s+", m.group("power").strip(), maxsplit=1) + [""])[:2]
        limit_w = _cell(limit, float, d) if limit else None
        draw_w = plausible_power(_cell(draw, float, d), limit_w) if limit_w is not None else None
        f.gpu(last, i,
              temp_c=_cell(m.group("temp"), int, d),
              pstate=_cell(m.group("perf").lstrip("P") if m.group("perf").startswith("P") else m.group("perf"), int, d),
              power_draw_w=draw_w,
              power_limit_w=limit_w,
              memory_used_bytes=int(m.group("used")) * _MIB,
              memory_total_bytes=int(m.group("total")) * _MIB,
              utilization_gpu_pct=_cell(m.group("util"), int, d))
        return None
    return last


def _processes(f: Found, lines: Tuple[str, ...], start: int, gpu_indices: List[int]) -> None:
    by_gpu: Dict[int, List[GpuProcess]] = {}
    end = start
    for j in range(start + 1, min(start + 400, len(lines))):
        end = j
        line = lines[j].strip()
        if "No running processes found" in line:
            for idx in gpu_indices:
                f.gpu(idx, j, processes=())
            return
        m = _PROC.match(line)
        if m:
            kind = "graphics" if m.group("type") == "G" else "compute"
            mem = m.group("mem")
            used = (Reading.of(int(mem.rstrip("MiB")) * _MIB) if mem.endswith("B")
                    else Reading.fail(Status.NOT_SUPPORTED, "N/A"))
            by_gpu.setdefault(int(m.group("gpu")), []).append(
                GpuProcess(int(m.group("pid")), Reading.of(m.group("name")), used, kind))
        elif line.startswith("+") and j > start + 3:
            break
    for idx in gpu_indices:
        f.gpu(idx, end, processes=tuple(by_gpu.get(idx, ())))


def _failures(f: Found, line: str, i: int, lines: Tuple[str, ...], doc: Pasted) -> None:
    # doc.search: each pattern's answer remembered per distinct line (a log repeats its
    # "nvidia-smi" lines; 15,700 searches on the benchmark's 4 MiB paste).
    for pattern, error, status in _FAILURES:
        if doc.search(pattern, line):
            f.fail("nvml.init", status, i, detail=line.strip())
            f.set("nvml.init_error", error, i)
            f.error(line, i)
            if error == "lib_rm_version_mismatch":
                # Newer nvidia-smi adds "NVML library version: 550.107" on the next line.
                for j in range(i, min(i + 3, len(lines))):
                    lm = _LIB_VERSION.search(lines[j])
                    if lm:
                        f.set("driver.userspace_library_version", lm.group(1), j,
                              detail="nvidia-smi: NVML library version")
            return
    if doc.search(_NOT_FOUND, line):
        f.fail("driver.nvidia_smi_path", Status.NOT_FOUND, i, detail=line.strip())
        f.fail("nvml.init", Status.NOT_FOUND, i, detail="nvidia-smi is not installed or not on PATH")
        f.set("nvml.init_error", "library_not_found", i)
        f.error(line, i)
        return
    m = doc.search(_HANDLE, line)
    if m:
        # nvidia-smi could not even open the GPU (nvmlDeviceGetHandleByIndex failed): "GPU is lost",
        # or "Unknown Error" from a GPU that stopped answering — either way the GPU is gone until a
        # reset (the kernel log usually holds Xid 79, "GPU has fallen off the bus").
        why = m.group("why").strip()
        index = int(m.group("idx")) if m.group("idx") else None
        f.gpu(index, i, pci_bus_id=m.group("bus"),
              status=Reading.fail(Status.GPU_LOST, f"nvidia-smi: unable to determine the device handle: {why}"))
        f.error(line, i)


def _listed(f: Found, m: re.Match, i: int) -> int:
    """One ``nvidia-smi -L`` line (``nvlink -s`` prints the same line above each GPU's links)."""
    idx = int(m.group("idx"))
    uuid = m.group("uuid").strip()
    d = f.detail(i)
    fields: Dict[str, object] = {"name": m.group("name").strip()}
    if _UUID.match(uuid):
        fields["uuid"] = uuid
    elif uuid in ("GPU-", "GPU", ""):
        # nvmlDeviceGetUUID answered with nothing: the driver could not read the GPU's identity.
        fields["uuid"] = Reading.fail(Status.ERROR, f"{d}: nvidia-smi printed an empty UUID ({m.group(0).strip()})")
    f.set("nvml.init", True, i, detail="nvidia-smi -L ran (pasted output)")
    f.gpu(idx, i, **fields)
    return idx


# A line holding none of these (lower case) matches none of the patterns above and leaves
# the parser's state as it was, so only the lines holding one are read.
_MAY_FAIL = ("nvidia-smi", "failed to initialize nvml", "unable to determine the device handle for")
_MAY_SMI = _MAY_FAIL + ("(uuid:", "mig", "no devices were found")
# A table row: "|" first on the line, after blanks or MATLAB's "% " margin (see unmargined).
_MAY_ROW = lazy(r"(?:% ?)?[^\S\n]*\|")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = unmargined(doc)
    last: Optional[int] = None
    listed: Optional[int] = None
    table_gpus: List[int] = []
    may_fail = set(doc.lines_containing(*_MAY_FAIL, ignorecase=True))
    for i in sorted(set(doc.lines_containing(*_MAY_SMI, ignorecase=True)) | set(doc.lines_starting(_MAY_ROW))):
        line = lines[i]
        if _header(f, line, i):
            last, table_gpus = None, []
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            before = last
            last = _rows(f, lines, i, last)
            if last is not None and last != before:
                table_gpus.append(last)
            if _PROCESSES.match(stripped):
                _processes(f, lines, i, table_gpus)
            continue
        m = GPU_LINE.match(stripped)
        if m:
            listed = _listed(f, m, i)
            continue
        if listed is not None and _MIG_LIST.match(stripped):
            f.gpu(listed, i, mig_mode_current=True)
            continue
        if _NO_DEVICES.match(line.strip()):
            f.set("nvml.init", True, i, detail="nvidia-smi: No devices were found")
            f.set("nvml.gpus", (), i, detail="nvidia-smi: No devices were found")
            continue
        m = _SMI_PATH.match(line.strip())
        if m:
            f.set("driver.nvidia_smi_path", m.group(1), i)
            continue
        if i in may_fail:
            _failures(f, line, i, lines, doc)
    return f
