"""What NVIDIA's own tools say is wrong, beyond the health counters: nvidia-smi's ``ERR!`` cells
and impossible readings, a GPU without a UUID, a driver that initialised no GPU, CUDA that
would not start in ``deviceQuery``, and a CUDA toolkit newer than the driver.

The facts come from the live probes or from pasted tool output (``envcheck explain``); every
rule stays silent when what it needs was not read.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.cuda_program import driver_older_elsewhere, other_program, printed
from envcheck.derived.line_report import not_reported
from envcheck.derived.machine import driver_cuda, find_text
from envcheck.facts import GpuFacts
from envcheck.knowledge.archs import major_minor, ver
from envcheck.reading import IMPLAUSIBLE, Reading, Status
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

# cudaError_t values deviceQuery prints as "cudaGetDeviceCount returned N" (CUDA Runtime API,
# "Data types used by CUDA Runtime": cudaError enum), with what each means for a working setup.
CUDA_ERRORS = {
    3: ("cudaErrorInitializationError", "the CUDA driver could not be initialised"),
    38: ("cudaErrorNoDevice (CUDA < 10.1)", "no CUDA-capable device is visible to this process"),
    100: ("cudaErrorNoDevice", "no CUDA-capable device is visible to this process"),
    803: ("cudaErrorSystemDriverMismatch", "the CUDA user-space driver (libcuda) and the kernel module differ"),
    804: ("cudaErrorCompatNotSupportedOnDevice", "the CUDA forward-compatibility package is in use on a GPU "
                                                 "that does not support it"),
    999: ("cudaErrorUnknown", "CUDA failed to start for a reason the driver did not name"),
}
_RETURNED = re.compile(r"cudaGetDeviceCount returned (\d+)")
_INSUFFICIENT = "driver version is insufficient for CUDA runtime version"
# Programs saying in their own words that the driver is older than the CUDA they bring
# (messages.toml, the r2d block); "or missing" makes Ollama's only likely.
_DRIVER_OLDER_OWN_WORDS = ("ollama_driver_too_old",)
_PROBABLE_ONLY = ("ollama_driver_too_old",)


def _label(g: GpuFacts) -> str:
    return f"GPU {g.index} ({g.name.value})" if g.name.ok else f"GPU {g.index}"


def _failed(g: GpuFacts, needle: str) -> List[Tuple[str, Reading]]:
    """The GPU's readings that failed with ``needle`` in their detail, as (field, reading)."""
    out = []
    for name in g.__dataclass_fields__:
        r = getattr(g, name)
        if isinstance(r, Reading) and r.status is Status.ERROR and needle in (r.detail or ""):
            out.append((name, r))
    return out


def nvml_query_errors(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    cuda = f.nvml.cuda_driver_version
    if cuda.status is Status.ERROR and "ERR!" in (cuda.detail or ""):
        yield make("nvml_query_errors",
                   "nvidia-smi printed “CUDA Version: ERR!”: it could not ask the CUDA driver (libcuda) for its "
                   "version. Under WSL 2 this happens when the nvidia-smi and libcuda inside Linux do not match the "
                   "Windows driver (a Linux driver installed inside WSL, or a Windows driver update without "
                   "restarting WSL); elsewhere libcuda.so is missing or from another driver version. CUDA programs "
                   "will fail the same way.",
                   evidence(("nvml.cuda_driver_version", cuda), ("nvml.driver_version", f.nvml.driver_version)),
                   recipe="libcuda_check")
    for g in f.gpus:
        bad = _failed(g, "ERR!")
        if not bad:
            continue
        names = ", ".join(name for name, _ in bad)
        yield make("nvml_query_errors",
                   f"nvidia-smi printed ERR! for {_label(g)}'s {names}: NVML asked the GPU and got an error back. "
                   "A single ERR! that is gone on the next run is a transient; one that stays, or ERR! in many "
                   "fields, comes before a GPU falls off the bus — check the kernel log for Xid errors.",
                   evidence(*((f"nvml.gpus[{g.index}].{name}", r) for name, r in bad)),
                   {"gpu_index": g.index}, gpu=g.index)


def gpu_reading_implausible(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        bad = _failed(g, IMPLAUSIBLE)
        if not bad:
            continue
        yield make("gpu_reading_implausible",
                   f"{_label(g)} reports a value no GPU can produce ({bad[0][1].detail}). The sensor or its firmware "
                   "misreads, so envcheck does not reason from it; readings that depend on it (power capping, "
                   "power-based throttling) may be wrong too.",
                   evidence(*((f"nvml.gpus[{g.index}].{name}", r) for name, r in bad)),
                   # "Impossible" is envcheck's judgement (a draw several times the limit), not the tool's.
                   {"gpu_index": g.index}, gpu=g.index, confidence=Confidence.LIKELY)


def gpu_uuid_missing(ctx: RuleContext) -> Iterator[Finding]:
    for g in ctx.facts.gpus:
        if g.uuid.status is not Status.ERROR:
            continue
        yield make("gpu_uuid_missing",
                   f"{_label(g)} has no UUID ({g.uuid.detail}). The driver could not read the GPU's identity from "
                   "its InfoROM: the GPU did not initialise fully (a driver branch that no longer supports it, a "
                   "modified driver, damaged firmware). CUDA and containers address GPUs by UUID and may not see it.",
                   evidence((f"nvml.gpus[{g.index}].uuid", g.uuid), (f"nvml.gpus[{g.index}].name", g.name)),
                   {"gpu_index": g.index}, gpu=g.index)


def driver_found_no_gpu(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    if not (f.nvml.init.ok and f.nvml.init.value and f.nvml.gpus.ok and not f.nvml.gpus.value):
        return
    if f.pci.devices.ok and not f.pci.gpus:
        return  # no NVIDIA GPU on the bus: no_nvidia_gpu_found says so
    in_container = f.host.container.ok and f.host.container.value not in (None, "none")
    yield make("driver_found_no_gpu",
               "The NVIDIA driver is loaded but initialised no GPU (nvidia-smi: “No devices were found”). On a "
               "machine with an NVIDIA GPU, the kernel log says why: “RmInitAdapter failed” (the GPU did not "
               "start: power, seating, a BIOS setting such as Above 4G Decoding / Resizable BAR for large-memory "
               "GPUs, or a Blackwell GPU under the proprietary instead of the open kernel modules)"
               + ("; in a container, no GPU was passed in." if in_container else "."),
               evidence(("nvml.gpus", f.nvml.gpus.detail or "none"), ("pci.devices", f.pci.devices)),
               # Without the PCI bus read, "a GPU that did not start" is inferred: there may be none.
               confidence=None if f.pci.gpus else Confidence.LIKELY)


def _cuda_failure(ctx: RuleContext) -> Optional[Tuple[int, str]]:
    text = find_text(ctx.facts, "cudaGetDeviceCount returned")
    m = _RETURNED.search(text or "")
    return (int(m.group(1)), text) if m else None


def cuda_init_failed(ctx: RuleContext) -> Iterator[Finding]:
    failure = _cuda_failure(ctx)
    if failure is None or failure[0] == 35:
        return  # 35 (insufficient driver) is cuda_toolkit_newer_than_driver
    code, text = failure
    said = _RETURNED.search(text)
    if said is not None and not_reported(text, said.group(0)):
        return  # retold as advice, a definition, a denial, or another machine's (derived/line_report.py)
    name, meaning = CUDA_ERRORS.get(code, (f"CUDA error {code}", "CUDA failed to start"))
    yield make("cuda_init_failed",
               f"A CUDA program (deviceQuery) could not start CUDA: cudaGetDeviceCount returned {code} ({name}): "
               f"{meaning}. Every CUDA program, PyTorch included, fails the same way on this machine.",
               [("torch.errors", text)])


def _newer(a: str, b: str) -> Optional[bool]:
    va, vb = ver(major_minor(a)), ver(major_minor(b))
    return None if va is None or vb is None else va > vb


def cuda_toolkit_newer_than_driver(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    nvcc, cuda = f.toolkit.nvcc_version, f.nvml.cuda_driver_version
    # The driver's CUDA from nvidia-smi's header, else torch's "found version N", else the
    # driver table from the driver's version (a paste with "Driver Version: 470.82.01" only).
    dc = driver_cuda(f, ctx.kb, ctx.stated) if nvcc.ok else None
    # Read from the table, only across majors (nothing runs); within one, a shown header decides.
    dc = dc if dc is not None and (cuda.ok or str(nvcc.value).split(".")[0] != str(dc.value).split(".")[0]) else None
    if nvcc.ok and dc is not None and _newer(str(nvcc.value), str(dc.value)):
        cuda = cuda if cuda.ok else Reading(dc.value, Status.OK, dc.source)
        same_major = str(nvcc.value).split(".")[0] == str(cuda.value).split(".")[0]
        # Within one CUDA major, binaries built by a newer toolkit still run on an older driver
        # (minor version compatibility), but their PTX does not JIT-compile ("the provided PTX was
        # compiled with an unsupported toolchain") and newer APIs fail; across majors nothing runs.
        # https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html
        yield make("cuda_toolkit_newer_than_driver",
                   f"nvcc is CUDA {nvcc.value} but the driver supports CUDA {cuda.value}. "
                   + ("Code built by this nvcc runs only through minor version compatibility: its PTX will not "
                      "JIT-compile on this driver (“the provided PTX was compiled with an unsupported toolchain”) "
                      "and APIs newer than the driver fail." if same_major else
                      "Nothing this nvcc builds will run on this driver (“CUDA driver version is insufficient for "
                      "CUDA runtime version”)."),
                   evidence(("toolkit.nvcc_version", nvcc), ("nvml.cuda_driver_version", cuda)),
                   severity=Severity.WARNING if same_major else None,
                   confidence=Confidence.LIKELY if dc.stated else None)
        return
    said = _said_by_another_program(ctx)
    if said:
        yield said
        return
    failure = _cuda_failure(ctx)
    text = failure[1] if failure and failure[0] == 35 else None
    tv = ctx.torch_view
    if text is None or (tv is not None and tv.cuda is not None):
        return  # with torch's CUDA known, driver_too_old_for_torch_cuda says it
    yield make("cuda_toolkit_newer_than_driver",
               "A CUDA program (deviceQuery) stopped with “CUDA driver version is insufficient for CUDA runtime "
               "version”: it was built with a newer CUDA than this driver supports"
               + (f" (the driver supports CUDA {cuda.value})" if cuda.ok else "") + ".",
               [("torch.errors", text)] + evidence(("nvml.cuda_driver_version", cuda),
                                                   ("toolkit.nvcc_version", nvcc)))


def _said_by_another_program(ctx: RuleContext) -> Optional[Finding]:
    """The CUDA runtime of a program other than PyTorch (ggml, Ollama's cudart, CuPy, a Rust
    cudarc binary, a program built with nvcc) said the driver is older than its CUDA
    (cudaErrorInsufficientDriver, cudaErrorUnsupportedPtxVersion); or Ollama said so in its
    own words; or XLA found its ptxas newer than the driver (a warning: it still runs)."""
    f = ctx.facts
    cuda, nvcc = f.nvml.cuda_driver_version, f.toolkit.nvcc_version
    found = [(s, other_program(s)) for s in driver_older_elsewhere(ctx.stated)]
    gpus = f.host.container_gpus
    if gpus.ok and gpus.value == "none":
        # CUDA's runtime answers cudaErrorInsufficientDriver also where it cannot load libcuda at all:
        # in a container started without the GPUs that is the start's fault (container_missing_gpus_flag).
        found = [(s, p) for s, p in found if s.id == "cuda_unsupported_ptx"]
    found += [(s, s.message.origin.project) for s in ctx.stated if s.id in _DRIVER_OLDER_OWN_WORDS]
    if found:
        s, program = found[0]
        ptx = s.id == "cuda_unsupported_ptx"
        return make("cuda_toolkit_newer_than_driver",
                    f"{program} was built with a newer CUDA than this driver supports"
                    + (f" (the driver runs CUDA {cuda.value} at most)" if cuda.ok else "") + ": "
                    + ("the driver cannot compile its PTX (“the provided PTX was compiled with an unsupported "
                       "toolchain”)." if ptx else "its CUDA runtime refuses to start on this driver.")
                    + " Install a newer driver (or build it with the CUDA toolkit the driver supports). PyTorch's "
                    "wheels bring their own CUDA and are judged apart.",
                    [quote(s)] + evidence(("nvml.cuda_driver_version", cuda), ("toolkit.nvcc_version", nvcc)),
                    confidence=Confidence.LIKELY if s.id in _PROBABLE_ONLY else None)
    jit = _ptx_jit_refused(ctx)
    if jit is not None:
        return jit
    xla = next((s for s in ctx.stated if s.id == "xla_driver_older_than_ptxas"), None)
    if xla is None:
        return None
    return make("cuda_toolkit_newer_than_driver",
                "XLA (JAX / TensorFlow) found its ptxas newer than the CUDA the driver supports: it compiles without "
                "parallelism, and the kernels a newer ptxas builds can fail to load on this driver. Update the "
                "driver, or install the JAX/TensorFlow CUDA packages of the CUDA the driver runs.",
                [quote(xla)] + evidence(("nvml.cuda_driver_version", cuda)), severity=Severity.WARNING)


# messages.toml (r18d): the driver's JIT ptxas log line, "ptxas application ptx input, line 9; fatal :
# Unsupported .version 8.1; current version is '8.0'" (PTX ISA of the code; newest the driver knows).
_ISA = re.compile(r"Unsupported \.version (\d{1,2}\.\d{1,2}); current version is '(\d{1,2}\.\d{1,2})'")


def _ptx_jit_refused(ctx: RuleContext) -> Optional[Finding]:
    """The driver's own PTX JIT refused PTX of a newer ISA than it knows: the program that handed
    it over (Numba, CuPy, ArrayFire: a cuLink* caller, never a PyTorch wheel) made it with a newer
    CUDA than the driver's."""
    for s in ctx.stated:
        if s.id != "ptx_jit_unsupported_isa" or not printed(s):
            continue
        m = _ISA.search(s.match.text)
        if m is None or _newer(m.group(1), m.group(2)) is not True:
            continue
        cuda = ctx.facts.nvml.cuda_driver_version
        program = other_program(s) or "The program"
        return make("cuda_toolkit_newer_than_driver",
                    f"{program}'s PTX is PTX ISA {m.group(1)}, but the driver's JIT compiler knows PTX ISA "
                    f"{m.group(2)} at most"
                    + (f" (the driver supports CUDA {cuda.value})" if cuda.ok else "")
                    + ": the CUDA that made the PTX (Numba's NVVM or a conda cudatoolkit, a toolkit's nvcc) is "
                    "newer than the driver. Install a newer driver, or use the toolkit of the CUDA the driver "
                    "supports (conda install cudatoolkit / cuda-nvcc of that release).",
                    [quote(s)] + evidence(("nvml.cuda_driver_version", cuda),
                                          ("toolkit.nvcc_version", ctx.facts.toolkit.nvcc_version)))
    return None


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    driver_found_no_gpu,
    cuda_init_failed,
    cuda_toolkit_newer_than_driver,
    nvml_query_errors,
    gpu_reading_implausible,
    gpu_uuid_missing,
)
