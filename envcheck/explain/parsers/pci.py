"""NVIDIA devices in ``lspci`` output (plain, ``-nn`` and ``-k``).

``01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [GeForce RTX 3060 Ti] [10de:2489] (rev a1)``
followed, with ``-k``, by ``Kernel driver in use: nouveau`` / ``Kernel modules: …``.
A :class:`~envcheck.facts.PciDevice` needs the device id, so devices are recorded only
from ``-nn`` output; the marketing name in brackets (from pci.ids) becomes a GPU name, and
an open driver (nouveau) in use on an NVIDIA GPU a loaded module.
``-k`` prints no "Kernel driver in use" line when no driver is bound: that is "none" (and with no
driver installed no "Kernel modules:" line either: the device's "Subsystem:" line under an
``lspci -k`` command is then the -k output).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.explain.partial import LISTING, Found
from envcheck.explain.source import Pasted
from envcheck.facts import PciDevice
from envcheck.lazyre import lazy
from envcheck.reading import Reading

SOURCE = "lspci"

_LINE = lazy(r"^(?P<addr>(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\s+(?P<cls>[^:\[]+?)"
             r"(?:\s*\[(?P<clsid>[0-9a-fA-F]{4})\])?:\s+NVIDIA Corporation\s+(?P<rest>.+)$")
_CLASSES = {"vga compatible controller": 0x030000, "3d controller": 0x030200, "display controller": 0x038000,
            "audio device": 0x040300, "bridge": 0x068000, "usb controller": 0x0C0330, "serial bus controller": 0x0C8000}
_IDS = lazy(r"\[10de:([0-9a-fA-F]{4})\]", re.IGNORECASE)
_BRACKET = lazy(r"\[([^\]]+)\]")
_OPEN_DRIVERS = ("nouveau", "nova_core")


def _marketing_name(rest: str) -> Optional[str]:
    for text in _BRACKET.findall(rest):
        if re.match(r"^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4})?$", text):
            continue
        name = re.sub(r"\s+Lite Hash Rate$", "", text.strip())
        name = name.split(" / ")[0]  # "[GeForce RTX 2060 Rev. A] / ..." variants
        return name if name.startswith(("Tesla", "Quadro")) else f"NVIDIA {name}"
    return None


def _kernel_lines(lines: Tuple[str, ...], i: int) -> Tuple[Optional[str], bool]:
    """("driver in use" or None, whether -k output was shown) from the indented lines below."""
    driver, shown = None, False
    for j in range(i + 1, min(i + 8, len(lines))):
        line = lines[j]
        if not line.startswith((" ", "\t")):
            break
        s = line.strip()
        if s.startswith("Kernel driver in use:"):
            driver, shown = s.split(":", 1)[1].strip(), True
        elif s.startswith("Kernel modules:"):
            shown = True
    return driver, shown


# The listing's command asked for the kernel drivers (``lspci -k``, ``-nnk``, ``-vk``): a device
# with its indented lines (Subsystem:) and no "Kernel driver in use" then has none bound.
_K_COMMAND = lazy(r"\blspci\b[^|\n]*\s-\w*k", re.IGNORECASE)


def _asked_for_drivers(lines: Tuple[str, ...], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 30), -1):
        if "lspci" in lines[j]:
            return bool(_K_COMMAND.search(lines[j]))
    return False


def _device_line(line: str) -> Optional["re.Match[str]"]:
    return _LINE.match(line.strip())


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    devices: List[PciDevice] = []
    first = None
    # A listing's device lines, each distinct line matched once (Pasted.where; a log repeats them).
    for i, m in doc.where(_device_line):
        cls_text = m.group("cls").strip().lower()
        class_code = int(m.group("clsid"), 16) << 8 if m.group("clsid") else _CLASSES.get(cls_text)
        rest = m.group("rest")
        driver, shown = _kernel_lines(doc.lines, i)
        if not shown and i + 1 < len(doc.lines) and doc.lines[i + 1].strip().startswith("Subsystem:"):
            shown = _asked_for_drivers(doc.lines, i)
        is_gpu = class_code is not None and class_code >> 16 == 0x03
        name = _marketing_name(rest)
        if is_gpu and name:
            f.gpu(None, i, name=name)
        ids = _IDS.search(rest)
        if not ids and is_gpu and driver in _OPEN_DRIVERS:
            # Plain `lspci -k` (no ids, so no PciDevice): the open driver holding an NVIDIA
            # GPU is still a loaded module, which nouveau_bound reads without a PCI reading.
            f.set("driver.loaded_modules", (driver,), i, detail=f"lspci -k, line {i + 1}: Kernel driver in use: {driver}")
        if not ids and is_gpu and shown and driver is None:
            # Plain `lspci -k`: an NVIDIA GPU no driver claimed (only "Kernel modules:" shown). Its
            # id is not printed (0); the GPU and its missing driver are what gpu_present_driver_missing reads.
            addr = m.group("addr").lower()
            d = f.detail(i)
            devices.append(PciDevice(address=addr if addr.count(":") == 2 else f"0000:{addr}", vendor_id=0x10DE,
                                     device_id=0, class_code=class_code, driver=Reading.of("none", d)))
            first = i if first is None else first
        if ids and class_code is not None:
            addr = m.group("addr").lower()
            addr = addr if addr.count(":") == 2 else f"0000:{addr}"
            d = f.detail(i)
            drv = Reading.of(driver, d) if driver else Reading.of("none", d) if shown else Reading.unknown()
            devices.append(PciDevice(address=addr, vendor_id=0x10DE, device_id=int(ids.group(1), 16),
                                     class_code=class_code, driver=drv))
            first = i if first is None else first
    if devices:
        f.set("pci.devices", tuple(devices), first, detail="lspci -nn lines in the text (other devices may exist)")
    return f
