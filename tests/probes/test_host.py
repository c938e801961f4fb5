"""host.probe on fake trees (distributions, WSL, containers, Secure Boot, hypervisors) and on this machine."""

from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

import pytest

from envcheck.facts import HostFacts
from envcheck.probes import host
from envcheck.probes.host import EFI_GLOBAL_GUID, SHIM_LOCK_GUID
from envcheck.reading import Reading, Status
from envcheck.runner import run as real_run

from .fakefs import FakeRoot, FakeRun, call_unprivileged, result, shared_root, unread

GIB = 2**30


def probe(fake: FakeRoot, run=None, environ=None, cache_dir=None) -> HostFacts:
    return host.probe(root=fake.path, run=run or FakeRun(), environ=environ or {},
                      cache_dir=cache_dir or fake.path / "home/user/.cache/envcheck")


def ubuntu_2404(fake: FakeRoot) -> FakeRoot:
    """Bare-metal Ubuntu 24.04 server: UEFI with Secure Boot off, 2 TiB RAM, no container."""
    fake.os_release("ubuntu-24.04")
    fake.write("/proc/version", "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) #45-Ubuntu SMP\n")
    fake.write("/proc/sys/kernel/osrelease", "6.8.0-45-generic\n")
    fake.write("/proc/sys/kernel/arch", "x86_64\n")
    fake.cpuinfo("Intel(R) Xeon(R) Platinum 8480+", count=8)
    fake.meminfo(2 * 1024**3, 1900 * 1024**2)
    fake.write("/proc/1/cgroup", "0::/init.scope\n")
    fake.mkdir("/dev/shm")
    fake.mkdir("/home/user")
    fake.write("/sys/class/dmi/id/sys_vendor", "Supermicro\n")
    fake.write("/sys/class/dmi/id/product_name", "SYS-821GE-TNHR\n")
    fake.uefi(secure_boot=0)
    return fake


# --------------------------------------------------------------------------- a whole machine
def test_ubuntu_2404_bare_metal(tmp_path):
    fake = ubuntu_2404(FakeRoot(tmp_path))
    h = probe(fake)
    assert (h.os_id, h.os_version, h.os_pretty) == (Reading.of("ubuntu"), Reading.of("24.04"),
                                                   Reading.of("Ubuntu 24.04.1 LTS"))
    assert h.kernel == Reading.of("6.8.0-45-generic")
    assert h.arch == Reading.of("x86_64")
    assert h.cpu_model == Reading.of("Intel(R) Xeon(R) Platinum 8480+")
    assert h.cpu_count == Reading.of(8)
    assert h.ram_total_bytes == Reading.of(2 * 1024**3 * 1024)
    assert h.ram_available_bytes == Reading.of(1900 * 1024**2 * 1024)
    assert h.cache_dir == Reading.of(str(fake.path / "home/user/.cache/envcheck"))
    assert h.cache_disk_free_bytes.ok and h.cache_disk_free_bytes.value == shutil.disk_usage(fake.path).free
    assert "cache not created yet" in h.cache_disk_free_bytes.detail
    assert h.shm_total_bytes.ok and h.shm_total_bytes.value > 0
    assert h.container == Reading.of("none")
    assert h.wsl == Reading.of("none")
    assert h.secure_boot.value is False and h.secure_boot.ok
    assert h.in_vm == Reading.of("none")


def test_every_field_is_read(tmp_path):
    h = probe(ubuntu_2404(FakeRoot(tmp_path)))
    assert unread("host", h) == []


@pytest.mark.parametrize("name, os_id, version, pretty", [
    ("ubuntu-20.04", "ubuntu", "20.04", "Ubuntu 20.04.6 LTS"),
    ("ubuntu-22.04", "ubuntu", "22.04", "Ubuntu 22.04.4 LTS"),
    ("ubuntu-24.04", "ubuntu", "24.04", "Ubuntu 24.04.1 LTS"),
    ("fedora-40", "fedora", "40", "Fedora Linux 40 (Workstation Edition)"),
])
def test_os_release_of_each_distribution(tmp_path, name, os_id, version, pretty):
    fake = FakeRoot(tmp_path)
    fake.os_release(name)
    h = probe(fake)
    assert (h.os_id.value, h.os_version.value, h.os_pretty.value) == (os_id, version, pretty)


def test_os_release_fallback_and_rolling_release(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/usr/lib/os-release", 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n')
    h = probe(fake)
    assert h.os_id == Reading.of("arch")
    assert h.os_version.status is Status.NOT_FOUND
    assert h.os_pretty == Reading.of("Arch Linux")


def test_missing_files_are_statuses_not_exceptions(tmp_path):
    h = probe(FakeRoot(tmp_path))  # an empty tree: nothing to read
    assert h.os_id.status is Status.NOT_FOUND
    assert h.kernel.status is Status.NOT_FOUND  # not the test machine's kernel: root is not "/"
    assert h.arch.status is Status.NOT_FOUND
    assert h.ram_total_bytes.status is Status.NOT_FOUND
    assert h.shm_total_bytes.status is Status.NOT_FOUND
    assert h.wsl.status is Status.NOT_FOUND


# --------------------------------------------------------------------------- WSL
@pytest.mark.parametrize("version, dxg, expected", [
    ("wsl1", False, "wsl1"),
    ("wsl2", True, "wsl2"),
    ("wsl2", False, "wsl2"),  # the kernel name alone says WSL 2
    ("wsl2-4.19", False, "wsl2"),  # the older kernel: "microsoft-standard", no WSL2 suffix
    ("ubuntu-22.04-native", False, "none"),
])
def test_wsl_detection(tmp_path, version, dxg, expected):
    fake = FakeRoot(tmp_path)
    fake.proc_version(version)
    if dxg:
        fake.dev_node("dxg")
    assert probe(fake).wsl.value == expected


def test_wsl2_with_a_custom_kernel_is_known_by_dev_dxg(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/proc/version", "Linux version 6.6.36-custom (me@box) #1 SMP\n")
    fake.dev_node("dxg")
    assert probe(fake).wsl == Reading.of("wsl2", "/dev/dxg exists")


# --------------------------------------------------------------------------- containers
@pytest.mark.parametrize("setup, environ, expected", [
    (lambda f: f.write("/.dockerenv"), {}, "docker"),
    (lambda f: f.write("/proc/1/cgroup", "12:pids:/docker/3f1c8a9e2b7d\n0::/docker/3f1c8a9e2b7d\n"), {}, "docker"),
    (lambda f: f.write("/run/.containerenv", 'engine="podman-4.9.3"\n'), {}, "podman"),
    (lambda f: f.write("/.dockerenv"), {"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, "kubernetes"),
    (lambda f: f.write("/proc/1/cgroup", "0::/kubepods.slice/kubepods-besteffort.slice/cri-containerd-1a2b.scope\n"),
     {}, "kubernetes"),
    (lambda f: f.write("/proc/self/cgroup", "0::/system.slice/containerd.service/default/build-7\n"), {}, "containerd"),
    (lambda f: f.write("/proc/1/environ", b"container=lxc\0PATH=/usr/bin\0"), {}, "lxc"),
    (lambda f: f.write("/proc/1/environ", b"container=systemd-nspawn\0"), {}, "other"),
    (lambda f: f.write("/proc/1/cgroup", "0::/init.scope\n"), {}, "none"),
])
def test_container_detection(tmp_path, setup, environ, expected):
    fake = FakeRoot(tmp_path)
    setup(fake)
    reading = probe(fake, environ=environ).container
    assert reading.ok and reading.value == expected


# --------------------------------------------------------------------------- Secure Boot
def test_secure_boot_on(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.uefi(secure_boot=1)
    run = FakeRun()
    assert probe(fake, run=run).secure_boot == Reading.of(True, "SecureBoot EFI variable is 1")
    assert run.calls == []  # the variable sufficed: no mokutil


def test_secure_boot_off(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.uefi(secure_boot=0)
    assert probe(fake).secure_boot.value is False


def test_secure_boot_on_but_shim_validation_disabled(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.uefi(secure_boot=1)
    fake.efivar("MokSBStateRT", SHIM_LOCK_GUID, 1)
    sb = probe(fake).secure_boot
    assert sb.value is False and "shim validation is disabled" in sb.detail


def test_secure_boot_on_but_ubuntu_reports_validation_disabled(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.uefi(secure_boot=1)
    fake.write("/proc/sys/kernel/moksbstate_disabled", "1\n")
    assert probe(fake).secure_boot.value is False


def test_legacy_bios_boot(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.mkdir("/sys/firmware/acpi")  # firmware tables, but no efi directory
    assert probe(fake).secure_boot == Reading.of(False, "legacy BIOS boot (no /sys/firmware/efi)")


def test_masked_firmware_in_a_container_is_not_mistaken_for_bios(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.mkdir("/sys/firmware")  # Docker mounts an empty tmpfs here
    assert probe(fake).secure_boot.status is Status.NOT_SUPPORTED


def test_uefi_without_secure_boot_variable(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.uefi(secure_boot=None)
    assert probe(fake).secure_boot == Reading.of(False, "UEFI firmware without a SecureBoot variable")


@pytest.mark.parametrize("stdout, expected", [
    ("SecureBoot enabled\n", True),
    ("SecureBoot disabled\n", False),
    ("SecureBoot enabled\nSecureBoot validation is disabled in shim\n", False),
])
def test_unreadable_variable_falls_back_to_mokutil(stdout, expected):
    run = FakeRun({"mokutil": result(stdout)})
    with shared_root() as fake:
        fake.uefi(secure_boot=None)
        fake.efivar("SecureBoot", EFI_GLOBAL_GUID, 1, mode=0o000)
        sb = call_unprivileged(lambda: probe(fake, run=run).secure_boot)
    assert sb.ok and sb.value is expected
    assert "mokutil" in sb.detail


def test_unreadable_variable_without_mokutil_is_no_permission():
    with shared_root() as fake:
        fake.uefi(secure_boot=None)
        fake.efivar("SecureBoot", EFI_GLOBAL_GUID, 1, mode=0o000)
        sb = call_unprivileged(lambda: probe(fake, run=FakeRun()).secure_boot)
    assert sb.status is Status.NO_PERMISSION
    assert "mokutil" in sb.detail and "SecureBoot EFI variable" in sb.detail


def test_efivarfs_not_mounted_asks_mokutil(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.mkdir("/sys/firmware/efi")  # efi directory, but no efivars mounted
    run = FakeRun({"mokutil": result("EFI variables are not supported on this system\n", returncode=255)})
    sb = probe(fake, run=run).secure_boot
    assert sb.status is Status.NOT_SUPPORTED
    assert run.calls == [("mokutil", "--sb-state")]


# --------------------------------------------------------------------------- hypervisor
@pytest.mark.parametrize("vendor, product, flag, expected", [
    ("QEMU", "Standard PC (Q35 + ICH9, 2009)", True, "qemu"),
    ("Microsoft Corporation", "Virtual Machine", True, "hyperv"),
    ("VMware, Inc.", "VMware Virtual Platform", True, "vmware"),
    ("innotek GmbH", "VirtualBox", False, "virtualbox"),  # named by DMI even without the CPU flag
    ("Amazon EC2", "p5.48xlarge", True, "amazon"),
    ("Amazon EC2", "p4d.metal", False, "none"),  # bare-metal instance: same vendor, no hypervisor
    ("Google", "Google Compute Engine", True, "google"),
    ("Dell Inc.", "PowerEdge XE9680", False, "none"),
    ("Microsoft Corporation", "Surface Laptop Studio 2", False, "none"),  # Microsoft hardware, not Hyper-V
    (None, None, True, "other"),
])
def test_hypervisor(tmp_path, vendor, product, flag, expected):
    fake = FakeRoot(tmp_path)
    fake.cpuinfo(hypervisor=flag)
    if vendor:
        fake.write("/sys/class/dmi/id/sys_vendor", vendor + "\n")
        fake.write("/sys/class/dmi/id/product_name", product + "\n")
    assert probe(fake).in_vm.value == expected


def test_arm_cpu_model_is_named_by_its_ids(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 2000.00\nFeatures\t: fp asimd\n"
                                "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd4f\n")
    h = probe(fake)
    assert h.cpu_model == Reading.of("Arm implementer 0x41 part 0xd4f")
    assert h.cpu_count == Reading.of(1)


# --------------------------------------------------------------------------- this machine
def test_on_this_machine():
    h = host.probe(root=Path("/"), run=real_run, environ=dict(os.environ), cache_dir=None)
    assert h.kernel.ok and h.kernel.value == platform.release()
    assert h.arch == Reading.of(platform.machine())
    assert h.cpu_count.ok and h.cpu_count.value >= 1
    assert h.ram_total_bytes.ok and h.ram_total_bytes.value > 256 * 2**20
    assert h.cache_dir.ok and h.cache_disk_free_bytes.ok
    for name in ("container", "wsl", "in_vm"):
        assert getattr(h, name).ok, (name, getattr(h, name))
    assert h.secure_boot.known
    assert unread("host", h) == []
