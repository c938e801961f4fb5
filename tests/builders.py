"""Build Facts for scenario tests in one line: ``machine(gpus=[gpu("H100", "9.0")], torch=torch_build("2.13.0+cu130"))``.

Anything not given stays ``unknown``, exactly like a partial source; use the
``healthy_*`` helpers for a fully read, problem-free machine and override one thing.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Iterable, Optional, Sequence

from envcheck.facts import (
    DeviceNode,
    DriverFacts,
    EnvFacts,
    Facts,
    GpuFacts,
    HostFacts,
    NvmlFacts,
    PciDevice,
    PciFacts,
    PythonFacts,
    PythonPackage,
    TorchDevice,
    TorchFacts,
)
from envcheck.reading import Reading, Status

ok = Reading.of


def fail(status: str, detail: Optional[str] = None) -> Reading:
    return Reading.fail(Status(status), detail)


def gpu(name: str = "NVIDIA H100 80GB HBM3", cc: Optional[str] = "9.0", index: int = 0, **fields) -> GpuFacts:
    """A healthy GPU as NVML reads it; override any field with a value or a Reading."""
    base = dict(
        name=ok(name), uuid=ok(f"GPU-{index:08d}-0000-0000-0000-000000000000"), pci_bus_id=ok(f"00000000:{index + 1:02X}:00.0"),
        memory_total_bytes=ok(80 * 2**30), memory_used_bytes=ok(2**20), utilization_gpu_pct=ok(0), temp_c=ok(35),
        temp_slowdown_c=ok(87), temp_shutdown_c=ok(92), temp_max_operating_c=ok(85), power_draw_w=ok(70.0),
        power_limit_w=ok(700.0), clock_sm_mhz=ok(345), clock_mem_mhz=ok(2619), clock_sm_max_mhz=ok(1980),
        clock_mem_max_mhz=ok(2619), pstate=ok(0), clock_event_reasons=ok(("gpu_idle",)), pcie_gen_current=ok(5),
        pcie_gen_max=ok(5), pcie_width_current=ok(16), pcie_width_max=ok(16), pcie_replay_count=ok(0),
        ecc_mode_current=ok(True), ecc_volatile_corrected=ok(0), ecc_volatile_uncorrected=ok(0),
        ecc_aggregate_corrected=ok(0), ecc_aggregate_uncorrected=ok(0), retired_pages_sbe=ok(0), retired_pages_dbe=ok(0),
        retired_pages_pending=ok(False), remapped_rows_correctable=ok(0), remapped_rows_uncorrectable=ok(0),
        remapped_rows_pending=ok(False), remapped_rows_failed=ok(False), persistence_mode=ok(True),
        mig_mode_current=ok(False), display_active=ok(False), processes=ok(()),
    )
    if cc is not None:
        base["compute_capability"] = ok(cc)
    for k, v in fields.items():
        base[k] = v if isinstance(v, Reading) or k == "status" else ok(v)
    return GpuFacts(index=index, **base)


def pci_gpu(address: str = "0000:01:00.0", driver: str = "nvidia", device_id: int = 0x2330, **fields) -> PciDevice:
    return PciDevice(address=address, vendor_id=0x10DE, device_id=device_id, class_code=0x030200,
                     driver=ok(driver), **{k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()})


def nodes(*paths: str, accessible: bool = True) -> Reading:
    return ok(tuple(DeviceNode(p, True, 0o666, "root", accessible) for p in paths))


HEALTHY_NODES = ("/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools")


def healthy_host(**fields) -> HostFacts:
    base = dict(os_id=ok("ubuntu"), os_version=ok("24.04"), os_pretty=ok("Ubuntu 24.04.1 LTS"), kernel=ok("6.8.0-45-generic"),
                arch=ok("x86_64"), cpu_count=ok(16), ram_total_bytes=ok(64 * 2**30), ram_available_bytes=ok(60 * 2**30),
                cache_dir=ok("/home/USER/.cache/envcheck"), cache_disk_free_bytes=ok(200 * 2**30),
                shm_total_bytes=ok(32 * 2**30), container=ok("none"),
                container_gpus=Reading.fail(Status.NOT_SUPPORTED, "a container's start command is not visible from inside it"),
                wsl=ok("none"), secure_boot=ok(False), in_vm=ok("none"))
    base.update({k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()})
    return HostFacts(**base)


def healthy_driver(version: str = "580.95.05", **fields) -> DriverFacts:
    base = dict(loaded_modules=ok(("nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm")), kernel_module_version=ok(version),
                userspace_library_version=ok(version), installed_module_versions=ok((version,)),
                device_nodes=nodes(*HEALTHY_NODES), xid_events=ok(()), module_load_errors=ok(()),
                persistenced_running=ok(True), fabric_manager_running=ok(False), nvidia_smi_path=ok("/usr/bin/nvidia-smi"))
    base.update({k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()})
    return DriverFacts(**base)


def nvml(gpus: Sequence[GpuFacts] = (), driver: str = "580.95.05", cuda: str = "13.0") -> NvmlFacts:
    return NvmlFacts(init=ok(True), driver_version=ok(driver), nvml_version=ok("13." + driver),
                     cuda_driver_version=ok(cuda), gpus=ok(tuple(gpus)))


def nvml_failed(error: str, detail: str = "") -> NvmlFacts:
    status = {"library_not_found": "not_found", "no_permission": "no_permission"}.get(error, "error")
    return NvmlFacts(init=fail(status, detail or error), init_error=error)


def python_env(version: str = "3.12.3", packages: Dict[str, str] = None, env_kind: str = "venv") -> PythonFacts:
    pk = tuple(PythonPackage(n, v) for n, v in (packages or {}).items())
    return PythonFacts(executable=ok("/home/USER/venv/bin/python"), version=ok(version), env_kind=ok(env_kind),
                       env_path=ok("/home/USER/venv"), packages=ok(pk))


def torch_build(version: str = "2.13.0+cu130", cuda: Optional[str] = "13.0", cudnn: Optional[int] = 92000,
                arch_list: Iterable[str] = ("sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120", "compute_120"),
                available: Optional[bool] = True, devices: Sequence[TorchDevice] = (), **fields) -> TorchFacts:
    base = dict(installed=ok(True), version=ok(version),
                cuda_build=ok(cuda) if cuda else fail("not_found", "CPU-only build"),
                cudnn_version=ok(cudnn) if cudnn else fail("not_found"),
                arch_list=ok(tuple(arch_list)) if cuda else ok(()),
                cuda_available=ok(available) if available is not None else Reading(),
                device_count=ok(len(devices)) if available is not None else Reading(), devices=ok(tuple(devices)))
    base.update({k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()})
    return TorchFacts(**base)


def env(**variables: str) -> EnvFacts:
    return EnvFacts(ok(dict(variables)))


def machine(**groups) -> Facts:
    """Facts with the given groups; the rest unknown. ``gpus=[...]`` is a shortcut for ``nvml=nvml(gpus)``."""
    if "gpus" in groups:
        groups["nvml"] = nvml(groups.pop("gpus"))
    return Facts(**groups)


def healthy_machine(**groups) -> Facts:
    """A fully read H100 machine with a matching driver and torch, no problems; override groups."""
    g = gpu()
    base = dict(host=healthy_host(), pci=PciFacts(ok((pci_gpu(),))), driver=healthy_driver(), nvml=nvml([g]),
                python=python_env(packages={"torch": "2.13.0+cu130"}),
                torch=torch_build(devices=[TorchDevice(0, "NVIDIA H100 80GB HBM3", "9.0", 80 * 2**30, 132)],
                                  kernel_check=True, conv_check_max_rel_err=1e-7, conv_check_passed=True),
                env=env())
    base.update(groups)
    return Facts(**base)


def with_gpu(facts: Facts, **fields) -> Facts:
    """Replace fields of GPU 0 in ``facts``."""
    g = dataclasses.replace(facts.gpus[0], **{k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()})
    return dataclasses.replace(facts, nvml=dataclasses.replace(facts.nvml, gpus=ok((g,) + facts.gpus[1:])))
