"""A CPU-only torch told in Russian, Portuguese, Turkish or Vietnamese, the languages
``torch_build_prose`` (English, Spanish, German, French, Chinese, Japanese, Korean) does not read:

* Russian: "Был поставлен torch без поддержки cuda" (a torch without CUDA support had been
  installed), "стояла CPU-версия torch" (the CPU version of torch was there);
* Portuguese: "estava instalada a versão CPU do torch" (the CPU version of torch was installed),
  "o pytorch foi instalado sem suporte a CUDA";
* Turkish: "torch'un CPU sürümü yüklüydü" (torch's CPU version was installed), "CUDA desteği
  olmayan torch kuruldu" (a torch without CUDA support got installed);
* Vietnamese: "tôi đã cài nhầm bản torch CPU" (I installed the CPU torch by mistake), "bản CPU
  của pytorch đã được cài" (the CPU version of pytorch was installed).

Not a program's message: a person's words. As in ``torch_build_prose``, the sentence must name
torch and the build (CPU / without CUDA) and say it got onto the machine (an install word, or
"was there": стояла, yüklüydü); not deny it (не, não, değil / a negated verb, không / chưa before
the build), not ask ("?"), not choose it on purpose (намеренно, de propósito, bilerek, cố ý), and
not be about another framework's build. A claim (rank ``OUTCOME``); findings on it are "likely".
"""

from __future__ import annotations

import re

from envcheck.explain.parsers.torch_build_prose import other_frameworks
from envcheck.explain.partial import OUTCOME, STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked, clause_start, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE
_T = r"(?:py)?torch"

# The build named: CPU version of torch / torch without CUDA, per language.
_BUILD = lazy(
    # Russian: "CPU-версия torch", "версия torch для CPU", "torch без (поддержки) cuda", "torch только для CPU"
    rf"\bcpu[- ]?верси\w*\s+(?:\w+\s+)?{_T}\b|\bверси\w*\s+{_T}\s+(?:только\s+)?для\s+cpu\b"
    rf"|\b{_T}\s+(?:\w+\s+){{0,2}}?без\s+(?:поддержки\s+)?(?:cuda|gpu)\b|\b{_T}\s+(?:только\s+)?для\s+cpu\b"
    # Portuguese: "versão CPU do torch", "torch sem (suporte a) CUDA", "torch (versão) para CPU"
    rf"|\bvers[ãa]o\s+(?:para\s+|de\s+)?(?:s[oó]\s+)?cpu\s+(?:do|de|da)\s+{_T}\b"
    rf"|\b{_T}\s+(?:\w+\s+){{0,2}}?sem\s+(?:suporte\s+(?:a|à|para)\s+)?(?:cuda|gpu)\b|\b{_T}\s+(?:vers[ãa]o\s+)?(?:s[oó]\s+)?para\s+cpu\b"
    # Turkish: "torch'un CPU sürümü", "CPU sürümü torch", "CUDA desteği olmayan torch", "torch CUDA desteksiz"
    rf"|\b{_T}(?:'?(?:un|ün|in|ın|nin|nın))?\s+cpu\s+(?:s[üu]r[üu]m|versiyon)\w*|\bcpu\s+(?:s[üu]r[üu]m|versiyon)\w*\s+{_T}\b"
    rf"|\bcuda\s+deste[ğg]i\s+olmayan\s+(?:\w+\s+)?{_T}\b|\b{_T}\w*\s+cuda\s+desteksiz\b"
    # Vietnamese: "bản torch CPU", "bản CPU của pytorch", "torch không (có) (hỗ trợ) cuda", "torch chỉ cho CPU"
    rf"|(?:bản|phiên\s+bản)\s+{_T}\s+(?:cho\s+)?(?:chỉ\s+)?cpu\b|(?:bản|phiên\s+bản)\s+cpu\s+(?:của\s+)?{_T}\b"
    rf"|\b{_T}\s+không\s+(?:có\s+)?(?:hỗ\s+trợ\s+)?cuda\b|\b{_T}\s+(?:bản\s+)?chỉ\s+(?:cho|dùng)\s+cpu\b", _I)
# It got onto the machine, or was there.
_HAPPENED = lazy(
    r"поставлен\w*|постави\w*|постав\w*|установ\w*|стоял\w*|\bстоит\b|скача\w*|встал\w*"
    r"|\binstal\w*|\bbaix\w*|\bveio\b"
    r"|y[üu]kl[üu]\w*|y[üu]klen\w*|kurul\w*|kurdu\w*|indiril\w*"
    r"|\bcài\b|\btải\b", _I)
# Denied before the build in its clause ("не", "não", "không", "chưa"), or a Turkish negated verb /
# "değil" after it in its sentence ("yüklenmedi", "kurulmadı", "yüklü değil").
_DENIED_BEFORE = lazy(r"\bне\b|\bнет\b|\bn[ãa]o\b|\bnunca\b|\bkhông\b|\bchưa\b", _I)
_DENIED_AFTER = lazy(r"\b\w+(?:med[iı]|mad[iı]|miyor|m[ıi]yor|mıyor|muyor|müyor)\b|\bdeğil\b|\bне\s+(?:был|была|было|стоял\w*|постав\w*|установ\w*)", _I)
_CHOSEN = lazy(r"намеренно|специально|нарочно|\bde\s+prop[óo]sito\b|\bpropositalmente\b|\bintencionalmente\b"
               r"|\bbilerek\b|\bkas[ıi]tl[ıi]\b|\bbilin[çc]li\b|\bcố\s+ý\b"
               # for CI, or to save time / space, as torch_build_prose's _CHOSEN (review of round 26):
               # "в CI", "no CI", "CI'da", "trong CI"; "чтобы сэкономить", "para economizar", "tasarruf", "tiết kiệm"
               r"|(?:\b(?:в|для|no|na|em|para\s+o|trong|cho)\s+)ci\b|\bci['’]?(?:da|de|ta|te)\b"
               r"|сэконом\w*|экономи\w*|\beconomiz\w*|\bpoupar\b|tasarruf\w*|tiết\s+kiệm", _I)
_IF = lazy(r"\b(?:если|se|eğer|nếu)\b[^.;!?]*$", _I)
# Advice or a plan, not what happened: "нужно поставить …" (one must install), "você deve instalar …",
# "… kurmanız gerekiyor", "bạn nên cài …".
_ADVICE = lazy(r"\b(?:нужно|надо|следует|можно|попробуй\w*|precisa\w*|dev(?:e|em|ia)|tente|pode|gerek\w*|laz[ıi]m|dene\w*"
               r"|cần|nên|hãy|thử)\b", _I)


# Words of these languages written without their accents.
_ASCII_WORDS = ("sem ", "para cpu", "versao", "surum", "desteksiz", "destegi", "kurul", "yuklu", "yuklen", "ban ")


def _said(line: str) -> bool:
    for m in _BUILD.finditer(line):
        sentence = sentence_around(line, m.start(), m.end())
        cs = clause_start(line, m.start(), ",;.!?")
        if not _HAPPENED.search(sentence):
            continue
        if (_DENIED_BEFORE.search(line, cs, m.start()) or _DENIED_AFTER.search(sentence[sentence.find(m.group()):])
                or asked(line, m.end(), clause=False) or _CHOSEN.search(sentence) or _ADVICE.search(sentence)
                or _IF.search(line, cs, m.start())
                or not_here_now(line, m.start(), m.end(), people=False)
                or other_frameworks(sentence, line, m.start(), m.end())):
            continue
        return True
    return False


def _one_of_these_languages(line: str) -> bool:
    """``line`` names torch and a build, in one of these languages, and says the CPU build got there.
    A log line or English (torch_build_prose's) unless a word of these languages is in it."""
    if len(line) > 600:
        return False
    low = line.lower()
    if "torch" not in low or not ("cpu" in low or "cuda" in low or "gpu" in low):
        return False
    if line.isascii() and not any(w in low for w in _ASCII_WORDS):
        return False
    return _said(line)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    # each distinct line tested once, in order, up to the first that says it
    hit = doc.first(_one_of_these_languages, "torch")
    if hit is not None:
        i, _ = hit
        line = doc.lines[i]
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=OUTCOME,
               detail=f"{STATED_DETAIL}: CPU-only build ({line.strip()[:200]})")
        f.set("torch.installed", True, i)
    return f
