"""A person's steps that reproduce a container losing the GPU at ``systemctl daemon-reload``.

The steps (``derived/container_reload``): the GPU used in a container, ``systemctl daemon-reload``
on the host, the GPU in the same container again. That is the known loss of a running container's
device access when systemd manages its cgroups (NVIDIA/nvidia-container-toolkit#48): the text's
own steps name the trigger, so container_gpu_lost_after_daemon_reload, likely, even where the
error itself (NVML's "Unknown Error") was left to the title. Silent where a message names another
cause (a driver/library mismatch, a driver installed in the container).
"""

from __future__ import annotations

from typing import Callable, Iterator

from envcheck.derived.container_reload import reload_repro
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_OTHER = frozenset({"nvml_driver_library_mismatch", "cuda_system_driver_mismatch", "nvidia_container_cli_init_error"})


def reload_reproduced(ctx: RuleContext) -> Iterator[Finding]:
    step = reload_repro(ctx.facts)
    if step is None or any(s.id in _OTHER for s in ctx.stated):
        return
    yield reload_loss(ctx, lambda kind: f"The text's own steps use the GPU in a {kind} container, reload systemd "
                                        f"on the host and use it again: {step}.")


def reload_loss(ctx: RuleContext, told: Callable[[str], str]) -> Finding:
    """container_gpu_lost_after_daemon_reload after what the text tells (``told(kind)``, the
    container's kind given), with what the reload does and its fix (NVIDIA/nvidia-container-toolkit#48)."""
    c = ctx.facts.host.container
    kind = c.value if c.ok and c.value not in (None, "none") else "docker"
    return make("container_gpu_lost_after_daemon_reload",
                f"{told(kind)} With systemd managing the containers' cgroups, `systemctl daemon-reload` "
                "on the host (run by hand or by package installs) takes a running container's access to /dev/nvidia* "
                "away: nvidia-smi then fails inside with 'Failed to initialize NVML: Unknown Error' while the host is "
                "fine. Recreate the container; NVIDIA's workarounds are the /dev/char symlinks (`nvidia-ctk system "
                "create-dev-char-symlinks --create-all`) or Docker's cgroupfs driver.", [("host.container", c)],
                confidence=Confidence.LIKELY, links=("https://github.com/NVIDIA/nvidia-container-toolkit/issues/48",))


RULES = (reload_reproduced,)
