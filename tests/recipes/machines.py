"""Three recorded machines, built with tests/builders.py and saved as snapshots.

The JSON files in tests/fixtures/machines/ are these machines written by
``envcheck.snapshot.save``; ``test_fixtures_match_builders`` keeps both in step.
Regenerate after a change here with ``python -m tests.recipes.machines``.

* fresh_2404_rtx4090_nouveau — Ubuntu 24.04 just installed on a workstation with an
  RTX 4090 (PCI 10de:2684): nouveau has the GPU, no NVIDIA driver, no PyTorch.
* ubuntu2204_driver_mismatch — Ubuntu 22.04 with an RTX 3090 after unattended-upgrades
  moved the driver libraries to 550.107.02 while kernel module 550.90.07 stays loaded:
  NVML fails with lib_rm_version_mismatch and PyTorch 2.5.1+cu124 sees no GPU.
* docker_no_gpus — a python:3.12 Docker container on an A100 host, started without
  --gpus: the host's GPU and module are visible in sysfs/procfs, but no device nodes and
  no driver libraries are inside; /dev/shm is Docker's default 64 MiB.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Dict

from envcheck.facts import (
    DriverFacts,
    Facts,
    GpuAffinity,
    HostFacts,
    InterconnectFacts,
    LibraryFile,
    LoadedLibrary,
    NvmlFacts,
    PciDevice,
    PciFacts,
    PythonFacts,
    PythonPackage,
    ToolkitFacts,
    TorchFacts,
)
from envcheck.reading import Reading, Status
from tests.builders import env, fail, nodes, nvml_failed, ok, pci_gpu

GiB = 2**30
MiB = 2**20
COLLECTED_AT = "2026-11-20T09:30:00+00:00"
MACHINES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "machines"


def _audio(address: str, device_id: int, gpu: PciDevice) -> PciDevice:
    """The HDMI audio function every GeForce card carries next to the GPU (same link)."""
    return PciDevice(address=address, vendor_id=0x10DE, device_id=device_id, class_code=0x040300,
                     driver=ok("snd_hda_intel"), current_link_speed=gpu.current_link_speed,
                     max_link_speed=gpu.max_link_speed, current_link_width=gpu.current_link_width,
                     max_link_width=gpu.max_link_width)


def _nvml_down(error: str, detail: str) -> NvmlFacts:
    """nvmlInit failed: every NVML value carries the same failure."""
    failed = nvml_failed(error, detail)
    down = Reading.fail(failed.init.status, detail)
    return dataclasses.replace(failed, driver_version=down, nvml_version=down, cuda_driver_version=down, gpus=down)


def _no_cuda_checks(torch: TorchFacts) -> TorchFacts:
    """What the torch probe records when torch.cuda.is_available() is False."""
    skipped = fail("not_supported", "CUDA is not available")
    return dataclasses.replace(torch, kernel_check=skipped, conv_check_max_rel_err=skipped, conv_check_passed=skipped)


def _no_toolkit(**fields) -> ToolkitFacts:
    """No CUDA toolkit installed (the usual case: PyTorch wheels bring their own CUDA)."""
    base = dict(nvcc_path=fail("not_found", "nvcc: command not found"), nvcc_version=fail("not_found"),
                cuda_home=fail("not_found", "CUDA_HOME and CUDA_PATH are not set"), cuda_installs=ok(()),
                path_cuda_entries=ok(()), ld_library_path=ok(()), cudnn_headers=ok(()), libraries=ok(()))
    return ToolkitFacts(**{**base, **fields})


def _interconnect(nvml: NvmlFacts, *, numa: int, cpus: str, iommu: Reading, groups: int, bridges: int) -> InterconnectFacts:
    """What the topology probe reads on a one-GPU machine whose NVML does not start: the
    NVML part (pairs, NVLinks) carries nvmlInit's failure, the rest comes from sysfs and
    procfs as an ordinary user sees them — the GPU's NUMA node and CPUs, the IOMMU, no
    ACS (the extended configuration space of the ``bridges`` above the GPU needs root),
    no ``nvidia_peermem``, no ``/sys/class/infiniband``; the process may run on every CPU."""
    why = Reading.fail(nvml.init.status, f"NVML unavailable ({nvml.init_error}): {nvml.init.detail}")
    affinity = Reading.of((GpuAffinity(gpu=0, numa_node=ok(numa), cpu_list=ok(cpus)),),
                          "GPU numbers follow the PCI bus order (NVML unavailable)")
    acs = Reading.fail(Status.NO_PERMISSION, f"{bridges} bridge(s) above the GPUs: the PCIe extended configuration "
                                             "space (where ACS is) needs root: sudo lspci -vvv")
    return InterconnectFacts(pairs=why, nvlinks=why, affinity=affinity, iommu=iommu, iommu_groups=ok(groups),
                             acs_redirect_bridges=acs, peermem_loaded=ok(False),
                             rdma_devices=Reading.of((), "no /sys/class/infiniband"), process_cpus=ok(cpus))


def _packages(**versions: str) -> tuple:
    return tuple(PythonPackage(name.replace("_", "-"), v) for name, v in versions.items())


def fresh_2404_rtx4090_nouveau() -> Facts:
    host = HostFacts(
        os_id=ok("ubuntu"), os_version=ok("24.04"), os_pretty=ok("Ubuntu 24.04.1 LTS"), kernel=ok("6.8.0-45-generic"),
        arch=ok("x86_64"), cpu_model=ok("AMD Ryzen 9 7950X 16-Core Processor"), cpu_count=ok(32),
        ram_total_bytes=ok(64 * GiB), ram_available_bytes=ok(61 * GiB), cache_dir=ok("/home/USER/.cache/envcheck"),
        cache_disk_free_bytes=ok(1750 * GiB), shm_total_bytes=ok(32 * GiB), container=ok("none"), container_gpus=fail("not_supported", "a container's start command is not visible from inside it"),
        wsl=ok("none"),
        secure_boot=ok(False), in_vm=ok("none"))
    gpu = pci_gpu("0000:01:00.0", driver="nouveau", device_id=0x2684, current_link_speed="2.5 GT/s PCIe",
                  max_link_speed="16.0 GT/s PCIe", current_link_width=16, max_link_width=16)
    gpu = dataclasses.replace(gpu, class_code=0x030000)  # a GeForce is a VGA controller
    dmesg = "dmesg: read kernel buffer failed: Operation not permitted"
    driver = DriverFacts(
        loaded_modules=ok(("nouveau",)),
        kernel_module_version=fail("not_found", "/proc/driver/nvidia/version: no such file"),
        userspace_library_version=fail("not_found", "libnvidia-ml.so.1 not found"),
        installed_module_versions=ok(()), device_nodes=ok(()),
        xid_events=fail("no_permission", dmesg), module_load_errors=fail("no_permission", dmesg),
        persistenced_running=ok(False), fabric_manager_running=ok(False),
        nvidia_smi_path=fail("not_found", "nvidia-smi: command not found"))
    toolkit = _no_toolkit()
    python = PythonFacts(executable=ok("/usr/bin/python3"), version=ok("3.12.3"), env_kind=ok("system"),
                         env_path=ok("/usr"), packages=ok(()))
    nvml = _nvml_down("library_not_found", "NVML Shared Library Not Found")
    # A desktop Ryzen: one NUMA node the firmware does not name (-1); the IOMMU on (the
    # board's default), translating DMA as the kernel does unless told iommu=pt.
    inter = _interconnect(nvml, numa=-1, cpus="0-31", groups=27, bridges=1,
                          iommu=Reading.of("translated", "GPU 0000:01:00.0: IOMMU group type DMA-FQ"))
    return Facts(
        envcheck_version="0.1.0", collected_at=COLLECTED_AT, source="snapshot", redacted=True, host=host,
        pci=PciFacts(ok((gpu, _audio("0000:01:00.1", 0x22BA, gpu)))), driver=driver,
        nvml=nvml, toolkit=toolkit, python=python,
        # The probe stops at "not installed" and records nothing else about torch.
        torch=TorchFacts(installed=ok(False)), env=env(), interconnect=inter)


def ubuntu2204_driver_mismatch() -> Facts:
    host = HostFacts(
        os_id=ok("ubuntu"), os_version=ok("22.04"), os_pretty=ok("Ubuntu 22.04.5 LTS"), kernel=ok("5.15.0-126-generic"),
        arch=ok("x86_64"), cpu_model=ok("Intel(R) Core(TM) i9-10900K CPU @ 3.70GHz"), cpu_count=ok(20),
        ram_total_bytes=ok(128 * GiB), ram_available_bytes=ok(117 * GiB), cache_dir=ok("/home/USER/.cache/envcheck"),
        cache_disk_free_bytes=ok(640 * GiB), shm_total_bytes=ok(64 * GiB), container=ok("none"), container_gpus=fail("not_supported", "a container's start command is not visible from inside it"),
        wsl=ok("none"),
        secure_boot=ok(False), in_vm=ok("none"))
    gpu = pci_gpu("0000:01:00.0", driver="nvidia", device_id=0x2204, current_link_speed="2.5 GT/s PCIe",
                  max_link_speed="16.0 GT/s PCIe", current_link_width=16, max_link_width=16)
    gpu = dataclasses.replace(gpu, class_code=0x030000)
    driver = DriverFacts(
        loaded_modules=ok(("nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm")),
        kernel_module_version=ok("550.90.07"), userspace_library_version=ok("550.107.02"),
        installed_module_versions=ok(("550.107.02",)),
        device_nodes=nodes("/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
                           "/dev/nvidia-modeset"),
        xid_events=ok(()),
        module_load_errors=ok(("NVRM: API mismatch: the client has the version 550.107.02, but "
                               "NVRM: this kernel module has the version 550.90.07.  Please "
                               "NVRM: make sure that this kernel module and all NVIDIA driver "
                               "NVRM: components have the same version.",)),
        persistenced_running=ok(True), fabric_manager_running=ok(False), nvidia_smi_path=ok("/usr/bin/nvidia-smi"))
    toolkit = _no_toolkit(
        libraries=ok((LibraryFile("libcuda.so.1", "/lib/x86_64-linux-gnu/libcuda.so.1", "550.107.02"),
                      LibraryFile("libnvidia-ml.so.1", "/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "550.107.02"))))
    pkgs = _packages(torch="2.5.1+cu124", torchvision="0.20.1+cu124", triton="3.1.0", numpy="1.26.4",
                     nvidia_cublas_cu12="12.4.5.8", nvidia_cuda_cupti_cu12="12.4.127",
                     nvidia_cuda_nvrtc_cu12="12.4.127", nvidia_cuda_runtime_cu12="12.4.127",
                     nvidia_cudnn_cu12="9.1.0.70", nvidia_cufft_cu12="11.2.1.3", nvidia_curand_cu12="10.3.5.147",
                     nvidia_cusolver_cu12="11.6.1.9", nvidia_cusparse_cu12="12.3.1.170", nvidia_nccl_cu12="2.21.5",
                     nvidia_nvjitlink_cu12="12.4.127", nvidia_nvtx_cu12="12.4.127")
    python = PythonFacts(executable=ok("/home/USER/venvs/torch/bin/python"), version=ok("3.10.12"),
                         env_kind=ok("venv"), env_path=ok("/home/USER/venvs/torch"), packages=ok(pkgs))
    torch = TorchFacts(
        installed=ok(True), version=ok("2.5.1+cu124"), import_error=fail("not_found"), loader_errors=ok(()), cuda_build=ok("12.4"),
        hip_build=fail("not_found"), cudnn_version=ok(90100), cudnn_compiled_version=ok(90100),
        arch_list=ok(("sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90")), cuda_available=ok(False),
        device_count=ok(0), devices=ok(()),
        warnings=ok(("CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda "
                     "functions before calling NumCudaDevices() that might have already set an error? Error 804: "
                     "forward compatibility was attempted on non supported HW",)),
        errors=ok(()), nccl_version=ok("2.21.5"), probe_seconds=ok(2.4),
        loaded_libraries=ok((LoadedLibrary("libcudart.so.12", "/home/USER/venvs/torch/lib/python3.10/site-packages/"
                                                               "nvidia/cuda_runtime/lib/libcudart.so.12"),)))
    nvml = _nvml_down("lib_rm_version_mismatch", "Driver/library version mismatch")
    # Intel VT-d is off unless the kernel command line turns it on: no IOMMU groups.
    inter = _interconnect(nvml, numa=-1, cpus="0-19", groups=0, bridges=1,
                          iommu=Reading.of("off", "the kernel has no IOMMU groups"))
    return Facts(
        envcheck_version="0.1.0", collected_at=COLLECTED_AT, source="snapshot", redacted=True, host=host,
        pci=PciFacts(ok((gpu, _audio("0000:01:00.1", 0x1AEF, gpu)))), driver=driver,
        nvml=nvml, toolkit=toolkit, python=python, torch=_no_cuda_checks(torch), env=env(), interconnect=inter)


def docker_no_gpus() -> Facts:
    host = HostFacts(
        os_id=ok("debian"), os_version=ok("12"), os_pretty=ok("Debian GNU/Linux 12 (bookworm)"),
        kernel=ok("6.8.0-49-generic"), arch=ok("x86_64"), cpu_model=ok("AMD EPYC 7763 64-Core Processor"),
        cpu_count=ok(128), ram_total_bytes=ok(1007 * GiB), ram_available_bytes=ok(950 * GiB),
        cache_dir=ok("/root/.cache/envcheck"), cache_disk_free_bytes=ok(380 * GiB), shm_total_bytes=ok(64 * MiB),
        container=ok("docker"), container_gpus=fail("not_supported", "a container's start command is not visible from inside it"),
        wsl=ok("none"), secure_boot=fail("not_found", "no EFI variables in the container"),
        in_vm=ok("none"))
    gpu = pci_gpu("0000:17:00.0", driver="nvidia", device_id=0x20B2, current_link_speed="16.0 GT/s PCIe",
                  max_link_speed="16.0 GT/s PCIe", current_link_width=16, max_link_width=16)
    driver = DriverFacts(
        loaded_modules=ok(("nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm")),
        kernel_module_version=ok("570.133.20"),
        userspace_library_version=fail("not_found", "libnvidia-ml.so.1 not found"),
        installed_module_versions=ok(()), device_nodes=ok(()),
        xid_events=fail("no_permission", "dmesg: read kernel buffer failed: Operation not permitted"),
        module_load_errors=fail("no_permission", "dmesg: read kernel buffer failed: Operation not permitted"),
        persistenced_running=ok(False), fabric_manager_running=ok(False),
        nvidia_smi_path=fail("not_found", "nvidia-smi: command not found"))
    toolkit = _no_toolkit()
    pkgs = _packages(torch="2.8.0", torchvision="0.23.0", triton="3.4.0", numpy="2.1.2",
                     nvidia_cublas_cu12="12.8.4.1", nvidia_cuda_cupti_cu12="12.8.90",
                     nvidia_cuda_nvrtc_cu12="12.8.93", nvidia_cuda_runtime_cu12="12.8.90",
                     nvidia_cudnn_cu12="9.10.2.21", nvidia_cufft_cu12="11.3.3.83", nvidia_curand_cu12="10.3.9.90",
                     nvidia_cusolver_cu12="11.7.3.90", nvidia_cusparse_cu12="12.5.8.93", nvidia_nccl_cu12="2.27.3",
                     nvidia_nvjitlink_cu12="12.8.93", nvidia_nvtx_cu12="12.8.90")
    python = PythonFacts(executable=ok("/usr/local/bin/python3"), version=ok("3.12.7"), env_kind=ok("system"),
                         env_path=ok("/usr/local"), packages=ok(pkgs))
    torch = TorchFacts(
        installed=ok(True), version=ok("2.8.0"), import_error=fail("not_found"), loader_errors=ok(()), cuda_build=ok("12.8"),
        hip_build=fail("not_found"), cudnn_version=ok(91002), cudnn_compiled_version=ok(91002),
        arch_list=ok(("sm_70", "sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120")), cuda_available=ok(False),
        device_count=ok(0), devices=ok(()),
        warnings=ok(("CUDA initialization: Found no NVIDIA driver on your system. Please check that you have an "
                     "NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx",)),
        errors=ok(()), nccl_version=ok("2.27.3"), probe_seconds=ok(1.9),
        loaded_libraries=ok((LoadedLibrary("libcudart.so.12", "/usr/local/lib/python3.12/site-packages/"
                                                               "nvidia/cuda_runtime/lib/libcudart.so.12"),)))
    nvml = _nvml_down("library_not_found", "NVML Shared Library Not Found")
    # The host's sysfs, read-only in the container: the SXM A100 behind a root port and a
    # PCIe switch (three bridges, their extended space closed to a root without
    # CAP_SYS_ADMIN), the host booted with iommu=pt.
    inter = _interconnect(nvml, numa=0, cpus="0-127", groups=85, bridges=3,
                          iommu=Reading.of("passthrough", "GPU 0000:17:00.0: IOMMU group type identity"))
    return Facts(
        envcheck_version="0.1.0", collected_at=COLLECTED_AT, source="snapshot", redacted=True, host=host,
        pci=PciFacts(ok((gpu,))), driver=driver, nvml=nvml, toolkit=toolkit, python=python,
        torch=_no_cuda_checks(torch), env=env(), interconnect=inter)


MACHINES: Dict[str, Callable[[], Facts]] = {
    "fresh_2404_rtx4090_nouveau": fresh_2404_rtx4090_nouveau,
    "ubuntu2204_driver_mismatch": ubuntu2204_driver_mismatch,
    "docker_no_gpus": docker_no_gpus,
}


def path_of(name: str) -> Path:
    return MACHINES_DIR / f"{name}.json"


def main() -> None:
    from envcheck import snapshot

    for name, build in MACHINES.items():
        snapshot.save(build(), path_of(name))
        print(f"wrote {path_of(name)}")


if __name__ == "__main__":
    main()
