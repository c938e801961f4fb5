"""A container that gets no GPU on a host whose other containers do.

The person says other containers on the same host use the GPU (``derived/others_get_gpu``) and that
this one does not (their sentence that the GPU is not found, ``derived/others_get_gpu.NO_GPU_HERE``;
torch's ``is_available()`` False; or a program's "no GPU" message): the host's driver and NVIDIA Container Toolkit work, and
the GPU is requested per container (``--gpus``, ``runtime: nvidia``, a compose device reservation,
a pod's nvidia.com/gpu), so this container's start asked for none: container_missing_gpus_flag,
likely.

Silent where the start shown did ask for a GPU (a run command's ``--gpus``, a compose
``runtime: nvidia``: the cause is then in the image), where the text says so already
(``hosting.container_said_without_gpus``), where a message names another cause, where torch in the
image is a CPU build, and where no NVIDIA GPU is on the bus or the Kubernetes node advertises none.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.container_claims import no_compute
from envcheck.derived.machine import in_container
from envcheck.derived.messages import is_stated
from envcheck.derived.node_gpus import node_without_gpus
from envcheck.derived.others_get_gpu import no_gpu_here, others_get_gpu
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Messages that name another cause of no GPU in a container: the toolkit failing at start, a runtime
# missing, a node without GPUs (OTHER_CONTAINER_CAUSES, which hosting's rules read too), and beyond
# those, NVML's unknown error of a reload or a driver in the image and an old driver.
OTHER_CONTAINER_CAUSES = frozenset({"nvml_unknown_error", "nvml_driver_library_mismatch",
                                    "nvidia_container_cli_init_error", "nvidia_container_cli_load_library",
                                    "nvidia_container_cli_requirement", "nvidia_container_cli_mount_error",
                                    "docker_no_gpu_driver", "docker_unknown_runtime", "cdi_device_unresolvable",
                                    "container_runtime_binary_not_found", "containerd_runtime_not_configured"})
_OTHER_CAUSES = OTHER_CONTAINER_CAUSES | {"go_nvml_error_unknown", "pynvml_unknown_error", "cuda_system_driver_mismatch",
                                          "torch_driver_too_old", "cuda_insufficient_driver"}
# Upstream's words for "no GPU / no driver reachable here" (message catalogue ids).
_NO_GPU = frozenset({"torch_no_nvidia_driver", "cuda_no_device", "torch_no_cuda_gpus", "nvidia_smi_no_driver",
                     "loader_driver_library_missing", "ollama_no_compatible_gpus", "vllm_failed_infer_device",
                     "ollama_no_nvidia_devices_by_library", "vllm_cuda_platform_no_gpu"})


def container_others_get_gpu(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    others = others_get_gpu(f)
    if others is None or not in_container(f):
        return
    gpus = f.host.container_gpus
    if gpus.ok and (gpus.value == "none" or not no_compute(gpus)):
        return  # said without the GPU (its own rule), or the start asked for one: the cause is elsewhere
    if any(s.id in _OTHER_CAUSES for s in ctx.stated) or node_without_gpus(f) is not None:
        return
    if f.pci.devices.ok and not f.pci.gpus:
        return  # a tool read the bus and found no NVIDIA GPU
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return  # a CPU-only torch in the image explains it (its own finding)
    failing = no_gpu_here(f)
    said = next((s for s in ctx.stated if s.id in _NO_GPU), None)
    torch_false = f.torch.cuda_available.ok and f.torch.cuda_available.value is False
    if not (said is not None or torch_false or failing is not None):
        return
    ev = [("host.container", f.host.container.value), ("the text", others)]
    if said is not None:
        ev.append(("the message", said.match.text))
    elif failing is not None:
        ev.append(("the text", failing))
    yield make("container_missing_gpus_flag",
               "The text says other containers on this host use the GPU, and this one does not get it: the host's "
               "driver and NVIDIA Container Toolkit work, and the GPU is requested per container, so this one was "
               "started without a request (no `--gpus all`, no `runtime: nvidia` or device reservation in its compose "
               "service; NVIDIA_VISIBLE_DEVICES alone does nothing under Docker's default runtime). Add the request "
               "and recreate the container.", ev, confidence=Confidence.LIKELY)


def started_without_request_said(ctx: RuleContext) -> Iterator[Finding]:
    """The container's start shown in the text asks for no GPU (a ``docker run`` without ``--gpus``, a
    compose service without ``runtime: nvidia`` or a device reservation: ``explain/parsers/commands.py``)
    and the person says the GPU is not found or not used there ("Ollama in docker runs on the CPU only",
    "no GPU found"): container_missing_gpus_flag, likely (a daemon whose default runtime is nvidia would
    pass the GPU all the same). Silent where the text says it in its own words already (the stated claim's
    rule), names another cause, shows no NVIDIA GPU, or has torch as a CPU build."""
    f = ctx.facts
    gpus = f.host.container_gpus
    if not (gpus.ok and gpus.value == "none") or is_stated(gpus) or not in_container(f):
        return
    said = no_gpu_here(f)
    if said is None or f.has_nvidia_gpu is False:
        return
    if any(s.id in _OTHER_CAUSES for s in ctx.stated) or node_without_gpus(f) is not None:
        return
    if any(s.supports("container_missing_gpus_flag") for s in ctx.stated):
        return  # a program's own "no GPU" message has its rule (hosting.program_found_no_gpu_in_container)
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return
    yield make("container_missing_gpus_flag",
               "The container's start in the text asks for no GPU, and the text says the GPU is not found or not "
               "used there: the container was started without GPU access. Start it with `--gpus all` (compose: "
               "`runtime: nvidia` or a device reservation with driver: nvidia) on a host with the NVIDIA Container "
               "Toolkit.", [("host.container_gpus", gpus), ("the text", said)], confidence=Confidence.LIKELY)


RULES = (container_others_get_gpu, started_without_request_said)
