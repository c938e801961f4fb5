"""A person saying a named CUDA library file is missing, in their own words (any language):

* "Calling cuDNN failed, cannot find 「cudnn64_5.dll」", "it can't find cublas64_11.dll",
  "cudnn_ops_infer64_8.dll is missing", "libcudnn.so.8 not found", "Failed to load libcudnn_cnn_infer.so.8",
  "无法加载 cudnn64_8.dll", "cudnn64_8.dll を読み込めません" (a load said to fail, the verb right
  before or right after the file);
* "找不到 cudnn64_8.dll", "缺少 cublasLt64_12.dll", "cudnn64_8.dll が見つかりません",
  "cudnn64_8.dll 을 찾을 수 없습니다", "не найден cudnn64_8.dll", "no se encuentra cudnn64_8.dll",
  "cudnn64_8.dll não foi encontrado".

The file must be one of NVIDIA's CUDA libraries (``rules/libraries.family``: cuDNN, cuBLAS, the
runtime, cuFFT, NCCL …; not the driver's nvcuda.dll, not the C++ runtime, not zlibwapi.dll).
A line a catalogued message already reads (the loader's own "cannot open shared object file",
TensorFlow's "dlerror: cudart64_110.dll not found", cuDNN's "Could not locate …") is the tool's
words, not the person's, and is left to it. No claim from a denial ("cudnn64_8.dll is not
missing", "the file exists"), a question ("is cudnn64_8.dll missing?"), or a failure said to be
over ("… was missing, after copying it, it works"). A question is the clause's own (clauses end at
commas): "报错说找不到cudnn64_8.dll, …, GPU版本默认找cudnn-8+吗？" claims the file missing and then
asks about something else; a denial or a fix anywhere in the sentence still ends the claim. A line a
message matched is left to the message only when the message itself names the file: the person's
"…initialization error, …, file not found "libcublas.so.11"" is theirs, whatever else matched there.

Recorded as a note (``derived.library_said.LIBRARY_SAID_MISSING`` starts it), the first such
sentence quoted; ``rules/library_dialogs.py`` makes the "likely" finding.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from envcheck.derived.library_said import LIBRARY_SAID_MISSING
from envcheck.explain.parsers.library_prose_forms import LIBRARY_FILE as _FILE
from envcheck.explain.parsers.library_prose_forms import family_said_missing, wanted_not_had
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import ANOTHER_MACHINE
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# The families' stems (rules/libraries._FAMILIES): the cheap first look, case-folded.
_STEMS = ("cudnn", "cublas", "cudart", "cufft", "curand", "cusolver", "cusparse", "nvrtc", "nvjitlink", "nccl")
# The person's word for "not there", in the sentence with the file.
_MISSING = lazy(r"\b(?:not\s+(?:be\s+)?found|cannot\s+(?:be\s+)?found|can(?:no|')t\s+find|could(?:\s+not|n't)\s+find"
                r"|unable\s+to\s+find|(?:is|are|was|were|seems?)\s+(?:still\s+)?missing|missing|lacks?|no\s+such\s+file"
                r"|does(?:\s+not|n't)\s+exist|not\s+exist|lost(?:\s+of)?"
                # "'libnvrtc.so.10.1' can not be loaded": a load failure, read as missing only where the line
                # names no other reason (_OTHER_REASON)
                r"|can(?:not|'t|\s+not)\s+be\s+loaded|could(?:\s+not|n't)\s+be\s+loaded)\b"
                r"|找不到|缺少|缺失|没有找到|未找到|丢失|見つかりません|見つからない|찾을\s*수\s*없|누락"
                r"|не\s+найден|не\s+удал[оа]сь\s+найти|не\s+удается\s+найти|отсутству"
                r"|no\s+se\s+(?:encuentra|encontr[óo])|no\s+encontrad|não\s+(?:foi\s+)?encontrad|não\s+encontra"
                r"|est[áa]\s+faltando|\bfalta\b"
                r"|introuvable|\bn'(?:a|ont)\s+pas\s+(?:été\s+)?trouvée?s?|\bpas\s+trouvée?s?|\bmanquante?s?\b"
                r"|nicht\s+gefunden|\bfehl(?:t|en|ende)\b|bulunamad[ıi]|bulunamıyor|eksik\b|không\s+tìm\s+thấy|bị\s+thiếu", _I)
# A load of the file said to fail, the verb right before it ("Failed to load libcudnn_cnn_infer.so.8",
# "unable to load library cublasLt64_12.dll", "无法加载 cudnn64_8.dll"): a load failure, read as missing
# only where the sentence names no other reason (_OTHER_REASON). Right before the file only: "could not load
# the model, libcudnn.so.8 is there" says nothing of the file.
_LOAD_BEFORE = lazy(r"(?:\b(?:failed|fails|unable)\s+to\s+(?:load|open|dlopen)|\bcan(?:no|')t\s+(?:load|open)"
                    r"|\bcould(?:\s+not|n't)\s+(?:load|open)|无法加载|加载失败|不能加载|無法載入|を読み込めません"
                    r"|не\s+удалось\s+загрузить|no\s+se\s+pudo\s+cargar|não\s+foi\s+possível\s+carregar"
                    r"|impossible\s+de\s+charger)\s*[:：]?\s*(?:the\s+)?(?:(?:dynamic\s+)?library\s+|dll\s+)?['\"“「]?$", _I)
# The same said after the file, in the languages that put the verb last ("cudnn64_8.dll を読み込めません",
# "cudnn64_8.dll 을 로드할 수 없습니다", "libcudnn.so.8 konnte nicht geladen werden", "… failed to load").
_LOAD_AFTER = lazy(r"^\s*['\"”」]?\s*(?:(?:を|が)\s*(?:読み込めません|読み込めない|ロードできません)|(?:을|를|이|가)?\s*(?:로드할|불러올)\s*수\s*없"
                   r"|konnte\s+nicht\s+geladen|no\s+se\s+pudo\s+cargar|não\s+(?:pôde|foi\s+possível)\s+(?:ser\s+)?carregad"
                   r"|(?:failed|fails)\s+to\s+load|加载失败|无法加载)", _I)
# A denial, a question, a fix that ended it, or a check that found the file: no claim.
_NOT = lazy(r"\b(?:not\s+missing|isn't\s+missing|is\s+not\s+missing|not\s+lost|n't\s+lost|no\s+longer|anymore|(?<!not\s)(?<!n't\s)exists?|is\s+there|are\s+there"
            r"|is\s+present|are\s+present|i\s+(?:can\s+)?see\s+it|(?:fix|fixe[ds]|solved|resolved)\b|works?\s+now"
            r"|now\s+works?|working\s+now|now\s+(?:it\s+|everything\s+)?(?:loads?|runs?|works?)|(?:loads?|runs?|works?)\s+(?:fine|again)"
            r"|if|whether|should|might|maybe|previously|earlier|used\s+to|at\s+first"
            # a fix that ended it, told after "until" ("could not load cudnn64_8.dll until I added it to PATH"; review of round 28)
            r"|until\s+(?:i|we)\b)\b"
            r"|解决|好了|存在|已修复|之前|以前|解決|以前は|있습니다|해결|есть|решен|раньше|resuelto|resolvid|(?:ya|ahora|agora)\s+funciona|\bantes\b"
            r"|\b(?:fehlt\s+nicht|nicht\s+fehlt|vorhanden|existiert|gelöst|behoben|funktioniert\s+(?:jetzt|wieder)|vorher|früher|falls"
            r"|résolu|réglée?|fonctionne\s+(?:maintenant|à\s+nouveau)|tout\s+fonctionne|présente?|était|auparavant|\bsi\b"
            r"|çözüldü|mevcut|artık|đã\s+(?:sửa|giải\s+quyết)|hoạt\s+động\s+(?:bình\s+thường|lại))\b"
            # round 26 review: a fix said in other words ("all good now"), a warning said harmless, a
            # general remark ("a common problem"), a working setup ("works great"), a condition in de/ru/vi/tr
            r"|\b(?:all\s+good|(?:good|fine|ok(?:ay)?)\s+now|harmless|can\s+be\s+(?:safely\s+)?ignored"
            r"|(?:a\s+)?common\s+(?:problem|issue|error|cause)|known\s+issue|works?\s+(?:great|well|perfectly)"
            r"|wenn|если|nếu|eğer"
            # the machine said to work in the same breath ("but torch works because the wheel ships its own",
            # "everything works", "so it's fine", "no problem")
            r"|everything\s+works|(?:so\s+)?(?:it|that)'?s\s+fine|no\s+problem|works\s+because"
            r"|(?:but|and)\s+(?:\w+\s+)?works\b(?!\s+(?:only|on\s+(?:the\s+)?cpu))"
            r")\b", _I)
# Anywhere on the line, past the sentence: the miss said expected, on purpose, harmless, not needed or
# simulated ("…; this is expected without the toolkit", "it's only needed for multi-GPU").
_EXPECTED = lazy(r"\b(?:(?:is|as|was)\s+expected|that'?s\s+expected|on\s+purpose|intentional\w*|harmless"
                 r"|can\s+be\s+(?:safely\s+)?ignored|only\s+needed\s+for|(?:is|are)\s*n[o']?t\s+needed|simulat\w*)\b", _I)
# A library that is there but does not load for another reason: a symbol, a version, another copy,
# an architecture, a permission ("could not be loaded: undefined symbol …", "… wrong ELF class").
_OTHER_REASON = lazy(r"symbol|version\s+`|incompatible|mismatch|wrong\s+(?:elf|version|architecture)|elf\s+class"
                     r"|permission|corrupt|not\s+a\s+valid|%1\s+is\s+not"
                     # round 26 review: "… because it was built for aarch64", "…: access denied"
                     r"|built\s+for|access\s+(?:is\s+)?denied", _I)
# Another machine or another person's ("on the other server", "on my colleague's machine") or machines in
# general: no claim here (round 26 review).
_ELSEWHERE = lazy(ANOTHER_MACHINE + r"|\b(?:friend|colleague|co-?worker|roommate)'?s\s"
                  # machines in general ("… cannot be loaded on CUDA 12 machines"): a remark, not this one
                  r"|\bon\s+(?:[\w.-]+\s+){0,3}(?:machines|systems|hosts|computers)\b", _I)
# A question, read in the clause that names the file (a question mark, 吗, ですか, an English yes/no
# question's verb and subject: "is cudnn64_8.dll missing", "could it be"; not "Could not find …",
# "Can't find …", "Was getting …"): "is cudnn64_8.dll missing?" is no claim, "… not found, how do I fix it?" is.
_ASKED = lazy(r"[?？]|吗|ですか|^\s*(?:is|are|does|do|can|could)\s+(?:it|this|that|there|the|a|an|my|your|i|you|we|they"
              r"|[\w-]+\.(?:dll|so[\d.]*))\b", _I)
# A clause inside a sentence: up to a comma (ASCII, full-width, ideographic).
_CLAUSE = lazy(r"[^,，、]+")
# A program's log line (a level, a timestamp, glog's "W0512", "NAME:" of a tool), or a probe that goes
# on ("falling back", "searching", "trying"): a tool's words, often harmless, not the person's.
_LOG = lazy(r"^\s*(?:\[?\d{4}-\d\d-\d\d|\[?\d\d:\d\d:\d\d|\[?[WIEDF]\d{4}\b|\[?(?:WARN(?:ING)?|INFO|DEBUG|ERROR|TRACE|FATAL)\b"
            r"|[A-Z][A-Z_]{2,}\s*:)|(?i:\bfall(?:ing)?\s*back\b|,\s*(?:searching|trying|skipping|ignoring|using)\b"
            r"|\b(?:will\s+use|optional)\b)")
# One sentence: split at . ! ; and the CJK stops, not at a dot inside a file name ("cudnn64_8.dll").
_SENTENCE = lazy(r"(?:[^.!;。！；\n]|\.(?=\S))+[.!;。！；]?")


def _said_missing(line: str) -> Optional[Tuple[str, str]]:
    """(the CUDA library file, the sentence) of the first sentence on ``line`` saying the file is
    missing and not denying it; None otherwise (read once per distinct line: Pasted.where)."""
    if len(line) > 400 or _LOG.search(line):
        return None  # a log line, not a person's sentence
    if _EXPECTED.search(line):
        return None
    for s in _SENTENCE.findall(line):
        m = _FILE.search(s)
        if m is None or not (_MISSING.search(s) or _LOAD_BEFORE.search(s[:m.start()]) or _LOAD_AFTER.search(s[m.end():])) \
                or _NOT.search(s) \
                or _OTHER_REASON.search(s) or _ELSEWHERE.search(s):
            continue
        clause = next((c for c in _CLAUSE.findall(s) if m.group(0) in c), s)
        if _ASKED.search(clause) or (clause != s and not _MISSING.search(clause) and _ASKED.search(s)):
            continue
        return m.group(0), s.strip()
    return None


def _said_otherwise(line: str) -> Optional[Tuple[str, str]]:
    """The looser forms (``library_prose_forms``): the program wants one file and the person has
    another major, or the library named by its family; same log-line guard."""
    if len(line) > 400 or _LOG.search(line) or _ELSEWHERE.search(line) or _EXPECTED.search(line):
        return None
    return wanted_not_had(line, _MISSING, _NOT, _ASKED) or family_said_missing(line, _MISSING, _NOT, _ASKED, _CLAUSE)


def _tool_lines(doc: Pasted) -> Dict[int, str]:
    """Line index -> the text of the catalogued messages on it, lowercased."""
    out: Dict[int, str] = {}
    for m in doc.messages:
        for k in range(m.line - 1, m.line + m.text.count("\n")):
            out[k] = out.get(k, "") + "\n" + m.text.lower()
    return out


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    tool_lines: Optional[Dict[int, str]] = None
    for reader in (_said_missing, _said_otherwise):
        for i, (name, s) in doc.where(reader, *_STEMS, ignorecase=True):
            tool_lines = _tool_lines(doc) if tool_lines is None else tool_lines
            if name.lower() in tool_lines.get(i, ""):
                continue  # a loader's or a library's own message naming it: read from messages.toml
            f.note(f"{LIBRARY_SAID_MISSING}{name} — “{' '.join(s.split())[:160]}” (line {i + 1})")
            return f
    return f
