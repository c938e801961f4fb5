"""A driver installed in a container that was never given the GPU.

People who find no driver in a container often install one into it (``apt-get install
nvidia-driver-440`` at the container's prompt, a driver .run in the Dockerfile). The NVIDIA
Container Toolkit gives a container the host's driver, nvidia-smi and /dev/nvidia* only when it
is started with GPU access (``--gpus``, the nvidia runtime, a device reservation); without it
the container's device cgroup grants no NVIDIA device, so the driver installed inside fails:
NVML's "Unknown Error" (the nodes its install created are refused, EPERM) or no driver reached
at all. The cause is the container's start: container_missing_gpus_flag, likely (the driver in
the image is ``versions.driver_installed_inside_container``'s finding).

Silent where the text shows the container was given the GPU (``host.container_gpus`` read as
anything but "none"), where a message names another container cause (a driver/library
mismatch: the GPU was given and the image's libraries clash; the toolkit's own errors), and
where only a package list or a listing, not a person, puts the driver in the image.
"""

from __future__ import annotations

from typing import Iterator, Optional

from envcheck.derived.machine import in_container
from envcheck.derived.messages import Stated, is_stated
from envcheck.derived.node_gpus import node_without_gpus
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Upstream's words for a driver that cannot be reached or used here (message catalogue ids):
# NVML's unknown error, nvidia-smi's "couldn't communicate with the NVIDIA driver", torch's
# "Found no NVIDIA driver".
_FAILS = ("nvml_unknown_error", "nvidia_smi_no_driver", "torch_no_nvidia_driver", "nvml_driver_not_loaded")
# Messages that say the container was given the GPU, or name another cause.
_OTHER = frozenset({"nvml_driver_library_mismatch", "nvidia_container_cli_init_error", "nvidia_container_cli_load_library",
                    "nvidia_container_cli_requirement", "nvidia_container_cli_mount_error", "docker_no_gpu_driver",
                    "docker_unknown_runtime", "cdi_device_unresolvable", "container_runtime_binary_not_found",
                    "containerd_runtime_not_configured", "cuda_system_driver_mismatch"})


def installed_without_gpus(ctx: RuleContext) -> Optional[Stated]:
    """The failure message of a driver a person installed in a container started without GPU
    access (None where the text does not show that): ``failures.container_lost_gpus`` defers to it."""
    f = ctx.facts
    installed = f.driver.installed_module_versions
    if not (installed.ok and installed.value and is_stated(installed)) or not in_container(f):
        return None
    if any(s.id in _OTHER for s in ctx.stated):
        return None
    gpus = f.host.container_gpus
    if gpus.ok and gpus.value != "none" or node_without_gpus(f) is not None:
        return None  # the start asked for the GPU, or the node advertises none: not this cause
    return next((s for s in ctx.stated if s.id in _FAILS), None)


def driver_installed_without_gpu_access(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    said = installed_without_gpus(ctx)
    if said is None:
        return
    installed = f.driver.installed_module_versions
    yield make("container_missing_gpus_flag",
               f"A driver was installed inside this {f.host.container.value} container and it still fails "
               f"(“{quote(said)[1]}”). A container gets the host's driver and its /dev/nvidia* devices only when it "
               "is started with GPU access through the NVIDIA Container Toolkit; without it the devices a driver "
               "installed inside creates are refused, so that driver can never work. Remove it and start the "
               "container with `--gpus all` (compose: a device reservation with driver: nvidia) on a host with the "
               "toolkit.",
               [("driver.installed_module_versions", installed), quote(said)], confidence=Confidence.LIKELY)


RULES = (driver_installed_without_gpu_access,)
