"""A running container said to lose the GPU after a while, without NVML's error in the text.

The person's sentence (``derived/container_lost_said``): "the GPU disappears from my docker container
after a few days", "nvidia-smi stops working inside the container after some time", "containers lose
the GPU", 容器运行一段时间后 GPU 就不可用了. A container that had the GPU and loses it while it runs is the
known loss of its device access when systemd manages its cgroups and reloads (`systemctl daemon-reload`,
also run by package installs): NVIDIA/nvidia-container-toolkit#48. container_gpu_lost_after_daemon_reload,
likely. Silent where a message names another cause (a driver/library mismatch, a driver in the image,
the toolkit failing at start), and where the text already shows NVML's "Unknown Error" (the error's own
rule, ``failures.container_lost_gpus``, reads it).
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.container_lost_said import lost_said
from envcheck.rules.container_reload_repro import reload_loss
from envcheck.rules.engine import RuleContext
from envcheck.rules.finding import Finding

_OTHER = frozenset({"nvml_driver_library_mismatch", "cuda_system_driver_mismatch", "nvidia_container_cli_init_error",
                    "nvidia_container_cli_mount_error", "nvml_unknown_error", "torch_driver_too_old",
                    "cuda_insufficient_driver", "nvrm_fallen_off_bus", "nvml_gpu_lost"})


def container_lost_said(ctx: RuleContext) -> Iterator[Finding]:
    said = lost_said(ctx.facts)
    if said is None or any(s.id in _OTHER for s in ctx.stated):
        return
    yield reload_loss(ctx, lambda kind: f"The text says a running {kind} container lost the GPU it had: {said}.")


RULES = (container_lost_said,)
