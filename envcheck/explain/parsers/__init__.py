"""The parsers of ``envcheck explain``: one module per kind of pasted input.

Each is a pure function ``parse(Pasted) -> Found`` (see ``..partial``); ``PARSERS`` is
the one list of them. A new kind of input is a new module here and one line in
``PARSERS``; the support modules (reading the text, claims, merging) live one level up.
"""

from __future__ import annotations

from typing import Callable, Tuple

from ..partial import Found
from ..source import Pasted
from . import (
    cloud_instance,
    collect_env,
    comfy_startup,
    commands,
    container_device_grants,
    container_prose,
    cuda_said,
    dcgm,
    device_nodes,
    device_query,
    display_adapters,
    driver_prose,
    driver_text,
    ecc_prose,
    empty_dev_listing,
    env_info_dict,
    environment,
    error_messages,
    extension_reports,
    failures,
    framework_builds,
    framework_env,
    framework_gpu_reports,
    framework_packages,
    freetext,
    gpu_gone,
    gpu_processes,
    gpu_vendor_prose,
    held_memory_prose,
    host_health,
    hosted_runtime,
    install_commands,
    interactive,
    launcher_torch_check,
    library_prose,
    loader,
    lspci_link,
    mismatch_prose,
    module_load_prose,
    nccl_runtime,
    nouveau_signals,
    nvidia_smi,
    nvidia_smi_csv,
    nvidia_smi_nvlink,
    nvidia_smi_q,
    nvidia_smi_topo,
    nvidia_smi_version,
    nvidia_smi_xml,
    packages,
    pci,
    prose_state,
    python_torch_prose,
    resume_failure_prose,
    said_packages,
    system,
    throttle_prose,
    toolkit,
    toolkit_said,
    torch_build_prose,
    torch_config,
    torch_cpu_variant,
    torch_installs,
    uv_installed,
    visible_devices,
    visible_devices_configs,
    yolo_banner,
)

# Order does not decide anything (ranks and line numbers do); it only orders the
# "recognised" list.
PARSERS: Tuple[Callable[[Pasted], Found], ...] = (
    collect_env.parse, dcgm.parse, ecc_prose.parse, nvidia_smi.parse, nvidia_smi_q.parse, nvidia_smi_csv.parse, packages.parse,
    toolkit.parse, environment.parse, driver_text.parse, pci.parse, system.parse, error_messages.parse,
    framework_env.parse, interactive.parse, install_commands.parse, freetext.parse,
    nvidia_smi_version.parse, nvidia_smi_topo.parse, device_query.parse, nvidia_smi_nvlink.parse,
    nvidia_smi_xml.parse, loader.parse, commands.parse, prose_state.parse, failures.parse, device_nodes.parse,
    gpu_processes.parse, library_prose.parse, host_health.parse, gpu_gone.parse, lspci_link.parse, throttle_prose.parse, torch_build_prose.parse, driver_prose.parse,
    visible_devices.parse, container_prose.parse, display_adapters.parse, hosted_runtime.parse, torch_installs.parse,
    gpu_vendor_prose.parse, container_device_grants.parse, cloud_instance.parse,
    nouveau_signals.parse, resume_failure_prose.parse,
    held_memory_prose.parse,
    framework_packages.parse, torch_config.parse,
    cuda_said.parse, mismatch_prose.parse,
    module_load_prose.parse,
    nccl_runtime.parse, uv_installed.parse, visible_devices_configs.parse,
    torch_cpu_variant.parse,
    python_torch_prose.parse,
    framework_builds.parse,
    toolkit_said.parse,
    said_packages.parse,
    empty_dev_listing.parse,
    extension_reports.parse,
    comfy_startup.parse,
    env_info_dict.parse,
    yolo_banner.parse,
    launcher_torch_check.parse,
    framework_gpu_reports.parse,
)

__all__ = ["PARSERS"]
