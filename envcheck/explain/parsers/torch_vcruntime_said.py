"""The Microsoft Visual C++ runtime said, in a person's words, to have been missing or needed for their failure: "I had
to download https://aka.ms/vs/16/release/vc_redist.x64.exe on a fresh install of Win10 … to resolve
this issue", "I needed to install the Visual C++ Redistributable", "the VC++ runtime was missing";
Chinese "去 vc_redist.x64.exe 下载安装即可" / "缺少VC运行库", Japanese "Visual C++ 再頒布可能パッケージが
入っていなかった", Korean "Visual C++ 재배포 가능 패키지가 설치되어 있지 않았습니다", Russian "не был установлен
Visual C++ Redistributable", Spanish "tuve que instalar vc_redist", Portuguese "tive que instalar o
vc_redist", German "ich musste vc_redist installieren", French "j'ai dû installer Visual C++
Redistributable".

torch's Windows wheels link the Visual C++ runtime (vcruntime140.dll, vcruntime140_1.dll,
msvcp140.dll); without it their DLLs (c10.dll, torch_cpu.dll, fbgemm.dll, caffe2_detectron_ops.dll)
fail to load and ``import torch`` fails: torch/__init__.py's _load_dll_libraries checks for the
runtime first and prints "Microsoft Visual C++ Redistributable is not installed, this may lead to
the DLL load failure. It can be downloaded at https://aka.ms/vs/16/release/vc_redist.x64.exe" (torch
1.6 to 2.x; pytorch/pytorch#39734: c10.dll needs msvcp140.dll, the redistributable fixed it). That
line is the catalogued ``torch_vc_redist_missing``; this reader takes the person's retelling of the
fix, as ``torch.import_error`` (``STATED``: torch_import_failed then "likely").

Not a claim: the failure told as over ("Fixed it by installing the VC++ runtime, now it works", "…
solved after installing the VC++ runtime": tests/explain/test_r23t_import_retold.py and
test_r23t_torch_dll_retold.py), the runtime said not to have helped ("installed vc_redist, still the same error", "没用"),
a question, advice or a condition ("make sure the VC++ redistributable is installed", "if import
fails, install vc_redist"), another machine or other people, an install log with no fix said, nor a
text that names another framework (TensorFlow's msvcp140_1.dll, onnxruntime, OpenCV, dlib, llama.cpp)
and not torch: the runtime's failure is then theirs.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, clause_start, general_statement, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

VCRUNTIME_SAID = "the Microsoft Visual C++ runtime was missing, the text says: "

# The runtime by its names: the installer (vc_redist.x64.exe, its aka.ms link, vcredist), "Visual C++
# (2015-2022) Redistributable / runtime", "VC++ / MSVC runtime", its DLLs, and the names Windows gives
# it in Chinese (运行库), Japanese (再頒布可能パッケージ) and Korean (재배포 가능 패키지).
_RUNTIME = lazy(r"vc_?redist\w*(?:\.(?:x64|x86|arm64)\.exe)?|\bvcredist\w*"
                r"|visual\s*c\+\+\s*(?:\d{4}(?:\s*[-–/,]\s*\d{4})*\s*)?(?:\(x64\)\s*)?(?:redistributable|runtime|redist"
                r"|运行库|運行庫|再頒布可能パッケージ|재배포)"
                r"|(?<![A-Za-z])(?:vc\+\+|msvc|vc|c\+\+)\s*(?:\d{4}\s*)?(?:redistributable|runtime|redist|运行库|運行庫)"
                r"|visual\s+studio\s+(?:\d{4}\s+)?redistributable|再頒布可能パッケージ|재배포\s*가능\s*패키지"
                r"|\b(?:msvcp140|vcruntime140)(?:_\d)?\.dll", _I)
# What the runtime was to the failure, not the failure said over: it had to be installed ("I had to
# download vc_redist.x64.exe … to resolve this issue", "needed to install"), it was missing, or the way
# to install it told as the answer ("下载安装即可": just install it); in the other languages their words
# for had to / was missing / was not installed. Not "fixed it", "solved after installing", "resolveu": a
# failure told as over (sentences._GOOD; tests/explain/test_r23t_torch_dll_retold.py).
_FIXED = lazy(r"\b(?:had|needed)\s+to\b|\b(?:was|were)\s+(?:missing|not\s+installed)\b|\bto\s+(?:resolve|fix|solve)\b"
              r"|\bwas\s+(?:the\s+)?(?:culprit|cause|missing\s+piece)\b"
              r"|即可|缺少|缺了|没有安装|没装|未安装|沒有安裝|沒裝|が必要でした|入っていなかった|インストールされていなかった"
              r"|필요했|설치되어\s*있지\s*않|없어서|нужно\s+было|пришлось|не\s+был\w*\s+установлен|не\s+хватало|отсутствовал"
              r"|tuve\s+que|hac[íi]a\s+falta|faltaba|no\s+estaba\s+instalad|tive\s+que|precisei|faltava|n[ãa]o\s+estava\s+instalad"
              r"|musste|fehlte|war\s+nicht\s+installiert|j'ai\s+d[ûu]|il\s+fallait|manquait|n'[ée]tait\s+pas\s+install", _I)
# The machine said to work now ("…, now it works", "import torch works fine now"): the failure is over and
# the text is about a working torch (tests/explain/test_r23t_import_retold.py), not the report's failure.
_WORKS_NOW = lazy(r"\bnow\s+(?:it\s+|everything\s+|torch\s+|all\s+)?works\b|\bworks?\s+(?:now|again|fine)\b"
                  r"|\bworking\s+(?:now|again|fine)\b|\beverything\s+works\b"
                  r"|\bimport(?:ing)?\s+(?:py)?torch\s+(?:now\s+|again\s+)?(?:works|succeeds|is\s+fine)"
                  r"|\b(?:py)?torch\s+(?:now\s+)?(?:imports|loads)\b"
                  # torch itself said fine: "…, so pip failed to build llama-cpp-python; torch itself is fine"
                  r"|\b(?:py)?torch\b(?:\s+itself)?\s+(?:is|works|runs|imports)\s+(?:just\s+)?fine\b"
                  r"|现在(?:可以|正常|好)|現在(?:可以|正常)|就好了|就可以了|就行了|正常了|没问题了|沒問題了|没有问题了|能用了|今は動|이제\s*(?:잘\s*)?(?:작동|돼|됩)"
                  r"|теперь\s+работает|заработал\w*|ahora\s+funciona|agora\s+funciona|jetzt\s+funktioniert|funktioniert\s+es"
                  r"|maintenant\s+(?:ça\s+)?(?:fonctionne|marche)", _I)
# The fix denied or still to come: "didn't help", "still the same error", "no luck", "没用", "не помогло".
_NOT_FIXED = lazy(r"(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+){0,2}?(?:help|fix|resolv|solv|work|change|luck)"
                  r"|\bstill\b|\bwithout\s+(?:success|luck|any\s+change)\b|\bsame\s+error\b"
                  r"|没用|没有用|沒用|无效|無效|不行|没解决|沒解決|未解决|还是|還是|解決しない|解決せず|ダメ|해결되지|안\s*됩"
                  r"|\bне\s+помог|\bno\s+(?:funcion|sirv|resolv|ayud|lo\s+solucion)|\bnão\s+(?:resolv|funcion|ajud)"
                  r"|\bnicht\s+(?:geholfen|behoben|gelöst|funktioniert)|\bn'a\s+pas|\bne\s+\w+\s+pas|\bsans\s+succès", _I)
# Advice put to the reader: "you may need", "make sure", "please install", "be sure to".
_ADVICE = lazy(r"\b(?:you|one|users?)\s+(?:should|must|need|may|might|can|could|have\s+to|will\s+need)\b"
               r"|\b(?:make\s+sure|ensure|be\s+sure|remember\s+to|don'?t\s+forget|please\s+install)\b"
               r"|请|請|してください|하세요|попробуйте|asegúrate|certifique|stellen\s+sie\s+sicher|assurez", _I)
# The runtime packaged for others, not this machine's failure: "our Docker image needed to include vc_redist",
# "we had to bundle vc_redist.x64.exe … for users", "it was missing on our test machines".
_PACKAGED = lazy(r"\b(?:bundl\w*|ship(?:s|ped|ping)?|includ\w*|docker\w*|image|for\s+(?:our\s+|the\s+)?users"
                 r"|our\s+(?:\w+\s+)?(?:machines|users|customers|clients|servers))\b", _I)
# What the runtime was needed for, when it is another program: "I had to install the VC++ redistributable for the
# NVIDIA driver installer", "… for my game".
_FOR_OTHER = lazy(r"\bfor\s+(?:the\s+|my\s+|an?\s+|this\s+)?(?:[\w.+-]+\s+){0,2}?(?:installer|setup|game|app|application"
                  r"|program|launcher|editor|plugin|tool)s?\b", _I)
# An install guide's step, put as an order: "2. Install the Microsoft Visual C++ Redistributable (…)".
_STEP = lazy(r"^\W*(?:\d+\W+)?(?:install|download|get|run|grab)\b", _I)
# torch's own printed line (messages.toml ``torch_vc_redist_missing``), not a person's words.
_UPSTREAM = lazy(r"this\s+may\s+lead\s+to\s+the\s+DLL\s+load\s+failure|It\s+can\s+be\s+downloaded\s+at", _I)
_NEEDLES = ("redist", "visual c++", "vc++", "msvc", "运行库", "運行庫", "再頒布", "재배포", "msvcp140", "vcruntime140")
# Another framework the runtime's failure would be (and no word of torch in the text).
_OTHERS = ("tensorflow", "onnxruntime", "opencv", "cv2", "dlib", "llama", "paddle", "mediapipe", "ctranslate2",
           "openvino", "tensorrt", "jaxlib")


# A link's dots are no sentence's end ("https://aka.ms/vs/16/release/vc_redist.x64.exe to resolve …").
_URL = lazy(r"\b(?:https?://|www\.|aka\.ms/)\S+", _I)


def _said(line: str) -> Optional[re.Match]:
    if len(line) > 500 or _UPSTREAM.search(line):
        return None
    line = _URL.sub(lambda u: u.group(0).replace(".", "_"), line)  # same length: positions hold
    for m in _RUNTIME.finditer(line):  # (on the link-blanked line)
        sentence = sentence_around(line, m.start(), m.end())
        fixed = _FIXED.search(sentence)
        if fixed is None or _NOT_FIXED.search(sentence) or _ADVICE.search(sentence) or _WORKS_NOW.search(line, m.start()):
            continue
        if _PACKAGED.search(sentence) or _FOR_OTHER.search(sentence, sentence.find(m.group(0)) + 1) or _STEP.search(line[clause_start(line, m.start()):]) or _STEP.search(line):
            continue
        if asked(line, m.end(), clause=False) or general_statement(line, m.start(), m.end()) \
                or not_here_now(line, m.start(), m.end()):
            continue
        if re.search(r"\bif\b|\bwhen\b", line[clause_start(line, m.start()):m.start()], _I):
            continue  # a condition: "if import fails, installing vc_redist fixes it"
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_said, *_NEEDLES, ignorecase=True)
    if hit is None:
        return f
    if doc.lines_containing(*_OTHERS, ignorecase=True) and not doc.lines_containing("torch", ignorecase=True):
        return f  # another framework's DLLs, not torch's
    i, m = hit
    line = _URL.sub(lambda u: u.group(0).replace(".", "\0"), doc.lines[i])
    sentence = " ".join(sentence_around(line, m.start(), m.end()).replace("\0", ".").split())[:240]
    f.set("torch.import_error", f"{VCRUNTIME_SAID}“{sentence}” (line {i + 1})", i)
    return f
