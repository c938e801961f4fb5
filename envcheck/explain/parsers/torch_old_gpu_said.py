"""The person saying their GPU is old, beside a "no kernel image" the text does not pin on a GPU:
"I certainly understand this is an older GPU", "my card is quite old", "I'm using an old GPU",
"the GPU is too old"; Chinese "显卡比较老" / "老显卡", Japanese "古いGPU" / "グラボが古い", Korean
"오래된 그래픽카드", Russian "старая видеокарта", Spanish "tarjeta gráfica antigua", Portuguese "placa
de vídeo antiga", German "ältere Grafikkarte" / "die Karte ist alt", French "vieille carte graphique".

"no kernel image is available for execution on the device" (cudaErrorNoKernelImageForDevice) means
the build has no code for the GPU's architecture, either way: a GPU newer than the build, or one
older than every architecture it still carries (a Pascal GTX 1070 under a CUDA 12.8 wheel, which
starts at sm_70/sm_75). With no GPU named, ``rules/compat.py`` takes the commoner way (a new GPU)
unless the build's list rules it out; the person's own word that the GPU is old tells the other.
Recorded as a note (``derived.torch_arch_said.OLD_GPU_SAID``), the sentence quoted: the rule's
finding is "likely".

Only the GPU in this machine now: the GPU or card as the subject ("my GPU is old") or named after
"this is / I have / I'm using an old …"; not drivers ("older GPU drivers"), GPUs in general ("older
GPUs are dropped"), a question ("is my GPU too old?"), a denial ("it's not that old"), advice or a
condition ("if your GPU is old …"), another machine, nor a sentence that sets an old card against a
new one ("my old card worked, the new RTX 5090 doesn't": the old one is gone). Read only where a
"no kernel image"-like line is in the text (the note says nothing without one).
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.torch_arch_said import OLD_GPU_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# (not a bare "architecture" or "generation": "this is an old architecture" is as often a model's)
_GPU_WORD = r"(?:gpu|card|graphics\s+card|video\s+card|graphics\s+board|nvidia\s+card|geforce|gtx|quadro|tesla)"
# "quite", "a bit", and "quite an" / "rather an" (the article after the degree: "it's quite an old card")
_DEGREE = r"(?:(?:quite|very|pretty|rather|really|somewhat|fairly|kind\s+of|a\s+bit|a\s+little|too|so)\s+(?:an?\s+)?)?"
# not a comparison ("the GPU is older than the CPU")
_OLD = r"(?:old|older|ancient|legacy|outdated|dated|aging|ageing)(?:[- ]gen(?:eration)?)?(?!\s+than\b)"
_SAID = lazy(
    # "my GPU is old", "the card is quite old", "my graphics card is too old"
    rf"\b(?:my|the|this|our)\s+(?:(?:nvidia|geforce)\s+)?{_GPU_WORD}\s+(?:is|'s|’s|was)\s+(?:(?:an?)\s+)?{_DEGREE}{_OLD}\b"
    # "this is an older GPU", "it's a pretty old card", "mine is an ancient GeForce"
    rf"|\b(?:this|it|that|mine)\s*(?:is|'s|’s)\s+(?:an?\s+)?{_DEGREE}{_OLD}\s+(?:(?:nvidia|geforce)\s+)?{_GPU_WORD}\b"
    # "I have an old GPU", "I'm using an older card", "running on an old GPU"
    # (a bare "on my old GPU" is as often the one before: "it worked fine on my old GPU")
    rf"|\b(?:i\s+have|i'?ve\s+got|i(?:\s+am|'m|’m)\s+(?:using|running)|i\s+use|i\s+run)\s+"
    rf"(?:an?|this|my)\s+{_DEGREE}{_OLD}\s+(?:(?:nvidia|geforce)\s+)?{_GPU_WORD}\b(?!\s*drivers?\b)"
    rf"|\b(?:i(?:\s+am|'m|’m)\s+on|running\s+on|on)\s+"
    rf"(?:an?|this)\s+{_DEGREE}{_OLD}\s+(?:(?:nvidia|geforce)\s+)?{_GPU_WORD}\b(?!\s*drivers?\b)"
    # Chinese (simplified and traditional), Japanese, Korean
    r"|(?:显卡|顯卡|GPU)\s*(?:比较|比較|太|很|有点|有點|已经|已經|较|較|偏)?\s*(?:老|旧|舊)|(?:老|旧|舊)(?:的)?(?:显卡|顯卡)"
    r"|古い\s*(?:GPU|グラボ|グラフィック(?:ス)?ボード|ビデオカード)|(?:GPU|グラボ|グラフィックボード|ビデオカード)\s*(?:が|は)\s*"
    r"(?:かなり|少し|ちょっと|結構)?\s*古い"
    r"|오래된\s*(?:GPU|그래픽\s*카드|글카)|(?:GPU|그래픽\s*카드|글카)\s*(?:가|는|이)?\s*(?:좀|많이|너무)?\s*오래"
    # Russian, Spanish, Portuguese, German, French
    r"|\bстар(?:ая|ой|ую|енькая|енькой)\s+(?:видеокарт\w*|GPU|карт\w*)|\b(?:видеокарта|GPU|карта)\s+(?:у\s+меня\s+)?(?:уже\s+)?"
    r"(?:довольно\s+|очень\s+|слишком\s+)?стар\w*"
    r"|\b(?:GPU|tarjeta\s+gr[aá]fica|tarjeta\s+de\s+v[ií]deo)\s+(?:es\s+)?(?:muy\s+|bastante\s+|un\s+poco\s+)?(?:antigua|vieja)\b"
    r"|\b(?:antigua|vieja)\s+(?:GPU|tarjeta)\b"
    r"|\b(?:GPU|placa\s+de\s+v[ií]deo)\s+(?:é\s+)?(?:muito\s+|bem\s+|meio\s+)?(?:antiga|velha)\b|\b(?:antiga|velha)\s+(?:GPU|placa)\b"
    r"|\b(?:alte|ältere|alten|älteren)\s+(?:GPU|Grafikkarte|Karte|Nvidia-Karte)\b"
    r"|\b(?:GPU|Grafikkarte|Karte)\s+ist\s+(?:schon\s+|sehr\s+|ziemlich\s+|etwas\s+|zu\s+)*alt\b"
    r"|\b(?:vieille|ancienne)\s+(?:carte|GPU)\b|\bvieux\s+GPU\b"
    r"|\b(?:GPU|carte\s+graphique)\s+(?:est\s+)?(?:assez\s+|très\s+|un\s+peu\s+|trop\s+)?(?:ancienne|vieille|ancien|vieux)\b", _I)
# Words no match can miss (the cheap look before the pattern), each as the word starts: " old" not
# "folder", " dated" not "updated", " aging" not "packaging", " alte" not "default".
_NEEDLES = (" old", "old ", "older", "legacy", "ancient", "outdated", " dated", " aging", " ageing", "老", "旧", "舊", "古い",
            "오래", "стар", "antig", "viej", "velh", " alt", "ält", "vieil", "ancien", "vieux")
# A "no kernel image"-like line: CUDA's cudaErrorNoKernelImageForDevice in its forms, and the
# kernel lookups' "invalid device function" (the catalogued NO_KERNEL messages' words).
_NO_KERNEL_NEEDLES = ("kernel image", "NoKernelImage", "NO_BINARY_FOR_GPU", "no binary for gpu", "invalid device function")
# Denied just before the words: "it's not that old", "my GPU isn't old", "不是老显卡".
_DENIED = lazy(r"(?:\bnot|n't|\bnever|\bno)\s+(?:(?:that|so|very|really|an?)\s+)?$|(?:不是|并不|並不|没有|沒有)\s*$", _I)
# The old card set against a new one, or gone: "my old card worked, the new one …", "I replaced my old GPU".
_CONTRAST = lazy(r"\bnew(?:er)?\s+(?:\w+\s+){0,2}?(?:gpu|card|one)\b|\breplac\w*|\bswapp?\w*|\bprevious\b|\bformer\b"
                 r"|\bsold\b|\bupgrad(?:ed|ing|e)\b|\b(?:moved|moving|switched|switching)\s+(?:over\s+)?from\b|\bused\s+to\b"
                 r"|换了|換了|换成|換成|更换|更換|升级|升級|新显卡|新顯卡|以前|之前|原来|原來"
                 # the age set aside: "my GPU is old but that is not the problem"
                 r"|\bnot\s+(?:the|my|our)\s+(?:problem|issue|cause)\b|\bisn'?t\s+the\s+(?:problem|issue|cause)\b"
                 # a condition or a question to come: "will I get … on an old GPU if I upgrade?"
                 r"|\bif\b(?!\s+(?:that|it)\s+(?:matters|helps))|\bwhether\b|\bunless\b|\bwill\s+i\b|\bwould\b"
                 # a recent generation named beside "old": "my GPU is old-ish (Ampere)": the wheels carry it
                 r"|\b(?:turing|ampere|ada\s+lovelace|lovelace|hopper|blackwell)\b", _I)


def _said(line: str) -> Optional[re.Match]:
    if len(line) > 600:
        return None  # a log line or a dump, not a person's sentence
    for m in _SAID.finditer(line):
        if _DENIED.search(line[max(0, m.start() - 30):m.start()]):
            continue
        sentence = sentence_around(line, m.start(), m.end())
        if _CONTRAST.search(sentence) or asked(line, m.end(), clause=False):
            continue
        if general_statement(line, m.start(), m.end()) or not_here_now(line, m.start(), m.end()):
            continue
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing(*_NO_KERNEL_NEEDLES, ignorecase=True):
        return f
    hit = doc.first(_said, *_NEEDLES, ignorecase=True)
    if hit is not None:
        i, m = hit
        f.note(f"{OLD_GPU_SAID}“{' '.join(m.group(0).split())[:120]}” (line {i + 1})")
    return f
