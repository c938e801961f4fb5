"""What a finding needs to be judged, and the command that shows it.

A finding whose needs are all in the facts and that did not fire is ruled out; one whose
needs are missing is "not checked". The verdict (``verdict.py``) says what to paste for
those, and a message's *probable* cause (``upstream.py``) is given as likely only while its
check could not be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Tuple

from envcheck.derived.machine import driver_cuda, driver_version, gpus, torch_view
from envcheck.derived.messages import Stated
from envcheck.facts import Facts

TORCH_BUILD = "python -c \"import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())\""
ARCH_LIST = "python -c \"import torch; print(torch.__version__, torch.cuda.get_arch_list())\""
FULL_REPORT = "envcheck doctor --markdown"


@dataclass(frozen=True)
class Need:
    """A fact a finding needs to be judged, and the command that shows it."""

    what: str
    known: Callable[["View"], bool]
    command: str


class View:
    """The facts as the needs ask about them, computed once."""

    def __init__(self, facts: Facts, found: Tuple[Stated, ...]) -> None:
        from envcheck.knowledge import load

        kb = load()
        self.facts = facts
        self.torch = torch_view(facts, kb, found)
        self.gpus = gpus(facts, kb, found)
        self.driver = driver_version(facts) or driver_cuda(facts, kb, found)


def cuda_works(v: View) -> bool:
    """torch reached a GPU: the GPU and the driver are there and answer."""
    a = v.facts.torch.cuda_available
    return a.ok and a.value is True


def has_gpu(v: View) -> bool:
    return any(g.cc for g in v.gpus) or v.facts.has_nvidia_gpu is False or cuda_works(v)


def has_driver(v: View) -> bool:
    f = v.facts
    return v.driver is not None or f.nvml.init.known or f.driver.kernel_module_version.known or cuda_works(v)


def has_build(v: View) -> bool:
    return v.torch is not None and (v.torch.is_cpu or v.torch.cuda is not None)


def _arch(v: View) -> bool:
    return v.torch is not None and (v.torch.is_cpu or v.torch.arch_list is not None)


def _known(path: str) -> Callable[[View], bool]:
    group, name = path.split(".")
    return lambda v: getattr(getattr(v.facts, group), name).known


def _env(var: str) -> Callable[[View], bool]:
    return lambda v: var in v.facts.env.variables.get({})


GPU = Need("the GPU model", has_gpu, "nvidia-smi -L")
DRIVER = Need("the driver version", has_driver, "nvidia-smi")
BUILD = Need("the PyTorch build (version, CUDA)", has_build, TORCH_BUILD)
MODULES = Need("the loaded kernel modules", _known("driver.loaded_modules"), "lsmod | grep -i -E 'nvidia|nouveau'")
NODES = Need("the GPU device nodes", _known("driver.device_nodes"), "ls -l /dev/nvidia*")
KLOG = Need("the driver's kernel log", _known("driver.xid_events"), "sudo dmesg -T | grep -i -E 'NVRM|nvidia'")
WHEELS = Need("the installed packages", _known("python.packages"), "pip list | grep -i -E 'torch|nvidia'")
LDPATH = Need("LD_LIBRARY_PATH", lambda v: v.facts.toolkit.ld_library_path.known or _env("LD_LIBRARY_PATH")(v),
              "echo \"LD_LIBRARY_PATH=$LD_LIBRARY_PATH\"")
ERROR = ("the error message, whole (the traceback or the command's output, not a summary)",
         "run the failing command again and copy everything it prints")
# NVML answering proves nvidia's kernel module is loaded and holds the GPUs it lists.
NVIDIA_LOADED = Need("whether the NVIDIA module is loaded",
                     lambda v: v.facts.driver.loaded_modules.known or v.facts.nvml.init.known,
                     "lsmod | grep -i -E 'nvidia|nouveau'; nvidia-smi")
GPU_DRIVER = Need("which kernel driver has the GPU",
                  lambda v: v.facts.pci.devices.known or v.facts.driver.loaded_modules.known or v.facts.nvml.init.ok,
                  "lspci -nnk -d 10de:")
CONTAINER = Need("whether it runs in a container", _known("host.container"), "ls /.dockerenv; cat /proc/1/cgroup")

# What each finding needs to be judged. A finding whose needs are all in the text and that
# did not fire is ruled out; one whose needs are missing is "not checked" and says what to paste.
NEEDS: Dict[str, Tuple[Need, ...]] = {
    "driver_too_old_for_torch_cuda": (DRIVER, BUILD),
    "gpu_arch_unsupported_by_torch_build": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    "gpu_arch_too_old_for_torch_build": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    # a CPU-only torch decides it too: its bf16/tf32 refusal is torch_cpu_only_build (rules/library_capability.py)
    "gpu_too_old_for_library": (Need("the GPU model", lambda v: has_gpu(v) or (v.torch is not None and v.torch.is_cpu), "nvidia-smi -L"),),
    "torch_cpu_only_build": (BUILD,),
    "torch_cuda_unavailable": (BUILD, Need("whether CUDA is available", _known("torch.cuda_available"), TORCH_BUILD)),
    "cuda_visible_devices_hides_gpus": (Need("CUDA_VISIBLE_DEVICES", _env("CUDA_VISIBLE_DEVICES"),
                                             "echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\""), GPU),
    "container_missing_gpus_flag": (CONTAINER, NODES),
    "driver_installed_inside_container": (CONTAINER, DRIVER,
                                          Need("the loaded module's version", _known("driver.kernel_module_version"),
                                               "cat /proc/driver/nvidia/version")),
    "gpu_present_driver_missing": (Need("the GPUs on the PCI bus", _known("pci.devices"), "lspci -nnk -d 10de:"), DRIVER),
    "driver_kernel_module_not_loaded": (NVIDIA_LOADED, DRIVER),
    "nouveau_bound": (GPU_DRIVER,),
    "driver_not_loaded_secure_boot": (MODULES, Need("Secure Boot's state", _known("host.secure_boot"),
                                                    "mokutil --sb-state")),
    "nvidia_uvm_missing": (MODULES, NODES),
    "device_node_permissions": (NODES,),
    "nvml_driver_library_mismatch": (Need("the loaded module's version", _known("driver.kernel_module_version"),
                                          "cat /proc/driver/nvidia/version"), DRIVER),
    "nvml_unavailable": (DRIVER,),
    "ld_library_path_conflict": (LDPATH, BUILD),
    "cudnn_version_mismatch": (LDPATH, BUILD),
    "conflicting_cuda_wheel_packages": (WHEELS,),
    "cpu_and_gpu_framework_packages_both_installed": (WHEELS,),
    "conflicting_cuda_libraries_loaded": (Need("the libraries torch loaded", _known("torch.loaded_libraries"),
                                               FULL_REPORT),),
    "nccl_version_mismatch": (WHEELS, BUILD),
    "gpu_memory_in_use": (Need("the processes on the GPU", lambda v: any(g.processes.known for g in v.facts.gpus),
                               "nvidia-smi"),),
    "xid_errors_logged": (KLOG,),
    "gpu_lost": (KLOG, DRIVER),
    "ecc_errors": (Need("the ECC counters", lambda v: any(g.ecc_volatile_uncorrected.known for g in v.facts.gpus),
                        "nvidia-smi -q -d ECC"),),
    "row_remap_pending": (Need("the row remapper", lambda v: any(g.remapped_rows_pending.known for g in v.facts.gpus),
                               "nvidia-smi -q -d ROW_REMAPPER"),),
    "retired_pages_pending": (Need("page retirement", lambda v: any(g.retired_pages_pending.known for g in v.facts.gpus),
                                   "nvidia-smi -q -d PAGE_RETIREMENT"),),
    "fabric_manager_not_running": (Need("Fabric Manager's state", _known("driver.fabric_manager_running"),
                                        "systemctl status nvidia-fabricmanager"),),
    "shm_too_small": (Need("the size of /dev/shm", _known("host.shm_total_bytes"), "df -h /dev/shm"),),
    "wsl1_no_gpu_support": (Need("the WSL version", lambda v: v.facts.host.wsl.ok and v.facts.host.wsl.value != "wsl",
                                 "wsl -l -v   (in Windows)"),),
    "torch_import_failed": (Need("the import error", _known("torch.import_error"), "python -c \"import torch\""),),
    "python_unsupported_by_torch": (Need("the Python version", _known("python.version"), "python --version"), BUILD),
    "toolkit_differs_from_torch_cuda": (Need("nvcc's version", _known("toolkit.nvcc_version"), "nvcc --version"),
                                        BUILD),
    "extension_built_without_gpu_arch": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    "extension_built_for_other_torch": (BUILD, WHEELS),
    "mixed_torch_installations": (WHEELS, Need("conda's packages", lambda v: False, "conda list | grep -i torch")),
    "mkl_incompatible_with_torch": (Need("conda's MKL", lambda v: False, "conda list mkl"),),
    "nvidia_uvm_stale_after_suspend": (MODULES, DRIVER),
    "container_gpu_lost_after_daemon_reload": (CONTAINER,),
}
DEFAULT_NEEDS = (Need("a full report from that machine", lambda v: False, FULL_REPORT),)


def needs_of(finding_id: str) -> Tuple[Need, ...]:
    return NEEDS.get(finding_id, DEFAULT_NEEDS)


def checkable(finding_id: str, view: View) -> bool:
    """Are all the facts ``finding_id``'s check needs in ``view``? (Then its rule decided.)"""
    return finding_id in NEEDS and all(n.known(view) for n in NEEDS[finding_id])
