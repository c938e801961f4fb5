"""A person naming their own GPU as another vendor's, in their words (any language):
"my GPU is an AMD", "I have an Intel graphics card", "my laptop has Radeon graphics",
"I'm using an AMD RX 6600 XT", "我的显卡是AMD", "我是A卡", "我用的是英特尔核显", "グラボはRadeon",
"제 그래픽카드는 AMD", "mi tarjeta gráfica es Intel", "meine Grafikkarte ist eine AMD".

``display_adapters`` reads adapters by their model names (as tools print them); people often
name only the vendor, or a model number without the marketing word ("AMD 6600XT"). CUDA runs
on NVIDIA GPUs only, so such a statement is why "Torch not compiled with CUDA enabled" / "no
CUDA-capable device" happens on that machine: no NVIDIA GPU, at a person's rank (the finding
built on it is likely, never confirmed).

Whose card it is: the person's own words ("my", "I have", "GPU:"), or a failure reported on that
one card right after its name ("AMD 6800显卡部署出错", "AMD RX 6800 card fails with …"), which is
nobody's under a condition, for a kind ("AMD GPUs fail") or as someone else's ("my friend's PC").
A graphics word with an AMD or Intel model and no vendor ("我的显卡是6700XT", "显卡：AMD 6800",
"Graphics card: Arc A770") names the card too.

Nothing is claimed where the text names NVIDIA hardware anywhere (a hybrid laptop's NVIDIA
GPU beside the AMD or Intel one), for a question ("is my AMD GPU supported?"), a denial or a
past machine ("not an AMD card", "I switched from AMD"), or a CPU ("my CPU is an AMD Ryzen",
"my laptop has an Intel i7"): only a graphics word or a GPU model next to the vendor counts.
"""

from __future__ import annotations

import re

from ...derived.messages import STATED_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..sentences import SOMEONE_ELSES, asked
from ..source import Pasted
from .display_adapters import ASIDE, names_nvidia_hardware

SOURCE = "gpu vendor statements"

_I = re.IGNORECASE
# Latin words must not touch other letters; CJK text runs straight into them ("我是AMD"), where
# \b would not see a boundary.
_L = r"(?<![A-Za-z0-9_])"
_R = r"(?![A-Za-z0-9_])"
_VENDOR = rf"{_L}(?:AMD|Intel|Radeon|ATI|Apple\s+M[1-5]|英特尔|苹果)"
_GPU_NOUN = (r"(?:gpus?|graphics(?:\s+cards?)?|graphic\s+cards?|video\s+cards?|display\s+adapter|igpu|dgpu|card|chip"
             r"|显卡|核显|集显|独显|集成显卡|グラボ|グラフィック\w*|GPU|그래픽\s*카드|그래픽|tarjeta\s+gr[aá]fica|gr[aá]fica"
             r"|Grafikkarte|Grafik|carte\s+graphique)")
# AMD's and Intel's GPU model words and numbers people type without the marketing prefix.
_MODEL = (rf"(?:Radeon|Vega|Iris|UHD|Arc|{_L}RX\s?\d{{3,4}}|{_L}\d{{4}}\s?(?:XTX|XT|GRE){_R}|{_L}HD\s?\d{{3,4}}{_R})")
# What joins a graphics word to the name after it: "is", a colon (also the full-width one of CJK text).
_IS = r"(?:是|为|用的是|は|는|은|:|：|=|\bis\b|\bwas\b|\bes\b|\bist\b)"
# The vendor then, within a few words, a graphics word or a model: "AMD 6600XT", "Intel UHD",
# "AMD graphics card", "Radeon" (a GPU name by itself), "A卡" (Chinese for an AMD card).
_VENDOR_GPU = lazy(
    rf"{_VENDOR}[\s()®™RTM-]{{0,6}}(?:(?!(?:with|and|or|for|on|in|to|via|plus|but|cpu|processor)\b)[\w.-]+\s+){{0,2}}?"
    # a bare model number glued to a CJK graphics word: "AMD 6800显卡"
    rf"(?:(?:\d{{3,4}}\s?)?{_GPU_NOUN}|{_MODEL})"
    rf"|{_L}Radeon{_R}|{_L}A卡|{_L}(?:AMD|英特尔|Intel)的?(?:显卡|核显|集显)"
    # the graphics word first: "我的显卡是AMD的", "제 그래픽카드는 AMD", "GPU: Intel Iris Xe", "显卡：AMD 6800"
    rf"|{_GPU_NOUN}\s*{_IS}\s*(?:an?\s+|una?\s+|eine?\s+)?{_VENDOR}{_R}", _I)
# Whose GPU it is: the person's own machine, said in the sentence before the vendor.
_MINE = lazy(
    r"\b(?:i|we)\s+(?:have|got|own|use|am\s+using|'m\s+using|'ve\s+got|am\s+on|'m\s+on|run\s+on|only\s+have)\b"
    r"|\bi'm\s+(?:using|on)\b|\bi've\s+got\b"
    # the machine the person is running on: "I'm attempting to run Forge on Windows 11 with an Intel R GPU"
    r"|\bi(?:'m|\s+am)\s+(?:attempting|trying|going)\s+to\s+(?:run|use|start|launch)\b"
    r"|\bmy\s+(?:\w+\s+){0,2}?(?:pc|computer|laptop|notebook|machine|desktop|system|device|mac|gpu|graphics|card|rig|box)\b"
    r"|\b(?:gpu|graphics(?:\s+card)?|video\s+card)\s*[:=：]"
    r"|我的|我是|我用|我这|本人|电脑是|显卡是|显卡为|显卡\s*[:：]|私の|うちの|グラボは|제\s|내\s|저는|mi\s+(?:pc|port[aá]til|ordenador|computadora|tarjeta)"
    r"|tengo\s+una?|meine?\s+(?:pc|rechner|laptop|grafikkarte)|ich\s+habe", _I)
_CPU = lazy(r"\b(?:cpu|processor|ryzen|athlon|epyc|threadripper|core\s*i[3579]|i[3579]-\d{4,5}\w*|xeon|celeron|pentium"
                  r"|amd64|x86_64)\b|处理器|プロセッサ|프로세서", _I)
_NEEDLES = ("amd", "intel", "radeon", "ati", "apple", "英特尔", "苹果", "a卡")
# The named GPU failing, said right after it (within its clause): the person reports a failure on
# that card, so it is theirs although no "my" is said ("AMD 6800显卡部署出错" — deploying on the
# AMD 6800 card errs; "AMD RX 6800 card fails to start it"). A kind ("AMD GPUs fail"), a
# condition ("如果是AMD显卡报错" — if it is an AMD card that errs) or advice is nobody's machine.
_FAILS_AFTER = lazy(r"^[^\n。.!?？！,，;；:：]{0,10}?(?:出错|报错|错误|失败|不能用|用不了|跑不了|无法|不行"
                    r"|\berrors?\b|\bfail(?:s|ed|ing)?\b|\bcrash\w*|\bdoes(?:n't|\s+not)\s+work|\bnot\s+working"
                    r"|エラー|動かない|오류|에러|실패)", _I)
_CONDITION = lazy(r"(?:如果|若是?|假如|要是|对于|\bif\b|\bwhen\b|\bwhether\b|\bfor\b|\ball\b|\bany\b|\bevery\b|\bmost\b)"
                  r"[^\n。.!?？！]{0,12}$", _I)
_ELSES = lazy(SOMEONE_ELSES, _I)
# Others telling of the failure, just before the card ("用户反馈 AMD 6800显卡部署出错" — users report
# …; "some users say the AMD RX 6800 card fails"): not this person's machine.
_OTHERS_TELL = lazy(r"(?:(?:用户|别人|有人|朋友|同事|他们|网友|群友)|\b(?:someone|somebody|users?|people|others|they|he|she)\b)"
                    r"[^\n。.!?？！]{0,20}$", _I)
# After the failure, in its sentence: another or a past machine ("… crashes were an issue on my old
# PC"), or the failure told as over or discussed elsewhere ("…报错的问题已经解决了/在 #123 已经讨论过了").
_ELSEWHERE = lazy(r"\b(?:on|in)\s+(?:my\s+|a\s+|an\s+|the\s+)?(?:old|previous|former|other|another|\w+'s)\s+(?:\w+\s+)?"
                  r"(?:pc|machine|computer|laptop|system|rig|box|desktop|server)\b|\bused\s+to\b|\bin\s+the\s+past\b"
                  r"|\b(?:solved|resolved|fixed|discussed)\b|以前|之前|旧电脑|已经?解决|解决了|讨论过", _I)
_PLURAL = lazy(r"(?:gpus|cards|graphics\s+cards|video\s+cards)\s*$", _I)
# A graphics word then an AMD or Intel model alone, no vendor word: "我的显卡是6700XT", "GPU: RX
# 6600", "graphics card: Arc A770" (NVIDIA's models are RTX/GTX; a 4-digit number with XT/XTX/GRE
# is AMD's naming).
_LABEL_MODEL = lazy(rf"(?:显卡|グラボ|그래픽\s*카드|\bgpu|\bgraphics\s+card|\bvideo\s+card)\s*{_IS}\s*(?:an?\s+)?"
                    rf"(?:{_L}RX\s?\d{{3,4}}(?:\s?XTX?)?{_R}|{_L}\d{{4}}\s?(?:XTX|XT|GRE){_R}|{_L}Arc\s+[AB]\d{{3}}M?{_R})", _I)
_LABELS = ("显卡", "グラボ", "그래픽", "gpu", "graphics card", "video card")
_MODEL_WORDS = ("rx", "xt", "gre", "arc ")


# "the NVIDIA card", "my nvidia gpu": NVIDIA hardware said without a model (NVIDIA_HW wants one),
# as this machine's ("the", "my", "our", "this"). "an NVIDIA GPU" is a kind, not a card: torch's
# own "Please check that you have an NVIDIA GPU", "it needs an NVIDIA GPU". "I don't have the
# NVIDIA card any more" denies it (_denied, the words before).
# Also a GeForce number people type bare ("my 3090", "the 4060"; NVIDIA's x0[5-9]0 numbers, which
# no AMD or Intel card has) and the Chinese words for an NVIDIA card after a possessive, a measure
# word or a switch ("我这边是3090", "另一张N卡", "换成了NVIDIA的卡"; N卡 is said as A卡 is).
_BARE_GEFORCE = r"(?<![A-Za-z0-9_.])[1-5]0[5-9]0(?:\s?ti|\s?super)?(?![A-Za-z0-9_.])"
_NVIDIA_SAID = lazy(r"\b(?:the|my|our|this)\s+nvidia\s+(?:card|gpu|graphics(?:\s+card)?|dgpu|discrete\s+gpu)\b"
                    rf"|\b(?:the|my|our|this)\s+(?:geforce\s+)?{_BARE_GEFORCE}"
                    r"|\b(?:the|my|our|this|a)\s+geforce\s+(?:card|gpu|graphics\s+card)\b"
                    # "是" only after the person or their machine: "CUDA是N卡阵营的" (CUDA is the NVIDIA camp's) is a kind
                    r"|(?:我的|我这|这张|那张|一张|另一张|张|块|换成了?|换了|用的是|用的|(?:我|显卡|电脑|机器)[^，。,.\s]{0,3}是)\s*"
                    rf"(?:N卡|(?:NVIDIA|英伟达)\s*的?\s*(?:显卡|卡|GPU)|{_BARE_GEFORCE})", _I)
_NVIDIA_NEEDLES = ("nvidia", "geforce", "n卡", "英伟达", "050", "060", "070", "080", "090")


# A card the machine had before: "之前用的3060" (the 3060 used before), "原来的N卡".
_PAST = lazy(r"(?:之前|以前|原来|曾经)\S{0,4}$")


def _nvidia_said(doc: Pasted) -> bool:
    lines = doc.lines
    for i in doc.lines_containing(*_NVIDIA_NEEDLES):
        for m in _NVIDIA_SAID.finditer(lines[i]):
            before = lines[i][max(0, m.start() - 60):m.start()]
            if not (_denied(before) or asked(lines[i], m.end()) or ASIDE.search(before[-40:]) or _PAST.search(before)):
                return True
    return False


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    # A hybrid machine's NVIDIA GPU, by model or in words ("CUDA runs on the NVIDIA card"): the
    # other vendor's is no evidence.
    vendor_lines = doc.lines_containing(*_NEEDLES)
    label_lines = sorted(set(doc.lines_containing(*_LABELS)) & set(doc.lines_containing(*_MODEL_WORDS)))
    if not (vendor_lines or label_lines):
        return f  # no other vendor's card named: the NVIDIA checks below (bare numbers) need not run
    if names_nvidia_hardware(doc) or _nvidia_said(doc):
        return f
    lines = doc.lines
    for i in vendor_lines:
        line = lines[i]
        for m in _VENDOR_GPU.finditer(line):
            said = m.group(0)
            before = line[max(0, m.start() - 60):m.start()]
            if (_CPU.search(said) or not (_MINE.search(before + said) or _fails_on_it(line, m, before))
                    or asked(line, m.end()) or (re.search(r"\bwith\s+$", before, _I) and _CPU.search(before[-50:]))
                    or ASIDE.search(line[max(0, m.start() - 40):m.start()]) or _denied(before)):
                continue
            return _claim(f, i, said)
    for i in label_lines:
        line = lines[i]
        for m in _LABEL_MODEL.finditer(line):
            before = line[max(0, m.start() - 60):m.start()]
            if (asked(line, m.end()) or _denied(before) or _CONDITION.search(before[-20:])
                    or ASIDE.search(line[max(0, m.start() - 40):m.start()])
                    or _ELSEWHERE.search(re.split(r"[\n。.!?？！]", line[m.end():m.end() + 120], 1)[0])):
                continue
            return _claim(f, i, m.group(0))
    return f


def _claim(f: Found, i: int, said: str) -> Found:
    f.set("pci.devices", (), i,
          detail=f"{STATED_DETAIL}: the GPU named is not NVIDIA's ({said.strip()}); other adapters may exist")
    return f


def _fails_on_it(line: str, m: "re.Match[str]", before: str) -> bool:
    """A failure said right after the named card, of that one card, not under a condition."""
    rest = re.split(r"[\n。.!?？！]", line[m.end():m.end() + 120], 1)[0]
    return bool(_FAILS_AFTER.search(line[m.end():m.end() + 40]) and not _PLURAL.search(m.group(0))
                and not _CONDITION.search(before[-20:]) and not _ELSES.search(before)
                and not _OTHERS_TELL.search(before[-40:]) and not _ELSEWHERE.search(rest))


_NOT = lazy(r"(?:\bnot|\bno|n't|不是|并非|没有|아니|ではない|\bkein)\W*(?:\w+\W+){0,2}$", _I)


def _denied(before: str) -> bool:
    return bool(_NOT.search(before[-25:]))
