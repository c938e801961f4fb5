"""Host facts: distribution, kernel, CPU, memory, disk, container, WSL, Secure Boot, hypervisor.

Everything is read from files under ``root`` (``/`` live, a fake tree in tests). The
only command this probe may run is ``mokutil --sb-state``, and only when the Secure
Boot EFI variable cannot be read from efivarfs. Nothing here raises for a machine
problem: a value that cannot be read is a :class:`Reading` whose status says why.
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from envcheck.facts import HostFacts
from envcheck.probes.files import os_error_status, read_text, under
from envcheck.reading import Reading, Status
from envcheck.runner import Runner

# UEFI global-variable vendor GUID (UEFI spec, "Globally Defined Variables"): SecureBoot lives here.
EFI_GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
# shim's vendor GUID. `mokutil --disable-validation` makes shim set MokSBState (mirrored to the
# runtime variable MokSBStateRT); the kernel's EFI stub then treats the machine as not in Secure
# Boot mode, so there is no lockdown and no module-signature enforcement although the firmware
# has Secure Boot on (https://github.com/torvalds/linux/blob/master/drivers/firmware/efi/libstub/secureboot.c).
# Ubuntu kernels also expose the result as /proc/sys/kernel/moksbstate_disabled.
SHIM_LOCK_GUID = "605dab50-e046-4300-abb6-3dd810dd8b23"

# DMI (vendor, product) substrings that only a hypervisor reports; checked without the CPU flag.
_VM_PRODUCTS: Tuple[Tuple[str, str, str], ...] = (
    ("innotek", "", "virtualbox"),
    ("", "virtualbox", "virtualbox"),
    ("vmware", "", "vmware"),
    ("qemu", "", "qemu"),
    ("", "standard pc (", "qemu"),
    ("", "kvm", "kvm"),
    ("microsoft corporation", "virtual machine", "hyperv"),
    ("xen", "", "xen"),
    ("", "hvm domu", "xen"),
    ("parallels", "", "parallels"),
)
# Cloud vendors that also sell bare-metal machines: a VM only when the CPU says so.
_CLOUD_VENDORS: Tuple[Tuple[str, str], ...] = (
    ("amazon ec2", "amazon"),
    ("google", "google"),
    ("microsoft corporation", "hyperv"),
    ("openstack", "openstack"),
    ("alibaba", "alibaba"),
    ("oracle", "oracle"),
)


def probe(root: Path, run: Runner, environ: Mapping[str, str], cache_dir: Optional[Path]) -> HostFacts:
    """``cache_dir`` is envcheck's cache as the user configured it (a real path, not under ``root``);
    None means platformdirs' default."""
    root = Path(root)
    live = _is_live(root)
    osr = _os_release(root)
    cpuinfo = read_text(root, "/proc/cpuinfo")
    meminfo = _meminfo(root)
    os_id, os_version, os_pretty = _os_fields(osr)
    cache, cache_free = _cache(cache_dir)
    return HostFacts(
        os_id=os_id,
        os_version=os_version,
        os_pretty=os_pretty,
        kernel=_kernel(root, live),
        arch=_arch(root, live),
        cpu_model=_cpu_model(cpuinfo),
        cpu_count=_cpu_count(cpuinfo, live),
        ram_total_bytes=_mem_field(meminfo, "MemTotal"),
        ram_available_bytes=_mem_field(meminfo, "MemAvailable"),
        cache_dir=cache,
        cache_disk_free_bytes=cache_free,
        shm_total_bytes=_shm(root),
        container=_container(root, environ),
        container_gpus=Reading.fail(Status.NOT_SUPPORTED, "a container's start command is not visible from inside it"),
        wsl=_wsl(root),
        secure_boot=_secure_boot(root, run),
        in_vm=_in_vm(root, cpuinfo),
    )


# --------------------------------------------------------------------------- file access
def _is_live(root: Path) -> bool:
    try:
        return root.resolve() == Path("/").resolve()
    except OSError:
        return False


# --------------------------------------------------------------------------- distribution
def _os_release(root: Path) -> Reading[Dict[str, str]]:
    # os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
    text = read_text(root, "/etc/os-release")
    if text.status is Status.NOT_FOUND:
        text = read_text(root, "/usr/lib/os-release")
    if not text.ok:
        return Reading.fail(text.status, text.detail)
    fields: Dict[str, str] = {}
    for line in text.value.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            fields[key.strip()] = " ".join(shlex.split(raw))
        except ValueError:  # unbalanced quotes: keep what is there
            fields[key.strip()] = raw.strip().strip("\"'")
    return Reading.of(fields)


def _os_fields(osr: Reading[Dict[str, str]]) -> Tuple[Reading[str], Reading[str], Reading[str]]:
    if not osr.ok:
        fail = Reading.fail(osr.status, osr.detail)
        return fail, fail, fail

    def pick(*keys: str, missing: str) -> Reading[str]:
        for key in keys:
            if osr.value.get(key):
                return Reading.of(osr.value[key])
        return Reading.fail(Status.NOT_FOUND, missing)

    os_id = pick("ID", missing="os-release has no ID")
    if os_id.ok:
        os_id = Reading.of(os_id.value.lower())
    return (os_id,
            pick("VERSION_ID", missing="os-release has no VERSION_ID (rolling release?)"),
            pick("PRETTY_NAME", "NAME", missing="os-release has no PRETTY_NAME"))


def _kernel(root: Path, live: bool) -> Reading[str]:
    text = read_text(root, "/proc/sys/kernel/osrelease")
    if text.ok and text.value.strip():
        return Reading.of(text.value.strip())
    if live:
        return Reading.of(platform.release())
    return Reading.fail(text.status, text.detail) if not text.ok else Reading.fail(Status.ERROR, "empty osrelease")


def _arch(root: Path, live: bool) -> Reading[str]:
    if live:
        return Reading.of(platform.machine())
    text = read_text(root, "/proc/sys/kernel/arch")
    return Reading.of(text.value.strip()) if text.ok else Reading.fail(text.status, text.detail)


# --------------------------------------------------------------------------- CPU and memory
def _cpu_model(cpuinfo: Reading[str]) -> Reading[str]:
    if not cpuinfo.ok:
        return Reading.fail(cpuinfo.status, cpuinfo.detail)
    fields: Dict[str, str] = {}
    for line in cpuinfo.value.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    for key in ("model name", "cpu model", "cpu"):  # x86, MIPS, POWER
        if fields.get(key):
            return Reading.of(fields[key])
    if "cpu implementer" in fields:  # Arm lists only ids; naming them needs lscpu's table
        return Reading.of(f"Arm implementer {fields['cpu implementer']} part {fields.get('cpu part', '?')}")
    return Reading.fail(Status.NOT_FOUND, "/proc/cpuinfo names no CPU model")


def cpu_flags(root: Path = Path("/")) -> Reading[Tuple[str, ...]]:
    """The instruction-set flags of the first CPU in /proc/cpuinfo (x86 ``flags``, Arm
    ``Features``), the way lscpu lists them: library kernels are picked by them."""
    text = read_text(root, "/proc/cpuinfo")
    if not text.ok:
        return Reading.fail(text.status, text.detail)
    for line in text.value.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("flags", "features"):
            return Reading.of(tuple(value.split()))
    return Reading.fail(Status.NOT_FOUND, "/proc/cpuinfo lists no CPU flags")


def _cpu_count(cpuinfo: Reading[str], live: bool) -> Reading[int]:
    if live and os.cpu_count():
        count = os.cpu_count()
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else count
        return Reading.of(count, f"{usable} usable by this process" if usable != count else None)
    if not cpuinfo.ok:
        return Reading.fail(cpuinfo.status, cpuinfo.detail)
    count = sum(1 for line in cpuinfo.value.splitlines() if line.split(":")[0].strip() == "processor")
    return Reading.of(count) if count else Reading.fail(Status.NOT_FOUND, "/proc/cpuinfo lists no processor")


def _meminfo(root: Path) -> Reading[Dict[str, int]]:
    text = read_text(root, "/proc/meminfo")
    if not text.ok:
        return Reading.fail(text.status, text.detail)
    out: Dict[str, int] = {}
    for line in text.value.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key.strip()] = int(parts[0]) * (1024 if parts[1:2] == ["kB"] else 1)
    return Reading.of(out)


def _mem_field(meminfo: Reading[Dict[str, int]], key: str) -> Reading[int]:
    if not meminfo.ok:
        return Reading.fail(meminfo.status, meminfo.detail)
    if key not in meminfo.value:
        return Reading.fail(Status.NOT_FOUND, f"/proc/meminfo has no {key}")
    return Reading.of(meminfo.value[key])


# --------------------------------------------------------------------------- disk
def _cache(cache_dir: Optional[Path]) -> Tuple[Reading[str], Reading[int]]:
    """envcheck's cache directory and the free space of the file system that will hold it.

    The directory need not exist yet (a first run), so the nearest existing ancestor is measured.
    """
    if cache_dir is None:
        import platformdirs  # imported here: only this value needs it

        cache_dir = Path(platformdirs.user_cache_dir("envcheck"))
    path = Path(cache_dir).expanduser()
    where = path
    while not os.path.exists(where) and where.parent != where:
        where = where.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError as exc:
        return Reading.of(str(path)), Reading.fail(os_error_status(exc), f"{where}: {exc.strerror or exc}")
    return Reading.of(str(path)), Reading.of(free, None if where == path else f"measured at {where} (cache not created yet)")


def _shm(root: Path) -> Reading[int]:
    # PyTorch DataLoader workers pass batches through /dev/shm; Docker's default is 64 MiB.
    try:
        st = os.statvfs(under(root, "/dev/shm"))
    except OSError as exc:
        return Reading.fail(os_error_status(exc), f"/dev/shm: {exc.strerror or exc}")
    return Reading.of(st.f_blocks * st.f_frsize)


# --------------------------------------------------------------------------- container and WSL
def _proc1_environ(root: Path) -> Dict[str, str]:
    try:
        raw = under(root, "/proc/1/environ").read_bytes()
    except OSError:  # usually root-only; the other markers suffice
        return {}
    out = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.decode(errors="replace").partition("=")
        if sep:
            out[key] = value
    return out


def _container(root: Path, environ: Mapping[str, str]) -> Reading[str]:
    cgroup = " ".join(t.value for t in (read_text(root, "/proc/1/cgroup"), read_text(root, "/proc/self/cgroup")) if t.ok)
    marker = _proc1_environ(root).get("container", "")

    if environ.get("KUBERNETES_SERVICE_HOST"):
        return Reading.of("kubernetes", "KUBERNETES_SERVICE_HOST is set")
    if "kubepods" in cgroup:
        return Reading.of("kubernetes", "cgroup path contains kubepods")
    if os.path.exists(under(root, "/run/.containerenv")) or marker == "podman":
        return Reading.of("podman", "/run/.containerenv exists" if marker != "podman" else "container=podman")
    if os.path.exists(under(root, "/.dockerenv")):
        return Reading.of("docker", "/.dockerenv exists")
    if "docker" in cgroup or marker == "docker":
        return Reading.of("docker", "cgroup path contains docker" if "docker" in cgroup else "container=docker")
    if "lxc" in cgroup or marker.startswith("lxc"):
        return Reading.of("lxc", "cgroup path contains lxc" if "lxc" in cgroup else f"container={marker}")
    if "containerd" in cgroup:
        return Reading.of("containerd", "cgroup path contains containerd")
    if marker:
        return Reading.of("other", f"container={marker}")
    return Reading.of("none")


def _wsl(root: Path) -> Reading[str]:
    # WSL1 reports e.g. "4.4.0-19041-Microsoft"; WSL2 "5.15.153.1-microsoft-standard-WSL2"
    # (kernels before 5.4 said "4.19.128-microsoft-standard"); WSL2 also exposes /dev/dxg,
    # the paravirtual GPU through which CUDA reaches the Windows driver.
    dxg = os.path.exists(under(root, "/dev/dxg"))
    version = read_text(root, "/proc/version")
    text = version.value.lower() if version.ok else ""
    if "microsoft" in text:
        if "wsl2" in text or "microsoft-standard" in text:
            return Reading.of("wsl2", "kernel is microsoft-standard")
        if dxg:
            return Reading.of("wsl2", "/dev/dxg exists")
        return Reading.of("wsl1", "kernel reports Microsoft without WSL2 and there is no /dev/dxg")
    if dxg:
        return Reading.of("wsl2", "/dev/dxg exists")
    if not version.ok:
        return Reading.fail(version.status, version.detail)
    return Reading.of("none")


# --------------------------------------------------------------------------- Secure Boot
def _efivar(root: Path, name: str, guid: str) -> Tuple[Optional[int], Optional[OSError]]:
    """The value byte of an EFI variable in efivarfs (4 attribute bytes, then the data)."""
    try:
        data = under(root, f"/sys/firmware/efi/efivars/{name}-{guid}").read_bytes()
    except OSError as exc:
        return None, exc
    return (data[4] if len(data) >= 5 else None), None


def _secure_boot(root: Path, run: Runner) -> Reading[bool]:
    firmware = under(root, "/sys/firmware")
    efi = firmware / "efi"
    if not os.path.isdir(efi):
        try:
            entries = os.listdir(firmware)
        except OSError as exc:
            return Reading.fail(os_error_status(exc), f"/sys/firmware: {exc.strerror or exc}")
        if not entries:  # Docker and Podman mask /sys/firmware with an empty tmpfs
            return Reading.fail(Status.NOT_SUPPORTED, "/sys/firmware is masked (container): the host's state is not visible")
        return Reading.of(False, "legacy BIOS boot (no /sys/firmware/efi)")

    value, err = _efivar(root, "SecureBoot", EFI_GLOBAL_GUID)
    if err is None and value is not None:
        if value != 1:
            return Reading.of(False, "SecureBoot EFI variable is 0")
        mok, _ = _efivar(root, "MokSBStateRT", SHIM_LOCK_GUID)
        ubuntu_flag = read_text(root, "/proc/sys/kernel/moksbstate_disabled")
        if mok == 1 or (ubuntu_flag.ok and ubuntu_flag.value.strip() == "1"):
            return Reading.of(False, "Secure Boot is on in firmware, but shim validation is disabled (MokSBState)")
        return Reading.of(True, "SecureBoot EFI variable is 1")
    if isinstance(err, FileNotFoundError):
        try:
            mounted = bool(os.listdir(efi / "efivars"))
        except OSError:
            mounted = False
        if mounted:  # efivarfs is there, the firmware simply has no such variable
            return Reading.of(False, "UEFI firmware without a SecureBoot variable")
    return _mokutil(run, err)


def _mokutil(run: Runner, err: Optional[OSError]) -> Reading[bool]:
    why = f"SecureBoot EFI variable: {err.strerror or err}" if err is not None else "SecureBoot EFI variable is malformed"
    res = run(["mokutil", "--sb-state"], timeout=3.0)
    text = (res.stdout + "\n" + res.stderr).lower()
    if res.status is Status.OK:
        if "validation is disabled" in text:
            return Reading.of(False, "mokutil: Secure Boot on, but shim validation is disabled")
        if "secureboot enabled" in text:
            return Reading.of(True, "mokutil --sb-state")
        if "secureboot disabled" in text or "doesn't support secure boot" in text:
            return Reading.of(False, "mokutil --sb-state")
        if "efi variables are not supported" in text:
            return Reading.fail(Status.NOT_SUPPORTED, "mokutil: EFI variables are not supported on this system")
        return Reading.fail(Status.ERROR, f"{why}; mokutil said: {(res.stdout or res.stderr).strip()[:200]}")
    if res.status is Status.TIMEOUT:
        return Reading.fail(Status.TIMEOUT, f"{why}; mokutil --sb-state did not answer")
    status = Status.NO_PERMISSION if isinstance(err, PermissionError) else Status.NOT_FOUND
    return Reading.fail(status, f"{why}; mokutil: {res.detail or res.status.value}")


# --------------------------------------------------------------------------- hypervisor
def _in_vm(root: Path, cpuinfo: Reading[str]) -> Reading[str]:
    vendor_r = read_text(root, "/sys/class/dmi/id/sys_vendor")
    product_r = read_text(root, "/sys/class/dmi/id/product_name")
    vendor = vendor_r.value.strip() if vendor_r.ok else ""
    product = product_r.value.strip() if product_r.ok else ""
    v, p = vendor.lower(), product.lower()
    dmi = f"DMI: {vendor or '?'} / {product or '?'}"
    for v_part, p_part, name in _VM_PRODUCTS:
        if (not v_part or v.startswith(v_part)) and (not p_part or p_part in p):
            return Reading.of(name, dmi)
    flag = cpuinfo.ok and any(line.startswith("flags") and "hypervisor" in line.partition(":")[2].split()
                              for line in cpuinfo.value.splitlines())
    xen = read_text(root, "/sys/hypervisor/type")
    if xen.ok and xen.value.strip():
        return Reading.of(xen.value.strip(), "/sys/hypervisor/type")
    if flag:
        for v_part, name in _CLOUD_VENDORS:
            if v.startswith(v_part):
                return Reading.of(name, dmi)
        return Reading.of("other", "CPU reports the hypervisor flag" + (f"; {dmi}" if vendor or product else ""))
    if not cpuinfo.ok and not vendor_r.ok:
        return Reading.fail(cpuinfo.status, "neither /proc/cpuinfo nor DMI could be read")
    return Reading.of("none")
