"""NVIDIA's open kernel modules shown in a paste, and a person saying that turning HMM off in
nvidia_uvm (``options nvidia_uvm uvm_disable_hmm=1``) fixed CUDA: the two halves of
``nvidia_uvm_hmm_init_failure`` (``rules/uvm_hmm.py``) other than the kernel log's own line
(messages.toml, r27n block).

The open modules, in the forms other programs and people show them:

* the kernel log / /proc/driver/nvidia/version banner, "NVRM: loading NVIDIA UNIX Open Kernel Module
  for x86_64  570.86.16  Release Build", and nvidia-modeset's "Loading NVIDIA UNIX Open Kernel Mode
  Setting Driver for x86_64  570.172.08" (kernel-open/nvidia/nv.c, nvidia-modeset's banner);
* a package: Ubuntu's nvidia-driver-570-open / linux-modules-nvidia-570-open-generic /
  nvidia-dkms-570-open, NVIDIA's repositories' nvidia-open, kmod-nvidia-open-dkms, the dnf module
  stream nvidia-driver:570-open, Arch's nvidia-open(-dkms);
* the runfile's --kernel-module-type=open (CUDA installer) or -m=kernel-open (driver .run);
* NixOS's hardware.nvidia.open = true (or "open = true;" inside a hardware.nvidia block);
* modinfo nvidia: "license: Dual MIT/GPL" (the proprietary nvidia.ko says "NVIDIA"; nvidia-uvm.ko is
  Dual MIT/GPL in both, so only the nvidia.ko block counts);
* NVIDIA's open-gpu-kernel-modules issue template ("NVIDIA Open GPU Kernel Modules Version"), whose
  tracker is only for the open modules;
* a person: "with the open kernel modules", "the newest open-source drivers".

The older issue template's "Does this happen with the proprietary driver (of the same version) as
well?" answered "Yes" is noted too: the failure is not the open modules' own.

Nothing from a question, a denial ("not the open modules", "instead of nvidia-open"), a link
(github.com/NVIDIA/open-gpu-kernel-modules), or another machine. The HMM fix only where the
sentence says it fixed, solved or worked around something, never from a question, a denial
("did not help"), advice ("you could try"), or a config that merely sets the option.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.derived.uvm_hmm_said import HMM_FIX_SAID, INIT_3_SAID, OPEN_MODULES, PROPRIETARY_TOO
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import ANOTHER_MACHINE
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# The open modules' banners (kernel-open/nvidia/nv.c "NVRM: loading %s"; nvidia-modeset's "Loading
# NVIDIA UNIX Open Kernel Mode Setting Driver for %s  %s"), with the driver version after the arch.
_BANNER = lazy(r"NVIDIA UNIX Open Kernel Mod(?:ule|e Setting Driver)(?: for \S+)?\s+(\d{3})\.\d{1,3}(?:\.\d{1,3})?")
# Packages of the open flavour (Ubuntu, NVIDIA's apt/dnf repositories, RHEL's dnf module stream, Arch).
_PACKAGE = lazy(r"(?<![\w/.-])(?:(?:kmod-|linux-modules-|linux-objects-)?nvidia(?:-(?:driver|dkms|kernel|kernel-source"
                r"|headless|utils|modules))?(?:-(\d{3}))?(?:-server)?-open(?:-dkms|-generic|-source)?"
                r"|nvidia-driver:(?:(\d{3})-)?open(?:-dkms)?)(?![\w])", _I)
# The installers' switch: the CUDA runfile's --kernel-module-type=open, the driver runfile's -m=kernel-open.
_INSTALLER = lazy(r"--kernel-module-type[= ]open\b|(?:^|\s)(?:-m|--kernel-module-build-directory)[= ]kernel-open\b", _I)
# NixOS: the option set, or "open = true;" below a hardware.nvidia block's opening.
_NIX_OPTION = lazy(r"hardware\.nvidia\.open\s*=\s*true\b")
_NIX_BARE = lazy(r"^\s*open\s*=\s*true\s*;")
# modinfo's fields (kmod's "name:   value" layout).
_LICENSE_OPEN = lazy(r"^\s*license:\s+Dual MIT/GPL\s*$")
_FILENAME = lazy(r"^\s*filename:\s+(\S+)")
_NVIDIA_KO = lazy(r"/nvidia\.ko(?:\.(?:xz|zst|gz))?$")
# NVIDIA/open-gpu-kernel-modules' bug template heading; the version follows on its own line.
_TEMPLATE = lazy(r"^#{0,4}\s*NVIDIA Open GPU Kernel Modules Version\s*$", _I)
_VERSION_LINE = lazy(r"^\s*(\d{3})\.\d{1,3}(?:\.\d{1,3})?\b")
# The older template's question, answered on a following line: "Yes" says the failure happens with
# the proprietary modules too, so it is not the open modules' HMM.
_PROPRIETARY_ASKED = lazy(r"^#{0,4}\s*Does this happen with the proprietary driver \(of the same version\) as well\?\s*$", _I)
_YES = lazy(r"^\s*(?:yes|y)\b", _I)
# A person naming them: "open kernel modules", "open-source GPU kernel modules", "open source drivers".
_SAID_OPEN = lazy(r"\bopen(?:[- ]source)?\s+(?:nvidia\s+|gpu\s+)?(?:kernel[- ]?(?:modules?|drivers?)|drivers?|modules?)\b",
                  _I)
# A denial, a switch away, a question's words, advice, a link: no claim.
_NOT_OPEN = lazy(r"\b(?:not|n't|never|instead\s+of|rather\s+than|without|other\s+than|except|unlike|vs\.?|versus"
                 r"|should\s+i|do\s+i\s+need|can\s+i|would|if|whether|support\s+for|plans?\s+to"
                 # taken off the machine
                 r"|remov\w*|uninstall\w*|purg\w*|replac\w*|switch\w*\s+(?:away\s+)?from|got\s+rid\s+of"
                 # the open drivers of other GPUs, and NVIDIA's other open driver (nouveau, nova)
                 r"|nouveau|nova|amdgpu|radeon|mesa|intel|amd|rocm)\b|github\.com|[?？]"
                 r"|" + ANOTHER_MACHINE, _I)
# A sentence naming the open modules beside the proprietary ones (a switch to them), or NVIDIA's
# advice about them ("NVIDIA recommends the open kernel modules for Turing"): no claim they run here.
_NOT_OPEN_SAID = lazy(r"\b(?:proprietary|closed[- ]source|recommend\w*)\b", _I)
# Package rows that list a package without saying it is installed: ubuntu-drivers devices'
# "driver   : nvidia-driver-570-open - distro non-free" (ubuntu-drivers-common, the drivers
# available for a device), dpkg -l rows whose state is not installed ("rc  nvidia-driver-570-open …":
# removed, its configuration left; dpkg-query's two-letter desired/status column), and apt list /
# apt search rows ("nvidia-driver-570-open/noble 570.133.07 amd64") without apt's "[installed…]",
# and dnf / yum list rows of a repository rather than the installed set ("kmod-nvidia-open-dkms.x86_64
# 3:570.86.15-1.el9  cuda-rhel9-x86_64"; installed rows name their repository "@cuda-rhel9-x86_64").
_AVAILABLE_ROW = lazy(r"^\s*driver\s*:\s|^\s*(?!ii|hi)[uirph][ncuhfwti]R?\s+\S+\s+\d[\w.:~+-]*\s+\w+\s")
_APT_ROW = lazy(r"^\s*[\w.+-]+/[\w.,-]+\s+\d[\w.:~+-]*\s+\w+")
_DNF_AVAILABLE = lazy(r"^\s*[\w.+-]+\.(?:x86_64|aarch64|noarch|i686)\s+\d[\w.:~+-]*\s+[\w-]")

# Turning HMM off: the option, or words for it.
_HMM_OFF = lazy(r"uvm_disable_hmm|\bdisabl(?:e|ed|ing)\s+(?:the\s+)?HMM\b|\bHMM\s+(?:disabled|off)\b|\bturn(?:ed|ing)?\s+off\s+HMM\b"
                r"|(?:禁用|关闭|關閉|停用)\s*HMM|HMM\s*(?:を|の)?\s*無効", _I)
# It fixed something: the person's words (any of English, Chinese, Japanese, Korean, Russian, Spanish, German).
_FIXED = lazy(r"\b(?:fix(?:es|ed)?|solv(?:es|ed)|resolv(?:es|ed)|work(?:s|ed)?[- ]?around|did\s+the\s+trick|helped"
              r"|(?:was|is)\s+(?:needed|required|necessary)|needed\s+to|had\s+to|(?:now|then)\s+(?:it\s+|cuda\s+)?works"
              r"|works\s+now|allows?\s+CUDA|cuda\s+works)\b"
              r"|解决|解決|修复|正常了|好了|해결|решил|помогл|resuelto|funciona|behoben|gelöst", _I)
# A question, a denial, advice, a remark about it in general, no longer needed: no claim.
_NOT_FIXED = lazy(r"[?？]|\b(?:not|n't|no\s+(?:effect|change|luck|difference)|never|still\s+(?:fails?|failing|broken|the\s+same)"
                  r"|try|trying|tried\s+but|you\s+(?:can|could|may|might|should)|might|maybe|perhaps|suggest\w*|would|if"
                  r"|whether|no\s+longer\s+(?:needed|necessary|required|helps?|works?)|unnecessary|without"
                  # a speed-up, not CUDA's start: HMM also changes how managed memory migrates
                  r"|slow\w*|faster|speed\w*|performance|latency|throughput|bandwidth|page\s+faults?)\b|" + ANOTHER_MACHINE, _I)
# A failure said to be over ("cuInit no longer returns 3"): not CUDA's start failing now. (The fix
# sentence may say it: "uvm_disable_hmm=1 fixed it, cuInit no longer fails".)
_OVER = lazy(r"\bno\s+longer\b", _I)
# CUDA's start returning 3 in a person's words: the driver API's cuInit or the runtime's
# cudaGetDeviceCount (CUresult / cudaError_t 3: CUDA_ERROR_NOT_INITIALIZED, cudaErrorInitializationError).
_INIT_3 = lazy(r"\b(?P<call>cuInit|cudaGetDeviceCount|cuda\s*init(?:iali[sz]ation)?)\b(?:\(\d?\))?[^\n]{0,40}?"
               r"\b(?P<verb>err(?:or)?|returns?|returned|code|failure|fails?\s+with(?:\s+error)?)\s*[=:]?\s*\(?3\)?(?!\d|\.\d)"
               # not a device count ("cudaGetDeviceCount returned 3 devices", "returns 3 as expected")
               r"(?!\s*(?:\w+\s+)?(?:devices?|gpus?|cards?|as\s+expected|correctly)\b)", _I)
# cudaGetDeviceCount "returns 3" is also its count (the int it fills): as error 3 only with a word of
# failure in the sentence ("returned 3 (initialization error)", "fails", CUDA_ERROR_NOT_INITIALIZED).
_FAILURE_WORD = lazy(r"\b(?:error|errors|err|fail\w*|initiali[sz]ation|not[_ ]initiali[sz]ed|broken|cannot|can't)\b", _I)
# One sentence: split at . ! ; and the CJK stops, not at a dot inside a name ("nvidia.ko", "570.86").
_SENTENCE = lazy(r"(?:[^.!;。！；\n]|\.(?=\S))+[.!;。！；]?")


def _clean(s: str) -> str:
    """Markdown emphasis and code marks out: "the **open** kernel modules", "`uvm_disable_hmm=1`"."""
    return s.replace("*", "").replace("`", "")


def _quote(s: str) -> str:
    return " ".join(s.split())[:160]


def _branch(m: "re.Match[str]") -> Optional[str]:
    return next((g for g in m.groups() if g), None)


def _open_on_line(line: str) -> Optional[Tuple[str, str]]:
    """(what showed the open modules, with its branch when named; the words), or None."""
    if len(line) > 600:
        return None
    m = _BANNER.search(line)
    if m:
        return f"open kernel module banner, branch {m.group(1)}", line.strip()
    for m in _PACKAGE.finditer(line):
        before = line[:m.start()]
        if _AVAILABLE_ROW.search(line) or _DNF_AVAILABLE.search(line) or (_APT_ROW.search(line)
                                                                           and "[installed" not in line):
            break  # a driver available, removed or found by a search: not the one installed
        if _NOT_OPEN.search(before[-40:]):
            continue
        branch = _branch(m)
        return f"{m.group(0)} package" + (f", branch {branch}" if branch else ""), line.strip()
    if _INSTALLER.search(line) or _NIX_OPTION.search(line):
        return "the installer or system set to the open modules", line.strip()
    clean = _clean(line)
    if "open" not in clean.lower():
        return None
    for s in _SENTENCE.findall(clean):
        if _SAID_OPEN.search(s) and not _NOT_OPEN.search(s) and not _NOT_OPEN_SAID.search(s):
            return "said in the text", s.strip()
    return None


def _block_open(lines: List[str], i: int) -> Optional[Tuple[str, str]]:
    """Line ``i`` is in a block that shows the open modules: modinfo's nvidia.ko licence, NixOS's
    bare ``open = true;`` inside hardware.nvidia, the open-module tracker's version heading."""
    line = lines[i]
    if _LICENSE_OPEN.search(line):
        for j in range(i - 1, max(-1, i - 15), -1):
            m = _FILENAME.search(lines[j])
            if m:
                return ("modinfo nvidia (license Dual MIT/GPL)", f"{m.group(1)} … {line.strip()}") \
                    if _NVIDIA_KO.search(m.group(1)) else None
        return None
    if _NIX_BARE.search(line):
        if any("hardware.nvidia" in lines[j] for j in range(max(0, i - 12), i)):
            return "NixOS hardware.nvidia open = true", line.strip()
        return None
    if _TEMPLATE.search(line):
        for j in range(i + 1, min(len(lines), i + 4)):
            m = _VERSION_LINE.search(lines[j])
            if m:
                return f"NVIDIA's open-module issue template, branch {m.group(1)}", f"{line.strip()} {lines[j].strip()}"
        return "NVIDIA's open-module issue template", line.strip()
    return None


def _fix_said(line: str) -> Optional[Tuple[str, str]]:
    """(what was turned off, the sentence) where a sentence says turning HMM off fixed CUDA."""
    clean = _clean(line)
    if len(clean) > 600:
        return None
    for s in _SENTENCE.findall(clean):
        m = _HMM_OFF.search(s)
        if m is None or not _FIXED.search(s) or _NOT_FIXED.search(s):
            continue
        return ("uvm_disable_hmm=1" if "uvm_disable_hmm" in m.group(0).lower() else "HMM off"), s.strip()
    return None


def _init_3(line: str) -> Optional[Tuple[str, str]]:
    """(the call, the sentence) where a sentence says cuInit / cudaGetDeviceCount returned 3."""
    clean = _clean(line)
    if len(clean) > 600:
        return None
    for s in _SENTENCE.findall(clean):
        m = _INIT_3.search(s)
        if m and m.group("call").lower() == "cudagetdevicecount" and m.group("verb").lower().startswith("return") \
                and not _FAILURE_WORD.search(s):
            continue  # a count of three GPUs
        if m and not _NOT_FIXED.search(s) and not _OVER.search(s):
            return m.group("call"), s.strip()
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    fix = doc.first(_fix_said, "uvm_disable_hmm", "hmm", ignorecase=True)
    if fix is not None:
        i, (what, s) = fix
        f.note(f"{HMM_FIX_SAID}{what} — “{_quote(s)}” (line {i + 1})")
    hit = doc.first(_open_on_line, "open kernel", "open-source", "open source", "open gpu", "open driver",
                    "open module", "open nvidia", "-open", ":open", "kernel-module-type", "nvidia.open",
                    ignorecase=True)
    init3 = doc.first(_init_3, "cuinit", "cudagetdevicecount", "cuda init", "cudainit", ignorecase=True)
    if init3 is not None:
        i, (call, s) = init3
        f.note(f"{INIT_3_SAID}{call} — “{_quote(s)}” (line {i + 1})")
    lines = doc.lines
    for i in doc.lines_containing("proprietary driver (of the same version) as well", ignorecase=True):
        if _PROPRIETARY_ASKED.search(lines[i]):
            answer = next((ln for ln in lines[i + 1:i + 4] if ln.strip()), "")
            if _YES.search(answer):
                f.note(f"{PROPRIETARY_TOO}“{_quote(lines[i])} {answer.strip()}” (line {i + 1})")
            break
    blocks = (i for i in doc.lines_containing("dual mit/gpl", "open = true", "open gpu kernel modules version",
                                              ignorecase=True))
    block = next(((i, r) for i in blocks for r in [_block_open(lines, i)] if r), None)
    found = min((h for h in (hit, block) if h is not None), key=lambda h: h[0], default=None)
    if found is not None:
        i, (what, words) = found
        f.note(f"{OPEN_MODULES}{what} — “{_quote(words)}” (line {i + 1})")
    return f
