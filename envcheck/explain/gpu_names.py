"""GPU names in prose ("Video card: 3060ti", "an 2060 Super", "RTX3090", "8x A100").

People shorten GPU names; tools print the NVML name ("NVIDIA GeForce RTX 3060 Ti").
:func:`mentions` turns a person's shorthand into that canonical spelling so the
knowledge tables can look it up, and :func:`same_gpu` decides whether two names are
the same card (a paste often names the GPU twice: in nvidia-smi and in a sentence).
Model numbers come from NVIDIA's product lists (https://developer.nvidia.com/cuda-gpus).
"""

from __future__ import annotations

import functools
import re
from typing import List, Optional, Tuple

# The cut-name phrase lives in envcheck/reading.py now; benchmarks/nvidia_formats_score.py
# (another owner's) still imports it from here.
from envcheck.explain.gated import Gated
from envcheck.lazyre import lazy
from envcheck.reading import TRUNCATED, is_truncated  # noqa: F401

# GeForce model numbers by series (desktop and laptop parts share numbers).
_RTX = {"2050", "2060", "2070", "2080", "3050", "3060", "3070", "3080", "3090", "4050", "4060", "4070", "4080",
        "4090", "5050", "5060", "5070", "5080", "5090"}
_GTX = {"1630", "1650", "1660", "1050", "1060", "1070", "1080", "950", "960", "970", "980", "750", "760", "770",
        "780", "660", "670", "680"}
_MX = {"110", "130", "150", "230", "250", "330", "350", "450", "550", "570"}
# Desktop GeForce GT parts (NVIDIA's GeForce product lists): "GeForce GT 730", "GT 1030".
_GT = {"610", "620", "630", "640", "705", "710", "720", "730", "740", "1010", "1030"}
# Laptop parts ("…M") by the series NVIDIA named them in (https://www.nvidia.com/en-us/geforce/gaming-laptops/
# and the GeForce 700M/800M/900M product pages): "GeForce GT 750M", "GeForce GTX 965M", "GeForce 940M".
_LAPTOP_GT = {"720", "730", "735", "740", "745", "750", "755"}
_LAPTOP_GTX = {"760", "765", "770", "775", "780", "850", "860", "870", "880", "950", "960", "965", "970", "980"}
_LAPTOP_PLAIN = {"820", "825", "830", "840", "845", "910", "920", "930", "940", "945"}
_LAPTOP_MX = {"920", "930", "940"}  # "GeForce 940MX"

# Characters that may not touch a name: ASCII letters, digits and "_" ("rtx3090x", "v2070"),
# not CJK text, which runs into names without spaces ("我的显卡是3060", "A100显卡").
_CONSUMER = lazy(
    r"(?<![A-Za-z0-9_.$/])(?P<brand>nvidia[\s-]*)?(?P<geforce>geforce[\s-]*)?(?P<series>rtx|gtx|gt|mx)?[\s-]?"
    r"(?P<num>\d{3,4})(?P<m>mx?)?(?:\s?(?P<suffix>ti|super|d)(?![a-z]))?(?P<laptop>\s+laptop)?"
    r"(?![A-Za-z0-9_%]|\.\d)",
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
_DC_RE = lazy(r"(?<![A-Za-z0-9_.$/-])(?P<prefix>(?:nvidia|tesla|rtx)[\s-]+)?(?P<model>" +
              "|".join(sorted(_DC, key=len, reverse=True)) + r")(?![A-Za-z0-9_.])", re.IGNORECASE)
# Workstation parts, as NVML names them: "Quadro K2200", "Quadro P4000", "Quadro RTX 5000",
# "Quadro GV100", "NVIDIA RTX A2000", "NVIDIA RTX 6000 Ada Generation", "NVIDIA RTX PRO 6000
# Blackwell …", "NVIDIA T1000". The word "Quadro" or "RTX A/PRO/… Ada" makes them names.
_WORKSTATION = lazy(
    r"(?<![A-Za-z0-9_])(?:nvidia\s+)?(?:(?P<quadro>quadro\s+(?:rtx\s+\d{4}|[kmpt]\d{3,4}m?|gv100|gp100|\d{4}))"
    r"|(?P<rtxa>rtx\s*a\d{3,4}(?:\s+laptop)?)|(?P<ada>rtx\s+\d{4}\s+ada)|(?P<pro>rtx\s+pro\s+\d{4})"
    r"|(?P<t>\bt(?:400|550|600|1000|1200|2000)\b))(?![A-Za-z0-9_])", re.IGNORECASE)


def _workstation_name(m: re.Match) -> Optional[str]:
    words = re.sub(r"\s+", " ", m.group(0).strip())
    words = re.sub(r"^nvidia\s+", "", words, flags=re.IGNORECASE)
    if m.group("quadro"):
        return "Quadro " + words.split(" ", 1)[1].upper()
    if m.group("rtxa"):
        return "NVIDIA RTX " + re.sub(r"(?i)^rtx\s*", "", words).upper().replace("LAPTOP", "Laptop GPU")
    if m.group("ada"):
        return f"NVIDIA RTX {words.split()[1]} Ada Generation"
    if m.group("pro"):
        return f"NVIDIA RTX PRO {words.split()[2]}"
    return f"NVIDIA {words.upper()}"  # T1000 and kin: a bare "t1000" counts only beside "nvidia"


# TITANs, as nvidia-smi names them: "NVIDIA TITAN RTX", "TITAN Xp", "TITAN V", "TITAN X (Pascal)" (2016),
# "GeForce GTX TITAN X" (Maxwell, 2015), "GeForce GTX TITAN", "… TITAN Black", "… TITAN Z" (Kepler).
# A bare "TITAN X" is either X: it stays as written, unless the text says which ("Maxwell Titan X").
_TITAN = lazy(r"(?<![A-Za-z0-9_])(?:(?P<arch0>maxwell|pascal)[\s-]+)?(?P<gtx>(?:geforce[\s-]*)?gtx[\s-]*)?titan"
              r"(?:[\s-]?(?P<model>rtx|xp|x|v|black|z))?(?:\s*\(?(?P<arch>maxwell|pascal)\)?)?(?![A-Za-z0-9_])",
              re.IGNORECASE)
_TITANS = {"rtx": "NVIDIA TITAN RTX", "xp": "NVIDIA TITAN Xp", "v": "NVIDIA TITAN V", "x": "NVIDIA TITAN X",
           "black": "NVIDIA GeForce GTX TITAN Black", "z": "NVIDIA GeForce GTX TITAN Z"}
# Words that make a sentence about a GPU, for the ambiguous data-centre names ("we have a T4").
_GPU_WORDS = lazy(r"\b(gpus?|graphics|cards?|geforce|nvidia|video|vram|laptop|running|have|using|got)\b|显卡",
                  re.IGNORECASE)
# A bare model number ("3060") is a GPU only next to a word for one: after it ("GPU: 3060",
# "显卡是3060", "NVIDIA 3090", "graphics card 1080") or heading a phrase that ends in one ("a
# 3090 GPU", "2x 3090 GPUs", "我的3060显卡"). In a log line ("step 1080 loss 3060 gpu") a number
# is some other count's value.
_WORD = r"(?:\b(?:gpus?|graphics(?:\s+cards?)?|video\s+cards?|cards?|geforce|nvidia|quadro|tesla|rtx|gtx)\b|显卡|独显|[nN]卡)"
_NAMED_BY = lazy(_WORD + r"\s*(?:\bmodel\b|型号)?\s*(?:[:：=]|\bis\b|是|为)?\s*(?:\b(?:an?|the)\s+)?$", re.IGNORECASE)
_NAMES = lazy(r"\s*(?:\b(?:gpus?|graphics\s+cards?|video\s+cards?|cards?)\b|显卡|独显)", re.IGNORECASE)
# What may stand before a number that heads such a phrase: nothing, punctuation, CJK text, an
# article or a count ("my", "a", "2x"), not another word ("loss 3060 gpu").
_HEADS = lazy(r"(?:^|[(（,，:：;；。、]|[\u3000-\u9fff]|\b(?:an?|my|our|the|one|two|three|four|eight|single|dual"
              r"|\d{1,2}\s*x|x\s*\d{1,2}))\s*$", re.IGNORECASE)
_BEFORE = 48  # characters before a number that may hold the word naming it
# A machine named by its card: "works on my 4070", "get it to work on the 5090", "runs with
# a 3090." The number must end its phrase: "on the 1080 images" counts images.
_RUNS_ON = lazy(r"\b(?:on|with)\s+(?:my|the|a|an|our|his|her|their)\s*$", re.IGNORECASE)
_PHRASE_ENDS = lazy(r"\s*(?:$|[.,;:!?)）。，]|\b(?:with|and|or|but|too|as\s+well|now|gpus?|cards?)\b)", re.IGNORECASE)


def _bare_is_gpu(line: str, m: re.Match) -> bool:
    start, end = m.start("num"), m.end()
    if _NAMED_BY.search(line, max(0, start - _BEFORE), start):
        return True
    if _RUNS_ON.search(line, max(0, start - 16), start) and _PHRASE_ENDS.match(line, end):
        return True
    return bool(_NAMES.match(line, end)) and bool(_HEADS.search(line, max(0, start - _BEFORE), start))


def _laptop_name(num: str, series: str, mx: bool) -> Optional[str]:
    if mx:
        return f"NVIDIA GeForce {num}MX" if num in _LAPTOP_MX and not series else None
    if not series:
        series = ("GT" if num in _LAPTOP_GT else "GTX" if num in _LAPTOP_GTX or num in _GTX
                  else "" if num in _LAPTOP_PLAIN else None)
        if series is None:
            return None
    elif num not in _LAPTOP_GT | _LAPTOP_GTX | _LAPTOP_PLAIN | _GTX:
        return None
    return f"NVIDIA GeForce {series + ' ' if series else ''}{num}M"


def _consumer_name(m: re.Match, line: str) -> Optional[str]:
    num, series = m.group("num"), (m.group("series") or "").upper()
    suffix = (m.group("suffix") or "").lower()
    laptop_m = m.group("m") is not None
    named = bool(series or m.group("geforce") or m.group("brand") or suffix or laptop_m or m.group("laptop"))
    if not named and (num not in _RTX and num not in _GTX or not _bare_is_gpu(line, m)):
        return None  # not a model number, or a bare one that no word says is a GPU
    if laptop_m:
        return _laptop_name(num, series, len(m.group("m")) == 2)
    if series == "MX" or (not series and num in _MX and m.group("geforce")):
        return f"NVIDIA GeForce MX{num}" if num in _MX else None
    if num in _RTX and series in ("", "RTX"):
        base = f"NVIDIA GeForce RTX {num}"
    elif num in _GTX and series in ("", "GTX"):
        base = f"NVIDIA GeForce GTX {num}"
    elif num in _GT and series == "GT" and (m.group("series") == "GT" or m.group("geforce") or m.group("brand")):
        base = f"NVIDIA GeForce GT {num}"
    else:
        return None
    extra = {"ti": " Ti", "super": " SUPER", "d": " D", "": ""}[suffix]
    if m.group("laptop"):
        extra += " Laptop GPU"
    return base + extra


def _titan_name(m: re.Match) -> Optional[str]:
    model = (m.group("model") or "").lower()
    arch = (m.group("arch0") or m.group("arch") or "").lower()
    if model == "x" and arch == "pascal":
        return "NVIDIA TITAN X (Pascal)"
    if model == "x" and (arch == "maxwell" or m.group("gtx")):
        return "NVIDIA GeForce GTX TITAN X"
    if not model:
        return "NVIDIA GeForce GTX TITAN" if m.group("gtx") else None  # "titan" alone names nothing
    return _TITANS[model]


# What a line holds if the patterns above can find a name in it (cheap tests first: a long
# log is read line by line).
_THREE_DIGITS = lazy(r"\d{3}")
_LETTER_DIGIT = lazy(r"[abghklmptv]\d", re.IGNORECASE)


# A GeForce generation named as a family ("RTX 50 series", "an RTX 50xx card", "50系显卡",
# "RTX 40-Serie", "RTX 50 シリーズ", "RTX 50 시리즈"): every card of it has one compute
# capability (gpu_models.toml's series rules), so the canonical name carries the range, which
# the series rule reads. "RTX 5000 series" is the laymen's spelling of the same family; a
# "Quadro RTX 5000" or an "RTX 5000 Ada" is one workstation card and is left to _WORKSTATION.
_FAMILY = lazy(
    r"(?<![\w.])(?:(?:nvidia\s+)?(?:geforce\s+)?(?P<brand>rtx|gtx)|geforce)[\s-]?(?P<gen>10|16|20|30|40|50)(?:00)?[\s-]?"
    r"(?:series|serie|serien|séries?|xx|x0|系列?|シリーズ|시리즈)(?![\w])"
    r"|(?<![0-9A-Za-z_.])(?P<cjk>10|20|30|40|50)\s?系列?\s?(?:的)?\s?(?:显卡|顯卡|n卡|gpu|卡)", re.IGNORECASE)
# Each generation by its first and last desktop model: the range in the canonical name is what
# gpu_models.toml's series rule reads.
_GENERATIONS = {"10": "GTX 10 series (GTX 1050 to 1080)", "16": "GTX 16 series (GTX 1650 to 1660)",
                "20": "RTX 20 series (RTX 2060 to 2080)", "30": "RTX 30 series (RTX 3050 to 3090)",
                "40": "RTX 40 series (RTX 4050 to 4090)", "50": "RTX 50 series (RTX 5050 to 5090)"}
# Embedded and desktop-module GPUs by their product names (gpu_models.toml: Jetson, GB10).
_EMBEDDED = lazy(r"(?<![\w.])(?:nvidia\s+)?jetson(?:\s+agx)?\s+(?P<jetson>orin|xavier|thor|nano|tx2)\b"
                 r"|(?<![\w.])(?:nvidia\s+)?(?P<spark>dgx\s+spark|gb10)\b", re.IGNORECASE)


# Any "Tesla" model as NVML names it, suffix and all ("Tesla K40m", "Tesla K20Xm", "Tesla
# M2090", "Tesla C2075"): the brand makes it a GPU, and gpu_models.toml's Tesla rules read it.
_TESLA = lazy(r"(?<![A-Za-z0-9_])tesla\s+(?P<model>[kmpvcta]\d{1,4}(?:x?[a-z])?)(?![A-Za-z0-9_])", re.IGNORECASE)


# The words every match of _FAMILY / _EMBEDDED holds (``Gated`` checks it): a line without one
# (most lines that name a GPU by model) is not searched. The gated search finds the first match,
# the scan goes on from there.
_FAMILY_GATE = Gated(_FAMILY, ("rtx", "gtx", "geforce", "gpu", "卡"))
_EMBEDDED_GATE = Gated(_EMBEDDED, ("jetson", "dgx", "gb10"))


def _families(line: str) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    for m in _TESLA.finditer(line) if "tesla" in line.lower() else ():
        out.append((f"Tesla {m.group('model')}", m.group(0).strip()))
    first = _FAMILY_GATE.search(line)
    for m in _FAMILY.finditer(line, first.start()) if first else ():
        if re.search(r"quadro\s*$", line[:m.start()], re.IGNORECASE):
            continue
        gen = m.group("gen") or m.group("cjk")
        out.append((f"NVIDIA GeForce {_GENERATIONS[gen]}", m.group(0).strip()))
    first = _EMBEDDED_GATE.search(line)
    for m in _EMBEDDED.finditer(line, first.start()) if first else ():
        if m.group("jetson"):
            out.append((f"NVIDIA Jetson {m.group('jetson').capitalize()}", m.group(0).strip()))
        else:
            out.append(("NVIDIA GB10 (DGX Spark)", m.group(0).strip()))
    return out


def mentions(line: str) -> List[Tuple[str, str]]:
    """Canonical GPU names a line of prose mentions, with the words that named them."""
    out: List[Tuple[str, str]] = []
    for m in _CONSUMER.finditer(line) if _THREE_DIGITS.search(line) else ():
        name = _consumer_name(m, line)
        if name:
            out.append((name, m.group(0).strip()))
    context: Optional[bool] = None
    for m in _DC_RE.finditer(line) if _LETTER_DIGIT.search(line) else ():
        model = m.group("model").upper()
        if model in _AMBIGUOUS and not m.group("prefix"):
            if context is None:
                context = bool(_GPU_WORDS.search(line))
            if not context:
                continue
        if m.group("model") != model and model in _AMBIGUOUS:
            continue  # "a10" / "l4" in lower case is too often something else
        out.append((_DC[model], m.group(0).strip()))
    low = line.lower()
    for m in _WORKSTATION.finditer(line) if ("quadro" in low or "rtx" in low or "nvidia t" in low) else ():
        if m.group("t") and not m.group(0).lower().startswith("nvidia"):
            continue  # "t1000" alone is too often something else
        name = _workstation_name(m)
        if name and all(name != n for n, _ in out):  # "RTX A6000" is in the data-centre list too
            out.append((name, m.group(0).strip()))
    for m in _TITAN.finditer(line) if "titan" in low else ():
        name = _titan_name(m)
        if name:
            out.append((name, m.group(0).strip()))
    return out + [n for n in _families(line) if all(not same_gpu(n[0], o) for o, _ in out)]


# The assembler compares every GPU claim's name with the others' (thousands of pairs on a long
# log, a few distinct names): each name's key, words and each pair's answer computed once.
@functools.lru_cache(maxsize=4096)
def _key(name: str) -> str:
    k = name.lower()
    for word in ("nvidia", "geforce", "tesla", "corporation"):
        k = k.replace(word, "")
    return re.sub(r"[\s_-]+", "", k)


@functools.lru_cache(maxsize=4096)
def _words(name: str) -> Tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s_-]+", name.lower()) if w and w not in ("nvidia", "geforce", "tesla", "corporation"))


@functools.lru_cache(maxsize=8192)
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

