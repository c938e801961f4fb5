"""The host from pasted text: OS release, kernel, WSL version, Secure Boot, container cgroups.

Recognises ``/etc/os-release``, ``lsb_release -a``, ``hostnamectl``, ``uname -a`` /
``uname -r``, ``/proc/version``, ``wsl -l -v`` (run in Windows), ``mokutil --sb-state``
and ``bootctl status``, and ``/proc/1/cgroup`` lines. The helpers :func:`describe_os`
and :func:`kernel_wsl` are shared with the collect_env and free-text parsers.

WSL is only *proven* by the kernel: WSL 2 kernels are named ``…-microsoft-standard-WSL2``
and WSL 1 reports a fake ``4.4.0-<build>-Microsoft`` kernel
(https://learn.microsoft.com/windows/wsl/compare-versions); a person writing "WSL2"
is a claim, recorded elsewhere at a lower rank.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from ...derived.messages import STATED_DETAIL
from ...lazyre import lazy
from ..partial import PROGRAM, STATED, TOOL, Found
from ..source import Pasted
from .driver_text import SB_OTHER_DRIVER

SOURCE = "system files"

_I = re.IGNORECASE
_DISTROS: Tuple[Tuple[re.Pattern, str], ...] = tuple((lazy(p, _I), os_id) for p, os_id in (
    (r"\bUbuntu[ -]?(?P<v>\d{2}\.\d{2})(?:\.\d+)?", "ubuntu"),
    (r"\bUbuntu[ -]?(?P<y>\d{2})(?P<m>04|10)\b", "ubuntu"),  # "Ubuntu1804", "ubuntu 2204"
    (r"\bDebian(?: GNU/Linux)?\s+(?P<v>\d+)", "debian"),
    (r"\bCentOS(?: Linux| Stream)?(?: release)?\s+(?P<v>\d+)", "centos"),
    (r"\bFedora(?: Linux)?(?: release)?\s+(?P<v>\d+)", "fedora"),
    (r"\bRed Hat Enterprise Linux(?: Server| Workstation)?(?: release)?\s+(?P<v>\d+(?:\.\d+)?)", "rhel"),
    (r"\bRHEL\s?(?P<v>\d+(?:\.\d+)?)\b", "rhel"),
    (r"\bRocky Linux(?: release)?\s+(?P<v>\d+(?:\.\d+)?)", "rocky"),
    (r"\bAlmaLinux(?: release)?\s+(?P<v>\d+(?:\.\d+)?)", "almalinux"),
    (r"\bLinux Mint\s+(?P<v>\d+(?:\.\d+)?)", "linuxmint"),
    (r"\bPop!_OS\s+(?P<v>\d{2}\.\d{2})", "pop"),
    (r"\bopenSUSE Leap\s+(?P<v>\d+\.\d+)", "opensuse-leap"),
    (r"\bopenSUSE Tumbleweed\b", "opensuse-tumbleweed"),
    (r"\bAmazon Linux\s+(?P<v>\d+)", "amzn"),
    (r"\bArch Linux\b", "arch"),
    (r"\bManjaro\b", "manjaro"),
    (r"\bCachyOS\b", "cachyos"),
    (r"\b(?:Microsoft )?Windows\s+(?:Server\s+)?(?P<v>\d{1,4}|XP|Vista)\b", "windows"),
    (r"\b(?:macOS|Mac OS ?X|OS X)\s+(?P<v>\d+(?:\.\d+)*)", "macos"),
))
_ARCH = r"x86_64|aarch64|arm64|ppc64le|s390x|armv7l|i686|AMD64"


_NAMES = {"ubuntu": "Ubuntu", "debian": "Debian", "centos": "CentOS", "fedora": "Fedora", "rhel": "RHEL",
          "rocky": "Rocky Linux", "almalinux": "AlmaLinux", "linuxmint": "Linux Mint", "pop": "Pop!_OS",
          "opensuse-leap": "openSUSE Leap", "opensuse-tumbleweed": "openSUSE Tumbleweed", "amzn": "Amazon Linux",
          "arch": "Arch Linux", "manjaro": "Manjaro", "cachyos": "CachyOS", "windows": "Windows", "macos": "macOS"}


@dataclass(frozen=True)
class OsInfo:
    os_id: str
    version: Optional[str]
    pretty: str
    arch: Optional[str]


@functools.lru_cache(maxsize=1024)  # a long log repeats its OS lines; an OsInfo is frozen
def describe_os(text: str, exact: bool = True) -> Optional[OsInfo]:
    """"Ubuntu 24.10 (x86_64)" / "Fedora release 34" / "Ubuntu1804" → an :class:`OsInfo`.

    ``exact``: the text is an OS description printed by a tool (kept as the pretty
    name); otherwise it is prose and the pretty name is rebuilt from id and version."""
    for pattern, os_id in _DISTROS:
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        version = f"{groups['y']}.{groups['m']}" if groups.get("y") else groups.get("v")
        stripped = text.strip()
        arch_m = re.search(rf"\(({_ARCH})\)$", stripped)
        if exact:
            pretty = re.sub(rf"\s*\(({_ARCH})\)$", "", stripped)
        else:
            pretty = f"{_NAMES[os_id]} {version}" if version else _NAMES[os_id]
        return OsInfo(os_id, version, pretty, arch_m.group(1) if arch_m else None)
    return None


_KERNEL_FLAVOUR = lazy(
    r"[.-](?:generic|lowlatency|aws|azure|gcp|gke|oracle|kvm|raspi|nvidia|tegra|microsoft-standard-WSL2|Microsoft|"
    r"amd64|arm64|cloud-amd64|el\d[\w.]*|fc\d+[\w.]*|arch\d*-\d+|zen\d*|cachyos|pve|default|rt\d*|lts)(?:[\w.+~-]*)$")
_KERNEL_SHAPE = lazy(r"^\d+\.\d+[\w.+~-]*$")


def is_kernel_release(text: str) -> bool:
    """"6.8.0-45-generic", "4.4.0-19041-Microsoft", "6.9.7-200.fc40.x86_64" — a release with a known flavour."""
    t = text.strip()
    return len(t) < 100 and bool(_KERNEL_SHAPE.match(t)) and bool(_KERNEL_FLAVOUR.search(t))


def kernel_wsl(kernel: str) -> str:
    """"wsl2", "wsl1" or "none" from a Linux kernel release string."""
    k = kernel.lower()
    if "microsoft-standard" in k or "wsl2" in k:
        return "wsl2"
    if k.endswith("-microsoft") or "-microsoft " in k:
        return "wsl1"
    return "none"


@functools.lru_cache(maxsize=1024)  # as describe_os
def python_platform(text: str) -> Optional[Tuple[str, str]]:
    """platform.platform() ("Linux-6.11.0-21-generic-x86_64-with-glibc2.40") → (kernel, arch)."""
    m = re.match(rf"Linux-(.+?)-({_ARCH})(?:-with-.*)?$", text.strip())
    return (m.group(1), m.group(2)) if m else None


def set_kernel(found: Found, kernel: str, line: int, rank: Optional[int] = None) -> None:
    found.set("host.kernel", kernel, line, rank=rank)
    wsl = kernel_wsl(kernel)
    found.set("host.wsl", wsl, line, rank=rank,
              detail=f"kernel {kernel} is {'a WSL 2' if wsl == 'wsl2' else 'a WSL 1' if wsl == 'wsl1' else 'not a WSL'} kernel")


def set_os(found: Found, info: OsInfo, line: int, rank: Optional[int] = None) -> None:
    found.set("host.os_id", info.os_id, line, rank=rank)
    if info.version:
        found.set("host.os_version", info.version, line, rank=rank)
    found.set("host.os_pretty", info.pretty, line, rank=rank)
    if info.arch:
        found.set("host.arch", "x86_64" if info.arch == "AMD64" else info.arch, line, rank=rank)


_OS_RELEASE = lazy(r'^(PRETTY_NAME|ID|VERSION_ID)="?([^"]*)"?\s*$')
_LSB = lazy(r"^(Description|Release|Distributor ID):\s+(.+)$")
_UNAME_A = lazy(rf"^Linux\s+\S+\s+(\S+)\s+#.*?\b({_ARCH})\b.*GNU/Linux\s*$")
_PROC_VERSION = lazy(r"^Linux version (\S+) \(")
_HOSTNAMECTL = lazy(r"^\s*(Operating System|Kernel|Architecture):\s+(.+)$")
_WSL_HEADER = lazy(r"^\s*NAME\s+STATE\s+VERSION\s*$")
_WSL_ROW = lazy(r"^\s*(\*)?\s*(\S+)\s+(Running|Stopped|Installing|Converting|Uninstalling)\s+([12])\s*$")
_SB = lazy(r"^\s*(?:SecureBoot|Secure Boot:)\s*(enabled|disabled)\b", _I)
_SB_STATED = lazy(r"\bsecure ?boot\b[^.!?\n]{0,20}?\b(?:is|was|now|:)?\s*(enabled|disabled|on|off)\b", _I)
# The verb first: "later I enabled the Secure Boot", "turned off secure boot".
_SB_TURNED = lazy(r"\b(enabled|disabled|turned\s+on|turned\s+off|switched\s+on|switched\s+off)\s+(?:the\s+)?"
                        r"secure\s?boot\b", _I)
# The fix retold: "disabled the SecureBoot and it worked", "after turning off secure boot
# nvidia-smi works", "disabling Secure Boot fixed it", "turning Secure Boot off brought it back to normal", 关闭安全启动后就好了 (after turning off
# Secure Boot it was fine). Not routine set-up: "disabled Secure Boot before installing".
_SB_FIXED = lazy(r"(?:\b(?:disabl(?:ed|ing)|turn(?:ed|ing)\s+off|switch(?:ed|ing)\s+off|deactivat(?:ed|ing))\s+"
                       r"(?:the\s+)?secure\s?boot\b|\b(?:turn|switch)(?:ed|ing)\s+(?:the\s+)?secure\s?boot\s+off\b)[^.;!?\n]{0,60}?\b(?:works?|worked|working|fixed|solved|resolved|"
                       r"loads?|loaded|boom|it\s+runs|all\s+good|is\s+fine|(?:returns?|returned|brings?|brought|restores?|restored|"
                       r"gets?|got|goes|went|is|was)\s+(?:\w+\s+){0,2}(?:back\s+)?to\s+normal)\b"
                       r"|(?:关闭|禁用|关掉)(?:了)?(?:bios\s*(?:里|中)?的?)?安全启动[^。；!\n]{0,12}?(?:就|后|之后)?(?:好了|正常|可以了|解决)", _I)
_SB_ROUTINE = lazy(r"\bbefore\s+(?:installing|the\s+install|install)|安装前|安装之前", _I)
# The fix denied between the two: "disabling Secure Boot did not bring it back to normal", "turned off
# secure boot but it still doesn't work".
_SB_FIX_DENIED = lazy(r"\b(?:not|never|still|neither|nor)\b|n't\b|\bno\s+(?:change|difference|luck)\b|没有|还是|仍然", _I)
# 安全启动 (Secure Boot) 已开启 / 是开启的 / 关闭了 in a person's words.
_SB_ZH = lazy(r"(?:安全启动|セキュアブート|보안\s?부팅)\s*(?:是|已经?|已|が|は|이|가|을|를)?\s*"
                    r"(?:(?P<on>开启|打开|启用|有効|オン|켜져|활성화|enabled|on)|(?P<off>关闭|禁用|無効|オフ|꺼져|비활성화|disabled|off))", _I)
# A ticked form box outranks WSL mentioned in passing elsewhere in the same text (STATED).
_ANSWERED = STATED + 1
# What each reader's lines must hold, found with one scan of the text (Pasted.lines_with).
# A kernel line: uname -a, /proc/version, hostnamectl's "Kernel:", or a bare `uname -r`.
_BARE_KERNEL = lazy(r"[ \t]*\d+\.\d+\S*[ \t]*$", re.MULTILINE)  # at a line's start (Pasted.lines_starting)
_CGROUP_LINE = lazy(r"[ \t]*\d+:[\w,=]*:/")  # at a line's start
_CGROUP = lazy(r"^\d+:[\w,=]*:/(docker|kubepods|lxc|libpod|containerd)\b")


def _os_release(doc: Pasted, found: Found) -> None:
    seen = {}
    for i in doc.lines_containing("pretty_name=", "id="):
        m = _OS_RELEASE.match(doc.lines[i].strip())
        if m:
            seen[m.group(1)] = (m.group(2), i)
    if "ID" in seen and "VERSION_ID" in seen:
        found.set("host.os_id", seen["ID"][0].lower(), seen["ID"][1])
        found.set("host.os_version", seen["VERSION_ID"][0], seen["VERSION_ID"][1])
    if "PRETTY_NAME" in seen:
        value, i = seen["PRETTY_NAME"]
        info = describe_os(value)
        if info:
            set_os(found, info, i)
            found.set("host.os_pretty", value, i)


def _lsb(doc: Pasted, found: Found) -> None:
    for i in doc.lines_containing("description:"):
        m = _LSB.match(doc.lines[i].strip())
        if m and m.group(1) == "Description":
            info = describe_os(m.group(2))
            if info:
                set_os(found, info, i)


def _kernel(doc: Pasted, found: Found) -> None:
    idle = set()  # lines that named no kernel (each reader reads the line alone): a log repeats them
    for i in sorted(set(doc.lines_containing("linux", "kernel")) | set(doc.lines_starting(_BARE_KERNEL))):
        line = doc.lines[i]
        if line in idle:
            continue
        s = line.strip()
        m = _UNAME_A.match(s)
        if m:
            set_kernel(found, m.group(1), i)
            found.set("host.arch", m.group(2), i)
            continue
        m = _PROC_VERSION.match(s)
        if m:
            set_kernel(found, m.group(1), i)
            continue
        m = _HOSTNAMECTL.match(line)
        if m and line.startswith(" "):
            key, value = m.group(1), m.group(2).strip()
            if key == "Kernel" and value.startswith("Linux "):
                set_kernel(found, value.split()[1], i)
            elif key == "Operating System":
                info = describe_os(value)
                if info:
                    set_os(found, info, i)
            continue
        # `uname -r` alone on a line (or after "Kernel:")
        candidate = re.sub(r"^(kernel(?: version| release)?\s*[:=]?\s*)", "", s, flags=_I)
        if candidate and " " not in candidate and is_kernel_release(candidate):
            set_kernel(found, candidate, i, rank=TOOL if candidate == s else STATED)
        else:
            idle.add(line)


# A kernel release a tool names while building or loading modules: DKMS ("Your kernel headers
# for kernel 4.4.0-19041-Microsoft cannot be found", "Bad return status for module build on
# kernel: 5.15.0-91-generic"), apt's linux-headers package, modprobe's /lib/modules path. Such a
# release is the machine's (DKMS builds for the running kernel unless told otherwise); only a WSL
# one is taken, since it names the platform, which no other kernel on the machine can change.
_KERNEL_NAMED = lazy(r"(?:\bfor kernel:?|\bon kernel:?|\blinux-headers-|/lib/modules/)\s*([0-9][\w.+~-]*)", _I)


def _kernel_named(doc: Pasted, found: Found) -> None:
    for i in doc.lines_containing("kernel", "linux-headers-", "/lib/modules/"):
        for m in _KERNEL_NAMED.finditer(doc.lines[i]):
            kernel = m.group(1).rstrip(".")
            if is_kernel_release(kernel) and kernel_wsl(kernel) != "none":
                set_kernel(found, kernel, i, rank=PROGRAM)
                return


# The WSL issue form's "Are you using WSL 1 or WSL 2?" with one box ticked: the person's answer.
_WSL_TICKED = lazy(r"^\s*[-*]\s*\[[xX]\]\s*WSL\s?([12])\s*$")
# `wsl -l -v` as localised Windows prints it: the header's last column is VERSION (版本,
# バージョン, 버전, …); a row is an optional "*", the distribution, its state in any
# language, and 1 or 2.
_WSL_HEADER_ANY = lazy(r"^\s*\S+\s+\S+\s+(?:VERSION|Version|版本|バージョン|버전|Versión|Versão)\s*$")
_WSL_ROW_ANY = lazy(r"^\s*(\*)?\s*(\S+)\s+(?:\S+(?:\s\S+)?)\s+([12])\s*$")


def _wsl_ticked(doc: Pasted, found: Found) -> None:
    for i in doc.lines_containing("wsl"):
        m = _WSL_TICKED.match(doc.lines[i])
        if m:
            found.set("host.wsl", f"wsl{m.group(1)}", i, rank=_ANSWERED,
                      detail=f"{STATED_DETAIL}: the issue form's box “WSL {m.group(1)}” is ticked")


def _wsl_header(line: str) -> bool:
    """The header of `wsl -l -v` (read once per distinct line: Pasted.where)."""
    return bool(_WSL_HEADER.match(line) or _WSL_HEADER_ANY.match(line))


def _wsl_list(doc: Pasted, found: Found) -> None:
    rows = []
    for i, _ in doc.where(_wsl_header, "state", "版本", "バージョン", "버전", "version"):
        rows = []
        for j in range(i + 1, min(i + 20, len(doc.lines))):
            m = _WSL_ROW.match(doc.lines[j])
            if m:
                rows.append((bool(m.group(1)), m.group(2), m.group(4), j))
                continue
            m = _WSL_ROW_ANY.match(doc.lines[j])
            if not m:
                break
            rows.append((bool(m.group(1)), m.group(2), m.group(3), j))
        if not rows:
            continue
        chosen = [r for r in rows if r[0]] or (rows if len(rows) == 1 else [])
        if chosen:
            _, name, version, j = chosen[0]
            found.set("host.wsl", f"wsl{version}", j,
                      detail=f"`wsl -l -v`: distribution {name} runs under WSL {version}")
        else:
            found.note("`wsl -l -v` lists several distributions and marks no default; "
                       "could not tell which one the report is about")


def _secure_boot(doc: Pasted, found: Found) -> None:
    for i in doc.lines_containing("secure", "efi variables", "安全启动", "セキュアブート", "보안"):
        line = doc.lines[i]
        m = _SB.match(line)
        if m:
            found.set("host.secure_boot", m.group(1).lower() == "enabled", i)
            continue
        if "EFI variables are not supported on this system" in line:
            found.set("host.secure_boot", False, i, detail="mokutil: no EFI variables (legacy BIOS boot)")
            continue
        # What a person says; the last statement on the line is the state now ("installed with
        # Secure Boot disabled, and later I enabled the Secure Boot").
        m = _SB_FIXED.search(line)
        if (m and not _SB_ROUTINE.search(line) and not _SB_FIX_DENIED.search(m.group(0))
                and not SB_OTHER_DRIVER.search(line)):
            # Turning Secure Boot off made the driver work: it was on while the module was refused.
            found.set("host.secure_boot", True, i, rank=STATED,
                      detail=f"{STATED_DETAIL}: turning Secure Boot off made it work ({m.group(0).strip()[:80]})")
            found.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
                      detail=f"{STATED_DETAIL}: the driver worked only once Secure Boot was off")
            continue
        said = [(m.start(), m.group(1).lower().split()[-1]) for p in (_SB_STATED, _SB_TURNED) for m in p.finditer(line)]
        said += [(m.start(), "on" if m.group("on") else "off") for m in _SB_ZH.finditer(line)]
        if said:
            found.set("host.secure_boot", max(said)[1] in ("enabled", "on"), i, rank=STATED)


def _container(doc: Pasted, found: Found) -> None:
    kinds = {"docker": "docker", "kubepods": "kubernetes", "lxc": "lxc", "libpod": "podman", "containerd": "containerd"}
    for i in sorted(set(doc.lines_starting(_CGROUP_LINE)) | set(doc.lines_containing("dockerenv"))):
        line = doc.lines[i]
        m = _CGROUP.match(line.strip())
        if m:
            found.set("host.container", kinds[m.group(1)], i, detail=f"cgroup {line.strip()}")
        elif re.search(r"(^|\s)/\.dockerenv\b", line) and "No such file" not in line:
            found.set("host.container", "docker", i, rank=PROGRAM, detail="/.dockerenv is present")


def parse(doc: Pasted) -> Found:
    found = Found(SOURCE, TOOL)
    _os_release(doc, found)
    _lsb(doc, found)
    _kernel(doc, found)
    _kernel_named(doc, found)
    _wsl_list(doc, found)
    _wsl_ticked(doc, found)
    _secure_boot(doc, found)
    _container(doc, found)
    return found
