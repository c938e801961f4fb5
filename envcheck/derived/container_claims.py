"""What the container readers of r15 write on ``host.container_gpus``, as details the rules read.

* The NVIDIA driver capabilities a container asks for leave out ``compute``
  (``explain/parsers/container_capabilities.py``): the NVIDIA Container Toolkit mounts the driver's
  libraries by capability, libcuda only with ``compute`` (or ``all``;
  https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html#driver-capabilities),
  so nvidia-smi works in such a container and CUDA finds no driver. Read from a compose device
  reservation's ``capabilities`` or an ``NVIDIA_DRIVER_CAPABILITIES`` setting (a tool's format), or
  from a person tracing the failure to that capability (stated).
* The engine's configuration for the NVIDIA runtime told as the fix ("changing default_runtime_name
  to nvidia fixed the problem", "nvidia-ctk runtime configure … that solved it";
  ``explain/parsers/container_runtime_prose.py``): the engine had not been set up for the toolkit.
"""

from __future__ import annotations

from typing import Iterable

from envcheck.derived.messages import STATED_DETAIL
from envcheck.derived.runtime_claims import RUNTIME_MISSING_DETAIL
from envcheck.reading import Reading

# The driver capabilities the toolkit knows (nvidia-container-toolkit's NVIDIA_DRIVER_CAPABILITIES;
# moby's daemon/nvidia_linux.go passes the ones a device request names, "gpu" aside).
DRIVER_CAPABILITIES = frozenset({"compute", "compat32", "graphics", "utility", "video", "display", "ngx", "all"})

NO_COMPUTE_DETAIL = "the container's NVIDIA driver capabilities leave out compute (no libcuda inside)"
NO_COMPUTE_SAID_DETAIL = f"{STATED_DETAIL}: {NO_COMPUTE_DETAIL}: the text traces the failure to the driver capability"
RUNTIME_CONFIGURED_DETAIL = f"{RUNTIME_MISSING_DETAIL}: configuring the engine for the NVIDIA runtime fixed the run"


def lacks_compute(capabilities: Iterable[str]) -> bool:
    """Do these requested capabilities name driver capabilities, and none of them compute (or all)?
    Only "gpu" (a device request's own word) or nothing named: the toolkit's default (utility, compute)."""
    named = {c.strip().lower() for c in capabilities} & DRIVER_CAPABILITIES
    return bool(named) and not named & {"compute", "all"}


def no_compute(reading: Reading) -> bool:
    """``host.container_gpus`` as one of the readers above left it: the capabilities leave out compute."""
    d = str(reading.detail or "")
    return reading.ok and (d.startswith(NO_COMPUTE_DETAIL) or d.startswith(NO_COMPUTE_SAID_DETAIL))
