"""A container that asked for the GPU and got no driver files: the engine's NVIDIA runtime did not act.

The start shows a GPU request the NVIDIA Container Toolkit must answer with the host's driver
files (``derived/gpu_request_unmet.requested``: ``--gpus``, a CDI device, a pod's
``nvidia.com/gpu`` resource), and the runtime's own words say the container holds no
nvidia-smi (runc's / crun's "executable file not found", the NGC entrypoint's "driver was not
detected"). The request was made, so "start it with --gpus" is not the fix: the toolkit is not
installed, or the engine does not use it (containerd's or CRI-O's default runtime is runc and the
pod names no RuntimeClass; Podman has no CDI spec or hook; the runtime's config refuses the
request). nvidia_container_toolkit_missing, likely; the upstream guess "started without GPU
access" is ruled out for these messages (rules/upstream.py).

Silent without a request in the text, and where a message names another cause (a driver in the
image, a mismatch, the toolkit's own start error: its finding says more).
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.gpu_request_unmet import UNMET, requested
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Messages that name another cause of the same failure (messages.toml ids).
_OTHER = frozenset({"nvml_driver_library_mismatch", "nvidia_container_cli_init_error",
                    "nvidia_container_cli_load_library", "nvidia_container_cli_requirement",
                    "nvidia_container_cli_mount_error", "cuda_system_driver_mismatch"})


def request_not_answered(ctx: RuleContext) -> Iterator[Finding]:
    flag = requested(ctx.facts)
    if flag is None or any(s.id in _OTHER for s in ctx.stated):
        return
    said = next((s for s in ctx.stated if s.id in UNMET), None)
    if said is None:
        return
    pod = flag == "nvidia.com/gpu"
    engine = ("the node's container runtime (containerd or CRI-O) did not use the NVIDIA runtime for the pod: "
              "its default runtime is runc and the pod names no RuntimeClass nvidia, or the toolkit is not "
              "installed or configured on the node") if pod else (
             "the engine's NVIDIA runtime did not act for it: the NVIDIA Container Toolkit is not installed or "
             "the engine is not configured to use it (Docker's runtimes, Podman's CDI spec)")
    yield make("nvidia_container_toolkit_missing",
               f"The container asked for the GPU ({flag}) and still holds no nvidia-smi: {engine}. The GPU request "
               "was made, so the fix is on the host: install the toolkit, run `nvidia-ctk runtime configure` for "
               "this engine (Kubernetes: --set-as-default, or a RuntimeClass) and restart the engine.",
               [("host.container_gpus", ctx.facts.host.container_gpus), quote(said)], confidence=Confidence.LIKELY)


RULES = (request_not_answered,)
