"""The NVIDIA kernel driver as the operating system sees it, without NVML.

Loaded modules (``/proc/modules``), the loaded kernel module's version
(``/proc/driver/nvidia/version``), the user-space library on disk
(``libnvidia-ml.so.<version>``), the module versions installed for the next boot
(``/usr/src``, DKMS, ``modinfo``), ``/dev/nvidia*`` nodes, Xid events and refused
module loads in the kernel log, the persistence and Fabric Manager daemons, and
``nvidia-smi`` on ``PATH``. Comparing the kernel module with the library file is what
explains "Driver/library version mismatch" even when NVML itself cannot load.
"""

from __future__ import annotations

import grp
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Tuple

from envcheck.facts import DeviceNode, DriverFacts, XidEvent
from envcheck.probes.files import os_error_status, read_text, under
from envcheck.reading import Reading, Status
from envcheck.runner import Runner

Access = Callable[[str, int], bool]

NVIDIA_MODULES = ("nvidia", "nouveau", "nova_core", "nova_drm")  # prefixes of the module names kept
LIBRARY_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu/nvidia/current",  # Debian's packaging, behind an alternatives link
    "/usr/lib64",
    "/usr/lib",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib/wsl/lib",  # WSL2: the Windows driver's libraries, passed through
    "/usr/local/nvidia/lib64",  # containers started by older NVIDIA container runtimes
)
FIXED_NODES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")
MAX_XID_EVENTS = 200
MAX_LOAD_ERRORS = 50
LOG_TIMEOUT_S = 3.0

_VERSION = r"\d+\.\d+(?:\.\d+)?"
# "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 ..." and the open
# modules' "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build ..."
_NVRM_VERSION = re.compile(rf"NVRM version:.*?Kernel Module(?: for \S+)?\s+({_VERSION})\b")
_LIB_NAME = re.compile(rf"^libnvidia-ml\.so\.({_VERSION})$")
_SRC_DIR = re.compile(rf"^nvidia(?:-srv)?-({_VERSION})$")
_XID = re.compile(r"NVRM: Xid \((?:PCI:)?([0-9A-Fa-f:.]+)\): (\d+)(?:,\s*(.*))?$")
_XID_NOISE = re.compile(r"^(?:pid=[^,]*,\s*)?(?:name=[^,]*,\s*)?")
# A kernel-log line without its "[  12.345678] " (dmesg) or "Mon DD HH:MM:SS host kernel: " (journal) prefix.
_LOG_PREFIX = re.compile(r"^(?:<\d+>)?(?:\[\s*\d+\.\d+\]\s?|.*? kernel: )")
_NVIDIA_WORD = re.compile(r"\b(?:nvidia\w*|NVRM|nouveau|nova[_-]?core)\b", re.IGNORECASE)
# Lines that mean a module was refused: Secure Boot / lockdown (these do not name the module)...
_REFUSED_ANY = re.compile(
    r"Lockdown: .*unsigned module loading is restricted"
    r"|Loading of (?:unsigned module|module with unavailable key|module with unsupported crypto) is rejected"
    r"|Key was rejected by service|Required key not available",
    re.IGNORECASE)
# ...and failures that count only when the line is about an NVIDIA module.
_REFUSED_NVIDIA = re.compile(
    r"module verification failed|Unknown symbol|disagrees about version of symbol"
    r"|NVRM: API mismatch|RmInitAdapter failed|NVIDIA probe routine failed|No NVIDIA (?:GPU|devices)"
    r"|None of the NVIDIA devices were initialized"
    r"|not supported by open nvidia\.ko|probe of \S+ failed with error",
    re.IGNORECASE)


def probe(root: Path, run: Runner, environ: Mapping[str, str], *, access: Access = os.access) -> DriverFacts:
    """``access`` decides "may this user open the node"; tests replace it because root may open anything."""
    root = Path(root)
    # modinfo runs while journalctl/dmesg do: when they hang, the probe costs the slower one.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="envcheck-modinfo") as pool:
        installed = pool.submit(_installed_versions, root, run)
        log = _kernel_log(root, run, environ)
    persistenced, fabric = _daemons(root)
    return DriverFacts(
        loaded_modules=_loaded_modules(root),
        kernel_module_version=_kernel_module_version(root),
        userspace_library_version=_library_version(root),
        installed_module_versions=installed.result(),
        device_nodes=_device_nodes(root, access),
        xid_events=_xid_events(log),
        module_load_errors=_load_errors(log),
        persistenced_running=persistenced,
        fabric_manager_running=fabric,
        nvidia_smi_path=_nvidia_smi(root, environ),
    )


# --------------------------------------------------------------------------- modules and versions
def _loaded_modules(root: Path) -> Reading[Tuple[str, ...]]:
    text = read_text(root, "/proc/modules")
    if not text.ok:
        if text.status is Status.NOT_FOUND:
            return Reading.fail(Status.NOT_SUPPORTED, "no /proc/modules (kernel without loadable modules, or a sandbox)")
        return Reading.fail(text.status, text.detail)
    names = [line.split()[0] for line in text.value.splitlines() if line.strip()]
    return Reading.of(tuple(n for n in names if n.startswith(NVIDIA_MODULES)))


def _kernel_module_version(root: Path) -> Reading[str]:
    text = read_text(root, "/proc/driver/nvidia/version")
    if text.ok:
        match = _NVRM_VERSION.search(text.value)
        if match:
            return Reading.of(match.group(1))
        return Reading.fail(Status.ERROR, f"unrecognised /proc/driver/nvidia/version: {text.value.strip()[:120]!r}")
    # NVIDIA documents /sys/module/nvidia/version as the other place to ask.
    alt = read_text(root, "/sys/module/nvidia/version")
    if alt.ok and re.fullmatch(_VERSION, alt.value.strip()):
        return Reading.of(alt.value.strip(), "/sys/module/nvidia/version")
    if text.status is Status.NOT_FOUND:
        return Reading.fail(Status.NOT_FOUND, "nvidia kernel module not loaded (no /proc/driver/nvidia/version)")
    return Reading.fail(text.status, text.detail)


def _final_name(root: Path, path: Path, hops: int = 8) -> Tuple[str, bool]:
    """Follow a symlink chain inside ``root``; the last file name and whether it exists."""
    for _ in range(hops):
        try:
            target = os.readlink(path)
        except OSError:
            break
        path = under(root, target) if os.path.isabs(target) else path.parent / target
    return path.name, os.path.exists(path)


def _library_version(root: Path) -> Reading[str]:
    """Version of ``libnvidia-ml.so.1`` as the dynamic loader would find it, from its file name."""
    found: List[Tuple[str, str]] = []  # (dir, version) in search order
    unversioned: List[str] = []
    for d in LIBRARY_DIRS:
        base = under(root, d)
        so1 = base / "libnvidia-ml.so.1"
        if os.path.lexists(so1):
            name, exists = _final_name(root, so1)
            match = _LIB_NAME.match(name)
            if match and exists:
                found.append((d, match.group(1)))
            elif exists:
                unversioned.append(d)
            continue
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        found.extend((d, m.group(1)) for m in map(_LIB_NAME.match, names) if m)
    if found:
        first_dir, version = found[0]
        others = sorted({f"{v} in {d}" for d, v in found if v != version})
        detail = f"{first_dir}/libnvidia-ml.so.{version}" + (f"; also {', '.join(others)}" if others else "")
        return Reading.of(version, detail)
    if unversioned:
        # WSL2 passes the Windows driver's libnvidia-ml.so.1 through without a versioned name.
        return Reading.fail(Status.NOT_SUPPORTED, f"libnvidia-ml.so.1 in {unversioned[0]} carries no version in its name")
    return Reading.fail(Status.NOT_FOUND, "no libnvidia-ml.so.* in the usual library directories")


def _version_key(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _installed_versions(root: Path, run: Runner) -> Reading[Tuple[str, ...]]:
    """Module versions that would load at the next boot: DKMS sources and trees, and ``modinfo``."""
    versions = set()
    sources = []
    for d, pattern in (("/usr/src", _SRC_DIR), ("/var/lib/dkms/nvidia", re.compile(rf"^({_VERSION})$"))):
        try:
            names = os.listdir(under(root, d))
        except OSError:
            continue
        hits = {m.group(1) for m in map(pattern.match, names) if m}
        if hits:
            versions |= hits
            sources.append(d)
    # modinfo also sees modules that are not DKMS-built (Ubuntu's signed linux-modules-nvidia-*,
    # the .run installer's), for the running kernel.
    res = run(["modinfo", "-F", "version", "nvidia"], timeout=2.0)
    line = res.stdout.strip().splitlines()[0] if res.succeeded and res.stdout.strip() else ""
    if re.fullmatch(_VERSION, line):
        versions.add(line)
        sources.append("modinfo")
    detail = f"from {', '.join(sources)}" if sources else "no /usr/src/nvidia-*, DKMS tree or modinfo answer"
    return Reading.of(tuple(sorted(versions, key=_version_key)), detail)


# --------------------------------------------------------------------------- device nodes
def _device_nodes(root: Path, access: Access) -> Reading[Tuple[DeviceNode, ...]]:
    dev = under(root, "/dev")
    try:
        names = os.listdir(dev)
    except OSError as exc:
        return Reading.fail(os_error_status(exc), f"/dev: {exc.strerror or exc}")
    numbered = sorted((n for n in names if re.fullmatch(r"nvidia\d+", n)), key=lambda n: int(n[6:]))
    paths = ["/dev/nvidiactl"] + [f"/dev/{n}" for n in numbered] + list(FIXED_NODES[1:])
    if "dxg" in names:  # WSL2's GPU node; absent everywhere else, so listed only when present
        paths.append("/dev/dxg")
    return Reading.of(tuple(_node(root, p, access) for p in paths))


def _node(root: Path, path: str, access: Access) -> DeviceNode:
    real = under(root, path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return DeviceNode(path, False)
    except OSError:  # it is there (listed) but this user cannot even stat it
        return DeviceNode(path, True, accessible=False)
    try:
        group: Optional[str] = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return DeviceNode(path, True, st.st_mode & 0o7777, group, bool(access(str(real), os.R_OK | os.W_OK)))


# --------------------------------------------------------------------------- kernel log
def _kernel_log(root: Path, run: Runner, environ: Mapping[str, str]) -> Reading[Tuple[str, ...]]:
    """This boot's kernel messages, from the journal or else ``dmesg``.

    journalctl shows kernel messages only to root and the adm/systemd-journal groups (to
    anyone else it prints nothing, and -q hides the hint), and dmesg is refused to
    unprivileged users when kernel.dmesg_restrict=1 (Ubuntu's default since 20.10). A log we
    could not read is ``no_permission``, never an empty (clean) log.
    """
    env = dict(environ, LC_ALL="C")  # dmesg's error text is matched below
    journal = run(["journalctl", "-k", "-b", "--no-pager", "-q", "-o", "short"], timeout=LOG_TIMEOUT_S, env=env)
    lines = _messages(journal.stdout) if journal.succeeded else ()
    if lines:
        return Reading.of(lines, "from journalctl -k -b")
    dmesg = run(["dmesg"], timeout=LOG_TIMEOUT_S, env=env)
    if dmesg.succeeded:
        return Reading.of(_messages(dmesg.stdout), "from dmesg")
    tried = f"journalctl: {_why(journal)}; dmesg: {_why(dmesg)}"
    if dmesg.status is Status.OK:  # it ran and refused
        text = (dmesg.stderr + dmesg.stdout).lower()
        restrict = read_text(root, "/proc/sys/kernel/dmesg_restrict")
        if "not permitted" in text or "permission denied" in text or (restrict.ok and restrict.value.strip() == "1"):
            return Reading.fail(Status.NO_PERMISSION, f"kernel log not readable by this user ({tried})")
        return Reading.fail(Status.ERROR, tried)
    if Status.TIMEOUT in (journal.status, dmesg.status):
        return Reading.fail(Status.TIMEOUT, tried)
    if dmesg.status is Status.NO_PERMISSION:
        return Reading.fail(Status.NO_PERMISSION, tried)
    return Reading.fail(Status.NOT_FOUND, f"no kernel log available ({tried})")


def _why(res) -> str:
    if res.status is not Status.OK:
        return res.detail or res.status.value
    if res.returncode != 0:
        return (res.stderr.strip().splitlines() or [f"exit {res.returncode}"])[-1][:160]
    return "no kernel messages shown"


def _messages(text: str) -> Tuple[str, ...]:
    """One entry per kernel message, prefixes removed, multi-line messages joined.

    Both dmesg and journalctl print the continuation lines of one message indented
    (the NVRM API-mismatch text spans four lines, each starting "NVRM: ").
    """
    out: List[str] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("-- "):  # journal banners ("-- No entries --", "-- Boot ... --")
            continue
        if line[:1].isspace() and out:
            out[-1] += " " + re.sub(r"^NVRM:\s*", "", line.strip())
            continue
        out.append(_LOG_PREFIX.sub("", line, count=1).strip())
    return tuple(out)


def _xid_events(log: Reading[Tuple[str, ...]]) -> Reading[Tuple[XidEvent, ...]]:
    if not log.ok:
        return Reading.fail(log.status, log.detail)
    events = []
    for line in log.value:
        match = _XID.search(line)
        if match:
            message = _XID_NOISE.sub("", (match.group(3) or "").strip(), count=1)
            events.append(XidEvent(int(match.group(2)), match.group(1), message))
    if len(events) > MAX_XID_EVENTS:
        return Reading.of(tuple(events[-MAX_XID_EVENTS:]),
                          f"{len(events)} Xid lines {log.detail}; the last {MAX_XID_EVENTS} kept")
    return Reading.of(tuple(events), log.detail)


def _load_errors(log: Reading[Tuple[str, ...]]) -> Reading[Tuple[str, ...]]:
    if not log.ok:
        return Reading.fail(log.status, log.detail)
    seen: List[str] = []
    for line in log.value:
        hit = _REFUSED_ANY.search(line) or (_REFUSED_NVIDIA.search(line) and _NVIDIA_WORD.search(line))
        if hit and line not in seen:
            seen.append(line)
    if len(seen) > MAX_LOAD_ERRORS:
        return Reading.of(tuple(seen[:MAX_LOAD_ERRORS]), f"{len(seen)} lines; the first {MAX_LOAD_ERRORS} kept")
    return Reading.of(tuple(seen), log.detail)


# --------------------------------------------------------------------------- daemons and tools
def _daemons(root: Path) -> Tuple[Reading[bool], Reading[bool]]:
    """nvidia-persistenced and nv-fabricmanager among the processes (comm is cut to 15 characters)."""
    proc = under(root, "/proc")
    try:
        pids = [n for n in os.listdir(proc) if n.isdigit()]
    except OSError as exc:
        fail = Reading.fail(os_error_status(exc), f"/proc: {exc.strerror or exc}")
        return fail, fail
    if not pids:
        none = Reading.fail(Status.NOT_FOUND, "no processes listed in /proc")
        return none, none
    comms = set()
    for pid in pids:
        try:
            comms.add((proc / pid / "comm").read_text(errors="replace").strip())
        except OSError:  # the process exited meanwhile, or is hidden
            continue
    persist = bool({"nvidia-persiste", "nvidia-persistenced"} & comms)
    fabric = bool({"nv-fabricmanage", "nv-fabricmanager"} & comms)
    if pids and "1" not in pids:
        # /proc mounted with hidepid: other users' processes (the daemons) are invisible.
        hidden = Reading.fail(Status.NO_PERMISSION, "other users' processes are hidden (/proc hidepid)")
        return (Reading.of(True) if persist else hidden), (Reading.of(True) if fabric else hidden)
    seen = f"not among the {len(pids)} visible processes"
    return Reading.of(persist, None if persist else seen), Reading.of(fabric, None if fabric else seen)


def _nvidia_smi(root: Path, environ: Mapping[str, str]) -> Reading[str]:
    """Like ``shutil.which("nvidia-smi")`` with the probed environment's PATH, inside ``root``."""
    for d in environ.get("PATH", os.defpath).split(os.pathsep):
        if not d or not d.startswith("/"):
            continue
        candidate = under(root, d) / "nvidia-smi"
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return Reading.of(f"{d.rstrip('/')}/nvidia-smi")
    return Reading.fail(Status.NOT_FOUND, "nvidia-smi is not on PATH")
