"""A person's steps that reproduce a container losing the GPU at ``systemctl daemon-reload``.

The steps (``derived/container_reload``): the GPU used in a container, ``systemctl daemon-reload``
on the host, the GPU in the same container again. That is the known loss of a running container's
device access when systemd manages its cgroups (NVIDIA/nvidia-container-toolkit#48): the text's
own steps name the trigger, so container_gpu_lost_after_daemon_reload, likely, even where the
error itself (NVML's "Unknown Error") was left to the title. Silent where a message names another
cause (a driver/library mismatch, a driver installed in the container).
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.container_reload import reload_repro
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_OTHER = frozenset({"nvml_driver_library_mismatch", "cuda_system_driver_mismatch", "nvidia_container_cli_init_error"})


def reload_reproduced(ctx: RuleContext) -> Iterator[Finding]:
    step = reload_repro(ctx.facts)
    if step is None or any(s.id in _OTHER for s in ctx.stated):
        return
    c = ctx.facts.host.container
    kind = c.value if c.ok and c.value not in (None, "none") else "docker"
    yield make("container_gpu_lost_after_daemon_reload",
               f"The text's own steps use the GPU in a {kind} container, reload systemd on the host and use it again: "
               f"{step}. With systemd managing the containers' cgroups, `systemctl daemon-reload` takes a running "
               "container's access to /dev/nvidia* away (nvidia-smi then fails inside with 'Failed to initialize "
               "NVML: Unknown Error') while the host is fine. Recreate the container; NVIDIA's workaround is the "
               "/dev/char symlinks (`nvidia-ctk system create-dev-char-symlinks --create-all`) or the cgroupfs "
               "driver.", [("host.container", c)], confidence=Confidence.LIKELY,
               links=("https://github.com/NVIDIA/nvidia-container-toolkit/issues/48",))


RULES = (reload_reproduced,)
