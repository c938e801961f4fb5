"""Clocks said to run above stock, or raised by a tool, beside a GPU failure in the same text (round 28).

``clock_settings_prose`` reads a person saying they overclocked or undervolted. Strangers often say
it another way: a number against the default ("Quickminer/excavator boosts it up to 16702 which is
2702 over the default clocking of 14000, i think this is the problem", NiceHashQuickMiner#277), a
clock "above stock", a mining or tuning tool named as what raises the clocks, a miner's offset
options on its command line, or a maker's overclock (a "factory overclocked" card) blamed for the
failure. A core clock above its advertised boost is what GPU Boost does on its own, so none of these
counts unless the text also shows a GPU failure of the kind an unstable clock gives: CUDA's "an
illegal instruction / memory access was encountered", "unspecified launch failure", Xid 13/31/43
(driver event ids, https://docs.nvidia.com/deploy/xid-errors/), a driver reset (Windows' nvlddmkm /
TDR), a crash or reboot under load.

* a number over the default: "16702, 2702 over the default clocking of 14000", "500 MHz above stock",
  "set to 8000 (default 7000)", "the memory clock is way above stock"; zh "显存频率比默认高了1000MHz",
  "高于默认频率", ja "定格より高いクロック", ko "기본 클럭보다 높게", ru "частота выше стоковой",
  de "über dem Standardtakt", es "por encima de la frecuencia por defecto", pt "acima do clock padrão",
  fr "au-dessus de la fréquence d'origine";
* a tool as what raises them: "QuickMiner overclocks the card", "the miner raises the memory clock";
* a miner's offset options: lolMiner's ``--coff`` / ``--moff`` (core / memory clock offset, lolMiner
  1.64 release notes), GMiner's and T-Rex's ``--cclock`` / ``--mclock`` without a sign, NVIDIA
  Inspector's ``-setMemoryClockOffset:0,0,800`` / ``-setBaseClockOffset:0,0,100`` — a positive value;
* a maker's overclock blamed: "the factory overclock was the problem", "I think the card's factory OC
  is the cause".

Not a denial, a question, advice or a condition ("not above stock", "is it higher than default?",
"if you set it above stock"), clocks lowered ("lower than default"), nor another machine's.
Recorded as the same note ``clock_settings_prose`` writes (``derived.clock_settings.CLOCKS_CHANGED``).
"""

from __future__ import annotations

import re

from envcheck.derived.clock_settings import CLOCKS_CHANGED
from envcheck.explain.parsers.clock_settings_prose import _HEDGE, _NOT, _NOT_AFTER
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_STOCK = r"(?:default|stock|base|reference|factory|standard|normal|original|spec(?:ified)?|rated|advertised)"
_CLOCK = r"(?:clock\w*|frequenc\w*|speeds?|mhz|boost|memory|vram|core|gpu)"
_RAISED = lazy(
    # "2702 over the default clocking of 14000", "500 MHz above stock", "300MHz higher than the reference clock"
    rf"\b\d{{2,5}}\s*(?:mhz\s+)?(?:over|above|higher\s+than|more\s+than|beyond|past)\s+(?:the\s+|its\s+|their\s+)?{_STOCK}\b"
    # "the memory clock is way above stock", "clocks it past the default clocking"
    rf"|\b{_CLOCK}\s+(?:\w+\s+){{0,3}}?(?:well\s+|way\s+|much\s+|far\s+|far\s+)?(?:over|above|higher\s+than|beyond|past)\s+"
    rf"(?:the\s+|its\s+|their\s+)?{_STOCK}(?:\s+{_CLOCK})?\b"
    # a tool as the subject: "QuickMiner overclocks the card", "the miner raises the memory clock"
    r"|\b(?:miner|quickminer|excavator|octune|afterburner|nicehash|t-rex|trex|gminer|lolminer|nbminer|phoenixminer|hiveos|"
    r"the\s+(?:tool|program|software|app))\s+(?:\w+\s+)?(?:overclocks|overclocked|raises|raised|increases|increased|pushes|pushed|"
    r"boosts|boosted)\s+(?:it|them|the\s+(?:card|gpu|memory|vram|core)|my\s+(?:card|gpu))?\s*(?:memory\s+|core\s+|gpu\s+)?"
    r"(?:clock|frequenc|up\b|to\b|by\b|\+)"
    # zh: "显存频率比默认高了1000MHz", "高于默认频率", "超过默认频率"
    r"|(?:频率|频)[^。，,！？]{0,10}?(?:比|高于|超过|超出)(?:了)?(?:默认|原厂|公版|出厂|标准)"
    r"|(?:高于|超过|超出)(?:了)?(?:默认|原厂|公版|标准)(?:的)?(?:频率|频)"
    # ja: "定格より高いクロック", "デフォルトのクロックを超えて"
    r"|(?:定格|デフォルト)(?:の)?(?:クロック|周波数)?(?:より(?:も)?(?:高|上)|を(?:超え|上回))"
    # ko: "기본 클럭보다 높게"
    r"|(?:기본|순정|레퍼런스)\s*(?:클럭|클록|값|주파수)?\s*보다\s*(?:높|올)"
    # ru: "частота выше стоковой", de: "über dem Standardtakt", es/pt/fr likewise
    r"|\bвыше\s+(?:сток\w*|штатн\w*|дефолтн\w*|стандартн\w*|номинал\w*|базов\w*)"
    r"|\b(?:über|höher\s+als)\s+(?:dem\s+|den\s+|der\s+)?(?:Standard|Referenz|Werks|Basis)[-\s]?(?:takt|frequenz)\w*"
    r"|\bpor\s+encima\s+de(?:l|\s+la|\s+los|\s+las)?\s+(?:reloj|frecuencia|clock)\w*\s+(?:por\s+defecto|de\s+serie|stock|de\s+"
    r"f[áa]brica|base|original)"
    r"|\bacima\s+d[oa]s?\s+(?:clock|frequ[êe]ncia)s?\s+(?:padr[ãa]o|de\s+f[áa]brica|stock|original|base)"
    r"|\bau[-\s]dessus\s+de(?:s|\s+la|\s+l[ae]|\s+l')?\s*(?:fr[ée]quence|horloge|clock)s?\s+(?:d'origine|par\s+d[ée]faut|de\s+base|"
    r"stock|d'usine)", _I)
# A clock word, said beside a bare "2702 over the default" (it must be clocks that are over).
_CLOCK_WORD = lazy(r"clock|fr[eé]qu|frecuen|mhz|boost|overclock|\boc\b|频|クロック|周波数|클럭|클록|частот|такт|takt|reloj|horloge", _I)
# Set to a number with the default beside it: "memory clock set to 8000 (default 7000)", "16702 instead of 14000".
_VERSUS = lazy(r"\b(\d{3,5})\s*(?:mhz)?\s*(?:\(\s*(?:default|stock)\s*(?:is\s+|was\s+|:\s*|=\s*)?|instead\s+of\s+(?:the\s+)?"
               r"(?:default\s+|stock\s+)?(?:of\s+)?|vs\.?\s+(?:the\s+)?(?:default|stock)\s+(?:of\s+)?|rather\s+than\s+(?:the\s+)?"
               r"(?:default|stock)\s+(?:of\s+)?)(\d{3,5})\b", _I)
# Offset options on a miner's or a tuning tool's command line, with a positive, nonzero value.
# lolMiner (1.64 release notes): "--coff", "--moff"; GMiner / T-Rex: "--cclock", "--mclock" (offsets on
# NVIDIA); NVIDIA Inspector: "-setMemoryClockOffset:0,0,800", "-setBaseClockOffset:0,0,100".
_OPTIONS = lazy(r"(?<![\w-])--(?:coff|moff|cclock|mclock)\s*[= ]\s*\+?0*[1-9]\d{1,3}\b(?!\s*[,*]\s*-)"
                r"|-set(?:Memory|Base|Gpu)ClockOffset:\d+,\d+,\+?0*[1-9]\d{1,3}\b"
                # PhoenixMiner's "-cclock" / "-mclock" take a relative value with a sign on NVIDIA ("-mclock +700")
                r"|(?<![\w-])-(?:cclock|mclock)\s*[= ]\s*\+\s?0*[1-9]\d{1,3}\b", _I)
# A maker's overclock blamed for the failure: "the factory overclock was the problem", "I think the card's
# factory OC is the cause", "caused by the factory overclock".
_FACTORY_BLAMED = lazy(r"\bfactory[\s-]+(?:over-?clock\w*|oc)\b[^.!?;\n]{0,40}?\b(?:was|is|were|are)\s+(?:the\s+|to\s+)?"
                       r"(?:culprit|cause|problem|issue|blame|reason)\b"
                       r"|\b(?:caused\s+by|due\s+to|because\s+of)\s+(?:the\s+|its\s+|my\s+)?(?:card'?s\s+)?factory[\s-]+"
                       r"(?:over-?clock\w*|oc)\b", _I)
# A denial inside the words ("is not above stock", "no higher than default"), and another card or machine
# ("my old card ran 500 MHz above stock", "on my other rig").
_DENIED = lazy(r"\b(?:not|no|never|nicht|kein\w*|pas|не|nunca|nada)\b|n't|没|不|ない|않", _I)
_ELSEWHERE = lazy(r"\b(?:my|our|the|a|an)\s+(?:other|old|older|previous|former|second|friend'?s)\s+(?:card|gpu|rig|machine|"
                  r"computer|pc|server|box|system)\b|\banother\s+(?:card|gpu|rig|machine|computer|pc|server)\b", _I)
# Denials and lowered clocks near the number form: "not above stock", "lower than default".
_LOWER = lazy(r"\b(?:lower|less|below|under)\s+than\b|\bbelow\s+(?:the\s+)?(?:default|stock)|低于|より低|보다\s*낮|ниже", _I)

# A GPU failure of the kind unstable clocks give, somewhere in the text (lower-cased looks): CUDA's
# cudaErrorIllegalInstruction / IllegalAddress / LaunchFailure strings, Xid events, a driver reset,
# a crash or reboot under load.
_FAILED_LOOKS = ("illegal instruction", "illegal memory access", "illegal address", "unspecified launch failure",
                 "launch failed", "launch failure", "cuda_error_launch_failed", "cuda_error_illegal", "xid", "nvlddmkm",
                 "stopped responding", "driver reset", "crash", "reboot", "hardware stack error", "misaligned address",
                 "fallen off the bus", "非法", "崩溃", "不正なメモリ", "クラッシュ", "크래시", "충돌", "вылет", "absturz", "plant")
# The cheap looks of the sentence forms above (lower-cased).
_LOOKS = ("default", "stock", "reference", "factory", "standard", "normal", "original", "spec", "rated", "advertised",
          "overclocks", "raises", "raised", "increases", "increased", "pushes", "pushed", "boosts", "boosted",
          "-cclock", "-mclock", "--coff", "--moff", "clockoffset", "默认", "原厂", "公版", "出厂", "标准", "定格", "デフォルト",
          "기본", "순정", "레퍼런스", "выше", "über", "höher", "encima", "acima", "dessus", "instead of", "vs", "rather than")

# The cheap looks of _CLOCK_WORD and _OPTIONS (lower-cased): a line none of them is in holds no form.
_CLOCK_LOOKS = ("clock", "frequ", "fréqu", "frecuen", "mhz", "boost", " oc", "oc ", "oc,", "oc.", "oc)", "-coff", "-moff",
                "频", "クロック", "周波数", "클럭", "클록", "частот", "такт", "takt", "reloj", "horloge")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    candidates = doc.lines_containing(*_LOOKS, ignorecase=True)
    if not candidates or not doc.lines_containing(*_FAILED_LOOKS, ignorecase=True):
        return f
    # Every form names a clock (_CLOCK_WORD, _OPTIONS): the common words of _LOOKS alone ("default",
    # "standard", "vs") hold thousands of a long log's lines.
    clocked = set(doc.lines_containing(*_CLOCK_LOOKS, ignorecase=True))
    for i in (i for i in candidates if i in clocked):
        line = lines[i]
        said = _options(line) if len(line) <= 2000 else None
        if said is None and len(line) <= 400:  # longer: a log line, not a person's sentence
            said = _raised(line) or _versus(line) or _factory_blamed(line)
        if said:
            f.note(f"{CLOCKS_CHANGED}“{said}” (line {i + 1})")
            return f
    return f


def _clean(s: str) -> str:
    return " ".join(s.split())[:160]


def _told(line: str, start: int, end: int) -> bool:
    """Said of this machine: no denial, condition or question around the words, not another machine's."""
    before, after = line[max(0, start - 40):start], line[end:end + 60]
    return not (_NOT.search(before) or _DENIED.search(line[start:end]) or re.search(r"[?？]|吗|ですか|나요", after)
                or _NOT_AFTER.search(after) or _ELSEWHERE.search(sentence_around(line, start, end))
                or not_here_now(line, start, end))


def _raised(line: str):
    for m in _RAISED.finditer(line):
        s = sentence_around(line, m.start(), m.end())
        if not _CLOCK_WORD.search(s) or _LOWER.search(m.group(0)) or not _told(line, m.start(), m.end()) \
                or re.search(r"[?？]", s):
            continue
        return _clean(s)
    return None


def _versus(line: str):
    for m in _VERSUS.finditer(line):
        s = sentence_around(line, m.start(), m.end())
        if int(m.group(1)) <= int(m.group(2)) * 1.02 or not _CLOCK_WORD.search(s) or not _told(line, m.start(), m.end()):
            continue
        return _clean(s)
    return None


def _options(line: str):
    m = _OPTIONS.search(line)
    if m is None or _NOT.search(line[max(0, m.start() - 40):m.start()]) or _ELSEWHERE.search(line):
        return None
    return _clean(line[max(0, m.start() - 60):m.end() + 40])


def _factory_blamed(line: str):
    for m in _FACTORY_BLAMED.finditer(line):
        s = sentence_around(line, m.start(), m.end())
        if _HEDGE.search(s) or _ELSEWHERE.search(s) or not_here_now(s, 0, len(s)):
            continue
        return _clean(s)
    return None
