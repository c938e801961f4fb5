"""Facts: plain, serialisable records of what the probes read.

This module is the contract between the layers: probes (and the pasted-report parser
of ``envcheck explain``) produce these records; rules read them; nothing here touches
the machine. Every value is a :class:`~envcheck.reading.Reading`, defaulting to
``unknown`` so that a partial source (a snapshot from an older envcheck, a pasted
``collect_env``) still builds a complete, honest ``Facts``.

Units are in the names (``_bytes``, ``_w``, ``_c``, ``_mhz``); versions are strings as
the tool printed them and are parsed with ``packaging.version`` where compared.
The docstring of each group names where its values come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from .facts_interconnect import GpuAffinity, GpuPair, InterconnectFacts, NvLink  # noqa: F401
from .reading import UNKNOWN, Reading

SCHEMA_VERSION = 1
# Facts only a pasted text gives (a person saying so); the live probes leave them unknown.
PASTE_ONLY = ("host.resumed_from_suspend", "driver.modules_not_loaded", "torch.versions_listed")


def _u() -> Reading:
    return field(default=UNKNOWN)


# --------------------------------------------------------------------------- host
@dataclass(frozen=True)
class HostFacts:
    """``/etc/os-release``, ``uname``, ``/proc/meminfo``, ``statvfs``, cgroup and
    ``/proc/version`` (container/WSL), the SecureBoot EFI variable or ``mokutil``."""

    os_id: Reading[str] = _u()  # "ubuntu"
    os_version: Reading[str] = _u()  # "24.04"
    os_pretty: Reading[str] = _u()  # "Ubuntu 24.04.1 LTS"
    kernel: Reading[str] = _u()  # uname -r
    arch: Reading[str] = _u()  # uname -m
    cpu_model: Reading[str] = _u()
    cpu_count: Reading[int] = _u()
    ram_total_bytes: Reading[int] = _u()
    ram_available_bytes: Reading[int] = _u()
    cache_dir: Reading[str] = _u()  # envcheck's cache directory (data sets)
    cache_disk_free_bytes: Reading[int] = _u()
    shm_total_bytes: Reading[int] = _u()  # size of /dev/shm
    container: Reading[str] = _u()  # "none" | "docker" | "podman" | "kubernetes" | "containerd" | "lxc" | "other"
    # How the container was given GPUs, as its start command says: "none" (docker/podman run
    # without --gpus, --runtime=nvidia or a CDI device), else the flag: "--gpus all", "--runtime=nvidia"
    container_gpus: Reading[str] = _u()
    wsl: Reading[str] = _u()  # "none" | "wsl1" | "wsl2"
    secure_boot: Reading[bool] = _u()  # True when enforcing
    # The machine was suspended and resumed since boot (explain: a person saying so; nvidia_uvm
    # may come back broken). Older snapshots lack it: unknown.
    resumed_from_suspend: Reading[bool] = _u()
    in_vm: Reading[str] = _u()  # hypervisor name or "none"


# --------------------------------------------------------------------------- PCI
@dataclass(frozen=True)
class PciDevice:
    """One NVIDIA PCI function from ``/sys/bus/pci/devices/*`` (vendor 0x10de)."""

    address: str  # "0000:01:00.0"
    vendor_id: int
    device_id: int
    class_code: int  # 0x030000 VGA, 0x030200 3D controller, 0x068000 bridge (NVSwitch), 0x040300 audio
    driver: Reading[str] = _u()  # "nvidia" | "nouveau" | "nova_core" | "vfio-pci" | "none" | other name
    current_link_speed: Reading[str] = _u()  # sysfs text, e.g. "16.0 GT/s PCIe"
    max_link_speed: Reading[str] = _u()
    current_link_width: Reading[int] = _u()
    max_link_width: Reading[int] = _u()

    @property
    def is_gpu(self) -> bool:
        return (self.class_code >> 16) == 0x03

    @property
    def is_nvswitch(self) -> bool:
        return (self.class_code >> 8) == 0x0680


@dataclass(frozen=True)
class PciFacts:
    devices: Reading[Tuple[PciDevice, ...]] = _u()

    @property
    def gpus(self) -> Tuple[PciDevice, ...]:
        return tuple(d for d in self.devices.get(()) if d.is_gpu)


# --------------------------------------------------------------------------- kernel / driver
@dataclass(frozen=True)
class DeviceNode:
    """A ``/dev/nvidia*`` node: does it exist and may this user open it."""

    path: str
    exists: bool
    mode: Optional[int] = None  # st_mode & 0o7777
    group: Optional[str] = None
    accessible: Optional[bool] = None  # os.access(path, R_OK | W_OK) for this user


@dataclass(frozen=True)
class XidEvent:
    """One ``NVRM: Xid (PCI:0000:01:00): 79, ...`` kernel-log line."""

    xid: int
    pci: Optional[str] = None
    message: str = ""


@dataclass(frozen=True)
class DriverFacts:
    """``/proc/modules``, ``/proc/driver/nvidia/version``, the ``libnvidia-ml.so.*``
    file on disk, ``/dev/nvidia*``, the kernel log, ``/proc/*/comm`` and ``/usr/src``."""

    loaded_modules: Reading[Tuple[str, ...]] = _u()  # nvidia, nvidia_uvm, nvidia_drm, nouveau, nova_core ...
    # Modules known *not* to be loaded, where the loaded ones were not read in full: a pasted
    # sentence ("the nvidia_uvm module is not loaded"). The live probe reads /proc/modules
    # whole (loaded_modules) and leaves this unknown.
    modules_not_loaded: Reading[Tuple[str, ...]] = _u()
    kernel_module_version: Reading[str] = _u()  # NVRM version from /proc/driver/nvidia/version
    userspace_library_version: Reading[str] = _u()  # version of libnvidia-ml.so.X on disk
    installed_module_versions: Reading[Tuple[str, ...]] = _u()  # /usr/src/nvidia-*, dkms trees
    device_nodes: Reading[Tuple[DeviceNode, ...]] = _u()
    xid_events: Reading[Tuple[XidEvent, ...]] = _u()  # no_permission when the log is unreadable
    module_load_errors: Reading[Tuple[str, ...]] = _u()  # kernel-log lines about refused modules
    persistenced_running: Reading[bool] = _u()
    fabric_manager_running: Reading[bool] = _u()
    nvidia_smi_path: Reading[str] = _u()


# --------------------------------------------------------------------------- NVML
@dataclass(frozen=True)
class GpuProcess:
    pid: int
    name: Reading[str] = _u()
    used_memory_bytes: Reading[int] = _u()
    kind: str = "compute"  # "compute" | "graphics"


@dataclass(frozen=True)
class GpuFacts:
    """One GPU as NVML sees it. ``status`` is the device-level state: ``ok``, or
    ``gpu_lost`` / ``error`` when the handle itself failed (fields then ``unknown``)."""

    index: int
    status: Reading[bool] = field(default_factory=lambda: Reading.of(True))
    name: Reading[str] = _u()  # nvmlDeviceGetName (nvidia-smi: name)
    uuid: Reading[str] = _u()  # nvmlDeviceGetUUID (uuid)
    serial: Reading[str] = _u()  # nvmlDeviceGetSerial (serial)
    pci_bus_id: Reading[str] = _u()  # nvmlDeviceGetPciInfo.busId (pci.bus_id)
    compute_capability: Reading[str] = _u()  # nvmlDeviceGetCudaComputeCapability, "9.0" (compute_cap)
    vbios_version: Reading[str] = _u()  # (vbios_version)
    memory_total_bytes: Reading[int] = _u()  # nvmlDeviceGetMemoryInfo (memory.total)
    memory_used_bytes: Reading[int] = _u()  # (memory.used)
    utilization_gpu_pct: Reading[int] = _u()  # (utilization.gpu)
    temp_c: Reading[int] = _u()  # (temperature.gpu)
    temp_slowdown_c: Reading[int] = _u()  # NVML_TEMPERATURE_THRESHOLD_SLOWDOWN
    temp_shutdown_c: Reading[int] = _u()  # NVML_TEMPERATURE_THRESHOLD_SHUTDOWN
    temp_max_operating_c: Reading[int] = _u()  # NVML_TEMPERATURE_THRESHOLD_GPU_MAX
    memory_temp_c: Reading[int] = _u()  # (temperature.memory)
    power_draw_w: Reading[float] = _u()  # nvmlDeviceGetPowerUsage / 1000 (power.draw)
    power_limit_w: Reading[float] = _u()  # nvmlDeviceGetEnforcedPowerLimit / 1000 (power.limit)
    clock_sm_mhz: Reading[int] = _u()  # (clocks.sm)
    clock_mem_mhz: Reading[int] = _u()  # (clocks.mem)
    clock_sm_max_mhz: Reading[int] = _u()  # (clocks.max.sm)
    clock_mem_max_mhz: Reading[int] = _u()  # (clocks.max.mem)
    pstate: Reading[int] = _u()  # (pstate), 0 = P0
    clock_event_reasons: Reading[Tuple[str, ...]] = _u()  # names, e.g. ("sw_power_cap", "hw_thermal_slowdown")
    pcie_gen_current: Reading[int] = _u()  # (pcie.link.gen.current)
    pcie_gen_max: Reading[int] = _u()  # (pcie.link.gen.max); the GPU's and slot's common maximum
    pcie_width_current: Reading[int] = _u()  # (pcie.link.width.current)
    pcie_width_max: Reading[int] = _u()  # (pcie.link.width.max)
    pcie_replay_count: Reading[int] = _u()
    ecc_mode_current: Reading[bool] = _u()  # (ecc.mode.current)
    ecc_volatile_corrected: Reading[int] = _u()  # (ecc.errors.corrected.volatile.total)
    ecc_volatile_uncorrected: Reading[int] = _u()  # (ecc.errors.uncorrected.volatile.total)
    ecc_aggregate_corrected: Reading[int] = _u()
    ecc_aggregate_uncorrected: Reading[int] = _u()
    retired_pages_sbe: Reading[int] = _u()  # (retired_pages.sbe)
    retired_pages_dbe: Reading[int] = _u()  # (retired_pages.dbe)
    retired_pages_pending: Reading[bool] = _u()  # (retired_pages.pending)
    remapped_rows_correctable: Reading[int] = _u()  # (remapped_rows.correctable)
    remapped_rows_uncorrectable: Reading[int] = _u()
    remapped_rows_pending: Reading[bool] = _u()  # (remapped_rows.pending)
    remapped_rows_failed: Reading[bool] = _u()  # (remapped_rows.failure)
    persistence_mode: Reading[bool] = _u()  # (persistence_mode)
    mig_mode_current: Reading[bool] = _u()  # (mig.mode.current)
    display_active: Reading[bool] = _u()  # (display_active)
    processes: Reading[Tuple[GpuProcess, ...]] = _u()


@dataclass(frozen=True)
class NvmlFacts:
    """NVML through ``pynvml`` (nvidia-ml-py). ``init`` is the session: when
    ``nvmlInit`` fails, ``init`` carries the status and ``init_error`` the class."""

    init: Reading[bool] = _u()
    init_error: Optional[str] = None  # "library_not_found" | "driver_not_loaded" | "lib_rm_version_mismatch" | "no_permission" | "unknown" | "module_missing" | "unresponsive" (the worker hit its deadline)
    driver_version: Reading[str] = _u()  # nvmlSystemGetDriverVersion (driver_version)
    nvml_version: Reading[str] = _u()  # nvmlSystemGetNVMLVersion
    cuda_driver_version: Reading[str] = _u()  # nvmlSystemGetCudaDriverVersion_v2, "13.0"
    gpus: Reading[Tuple[GpuFacts, ...]] = _u()


# --------------------------------------------------------------------------- toolkit and libraries
@dataclass(frozen=True)
class CudaInstall:
    """A CUDA toolkit tree such as ``/usr/local/cuda-12.4`` (version from ``version.json``)."""

    path: str
    version: Reading[str] = _u()
    is_symlink_to: Optional[str] = None


@dataclass(frozen=True)
class LibraryFile:
    """A shared library found on disk (``ldconfig -p``, ``LD_LIBRARY_PATH`` dirs, toolkit trees)."""

    name: str  # soname or file name, "libcudnn.so.8"
    path: str
    version: Optional[str] = None  # from the file name or header, "8.6.0"
    origin: str = "ldconfig"  # "ldconfig" | "ld_library_path" | "cuda_home" | "header" | "python" (a pip wheel's copy)


@dataclass(frozen=True)
class ToolkitFacts:
    """``nvcc --version``, ``/usr/local/cuda*``, ``CUDA_HOME``/``CUDA_PATH``, ``PATH`` and
    ``LD_LIBRARY_PATH`` entries, cuDNN headers, ``ldconfig -p``."""

    nvcc_path: Reading[str] = _u()
    nvcc_version: Reading[str] = _u()  # "12.4" (release) as nvcc prints it
    cuda_home: Reading[str] = _u()  # value of CUDA_HOME or CUDA_PATH
    cuda_installs: Reading[Tuple[CudaInstall, ...]] = _u()
    path_cuda_entries: Reading[Tuple[str, ...]] = _u()  # PATH entries that look like CUDA
    ld_library_path: Reading[Tuple[str, ...]] = _u()  # all LD_LIBRARY_PATH entries, in order
    cudnn_headers: Reading[Tuple[LibraryFile, ...]] = _u()  # cudnn_version.h found, version parsed
    libraries: Reading[Tuple[LibraryFile, ...]] = _u()  # libcuda, libcudart, libcudnn*, libnccl, libcublas ...


# --------------------------------------------------------------------------- Python and torch
@dataclass(frozen=True)
class PythonPackage:
    name: str  # normalised distribution name, "nvidia-cudnn-cu12"
    version: str


@dataclass(frozen=True)
class PythonFacts:
    """The Python environment probed (envcheck's own, or ``--python PATH``), read in a
    subprocess with ``importlib.metadata`` — torch is not imported for this."""

    executable: Reading[str] = _u()
    version: Reading[str] = _u()  # "3.12.3"
    env_kind: Reading[str] = _u()  # "venv" | "conda" | "system" | "user"
    env_path: Reading[str] = _u()
    packages: Reading[Tuple[PythonPackage, ...]] = _u()  # torch*, nvidia-*, triton, numpy, jax*, tensorflow*

    def package(self, name: str) -> Optional[PythonPackage]:
        for p in self.packages.get(()):
            if p.name == name:
                return p
        return None


@dataclass(frozen=True)
class TorchDevice:
    index: int
    name: str
    capability: str  # "9.0"
    total_memory_bytes: Optional[int] = None
    multiprocessor_count: Optional[int] = None


@dataclass(frozen=True)
class LoadedLibrary:
    """A CUDA library mapped into the torch process (``/proc/self/maps`` after init)."""

    name: str  # "libcudnn.so.9"
    path: str


@dataclass(frozen=True)
class LoaderError:
    """A dynamic-loader failure (glibc ``elf/dl-lookup.c``, ``dl-version.c``, ``dl-load.c``):
    ``OBJECT: undefined symbol: S[, version V]``, ``OBJECT: version `V' not found``,
    ``NAME: cannot open shared object file``. ``provider`` says which library should have
    had what was missing, from the symbol's prefix or version tail (``ncclCommRegister`` →
    libnccl, ``_ZN5cudnn…`` → libcudnn, ``_ZN3c10…`` → libtorch, ``GLIBCXX_3.4.30`` → libstdc++)."""

    kind: str  # "undefined_symbol" | "version_not_found" | "cannot_open"
    object: str  # the file the message names, as printed: "/usr/local/cuda/lib64/libcudnn_cnn_train.so.8", "libcudnn.so.9"
    symbol: str = ""  # the missing symbol, or the missing symbol version ("GLIBCXX_3.4.30")
    provider: str = ""  # "libnccl", "libcudnn", "libcublas", "libnvJitLink", "libtorch", "libstdc++", "mkl", ...; "" unknown
    importer: str = ""  # cannot_open: the Python module whose import asked for it ("mmcv", "torch"); "" unknown
    cuda_seen: Tuple[str, ...] = ()  # cannot_open: the CUDA versions the same text names ("11.1", "12")


@dataclass(frozen=True)
class TorchFacts:
    """From a subprocess that imports torch (``envcheck/probes/torch_worker.py``)."""

    installed: Reading[bool] = _u()
    version: Reading[str] = _u()  # torch.__version__, "2.13.0+cu130"
    import_error: Reading[str] = _u()  # ok with the error text when `import torch` raised
    cuda_build: Reading[str] = _u()  # torch.version.cuda, "13.0"; not_found on a CPU-only build
    hip_build: Reading[str] = _u()  # torch.version.hip
    cudnn_version: Reading[int] = _u()  # torch.backends.cudnn.version() (the cuDNN loaded), 91002 / 8700
    cudnn_compiled_version: Reading[int] = _u()  # torch._C._cudnn.getCompileVersion(), same encoding
    nccl_version: Reading[str] = _u()  # torch.cuda.nccl.version(), "2.27.3"
    arch_list: Reading[Tuple[str, ...]] = _u()  # torch.cuda.get_arch_list(), ("sm_80", "sm_90", "compute_90")
    cuda_available: Reading[bool] = _u()
    device_count: Reading[int] = _u()
    devices: Reading[Tuple[TorchDevice, ...]] = _u()
    warnings: Reading[Tuple[str, ...]] = _u()  # warnings torch printed while initialising CUDA
    errors: Reading[Tuple[str, ...]] = _u()  # error texts seen (init, kernel launch, pasted)
    kernel_check: Reading[bool] = _u()  # a tiny kernel ran and gave the right answer
    conv_check_max_rel_err: Reading[float] = _u()  # small conv on the GPU vs the CPU
    # Two or more torch versions one package listing shows for the same environment (pip's and
    # conda's rows of one collect_env, one `conda list`): files of two installs mixed. Explain only.
    versions_listed: Reading[Tuple[str, ...]] = _u()
    conv_check_passed: Reading[bool] = _u()  # envcheck verify's quick subset on cuda:0 (detail: what failed)
    loaded_libraries: Reading[Tuple[LoadedLibrary, ...]] = _u()
    loader_errors: Reading[Tuple[LoaderError, ...]] = _u()  # what the dynamic loader refused (import, dlopen)
    probe_seconds: Reading[float] = _u()


# --------------------------------------------------------------------------- environment
@dataclass(frozen=True)
class EnvFacts:
    """Only the variables that matter for the GPU stack — never the whole environment."""

    variables: Reading[Dict[str, str]] = _u()


# --------------------------------------------------------------------------- interconnect
# GpuPair, NvLink, GpuAffinity, InterconnectFacts: facts_interconnect.py (imported above).


# Starts the note a pasted text gets when the person says something fails ("it crashes",
# "torch does not see the GPU") in their own words (explain/parsers/complaint.py): such a
# text is never answered "no problems found" (rules/verdict.py).
SAID_FAILING = "the text says something fails: "
# The detail of ``driver.modules_not_loaded`` where a person told that the module of a freshly installed
# driver was not loaded until a reboot loaded it (explain/parsers/driver_reboot_said.py): the failure is
# over, unless other evidence shows it now (rules/platform.py).
REBOOT_LOADED_MODULE = "until a reboot loaded its module"


# --------------------------------------------------------------------------- the whole machine
@dataclass(frozen=True)
class Facts:
    schema_version: int = SCHEMA_VERSION
    envcheck_version: str = ""
    collected_at: str = ""  # ISO 8601, UTC
    source: str = "live"  # "live" | "snapshot" | "explain" | "synthetic"
    redacted: bool = False
    host: HostFacts = field(default_factory=HostFacts)
    pci: PciFacts = field(default_factory=PciFacts)
    driver: DriverFacts = field(default_factory=DriverFacts)
    nvml: NvmlFacts = field(default_factory=NvmlFacts)
    toolkit: ToolkitFacts = field(default_factory=ToolkitFacts)
    python: PythonFacts = field(default_factory=PythonFacts)
    torch: TorchFacts = field(default_factory=TorchFacts)
    env: EnvFacts = field(default_factory=EnvFacts)
    interconnect: InterconnectFacts = field(default_factory=InterconnectFacts)
    # What a source could not tell (explain's "could not determine" list, probe skips).
    notes: Tuple[str, ...] = ()
    # Fact paths a pasted text gives two different values for (two machines or two
    # environments in one paste): the verdict will not call such a text healthy. Empty for
    # a live probe, and in snapshots older than this field.
    disagreements: Tuple[str, ...] = ()

    @property
    def gpus(self) -> Tuple[GpuFacts, ...]:
        return self.nvml.gpus.get(())

    @property
    def has_nvidia_gpu(self) -> Optional[bool]:
        """True if any source saw an NVIDIA GPU (PCI bus, NVML, torch, a pasted report);
        False only when the PCI bus was read and holds none and nothing else saw one;
        None when nobody could tell."""
        if self.pci.gpus or self.gpus or self.torch.devices.get(()):
            return True
        if self.pci.devices.ok:
            return False
        return None
