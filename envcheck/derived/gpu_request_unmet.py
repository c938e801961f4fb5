"""A container whose start asked for the GPU and that still got none of the driver's files.

The requests that make the NVIDIA Container Toolkit mount the host's driver files, nvidia-smi
among them (the 'utility' capability, part of every one of these by default): Docker's and
Podman's ``--gpus`` without a ``capabilities=`` list, a CDI device (``--device nvidia.com/gpu=…``),
a Kubernetes pod's ``nvidia.com/gpu`` resource (the device plugin sets NVIDIA_VISIBLE_DEVICES for the runtime)
(https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html).
When such a container has no nvidia-smi, the toolkit did not act for it: not installed, or the
engine not configured to use it (containerd's or CRI-O's default runtime not ``nvidia`` and no
RuntimeClass, Podman without the CDI spec or hook, the runtime's config refusing the request).

Not a request here: ``--runtime=nvidia`` and the ``nvidia-docker`` wrapper (they inject what the
image's NVIDIA_VISIBLE_DEVICES asks, nothing for a plain image), ``/dev/nvidia*`` passed by hand
(device nodes without driver files, by design), ``--gpus`` narrowed by ``capabilities=``, and a
compose file's device reservation (docker-compose before 1.28 ignores ``deploy.resources``
without a word, so the container may have got no request at all).
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.container_start import failed_in_it
from envcheck.facts import Facts

# The container runtime's own words that the started container holds no nvidia-smi, or the NGC
# entrypoint's that it reached no driver (messages.toml ids).
UNMET = ("container_exec_nvidia_smi_not_found", "crun_nvidia_smi_not_found", "ngc_driver_not_detected",
         "ngc_driver_not_detected_tail")


def requested(facts: Facts) -> Optional[str]:
    """The GPU request of the container start the text shows failing (its own output follows it:
    ``derived/container_start.failed_in_it``), where it is one the toolkit must answer with the
    driver's files (above); None otherwise. A start only named ("is `podman run --device
    nvidia.com/gpu=all` the same?") or shown working is no request that went unmet."""
    g = facts.host.container_gpus
    if not g.ok or not isinstance(g.value, str) or not failed_in_it(g):
        return None
    v = g.value.strip()
    if v.startswith("--gpus") and "capabilities" not in v and v != "--gpus":
        return v
    if v == "nvidia.com/gpu" or v.startswith("--device nvidia.com/gpu"):
        return v
    return None
