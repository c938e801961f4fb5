"""A Linux NVIDIA driver installed inside WSL: said ("I installed nvidia-driver-535 inside WSL",
"在 WSL 里装了 nvidia-driver-535") or shown on a paste that proves WSL (a ``microsoft-standard``
kernel, /usr/lib/wsl): the install command, dpkg's "Setting up libnvidia-compute-535", a
``dpkg -l`` / ``--get-selections`` row, ``ldconfig -p`` holding a libcuda.so.1 outside /usr/lib/wsl.

Under WSL 2 the driver is Windows' (mapped into /usr/lib/wsl/lib); NVIDIA's CUDA on WSL User Guide
says no Linux display driver may be installed in the distribution, whose libcuda.so.1 then shadows
the mapped one (https://docs.nvidia.com/cuda/wsl-user-guide/index.html, "Getting Started with CUDA
on WSL 2"). Recorded as a note (``derived/wsl_linux_driver.py``); ``rules/wsl_linux_driver.py``
judges it.

Not read: advice or a question ("don't install the Linux driver in WSL", "should I install
nvidia-driver-535 in WSL?"), a denial ("I did not install any driver inside WSL"), a removal
("after removing nvidia-driver-535 from WSL it works"), the Windows driver ("installed the latest
driver on Windows for WSL"), a sentence about a native Linux or another host, the ``cuda`` meta
package (the WSL-Ubuntu repository's carries no driver), and, for the shown forms, a paste that
proves no WSL or shows a container (whose libraries the container toolkit mounts).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.wsl_linux_driver import SAID, SHOWN
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# Packages that install the Linux driver's user-space files (Ubuntu's and NVIDIA's repositories; the
# NVIDIA .run), not the toolkit: CUDA Installation Guide for Linux, "Meta Packages" (cuda-drivers).
_PKG = (r"(?<![\w.-])(?:nvidia-driver-\d{3}(?:-server)?(?:-open)?|nvidia-(?:utils|dkms|kernel-common|compute-utils)-\d{3}"
        r"(?:-server)?(?:-open)?|nvidia-headless-(?:no-dkms-)?\d{3}(?:-server)?(?:-open)?|libnvidia-compute-\d{3}(?:-server)?"
        r"|libcuda1(?:-\d{3})?|cuda-drivers(?:-\d{3})?|NVIDIA-Linux-x86_64-\d{3}\.\d+(?:\.\d+)?\.run)(?![\w-])")
_PACKAGE = lazy(_PKG, _I)
# A person's words for the Linux driver without a package name.
_LINUX_DRIVER = lazy(r"\b(?:linux|ubuntu)\s+(?:version\s+of\s+the\s+)?(?:nvidia\s+)?(?:gpu\s+|display\s+|graphics\s+)?"
                     r"drivers?\b|\blinux\s+nvidia\s+drivers?\b|linux\s*(?:版|版本)?的?\s*(?:nvidia\s*)?驱动", _I)
_INSTALLED = lazy(r"\binstall(?:ed|ing)?\b|\bset\s+up\b|装了|安装|インストール|설치", _I)
# Where: inside WSL ("in WSL", "inside WSL2", "on my WSL", "under WSL 2", "WSL 里", "在 WSL2 中").
_IN_WSL = lazy(r"\b(?:in|inside|within|into|on|under)\s+(?:the\s+|my\s+|our\s+)?(?:ubuntu\s+)?(?:\(?\s*)?WSL\s*2?\b"
               r"|在\s*(?:ubuntu\s*)?WSL\s*2?|WSL\s*2?\s*(?:里|中|内|上|の中|で|에서|안에)", _I)
# Advice, a question, a denial, a removal, the other machine: the sentence does not tell of this install.
_NOT_THIS = lazy(r"\?|？|\b(?:don'?t|do\s+not|does\s+not|doesn'?t|didn'?t|did\s+not|never|should|shouldn'?t|must|"
                 r"need\s+not|no\s+need|not\s+need|haven'?t|have\s+not|without|instead|rather|avoid|warn\w*|"
                 r"remov\w*|uninstall\w*|purg\w*|delet\w*|native|dual[- ]?boot|bare[- ]?metal|if|whether)\b"
                 r"|\b(?:linux|ubuntu)\s+(?:host|machine|server|pc)\b|\bon\s+the\s+host\b"
                 r"|不要|不用|别|没有装|没装|未安装|卸载|删除|しない|しないで|삭제|제거", _I)
# The driver denied right before its name: "I installed cuda-toolkit-12-4 inside WSL, not the Linux
# NVIDIA driver", "… in WSL, no linux driver", "only the Windows driver, never nvidia-driver-535".
_DENIED_BEFORE = lazy(r"(?:\bnot|\bno|\bnor|n't|\bnever|\bwithout|\bexcept|\binstead\s+of|\brather\s+than)\s+"
                      r"(?:(?:the|a|an|any|some|its|their)\s+)?(?:\w+\s+){0,1}$", _I)
_END = lazy(r"[.!;。！；](?=\s|$)")

# The paste proves WSL: its kernel release, or WSL's own driver directory.
_WSL_SHOWN = lazy(r"microsoft-standard|\d-Microsoft\b|/usr/lib/wsl/", _I)
_CONTAINER = lazy(r"\b(?:docker|podman|nerdctl|container|kubectl)\b", _I)
_INSTALL_CMD = lazy(r"\b(?:apt(?:-get)?|aptitude|dnf|yum|zypper)\s+(?:-\S+\s+)*install\b|\bdpkg\s+-i\b"
                    r"|(?:\bsh|\bbash|\./)\s*\S*NVIDIA-Linux-x86_64-", _I)
_DPKG_OUTPUT = lazy(rf"^\s*(?:Setting up|Unpacking)\s+(?P<pkg>{_PKG})(?::\w+)?\s+\("
                    rf"|^\s*[ih][iU]\s+(?P<row>{_PKG})(?::\w+)?\s+\d"
                    rf"|^\s*`?(?P<sel>{_PKG})(?::\w+)?\s+install`?\s*$")
# ldconfig -p: "libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1"; WSL's own is /usr/lib/wsl/lib.
_LDCONFIG_LIBCUDA = lazy(r"libcuda\.so\.1\s+\(libc6,x86-64\)\s+=>\s+(?P<path>/(?:usr/)?lib(?:64)?/(?:x86_64-linux-gnu/)?libcuda\.so\.1)\b")


def _sentence(line: str, start: int, end: int) -> str:
    ends = [m.end() for m in _END.finditer(line)]
    first = max((e for e in ends if e <= start), default=0)
    last = min((e for e in ends if e >= end), default=len(line))
    return line[first:last]


def _said(line: str) -> Optional[str]:
    """The driver a sentence of ``line`` says was installed inside WSL, or None."""
    where = _IN_WSL.search(line)
    if where is None:
        return None
    what = _PACKAGE.search(line) or _LINUX_DRIVER.search(line)
    if what is None:
        return None
    sentence = _sentence(line, min(where.start(), what.start()), max(where.end(), what.end()))
    if not _INSTALLED.search(sentence) or _NOT_THIS.search(sentence) or not _PACKAGE.search(sentence) \
            and not _LINUX_DRIVER.search(sentence) or _DENIED_BEFORE.search(line, max(0, what.start() - 40), what.start()):
        return None
    return what.group(0)


def _shown(line: str) -> Optional[str]:
    m = _DPKG_OUTPUT.search(line)
    if m:
        return m.group("pkg") or m.group("row") or m.group("sel")
    if _INSTALL_CMD.search(line) and not re.search(r"\b(?:remove|purge|autoremove)\b", line):
        p = _PACKAGE.search(line)
        if p:
            return p.group(0)
    return None


def _first_shown(doc: Pasted) -> Optional[Tuple[int, str]]:
    if not doc.lines_containing("microsoft", "/usr/lib/wsl/", ignorecase=True) or \
            not doc.first(_WSL_SHOWN.search, "microsoft", "/usr/lib/wsl/", ignorecase=True):
        return None
    got = doc.first(_shown, "nvidia", "libcuda1", "cuda-drivers", ignorecase=True)
    if got is not None:
        return got
    if doc.lines_containing("docker", "podman", "nerdctl", "container", "kubectl", ignorecase=True):
        return None  # the container toolkit mounts a container's libcuda where it likes
    return doc.first(lambda line: (m := _LDCONFIG_LIBCUDA.search(line)) and m.group("path"), "libcuda.so.1")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    shown = _first_shown(doc)
    if shown is not None:
        i, what = shown
        f.note(f"{SHOWN}{what} — “{doc.lines[i].strip()[:160]}” (line {i + 1})")
    said = doc.first(_said, "wsl", ignorecase=True)
    if said is not None:
        i, what = said
        f.note(f"{SAID}{what} — “{doc.lines[i].strip()[:160]}” (line {i + 1})")
    return f
