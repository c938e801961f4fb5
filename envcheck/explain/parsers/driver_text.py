"""The NVIDIA kernel driver as pasted text shows it.

* ``cat /proc/driver/nvidia/version`` → ``NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07 …``
  (the *loaded* kernel module);
* the kernel log: ``NVRM: API mismatch: the client has the version 550.107.02, but this
  kernel module has the version 550.90.07`` (user space vs kernel module), ``NVRM: Xid
  (PCI:0000:01:00): 79, …`` events, refused modules (``Key was rejected by service`` is the
  kernel refusing an unsigned module under Secure Boot,
  https://wiki.debian.org/SecureBoot#MOK_-_Machine_Owner_Key), ``Lockdown: … unsigned module
  loading is restricted``, nouveau holding the device;
* ``lsmod`` rows, ``dkms status``, ``ls /usr/src | grep nvidia``, ``modinfo nvidia``;
* installed driver packages (``nvidia-driver-550:amd64 550.107.02-0ubuntu0.24.04.1``,
  ``dpkg -l`` rows, Fedora's ``xorg-x11-drv-nvidia-550.90.07``) → the user-space version;
* ``systemctl status nvidia-fabricmanager``: ``Unit nvidia-fabricmanager.service could not be
  found.`` (not installed) or its ``Active:`` line → whether Fabric Manager runs;
* Secure Boot's state in the kernel's and boot tools' words ("Kernel is locked down from EFI
  Secure Boot mode", "secureboot: Secure boot enabled", bootctl's and sbctl's "Secure Boot:
  enabled"), and a person saying turning it off made the driver work (in English, Chinese,
  Korean, Japanese, German, Spanish): it was on, and the module was refused;
* a query of the installed packages for the driver answered by nothing (``rpm -qa | grep -i
  nvidia``, ``dpkg -l | grep nvidia``, ``apt list --installed | grep nvidia``, ``pacman -Q |
  grep nvidia``, ``dnf list installed | grep nvidia``: the next line is the next prompt) → no
  driver package installed (the user-space library not found);
* modprobe refusing nvidia_uvm (the module is then not loaded), and a person saying that
  reloading nvidia_uvm (rmmod, then modprobe) fixed CUDA: it was loaded, and broken.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.derived.platform_text import NO_PACKAGE_DETAIL
from envcheck.explain.partial import PROGRAM, STATED, STATED_DETAIL, TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import XidEvent
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "kernel log"
_V = r"\d{3}\.\d{2,3}(?:\.\d{2})?"

_NVRM_VERSION = lazy(rf"NVRM version: NVIDIA UNIX .*?Kernel Module(?: for \w+)?\s+({_V})\b")
# The message's two halves on two lines (as dmesg shows it, and rsyslog's "#012" once
# source.normalise has made it a newline again) or one.
_API_MISMATCH = lazy(rf"client has the version ({_V}), but\s+(?:NVRM:\s+)?this kernel module has the "
                     rf"version ({_V})")
# As the live probe reads them: drivers before ~R340 wrote the bus id without "PCI:", and
# some Xids carry no text after the number.
_XID = lazy(r"NVRM: Xid \((?:PCI:)?(?P<pci>[0-9A-Fa-f:.]+)\): (?P<xid>\d+)(?:,\s*(?P<msg>.*))?$")
_LOAD_ERRORS = lazy(r"modprobe: (?:ERROR|FATAL): .*nvidia.*|Key was rejected by service|"
                    r"Lockdown: .*unsigned module loading is restricted|"
                    r"NVRM: The NVIDIA probe routine was not called|"
                    r"nvidia: module verification failed: .*|"
                    r"NVRM: .*(?:nouveau|rivafb|nvidiafb).*obtained ownership|"
                    r"NVRM: No NVIDIA (?:GPU|devices?) found|"
                    r"NVRM: RmInitAdapter failed|"
                    r"nvidia-nvlink: Nvlink Core is being initialized.*failed", re.IGNORECASE)
_SECURE_BOOT_REFUSAL = lazy(r"Key was rejected by service|unsigned module loading is restricted", re.IGNORECASE)
_MODULE_PATH = lazy(r"Module nvidia not found in directory /lib/modules/(\S+)")
# A row: name, size, use count, then the modules using it ("nvidia  56655872  1234
# nvidia_uvm,nvidia_modeset"): a module named there is loaded too, though its own row may
# have been cut from the paste or grep'd away.
_LSMOD = lazy(r"^(nvidia(?:_uvm|_drm|_modeset|_peermem)?|nouveau|nova_core)\s+\d+\s+\d+(?:\s+(\S+))?")
_USER = lazy(r"^nvidia(?:_uvm|_drm|_modeset|_peermem)$")
_DKMS = lazy(rf"^nvidia(?:-open)?[,/]\s*({_V})(?:,\s*(\S+?))?(?:,\s*\S+)?:\s*(installed|built|added)")
_USR_SRC = lazy(rf"^(?:/usr/src/)?nvidia-(?:open-)?({_V})/?$")
_MODINFO_VERSION = lazy(rf"^version:\s+({_V})\s*$")
_PACKAGE = lazy(rf"\b(?:nvidia-driver|libnvidia-compute|nvidia-utils|nvidia-kernel-common)-\d{{3}}(?:-open|-server)*"
                rf"(?::\w+)?\s+({_V})-|\bxorg-x11-drv-nvidia-({_V})\b")
# The user-space driver's packages where the name carries no branch, as package tools list
# them: Debian's `dpkg -l` rows (only "ii", installed: "rc" is removed), e.g.
# "ii  nvidia-smi  525.85.12-1  amd64", "ii  libnvidia-ml1:amd64  525.85.12-1"; RPM names
# (Fedora/negativo17 and NVIDIA's RHEL repo: "nvidia-driver-libs-550.107.02-1.el9.x86_64",
# dnf's epoch "nvidia-driver-3:550.54.15-1.el9"); Arch's `pacman -Q` "nvidia-utils 550.78-1".
_USERSPACE_DEB = ("nvidia-smi", "nvidia-driver", "nvidia-driver-bin", "libnvidia-ml1", "libcuda1", "nvidia-utils",
                  "libnvidia-compute", "nvidia-driver-libs", "libnvidia-cfg1")
_DEB_ROW = lazy(rf"^ii\s+({'|'.join(re.escape(n) for n in _USERSPACE_DEB)})(?::\w+)?\s+(?:\d+:)?({_V})-\S+\s")
_RPM_NAME = lazy(rf"(?<![\w-])(?:nvidia-driver(?:-libs|-cuda|-cuda-libs|-NVML)?|libnvidia-ml|nvidia-utils)"
                 rf"-(?:\d+:)?({_V})-\d[\w.]*\.(?:x86_64|aarch64|ppc64le|i686)\b")
_PACMAN = lazy(rf"^nvidia-utils\s+({_V})-\d+\s*$")
# An upgrade of the user-space driver as the package logs record it: apt's history.log
# ("Upgrade: libnvidia-compute-535:amd64 (535.104.05-0ubuntu1, 535.113.01-0ubuntu1), …") and
# dpkg.log ("2023-10-01 06:25:01 upgrade libnvidia-compute-535:amd64 535.104.05-0ubuntu1
# 535.113.01-0ubuntu1"): the second version is the one on disk now.
_UPGRADED_NAME = r"(?:libnvidia-compute|libnvidia-common|libnvidia-gl|nvidia-utils|nvidia-compute-utils|nvidia-driver)-\d{3}(?:-server|-open)*:\w+"
_UPGRADED = lazy(rf"{_UPGRADED_NAME} \((?:\d+:)?{_V}-[^,)]*, (?:\d+:)?({_V})-[^)]*\)"
                       rf"|\bupgrade {_UPGRADED_NAME} (?:\d+:)?{_V}-\S+ (?:\d+:)?({_V})-\S+")
# `cat /sys/module/nvidia/version` prints the loaded module's version alone on the next line.
_SYS_MODULE = lazy(r"/sys/module/nvidia/version\s*$")
_BARE_VERSION = lazy(rf"^\s*({_V})\s*$")


# What a line must hold for each pattern above to find something in it (lower case; the
# patterns then run on those lines only: most lines of a long log hold none of them).
_MAY_LOG = ("nvrm", "client has the version", "modprobe: ", "key was rejected by service", "lockdown: ",
            "module verification failed", "nvlink core is being initialized", "nvidia-driver-",
            "libnvidia-compute-", "nvidia-utils-", "nvidia-kernel-common-", "xorg-x11-drv-nvidia-",
            "libnvidia-common-", "libnvidia-gl-", "nvidia-compute-utils-")
_MAY_PACKAGE = ("ii ", "nvidia-driver", "libnvidia-ml", "nvidia-utils")
_MAY_MODULE = ("nvidia", "nouveau", "nova_core", "version:")


def _modules(f: Found, lines: Tuple[str, ...], candidates: List[int]) -> None:
    loaded = []
    first = None
    for i in candidates:
        line = lines[i]
        m = _LSMOD.match(line.strip())
        if not m:
            continue
        users = [u for u in (m.group(2) or "").strip(",").split(",") if _USER.match(u)]
        for name in [m.group(1)] + users:
            if name not in loaded:
                loaded.append(name)
                first = i if first is None else first
    if loaded:
        f.set("driver.loaded_modules", tuple(loaded), first, detail="lsmod rows in the text (other modules may be loaded)")


# The open driver shown holding the GPU: lshw's "configuration: driver=nouveau", the kernel
# log's "nouveau 0000:01:00.0: NVIDIA TU106 (…)" (the driver prefixes the device it drives).
_OPEN_DRIVER = lazy(r"\bconfiguration:.*\bdriver=(nouveau|nova_core)\b"
                    r"|^(?:\[[\s\d.]+\]\s*|\w{3}\s+\d+\s+[\d:]+\s+\S+\s+kernel:\s*(?:\[[\s\d.]+\]\s*)?)?"
                    r"(nouveau|nova_core)\s+[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]:")
# The NVIDIA module not in the kernel: its /proc entry is missing (it exists exactly while
# nvidia.ko is loaded), or `lsmod | grep nvidia` printed nothing before the next prompt.
_NO_PROC = lazy(r"/proc/driver/nvidia(?:/(?:version|gpus)\S*)?['\"]?:\s*No such file or directory"
                r"|/proc/driver/nvidia/version does not exist")
_LSMOD_GREP = lazy(r"(?:^|[$#>]\s*)(?:sudo\s+)?lsmod\s*\|\s*(?:[ef]?grep|rg)\s+(?:-\w+\s+)*['\"]?nvidia['\"]?\s*$")
# `lsmod | grep nvidia_uvm` (or uvm) answered by nothing: nvidia_uvm is not loaded. Only where the
# next line is the next prompt (a paste cut right after the command says nothing).
_LSMOD_GREP_UVM = lazy(r"(?:^|[$#>]\s*)(?:sudo\s+)?lsmod\s*\|\s*(?:[ef]?grep|rg)\s+(?:-\w+\s+)*['\"]?(?:nvidia[-_])?uvm['\"]?\s*$")
# The next prompt, where a command printed nothing: ``me@box:~$``, RHEL's ``[root@gpu01 ~]#``, a bare ``$``.
_PROMPT = lazy(r"^\s*(?:\(\S+\)\s*)?(?:\[[^\]\n]+\]\s*[$#]|(?:[\w.-]+@[\w.-]+:\S*\s*)?[$#])(?:\s|$)")


def _open_driver(f: Found, lines: Tuple[str, ...], candidates: List[int]) -> None:
    for i in candidates:
        m = _OPEN_DRIVER.search(lines[i])
        if m:
            name = m.group(1) or m.group(2)
            f.set("driver.loaded_modules", (name,), i,
                  detail=f"{name} drives an NVIDIA device (line {i + 1}; other modules may be loaded)")
            return


def _not_loaded(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    for i in doc.lines_containing("/proc/driver/nvidia"):
        if _NO_PROC.search(lines[i]):
            f.set("driver.modules_not_loaded", ("nvidia",), i, detail=f"/proc/driver/nvidia is missing (line {i + 1})")
            return
    for i in doc.lines_containing("lsmod"):
        if _LSMOD_GREP.search(lines[i]) and (i + 1 == len(lines) or _PROMPT.match(lines[i + 1])):
            f.set("driver.modules_not_loaded", ("nvidia",), i,
                  detail=f"`lsmod | grep nvidia` printed nothing (line {i + 1})")
            return


def _module_versions(line: str) -> Tuple[Optional[str], Optional[str]]:
    """(the version dkms or /usr/src names, the version a modinfo line names) on ``line``; read
    once per distinct line (Pasted.read)."""
    s = line.strip()
    m = _DKMS.match(s) or _USR_SRC.match(s)
    v = _MODINFO_VERSION.match(s)
    return (m.group(1) if m else None), (v.group(1) if v else None)


def _installed(f: Found, doc: Pasted, lines: Tuple[str, ...], candidates: List[int]) -> None:
    versions = []
    first = None
    for i in candidates:
        built, modinfo = doc.read(_module_versions, lines[i])
        if built is not None and built not in versions:
            versions.append(built)
            first = i if first is None else first
        if modinfo is not None and any("modinfo" in lines[j] or "nvidia.ko" in lines[j] for j in range(max(0, i - 8), i)):
            if modinfo not in versions:
                versions.append(modinfo)
                first = i if first is None else first
    if versions:
        f.set("driver.installed_module_versions", tuple(versions), first)


# systemd's words (systemctl status): the unit is unknown, or its state.
_FM_UNIT = lazy(r"Unit nvidia-fabricmanager(?:\.service)? could not be found|nvidia-fabricmanager\.service\b")
_ACTIVE = lazy(r"^\s*Active:\s+(?P<state>active \(running\)|inactive|failed|activating)")


def _fabric_manager(f: Found, lines: Tuple[str, ...], doc: Pasted) -> None:
    for i in doc.lines_containing("nvidia-fabricmanager"):
        m = _FM_UNIT.search(lines[i])
        if not m:
            continue
        if m.group(0).startswith("Unit "):
            f.set("driver.fabric_manager_running", False, i, detail=f"systemctl: {m.group(0)} (line {i + 1})")
            continue
        for j in range(i + 1, min(i + 5, len(lines))):
            a = _ACTIVE.match(lines[j])
            if a:
                f.set("driver.fabric_manager_running", a.group("state") == "active (running)", j,
                      detail=f"systemctl: {lines[j].strip()[:80]} (line {j + 1})")
                break


# The kernel (Ubuntu/Fedora lockdown patch: "Kernel is locked down from EFI Secure Boot mode;
# see man kernel_lockdown.7"; arch/x86 "secureboot: Secure boot enabled"), systemd's bootctl and
# sbctl ("Secure Boot: enabled" / "✓ Enabled").
_SB_LOG = lazy(r"Kernel is locked down from EFI Secure Boot|\bsecureboot: Secure boot (?P<kern>enabled|disabled)\b"
               r"|^\s*Secure Boot:\s*(?:[✓✗]\s*)?(?P<tool>enabled|disabled)\b", re.IGNORECASE)
_SB_WORDS = ("secure boot", "secureboot", "secure-boot", "安全启动", "安全引导", "보안 부팅", "セキュアブート", "セキュア ブート")
# Turning it off made the driver work: the off verb, then within the sentence the result.
_SB_OFF_WORKED = lazy(
    r"(?:\bdisabl(?:ed|ing)\b|\b(?:had\s+to|needed\s+to|i|we|then|once)\s+disable\b|\bturn(?:ed|ing)\s+(?:it\s+|\w+\s+)?off\b|\bswitch(?:ed|ing)\s+(?:it\s+)?off\b|\bdeaktiviert\b|"
    r"\bausgeschaltet\b|\bdesactiv\w*|\bdeshabilit\w*)[^\n]{0,80}?(?:\bwork\w*|\bfix\w*|\bsolv\w*|\bload\w*|\bfunktion\w*|"
    r"\bfunciona\w*|\bgeht\b)"
    r"|(?:关闭|关掉|禁用)[^\n]{0,40}?(?:就|后|之后|以后)[^\n]{0,30}?(?:好|能|可以|正常|成功|加载)"
    r"|(?:끄니까|끄고|끄면|껐더니|비활성화\w*)[^\n]{0,40}?(?:됩니다|돼요|됐|해결|작동|로드)"
    r"|無効に(?:したら|すると|して)[^\n]{0,40}?(?:動|直|解決|ロード)", re.IGNORECASE)
_SB_ROUTINE = lazy(r"\b(?:should|must|need\w*|do\s+i|have\s+to|whether|if\s+you)\b|\?", re.IGNORECASE)
# Secure Boot's present state, not the act of turning it off: "Secure boot is disabled in BIOS, the
# driver works", "I have secure boot disabled and it loads".
_SB_STATE_NOW = lazy(r"(?:\b(?:is|are|has\s+been|have\s+been|remains?|stays?)|\b(?:have|has|keep)\s+(?:the\s+)?secure[\s-]?boot)"
                     r"\s*(?:already\s+|always\s+)?$", re.IGNORECASE)
# Another driver than NVIDIA's made to work by it (a Wi-Fi card's, VirtualBox's): not this GPU's.
SB_OTHER_DRIVER = lazy(r"\b(?:wi-?fi|wlan|wireless|broadcom|realtek|bluetooth|virtualbox|vbox\w*|vmware|wacom|evdi)\b",
                       re.IGNORECASE)
# Turned off as a routine step before installing ("disabled Secure Boot before installing the
# driver and it works"): no refusal was seen.
_SB_BEFORE = lazy(r"\bbefore\b|\bprior\s+to\b|\bduring\s+(?:the\s+)?install|安装前|安装之前|설치\s*전|インストール前",
                  re.IGNORECASE)
_UVM_REFUSED = lazy(r"could not insert '(?P<m>nvidia[-_]uvm)'|FATAL: Module (?P<m2>nvidia[-_]uvm) not found"
                    r"|\b(?:no|without|missing|but\s+not)\s+(?:the\s+)?nvidia[-_]uvm\b(?!\s*(?:error|issue|problem|warning))",
                    re.IGNORECASE)
# modprobe returns 0 for a module already loaded: its refusal of nvidia means nvidia is not loaded.
_NVIDIA_REFUSED = lazy(r"modprobe: (?:ERROR|FATAL): could not insert '(?:nvidia|nvidia_current|nvidia-current)'")
_UVM_RELOADED = lazy(r"rmmod\s+nvidia[-_]uvm|modprobe\s+(?:-r|--remove)\s+nvidia[-_]uvm|reload\w*\s+(?:the\s+)?"
                     r"nvidia[-_]uvm", re.IGNORECASE)
_FIXED = lazy(r"\b(?:work\w*|fix\w*|solv\w*|resolv\w*|brings?\s+it\s+back|help\w*)\b|解决|就好|恢复|해결|解決",
              re.IGNORECASE)


def _secure_boot_told(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    for i in doc.lines_containing("locked down", "secureboot:", "secure boot:"):
        m = _SB_LOG.search(lines[i])
        if m:
            state = (m.group("kern") or m.group("tool") or "enabled").lower()
            f.set("host.secure_boot", state == "enabled", i, detail=f"{m.group(0).strip()} (line {i + 1})")
            return
    for i in doc.lines_containing(*_SB_WORDS, ignorecase=True):
        line = lines[i]
        m = _SB_OFF_WORKED.search(line)
        if (m and not _SB_ROUTINE.search(line[:m.start()]) and "?" not in line[m.end():m.end() + 20]
                and not _SB_STATE_NOW.search(line[:m.start()]) and not SB_OTHER_DRIVER.search(line)
                and not _SB_BEFORE.search(m.group(0))
                and not re.search(r"n't|\bnot\b|\bnever\b|没|不|안|ない", m.group(0))):
            # Above a bare "Secure Boot is disabled" in the same words (STATED): that is the state
            # after the fix; while the driver failed it was on.
            f.set("host.secure_boot", True, i, rank=STATED + 1,
                  detail=f"{STATED_DETAIL}: turning Secure Boot off made it work ({m.group(0).strip()[:60]})")
            f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
                  detail=f"{STATED_DETAIL}: the driver worked only once Secure Boot was off")
            return


def _uvm_grep_empty(f: Found, doc: Pasted) -> bool:
    lines = doc.lines
    if any(c.path == "driver.loaded_modules" and "nvidia_uvm" in (c.reading.value or ()) for c in f.claims):
        return False  # a listing elsewhere in the text shows it loaded (before or after)
    for i in doc.lines_containing("lsmod"):
        if _LSMOD_GREP_UVM.search(lines[i]) and i + 1 < len(lines) and _PROMPT.match(lines[i + 1]):
            f.set("driver.modules_not_loaded", ("nvidia_uvm",), i,
                  detail=f"`lsmod | grep nvidia_uvm` printed nothing (line {i + 1})")
            return True
    return False


def _uvm_told(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    if _uvm_grep_empty(f, doc):
        return
    for i in doc.lines_containing("could not insert 'nvidia"):
        if _NVIDIA_REFUSED.search(lines[i]):
            f.set("driver.modules_not_loaded", ("nvidia",), i, detail=f"modprobe could not insert nvidia (line {i + 1})")
            return
    for i in doc.lines_containing("nvidia_uvm", "nvidia-uvm"):
        line = lines[i]
        m = _UVM_REFUSED.search(line)
        if m:
            f.set("driver.modules_not_loaded", ("nvidia_uvm",), i, detail=f"{m.group(0)} (line {i + 1})")
            return
        m = _UVM_RELOADED.search(line)
        if m and _FIXED.search(" ".join(lines[i:i + 2])):
            f.set("driver.loaded_modules", ("nvidia", "nvidia_uvm"), i, rank=STATED,
                  detail=f"{STATED_DETAIL}: reloading nvidia_uvm fixed it, so it was loaded ({m.group(0)})")
            return


_PACKAGE_QUERY = lazy(r"(?:^|[$#>]\s*)(?:sudo\s+)?(?:rpm\s+-qa|dpkg\s+(?:-l|--list)|apt\s+list\s+--installed|"
                      r"dnf\s+list\s+installed|yum\s+list\s+installed|pacman\s+-Q)\s*(?:2>\S+\s*)?"
                      r"\|\s*grep\s+(?:-\w+\s+)*['\"]?nvidia(?:-driver)?['\"]?\s*$", re.IGNORECASE)


def _no_package(f: Found, doc: Pasted) -> None:
    """A driver package query with no answer: the next line is the next prompt."""
    lines = doc.lines
    if any(c.path == "driver.userspace_library_version" for c in f.claims):
        return
    for i in doc.lines_containing("grep"):
        if _PACKAGE_QUERY.search(lines[i]) and i + 1 < len(lines) and _PROMPT.match(lines[i + 1]):
            f.fail("driver.userspace_library_version", Status.NOT_FOUND, i,
                   detail=f"{NO_PACKAGE_DETAIL} (line {i + 1})")
            return


def _package_rows(f: Found, doc: Pasted) -> None:
    """The installed user-space driver from a package tool's rows (the first one found)."""
    lines = doc.lines
    for i in doc.lines_containing(*_MAY_PACKAGE):
        line = lines[i].strip()
        m = _DEB_ROW.match(line) or _PACMAN.match(line)
        v = (m.group(m.lastindex) if m else None)
        if v is None:
            r = _RPM_NAME.search(line)
            v = r.group(1) if r else None
        if v:
            f.set("driver.userspace_library_version", v, i, rank=PROGRAM,
                  detail=f"installed driver package (line {i + 1})")
            return


def _sys_module(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    for i in doc.lines_containing("/sys/module/nvidia/version"):
        if _SYS_MODULE.search(lines[i]) and i + 1 < len(lines):
            m = _BARE_VERSION.match(lines[i + 1])
            if m:
                f.set("driver.kernel_module_version", m.group(1), i + 1,
                      detail=f"/sys/module/nvidia/version: the loaded module (line {i + 2})")
                return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    _fabric_manager(f, lines, doc)
    xids = []
    search = doc.search  # each pattern's search remembered per line text: a log repeats its lines
    for i in doc.lines_containing(*_MAY_LOG, ignorecase=True):
        line = lines[i]
        m = search(_NVRM_VERSION, line)
        if m:
            f.set("driver.kernel_module_version", m.group(1), i)
        # The API-mismatch message spans two log lines.
        m = _API_MISMATCH.search(" ".join(lines[i:i + 2])) if "client has the version" in line else None
        if m:
            f.set("driver.userspace_library_version", m.group(1), i, detail="kernel log: NVRM API mismatch")
            f.set("driver.kernel_module_version", m.group(2), i, detail="kernel log: NVRM API mismatch")
            f.item("driver.module_load_errors", line.strip(), line.strip(), i)
        m = search(_XID, line)
        if m:
            xids.append((XidEvent(int(m.group("xid")), m.group("pci"), (m.group("msg") or "").strip()), i))
        if search(_LOAD_ERRORS, line):
            f.item("driver.module_load_errors", line.strip(), line.strip(), i)
            if _SECURE_BOOT_REFUSAL.search(line):
                f.set("host.secure_boot", True, i,
                      detail=f"the kernel refused an unsigned module, which only Secure Boot enforces (line {i + 1})")
            pm = _MODULE_PATH.search(line)
            if pm:
                f.set("host.kernel", pm.group(1), i)
        u = search(_UPGRADED, line)  # a package log's old and new versions: the new one is on disk
        m = None if u else search(_PACKAGE, line)
        if u:
            f.set("driver.userspace_library_version", u.group(1) or u.group(2), i, rank=PROGRAM,
                  detail=f"driver packages upgraded to it (package log, line {i + 1})")
        if m:
            f.set("driver.userspace_library_version", m.group(1) or m.group(2), i, rank=PROGRAM,
                  detail=f"installed driver package (line {i + 1})")
    if xids:
        f.set("driver.xid_events", tuple(x for x, _ in xids), xids[0][1],
              detail="Xid lines in the text (the log may hold more)")
    if not any(c.path == "driver.userspace_library_version" for c in f.claims):
        _package_rows(f, doc)
    _sys_module(f, doc)
    candidates = doc.lines_containing(*_MAY_MODULE)
    _modules(f, lines, candidates)
    if not f.claims or all(c.path != "driver.loaded_modules" for c in f.claims):
        _open_driver(f, lines, candidates)
    _not_loaded(f, doc)
    _installed(f, doc, lines, candidates)
    _secure_boot_told(f, doc)
    _uvm_told(f, doc)
    _no_package(f, doc)
    return f
