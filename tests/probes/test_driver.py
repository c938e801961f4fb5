"""driver.probe on fake trees and recorded kernel logs: versions, nodes, Xids, refused modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envcheck.facts import DriverFacts, XidEvent
from envcheck.probes import driver
from envcheck.reading import Reading, Status
from envcheck.runner import run as real_run

from .fakefs import FakeRoot, FakeRun, access_as, call_unprivileged, fixture, result, shared_root, unread

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DMESG_REFUSED = result(returncode=1, stderr="dmesg: read kernel buffer failed: Operation not permitted\n")


def probe(fake: FakeRoot, run=None, environ=None, access=None) -> DriverFacts:
    return driver.probe(root=fake.path, run=run or FakeRun({"journalctl": result("")}),
                        environ=environ or {"PATH": PATH}, access=access or access_as(1000, (1000,)))


def ubuntu_h100(fake: FakeRoot, kernel_version: str = "550.90.07", lib_version: str = "550.90.07") -> FakeRoot:
    """Ubuntu 24.04 with an H100 on the 550 driver (DKMS), persistence daemon running."""
    fake.write("/proc/modules", fixture("proc-modules/ubuntu-24.04-nvidia-550"))
    fake.write("/proc/driver/nvidia/version",
               fixture("nvidia-version/proprietary-550.90.07").replace("550.90.07", kernel_version))
    fake.nvml_library("/usr/lib/x86_64-linux-gnu", lib_version)
    fake.mkdir(f"/usr/src/nvidia-{kernel_version}")
    fake.mkdir(f"/var/lib/dkms/nvidia/{kernel_version}")
    fake.symlink("/var/lib/dkms/nvidia/kernel-6.8.0-45-generic-x86_64", f"{kernel_version}/6.8.0-45-generic/x86_64")
    for node in ("nvidiactl", "nvidia0", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"):
        fake.dev_node(node, 0o666)
    fake.process(1, "systemd")
    fake.process(812, "nvidia-persiste")
    fake.process(4242, "python")
    fake.executable("/usr/bin/nvidia-smi")
    return fake


# --------------------------------------------------------------------------- a healthy machine
def test_healthy_h100(tmp_path):
    run = FakeRun({"journalctl": result(fixture("kernel-log/journal-xid.txt").split("Nov 20 11:47")[0]),
                   "modinfo": result("550.90.07\n")})
    d = probe(ubuntu_h100(FakeRoot(tmp_path)), run=run)
    assert d.loaded_modules == Reading.of(("nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia"))
    assert d.kernel_module_version == Reading.of("550.90.07")
    assert d.userspace_library_version.value == "550.90.07"
    assert d.installed_module_versions.value == ("550.90.07",)
    assert [n.path for n in d.device_nodes.value] == ["/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm",
                                                      "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"]
    assert all(n.exists and n.accessible and n.mode == 0o666 for n in d.device_nodes.value)
    assert d.xid_events == Reading.of((), "from journalctl -k -b")
    assert d.module_load_errors == Reading.of((), "from journalctl -k -b")
    assert d.persistenced_running == Reading.of(True)
    assert d.fabric_manager_running.ok and d.fabric_manager_running.value is False
    assert d.nvidia_smi_path == Reading.of("/usr/bin/nvidia-smi")
    assert sorted(run.programs()) == ["journalctl", "modinfo"]  # the journal answered: no dmesg (modinfo runs alongside)


def test_every_field_is_read(tmp_path):
    d = probe(ubuntu_h100(FakeRoot(tmp_path)))
    assert unread("driver", d) == []


# --------------------------------------------------------------------------- versions
def test_driver_library_mismatch_after_an_update_without_reboot(tmp_path):
    # shared/realcases/case_22: apt moved user space to 550.107.02; the loaded module is 550.90.07.
    fake = ubuntu_h100(FakeRoot(tmp_path), kernel_version="550.90.07", lib_version="550.107.02")
    fake.mkdir("/usr/src/nvidia-550.107.02")
    d = probe(fake, run=FakeRun({"journalctl": result(""), "dmesg": result(""), "modinfo": result("550.107.02\n")}))
    assert d.kernel_module_version == Reading.of("550.90.07")
    assert d.userspace_library_version.value == "550.107.02"
    assert d.installed_module_versions.value == ("550.90.07", "550.107.02")  # numeric order, not text order


@pytest.mark.parametrize("name, version", [
    ("proprietary-550.90.07", "550.90.07"),
    ("open-580.95.05", "580.95.05"),
    ("jetson-open-aarch64-35.3.1", "35.3.1"),
])
def test_kernel_module_version_formats(tmp_path, name, version):
    fake = FakeRoot(tmp_path)
    fake.write("/proc/driver/nvidia/version", fixture(f"nvidia-version/{name}"))
    assert probe(fake).kernel_module_version == Reading.of(version)


def test_kernel_module_version_from_sys_module(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/sys/module/nvidia/version", "580.95.05\n")
    assert probe(fake).kernel_module_version == Reading.of("580.95.05", "/sys/module/nvidia/version")


def test_module_not_loaded(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/proc/modules", fixture("proc-modules/ubuntu-22.04-nouveau"))
    d = probe(fake)
    assert d.loaded_modules == Reading.of(("nouveau",))
    assert d.kernel_module_version.status is Status.NOT_FOUND
    assert d.userspace_library_version.status is Status.NOT_FOUND


def test_kernel_without_modules(tmp_path):
    assert probe(FakeRoot(tmp_path)).loaded_modules.status is Status.NOT_SUPPORTED


def test_debian_alternatives_chain_is_followed_inside_root(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.nvml_library("/usr/lib/x86_64-linux-gnu/nvidia/current", "535.183.01")
    fake.symlink("/etc/alternatives/nvidia--libnvidia-ml.so.1-x86_64-linux-gnu",
                 "/usr/lib/x86_64-linux-gnu/nvidia/current/libnvidia-ml.so.1")
    fake.symlink("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/etc/alternatives/nvidia--libnvidia-ml.so.1-x86_64-linux-gnu")
    assert probe(fake).userspace_library_version.value == "535.183.01"


def test_leftover_library_of_another_version_is_named(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.nvml_library("/usr/lib/x86_64-linux-gnu", "580.95.05")
    fake.write("/usr/lib64/libnvidia-ml.so.535.183.01", b"\x7fELF")
    lib = probe(fake).userspace_library_version
    assert lib.value == "580.95.05" and "535.183.01 in /usr/lib64" in lib.detail


def test_wsl2_library_has_no_version_and_dxg_is_listed(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/usr/lib/wsl/lib/libnvidia-ml.so.1", b"\x7fELF")
    fake.executable("/usr/lib/wsl/lib/nvidia-smi")
    fake.dev_node("dxg")
    d = probe(fake, environ={"PATH": PATH + ":/usr/lib/wsl/lib"})
    assert d.userspace_library_version.status is Status.NOT_SUPPORTED
    assert [n.path for n in d.device_nodes.value if n.exists] == ["/dev/dxg"]
    assert d.nvidia_smi_path == Reading.of("/usr/lib/wsl/lib/nvidia-smi")


def test_nvidia_smi_not_on_path(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.executable("/opt/nvidia/bin/nvidia-smi")
    assert probe(fake).nvidia_smi_path.status is Status.NOT_FOUND


# --------------------------------------------------------------------------- device nodes
def test_missing_nvidia_uvm(tmp_path):
    fake = ubuntu_h100(FakeRoot(tmp_path))
    fake.write("/proc/modules", fixture("proc-modules/ubuntu-24.04-nvidia-no-uvm"))
    for node in ("nvidia-uvm", "nvidia-uvm-tools"):
        (fake / f"/dev/{node}").unlink()
    d = probe(fake)
    assert "nvidia_uvm" not in d.loaded_modules.value
    nodes = {n.path: n for n in d.device_nodes.value}
    assert nodes["/dev/nvidia-uvm"].exists is False and nodes["/dev/nvidia-uvm-tools"].exists is False
    assert nodes["/dev/nvidia0"].exists is True


def test_nodes_this_user_may_not_open(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.dev_node("nvidiactl", 0o666)
    fake.dev_node("nvidia0", 0o000)
    fake.dev_node("nvidia1", 0o660)  # owned by the test's uid, but judged for uid 1000 in another group
    nodes = {n.path: n for n in probe(fake, access=access_as(1000, (1000,))).device_nodes.value}
    assert nodes["/dev/nvidiactl"].accessible is True
    assert nodes["/dev/nvidia0"].accessible is False and nodes["/dev/nvidia0"].mode == 0o000
    assert nodes["/dev/nvidia1"].accessible is False
    assert nodes["/dev/nvidia0"].group is not None


def test_real_os_access_for_an_unprivileged_user():
    with shared_root() as fake:
        fake.dev_node("nvidiactl", 0o666)
        fake.dev_node("nvidia0", 0o600)
        d = call_unprivileged(lambda: driver.probe(root=fake.path, run=FakeRun(), environ={"PATH": PATH}))
    nodes = {n.path: n for n in d.device_nodes.value}
    assert nodes["/dev/nvidiactl"].accessible is True
    assert nodes["/dev/nvidia0"].accessible is False


def test_numbered_nodes_sort_numerically(tmp_path):
    fake = FakeRoot(tmp_path)
    for i in (10, 2, 0, 1):
        fake.dev_node(f"nvidia{i}")
    paths = [n.path for n in probe(fake).device_nodes.value if n.exists]
    assert paths == ["/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia2", "/dev/nvidia10"]


# --------------------------------------------------------------------------- kernel log
def test_xids_from_the_journal(tmp_path):
    run = FakeRun({"journalctl": result(fixture("kernel-log/journal-xid.txt"))})
    xids = probe(FakeRoot(tmp_path), run=run).xid_events
    assert xids.ok and xids.detail == "from journalctl -k -b"
    assert [(x.xid, x.pci) for x in xids.value] == [(13, "0000:18:00"), (31, "0000:18:00"), (63, "0000:2a:00"),
                                                   (79, "0000:3b:00")]
    assert xids.value[0].message.startswith("Graphics SM Warp Exception on (GPC 0, TPC 0, SM 0)")
    assert xids.value[2].message == "Row Remapper: New row marked for remapping, reset gpu to activate."
    assert xids.value[3] == XidEvent(79, "0000:3b:00", "GPU has fallen off the bus.")


def test_xids_from_dmesg_when_the_journal_has_no_kernel_lines(tmp_path):
    run = FakeRun({"journalctl": result(""), "dmesg": result(fixture("kernel-log/dmesg-xid.txt"))})
    xids = probe(FakeRoot(tmp_path), run=run).xid_events
    assert xids.detail == "from dmesg"
    assert [x.xid for x in xids.value] == [48, 94, 79]
    assert xids.value[1].message == "Contained: SM (0x1). RST: No, D-RST: No"
    assert xids.value[2] == XidEvent(79, "0000:44:00", "GPU has fallen off the bus.")


def test_unreadable_kernel_log_is_no_permission_not_clean(tmp_path):
    # A user outside adm/systemd-journal sees no kernel lines in the journal; dmesg_restrict=1 refuses dmesg.
    run = FakeRun({"journalctl": result(""), "dmesg": DMESG_REFUSED})
    d = probe(FakeRoot(tmp_path), run=run)
    assert d.xid_events.status is Status.NO_PERMISSION
    assert d.module_load_errors.status is Status.NO_PERMISSION
    assert "Operation not permitted" in d.xid_events.detail


def test_dmesg_restrict_alone_marks_a_refusal(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.write("/proc/sys/kernel/dmesg_restrict", "1\n")
    run = FakeRun({"dmesg": result(returncode=1, stderr="dmesg: read kernel buffer failed: Opération non permise\n")})
    assert probe(fake, run=run).xid_events.status is Status.NO_PERMISSION


@pytest.mark.parametrize("replies, status", [
    ({"journalctl": result(status=Status.TIMEOUT), "dmesg": result(status=Status.TIMEOUT)}, Status.TIMEOUT),
    ({}, Status.NOT_FOUND),  # neither tool installed
])
def test_kernel_log_failures(tmp_path, replies, status):
    assert probe(FakeRoot(tmp_path), run=FakeRun(replies)).xid_events.status is status


def test_xid_storm_is_capped(tmp_path):
    lines = "".join(f"[{i}.000000] NVRM: Xid (PCI:0000:01:00): 13, pid={i}, name=a, Graphics Exception\n"
                    for i in range(1, 251))
    xids = probe(FakeRoot(tmp_path), run=FakeRun({"dmesg": result(lines)})).xid_events
    assert len(xids.value) == driver.MAX_XID_EVENTS
    assert "250 Xid lines" in xids.detail


def test_secure_boot_refusals_are_captured(tmp_path):
    run = FakeRun({"journalctl": result(fixture("kernel-log/journal-secure-boot-refused.txt"))})
    errors = probe(FakeRoot(tmp_path), run=run).module_load_errors.value
    assert errors == (
        "Lockdown: systemd-udevd: unsigned module loading is restricted; see man kernel_lockdown.7",
        "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7",
    )


def test_signature_enforcement_refusals_are_captured(tmp_path):
    run = FakeRun({"dmesg": result(fixture("kernel-log/dmesg-fedora-unsigned-rejected.txt"))})
    errors = probe(FakeRoot(tmp_path), run=run).module_load_errors.value
    assert errors == ("nvidia: loading of unsigned module is rejected", "Loading of module with unavailable key is rejected")


def test_module_failures_are_captured_and_normal_load_lines_are_not(tmp_path):
    run = FakeRun({"dmesg": result(fixture("kernel-log/dmesg-load-failures.txt"))})
    errors = probe(FakeRoot(tmp_path), run=run).module_load_errors.value
    assert errors == (
        "nvidia: module verification failed: signature and/or required key missing - tainting kernel",
        "nvidia: Unknown symbol drm_gem_prime_fd_to_handle (err -2)",
        "NVRM: API mismatch: the client has the version 550.107.02, but this kernel module has the version "
        "550.90.07.  Please make sure that this kernel module and all NVIDIA driver components have the same version.",
        "NVRM: GPU 0000:07:00.0: RmInitAdapter failed! (0x61:0x56:1770)",
        "NVRM: The NVIDIA probe routine failed for 1 device(s).",
        "NVRM: None of the NVIDIA devices were initialized.",
    )


# --------------------------------------------------------------------------- daemons
def test_fabric_manager_and_persistenced(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.process(1, "systemd")
    fake.process(900, "nv-fabricmanage")  # comm is cut to 15 characters
    d = probe(fake)
    assert d.fabric_manager_running == Reading.of(True)
    assert d.persistenced_running.value is False and "visible processes" in d.persistenced_running.detail


def test_hidepid_makes_daemons_unknowable(tmp_path):
    fake = FakeRoot(tmp_path)
    fake.process(4242, "bash")  # only our own processes are listed
    d = probe(fake)
    assert d.persistenced_running.status is Status.NO_PERMISSION
    assert d.fabric_manager_running.status is Status.NO_PERMISSION


# --------------------------------------------------------------------------- this machine
def test_on_this_machine():
    d = driver.probe(root=Path("/"), run=real_run, environ=dict(os.environ))
    assert unread("driver", d) == []
    assert d.xid_events.status in (Status.OK, Status.NO_PERMISSION, Status.NOT_FOUND, Status.TIMEOUT)
    assert d.module_load_errors.status is d.xid_events.status
    assert d.device_nodes.ok
    assert d.loaded_modules.status in (Status.OK, Status.NOT_SUPPORTED, Status.NO_PERMISSION)
