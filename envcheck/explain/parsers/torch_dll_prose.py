"""One of torch's own Windows DLLs said, in a person's words, to be missing or failing to load.

Windows users often retell the import failure instead of pasting it: "While running benchmark.py
getting fbgemm.dll missing", "fbgemm.dll 加载失败", "Error loading fbgemm.dll", "c10.dll fehlt".
The DLLs are the ones torch's Windows wheels ship in ``torch\\lib`` and load one by one in
``torch/__init__.py`` (``_load_dll_libraries``: "Error loading \\"{dll}\\" or one of its
dependencies."): c10.dll, torch_cpu.dll, torch_python.dll, fbgemm.dll, asmjit.dll, … — the
same list as the catalogued ``Could not find module …`` message of CPython's ctypes.

The sentence goes into ``torch.errors`` as the person wrote it, so a failure is never "nothing
recognised"; known-bad builds whose signature is one of these DLLs (torch 2.4.0's fbgemm.dll,
knowledge/data/known_bad_builds.toml, ``when_text``) are weighed by rules/torch_health.py as
``likely`` (the torch version is not in such a text).

Not read: the upstream lines themselves (``[WinError 126] … Error loading "…\\fbgemm.dll" or one
of its dependencies``, ctypes' ``Could not find module``: error_messages reads those; the same
line retyped without its ``[WinError 126]``, "Erro loading “…\\fbgemm.dll” or one of its
dependencies", is read here), questions,
conditions ("if c10.dll is missing"), advice, a failure said to be over ("fbgemm.dll is no
longer missing", "solved"), and a directory listing naming the DLL.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "a person's words"

# torch's own DLLs in torch\lib of the Windows wheels (torch/__init__.py _load_dll_libraries
# loads every *.dll there; names from the wheels of torch 1.5 to 2.x, as in messages.toml's
# ctypes "Could not find module" entry).
_DLL = (r"(?:(?<![\w.-])(?:c10|c10_cuda|torch|torch_cpu|torch_cuda|torch_cuda_cpp|torch_cuda_cu|torch_python|"
        r"torch_global_deps|caffe2_nvrtc|fbgemm|asmjit|shm)\.dll\b"
        # any DLL by its path in torch\lib, which import torch loads one by one (1.x's caffe2.dll,
        # caffe2_detectron_ops_gpu.dll, the cuDNN and cuBLAS copies the wheels bring)
        r"|(?<=[\\/]torch[\\/]lib[\\/])[\w+-][\w.+-]{0,79}\.dll\b)")
# Saying it is missing or will not load, in the languages reports come in.
_FAILS = (r"(?:is\s+|was\s+|are\s+)?(?:missing|not\s+found|(?:could|can)\s*not\s+be\s+(?:found|loaded)|"
          r"can'?t\s+be\s+(?:found|loaded)|fail(?:s|ed|ing)?\s+to\s+load|(?:does\s+not|doesn'?t|won'?t|will\s+not)\s+load|"
          r"加载失败|載入失敗|加载出错|加载错误|无法加载|無法載入|找不到|缺失|丢失|"
          r"が見つかりません|が見つからない|を読み込めません|の読み込みに失敗|をロードできません|"
          r"(?:을|를)?\s?찾을\s?수\s?없|(?:을|를)?\s?로드할\s?수\s?없|로드\s?실패|"
          r"fehlt|nicht\s+gefunden|(?:konnte\s+)?nicht\s+geladen|"
          r"no\s+se\s+(?:encuentra|encontr[oó]|pudo\s+cargar|puede\s+cargar)|no\s+encontrad[oa]|"
          r"não\s+(?:encontrad[oa]|foi\s+encontrad[oa]|(?:foi\s+possível|consegue)\s+carregar)|"
          r"не\s+найден\w*|отсутствует|не\s+удалось\s+загрузить|не\s+загружа\w+|"
          r"introuvable|manquant\w*|impossible\s+de\s+charger)")
_BEFORE = (r"(?:missing|(?:can'?t|cannot|could\s*n[o']t|unable\s+to)\s+(?:find|load)|error?\s+(?:loading|while\s+loading)|"
           r"fail(?:s|ed|ure)?\s+(?:to\s+load|loading)|problem\s+(?:loading|with)|缺少|找不到|无法加载|無法載入|"
           r"no\s+se\s+(?:encuentra|encontr[oó]|pudo\s+cargar|puede\s+cargar)|não\s+(?:encontr\w+|carrega)|"
           r"falta(?:\s+(?:el|la|o|a))?|faltando|fehlende?s?|отсутствует|не\s+найден\w*|manque)")
_SAID = lazy(r"(?:" + _BEFORE + r")\W{0,3}(?:\w+\W{1,3}){0,3}?[\"'`“‘(]?[^\s\"'`]{0,120}?" + _DLL
             + r"|" + _DLL + r"[\"'`”’)]?\s{0,3}(?:\w+\s+){0,3}?" + _FAILS, re.IGNORECASE)
# The program's own lines, read by error_messages (messages.toml): not retold here.
_UPSTREAM = lazy(r"\[WinError\s+\d+\]|Could not find module", re.IGNORECASE)
# Not the machine's state: a condition, a question, advice, or a failure said to be over.
_CONDITION = lazy(r"\b(?:if|whether|unless|in\s+case|when\s+ever)\b|如果|假如|もし|만약|\bsi\b|\bwenn\b|\bfalls\b",
                  re.IGNORECASE)
_ADVISED = lazy(r"\b(?:make\s+sure|ensure|check\s+(?:that|if|whether)|you\s+(?:should|could|can|may|might)|try\s+to)\b",
                re.IGNORECASE)
_OVER = lazy(r"\b(?:no\s+longer|not\s+anymore|fixed|solved|resolved|works\s+now|now\s+works|working\s+now|went\s+away|"
             r"gone\s+now|disappeared)\b|已解决|解决了|解決|不再|해결|resuelto|resolvido|gelöst|исправлен|решен",
             re.IGNORECASE)
# Where a sentence ends: a stop followed by a space (not the dot of "fbgemm.dll" or "run.py").
_SENTENCE_END = lazy(r"[.!?](?:\s|$)|[。！？]")


def _sentence_of(line: str, m: re.Match) -> str:
    """The sentence of ``line`` holding the match ``m``."""
    starts = [e.end() for e in _SENTENCE_END.finditer(line, 0, m.start())]
    end = _SENTENCE_END.search(line, m.end())
    return line[(starts[-1] if starts else 0):(end.end() if end else len(line))]


def parse(doc: Pasted) -> Found:
    """A person's sentence saying one of torch's own DLLs is missing or will not load."""
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing(".dll", ignorecase=True):
        line = doc.lines[i]
        if len(line) > 2000 or _UPSTREAM.search(line):
            continue
        m = _SAID.search(line)
        if m is None or i in doc.enclosed:  # another process's captured output (Pasted.enclosed)
            continue
        sentence = _sentence_of(line, m)
        if sentence.rstrip().endswith(("?", "？")) or _CONDITION.search(sentence) or _ADVISED.search(sentence) \
                or _OVER.search(sentence):
            continue
        f.error(line, i)
        return f
    return f
