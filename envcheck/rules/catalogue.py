"""Every finding id envcheck can report, in one place.

Ids are stable: other issues, scripts and outside checks refer to them, so an id is
never renamed — add a new one and retire the old. Each entry has a default severity,
the report section it belongs to, a short title, the recipe (``recipes/<id>.toml``)
that fixes it, and one sentence a newcomer understands. Rules fill in the specifics
(the evidence, this machine's numbers, the exact commands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from .finding import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# Report sections, in the order the human report prints them.
SECTIONS: Dict[str, str] = {
    "host": "System",
    "pci": "GPUs on the PCI bus",
    "driver": "NVIDIA driver",
    "nvml": "GPU health (NVML)",
    "toolkit": "CUDA toolkit and libraries",
    "torch": "PyTorch",
    "env": "Environment variables",
    "interconnect": "Multi-GPU interconnect",
}


@dataclass(frozen=True)
class FindingSpec:
    id: str
    severity: Severity
    section: str
    title: str
    summary: str
    recipe: Optional[str] = None


_SPECS = [
    # ---- machine health and OS
    FindingSpec("no_nvidia_gpu_found", I, "pci", "No NVIDIA GPU found",
                "No NVIDIA device is on the PCI bus and no driver answers; GPU checks are skipped.",
                "find_nvidia_gpu"),
    FindingSpec("gpu_present_driver_missing", E, "pci", "NVIDIA GPU present but no driver bound",
                "The GPU is on the PCI bus but no kernel driver has claimed it, so nothing can use it.",
                "driver_ubuntu_drivers"),
    FindingSpec("nouveau_bound", E, "pci", "GPU is driven by nouveau, not the NVIDIA driver",
                "The open-source nouveau driver has the GPU; CUDA needs NVIDIA's driver, and nouveau must be kept off.",
                "nouveau_blacklist"),
    FindingSpec("driver_not_loaded_secure_boot", E, "driver", "NVIDIA kernel module blocked by Secure Boot",
                "With Secure Boot on, the kernel only loads signed modules; an unsigned NVIDIA module is refused.",
                "secure_boot_mok"),
    FindingSpec("driver_kernel_module_not_loaded", E, "driver", "NVIDIA kernel module is not loaded",
                "The NVIDIA user-space driver cannot talk to the GPU because the kernel module is not loaded "
                "(often: not built for the running kernel).", "dkms_rebuild"),
    FindingSpec("nvml_driver_library_mismatch", E, "driver", "Driver/library version mismatch",
                "The loaded kernel module and the installed user-space driver libraries have different versions, "
                "usually after a driver update without a reboot.", "driver_mismatch_recover"),
    FindingSpec("nvidia_uvm_missing", E, "driver", "nvidia-uvm is not loaded",
                "CUDA needs the nvidia-uvm module and /dev/nvidia-uvm; without them CUDA init fails although "
                "nvidia-smi works.", "nvidia_uvm_load"),
    FindingSpec("device_node_permissions", E, "driver", "No permission to open /dev/nvidia*",
                "This user cannot open the GPU device nodes, so CUDA sees no device.", "device_permissions"),
    FindingSpec("cuda_visible_devices_hides_gpus", E, "env", "CUDA_VISIBLE_DEVICES hides the GPUs",
                "CUDA_VISIBLE_DEVICES names no GPU that exists, so CUDA programs see no device.",
                "cuda_visible_devices"),
    FindingSpec("container_missing_gpus_flag", E, "host", "Container started without GPU access",
                "This is a container with no NVIDIA devices passed in; it must be started with GPUs "
                "(docker run --gpus all) on a host with the NVIDIA container toolkit.", "container_toolkit"),
    FindingSpec("wsl1_no_gpu_support", E, "host", "WSL 1 has no GPU support",
                "GPU compute under Windows works only in WSL 2; this distribution runs under WSL 1.", "wsl2"),
    FindingSpec("fabric_manager_not_running", E, "driver", "NVSwitch system without Fabric Manager",
                "On NVSwitch systems (HGX/DGX) CUDA cannot start until nvidia-fabricmanager runs, "
                "in the same version as the driver.", "fabric_manager"),
    FindingSpec("pcie_link_degraded", W, "nvml", "PCIe link below its maximum",
                "The GPU's PCIe link runs narrower or slower than it can, which cuts host-to-device bandwidth.",
                "gpu_hardware_fault"),
    FindingSpec("gpu_throttling", W, "nvml", "GPU clocks are being held down",
                "The GPU reports clock-event reasons that slow it down (thermal, power brake, hardware slowdown).",
                "gpu_hardware_fault"),
    FindingSpec("ecc_errors", E, "nvml", "ECC memory errors reported",
                "The GPU memory reported error-correcting-code events; uncorrectable ones corrupt results.",
                "gpu_hardware_fault"),
    FindingSpec("retired_pages_pending", E, "nvml", "Page retirement pending",
                "Faulty GPU memory pages are waiting to be retired; they stay in use until the GPU is reset.",
                "gpu_memory_repair"),
    FindingSpec("row_remap_pending", E, "nvml", "Row remapping pending",
                "A faulty memory row will be remapped at the next GPU reset; until then the GPU is degraded.",
                "gpu_memory_repair"),
    FindingSpec("row_remap_failed", E, "nvml", "Row remapping failed",
                "The GPU ran out of spare memory rows; it can no longer repair its memory and needs service.",
                "gpu_hardware_fault"),
    FindingSpec("xid_errors_logged", W, "driver", "Xid errors in the kernel log",
                "The NVIDIA driver logged Xid events: errors seen by the GPU or driver, from application faults "
                "to hardware failures.", "gpu_hardware_fault"),
    FindingSpec("gpu_memory_in_use", W, "nvml", "GPU memory already in use",
                "Other processes hold GPU memory; benchmarks will be slower and large jobs may run out of memory.",
                "gpu_memory_free"),
    FindingSpec("shm_too_small", W, "host", "/dev/shm is small",
                "PyTorch DataLoader workers pass batches through shared memory; a small /dev/shm (64 MB in "
                "Docker by default) makes them crash with bus errors.", "shm_size"),
    FindingSpec("low_disk_space", W, "host", "Little free disk space",
                "The disk that holds envcheck's cache (and likely your data sets) is nearly full.", "free_disk_space"),
    FindingSpec("debug_env_vars_set", W, "env", "Debug or profiling variables are set",
                "Variables such as CUDA_LAUNCH_BLOCKING=1 make every GPU call synchronous or add tracing; "
                "fine for debugging, slow for real work.", "unset_debug_vars"),
    FindingSpec("torch_not_installed", I, "torch", "PyTorch is not installed",
                "PyTorch is not installed in this Python environment; `envcheck advise` says which build to install.",
                "torch_pip_venv"),
    # ---- torch health (what the torch probe saw)
    FindingSpec("torch_import_failed", E, "torch", "import torch fails",
                "PyTorch is installed but cannot be imported.", "torch_pip_venv"),
    FindingSpec("torch_cuda_unavailable", E, "torch", "PyTorch cannot use the GPU",
                "torch.cuda.is_available() is False on a machine with an NVIDIA GPU.", "torch_pip_venv"),
    FindingSpec("torch_gpu_check_failed", E, "torch", "GPU computation check failed",
                "A tiny kernel or a small convolution on the GPU failed or disagreed with the CPU.",
                "gpu_hardware_fault"),
    FindingSpec("torch_probe_failed", W, "torch", "The PyTorch probe did not finish",
                "Importing torch or initialising CUDA hung or crashed in the probe subprocess.", "torch_probe_check"),
    FindingSpec("gpu_lost", E, "nvml", "GPU has fallen off the bus",
                "NVML reports the GPU as lost: it stopped answering and needs a reset or a reboot.",
                "gpu_hardware_fault"),
    FindingSpec("nvml_unavailable", W, "driver", "NVML could not be used",
                "NVML could not be used (binding missing, no permission, or an unknown error); GPU health is unknown.",
                "nvml_access"),
    FindingSpec("nvml_unresponsive", E, "driver", "NVML does not answer",
                "NVML did not answer within its deadline: a wedged driver or a GPU that fell off the bus hangs "
                "every tool that asks it (nvidia-smi too).", "gpu_hardware_fault"),
    # ---- versions and compatibility
    FindingSpec("driver_too_old_for_torch_cuda", E, "torch", "Driver too old for this PyTorch build",
                "The installed driver supports an older CUDA than the one PyTorch was built with.",
                "driver_ubuntu_drivers"),
    FindingSpec("gpu_arch_unsupported_by_torch_build", E, "torch", "GPU is newer than this PyTorch build",
                "PyTorch was not compiled for this GPU's architecture (no matching kernels and no PTX): "
                "'no kernel image is available'.", "torch_pip_venv"),
    FindingSpec("gpu_arch_too_old_for_torch_build", E, "torch", "GPU is too old for this PyTorch build",
                "This PyTorch build no longer contains kernels for this GPU's architecture.", "torch_pip_venv"),
    FindingSpec("torch_cpu_only_build", E, "torch", "CPU-only PyTorch on a GPU machine",
                "The installed PyTorch was built without CUDA, so it can never use the GPU.", "torch_pip_venv"),
    FindingSpec("cudnn_version_mismatch", E, "torch", "cuDNN version differs from the one PyTorch was built with",
                "PyTorch loaded a different cuDNN than the one it ships with, usually from LD_LIBRARY_PATH.",
                "clean_library_path"),
    FindingSpec("ld_library_path_conflict", W, "toolkit", "LD_LIBRARY_PATH overrides PyTorch's CUDA libraries",
                "LD_LIBRARY_PATH puts CUDA/cuDNN libraries ahead of the ones PyTorch bundles.",
                "clean_library_path"),
    FindingSpec("conflicting_cuda_wheel_packages", E, "torch", "Conflicting nvidia-* wheels installed",
                "pip has NVIDIA library wheels for two CUDA majors (or two copies) side by side; the wrong one "
                "gets loaded.", "clean_cuda_wheels"),
    FindingSpec("conflicting_cuda_libraries_loaded", E, "torch", "Two copies of a CUDA library loaded",
                "The torch process mapped the same CUDA library from two places, or a system copy instead of "
                "the bundled one.", "clean_library_path"),
    FindingSpec("cuda_library_missing", E, "toolkit", "A CUDA library the program needs is not installed",
                "A program needs one of NVIDIA's CUDA libraries (libcudart, cuBLAS, cuDNN, NCCL, ...) of a given "
                "major version, and the loader finds none: not installed, or not on the library path.",
                "cuda_library_missing"),
    FindingSpec("nccl_version_mismatch", W, "torch", "NCCL differs from the one PyTorch expects",
                "The NCCL wheel or library in use is not the version this PyTorch was built against.",
                "clean_cuda_wheels"),
    FindingSpec("known_bad_torch_build", E, "torch", "Known-bad PyTorch build",
                "This PyTorch version/variant has a known defect on this kind of machine.", "torch_pip_venv"),
    FindingSpec("python_unsupported_by_torch", E, "torch", "Python version not supported by this PyTorch",
                "No official PyTorch wheel of this release exists for this Python version.", "torch_pip_venv"),
    FindingSpec("driver_installed_inside_container", E, "host", "NVIDIA driver installed inside the container",
                "Containers must use the host's driver (injected by the NVIDIA container toolkit); a driver "
                "installed in the image clashes with it.", "container_remove_driver"),
    FindingSpec("toolkit_differs_from_torch_cuda", I, "toolkit", "System CUDA toolkit differs from PyTorch's CUDA",
                "nvcc reports a different CUDA than PyTorch was built with. This is normal: PyTorch wheels bring "
                "their own CUDA runtime; nvcc only matters for compiling extensions."),
    # ---- causes the diagnosis corpus shows (tests/corpus/diagnosis/README.md, proposed ids)
    FindingSpec("extension_built_for_other_torch", E, "torch", "Extension built for another PyTorch",
                "A compiled PyTorch extension (torch-scatter, a model's _C, ...) was built against a different "
                "torch than the one installed: importing it fails with 'undefined symbol: _ZN3c10…'.",
                "rebuild_torch_extension"),
    FindingSpec("extension_built_without_gpu_arch", E, "torch", "Extension built without this GPU's kernels",
                "PyTorch runs on this GPU, but a compiled extension was built without its architecture "
                "(TORCH_CUDA_ARCH_LIST), so only the extension's kernels fail with 'no kernel image'.",
                "rebuild_torch_extension"),
    FindingSpec("mixed_torch_installations", E, "torch", "Two PyTorch installations mixed",
                "Parts of two PyTorch builds are installed in one environment (pip and conda, or a stale copy), "
                "so torch's own libraries do not fit together.", "single_torch_install"),
    FindingSpec("mkl_incompatible_with_torch", E, "torch", "MKL too new for this PyTorch",
                "MKL 2024.1 and later dropped iJIT_NotifyEvent, which conda's PyTorch builds link against: "
                "import torch fails until MKL is pinned below 2024.1.", "pin_mkl"),
    FindingSpec("nvidia_uvm_stale_after_suspend", E, "driver", "nvidia-uvm broken after suspend",
                "After suspend and resume the nvidia_uvm module is loaded but no longer works: CUDA fails with "
                "'unknown error' (999) while nvidia-smi still answers, until nvidia_uvm is reloaded.",
                "reload_nvidia_uvm"),
    FindingSpec("container_gpu_lost_after_daemon_reload", E, "host", "Container lost its GPUs after a systemd reload",
                "With systemd managing container cgroups, `systemctl daemon-reload` on the host takes running "
                "containers' access to /dev/nvidia* away: NVML fails with 'Unknown Error' inside, the host is fine.",
                "container_gpu_reattach"),
]

# ---- between GPUs: topology, P2P, NVLink, NCCL (the interconnect rules and command)
_SPECS += [
    FindingSpec("p2p_blocked_by_iommu_acs", E, "interconnect", "PCIe ACS or the IOMMU blocks GPU peer-to-peer",
                "With ACS redirect or IOMMU DMA translation on, GPU-to-GPU traffic is routed through the root "
                "complex or refused: NCCL hangs or crawls.", "p2p_iommu_acs"),
    FindingSpec("nvlink_link_down", E, "interconnect", "An NVLink is down",
                "A GPU's NVLink that should be up is inactive, so its traffic falls back to PCIe or fails.",
                "nvlink_check"),
    FindingSpec("nvlink_errors", W, "interconnect", "NVLink errors counted",
                "NVLink CRC, replay or recovery errors are counting up: a marginal link, cable or bridge.",
                "nvlink_check"),
    FindingSpec("p2p_unsupported_consumer_gpus", I, "interconnect", "No peer-to-peer between these GPUs",
                "These GPUs cannot reach each other directly (common on consumer cards); NCCL copies through "
                "host memory instead, which is slower but correct.", "nccl_triage"),
    FindingSpec("gpu_numa_mismatch", W, "interconnect", "Process on the far NUMA node from its GPU",
                "A GPU sits on another NUMA node than the CPUs feeding it; host-to-device copies cross the "
                "socket link and slow down.", "numa_binding"),
    FindingSpec("nccl_env_overrides", W, "interconnect", "NCCL variables override its defaults",
                "NCCL_P2P_DISABLE, NCCL_IB_DISABLE, NCCL_SHM_DISABLE or similar are set, often left from an old "
                "workaround; they force slower paths.", "nccl_env_cleanup"),
    FindingSpec("collective_bandwidth_low", W, "interconnect", "Collective bandwidth below the expected figure",
                "Measured NCCL bus bandwidth is well below what this topology delivers in published nccl-tests "
                "figures.", "nccl_triage"),
    FindingSpec("collective_timeout", E, "interconnect", "A collective did not finish within its deadline",
                "An all-reduce, all-gather, reduce-scatter or broadcast between the GPUs (or processes) hung: "
                "a training job would stop at its first collective.", "nccl_triage"),
    FindingSpec("collective_result_wrong", E, "interconnect", "A collective returned wrong data",
                "Data that went between the GPUs came back different from what was sent: a faulty link, "
                "peer-to-peer through a translating IOMMU, or a GPU computing wrongly.", "nccl_triage"),
]

CATALOGUE: Dict[str, FindingSpec] = {s.id: s for s in _SPECS}


# ---- tool outputs: what nvidia-smi and deviceQuery print beyond the health counters (rules/tool_output.py)
_TOOL_OUTPUT = [
    FindingSpec("driver_found_no_gpu", E, "driver", "The driver initialised no GPU",
                "The NVIDIA driver is loaded but nvidia-smi finds no device: the GPU failed to start, or none was "
                "passed into this container.", "gpu_init_triage"),
    FindingSpec("cuda_init_failed", E, "driver", "CUDA does not start",
                "A CUDA program could not initialise CUDA at all, so no CUDA program (PyTorch included) can use "
                "the GPU.", "gpu_init_triage"),
    FindingSpec("cuda_toolkit_newer_than_driver", E, "toolkit", "CUDA toolkit newer than the driver",
                "nvcc (or the CUDA a program was built with) is newer than the CUDA the driver supports, so what it "
                "builds does not load, or loads without PTX.", "cuda_toolkit_for_driver"),
    FindingSpec("nvml_query_errors", W, "nvml", "nvidia-smi printed ERR!",
                "NVML asked the GPU or the CUDA driver for a value and got an error; repeated errors come before "
                "a GPU falls off the bus.", "nvml_errors_check"),
    FindingSpec("gpu_reading_implausible", W, "nvml", "A GPU reading is impossible",
                "A sensor reports a value no GPU can produce (a power draw many times its limit), so it cannot be "
                "trusted.", "gpu_sensor_check"),
    FindingSpec("gpu_uuid_missing", W, "nvml", "A GPU has no UUID",
                "The driver could not read the GPU's identity; it did not initialise fully and CUDA may not see it.",
                "gpu_identity_check"),
]
_SPECS += _TOOL_OUTPUT
CATALOGUE.update({s.id: s for s in _TOOL_OUTPUT})


# ---- the host's container engine has no NVIDIA runtime (rules/container_toolkit.py)
_CONTAINER_TOOLKIT = [
    FindingSpec("nvidia_container_toolkit_missing", E, "host", "The container engine has no NVIDIA runtime",
                "The host's Docker, containerd or Podman cannot give containers the GPU: the NVIDIA Container Toolkit "
                "is not installed, or the engine was not configured for it and restarted.", "container_toolkit_configure"),
]
_SPECS += _CONTAINER_TOOLKIT
CATALOGUE.update({s.id: s for s in _CONTAINER_TOOLKIT})
# ---- a framework's CPU and GPU pip packages side by side (rules/framework_packages.py)
_FRAMEWORK_PACKAGES = [
    FindingSpec("cpu_and_gpu_framework_packages_both_installed", E, "torch",
                "A framework's CPU and GPU packages are both installed",
                "Two packages of one framework (onnxruntime and onnxruntime-gpu, paddlepaddle and paddlepaddle-gpu, "
                "faiss-cpu and faiss-gpu, tensorflow and tensorflow-gpu before 2.1) install the same module in one "
                "folder; the CPU one overwrote the GPU one, so the framework runs on the CPU.",
                "framework_gpu_package_only"),
]
_SPECS += _FRAMEWORK_PACKAGES
CATALOGUE.update({s.id: s for s in _FRAMEWORK_PACKAGES})
# ---- another framework's installed build has no GPU support (rules/framework_build.py)
_FRAMEWORK_BUILD = [
    FindingSpec("framework_cpu_only_build", E, "torch", "A framework's CPU-only build on a GPU machine",
                "The installed build of a framework other than PyTorch (JAX, TensorFlow, PaddlePaddle, ONNX Runtime, "
                "CTranslate2, llama.cpp, Faiss, CuPy, MXNet) has no CUDA support, so it runs on the CPU.",
                "framework_cpu_only_build"),
]
_SPECS += _FRAMEWORK_BUILD
CATALOGUE.update({s.id: s for s in _FRAMEWORK_BUILD})
# ---- a CUDA toolkit too old to compile for the GPU's architecture (rules/toolkit_arch.py)
_TOOLKIT_ARCH = [
    FindingSpec("cuda_toolkit_too_old_for_gpu_arch", E, "toolkit", "CUDA toolkit too old for the GPU's architecture",
                "The nvcc that builds an extension or a CMake project predates the GPU's architecture (CUDA 10.x and "
                "compute_86, 11.x before 11.8 and sm_89/sm_90, 12.0-12.7 and Blackwell), so the build stops: a newer "
                "toolkit, or an older architecture target, fixes it.", "cuda_toolkit_too_old_for_gpu_arch"),
]
_SPECS += _TOOLKIT_ARCH
CATALOGUE.update({s.id: s for s in _TOOLKIT_ARCH})
# ---- a library that needs a newer GPU than this one, by design (rules/library_capability.py)
_LIBRARY_CAPABILITY = [
    FindingSpec("gpu_too_old_for_library", E, "torch", "GPU too old for what this library requires",
                "torch runs on this GPU, but a library or feature in use requires a newer compute capability by design "
                "(torch.compile's Triton backend 7.0, bfloat16 and flash-attn 2 8.0, FP8 8.9 or 9.0, vLLM 7.0): turn "
                "the feature off (eager mode, float16, SDPA or flash-attn 1.x) or run on a newer GPU.",
                "gpu_too_old_for_library"),
]
_SPECS += _LIBRARY_CAPABILITY
CATALOGUE.update({s.id: s for s in _LIBRARY_CAPABILITY})
# ---- a framework's own packages from different releases (messages.toml: JAX's own checks; rules/upstream.py)
_FRAMEWORK_RELEASES = [
    FindingSpec("framework_packages_mismatched", E, "torch", "A framework's own packages are from different releases",
                "A framework split into packages that must be one release (jax, jaxlib, jax-cuda12-plugin and "
                "jax-cuda12-pjrt) has them at different versions: JAX refuses a newer jaxlib at import, and does not use "
                "a CUDA plugin built for another jaxlib (it runs on the CPU, or its GPU backend fails to start).",
                "framework_packages_mismatched"),
]
_SPECS += _FRAMEWORK_RELEASES
CATALOGUE.update({s.id: s for s in _FRAMEWORK_RELEASES})
# ---- clocks or voltage the GPU's owner changed (rules/clock_settings.py)
_CLOCK_SETTINGS = [
    FindingSpec("gpu_unstable_clock_settings", W, "nvml", "GPU clocks or voltage changed from stock",
                "The GPU runs an overclock or an undervolt; settings stable in games can still make CUDA kernels fail "
                "(unspecified launch failure, illegal memory access) or reset the driver.", "gpu_unstable_clock_settings"),
]
_SPECS += _CLOCK_SETTINGS
CATALOGUE.update({s.id: s for s in _CLOCK_SETTINGS})
# ---- WSL 2 on a Windows build without GPU paravirtualization (rules/wsl_windows.py)
_WSL_WINDOWS = [
    FindingSpec("windows_too_old_for_wsl_gpu", E, "host", "Windows too old for GPU in WSL 2",
                "This Windows build (before Windows 10 21H2, build 19044) has no GPU support for WSL 2, so no "
                "program in the Linux distribution can see the GPU until Windows is updated.",
                "windows_too_old_for_wsl_gpu"),
]
_SPECS += _WSL_WINDOWS
CATALOGUE.update({s.id: s for s in _WSL_WINDOWS})
# ---- cuDNN 8 on Windows without its zlib DLL; an NVENC program newer than the driver (rules/codec_deps.py)
_CODEC_DEPS = [
    FindingSpec("cudnn_zlib_missing", E, "toolkit", "cuDNN cannot find zlibwapi.dll (Windows)",
                "cuDNN 8.3 to 8.9 on Windows needs zlibwapi.dll (the 64-bit zlib DLL), which neither the CUDA "
                "toolkit nor cuDNN installs: without it on the PATH every program that reaches cuDNN (TensorFlow, "
                "onnxruntime, PaddlePaddle, faster-whisper, darknet, TensorRT apps) stops at its first convolution.",
                "cudnn_zlib_missing"),
    FindingSpec("driver_too_old_for_nvenc_api", E, "driver", "Driver too old for the program's NVENC API",
                "The video encoder (FFmpeg's h264_nvenc / hevc_nvenc, HandBrake, OBS, PyAV) was built for a newer "
                "NVENC API than the installed NVIDIA driver provides, so hardware encoding does not start: update the "
                "driver, or use a build made for the older API.", "driver_too_old_for_nvenc_api"),
]
_SPECS += _CODEC_DEPS
CATALOGUE.update({s.id: s for s in _CODEC_DEPS})
# ---- the open kernel modules' nvidia_uvm failing its HMM set-up, so cuInit fails (rules/uvm_hmm.py)
_UVM_HMM = [
    FindingSpec("nvidia_uvm_hmm_init_failure", E, "driver", "nvidia_uvm's HMM set-up breaks CUDA (open modules)",
                "With NVIDIA's open kernel modules, nvidia_uvm enables Heterogeneous Memory Management on kernels "
                "that support it; where its set-up fails (EL9/EL10, KASLR-enabled kernels), every CUDA program stops "
                "at cuInit with error 3 (CUDA_ERROR_NOT_INITIALIZED) while nvidia-smi works. The nvidia_uvm option "
                "uvm_disable_hmm=1, nokaslr, or the proprietary modules avoid it.", "nvidia_uvm_hmm_init_failure"),
]
_SPECS += _UVM_HMM
CATALOGUE.update({s.id: s for s in _UVM_HMM})
