"""Clocks or voltage a person set on their GPU themselves, in their words.

An overclock or an undervolt that passes games and benchmarks can still fail CUDA work: the
kernels die with "unspecified launch failure", "an illegal memory access/instruction was
encountered", the driver resets, the machine reboots; with stock settings the same program runs.
People retell the setting rather than paste it (no tool output people paste prints it: NVML's
``nvmlDeviceGetGpcClkVfOffset`` / ``nvmlDeviceGetMemClkVfOffset`` are read by nobody's
bug-report template):

* offsets: "Overclock: 100% power, +125 MHz core, +600 memory", "core +150, mem +1000",
  "memory clock offset of 1200";
* ``nvidia-settings`` attributes (NV-CONTROL, ``nvidia-settings -a``):
  ``[gpu:0]/GPUGraphicsClockOffset[3]=100``, ``GPUMemoryTransferRateOffsetAllPerformanceLevels=1000``;
* a mining tool's offset flags (T-Rex ``--mclock +1000``, ``--cclock +100``);
* the act itself: "I overclocked my 3080", "my overclock settings were too much", "the card is
  undervolted with MSI Afterburner", "显卡超频了", "オーバークロックしている", "오버클럭".

Not a card's model name ("RTX 2070 Super OC", "Gaming OC", "factory overclocked"), not clocks a
person lowered or locked to be safe (a power limit, ``nvidia-smi -lgc``), and not a denial, a
question, a condition, advice, or a setting said to be undone ("no overclock", "stock clocks",
"could overclocking cause this?", "if you overclock", "I reset my overclock").

Also (round 27) the person blaming their clock tool or settings for the failure ("were caused by...
MSI Afterburner and overclocking/underclocking settings", "my undervolt curve was the culprit"), the
setting undone with the failure gone ("installed the default MSI profile … and the problem
disappeared", "lowering the memory clock offset fixed it"; not an underclock of a stock card), and
the act in other languages (ru "разогнал", de "übertaktet", fr "overclocké", es/pt "tengo overclock",
tr "hız aşırtma", vi "ép xung"), with their denials.

Also (round 28) the setting undone in es/pt/fr/de ("quité el overclock y funciona", "j'ai retiré l'overclock
et ça marche"), clocks brought back to stock or reference with the errors gone, "it works" as the failure
gone, nvidia-settings' "memory transfer rate offset" in words, "I had OC on the memory", an act spelt
wrong beside an offset ("Memory Overclokced +930"). Clocks said above stock, tools raising them and
miners' offset options are read by ``clock_raised_prose`` (beside a GPU failure only).

Recorded as a note (``derived.clock_settings.CLOCKS_CHANGED`` starts it), the first such
sentence quoted; ``rules/clock_settings.py`` makes the "likely" finding.
"""

from __future__ import annotations

import re

from envcheck.derived.clock_settings import CLOCKS_CHANGED
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_DOMAIN = r"(?:core|mem(?:ory)?|vram)"
_SET = lazy(
    # "+125 MHz core", "+600 memory", "+150 on the core", "+100 MHz on the GPU"
    rf"(?<![\w.+])\+\s?\d{{2,4}}\s*(?:mhz\s+(?:on\s+(?:the\s+)?)?(?:{_DOMAIN}|gpu|graphics)|(?:on\s+(?:the\s+)?)?{_DOMAIN})\b"
    # "core +150", "mem clock: +1000", "gpu clock offset +100"
    rf"|\b(?:{_DOMAIN}|(?:gpu|graphics)\s+clocks?)(?:\s+clocks?)?(?:\s+offset)?\s*[:=]?\s*\+\s?\d{{2,4}}\b"
    # "memory clock offset of 1200", "core offset: -100"
    # (an unsigned offset only with "clock": "memory offset 4096" is an address within a buffer)
    rf"|\b(?:{_DOMAIN}|gpu|graphics)\s+clocks?\s+offset\s*(?:of\s+|to\s+|[:=]\s*)?[+-]?\s?[1-9]\d{{1,3}}\b"
    rf"|\b(?:{_DOMAIN}|gpu|graphics)\s+offset\s*(?:of\s+|to\s+|[:=]\s*)?[+-]\s?[1-9]\d{{1,3}}\b"
    # nvidia-settings' name in words (r28h): "set the memory transfer rate offset to 1000"
    r"|\b(?:memory\s+)?transfer\s+rate\s+offset\s*(?:of\s+|to\s+|[:=]\s*)?\+?\s?[1-9]\d{1,3}\b"
    # r28h: "I had OC on the memory", "we have an overclock applied"
    r"|\b(?:i|we)\s+(?:had|have|'ve)\s+(?:an?\s+)?(?:oc|overclock)\s+(?:on\s+(?:the\s+|my\s+)?(?:memory|mem|core|vram|gpu|card)|applied)\b"
    # nvidia-settings' NV-CONTROL attributes, set to something other than 0
    r"|\bGPU(?:GraphicsClock|MemoryTransferRate)Offset(?:AllPerformanceLevels)?(?:\[\d\])?\s*=\s*[+-]?\s?[1-9]\d*"
    # T-Rex's clock-offset options (t-rex --help: "--cclock", "--mclock"), as offsets
    r"|--[cm]clock\s*[= ]\s*\+\s?\d{2,4}"
    # a domain, the act (spelt any way) and an offset (r28h: "Memory Overclokced +930 Samsung", "Memory OC +930")
    r"|\b(?:memory|mem|core|vram|gpu)\s+(?:over-?cl\w+|oc)\s*[:=]?\s*\+\s?\d{2,4}\b"
    # the act: "I overclocked", "we've undervolted", "my overclock settings", "the card is undervolted"
    r"|\b(?:i|we)(?:'ve|\s+have|\s+had)?\s+(?:also\s+|just\s+|slightly\s+|heavily\s+)?(?:overclock(?:ed)?|undervolt(?:ed)?)\b"
    r"|\bmy\s+(?:gpu'?s?\s+|card'?s?\s+)?(?:overclock(?:ing)?|undervolt(?:ing)?|oc)(?:\s+(?:settings?|profile|curve))?\b"
    r"|\b(?:gpu|card|it)\s+(?:is|was|were|has\s+been)\s+(?:\w+\s+)?(?:overclocked|undervolted)\b"
    r"|\b(?:overclock(?:ing)?|oc)\s+settings?\b|\bundervolt(?:ed|ing)?\b"
    # a template row: "Overclock: +100 core" (not "Overclock: none")
    r"|^\s*[-*]?\s*(?:overclock(?:ing)?|oc)\s*:\s*(?!\s*(?:none|no|n/?a|stock|default|off|0|disabled|false|nope|nein|-+)(?!\w))\S"
    r"|超频|降压|欠压|オーバークロック|アンダーボルト|低電圧化|오버클럭|언더볼팅|언더볼트"
    # "overclocking/underclocking settings": both named as what the card runs with
    r"|\b(?:over|under)clock(?:ing)?\s*/\s*(?:over|under)clock(?:ing)?\s+(?:settings?|profiles?|curves?)\b"
    # The act in other languages (r27h): ru "разогнал видеокарту", "разгон", de "übertaktet", "Übertaktung",
    # fr "overclocké", "surcadencé", es/pt "hice overclock", "con overclock", "fiz overclock", tr "hız aşırtma",
    # vi "ép xung"
    r"|разогна\w*|разгон\w*|\bübertakt\w*|\boverclock[ée]e?s?\b|\bsurcadenc\w*"
    r"|\b(?:hice|hago|tengo|ten[ií]a|con|fiz|fa[çc]o|tenho|com|estava\s+com|est[áa]\s+con)\s+(?:un\s+|o\s+|el\s+)?overclock\b"
    r"|\bh[ıi]z\s+a[şs][ıi]rt\w*|\b[ée]p\s+xung\b", _I)
# The person blaming their own clock settings for the failure (r27h: Wan2GP#1846's "almost 99% of my
# CUDA_LAUNCH_BLOCKING=1 errors on my 4090 graphics card were caused by... MSI Afterburner and
# overclocking/underclocking settings"): a cause word, then within the clause the tool that sets clocks
# (MSI Afterburner, EVGA Precision X1, ASUS GPU Tweak, GreenWithEnvy, LACT) or the setting itself; or the
# setting first, then named the culprit. The _NOT words before it (a denial, "could", "if") still count.
_TOOLS = r"(?:msi\s+)?afterburner|precision\s+x1|gpu\s*tweak|greenwithenvy|\blact\b|overclock\w*|undervolt\w*|underclock\w*"
_BLAMED = lazy(
    rf"\b(?:(?:were|was|is|are|got|been)\s+)?(?:caused\s+by|due\s+to|because\s+of)\b(?:[^.!?;\n]|\.{{2,}}|…){{0,40}}?(?:{_TOOLS})"
    rf"|(?:{_TOOLS})(?:[^.!?;\n]){{0,40}}?\b(?:was|were|is|turned\s+out\s+to\s+be)\s+(?:the|to)\s+"
    r"(?:culprit|cause|problem|issue|blame|reason)\b", _I)
# The setting undone and the failure gone with it, in one sentence: "I simply installed the default MSI
# profile … and the problem disappeared", "after resetting the overclock it has not crashed", "lowering the
# memory clock offset fixed it". The undoing is the evidence that the changed clocks were the cause.
_UNDONE = lazy(r"\b(?:reset\w*|revert\w*|remov\w*|disabl\w*|undo\w*|undid|turn\w*\s+off|back\s+to|went\s+back)\b"
               r"[^.!?;\n]{0,40}?(?:\b(?:default|stock|original|factory)\s+(?:msi\s+|afterburner\s+)?(?:profile|clocks?|settings?|curve)"
               r"|\b(?:overclock\w*|undervolt\w*|oc|(?:clock\s+)?offsets?))\b"
               # lowering an offset or the overclock, not the clocks themselves (an underclock that steadies a
               # faulty card says nothing of a setting: lc0#1461 ended with a replaced board)
               r"|\b(?:lower\w*|reduc\w*|dropp\w*|decreas\w*)\b[^.!?;\n]{0,30}?\b(?:overclock\w*|oc|undervolt\w*|"
               r"(?:clock\s+)?offsets?)\b"
               # r28h: "lowering the memory clock back to stock", "brought the clocks back to default"
               r"|\b(?:lower\w*|reduc\w*|dropp\w*|bring\w*|brought|set\w*|put\w*)\s+(?:the\s+)?(?:memory\s+|core\s+|gpu\s+)?"
               r"clocks?\s+back\s+to\s+(?:stock|default|reference)\b"
               r"|\b(?:install\w*|load\w*|appl(?:y|ied|ying)|us(?:e|ed|ing))\s+(?:the\s+)?(?:default|stock|original|factory)\s+"
               r"(?:msi\s+|afterburner\s+)?(?:profile|clocks?|settings?|curve)\b"
               # r28h: "setting the card back to reference clocks fixed it", "put the clocks back to stock speeds"
               r"|\b(?:set\w*|put\w*|return\w*|brought|bring\w*)\s+(?:it|them|the\s+(?:card|gpu|clocks?|memory))?\s*(?:back\s+)?to\s+"
               r"(?:the\s+)?(?:default|stock|reference|factory|original)\s+(?:clocks?|speeds?|frequenc\w*|settings?)\b"
               # es/pt/fr/de (r28h): "quité el overclock", "tirei o overclock", "j'ai retiré l'overclock", "OC entfernt"
               r"|\b(?:quit[ée]|quitar|quitando|retir[ée]\w*|retirar|sacar|saqu[ée]|desactiv\w*|tirei|tirar|removi|remover|"
               r"desativ\w*|enlev\w*|supprim\w*|d[ée]sactiv\w*)\s+(?:el\s+|la\s+|o\s+|a\s+|l'|le\s+|mon\s+|mi\s+|meu\s+)?"
               r"(?:overclock\w*|oc|undervolt\w*)\b"
               r"|\b(?:overclock\w*|oc|übertaktung)\s+(?:\w+\s+)?(?:entfernt|deaktiviert|zurückgesetzt)\b", _I)
_GONE = lazy(r"\b(?:(?:fixed|solved|resolved)(?!\s+nothing)|disappear\w*|went\s+away|gone|stable|no\s+(?:more|longer)\b|"
             r"(?:has|have|had)n'?t\s+(?:crashed|failed)|works?\s+(?:fine|now|again)|worked)\b"
             # r28h: "it works", "everything runs", es/pt/fr/de "funciona", "funcionou", "ça marche", "läuft"
             r"|\b(?:it|everything|all)\s+(?:works|runs)\b(?!\s*n[o']t)|\bfuncion\w*|\bmarche\b|\bfonctionne\w*|\bl[äa]uft\b"
             r"|\bfunktioniert\b"
             r"|解决|好了|正常了|消失", _I)
# Advice, a question, a hedge or a denial in the sentence: nothing said about this machine.
_HEDGE = lazy(r"[?？]|\b(?:if|whether|could|would|should|might|may|maybe|perhaps|try|you|not|no|never|n't|didn'?t|"
              r"doesn'?t|still)\b", _I)
# A model name or a maker's own overclock: what the card is sold as, not what its owner set.
_FACTORY = lazy(r"\bfactory[\s-]+(?:over-?clock\w*|oc)\b|\boc\s+edition\b|\bgaming\s+oc\b|出厂超频|工厂超频", _I)
# A denial, a condition, advice, a question word, or the setting said undone, just before it.
_NOT = lazy(r"\b(?:no|not|never|without|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|isn'?t|wasn'?t|aren'?t|stock|default"
            r"|if|whether|could|would|should|might|maybe|perhaps|reset\w*|remov\w*|disabl\w*|revert\w*|undo\w*"
            r"|undid|back\s+to|avoid\w*|prevent\w*|recommend\w*|suggest\w*|try|tried)\b"
            r"|没有|没|不|未|如果|是否|建议|しない|していない|ない|않|없"
            # other languages' denials and conditions (r27h): de, fr, es, pt, tr, vi, ru
            r"|\b(?:nicht|kein\w*|ohne|wenn|pas|sans|si|sin|sem|n[ãa]o|se|de[ğg]il|kh[ôo]ng|n[ếe]u)\b|\b(?:не|без|если)\b", _I)
# After it: Japanese and Korean deny after the verb ("オーバークロックはしていません", "오버클럭은 하지
# 않았습니다"), and a setting told undone later in the sentence ("I had overclocked it but reverted to stock").
_NOT_AFTER = lazy(r"^[^.!?;。！？\n]{0,40}?(?:\b(?:revert\w*|reset|undid|undone|removed|disabled|back\s+to\s+(?:stock|default)"
                  r"|no\s+longer)\b|して(?:い)?ない|しない|していません|しません|ありません|なし|않|안\s*했|없)", _I)
# Every wording above holds one of these (case-folded): the cheap first look. An offset's "+" is
# everywhere (tables' borders, diffs), so a "+" line is read only when it also names a clock domain.
_WORDS = ("overcl", "undervolt", "offset", "my oc", "oc on", "oc applied", "oc setting", "oc:", "超频", "降压", "欠压", "オーバークロック",
          "アンダーボルト", "低電圧化", "오버클럭", "언더볼", "afterburner", "precision x1", "gpu tweak", "gputweak",
          "greenwithenvy", "lact", "underclock", "разогна", "разгон", "übertakt", "surcadenc", "aşırt", "asirt", "ép xung")
# The undone forms' "the default MSI profile" names no clock word: such a line is read only when it also
# names a profile, clocks or a curve, and tells the failure gone (cheap looks before the patterns: a log
# with "default" on every line costs nothing).
_DEFAULTS = ("default", "stock", "original", "factory", "reference")
_DEFAULT_TARGETS = ("profile", "clock", "curve", "setting", "speed", "frequenc")
_GONE_WORDS = ("fixed", "solved", "resolved", "disappear", "went away", "gone", "stable", "no more", "no longer",
               "n't crash", "n't fail", "not crash", "works", "worked", "runs", "funcion", "marche", "fonctionne", "läuft",
               "lauft", "funktioniert", "解决", "好了", "正常了", "消失")
_BLAME_WORDS = ("caused by", "due to", "because of", "culprit", "cause", "problem", "issue", "blame", "reason")
# The same looks as one alternation of literals each (a scan in C, not a loop in Python, over every line).
_LOOK_WORDS, _LOOK_DEFAULT_TARGETS, _LOOK_GONE, _LOOK_BLAME = (
    lazy("|".join(map(re.escape, words))) for words in (_WORDS, _DEFAULT_TARGETS, _GONE_WORDS, _BLAME_WORDS))
_DOMAINS = ("core", "mem", "vram", "clock")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing(*_WORDS, *_DEFAULTS, "+", ignorecase=True):
        line = lines[i]
        if len(line) > 400:
            continue  # a log line, not a person's sentence
        low = line.lower()
        worded = bool(_LOOK_WORDS.search(low))
        if not worded and not any(d in low for d in _DOMAINS) and not any(d in low for d in _DEFAULTS):
            continue  # a "+" alone: a table's border, a diff, a sum
        said = _blamed_or_undone(line) if (worded and _LOOK_BLAME.search(low)) or (_LOOK_GONE.search(low) and (
            worded or _LOOK_DEFAULT_TARGETS.search(low))) else None
        if said:
            f.note(f"{CLOCKS_CHANGED}“{said}” (line {i + 1})")
            return f
        if not worded and "+" not in line:
            continue  # read for the undone forms only (the wordings below all hold a word of _WORDS or a "+")
        for m in _SET.finditer(line):
            if _FACTORY.search(line[max(0, m.start() - 30):m.end() + 20]):
                continue
            before, after = line[max(0, m.start() - 40):m.start()], line[m.end():m.end() + 60]
            if _NOT.search(before + " " + m.group(0)) or re.search(r"[?？]|吗|ですか|나요", after) or _NOT_AFTER.search(after):
                continue
            said = " ".join(line.split())[:160]
            f.note(f"{CLOCKS_CHANGED}“{said}” (line {i + 1})")
            return f
    return f


def _blamed_or_undone(line: str):
    """The sentence of ``line`` that blames the clock settings (_BLAMED) or tells them undone with the
    failure gone (_UNDONE then _GONE), with no hedge, question or denial in it; else None."""
    for rx in (_BLAMED, _UNDONE):
        for m in rx.finditer(line):
            s = sentence_around(line, m.start(), m.end())
            if rx is _UNDONE and not (_GONE.search(line, m.end()) and _GONE.search(s)):
                continue
            plain = _GONE.sub(" ", s)  # the failure told over is the point here ("the errors are gone")
            if _HEDGE.search(plain) or _FACTORY.search(s) or not_here_now(plain, 0, len(plain)):
                continue
            return " ".join(s.split())[:160]
    return None
