"""A person saying cuDNN's zlib DLL (zlibwapi.dll) is missing, in their own words (any language):
"提示zlibwapi.dll找不到", "必要な動的ライブラリ(`zlibwapi.dll`)が不足してしまい", "zlibwapi.dll is
missing", "it can't find zlibwapi.dll", "не найден zlibwapi.dll", "falta zlibwapi.dll".

cuDNN's own words ("Could not locate zlibwapi.dll. Please make sure it is in your library path!")
are read from messages.toml (``cudnn_zlibwapi_not_located``); a line they match is left to them.
No claim from a denial ("zlibwapi.dll is there", "not missing"), a question ("do I need
zlibwapi.dll?", "is zlibwapi.dll missing?"), a fix that ended it ("after copying zlibwapi.dll it
works"), or advice ("you may need zlibwapi.dll"). Recorded as a note
(``derived.codec_deps_said.ZLIB_SAID_MISSING``); ``rules/codec_deps.py`` makes the "likely" finding.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.codec_deps_said import ZLIB_SAID_MISSING
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import ANOTHER_MACHINE
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# The DLL cuDNN 8.3-8.9 load on Windows (NVIDIA cuDNN Installation Guide, "Installing Zlib"), with or
# without its extension; CJK text runs into it without a space.
_FILE = lazy(r"(?<![A-Za-z0-9_])zlibwapi(?:64)?(?:\.dll)?(?![A-Za-z0-9_])", _I)
# The person's word for "not there", in the sentence with the file.
_MISSING = lazy(r"\b(?:not\s+(?:be\s+)?found|cannot\s+(?:be\s+)?(?:found|located)|can(?:no|')t\s+(?:find|locate)"
                r"|could(?:\s+not|n't)\s+(?:find|locate)|unable\s+to\s+(?:find|locate)|(?:is|are|was|seems?)\s+missing"
                r"|missing|no\s+such\s+file|does(?:\s+not|n't)\s+exist|lacks?|lacking)\b"
                r"|找不到|缺少|缺失|没有找到|未找到|丢失|不存在|見つかりません|見つからない|不足|がない|が無い"
                r"|찾을\s*수\s*없|누락|없습니다|не\s+найден|не\s+удал[оа]сь\s+найти|отсутству"
                r"|no\s+se\s+(?:encuentra|encontr[óo])|no\s+encontrad|não\s+(?:foi\s+)?encontrad|\bfalta\b"
                r"|introuvable|nicht\s+gefunden|fehlt\b|bulunamad", _I)
# A denial, a fix that ended it, or advice: no claim.
_NOT = lazy(r"\b(?:not\s+missing|isn't\s+missing|no\s+longer|anymore|(?<!not\s)(?<!n't\s)exists?|is\s+there|is\s+present"
            r"|(?:fix|fixe[ds]|solved|resolved)\b|works?\s+now|now\s+works?|working\s+now|(?:runs?|works?)\s+(?:fine|again)"
            r"|after\s+(?:copying|installing|adding|putting|placing|downloading)|if|whether|should|might|maybe|may"
            r"|previously|earlier|used\s+to|at\s+first)\b"
            r"|解决|解決|好了|就行|可以了|正常了|已修复|之前|以前|存在します|해결|решен|resuelto|resolvid"
            # round 26 review: a fix in other words ("now it works", "all good now"), a general remark
            # ("a common problem with cuDNN 8.x"), another machine
            r"|\b(?:now\s+(?:it|everything)\s+(?:works|runs)|all\s+good|(?:good|fine|ok(?:ay)?)\s+now"
            r"|(?:a\s+)?common\s+(?:problem|issue|error|cause)|known\s+issue"
            # a doubt, the error said gone, an old install's
            r"|don'?t\s+think|not\s+sure|(?:is|are)\s+gone|(?:my|the)\s+(?:old|previous)\s+(?:install\w*|setup|version))\b"
            r"|没有了|不再|已经没有|" + ANOTHER_MACHINE, _I)
# A question in the sentence (a question mark, 吗, ですか, an English yes/no question's opening).
_ASKED = lazy(r"[?？]|吗|ですか|^\s*(?:is|are|does|do|can|could|should)\s+(?:it|this|that|there|the|a|an|my|i|you|we"
              r"|zlibwapi)\b", _I)
# cuDNN's own message on the line: the tool's words, read from messages.toml.
_TOOL = lazy(r"Could not (?:locate|load library) zlibwapi\.dll", _I)
# One sentence: split at . ! ; and the CJK stops, not at a dot inside a file name ("zlibwapi.dll").
_SENTENCE = lazy(r"(?:[^.!;。！；\n]|\.(?=\S))+[.!;。！；]?")


def _said_missing(line: str) -> Optional[Tuple[str, str]]:
    """(the file, the sentence) of the first sentence on ``line`` saying zlibwapi.dll is missing and
    not denying, asking or saying it was fixed; None otherwise."""
    if len(line) > 400 or _TOOL.search(line):
        return None
    for s in _SENTENCE.findall(line):
        m = _FILE.search(s)
        if m is None or not _MISSING.search(s) or _NOT.search(s) or _ASKED.search(s):
            continue
        return m.group(0), s.strip()
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_said_missing, "zlibwapi", ignorecase=True)
    if hit is not None:
        i, (name, s) = hit
        f.note(f"{ZLIB_SAID_MISSING}{name} — “{' '.join(s.split())[:160]}” (line {i + 1})")
    return f
