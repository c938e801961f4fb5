"""The loaded NVIDIA kernel module against the one installed on disk.

``/proc/driver/nvidia/version`` (or ``/sys/module/nvidia/version``, or NVRM's "this kernel
module has the version") is the module in memory; ``modinfo nvidia``'s ``version:``, ``dkms
status`` rows and ``/usr/src/nvidia-<version>`` are the modules installed. When none installed is
the loaded one, the driver was updated and the machine not rebooted: the update brought its
user-space libraries too, so NVML and CUDA refuse the old module ("Driver/library version
mismatch"). Where the text shows the user-space version as well, ``platform`` decides on it; this
rule speaks only where it does not, as likely.

CUDA's error 803 (cudaErrorSystemDriverMismatch) says the same of libcuda and the module, in every
program's words (``system_driver_mismatch``, round 28).
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.driver_claims import said_mismatch
from envcheck.derived.line_report import not_reported
from envcheck.derived.machine import driver_runs, find_text, in_container
from envcheck.derived.messages import is_stated
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding


def loaded_module_not_installed(ctx: RuleContext) -> Iterator[Finding]:
    d, nvml = ctx.facts.driver, ctx.facts.nvml
    km, installed = d.kernel_module_version, d.installed_module_versions
    if not (km.ok and km.value and installed.ok and installed.value) or nvml.init.ok:
        return
    if d.userspace_library_version.ok:
        return  # platform.nvml_driver_library_mismatch compares the two read versions
    loaded = ver(str(km.value))
    if loaded is None or any(ver(str(v)) == loaded for v in installed.value):
        return
    yield make("nvml_driver_library_mismatch",
               f"The NVIDIA kernel module in memory is {km.value}, but the modules installed on disk are "
               f"{', '.join(str(v) for v in installed.value)}: the driver was updated and the machine not rebooted, so "
               "the new user-space libraries meet the old module and NVML/CUDA refuse to start. Reboot (or unload "
               "the nvidia modules and load the new ones).",
               [("driver.kernel_module_version", km), ("driver.installed_module_versions", installed)],
               confidence=Confidence.LIKELY)


def mismatch_said(ctx: RuleContext) -> Iterator[Finding]:
    """A person saying the module and the libraries differ (``explain/parsers/mismatch_prose.py``):
    likely, where no tool's reading of NVML or of the two versions says otherwise."""
    f = ctx.facts
    lib = f.driver.userspace_library_version
    if not said_mismatch(lib) or f.nvml.init.ok or f.nvml.init_error == "lib_rm_version_mismatch":
        return
    sentence = str(lib.detail).split("(", 1)[-1].rstrip(")")
    yield make("nvml_driver_library_mismatch",
               f"The text says the NVIDIA kernel module and the driver libraries differ (“{sentence}”): after a "
               "driver update the old module stays loaded until a reboot, and NVML/CUDA refuse the new libraries "
               "(“Driver/library version mismatch”). Reboot; if it persists, compare `cat /proc/driver/nvidia/version` "
               "with the installed driver packages and reinstall the one that differs.",
               [("driver.userspace_library_version", sentence[:160])], confidence=Confidence.LIKELY)


def runtime_newer_than_driver_reported(ctx: RuleContext) -> Iterator[Finding]:
    """A program's own report of both CUDA versions (PaddlePaddle's "Driver API Version: 10.2,
    Runtime API Version: 11.2"): a runtime the driver cannot run (across majors, or before
    CUDA 11's minor-version compatibility) fails with cudaErrorInsufficientDriver."""
    for s in ctx.stated:
        if s.id != "paddle_device_cuda_versions":
            continue
        drv, rt = str(s.fact("nvml.cuda_driver_version") or ""), str(s.fact("detail") or "")
        if not drv or not rt or driver_runs(drv, rt):
            continue
        yield make("cuda_toolkit_newer_than_driver",
                   f"{s.message.origin.project} reports the driver's CUDA {drv} and the CUDA runtime it loaded {rt}: this "
                   "driver cannot run that runtime (“CUDA driver version is insufficient for CUDA runtime version”). "
                   "Install a newer driver, or the build of the CUDA the driver runs.",
                   [(f"{s.message.origin.project} messages", " ".join(s.match.text.split())[:300])])
        return


# CUDA's error 803 in every program's words (messages.toml: cuda_system_driver_mismatch, and the
# "# --- r28k ---" block for the number alone and Ollama's discovery log).
_ERROR_803 = ("cuda_system_driver_mismatch", "cuda_error_803_code", "ollama_cuda_init_failure_803")
# The CUDA forward-compatibility package: its libcuda is newer than the kernel module on purpose,
# and runs only on the driver branches and data-center GPUs it lists (CUDA Compatibility guide).
# The message quoted, not printed here: advice ("if you see …"), a question ("what does … mean?"), a denial.
_NOT_A_REPORT = re.compile(r"\b(?:if|when(?:ever)?)\s+(?:you|one|users?|people)\s+(?:see|get|hit|encounter)\b|"
                           r"\bwhat\s+(?:does|is)\b|\bno\s+longer\b|\bnever\s+(?:got|get|saw|seen)\b|"
                           r"\b(?:haven'?t|have\s+not|didn'?t|did\s+not)\s+(?:seen|see|get|got)\b", re.I)
_COMPAT = ("cuda-compat", "cuda_compat", "/compat/libcuda", "cuda/compat", "forward compat")


def system_driver_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """CUDA's error 803, cudaErrorSystemDriverMismatch ("system has unsupported display driver /
    cuda driver combination": "a mismatch between the versions of the display driver and the CUDA
    driver", CUDA Runtime API), outside a container: the libcuda the program loaded is not of the
    loaded kernel module's version. A driver updated without a reboot (its new libcuda meets the
    old module) or installed only in part, or a second libcuda of another driver on the loader's
    path. Likely: the versions themselves are not in the text.

    Left to others: in a container (``hosting.driver_mismatch_said_in_container``: the image's
    driver), but for nvidia-container-cli's hook, which runs on the host with the host's libcuda; under WSL (its libcuda is Windows'); with the CUDA forward-compatibility package in
    the text (its libcuda is newer than the module on purpose; an unsupported branch or GPU is
    the compat package's problem, not a reboot's); a reading that shows the two versions
    (``platform.nvml_driver_library_mismatch`` speaks then)."""
    f = ctx.facts
    said = next((s for s in ctx.stated if s.id in _ERROR_803), None)
    # nvidia-container-cli's hook runs on the host before the container starts, with the host's libcuda
    host_side = said is not None and "nvidia-container-cli" in said.text
    if said is None or (in_container(f) and not host_side) or (f.host.wsl.ok and f.host.wsl.value not in (None, "none")):
        return
    km, lib = f.driver.kernel_module_version, f.driver.userspace_library_version
    if f.nvml.init_error == "lib_rm_version_mismatch" or (km.ok and lib.ok and not is_stated(lib)):
        return  # NVML's own mismatch, or both versions read: platform's rule decides
    paths = " ".join(str(p) for p in (f.toolkit.ld_library_path.get(()) or ()))
    if find_text(f, *_COMPAT) or any(c in paths.lower() for c in _COMPAT) or paths.rstrip("/").endswith("compat"):
        return
    line = said.text
    at = line.find(said.match.text[:40])
    rest = line[at:] if at >= 0 else ""
    stop = re.search(r"[.!;](?:\s|$)", rest[len(said.match.text):]) if rest else None
    if at >= 0 and (_NOT_A_REPORT.search(line[:at]) or "?" in rest[:len(said.match.text) + (stop.start() if stop
                                                                                          else len(rest))]):
        return  # quoted in a question or as advice, or said not to happen
    if not_reported(line, said.match.text):
        return  # a definition, a denial, another machine's, or over (review of round 28)
    yield make("nvml_driver_library_mismatch",
               "CUDA refused to start with error 803 (cudaErrorSystemDriverMismatch, “system has unsupported display "
               "driver / cuda driver combination”): the user-space CUDA driver library (libcuda) this program loaded "
               "is not of the version of the NVIDIA kernel module in memory. Usually the driver was updated and the "
               "machine not rebooted, or the update was only partly installed. Reboot; if it persists, reinstall one "
               "driver version completely, and check that no other libcuda.so (LD_LIBRARY_PATH, a copy in the "
               "program's folder, a conda environment's cuda-compat package) is loaded first.",
               [quote(said)], confidence=Confidence.LIKELY)


RULES = (loaded_module_not_installed, mismatch_said, runtime_newer_than_driver_reported, system_driver_mismatch)
