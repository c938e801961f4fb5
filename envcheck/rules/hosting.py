"""Where the machine runs: in a container, under WSL (on an NVSwitch board: ``fabric``).

Each rule reads facts only and stays silent when the facts it needs are ``unknown``. The
machine's own GPUs, driver and kernel module are ``platform``'s; how CUDA or NVML failed
inside a container is ``failures``'.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Tuple

from envcheck.derived.container_claims import RUNTIME_CONFIGURED_DETAIL, no_compute
from envcheck.derived.gpu_request_unmet import requested
from envcheck.derived.image_driver_denied import image_driver_denied
from envcheck.derived.machine import in_container
from envcheck.derived.messages import is_stated
from envcheck.derived.node_gpus import node_without_gpus
from envcheck.derived.runtime_claims import (
    RUNTIME_LISTED_DETAIL,
    TOOLKIT_ABSENT_DETAIL,
    TOOLKIT_FIXED_DETAIL,
    said_unknown,
)
from envcheck.derived.runtime_said import runtime_said
from envcheck.knowledge.archs import version_at_least
from envcheck.reading import Status
from envcheck.rules import container_driver_said, container_lost_said, container_others, wsl_linux_driver, wsl_windows
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.fabric import fabric_manager_not_running
from envcheck.rules.finding import Confidence, Finding, Severity


# --------------------------------------------------------------------------- containers and WSL
def container_missing_gpus_flag(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    c = f.host.container
    # GPUs a tool listed were seen where it ran; GPUs only named in prose ("My GPU is an RTX 3090")
    # are the machine's, and say nothing about whether the container got them.
    if not (c.ok and c.value and c.value != "none") or any(not is_stated(g.name) for g in f.gpus):
        return
    # A container sees the host's PCI bus in sysfs: when it was read and holds no NVIDIA GPU,
    # the host has none to pass in, and "start it with --gpus" would be wrong advice; nor where
    # the start asked for the GPU (the runtime did not act: rules/container_request_unmet.py).
    if f.pci.devices.ok and not f.pci.gpus or requested(f) is not None:
        return
    # Nor on a Kubernetes node that advertises no nvidia.com/gpu: the pod could not get one however it asked.
    if node_without_gpus(f) is not None:
        return
    # The readings themselves, not their values: a container or a missing nvidia-smi a person
    # only told of makes the finding likely (engine.make), not confirmed.
    ev: List[Tuple[str, object]] = [("host.container", c)]
    if f.pci.gpus:
        ev.append(("pci.devices", ", ".join(f"{d.address} [10de:{d.device_id:04x}]" for d in f.pci.gpus)))
    nodes = f.driver.device_nodes
    if nodes.ok and not is_stated(nodes) and not any(n.exists and re.fullmatch(r"/dev/nvidia\d+", n.path) for n in nodes.value):
        ev.append(("driver.device_nodes", "no /dev/nvidia<N> in the container"))
    if f.nvml.init_error == "library_not_found":
        ev.append(("nvml.init_error", "library_not_found (libnvidia-ml.so is not in the container)"))
    if f.driver.nvidia_smi_path.status is Status.NOT_FOUND:
        ev.append(("driver.nvidia_smi_path", f.driver.nvidia_smi_path))
    if len(ev) == 1:
        return
    yield make("container_missing_gpus_flag",
               f"This is a {c.value} container and no NVIDIA GPU was passed into it (no GPU device nodes or no "
               "driver library inside). The host's driver is shared with containers only when the container is "
               "started with GPU access through the NVIDIA Container Toolkit; do not install a driver in the image.",
               ev)


# Other causes of "no GPU in the container" that a message in the text names: the devices
# lost after a daemon reload, a driver in the image, the toolkit failing at start (its own
# error), an image needing a newer driver, the host's engine without the NVIDIA runtime.
_OTHER_CONTAINER_CAUSES = container_others.OTHER_CONTAINER_CAUSES


def container_said_without_gpus(ctx: RuleContext) -> Iterator[Finding]:
    """A person says the container was started without the GPU ("I forgot --gpus all", "the
    service has no NVIDIA device reservation") or that it does not get one ("the container
    can't see the GPU"): likely, unless the text names another cause or shows no GPU."""
    f = ctx.facts
    gpus = f.host.container_gpus
    if not (gpus.ok and gpus.value == "none" and is_stated(gpus)):
        return
    if f.has_nvidia_gpu is False and not is_stated(f.pci.devices):
        return  # a tool read the bus and found no NVIDIA GPU: nothing to pass in (a person's "no GPU"
        # said of the container is the symptom itself)
    if any(s.id in _OTHER_CONTAINER_CAUSES for s in ctx.stated) or node_without_gpus(f) is not None:
        return  # another cause named, or a node advertising no nvidia.com/gpu: no start flag gives one
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return  # a CPU-only torch in the image is its own finding, and enough to explain it
    yield make("container_missing_gpus_flag",
               "The text says the container does not get the GPU: it was started without GPU access (no --gpus / "
               "NVIDIA runtime / CDI device, no device reservation in the compose file, no nvidia.com/gpu in the pod "
               "spec), or the host's NVIDIA Container Toolkit is missing or not configured for this runtime. Start it "
               "with `--gpus all` (compose: deploy.resources.reservations.devices with driver: nvidia) on a host "
               "with the toolkit; do not install a driver in the image.",
               [("host.container_gpus", gpus)], confidence=Confidence.LIKELY)


def runtime_unknown_said(ctx: RuleContext) -> Iterator[Finding]:
    """A person says the container engine does not know the nvidia runtime (Docker's "Unknown runtime
    specified nvidia" retold) or that the NVIDIA Container Toolkit is not installed on the host (or that
    installing it fixed the run), or docker info lists no nvidia runtime where the run asks for it.
    Silent where the engine's own message is in the text (upstream's finding says it, confirmed)."""
    gpus = ctx.facts.host.container_gpus
    # the person's word survives a run command that took the fact ("docker run --gpus all … fails. Turns out
    # I was missing the toolkit": the start asked, the engine could not answer; derived/runtime_said)
    note = None if said_unknown(gpus) else runtime_said(ctx.facts)
    if not said_unknown(gpus) and note is None or any(
            s.supports("nvidia_container_toolkit_missing", "decisive") for s in ctx.stated):
        return
    detail = str(gpus.detail) if note is None else note
    what = ("the NVIDIA Container Toolkit is not installed on the host" if detail.startswith(TOOLKIT_ABSENT_DETAIL)
            else "installing the NVIDIA Container Toolkit fixed the run" if detail.startswith(TOOLKIT_FIXED_DETAIL)
            else "docker info lists no nvidia runtime while the run asks for it" if detail.startswith(RUNTIME_LISTED_DETAIL)
            else "configuring the engine for the NVIDIA runtime fixed the run" if detail.startswith(RUNTIME_CONFIGURED_DETAIL)
            else "the container engine does not know the nvidia runtime")
    yield make("nvidia_container_toolkit_missing",
               f"The text shows {what}: without the toolkit registered with the engine (daemon.json's 'runtimes', "
               "and the daemon restarted after) no container gets the host's GPU or driver. Install the NVIDIA "
               "Container Toolkit, register it with `nvidia-ctk runtime configure` and restart the engine.",
               [("host.container_gpus", gpus) if note is None else ("the text", note)], confidence=Confidence.LIKELY)


# CUDA finding no driver, libcuda or device: what a container without the compute capability shows.
_NO_CUDA_DRIVER = ("torch_no_nvidia_driver", "cuda_no_device", "loader_driver_library_missing", "torch_no_cuda_gpus",
                   "cuda_insufficient_driver", "bnb_libcuda_not_found", "ggml_init_cublas_no_devices",
                   "vllm_cuda_platform_no_gpu", "ollama_no_nvidia_devices_by_library")


def container_without_compute(ctx: RuleContext) -> Iterator[Finding]:
    """The container asks for NVIDIA driver capabilities without ``compute`` (a compose reservation's
    ``capabilities: [gpu, utility]``, ``NVIDIA_DRIVER_CAPABILITIES=utility``; ``container_capabilities``)
    and CUDA fails in it, or a person traces the failure to that capability: libcuda is not mounted.
    Silent where CUDA is not shown failing (a video-only or NVML-only container needs no compute) or a
    message names another cause."""
    f = ctx.facts
    gpus = f.host.container_gpus
    if not no_compute(gpus) or any(s.id in _OTHER_CONTAINER_CAUSES for s in ctx.stated):
        return
    ev: List[Tuple[str, object]] = [("host.container_gpus", gpus)]
    if not is_stated(gpus):
        said = next((s for s in ctx.stated if s.id in _NO_CUDA_DRIVER), None)
        if said is not None:
            ev.append(quote(said))
        elif f.torch.cuda_available.ok and f.torch.cuda_available.value is False:
            ev.append(("torch.cuda_available", f.torch.cuda_available))
        else:
            return  # NVML alone serves a monitoring container: only CUDA failing shows compute missed
    yield make("container_missing_gpus_flag",
               "The container is given the GPU without the 'compute' driver capability, so the NVIDIA Container "
               "Toolkit mounts nvidia-smi and NVML but not libcuda: nvidia-smi works inside, CUDA finds no driver. "
               "Ask for compute (NVIDIA_DRIVER_CAPABILITIES=compute,utility, or all), or in a compose reservation "
               "name only `capabilities: [gpu]`.", ev, confidence=Confidence.LIKELY,
               links=("https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/"
                      "docker-specialized.html#driver-capabilities",))


def container_nvml_unknown(ctx: RuleContext) -> Iterator[Finding]:
    """NVML's "unknown error" as its Go bindings (the Kubernetes device plugin) or pynvml
    name it, in a container: the same loss of the devices as nvidia-smi's "Unknown Error"
    (``failures.container_lost_gpus``)."""
    c = ctx.facts.host.container
    said = next((s for s in ctx.stated if s.id in ("go_nvml_error_unknown", "pynvml_unknown_error")), None)
    if said is None or not in_container(ctx.facts):
        return
    yield make("container_gpu_lost_after_daemon_reload",
               f"NVML fails with its “unknown error” inside this {c.value} container: the container may no longer "
               "open /dev/nvidia*. With the systemd cgroup driver that is what `systemctl daemon-reload` on the host "
               "(also run by package updates) does to running containers. Restart the container (pod), and make the "
               "fix permanent on the host.",
               [("host.container", c.value), quote(said)], confidence=Confidence.LIKELY,
               links=("https://github.com/NVIDIA/nvidia-container-toolkit/issues/48",))


def driver_files_in_the_image(ctx: RuleContext) -> Iterator[Finding]:
    """The container toolkit mounts the host driver's files into the container; "file creation
    failed: …/libnvidia-ml.so.1: file exists" says the image already holds a driver library
    of that name (a driver installed in the image, or its libraries copied in)."""
    for s in ctx.stated:
        detail = str(s.fact("detail") or "") if s.id == "nvidia_container_cli_mount_error" else ""
        # Any of the driver's files the toolkit mounts: its libraries, nvidia-smi and the other
        # binaries (nvidia-debugdump, nvidia-persistenced, nvidia-cuda-mps-*), firmware.
        m = re.search(r"file creation failed: \S*?/(?P<lib>lib(?:nvidia-[\w-]+|cuda)\.so[\w.]*|nvidia-(?:smi|debugdump|"
                      r"persistenced|cuda-mps-\w+)|gsp_\w+\.bin): file exists", detail)
        if m:
            yield make("driver_installed_inside_container",
                       f"The NVIDIA container toolkit could not mount the host driver's {m.group('lib')} into the "
                       "container because the image already has a file of that name: the image carries NVIDIA "
                       "driver libraries of its own. Remove the driver from the image (the host's is injected).",
                       [("container.mount_error", s.match.text)])
            return


def driver_mismatch_said_in_container(ctx: RuleContext) -> Iterator[Finding]:
    """CUDA's error 803 ("system has unsupported display driver / cuda driver combination": the
    user-space libcuda and the kernel module differ) inside a container. The toolkit injects the
    host driver's own libcuda, which matches its module; another one is the image's. As with
    NVML's mismatch (``versions.driver_installed_inside_container``), a container still holding
    the libraries of a driver the host has since replaced fails the same way: likely."""
    c = ctx.facts.host.container
    said = next((s for s in ctx.stated if s.id == "cuda_system_driver_mismatch"), None)
    # the text says no driver goes into the image: the other cause (a host driver replaced since) is left;
    # nvidia-container-cli's hook runs on the host, with the host's libcuda (rules/driver_versions.py)
    if said is None or not in_container(ctx.facts) or image_driver_denied(ctx.facts) is not None \
            or "nvidia-container-cli" in said.text:
        return
    yield make("driver_installed_inside_container",
               f"CUDA finds the user-space driver library and the kernel module of different versions inside this "
               f"{c.value} container. The NVIDIA container toolkit injects the host's libcuda, of the host module's "
               "version; a different one comes from the image (driver packages, a driver .run, copied libraries). "
               "Remove them from the image; if the host's driver was upgraded since the container started, "
               "restart the container (or reboot the host).",
               [("host.container", c.value), quote(said)], confidence=Confidence.LIKELY)


def driver_in_the_image_shown(ctx: RuleContext) -> Iterator[Finding]:
    """nvidia-smi at a container's prompt reaching no driver: the toolkit mounts nvidia-smi only
    together with the device nodes, so this one is the image's own, in a container started
    without GPU access. Likely: a host driver unloaded after the container started fails the
    same way. (A Dockerfile installing the driver is container_prose's reading.)"""
    f = ctx.facts
    if f.has_nvidia_gpu is False and not is_stated(f.pci.devices):
        return  # a tool read the bus and found no NVIDIA GPU: nothing for any driver to reach
    prompt = next((s for s in ctx.stated if s.id == "nvidia_smi_no_driver_at_container_prompt"), None)
    if prompt is None:
        return
    yield make("driver_installed_inside_container",
               "nvidia-smi runs inside this container but reaches no driver. The NVIDIA Container Toolkit "
               "mounts the host's nvidia-smi together with its libraries and /dev/nvidia* nodes, so this "
               "nvidia-smi came with the image (driver packages or a driver .run installed in it), and the "
               "container was started without GPU access. Remove the driver from the image and start the "
               "container with `--gpus all` on a host with the toolkit. (If the host's driver was reinstalled "
               "since the container started, restart the container instead.)",
               [quote(prompt)], confidence=Confidence.LIKELY)


def older_libcuda_in_container(ctx: RuleContext) -> Iterator[Finding]:
    """torch in a container finds a driver older than the one nvidia-smi reports: "The NVIDIA
    driver on your system is too old (found version 11040)" beside a driver 550 header. The
    toolkit injects the host's libcuda, of the host driver's version; the libcuda torch loaded
    is another one, in the image (driver packages, a driver .run, copied libraries, a path to
    them in LD_LIBRARY_PATH). Likely: the nvidia-smi shown may be another machine's."""
    f = ctx.facts
    if not in_container(f):
        return
    said = next((s for s in ctx.stated if s.id == "torch_driver_too_old"), None)
    drv = f.nvml.driver_version
    if said is None or not (drv.ok and drv.value) or is_stated(drv):
        return
    found = str(said.fact("nvml.cuda_driver_version") or "")
    runs = ctx.kb.max_cuda_for_driver(str(drv.value))
    if not found or not runs or version_at_least(found, runs):
        return  # torch found the driver nvidia-smi shows: it is too old indeed (compat's rule)
    yield make("driver_installed_inside_container",
               f"torch in this {f.host.container.value} container finds a driver that runs CUDA {found} at most, but "
               f"nvidia-smi reports driver {drv.value} (CUDA {runs}). The NVIDIA Container Toolkit injects the host "
               "driver's own libcuda, so the libcuda torch loaded is another one from the image (driver packages, a "
               "driver .run, copied libraries, or LD_LIBRARY_PATH pointing at them). Remove it from the image "
               "(`ldconfig -p | grep libcuda` shows which), rather than changing the host's driver.",
               [("host.container", f.host.container.value), ("nvml.driver_version", drv), quote(said)],
               confidence=Confidence.LIKELY)


# Programs that looked for a GPU and found none, in their own words (catalogue ids): Ollama's
# discovery, vLLM's platform detection.
_FOUND_NO_GPU = ("ollama_no_compatible_gpus", "vllm_failed_infer_device")


def program_found_no_gpu_in_container(ctx: RuleContext) -> Iterator[Finding]:
    """A program in a container found no GPU, and the container's start (its run command or
    spec) asked for none, or the text shows an NVIDIA GPU on the host: the container was not
    given it. Silent where the start asked for a GPU (another cause) or no NVIDIA GPU is shown
    (a Mac's Docker, a CPU server), and where a message names another cause."""
    f = ctx.facts
    said = next((s for s in ctx.stated if s.id in _FOUND_NO_GPU), None)
    if said is None or not in_container(f) or any(s.id in _OTHER_CONTAINER_CAUSES for s in ctx.stated):
        return
    if f.pci.devices.ok and not f.pci.gpus or node_without_gpus(f) is not None:
        return  # no NVIDIA GPU on the bus, or a Kubernetes node advertising none: nothing a start flag could pass
    gpus = f.host.container_gpus
    if gpus.ok and gpus.value != "none":
        return  # the start asked for the GPU: not this cause
    if not (gpus.ok or f.has_nvidia_gpu is True):
        return
    ev = [("host.container", f.host.container.value), quote(said)]
    if gpus.ok:
        ev.insert(1, ("host.container_gpus", gpus))
    yield make("container_missing_gpus_flag",
               f"{said.message.origin.project} found no GPU inside this container, and "
               + ("its start asked for none" if gpus.ok else "the host has an NVIDIA GPU")
               + ": the container was started without GPU access. Start it with `--gpus all` (compose: a device "
               "reservation with driver: nvidia; Kubernetes: an nvidia.com/gpu limit) on a host with the NVIDIA "
               "Container Toolkit.", ev, confidence=Confidence.LIKELY)


# Upstream's words for "no driver reachable here" (message catalogue ids).
_NO_DRIVER = ("torch_no_nvidia_driver", "cuda_no_device", "nvidia_smi_no_driver", "nvml_driver_not_loaded",
              "loader_driver_library_missing")


def wsl1_no_gpu_support(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    w = f.host.wsl
    if not w.ok or w.value not in ("wsl1", "wsl"):
        return
    if w.value == "wsl1":
        yield make("wsl1_no_gpu_support",
                   "This Linux runs under WSL 1, which has no GPU access at all; CUDA works only under WSL 2.",
                   [("host.wsl", "wsl1")], confidence=Confidence.LIKELY if is_stated(w) else Confidence.CONFIRMED)
        return
    texts = [s.match.text for s in ctx.stated if s.id in _NO_DRIVER]
    smi = f.driver.nvidia_smi_path
    # Under WSL 2 the driver is Windows' and nvidia-smi answers from /usr/lib/wsl; a Linux that
    # cannot reach any driver is WSL 1 (or a Windows driver too old for WSL 2).
    no_driver = f.nvml.init_error in ("library_not_found", "driver_not_loaded") or bool(texts) or (
        smi.known and not smi.ok)
    # A GPU the driver reports (NVML up) disproves "no GPU support"; a GPU merely named in a
    # paste's prose ("Have a RTX3090") says nothing about whether the driver reaches it.
    if (f.nvml.init.ok and f.gpus) or not no_driver:
        return
    # Windows' own banner showing a build that runs WSL 2 without GPU support explains a missing
    # driver under either WSL version (wsl_windows' finding): "maybe WSL 1" would be a guess beside
    # it. (A build older than WSL 2 itself leaves WSL 1 the only WSL: the finding stays.)
    if wsl_windows.wsl2_without_gpu_build(ctx) is not None:
        return
    ev = [("host.wsl", "WSL, version not confirmed")] + [("torch.errors", t) for t in texts[:1]]
    if f.nvml.init_error == "library_not_found":
        ev.append(("nvml.init_error", "library_not_found"))
    yield make("wsl1_no_gpu_support",
               "This Linux runs under WSL and no NVIDIA driver is visible. Under WSL 1 there is no GPU support at "
               "all, and WSL 1 is a common reason for “Found no NVIDIA driver”: check the version with "
               "`wsl -l -v` in Windows (the VERSION column must say 2).", ev, severity=Severity.WARNING)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    driver_files_in_the_image,
    driver_in_the_image_shown,
    older_libcuda_in_container,
    driver_mismatch_said_in_container,
    program_found_no_gpu_in_container,
    container_missing_gpus_flag,
    container_said_without_gpus,
    container_without_compute,
    runtime_unknown_said,
    container_nvml_unknown,
    *container_driver_said.RULES,
    *container_others.RULES,
    *container_lost_said.RULES,
    *wsl_linux_driver.RULES,
    wsl1_no_gpu_support,
    fabric_manager_not_running,
)
