"""Kernel driver text, lspci, OS / kernel / WSL / Secure Boot / container files."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import driver_text, pci, system
from envcheck.facts import XidEvent

from .helpers import details, gpu_fields, items, load, text, values


def test_dmesg_api_mismatch_and_xid():
    f = driver_text.parse(load("dmesg_mismatch_xid.txt"))
    v = values(f)
    assert v["driver.kernel_module_version"] == "535.154.05"
    assert v["driver.userspace_library_version"] == "535.183.01"
    assert v["driver.xid_events"] == (XidEvent(79, "0000:3b:00", "pid=2214, name=python, GPU has fallen off the bus."),)
    assert any("API mismatch" in e for e in items(f, "driver.module_load_errors"))


def test_xid_lines_of_old_drivers_and_without_text():
    f = driver_text.parse(text("[ 301.5] NVRM: Xid (0000:03:00): 13, 0001 00000000 0000a097 00001b0c 00000000\n"
                               "[ 302.7] NVRM: Xid (PCI:0000:03:00): 119"))
    assert values(f)["driver.xid_events"] == (XidEvent(13, "0000:03:00", "0001 00000000 0000a097 00001b0c 00000000"),
                                             XidEvent(119, "0000:03:00", ""))


def test_case_22_package_and_proc_version():
    f = driver_text.parse(text(
        "For instance, right now I've updated to nvidia-driver-550:amd64 550.107.02-0ubuntu0.24.04.1, but "
        "/proc/driver/nvidia/version reports NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  "
        "Fri May 31 09:35:42 UTC 2024."))
    v = values(f)
    assert v["driver.userspace_library_version"] == "550.107.02"
    assert v["driver.kernel_module_version"] == "550.90.07"
    assert "installed driver package" in details(f)["driver.userspace_library_version"]


def test_secure_boot_refusal_dkms_lsmod():
    f = driver_text.parse(load("secure_boot_refused.txt"))
    v = values(f)
    assert v["host.secure_boot"] is True
    assert items(f, "driver.module_load_errors") == ["modprobe: ERROR: could not insert 'nvidia': Key was rejected by service"]
    assert v["driver.installed_module_versions"] == ("550.120",)
    assert v["driver.loaded_modules"] == ("nouveau",)


def test_open_kernel_module_and_usr_src_listing():
    v = values(driver_text.parse(text(
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  565.57.01  Release Build  (dvs-builder@U16-I3-B03-4-3)\n"
        "$ ls /usr/src | grep nvidia\nnvidia-560.35.03\nnvidia-565.57.01\n")))
    assert v["driver.kernel_module_version"] == "565.57.01"
    assert v["driver.installed_module_versions"] == ("560.35.03", "565.57.01")


def test_module_missing_for_kernel():
    f = driver_text.parse(text("modprobe: FATAL: Module nvidia not found in directory /lib/modules/6.5.0-14-generic\n"))
    assert values(f)["host.kernel"] == "6.5.0-14-generic"
    assert len(items(f, "driver.module_load_errors")) == 1


def test_lspci_nnk():
    f = pci.parse(load("lspci_nnk.txt"))
    devices = values(f)["pci.devices"]
    assert [(d.address, d.device_id, d.class_code, d.driver.value) for d in devices] == [
        ("0000:01:00.0", 0x2489, 0x030000, "nouveau"), ("0000:01:00.1", 0x228B, 0x040300, "snd_hda_intel")]
    assert gpu_fields(f) == [{"index": None, "name": "NVIDIA GeForce RTX 3060 Ti"}]


def test_lspci_plain_names_the_gpu_only():
    f = pci.parse(text("3b:00.0 3D controller: NVIDIA Corporation GV100GL [Tesla V100 PCIe 32GB] (rev a1)\n"
                       "02:00.0 VGA compatible controller: NVIDIA Corporation Device 2684 (rev a1)\n"))
    assert "pci.devices" not in values(f)
    assert gpu_fields(f) == [{"index": None, "name": "Tesla V100 PCIe 32GB"}]


def test_lspci_k_without_a_bound_driver_is_none():
    f = pci.parse(text("01:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102 [GeForce RTX 4090] "
                       "[10de:2684] (rev a1)\n\tSubsystem: ASUSTeK Computer Inc. Device [1043:889a]\n"
                       "\tKernel modules: nvidiafb, nouveau, nvidia_drm, nvidia\n"))
    [d] = values(f)["pci.devices"]
    assert d.driver.value == "none"


def test_os_release_and_uname():
    v = values(system.parse(load("os_release.txt")))
    assert (v["host.os_id"], v["host.os_version"], v["host.os_pretty"]) == ("ubuntu", "24.04", "Ubuntu 24.04.1 LTS")
    assert v["host.kernel"] == "6.8.0-45-generic" and v["host.arch"] == "x86_64" and v["host.wsl"] == "none"


def test_wsl1_kernel_and_wsl_list():
    f = system.parse(load("wsl1.txt"))
    v = values(f)
    assert v["host.kernel"] == "4.4.0-19041-Microsoft" and v["host.wsl"] == "wsl1"
    assert "Ubuntu-20.04" in details(f)["host.wsl"] or "kernel" in details(f)["host.wsl"]
    listed = [c for c in f.claims if c.path == "host.wsl" and "wsl -l -v" in c.reading.detail]
    assert listed and listed[0].reading.value == "wsl1"


def test_wsl2_uname():
    v = values(system.parse(text("Linux DESKTOP-1 5.15.153.1-microsoft-standard-WSL2 #1 SMP Fri Mar 29 23:14:13 UTC "
                                 "2024 x86_64 x86_64 x86_64 GNU/Linux\n")))
    assert v["host.wsl"] == "wsl2"


@pytest.mark.parametrize("line, value", [
    ("SecureBoot enabled", True), ("SecureBoot disabled", False), ("  Secure Boot: disabled (disabled)", False),
    ("EFI variables are not supported on this system", False), ("I checked: secure boot is enabled", True),
])
def test_secure_boot(line, value):
    assert values(system.parse(text(line)))["host.secure_boot"] is value


def test_container_cgroup_and_dockerenv():
    assert values(system.parse(text("0::/docker/4f3a9b2c1d0e\n")))["host.container"] == "docker"
    assert values(system.parse(text("12:pids:/kubepods/burstable/pod1234\n")))["host.container"] == "kubernetes"
    assert values(system.parse(text("$ ls -la /.dockerenv\n-rwxr-xr-x 1 root root 0 /.dockerenv\n")))["host.container"] == "docker"


@pytest.mark.parametrize("description, os_id, version", [
    ("Ubuntu 24.10 (x86_64)", "ubuntu", "24.10"), ("Ubuntu1804", "ubuntu", "18.04"), ("ubuntu 2204", "ubuntu", "22.04"),
    ("CentOS Linux release 7.9.2009 (Core)", "centos", "7"), ("Fedora release 34 (Thirty Four)", "fedora", "34"),
    ("Red Hat Enterprise Linux 8.6 (Ootpa) (x86_64)", "rhel", "8.6"), ("Rocky Linux 9.2 (Blue Onyx)", "rocky", "9.2"),
    ("Arch Linux (x86_64)", "arch", None), ("Microsoft Windows 11 Pro", "windows", "11"),
    ("macOS 14.1 (arm64)", "macos", "14.1"), ("Mac OSX 10.14 (x86_64)", "macos", "10.14"),
    ("Amazon Linux 2 (x86_64)", "amzn", "2"), ("Linux Mint 21.2 (x86_64)", "linuxmint", "21.2"),
])
def test_describe_os(description, os_id, version):
    info = system.describe_os(description)
    assert (info.os_id, info.version) == (os_id, version)


def test_describe_os_prose_builds_a_clean_name():
    assert system.describe_os("Running stable diffusion with Ubuntu1804/WSL2", exact=False).pretty == "Ubuntu 18.04"
    assert system.describe_os("linux (x86_64)") is None


@pytest.mark.parametrize("kernel, wsl", [
    ("5.15.153.1-microsoft-standard-WSL2", "wsl2"), ("4.4.0-19041-Microsoft", "wsl1"), ("6.8.0-45-generic", "none")])
def test_kernel_wsl(kernel, wsl):
    assert system.kernel_wsl(kernel) == wsl
