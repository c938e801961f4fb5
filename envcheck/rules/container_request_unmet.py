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
image, a mismatch, the toolkit's own start error: its finding says more). Silent too on WSL where
the only such words are the NGC banner from an entrypoint whose driver check predates WSL 2: the
images' nvidia_entrypoint.sh up to about 2022 tests ``ls /dev/nvidiactl`` (and libcuda.so.1 under
/usr), a node WSL 2 never has (its GPU is /dev/dxg), so it prints "The NVIDIA Driver was not
detected" in a container whose GPU works (NVIDIA/nvidia-docker#1548). The later check
(/opt/nvidia/entrypoint.d/50-gpu-driver-check.sh, ``ls /dev/nvidiactl /dev/dxg /dev/nvgpu``)
knows WSL 2 and ends its banner "Use the NVIDIA Container Toolkit to start this container with GPU
support": that banner still counts there.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.gpu_request_unmet import UNMET, requested
from envcheck.rules.compat import quote
from envcheck.rules.device_nodes import on_wsl
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Messages that name another cause of the same failure (messages.toml ids).
_OTHER = frozenset({"nvml_driver_library_mismatch", "nvidia_container_cli_init_error",
                    "nvidia_container_cli_load_library", "nvidia_container_cli_requirement",
                    "nvidia_container_cli_mount_error", "cuda_system_driver_mismatch"})
# The NGC entrypoint's banner (messages.toml ids), and the end only its WSL-aware check prints.
_NGC_BANNER = frozenset({"ngc_driver_not_detected", "ngc_driver_not_detected_tail"})
_WSL_AWARE_TAIL = "start this container with GPU support"


def _banner_blind_to_wsl(ctx: RuleContext, unmet) -> bool:
    """On WSL, the only words of an unmet request are the NGC banner of a check that knows no
    /dev/dxg (its older tail, or no tail to tell): no evidence the GPU is missing there."""
    return (on_wsl(ctx.facts) and all(s.id in _NGC_BANNER for s in unmet)
            and not any(_WSL_AWARE_TAIL in s.match.text for s in unmet))


def request_not_answered(ctx: RuleContext) -> Iterator[Finding]:
    flag = requested(ctx.facts)
    if flag is None or any(s.id in _OTHER for s in ctx.stated):
        return
    unmet = [s for s in ctx.stated if s.id in UNMET]
    if not unmet or _banner_blind_to_wsl(ctx, unmet):
        return
    said = unmet[0]
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
