"""The machine's display adapters as other tools name them, when none of them is NVIDIA's.

Strangers show "this machine has no NVIDIA GPU" without saying it: a full ``lspci`` listing
(often in a CI log, each line behind a timestamp) whose only VGA device is a cloud VM's or a
BMC's; ``wmic path win32_VideoController get name``, PowerShell's ``Win32_VideoController``,
dxdiag's "Card name:", Task Manager's "GPU 0" and Device Manager's "Display adapters" on
Windows; ``system_profiler``'s "Chipset Model: Apple M2" on a Mac; ``inxi -G``'s
"Device-1: Intel UHD Graphics 620 driver: i915"; ``glxinfo``'s "OpenGL renderer string:
Mesa Intel(R) UHD Graphics 620"; ``lshw -C display``'s "product:"/"vendor:" block; or a
program's own log naming the adapter it found ("GPU 0: … AMD:5 Cypress Pro [Radeon HD 5800]").

What each proves differs:

* a complete ``lspci`` listing (devices of other classes around the VGA line, and its end
  visible) that holds no NVIDIA line is the PCI bus itself: no NVIDIA device, at a tool's rank;
* an Intel, AMD or Apple GPU named by model anywhere is the adapter the person has. Other
  adapters may be present (a laptop's NVIDIA GPU is often a "3D controller" that
  ``lspci | grep VGA`` hides), so that is recorded at a person's rank: the finding built on it
  is likely, never confirmed;
* a server or VM adapter (ASPEED, Matrox, VMware SVGA, QXL, Cirrus, Hyper-V) sits beside the
  NVIDIA GPUs of every GPU server, so it says nothing unless the listing is complete.

Nothing is claimed where the text names NVIDIA hardware anywhere (an "NVIDIA Corporation" PCI
line, a GeForce/Quadro/Tesla/RTX/GTX model, nvidia-smi's table): the integrated GPU beside a
real NVIDIA one is no evidence. A CPU's line ("AMD Ryzen 7 5800H with Radeon Graphics",
"Intel(R) Core(TM) i7 … " ) names no adapter.

``lspci | grep -i nvidia`` (or ``10de``) that printed nothing (the next line is the next
prompt) is the PCI bus itself too, except on WSL 2, whose bus shows no NVIDIA device.

The NVIDIA device without a driver in these same tools is read here too: ``lshw`` marks a
device no driver claimed "UNCLAIMED", and ``inxi`` prints "driver: N/A"; ``inxi`` showing
"driver: nouveau" on an NVIDIA device is the open driver holding it.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ...derived.messages import STATED_DETAIL
from ...facts import PciDevice
from ...lazyre import lazy
from ...reading import Reading
from ..partial import LISTING, STATED, TOOL, Found
from ..sentences import asked
from ..source import Pasted

SOURCE = "display adapters"

_I = re.IGNORECASE
_MARK = r"(?:\(R\)|\(TM\)|®|™)?"
# A non-NVIDIA GPU by model, as Windows, macOS, inxi, glxinfo, clinfo and programs' logs print
# it (Intel's and AMD's marketing names, pci.ids' bracketed names, Apple silicon).
_OTHER_GPU = lazy(
    rf"\bIntel{_MARK}\s+(?:(?:UHD|HD|Iris{_MARK}(?:\s+(?:Xe|Plus|Pro)){_MARK})\s+Graphics(?:\s+P?\d{{3,4}})?"
    rf"|Arc{_MARK}\s+(?:[AB]\d{{3}}M?|Graphics)|(?:Xe|Iris\s+Xe)\s+Graphics|Graphics\s+(?:\d{{3,4}}|Media\s+Accelerator))"
    rf"|\b(?:Mesa\s+)?Intel{_MARK}\s+(?:HD|UHD)\s+\d{{3,4}}\b|\bIntel{_MARK}\s+Iris{_MARK}\s+(?:Xe|Plus|Pro)\b"
    rf"|\b(?:UHD|Iris{_MARK}\s+Xe|Iris\s+Plus|HD)\s+Graphics\s+\d{{3,4}}\b"
    rf"|\b(?:AMD\s+|ATI\s+)?Radeon{_MARK}\s+(?:RX\s?\d{{3,4}}\w*|HD\s?\d{{4}}\w*|R[579]\s?\d{{3}}X?\b|Pro\s+\w+|Vega\s?\d*"
    rf"|VII|\d{{3,4}}M\b|Graphics|Instinct)"
    rf"|\bAMD\s+Instinct\s+MI\d+|\bApple\s+M[1-5](?:\s+(?:Pro|Max|Ultra))?\b"
    # pci.ids' bracketed names after Intel's code names (lspci, neofetch: "CometLake-H GT2 [UHD
    # Graphics]", "Alder Lake-P GT2 [Iris Xe Graphics]"); lspci's vendor tag of AMD's GPUs
    # ("Advanced Micro Devices, Inc. [AMD/ATI] Renoir"); single-board computers' GPUs.
    rf"|\bIntel\b[^\n\[]{{0,40}}\[(?:U?HD|Iris(?:\s+(?:Xe|Plus|Pro))?|Arc)[^\]]{{0,20}}Graphics[^\]]*\]"
    rf"|\[AMD/ATI\]\s+\w+|\bRaspberry\s+Pi(?:\s+\d)?\b|\bOrange\s+Pi\b|\bVideoCore\b|\bMali[- ]?[GT]\d+\b|\bAdreno\b", _I)
# Server and VM adapters: beside NVIDIA GPUs on every GPU server and cloud VM.
_SERVER_GPU = lazy(r"\bASPEED\b|\bMatrox\b|\bVMware\s+SVGA|\bQXL\b|\bCirrus\s+Logic\b|\bHyper-V\s+Video\b"
                         r"|\bAmazon\.com,\s+Inc\.|\bBochs\b|\bDevice\s+1234:1111\b|\bVirtio\s+GPU\b", _I)
# NVIDIA hardware named anywhere: then nothing here is evidence of its absence.
NVIDIA_HW = lazy(r"\bNVIDIA\s+Corporation\b|\bGeForce\b|\bQuadro\b|\bTesla\s+[A-Z]?\d|\bTITAN\b|\b[GR]TX\s?\d{3,4}\b"
                        r"|\bNVIDIA\s+(?:[A-Z]\d{1,4}|RTX|GTX|DGX|Jetson|Tegra)\b|\b(?:A|H|B|L)(?:100|200|10|40|30)\b(?:\s*-?\s*"
                        r"(?:PCIe|SXM|80GB|40GB))|\|\s*NVIDIA-SMI\s+\d|\bGPU\s+\d+:\s+NVIDIA\b|\b10de:[0-9a-f]{4}\b|\bvendor:\s*NVIDIA\b", _I)
_CPU_LINE = lazy(r"\b(?:ryzen|athlon|core\(tm\)|core\s+i[3579]|core\s+ultra|xeon|epyc|threadripper|celeron|pentium)\b"
                       r"|model\s+name\s*:|\bprocessor\b|\bcpu\b", _I)

# One lspci line (plain, -nn, -k), behind an optional CI timestamp or log prefix.
_PREFIX = r"(?:\d{4}-\d\d-\d\dT[\d:.]+Z?\s+|\[[^\]]*\]\s+|[$#>]\s+)?"
_LSPCI = lazy(rf"^{_PREFIX}(?:[0-9a-fA-F]{{4}}:)?[0-9a-fA-F]{{2}}:[0-9a-fA-F]{{2}}\.[0-7]\s+(?P<cls>[A-Za-z][\w /-]*?)"
                    r"(?:\s*\[[0-9a-fA-F]{4}\])?:\s+(?P<rest>.*)$")
_ADDRESS_START = lazy(rf"^{_PREFIX}(?:[0-9a-fA-F]{{4}}:)?[0-9a-fA-F]{{2}}:[0-9a-fA-F]{{2}}\.[0-7]\b")
_DISPLAY = ("vga compatible controller", "3d controller", "display controller")
_KERNEL_LINE = lazy(r"^\s+(?:Subsystem|Kernel driver in use|Kernel modules|Flags|Memory at|I/O ports|Capabilities"
                          r"|Control|Status|Latency|Interrupt|Region|Expansion ROM|Physical Slot|DeviceName)\b")


def _lspci_blocks(lines: Tuple[str, ...], candidates: List[int]) -> List[Tuple[int, int]]:
    """(first, last) line of each run of lspci lines (their indented detail lines included)."""
    blocks: List[Tuple[int, int]] = []
    for i in candidates:
        if not _LSPCI.match(lines[i].strip()):
            continue
        if blocks and all(_KERNEL_LINE.match(lines[j]) or not lines[j].strip() or _LSPCI.match(lines[j].strip())
                          for j in range(blocks[-1][1] + 1, i)):
            blocks[-1] = (blocks[-1][0], i)
        else:
            blocks.append((i, i))
    return blocks


# The command that printed a listing, on the line just above it: `lspci [-flags]`, maybe piped
# through a grep whose pattern names the display classes.
_COMMAND = lazy(r"^\s*(?:\S*[$#>]\s*)?(?:sudo\s+)?lspci\b(?P<flags>[^|]*)(?:\|\s*(?:[ef]?grep|rg)\b(?P<grep>.*))?$", _I)


def _command_above(lines: Tuple[str, ...], first: int) -> Optional["re.Match[str]"]:
    for j in range(first - 1, max(-1, first - 3), -1):
        if lines[j].strip():
            return _COMMAND.match(lines[j])
    return None


def _complete(lines: Tuple[str, ...], first: int, last: int) -> Optional[str]:
    """Why a listing shows the whole bus (None: it may not): lines of other classes around the
    display line, and something after it, so it was not cut off; or the command above it, a
    plain `lspci` (its whole listing, to the end of the text) or one grepped for every display
    class (VGA, 3D and display controllers: NVIDIA's data-centre GPUs are 3D controllers)."""
    classes = [m.group("cls").strip().lower() for m in (_LSPCI.match(lines[i].strip()) for i in range(first, last + 1)) if m]
    others = [c for c in classes if c not in _DISPLAY]
    command = _command_above(lines, first)
    grep = (command.group("grep") or "").lower() if command else ""
    if command and grep and "vga" in grep and "3d" in grep:
        return f"`lspci | grep` for the display classes, {len(classes)} device(s) and no NVIDIA one"
    # The next line with content ends the listing: a prompt, a command's output. A line that still
    # starts with a bus address ("00:05.0 Ethernet controller", cut mid-line) means the listing was cut.
    nxt = next((lines[j] for j in range(last + 1, len(lines)) if lines[j].strip() and not _KERNEL_LINE.match(lines[j])), None)
    after = nxt is not None and not _ADDRESS_START.match(nxt.strip())
    ends_text = nxt is None and command is not None and not grep
    if len(others) >= 2 and (after or ends_text):
        return f"an lspci listing of {len(classes)} devices with no NVIDIA device"
    return None


def _no_nvidia_on_bus(f: Found, lines: Tuple[str, ...], candidates: List[int]) -> bool:
    for first, last in _lspci_blocks(lines, candidates):
        shown = [m.group("rest") for m in (_LSPCI.match(lines[i].strip()) for i in range(first, last + 1))
                 if m and m.group("cls").strip().lower() in _DISPLAY]
        why = _complete(lines, first, last)
        if shown and why:
            f.set("pci.devices", (), first, rank=TOOL,
                  detail=f"{why} (display: {shown[0].strip()[:60]}; lines {first + 1}-{last + 1})")
            return True
    return False


# `lspci | grep -i nvidia` (or the vendor id, 10de) answered by nothing: the next line is the next
# prompt (``me@box:~$``, ``[root@h ~]#``, a bare ``$``). WSL 2 shows no NVIDIA device on its bus
# (its GPU is a paravirtual one), so a text that names WSL is not read.
_GREP_NVIDIA = lazy(r"^\s*(?:\[[^\]\n]+\]\s*[$#]\s*|\S*[$#]\s*)?(?:sudo\s+)?lspci\b[^|\n]*\|\s*(?:[ef]?grep|rg)\s+(?:-\w+\s+)*"
                          r"['\"]?(?:nvidia|10de:?)['\"]?\s*$", _I)
_NEXT_PROMPT = lazy(r"^\s*(?:\(\S+\)\s*)?(?:\[[^\]\n]+\]\s*[$#]|(?:[\w.-]+@[\w.-]+:\S*\s*)?[$#])(?:\s|$)")
_WSL = lazy(r"\bWSL\b|microsoft-standard|Windows Subsystem for Linux", _I)


def _empty_nvidia_grep(f: Found, doc: Pasted) -> bool:
    lines = doc.lines
    for i in doc.lines_containing("lspci"):
        if (_GREP_NVIDIA.match(lines[i]) and i + 1 < len(lines) and _NEXT_PROMPT.match(lines[i + 1])
                and not _WSL.search(doc.text)):
            f.set("pci.devices", (), i, rank=TOOL,
                  detail=f"`{lines[i].strip()[:50]}` printed nothing: no NVIDIA device on the PCI bus (line {i + 1})")
            return True
    return False


# What parts the items of a person's spec list ("Specs: Ryzen 5 5600X, Radeon RX 6700 XT, 32GB
# RAM", "i5-12400F / Intel Arc A750"): a CPU in an earlier item is another part, not the GPU's
# own name ("AMD Ryzen 7 5800H with Radeon Graphics" is one item: the CPU's integrated graphics).
_ITEM_SEP = lazy(r"[,;|+]|\s/\s|\s-\s")


def _item_before(line: str, start: int) -> str:
    """The text before ``start`` within its list item."""
    return _ITEM_SEP.split(line[:start])[-1]


# In a spec list whose CPU is an earlier item: the CPU's own integrated graphics named as the next
# item ("Ryzen 7 4800H, Radeon Graphics", "i7-1165G7 / Intel Iris Xe Graphics": no discrete model,
# the part the CPU name already holds; a laptop's NVIDIA GPU is often left out of such a list), or a
# list headed as another machine or a comparison ("For comparison - Ryzen 9 7950X, Radeon RX 7900 XTX").
_INTEGRATED = lazy(r"(?:Radeon\W*Graphics|\b(?:UHD|HD|Iris|Xe)\b[^,;|+]*)$", _I)
_LIST_ASIDE = lazy(r"\b(?:compar\w*|vs\.?|versus|old|older|previous|former|other|another|friend'?s?|colleague'?s?"
                   r"|for\s+example|e\.g\.|benchmark\w*|reference)\b|以前|之前|对比|比较|旧", _I)


def _listed_after_cpu_aside(line: str, m: "re.Match[str]") -> bool:
    cpu = _CPU_LINE.search(line, 0, m.start())
    if cpu is None:
        return False
    return bool(_INTEGRATED.search(m.group(0).strip()) or _LIST_ASIDE.search(line, 0, cpu.start()))


def _other_gpu_named(f: Found, lines: Tuple[str, ...], candidates: List[int]) -> None:
    tried = set()  # a log repeats its lines: each distinct line is searched once
    for i in candidates:
        line = lines[i]
        if line in tried:
            continue
        tried.add(line)
        m = _OTHER_GPU.search(line)
        if (not m or _CPU_LINE.search(_item_before(line, m.start())) or re.search(r"\bwith\s+$", line[:m.start()], _I)
                or ASIDE.search(line[max(0, m.start() - 40):m.start()]) or asked(line, m.end())
                or _listed_after_cpu_aside(line, m)):
            continue
        f.set("pci.devices", (), i, rank=STATED,
              detail=f"{STATED_DETAIL}: the GPU named is not NVIDIA's ({m.group(0).strip()}); other adapters may exist")
        return


# Words before the name that make it another machine, a plan or a denial: "not an Intel UHD",
# "instead of my old Radeon RX 580", "support for Intel Arc", "compared with", 不是 (is not).
ASIDE = lazy(r"\b(?:not|no|without|instead\s+of|rather\s+than|support(?:s|ed|ing)?(?:\s+for)?|compared?\s+(?:to|with)"
                    r"|vs\.?|versus|previous(?:ly)?|old|former|used\s+to|switch(?:ed)?\s+from|replaced|deploy\w*\s+(?:it\s+)?(?:on|to))\s+(?:\w+\s+){0,3}$"
                    r"|不是\S{0,6}$|以前\S{0,6}$", _I)


# lshw -C display: "*-display UNCLAIMED" is a device no driver claimed; inxi -G's "Device-1:
# NVIDIA … driver: N/A" (or "driver: nouveau").
_LSHW_HEAD = lazy(r"^\s*\*-display(?::\d+)?(?P<unclaimed>\s+UNCLAIMED)?\s*$")
_LSHW_BUS = lazy(r"^\s*bus info:\s*pci@(?P<addr>[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])")
_INXI = lazy(r"\bDevice-\d+:\s+NVIDIA\b.*?\bdriver:\s*(?P<drv>N/A|nouveau|nova_core|nvidia)\b")


def _unbound(f: Found, lines: Tuple[str, ...], i: int, address: Optional[str], how: str) -> None:
    """An NVIDIA GPU no driver claimed: a PCI device whose id the tool did not print (0)."""
    addr = address or "0000:00:00.0"
    f.set("pci.devices", (PciDevice(address=addr, vendor_id=0x10DE, device_id=0, class_code=0x030200,
                                    driver=Reading.of("none", f"{how}, line {i + 1}")),), i, rank=LISTING,
          detail=f"{how} (the device id is not shown)")


# Windows' stand-in when a display adapter has no vendor driver, as Device Manager, Task Manager,
# dxdiag and wmic name it, in Windows' languages.
_BASIC_ADAPTER = lazy(r"Microsoft\s+Basic\s+Display\s+Adapter|Microsoft\s*基本显示适配器|Microsoft\s*基本ディスプレイ\s*アダプター"
                            r"|Microsoft\s*기본\s*디스플레이\s*어댑터|Microsoft[- ]Basisanzeigeadapter"
                            r"|Adaptador\s+de\s+pantalla\s+b[aá]sico\s+de\s+Microsoft|Carte\s+d'affichage\s+de\s+base\s+Microsoft", _I)
# The NVIDIA driver shown working somewhere in the text: then the basic adapter is another GPU.
_DRIVER_WORKS = lazy(r"Driver Version:?\s*\d|NVIDIA-SMI\s+\d|Nvidia driver version:\s*\d|Is CUDA available:\s*True", _I)


def _basic_adapter(f: Found, doc: Pasted) -> None:
    """An NVIDIA GPU named and Windows showing the basic adapter: the GPU has no driver (a person's
    rank: which adapter it stands for is not printed)."""
    for i in doc.lines_containing("basic display", "基本显示", "基本ディスプレイ", "기본 디스플레이", "basisanzeige",
                                  "pantalla b", "affichage de base"):
        m = _BASIC_ADAPTER.search(doc.lines[i])
        if not m or asked(doc.lines[i], m.end()) or ASIDE.search(doc.lines[i][max(0, m.start() - 40):m.start()]):
            continue
        if _DRIVER_WORKS.search(doc.text):
            return
        how = f"{STATED_DETAIL}: Windows shows {m.group(0)} (no vendor driver) beside an NVIDIA GPU named in the text"
        f.set("pci.devices", (PciDevice(address="0000:00:00.0", vendor_id=0x10DE, device_id=0, class_code=0x030000,
                                        driver=Reading.of("none", how)),), i, rank=STATED, detail=how)
        return


def _lshw(f: Found, lines: Tuple[str, ...], heads: List[int]) -> None:
    for i in heads:
        m = _LSHW_HEAD.match(lines[i])
        if not m:
            continue
        block = lines[i + 1:i + 14]
        vendor_nv = any(re.match(r"^\s*vendor:\s*NVIDIA", b) for b in block)
        if not vendor_nv:
            continue
        bus = next((b for b in (_LSHW_BUS.match(x) for x in block) if b), None)
        if m.group("unclaimed") or not any(re.search(r"\bdriver=", b) for b in block if "configuration:" in b):
            if not any("configuration:" in b for b in block) and not m.group("unclaimed"):
                continue  # a cut block: no configuration line, nothing known of its driver
            _unbound(f, lines, i, bus.group("addr").lower() if bus else None, "lshw: NVIDIA display device UNCLAIMED by any driver")
            return


def _inxi(f: Found, lines: Tuple[str, ...], candidates: List[int]) -> None:
    for i in candidates:
        m = _INXI.search(lines[i])
        if not m:
            continue
        drv = m.group("drv")
        if drv == "N/A":
            _unbound(f, lines, i, None, "inxi: NVIDIA device with driver N/A")
        elif drv in ("nouveau", "nova_core"):
            f.set("driver.loaded_modules", (drv,), i, rank=LISTING, detail=f"inxi, line {i + 1}: {drv} drives an NVIDIA device")
        return


# Words one of NVIDIA_HW's alternatives needs on its line.
_NVIDIA_WORDS = ("nvidia", "geforce", "quadro", "tesla", "titan", "rtx", "gtx", "10de:", "pcie", "sxm", "80gb", "40gb")


def names_nvidia_hardware(doc: Pasted) -> bool:
    """Does any line name NVIDIA hardware? (Each distinct line searched once: a log repeats its lines.)"""
    lines = doc.lines
    return any(NVIDIA_HW.search(line) for line in {lines[i] for i in doc.lines_containing(*_NVIDIA_WORDS)})


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    lines = doc.lines
    _lshw(f, lines, doc.lines_containing("*-display"))
    _inxi(f, lines, doc.lines_containing("device-"))
    if names_nvidia_hardware(doc):
        _basic_adapter(f, doc)
        return f
    if not _no_nvidia_on_bus(f, lines, doc.lines_containing(" controller", " bridge", " device")) \
            and not _empty_nvidia_grep(f, doc):
        _other_gpu_named(f, lines, doc.lines_containing("intel", "radeon", "apple", "uhd", "iris", "amd/ati", "raspberry",
                                                        "orange pi", "mali", "adreno", "videocore"))
    return f
