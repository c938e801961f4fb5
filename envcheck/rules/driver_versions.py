"""The loaded NVIDIA kernel module against the one installed on disk.

``/proc/driver/nvidia/version`` (or ``/sys/module/nvidia/version``, or NVRM's "this kernel
module has the version") is the module in memory; ``modinfo nvidia``'s ``version:``, ``dkms
status`` rows and ``/usr/src/nvidia-<version>`` are the modules installed. When none installed is
the loaded one, the driver was updated and the machine not rebooted: the update brought its
user-space libraries too, so NVML and CUDA refuse the old module ("Driver/library version
mismatch"). Where the text shows the user-space version as well, ``platform`` decides on it; this
rule speaks only where it does not, as likely.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.driver_claims import said_mismatch
from envcheck.derived.machine import driver_runs
from envcheck.knowledge.archs import ver
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


RULES = (loaded_module_not_installed, mismatch_said, runtime_newer_than_driver_reported)
