"""OS, PCI, kernel-driver, container, WSL and NVSwitch rules: fire when they should, stay silent
otherwise, and print the right commands for Ubuntu and for Fedora."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.facts import DeviceNode, DriverFacts, Facts, HostFacts, PciDevice, PciFacts, TorchFacts
from envcheck.rules import Severity, evaluate
from envcheck.rules import hosting as h
from envcheck.rules import platform as p
from tests.builders import (
    env,
    fail,
    gpu,
    healthy_driver,
    healthy_host,
    healthy_machine,
    machine,
    nodes,
    nvml_failed,
    ok,
    pci_gpu,
    python_env,
    torch_build,
)
from tests.rules import fix, fix_text, one, run

PLATFORM_RULES = [p.no_nvidia_gpu_found, p.gpu_present_driver_missing, p.nouveau_bound, p.driver_not_loaded_secure_boot,
                  p.driver_kernel_module_not_loaded, p.nvml_driver_library_mismatch, p.nvidia_uvm_missing,
                  p.device_node_permissions, h.container_missing_gpus_flag, h.wsl1_no_gpu_support,
                  h.fabric_manager_not_running]

FEDORA = dict(os_id="fedora", os_version="41", os_pretty="Fedora Linux 41")


@pytest.mark.parametrize("rule", PLATFORM_RULES, ids=lambda r: r.__name__)
def test_silent_on_unknown_and_on_a_healthy_machine(rule):
    assert run(rule, Facts()) == []
    assert run(rule, healthy_machine()) == []


def no_driver_installed() -> DriverFacts:
    return DriverFacts(userspace_library_version=fail("not_found"), installed_module_versions=ok(()),
                       nvidia_smi_path=fail("not_found"), kernel_module_version=fail("not_found"),
                       loaded_modules=ok(("snd_hda_intel",)))


# --------------------------------------------------------------------------- no_nvidia_gpu_found
def test_no_gpu_on_the_bus_is_info():
    facts = machine(pci=PciFacts(ok(())))
    f = one(p.no_nvidia_gpu_found, facts)
    assert f.severity is Severity.INFO and "grep -l 0x10de /sys/bus/pci/devices/*/vendor" in fix(f, facts)


def test_nvidia_audio_function_alone_is_not_a_gpu():
    audio = PciDevice("0000:01:00.1", 0x10DE, 0x22BA, 0x040300)
    f = one(p.no_nvidia_gpu_found, machine(pci=PciFacts(ok((audio,)))))
    assert "none of them a GPU" in f.explanation


def test_no_gpu_on_the_bus_but_nvml_sees_one_is_silent():
    assert run(p.no_nvidia_gpu_found, machine(pci=PciFacts(ok(())), gpus=[gpu()])) == []


# --------------------------------------------------------------------------- gpu_present_driver_missing
def test_unbound_gpu_without_driver_fires_with_install_commands():
    facts = machine(pci=PciFacts(ok((pci_gpu(driver="none"),))), driver=no_driver_installed(), host=healthy_host())
    f = one(p.gpu_present_driver_missing, facts)
    assert f.severity is Severity.ERROR and "0000:01:00.0" in f.explanation
    assert any(c.startswith("sudo ubuntu-drivers install") for c in fix(f, facts))
    fedora = dataclasses.replace(facts, host=healthy_host(**FEDORA))
    assert "sudo dnf install -y akmod-nvidia xorg-x11-drv-nvidia-cuda" in fix(one(p.gpu_present_driver_missing, fedora),
                                                                             fedora)


def test_unbound_gpu_with_install_state_unknown_still_fires():
    assert one(p.gpu_present_driver_missing, machine(pci=PciFacts(ok((pci_gpu(driver="none"),)))))


def test_unbound_gpu_with_driver_installed_is_the_module_rule_instead():
    facts = machine(pci=PciFacts(ok((pci_gpu(driver="none"),))),
                    driver=healthy_driver(loaded_modules=ok(("snd_hda_intel",)), kernel_module_version=fail("not_found")))
    assert run(p.gpu_present_driver_missing, facts) == []
    assert one(p.driver_kernel_module_not_loaded, facts).severity is Severity.ERROR


# --------------------------------------------------------------------------- nouveau_bound
def test_nouveau_bound_blacklists_and_rebuilds_initramfs_per_distro():
    facts = machine(pci=PciFacts(ok((pci_gpu(driver="nouveau"),))), host=healthy_host(), driver=no_driver_installed())
    f = one(p.nouveau_bound, facts)
    text = fix_text(f, facts)
    assert "blacklist nouveau" in text and "sudo update-initramfs -u" in text and "sudo ubuntu-drivers install" in text
    assert fix(f, facts)[-1] == "sudo reboot" and fix(f, facts).count("sudo reboot") == 1
    fedora_facts = dataclasses.replace(facts, host=healthy_host(**FEDORA))
    fedora = fix_text(one(p.nouveau_bound, fedora_facts), fedora_facts)
    assert "sudo dracut --force" in fedora and "grubby" in fedora and "update-initramfs" not in fedora


def test_nova_core_is_blocked_too():
    facts = machine(pci=PciFacts(ok((pci_gpu(driver="nova_core"),))))
    assert "blacklist nova_core" in fix_text(one(p.nouveau_bound, facts), facts)


def test_nouveau_module_loaded_counts_only_without_a_pci_reading():
    mods = DriverFacts(loaded_modules=ok(("nouveau", "drm")))
    assert one(p.nouveau_bound, machine(driver=mods))
    # The PCI bus was read and the GPU is on nvidia: a loaded nouveau module drives nothing of ours.
    assert run(p.nouveau_bound, machine(driver=mods, pci=PciFacts(ok((pci_gpu(),))))) == []


# --------------------------------------------------------------------------- module not loaded / Secure Boot
def test_pasted_nvidia_smi_failure_fires_module_and_secure_boot_warning():
    # "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver" (shared/realcases 38, 39)
    facts = machine(nvml=nvml_failed("driver_not_loaded"))
    mod = one(p.driver_kernel_module_not_loaded, facts)
    assert mod.severity is Severity.ERROR
    assert "sudo dkms autoinstall -k $(uname -r)" in fix(mod, facts)
    assert fix(mod, facts)[-2:] == ("sudo modprobe nvidia", "nvidia-smi")
    assert "distribution was not read" in fix_text(mod, facts)  # os-release unknown: Ubuntu assumed, and said so
    sb = one(p.driver_not_loaded_secure_boot, facts)
    assert sb.severity is Severity.WARNING and fix(sb, facts)[0] == "mokutil --sb-state"
    assert "sudo mokutil --import /var/lib/shim-signed/mok/MOK.der" in fix_text(sb, facts)


def test_secure_boot_known_off_is_silent():
    facts = machine(nvml=nvml_failed("driver_not_loaded"), host=HostFacts(secure_boot=ok(False)))
    assert run(p.driver_not_loaded_secure_boot, facts) == []
    assert one(p.driver_kernel_module_not_loaded, facts)


def live_unloaded(**host) -> Facts:
    """A live Ubuntu machine after a kernel update: driver 580 installed, module not loaded."""
    return healthy_machine(host=healthy_host(**host),
                           pci=PciFacts(ok((pci_gpu(driver="none"),))), nvml=nvml_failed("driver_not_loaded"),
                           driver=healthy_driver(loaded_modules=ok(("snd_hda_intel",)),
                                                 kernel_module_version=fail("not_found"),
                                                 device_nodes=ok(()), module_load_errors=ok(())))


def test_secure_boot_on_with_refusal_in_the_log_is_an_error():
    base = live_unloaded(secure_boot=True)
    facts = dataclasses.replace(base, driver=dataclasses.replace(
        base.driver, module_load_errors=ok(("modprobe: ERROR: could not insert 'nvidia': Key was rejected by service",))))
    f = one(p.driver_not_loaded_secure_boot, facts)
    assert f.severity is Severity.ERROR and "Key was rejected" in f.explanation
    assert "sudo apt-get install -y linux-modules-nvidia-580-server-open-6.8.0-45-generic" in fix(f, facts)


def test_secure_boot_on_with_clean_log_is_a_warning_and_unknown_log_an_error():
    assert one(p.driver_not_loaded_secure_boot, live_unloaded(secure_boot=True)).severity is Severity.WARNING
    base = live_unloaded(secure_boot=True)
    unread = dataclasses.replace(base, driver=dataclasses.replace(base.driver, module_load_errors=fail("no_permission")))
    assert one(p.driver_not_loaded_secure_boot, unread).severity is Severity.ERROR


def test_tainting_message_is_not_a_refusal():
    # Printed when signature enforcement is off: the module loaded anyway.
    line = "nvidia: module verification failed: signature and/or required key missing - tainting kernel"
    facts = healthy_machine(driver=healthy_driver(module_load_errors=ok((line,))))
    assert run(p.driver_not_loaded_secure_boot, facts) == []


def test_stale_refusal_is_ignored_once_nvml_works():
    facts = healthy_machine(driver=healthy_driver(module_load_errors=ok(("Loading of unsigned module is rejected",))))
    assert run(p.driver_not_loaded_secure_boot, facts) == []


def test_secure_boot_fix_on_fedora_enrolls_the_akmods_key():
    facts = live_unloaded(secure_boot=True, **FEDORA)
    text = fix_text(one(p.driver_not_loaded_secure_boot, facts), facts)
    assert "sudo kmodgenca -a" in text and "sudo mokutil --import /etc/pki/akmods/certs/public_key.der" in text
    assert "apt" not in text


def test_live_module_not_loaded_gives_kernel_matching_package_and_dkms():
    facts = live_unloaded()
    f = one(p.driver_kernel_module_not_loaded, facts)
    assert "sudo apt-get install -y linux-modules-nvidia-580-server-open-6.8.0-45-generic" in fix(f, facts)
    assert "sudo apt-get install -y linux-headers-6.8.0-45-generic" in fix(f, facts)
    assert "580.95.05" in f.explanation and "6.8.0-45-generic" in f.explanation
    fedora_facts = live_unloaded(**FEDORA)
    fedora = one(p.driver_kernel_module_not_loaded, fedora_facts)
    assert "sudo akmods --force --kernels 6.8.0-45-generic" in fix(fedora, fedora_facts)
    assert "apt" not in fix_text(fedora, fedora_facts)


def test_module_absent_without_a_gpu_or_under_wsl_is_silent():
    no_gpu = machine(pci=PciFacts(ok(())), driver=healthy_driver(loaded_modules=ok(())),
                     nvml=nvml_failed("driver_not_loaded"))  # driver packages left on a machine without a GPU
    assert run(p.driver_kernel_module_not_loaded, no_gpu) == []
    assert run(p.driver_not_loaded_secure_boot, no_gpu) == []
    # WSL 2 has no nvidia kernel module at all; the GPU is reached through /dev/dxg.
    wsl = healthy_machine(host=healthy_host(wsl="wsl2"), pci=PciFacts(ok(())),
                          driver=healthy_driver(loaded_modules=ok(())))
    assert run(p.driver_kernel_module_not_loaded, wsl) == []
    assert run(p.nvidia_uvm_missing, wsl) == []


# --------------------------------------------------------------------------- version mismatch
def test_pasted_version_mismatch_fires():
    # "Failed to initialize NVML: Driver/library version mismatch" (shared/realcases case_22)
    facts = machine(nvml=nvml_failed("lib_rm_version_mismatch"))
    f = one(p.nvml_driver_library_mismatch, facts)
    assert "sudo reboot" in fix(f, facts) and "sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia" in fix(f, facts)
    assert any("apt-mark hold" in c for c in fix(f, facts))


def test_module_and_library_versions_that_differ_fire_with_both_versions():
    facts = healthy_machine(host=healthy_host(**FEDORA), nvml=nvml_failed("unknown"), driver=healthy_driver(
        kernel_module_version=ok("550.90.07"), userspace_library_version=ok("550.107.02")))
    f = one(p.nvml_driver_library_mismatch, facts)
    # NVML working proves the loaded module and the library it loaded agree.
    assert run(p.nvml_driver_library_mismatch, dataclasses.replace(facts, nvml=healthy_machine().nvml)) == []
    assert "550.90.07" in f.explanation and "550.107.02" in f.explanation
    assert any("dnf versionlock add" in c for c in fix(f, facts)) and "apt-mark" not in fix_text(f, facts)


# --------------------------------------------------------------------------- nvidia-uvm
def test_uvm_missing_after_cuda_failed_is_an_error():
    facts = healthy_machine(driver=healthy_driver(loaded_modules=ok(("nvidia", "nvidia_drm"))),
                            torch=torch_build(available=False))
    f = one(p.nvidia_uvm_missing, facts)
    assert f.severity is Severity.ERROR and fix(f, facts)[0] == "sudo modprobe nvidia-uvm"


def test_uvm_not_loaded_yet_without_a_cuda_failure_is_info():
    facts = healthy_machine(driver=healthy_driver(loaded_modules=ok(("nvidia",))))
    assert one(p.nvidia_uvm_missing, facts).severity is Severity.INFO


def test_uvm_node_missing_fires():
    facts = healthy_machine(driver=healthy_driver(device_nodes=nodes("/dev/nvidiactl", "/dev/nvidia0")))
    assert "/dev/nvidia-uvm missing" in str(one(p.nvidia_uvm_missing, facts).evidence)


# --------------------------------------------------------------------------- device nodes
def test_node_owned_by_a_group_suggests_joining_it():
    bad = ok((DeviceNode("/dev/nvidiactl", True, 0o660, "video", False), DeviceNode("/dev/nvidia0", True, 0o660, "video", False)))
    facts = healthy_machine(driver=healthy_driver(device_nodes=bad))
    f = one(p.device_node_permissions, facts)
    assert 'sudo usermod -aG video "$USER"' in fix(f, facts) and "/dev/nvidia0" in f.explanation
    assert "NVreg_DeviceFileMode" not in fix_text(f, facts)


def test_root_only_node_suggests_device_file_mode():
    bad = ok((DeviceNode("/dev/nvidia0", True, 0o600, "root", False),))
    facts = healthy_machine(host=healthy_host(**FEDORA), driver=healthy_driver(device_nodes=bad))
    f = one(p.device_node_permissions, facts)
    assert "NVreg_DeviceFileMode=0666" in fix_text(f, facts) and "sudo dracut --force" in fix(f, facts)
    assert "sudo chmod 0666 /dev/nvidia0" in fix(f, facts) and "usermod" not in fix_text(f, facts)


def test_unrelated_node_is_ignored():
    odd = ok((DeviceNode("/dev/nvidia-modeset", True, 0o600, "root", False),))
    assert run(p.device_node_permissions, healthy_machine(driver=healthy_driver(device_nodes=odd))) == []


# --------------------------------------------------------------------------- containers
def test_docker_container_without_gpus_fires():
    # nvidia-smi: command not found inside a container started without --gpus (shared/realcases case_18)
    facts = machine(host=HostFacts(container=ok("docker")), nvml=nvml_failed("library_not_found"),
                    driver=DriverFacts(nvidia_smi_path=fail("not_found")))
    f = one(h.container_missing_gpus_flag, facts)
    assert f.severity is Severity.ERROR and "docker run --rm --gpus all ubuntu nvidia-smi" in fix(f, facts)


def test_container_without_device_nodes_fires_with_runtime_specific_fix():
    facts = machine(host=HostFacts(container=ok("podman")), driver=DriverFacts(device_nodes=ok(())))
    podman = fix(one(h.container_missing_gpus_flag, facts), facts)
    assert "podman run --rm --device nvidia.com/gpu=all <image> nvidia-smi" in podman
    assert not any("--runtime=docker" in c for c in podman)


def test_container_on_a_host_with_a_gpu_names_the_pci_device():
    facts = machine(host=HostFacts(container=ok("docker")), pci=PciFacts(ok((pci_gpu(driver="nvidia"),))),
                    driver=DriverFacts(device_nodes=ok(())), nvml=nvml_failed("library_not_found"))
    f = one(h.container_missing_gpus_flag, facts)
    assert ("pci.devices", "0000:01:00.0 [10de:2330]") in [(e.fact, e.value) for e in f.evidence]


def test_container_on_a_host_without_any_nvidia_gpu_is_silent():
    # This very CI machine: a docker container whose PCI bus (the host's) has no NVIDIA device.
    facts = machine(host=HostFacts(container=ok("docker")), pci=PciFacts(ok(())), driver=DriverFacts(device_nodes=ok(())),
                    nvml=nvml_failed("library_not_found"))
    assert run(h.container_missing_gpus_flag, facts) == []


def test_container_with_gpus_or_no_container_is_silent():
    assert run(h.container_missing_gpus_flag, healthy_machine(host=healthy_host(container="docker"))) == []
    assert run(h.container_missing_gpus_flag, machine(host=HostFacts(container=ok("none")),
                                                      nvml=nvml_failed("library_not_found"))) == []
    assert run(h.container_missing_gpus_flag, machine(host=HostFacts(container=ok("docker")))) == []


# --------------------------------------------------------------------------- WSL
def test_wsl1_is_an_error():
    facts = machine(host=HostFacts(wsl=ok("wsl1")))
    f = one(h.wsl1_no_gpu_support, facts)
    assert f.severity is Severity.ERROR and "wsl --set-version <wsl_distro> 2" in fix(f, facts)


def test_wsl_of_unknown_version_without_a_driver_is_a_warning():
    # "RuntimeError: Found no NVIDIA driver on your system." under WSL (shared/realcases case_21)
    facts = machine(host=HostFacts(wsl=ok("wsl")),
                    torch=torch_build(available=False, errors=("RuntimeError: Found no NVIDIA driver on your system.",)),
                    env=env(WSL_DISTRO_NAME="Ubuntu-22.04"))
    f = one(h.wsl1_no_gpu_support, facts)
    assert f.severity is Severity.WARNING and "wsl -l -v" in fix(f, facts)
    assert "wsl --set-version Ubuntu-22.04 2" in fix(f, facts)
    assert one(h.wsl1_no_gpu_support, machine(host=HostFacts(wsl=ok("wsl")), nvml=nvml_failed("library_not_found")))


def test_wsl2_or_working_wsl_is_silent():
    assert run(h.wsl1_no_gpu_support, machine(host=HostFacts(wsl=ok("wsl2")), nvml=nvml_failed("library_not_found"))) == []
    assert run(h.wsl1_no_gpu_support, machine(host=HostFacts(wsl=ok("wsl")), gpus=[gpu()])) == []
    assert run(h.wsl1_no_gpu_support, machine(host=HostFacts(wsl=ok("wsl")))) == []


# --------------------------------------------------------------------------- Fabric Manager
def nvswitch(i: int) -> PciDevice:
    return PciDevice(f"0000:{0x80 + i:02x}:00.0", 0x10DE, 0x22A3, 0x068000)


def test_nvswitch_without_fabric_manager_fires_with_matching_package():
    facts = healthy_machine(pci=PciFacts(ok((pci_gpu(), nvswitch(0), nvswitch(1)))))
    f = one(h.fabric_manager_not_running, facts)
    assert f.severity is Severity.ERROR
    assert "sudo apt-get install -y nvidia-fabricmanager-580 libnvidia-nscq-580" in fix(f, facts)
    assert "sudo systemctl enable --now nvidia-fabricmanager" in fix(f, facts) and "580.95.05" in f.explanation
    fedora_facts = dataclasses.replace(facts, host=healthy_host(**FEDORA))
    fedora = one(h.fabric_manager_not_running, fedora_facts)
    assert "sudo dnf install -y nvidia-fabricmanager-580" in fix(fedora, fedora_facts)


def test_nvswitch_with_fabric_manager_state_unknown_needs_the_cuda_error():
    facts = machine(pci=PciFacts(ok((pci_gpu(), nvswitch(0)))))
    assert run(h.fabric_manager_not_running, facts) == []
    with_error = dataclasses.replace(facts, torch=torch_build(
        available=False, errors=("RuntimeError: CUDA error: system not yet initialized",)))
    assert one(h.fabric_manager_not_running, with_error).severity is Severity.ERROR


def test_eight_hgx_gpus_without_a_pci_reading_is_a_warning():
    gpus = [gpu("NVIDIA H100 80GB HBM3", index=i) for i in range(8)]
    facts = machine(gpus=gpus, driver=DriverFacts(fabric_manager_running=ok(False)))
    assert one(h.fabric_manager_not_running, facts).severity is Severity.WARNING
    pcie = machine(gpus=[gpu("NVIDIA H100 PCIe", index=i) for i in range(8)],
                   driver=DriverFacts(fabric_manager_running=ok(False)))
    assert run(h.fabric_manager_not_running, pcie) == []


def test_inside_a_container_the_hosts_fabric_manager_is_invisible():
    # The container sees the host's NVSwitches in sysfs but not the host's processes.
    facts = healthy_machine(host=healthy_host(container="docker"), pci=PciFacts(ok((pci_gpu(), nvswitch(0)))))
    assert run(h.fabric_manager_not_running, facts) == []
    with_error = dataclasses.replace(facts, torch=torch_build(
        available=False, errors=("RuntimeError: CUDA error: system not yet initialized",)))
    f = one(h.fabric_manager_not_running, with_error)
    assert "on the host" in f.explanation and ("host.container", "docker") in [(e.fact, e.value) for e in f.evidence]


def test_fabric_manager_running_is_silent():
    facts = healthy_machine(pci=PciFacts(ok((pci_gpu(), nvswitch(0)))),
                            driver=healthy_driver(fabric_manager_running=ok(True)))
    assert run(h.fabric_manager_not_running, facts) == []


def test_unknown_distribution_gets_instructions_not_wrong_commands():
    facts = healthy_machine(host=healthy_host(os_id="arch"), pci=PciFacts(ok((pci_gpu(), nvswitch(0)))))
    f = one(h.fabric_manager_not_running, facts)
    assert not any(c.startswith(("sudo apt", "sudo dnf")) for c in fix(f, facts))


# --------------------------------------------------------------------------- through the engine
def test_engine_on_a_healthy_machine_has_no_error_or_warning():
    ev = evaluate(healthy_machine())
    assert ev.failures == ()
    assert [f.id for f in ev.findings if f.severity is not Severity.INFO] == []


def test_engine_on_unknown_facts_is_silent():
    ev = evaluate(Facts())
    assert ev.failures == () and ev.findings == ()


# Scenarios shaped like what `envcheck explain` makes of the real reports in ../shared/realcases
# (pasted text -> partial facts), with the finding each must produce.
REAL_CASES = {
    "case_18 nvidia-smi not found in a container": (
        machine(host=HostFacts(container=ok("docker")), nvml=nvml_failed("library_not_found"),
                driver=DriverFacts(nvidia_smi_path=fail("not_found"))), "container_missing_gpus_flag"),
    "case_21 Found no NVIDIA driver under WSL": (
        machine(host=HostFacts(wsl=ok("wsl")),
                torch=TorchFacts(errors=ok(("RuntimeError: Found no NVIDIA driver on your system.",)))),
        "wsl1_no_gpu_support"),
    "case_22 Driver/library version mismatch": (
        machine(nvml=nvml_failed("lib_rm_version_mismatch"),
                driver=DriverFacts(kernel_module_version=ok("550.90.07"), userspace_library_version=ok("550.107.02"))),
        "nvml_driver_library_mismatch"),
    "case_26 CUDA_VISIBLE_DEVICES=2 with one GPU": (
        machine(gpus=[gpu("TITAN X (Pascal)", "6.1")], env=env(CUDA_VISIBLE_DEVICES="2"),
                torch=TorchFacts(errors=ok(("no CUDA-capable device is detected",)))),
        "cuda_visible_devices_hides_gpus"),
    "case_38 NVIDIA-SMI has failed, Secure Boot on Fedora": (
        machine(nvml=nvml_failed("driver_not_loaded"), host=HostFacts(os_id=ok("fedora"))),
        "driver_not_loaded_secure_boot"),
    "case_39 NVIDIA-SMI has failed, module not built": (
        machine(nvml=nvml_failed("driver_not_loaded")), "driver_kernel_module_not_loaded"),
}


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_real_case_shapes_produce_their_finding(name):
    facts, expected = REAL_CASES[name]
    ev = evaluate(facts)
    assert ev.failures == ()
    assert expected in {f.id for f in ev.findings}


def test_every_issue2_id_is_produced_and_nothing_uncatalogued():
    from envcheck.facts import GpuProcess, XidEvent
    from envcheck.rules import CATALOGUE
    from tests.builders import with_gpu

    ids = list(CATALOGUE)
    issue2 = set(ids[ids.index("no_nvidia_gpu_found"):ids.index("nvml_unavailable") + 1])
    sick = with_gpu(healthy_machine(
        host=healthy_host(shm_total_bytes=64 * 2**20, cache_disk_free_bytes=2**30, container="docker"),
        pci=PciFacts(ok((pci_gpu(), PciDevice("0000:81:00.0", 0x10DE, 0x22A3, 0x068000)))),
        driver=healthy_driver(loaded_modules=ok(("nvidia",)), xid_events=ok((XidEvent(79, "PCI:0000:01:00"),)),
                              device_nodes=ok((DeviceNode("/dev/nvidia0", True, 0o600, "root", False),))),
        env=env(CUDA_VISIBLE_DEVICES="7", CUDA_LAUNCH_BLOCKING="1"),
        torch=torch_build(available=False, kernel_check=False, conv_check_max_rel_err=1.0)),
        pcie_gen_current=1, pcie_width_current=8, clock_event_reasons=("hw_slowdown",), ecc_volatile_uncorrected=1,
        retired_pages_pending=True, remapped_rows_pending=True, remapped_rows_failed=True,
        processes=(GpuProcess(9, ok("python"), ok(8 * 2**30)),))
    scenarios = [
        sick,
        machine(pci=PciFacts(ok(()))),
        machine(pci=PciFacts(ok((pci_gpu(driver="none"),))), nvml=nvml_failed("driver_not_loaded")),
        machine(pci=PciFacts(ok((pci_gpu(driver="nouveau"),)))),
        machine(nvml=nvml_failed("lib_rm_version_mismatch")),
        machine(host=HostFacts(container=ok("docker")), nvml=nvml_failed("library_not_found")),
        machine(host=HostFacts(wsl=ok("wsl1"))),
        machine(python=python_env(packages={})),
        machine(torch=TorchFacts(installed=ok(True), import_error=ok("ImportError: x"))),
        machine(torch=TorchFacts(installed=fail("timeout", "90 s")), nvml=nvml_failed("unknown")),
        machine(gpus=[gpu(status=fail("gpu_lost"))]),
        healthy_machine(pci=PciFacts(ok((pci_gpu(), PciDevice("0000:81:00.0", 0x10DE, 0x22A3, 0x068000))))),
    ]
    produced = set()
    for facts in scenarios:
        ev = evaluate(facts)
        assert ev.failures == ()
        produced |= {f.id for f in ev.findings}
    assert issue2 <= produced, sorted(issue2 - produced)


def test_another_modules_refusal_is_not_blamed_on_nvidia():
    line = "modprobe: ERROR: could not insert 'vboxdrv': Key was rejected by service"
    assert run(p.driver_not_loaded_secure_boot, machine(driver=DriverFacts(module_load_errors=ok((line,))))) == []
    unnamed = "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7"
    assert run(p.driver_not_loaded_secure_boot, machine(driver=DriverFacts(module_load_errors=ok((unnamed,))))) == []
    with_evidence = machine(nvml=nvml_failed("driver_not_loaded"), driver=DriverFacts(module_load_errors=ok((unnamed,))))
    assert one(p.driver_not_loaded_secure_boot, with_evidence).severity is Severity.ERROR
