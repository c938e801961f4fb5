"""Fake machines for the system probes: sysfs/procfs//dev trees under a directory, a fake
command runner replaying recorded output, and ways to meet real permission errors.

A tree is built with :class:`FakeRoot`; the probes read it exactly as they read ``/``.
Permission tests need care because the test suite may run as root, for whom file modes
do not apply: :func:`access_as` evaluates mode bits for an ordinary user (the probes
accept it in place of ``os.access``), and :func:`call_unprivileged` runs a probe in a
forked child that has dropped to ``nobody`` so that ``chmod 000`` means what it says.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar, Union

import pytest

from envcheck.probes.host import EFI_GLOBAL_GUID
from envcheck.reading import Status
from envcheck.runner import RunResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "probes"
NOBODY = 65534
T = TypeVar("T")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


class FakeRoot:
    """A file-system root to hand to a probe; paths are given as on a real machine."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def __truediv__(self, rel: str) -> Path:
        return self.path / rel.lstrip("/")

    def write(self, rel: str, content: Union[str, bytes] = "", mode: Optional[int] = None) -> Path:
        p = self / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
        if mode is not None:
            p.chmod(mode)
        return p

    def mkdir(self, rel: str) -> Path:
        p = self / rel
        p.mkdir(parents=True, exist_ok=True)
        return p

    def symlink(self, rel: str, target: str) -> Path:
        p = self / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(target)
        return p

    # ------------------------------------------------------------------ host files
    def os_release(self, fixture_name: str) -> None:
        self.write("/etc/os-release", fixture(f"os-release/{fixture_name}"))

    def proc_version(self, fixture_name: str) -> None:
        self.write("/proc/version", fixture(f"proc-version/{fixture_name}"))

    def cpuinfo(self, model: str = "Intel(R) Xeon(R) Platinum 8480+", count: int = 4, hypervisor: bool = False) -> None:
        flags = "fpu vme de pse tsc msr pae mce cx8 apic sep" + (" hypervisor" if hypervisor else "") + " lahf_lm"
        blocks = [f"processor\t: {i}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
                  f"model name\t: {model}\nflags\t\t: {flags}\n" for i in range(count)]
        self.write("/proc/cpuinfo", "\n".join(blocks) + "\n")

    def meminfo(self, total_kb: int, available_kb: int) -> None:
        self.write("/proc/meminfo", f"MemTotal:       {total_kb} kB\nMemFree:        {available_kb // 2} kB\n"
                                    f"MemAvailable:   {available_kb} kB\nBuffers:          123456 kB\n")

    def efivar(self, name: str, guid: str, value: int, mode: Optional[int] = None) -> Path:
        # efivarfs: 4 bytes of attributes (BS|RT = 0x06, as SecureBoot has), then the data.
        return self.write(f"/sys/firmware/efi/efivars/{name}-{guid}", bytes([0x06, 0, 0, 0, value]), mode)

    def uefi(self, secure_boot: Optional[int]) -> None:
        """A UEFI machine; ``secure_boot`` None leaves the SecureBoot variable out."""
        self.mkdir("/sys/firmware/acpi")
        self.efivar("BootCurrent", EFI_GLOBAL_GUID, 1)
        if secure_boot is not None:
            self.efivar("SecureBoot", EFI_GLOBAL_GUID, secure_boot)

    # ------------------------------------------------------------------ PCI
    def pci_device(self, address: str, device_id: int, class_code: int, driver: Optional[str] = None,
                   vendor: int = 0x10DE, link: Optional[Tuple[str, str]] = ("32.0 GT/s PCIe", "16"),
                   max_link: Optional[Tuple[str, str]] = ("32.0 GT/s PCIe", "16")) -> Path:
        base = f"/sys/bus/pci/devices/{address}"
        self.write(f"{base}/vendor", f"0x{vendor:04x}\n")
        self.write(f"{base}/device", f"0x{device_id:04x}\n")
        self.write(f"{base}/class", f"0x{class_code:06x}\n")
        for prefix, values in (("current", link), ("max", max_link)):
            if values is not None:
                self.write(f"{base}/{prefix}_link_speed", values[0] + "\n")
                self.write(f"{base}/{prefix}_link_width", values[1] + "\n")
        if driver is not None:  # as in sysfs: a relative link into /sys/bus/pci/drivers
            self.mkdir(f"/sys/bus/pci/drivers/{driver}")
            self.symlink(f"{base}/driver", f"../../../bus/pci/drivers/{driver}")
        return self / base

    # ------------------------------------------------------------------ driver files
    def dev_node(self, name: str, mode: int = 0o666) -> Path:
        return self.write(f"/dev/{name}", "", mode)

    def process(self, pid: int, comm: str) -> None:
        self.write(f"/proc/{pid}/comm", comm + "\n")

    def nvml_library(self, libdir: str, version: str) -> None:
        """libnvidia-ml.so.<version> plus the .so.1 link the loader uses, as the driver package installs them."""
        self.write(f"{libdir}/libnvidia-ml.so.{version}", b"\x7fELF")
        self.symlink(f"{libdir}/libnvidia-ml.so.1", f"libnvidia-ml.so.{version}")

    def executable(self, path: str) -> None:
        self.write(path, "#!/bin/sh\n", 0o755)


# ---------------------------------------------------------------------- commands
def result(stdout: str = "", returncode: int = 0, stderr: str = "", status: Status = Status.OK,
           detail: Optional[str] = None) -> RunResult:
    return RunResult((), status, returncode if status is Status.OK else None, stdout, stderr, detail)


MISSING = result(status=Status.NOT_FOUND, detail="command not found")


class FakeRun:
    """A ``runner.run`` stand-in: replies keyed by the program name; unknown programs are missing."""

    def __init__(self, replies: Optional[Dict[str, RunResult]] = None):
        self.replies = dict(replies or {})
        self.calls: List[Tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], timeout: float = 10.0, env=None, input=None) -> RunResult:
        self.calls.append(tuple(argv))
        assert timeout <= 3.0, f"{argv[0]} must run with a short timeout, got {timeout}"
        reply = self.replies.get(argv[0], MISSING)
        return RunResult(tuple(argv), reply.status, reply.returncode, reply.stdout, reply.stderr, reply.detail)

    def programs(self) -> List[str]:
        return [c[0] for c in self.calls]


# ---------------------------------------------------------------------- permissions
def access_as(uid: int = 1000, gids: Sequence[int] = (1000,)) -> Callable[[str, int], bool]:
    """``os.access`` for an ordinary user: the owner, group or other bits decide (no root bypass)."""

    def access(path: str, mode: int) -> bool:
        st = os.stat(path)
        if st.st_uid == uid:
            r, w, x = stat.S_IRUSR, stat.S_IWUSR, stat.S_IXUSR
        elif st.st_gid in gids:
            r, w, x = stat.S_IRGRP, stat.S_IWGRP, stat.S_IXGRP
        else:
            r, w, x = stat.S_IROTH, stat.S_IWOTH, stat.S_IXOTH
        needed = [bit for flag, bit in ((os.R_OK, r), (os.W_OK, w), (os.X_OK, x)) if mode & flag]
        return all(st.st_mode & bit for bit in needed)

    return access


@contextlib.contextmanager
def shared_root() -> Iterator[FakeRoot]:
    """A fake root that an unprivileged child can traverse (pytest's tmp_path is private to its user)."""
    path = Path(tempfile.mkdtemp(prefix="envcheck-probe-"))
    path.chmod(0o755)
    try:
        yield FakeRoot(path / "root")
    finally:
        for dirpath, dirnames, filenames in os.walk(path):
            for name in dirnames + filenames:  # top-down, so a 000 directory opens before os.walk enters it
                entry = os.path.join(dirpath, name)
                if not os.path.islink(entry):
                    with contextlib.suppress(OSError):
                        os.chmod(entry, 0o700)
        shutil.rmtree(path, ignore_errors=True)


def call_unprivileged(fn: Callable[[], T]) -> T:
    """Call ``fn`` where file modes apply: directly for an ordinary user; as root, in a forked
    child that drops to ``nobody`` first (modules are already imported, so nothing else is read)."""
    if os.geteuid() != 0:
        return fn()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            except OSError as exc:
                payload = pickle.dumps(("skip", f"cannot drop root privileges: {exc}"))
            else:
                payload = pickle.dumps(("ok", fn()))
        except BaseException as exc:  # report, never let the child run the rest of the test session
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "skip":
        pytest.skip(value)
    if kind == "error":
        raise AssertionError(f"probe raised in the unprivileged child: {value}")
    return value


def unread(group: str, facts) -> list:
    """The fields of one facts group (``"driver"``, ``"host"``) that the probe left unknown,
    leaving out those only a pasted text gives (envcheck.facts.PASTE_ONLY)."""
    from envcheck.facts import PASTE_ONLY

    said_only = {p.partition(".")[2] for p in PASTE_ONLY if p.startswith(group + ".")}
    return [name for name, value in vars(facts).items() if not value.known and name not in said_only]
