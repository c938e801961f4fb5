"""Findings read from how CUDA or NVML failed, where the facts alone say nothing.

A failure message narrows the cause; the facts around it pick it. Each rule names the
pattern it relies on and is "likely" unless the evidence is a tool's own reading:

* in a container, "no driver" / "no device" / libcuda missing: the container got no GPU;
* in a container, "Failed to initialize NVML: Unknown Error" (NVML itself reached the
  driver files): the known systemd daemon-reload loss of the devices
  (https://github.com/NVIDIA/nvidia-container-toolkit/issues/48);
* "CUDA unknown error" at CUDA's start, no CUDA_VISIBLE_DEVICES in play, the driver not
  known unreachable: with nvidia-uvm loaded, or a suspend said to come before it, nvidia-uvm
  left broken by the suspend (https://github.com/pop-os/default-settings/pull/64); with
  nothing known about the modules, nvidia-uvm not loaded (no /dev/nvidia-uvm), the classic
  cause (CUDA needs it, nvidia-smi does not);
* a container started without GPU options (``docker run`` with no --gpus, NVIDIA runtime or
  device) and GPUs failing in it (or in the output shown after that start, where a paste holds
  several starts): the container got no GPU;
* nvidia-smi unable to open one GPU ("Unknown Error") while it reached the driver: that GPU
  is gone (fallen off the bus, Xid 79);
* /dev/nvidia-uvm said missing by a program or a person ("lstat /dev/nvidia-uvm: no such file",
  "nvidia-modprobe -u fixed it") where no listing shows the other nodes: nvidia-uvm is not
  loaded, unless the NVIDIA module itself is known missing (another finding's cause).
"""

from __future__ import annotations

from typing import Iterator, List, Tuple

from envcheck.derived.container_start import failed_in_it
from envcheck.derived.messages import is_stated
from envcheck.derived.node_gpus import node_without_gpus
from envcheck.reading import Status
from envcheck.rules.compat import quote
from envcheck.rules.container_driver_said import installed_without_gpus
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

_NO_GPU_INSIDE = ("torch_no_nvidia_driver", "cuda_no_device", "loader_driver_library_missing", "torch_no_cuda_gpus",
                  "nvml_library_not_found", "nvidia_smi_library_not_found", "tf_no_dev_nvidia0")
# LLM servers' words that a container without the GPU prints, but also a toolkit newer than the
# driver (ggml's own note), a library search that missed, a GPU too old: read only where no driver
# or GPU shows in the container, like cuda_insufficient_driver.
_NO_GPU_INSIDE_WEAK = ("ollama_no_nvidia_devices_by_library", "bnb_libcuda_not_found", "vllm_cuda_platform_no_gpu",
                       "vllm_unspecified_platform", "ollama_total_vram_zero", "ggml_init_cublas_no_devices")
# CUDA's "unknown error" (cudaErrorUnknown / CUDA_ERROR_UNKNOWN, 999; 30 before CUDA 10.1) at its
# start, in every program's words: torch's, the runtime's, llama.cpp's, ollama's GPU discovery,
# ONNX Runtime's provider, PyCUDA's cuInit, a person's own cuInit call or sentence giving 999;
# torch's cudaGetDeviceCount carries the code.
_UNKNOWN_AT_START = ("torch_cuda_unknown_error", "cuda_unknown_error", "torch_cuda_unknown_error_bare",
                     "ggml_cuda_unknown_error", "ollama_cuinit_unknown", "ort_cuda_failure_unknown",
                     "pycuda_cuinit_unknown", "cuda_999_retold")


def unknown_at_start(s) -> bool:
    return s.id in _UNKNOWN_AT_START or (s.id == "torch_device_count_failed"
                                         and str(s.fact("cuda.error_code")) in ("999", "30"))


def on_wsl(ctx: RuleContext) -> bool:
    """WSL (1 or 2): the Linux side has no nvidia or nvidia_uvm module (WSL 2 reaches the GPU
    through /dev/dxg and the Windows driver), so nothing there is "nvidia_uvm not loaded"."""
    w = ctx.facts.host.wsl
    return w.ok and w.value not in (None, "none")


def _container(ctx: RuleContext):
    c = ctx.facts.host.container
    return c.value if c.ok and c.value not in (None, "none") else None


def container_without_gpu_access(ctx: RuleContext) -> Iterator[Finding]:
    kind = _container(ctx)
    said = [s for s in ctx.stated if s.id in _NO_GPU_INSIDE]
    drv = ctx.facts.nvml.driver_version
    if not said and not (drv.ok and drv.value) and not ctx.facts.gpus:
        # CUDA's runtime reports cudaErrorInsufficientDriver (35) also when it cannot load libcuda
        # at all, and the LLM servers' "no devices" lines have other causes: in a container where no
        # driver or GPU shows, a container that got no GPU is the likelier cause.
        said = [s for s in ctx.stated if s.id in _NO_GPU_INSIDE_WEAK + ("cuda_insufficient_driver",)]
    # A container sees the host's PCI bus: none there means no GPU to pass in (platform's rule too).
    if kind is None or not said or ctx.facts.has_nvidia_gpu is False or node_without_gpus(ctx.facts) is not None:
        return  # (a Kubernetes node advertising no nvidia.com/gpu: no start flag gives the pod one)
    # Docker's --gpus (without capabilities=) injects compute and utility: its run command asked for
    # the GPUs and libcuda, so the cause is elsewhere. --runtime=nvidia gives what the image's
    # NVIDIA_DRIVER_CAPABILITIES asks (utility alone when unset: nvidia-smi works, CUDA does not).
    gpus = str(ctx.facts.host.container_gpus.get("") or "")
    if gpus.startswith("--gpus") and "capabilities" not in gpus:
        return
    yield make("container_missing_gpus_flag",
               f"Inside this {kind} container CUDA finds no NVIDIA driver or device: the container was started "
               "without the GPUs (no --gpus / NVIDIA runtime / CDI device, or without the 'compute' driver "
               "capability, so libcuda is not injected). The host's driver reaches a container only through the "
               "NVIDIA Container Toolkit.",
               [("host.container", kind), quote(said[0])], confidence=Confidence.LIKELY)


def _gpu_failed(ctx: RuleContext) -> List[Tuple[str, object]]:
    """What says GPUs fail where the program ran: CUDA unavailable, no driver or device found,
    nvidia-smi missing, NVML's library missing."""
    f = ctx.facts
    ev: List[Tuple[str, object]] = []
    if f.torch.cuda_available.ok and f.torch.cuda_available.value is False:
        ev.append(("torch.cuda_available", f.torch.cuda_available))
    # after a start without GPU options any of these is the container's missing GPU
    said = [s for s in ctx.stated if s.id in _NO_GPU_INSIDE + _NO_GPU_INSIDE_WEAK]
    if said:
        ev.append(quote(said[0]))
    if f.driver.nvidia_smi_path.status is Status.NOT_FOUND:
        ev.append(("driver.nvidia_smi_path", f.driver.nvidia_smi_path))
    if f.nvml.init_error == "library_not_found":
        ev.append(("nvml.init_error", "library_not_found"))
    return ev


def container_started_without_gpus(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    gpus = f.host.container_gpus
    failed = _gpu_failed(ctx) if gpus.ok and gpus.value == "none" else []
    if not failed and gpus.ok and gpus.value == "none" and failed_in_it(gpus):
        # The start's own output shows the GPU failing in it (nvidia-smi reaching no driver
        # through hand-mounted driver files, the NGC entrypoint's "driver was not detected").
        failed = [("container start", str(gpus.detail))]
    # A container sees the host's PCI bus: none there means no GPU to pass in (platform's rule too).
    if not failed or ctx.facts.pci.devices.ok and not ctx.facts.pci.gpus or node_without_gpus(ctx.facts) is not None:
        return
    yield make("container_missing_gpus_flag",
               "The container was started without GPU access (its run command passes no --gpus, "
               "--runtime=nvidia or NVIDIA device), and the GPU fails inside it. The host's driver and GPUs "
               "reach a container only through the NVIDIA Container Toolkit: start it with --gpus all (Docker "
               "19.03+), or the nvidia runtime.",
               [("host.container_gpus", gpus)] + failed, confidence=Confidence.LIKELY)


def container_lost_gpus(ctx: RuleContext) -> Iterator[Finding]:
    kind = _container(ctx)
    said = next((s for s in ctx.stated if s.id == "nvml_unknown_error"), None)
    if kind is None or said is None or installed_without_gpus(ctx) is not None:
        return  # (a driver installed in a container never given the GPU: rules/container_driver_said.py)
    yield make("container_gpu_lost_after_daemon_reload",
               f"NVML fails with “Unknown Error” inside this {kind} container: it finds the driver's library but "
               "may not open /dev/nvidia*. With Docker's systemd cgroup driver that is what `systemctl "
               "daemon-reload` on the host (also run by package updates) does to running containers; the host's "
               "nvidia-smi keeps working. Restart the container, and make the fix permanent on the host.",
               [("host.container", kind), quote(said)], confidence=Confidence.LIKELY,
               links=("https://github.com/NVIDIA/nvidia-container-toolkit/issues/48",))


def uvm_stale_after_suspend(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    said = next((s for s in ctx.stated if unknown_at_start(s)), None)
    if said is None or "CUDA_VISIBLE_DEVICES" in f.env.variables.get({}) or on_wsl(ctx):
        return
    mods = f.driver.loaded_modules
    off = f.driver.modules_not_loaded.get(()) or ()
    if (mods.ok and "nvidia_uvm" not in (mods.value or ()) and not is_stated(mods)) or "nvidia_uvm" in off:
        return  # not loaded at all: nvidia_uvm_missing says so
    if (f.nvml.init.known and not f.nvml.init.ok) or "nvidia" in off:
        return  # the driver itself is unreachable: another finding's cause
    suspended = f.host.resumed_from_suspend
    uvm_loaded = mods.ok and "nvidia_uvm" in (mods.value or ())
    if not uvm_loaded and not (suspended.ok and suspended.value):
        yield make("nvidia_uvm_missing",
                   "CUDA fails at start with “unknown error” (cudaErrorUnknown: 999, 30 before CUDA 10.1). "
                   "The classic cause is the nvidia_uvm module not loaded, so /dev/nvidia-uvm does not exist: "
                   "CUDA needs it, nvidia-smi does not. If nvidia_uvm is loaded (`lsmod | grep nvidia_uvm`), a "
                   "suspend and resume can leave it broken instead: reloading it helps in both cases.",
                   [quote(said)] + evidence(("driver.loaded_modules", mods), ("nvml.init", f.nvml.init)),
                   confidence=Confidence.LIKELY)
        return
    yield make("nvidia_uvm_stale_after_suspend",
               "CUDA fails at start with “unknown error” (cudaErrorUnknown, 999) although the driver answers. "
               "The usual cause is nvidia_uvm left broken by a suspend and resume: CUDA needs it, nvidia-smi does "
               "not. Reloading nvidia_uvm brings CUDA back without a reboot.",
               [quote(said)] + evidence(("driver.loaded_modules", mods), ("nvml.init", f.nvml.init),
                                        ("host.resumed_from_suspend", suspended)),
               confidence=Confidence.LIKELY)


def gpu_unreachable(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    said = next((s for s in ctx.stated if s.id == "nvidia_smi_device_handle_unknown"), None)
    errored = [g for g in f.gpus if g.status.status is Status.ERROR]
    if said is None or not errored or len(errored) == len(f.gpus) and len(f.gpus) > 1:
        return
    for g in errored:
        yield make("gpu_lost",
                   f"GPU {g.index} does not answer: nvidia-smi reaches the driver but cannot open this GPU "
                   "(“Unknown Error”), the way a GPU that fell off the bus (Xid 79 in the kernel log) or hung "
                   "looks. It needs a reset, usually a reboot; if it happens again, check seating, power and cooling.",
                   [quote(said), (f"nvml.gpus[{g.index}].status", g.status.describe())], gpu=g.index,
                   confidence=Confidence.LIKELY)


def nvml_refused(ctx: RuleContext) -> Iterator[Finding]:
    """NVML itself reports "Insufficient Permissions" (also through the container toolkit's CLI,
    "nvml error: insufficient permissions"): it found the driver and may not open /dev/nvidia*
    (the device nodes belong to a group this user is not in)."""
    f = ctx.facts
    said = next((s for s in ctx.stated if s.id in ("nvml_no_permission", "container_cli_nvml_no_permission")), None)
    if said is None and f.nvml.init_error != "no_permission":
        return
    yield make("device_node_permissions",
               "NVML answers “Insufficient Permissions”: the driver is there, but this user may not open the "
               "/dev/nvidia* device nodes (often: a container or account that is not in the group owning them, "
               "such as video).", ([quote(said)] if said else []) + evidence(("nvml.init", f.nvml.init)),
               confidence=Confidence.LIKELY)


def uvm_node_said_missing(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    nodes = {n.path: n for n in f.driver.device_nodes.get(())}
    uvm, ctl = nodes.get("/dev/nvidia-uvm"), nodes.get("/dev/nvidiactl")
    # A listing with nvidiactl is platform's rule; nvidiactl missing too is the module itself.
    if uvm is None or uvm.exists or ctl is not None or f.has_nvidia_gpu is False or on_wsl(ctx):
        return
    if "nvidia" in (f.driver.modules_not_loaded.get(()) or ()) or f.nvml.init_error == "driver_not_loaded":
        return
    yield make("nvidia_uvm_missing",
               "/dev/nvidia-uvm does not exist here, and CUDA cannot start without it: the nvidia_uvm module is "
               "not loaded (nvidia-smi does not need it, so it can look healthy). `sudo nvidia-modprobe -u -c=0` "
               "or `sudo modprobe nvidia-uvm` loads it and creates the node; load it at boot to keep it.",
               [("driver.device_nodes", f.driver.device_nodes)], confidence=Confidence.LIKELY)


# CUDA finding no device at its start, in torch's and the runtime's words (not "no driver":
# libcuda itself missing is the container's injection, container_without_gpu_access).
_NO_DEVICE_AT_START = ("cuda_no_device", "torch_no_cuda_gpus")


def uvm_absent_in_container(ctx: RuleContext) -> Iterator[Finding]:
    """In a container where NVML reaches the GPUs (nvidia-smi's table) CUDA finds no device, or a
    CUDA build of torch says CUDA is unavailable: nvidia-smi needs /dev/nvidiactl and /dev/nvidiaN,
    CUDA also /dev/nvidia-uvm, which hand-made device lists, LXC configs, CDI specs and rootless
    runtimes (which cannot load the module) leave out. Likely, and a warning: the table may be the
    host's, and the image's torch or its driver capabilities can fail the same way."""
    f = ctx.facts
    kind = _container(ctx)
    if kind is None or not (f.nvml.init.ok and f.gpus) or f.has_nvidia_gpu is False or on_wsl(ctx):
        return
    gpus = f.host.container_gpus
    if gpus.ok and gpus.value == "none":
        return  # started without GPUs: container_started_without_gpus says so
    if "CUDA_VISIBLE_DEVICES" in f.env.variables.get({}):
        return  # the devices may be hidden on purpose: visible-devices rules
    nodes = {n.path: n for n in f.driver.device_nodes.get(())}
    if nodes.get("/dev/nvidia-uvm") is not None and nodes["/dev/nvidia-uvm"].exists:
        return
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return  # a CPU-only torch: its own finding
    said = next((s for s in ctx.stated if s.id in _NO_DEVICE_AT_START), None)
    unavailable = f.torch.cuda_available.ok and f.torch.cuda_available.value is False and tv is not None
    if said is None and not unavailable:
        return
    ev = [("host.container", kind), ("nvml.gpus", f"{len(f.gpus)} GPU(s) in nvidia-smi")]
    ev += [quote(said)] if said else [("torch.cuda_available", f.torch.cuda_available)]
    yield make("nvidia_uvm_missing",
               f"In this {kind} container nvidia-smi reaches the GPU but CUDA finds none. nvidia-smi needs only "
               "/dev/nvidiactl and /dev/nvidia<N>; CUDA also needs /dev/nvidia-uvm, which a hand-made device list "
               "(--device, compose devices:, an LXC config, a CDI spec) or a rootless runtime that cannot load "
               "nvidia-uvm leaves out. Check `ls -l /dev/nvidia*` inside the container and `lsmod | grep nvidia_uvm` "
               "on the host (`sudo nvidia-modprobe -u -c=0` loads it). Other causes to rule out: the nvidia-smi table "
               "is the host's and the container got no GPU; the container lacks the 'compute' driver capability.",
               ev, confidence=Confidence.LIKELY, severity=Severity.WARNING)


# The driver itself unreachable, in the words that follow enroot's uvm warning when it is:
# nvidia-container-cli's "driver error" (its NVML RPC failed), NVML's or nvidia-smi's "no driver".
_DRIVER_ITSELF_DOWN = ("nvidia_container_cli_init_error", "nvml_driver_not_loaded", "nvidia_smi_no_driver")


def enroot_uvm_warning(ctx: RuleContext) -> Iterator[Finding]:
    """enroot (and pyxis under Slurm) warns that nvidia_uvm is not loaded: being unprivileged it
    cannot load it, and CUDA in the container then fails while nvidia-smi works. Silent where the
    driver itself is said to be down (the warning fires then too)."""
    said = next((s for s in ctx.stated if s.id == "enroot_uvm_not_loaded"), None)
    if said is None or ctx.facts.has_nvidia_gpu is False:
        return
    if any(s.id in _DRIVER_ITSELF_DOWN for s in ctx.stated) or "nvidia" in (ctx.facts.driver.modules_not_loaded.get(()) or ()):
        return
    if ctx.facts.nvml.init_error in ("driver_not_loaded", "library_not_found"):
        return
    yield make("nvidia_uvm_missing",
               "enroot says the nvidia_uvm kernel module is not loaded on the host. enroot runs unprivileged and "
               "cannot load it, so containers get no /dev/nvidia-uvm: nvidia-smi works in them, CUDA does not. Load "
               "it on the host (`sudo nvidia-modprobe -u -c=0` or `sudo modprobe nvidia-uvm`) and at every boot (a "
               "udev rule or systemd unit), e.g. on the Slurm nodes.", [quote(said)], confidence=Confidence.LIKELY)


RULES = (container_without_gpu_access, container_started_without_gpus, container_lost_gpus, uvm_stale_after_suspend,
         gpu_unreachable, nvml_refused, uvm_node_said_missing, uvm_absent_in_container,
         enroot_uvm_warning)
