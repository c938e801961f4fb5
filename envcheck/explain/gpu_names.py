"""GPU names in prose ("Video card: 3060ti", "an 2060 Super", "RTX3090", "8x A100").

People shorten GPU names; tools print the NVML name ("NVIDIA GeForce RTX 3060 Ti").
:func:`mentions` turns a person's shorthand into that canonical spelling so the
knowledge tables can look it up, and :func:`same_gpu` decides whether two names are
the same card (a paste often names the GPU twice: in nvidia-smi and in a sentence).
Model numbers come from NVIDIA's product lists (https://developer.nvidia.com/cuda-gpus).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

# GeForce model numbers by series (desktop and laptop parts share numbers).
_RTX = {"2050", "2060", "2070", "2080", "3050", "3060", "3070", "3080", "3090", "4050", "4060", "4070", "4080",
        "4090", "5050", "5060", "5070", "5080", "5090"}
_GTX = {"1630", "1650", "1660", "1050", "1060", "1070", "1080", "950", "960", "970", "980", "750", "760", "770",
        "780", "660", "670", "680"}
_MX = {"110", "130", "150", "230", "250", "330", "350", "450", "550", "570"}
_LAPTOP_M = {f"{a}{b}0" for a in "98" for b in "2345678"}  # 920M … 980M, 820M … 880M

_CONSUMER = re.compile(
    r"(?<![\w.$/])(?P<brand>nvidia[\s-]*)?(?P<geforce>geforce[\s-]*)?(?P<series>rtx|gtx|mx)?[\s-]?"
    r"(?P<num>\d{3,4})(?P<m>m)?(?:\s?(?P<suffix>ti|super|d)(?![a-z]))?(?P<laptop>\s+laptop)?(?![\w%]|\.\d)",
    re.IGNORECASE)

# Data-centre and workstation parts. "ambiguous" ones ("T4", "A10", "L4") only count
# with a "Tesla"/"NVIDIA" prefix or when the sentence is about a GPU.
_DC = {
    "A100": "NVIDIA A100", "A800": "NVIDIA A800", "A30": "NVIDIA A30", "A40": "NVIDIA A40", "A10G": "NVIDIA A10G",
    "H100": "NVIDIA H100", "H200": "NVIDIA H200", "H800": "NVIDIA H800", "GH200": "NVIDIA GH200",
    "B200": "NVIDIA B200", "B300": "NVIDIA B300", "GB200": "NVIDIA GB200", "L40S": "NVIDIA L40S", "L40": "NVIDIA L40",
    "V100": "Tesla V100", "P100": "Tesla P100", "P40": "Tesla P40", "K80": "Tesla K80", "K40": "Tesla K40",
    "M60": "Tesla M60", "M40": "Tesla M40", "A6000": "NVIDIA RTX A6000", "A5000": "NVIDIA RTX A5000",
    "A4000": "NVIDIA RTX A4000",
    # ambiguous without a prefix:
    "T4": "Tesla T4", "P4": "Tesla P4", "A10": "NVIDIA A10", "A16": "NVIDIA A16", "A2": "NVIDIA A2",
    "L4": "NVIDIA L4", "H20": "NVIDIA H20",
}
_AMBIGUOUS = {"T4", "P4", "A10", "A16", "A2", "L4", "H20", "A30", "A40", "K40", "M40", "M60", "P40", "L40", "A800"}
_DC_RE = re.compile(r"(?<![\w.$/-])(?P<prefix>(?:nvidia|tesla|rtx)[\s-]+)?(?P<model>" +
                    "|".join(sorted(_DC, key=len, reverse=True)) + r")(?![\w.])", re.IGNORECASE)
_TITAN = re.compile(r"\btitan[\s-]?(?P<model>rtx|xp|v)\b", re.IGNORECASE)
_GPU_WORDS = re.compile(r"\b(gpus?|graphics|cards?|geforce|nvidia|video|vram|laptop|running|have|using|got)\b|显卡",
                        re.IGNORECASE)


def _consumer_name(m: re.Match, context: bool) -> Optional[str]:
    num, series = m.group("num"), (m.group("series") or "").upper()
    suffix = (m.group("suffix") or "").lower()
    laptop_m = bool(m.group("m"))
    explicit = bool(series or m.group("geforce"))
    if not (explicit or suffix or laptop_m or context):
        return None  # a bare number in a sentence that is not about a GPU
    if laptop_m:
        if num not in _LAPTOP_M and num not in _GTX:
            return None
        series = series or "GTX"
        return f"NVIDIA GeForce {series} {num}M"
    if series == "MX" or (not series and num in _MX and m.group("geforce")):
        return f"NVIDIA GeForce MX{num}" if num in _MX else None
    if num in _RTX and series in ("", "RTX"):
        base = f"NVIDIA GeForce RTX {num}"
    elif num in _GTX and series in ("", "GTX"):
        base = f"NVIDIA GeForce GTX {num}"
    else:
        return None
    extra = {"ti": " Ti", "super": " SUPER", "d": " D", "": ""}[suffix]
    if m.group("laptop"):
        extra += " Laptop GPU"
    return base + extra


def mentions(line: str) -> List[Tuple[str, str]]:
    """Canonical GPU names a line of prose mentions, with the words that named them."""
    context = bool(_GPU_WORDS.search(line))
    out: List[Tuple[str, str]] = []
    for m in _CONSUMER.finditer(line):
        name = _consumer_name(m, context)
        if name:
            out.append((name, m.group(0).strip()))
    for m in _DC_RE.finditer(line):
        model = m.group("model").upper()
        if model in _AMBIGUOUS and not (m.group("prefix") or context):
            continue
        if m.group("model") != model and model in _AMBIGUOUS:
            continue  # "a10" / "l4" in lower case is too often something else
        out.append((_DC[model], m.group(0).strip()))
    for m in _TITAN.finditer(line):
        model = {"rtx": "RTX", "xp": "Xp", "v": "V"}[m.group("model").lower()]
        out.append((f"NVIDIA TITAN {model}", m.group(0)))
    return out


def _key(name: str) -> str:
    k = name.lower()
    for word in ("nvidia", "geforce", "tesla", "corporation"):
        k = k.replace(word, "")
    return re.sub(r"[\s_-]+", "", k)


def _words(name: str) -> List[str]:
    return [w for w in re.split(r"[\s_-]+", name.lower()) if w and w not in ("nvidia", "geforce", "tesla", "corporation")]


def same_gpu(a: str, b: str, truncated: bool = False) -> bool:
    """True when two names are the same model: equal, or one is the other with more detail
    ("NVIDIA A100" / "NVIDIA A100-SXM4-80GB", "RTX 3060" / "RTX 3060 Ti", "NVIDIA H100" /
    "NVIDIA H100 80GB HBM3": the short name's words begin the long one's). ``truncated``:
    the shorter name was cut by nvidia-smi ("GeForce GTX 108..."), so any continuation matches."""
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    if long_.startswith(short) and (truncated or not long_[len(short)].isdigit()):
        return True
    wa, wb = sorted((_words(a), _words(b)), key=len)
    return bool(wa) and wb[:len(wa)] == wa


TRUNCATED = "name truncated by nvidia-smi"


def is_truncated(detail: str) -> bool:
    return TRUNCATED in (detail or "")
