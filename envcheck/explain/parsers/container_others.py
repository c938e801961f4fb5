"""Other containers on the same host getting the GPU, in a person's words.

"All other GPU containers on the server are running fine", "my other containers can use the GPU",
"the GPU works fine in other docker containers", "other containers see the GPU without problems",
其他容器都能正常使用 GPU, 他のコンテナでは GPU が使える, 다른 컨테이너에서는 GPU가 잘 됩니다,
"andere Container nutzen die GPU problemlos", "otros contenedores usan la GPU sin problema".

Said beside a container that gets no GPU, it rules out the host: its driver and its NVIDIA Container
Toolkit answer a GPU request, so that container was started without one (the request is made per
container: ``--gpus``, ``runtime: nvidia``, a compose device reservation, a pod's nvidia.com/gpu;
https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html).
Recorded as a note (``derived/others_get_gpu.OTHERS_GET_GPU``), the person's words quoted; the rule
(``rules/container_others``) weighs it.

Not a question ("do other containers see the GPU?"), a condition or advice ("check whether other
containers work"), a denial ("other containers don't work either", "none of my other containers see
it"), nor other containers on another machine ("other containers on my old server work").
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.others_get_gpu import NO_GPU_HERE, OTHERS_GET_GPU
from envcheck.explain.partial import Found
from envcheck.explain.sentences import ANOTHER_MACHINE, asked, clause_start, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE

# Prose, not a program's output: the person's own sentence. "other" then up to two words
# ("other GPU containers", "other docker containers", "other (Plex, Jellyfin) containers" is
# left out: a list is not read), then what those containers do with the GPU.
_OTHERS = r"\b(?:all\s+(?:of\s+)?)?(?:my\s+|the\s+|our\s+)?other\s+(?:[\w-]+\s+){0,2}?containers?\b"
_GPU = r"(?:the\s+|my\s+|a\s+|their\s+)?(?:nvidia\s+)?(?:gpus?|graphics\s+cards?|cuda)"
_FINE = (r"(?:fine|well|ok(?:ay)?|perfectly|great|normally|flawlessly|just\s+fine"
         r"|without\s+(?:any\s+)?(?:problems?|issues?|trouble))")
_SAID = lazy(
    rf"{_OTHERS}[^.!?;\n]{{0,60}}?\b(?:(?:are|is)\s+)?(?:running|run|runs|work(?:s|ing)?)\s+{_FINE}"
    rf"|{_OTHERS}[^.!?;\n]{{0,60}}?\b(?:can|could|do|does)\s+(?:see|use|access|detect|reach)\s+{_GPU}"
    rf"|{_OTHERS}[^.!?;\n]{{0,60}}?\b(?:see|use|access|detect|get)s?\s+{_GPU}\b"
    rf"|{_OTHERS}[^.!?;\n]{{0,40}}?\bha(?:ve|s)\s+(?:gpu\s+access|access\s+to\s+{_GPU})"
    rf"|\b{_GPU}\s+(?:works?|is\s+working|runs?|is\s+(?:detected|available|visible))\s+(?:{_FINE}\s+)?"
    rf"(?:in|with|for|inside)\s+{_OTHERS}"
    # zh / ja / ko / de / es
    r"|其他(?:的)?容器[^。，,\n]{0,12}(?:都)?(?:能|可以)(?:正常)?(?:使用|识别|调用|用)(?:到)?\s*(?:GPU|显卡)"
    r"|他の(?:Docker\s*)?コンテナ(?:で|では)[^。\n]{0,12}(?:GPU|グラボ)[^。\n]{0,8}(?:使え|認識され|動い|動作し)(?!ない|ません)"
    r"|다른\s*(?:도커\s*)?컨테이너(?:에서|에서는|는)[^.\n]{0,12}GPU[^.\n]{0,10}(?:잘\s*(?:됩니다|돼요|인식|작동|사용)|정상)"
    r"|\bandere(?:n)?\s+(?:Docker-?)?Container\s+(?:nutzen|sehen|verwenden|erkennen)\s+(?:die\s+)?(?:GPU|Grafikkarte)"
    r"|\botros\s+contenedores\s+(?:usan|ven|detectan|reconocen)\s+(?:la\s+)?gpu", _I)
_NEEDLES = ("other", "其他", "他の", "다른", "andere", "otros")
# In the words matched or just before: "other containers don't work either", "none of my other
# containers", "no other container".
_DENIED = lazy(r"\b(?:not|never|no|none|neither|nor|either|cannot)\b|n't\b|不能|无法|没有|使えない|認識されない|안\s*(?:됩|돼)"
               r"|nicht|\bni\b", _I)
_EITHER = lazy(r"^\W{0,3}\s*(?:either|neither)\b", _I)
_CONDITION = lazy(r"\b(?:if|whether|when|unless|check|see\s+if|make\s+sure|verify|try|test)\b[^.!?;\n]*$", _I)
# The GPU not found here, in the person's words ("no GPU found", "the GPU is not detected", "it runs on
# the CPU instead"): the failure the rules weigh beside the sentence above or a start shown without a GPU.
_NO_GPU = lazy(r"\bno\s+(?:nvidia\s+|cuda\s+)?(?:gpus?|graphics\s+cards?)\s+(?:was\s+|were\s+)?(?:found|detected|available)"
               r"|\b(?:gpus?|graphics\s+cards?)\s+(?:is\s+|was\s+|are\s+)?(?:not|isn't|wasn't|aren't)\s+(?:being\s+)?"
               r"(?:detected|found|recogni[sz]ed|available|used|visible)"
               r"|\b(?:doesn't|does\s+not|don't|can't|cannot|won't|couldn't)\s+(?:see|detect|find|use|recogni[sz]e)\s+"
               r"(?:the\s+|my\s+|any\s+)?(?:nvidia\s+)?gpus?\b"
               r"|\bruns?\s+on\s+(?:the\s+)?cpu\s+(?:instead|only)\b|\b(?:uses?|using)\s+(?:only\s+)?(?:the\s+)?cpu\s+(?:instead|only)\b"
               r"|(?:GPU|显卡)\s*(?:用不了|识别不到|检测不到|无法使用)|(?:识别不到|检测不到|找不到)\s*(?:GPU|显卡)"
               r"|GPU\s*(?:が|を)\s*(?:認識されない|使えない|見つからない)"
               r"|只(?:能)?(?:用|跑)(?:了)?\s*CPU|用的是\s*CPU|没(?:有)?用(?:上|到)?\s*GPU", _I)
# The CPU meant: "runs on the CPU only, as expected", "the CPU image", "CPU-only on purpose".
_MEANT = lazy(r"\b(?:expected|intended|on\s+purpose|by\s+design|as\s+designed|cpu[\s-](?:only\s+)?(?:image|build|version|tag)"
              r"|cpu-only|no\s+gpu\s+(?:is\s+)?(?:needed|required)|(?:doesn't|does\s+not|don't|do\s+not)\s+need\s+"
              r"(?:a\s+|the\s+|any\s+)?gpu)\b", _I)
_ELSEWHERE = lazy(ANOTHER_MACHINE + r"|\bon\s+(?:my|the|a)\s+(?:other|second|old)\s+(?:host|server|machine)\b", _I)


def _said(line: str) -> Optional[re.Match]:
    m = _SAID.search(line)
    if not m or len(line) > 1000:
        return None
    start = clause_start(line, m.start())
    if _DENIED.search(line[start:m.end()]) or _EITHER.search(line[m.end():m.end() + 12]):
        return None
    if _CONDITION.search(line[start:m.start()]) or asked(line, m.end(), clause=False):
        return None
    if _ELSEWHERE.search(line):
        return None
    return m


def read(f: Found, doc: Pasted) -> None:
    """Note the first such sentence, and the person's sentence that the GPU is not found here
    (container_prose's parse calls this)."""
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        if i in doc.enclosed:
            continue
        m = _said(doc.lines[i])
        if m:
            quoted = " ".join(doc.lines[i].split())
            f.note(f"{OTHERS_GET_GPU}“{quoted[:160]}{'…' if len(quoted) > 160 else ''}” (line {i + 1})")
            break
    _no_gpu_here(f, doc)


# A program's source, not a person's words: `print("GPU is not available")`, `raise RuntimeError("no GPU found")`.
_CODE = lazy(r"\bprint\s*\(|\blog(?:ger|ging)?\.\w+\s*\(|\braise\s+\w+|\bwarnings\.warn\s*\(|\bif\s+not\s+\w+[\w.]*\(|\bconsole\.\w+\(")
_NEGATIONS = ("not", "n't", "no ", "cpu", "用不了", "识别不到", "检测不到", "找不到", "无法", "認識", "使え", "見つから", "没")


def _kept(line: str) -> Optional[re.Match]:
    """The first "GPU not found here" on the line that is not asked, conditional or another machine's."""
    low = line.lower()  # substrings first: most lines naming the GPU say nothing of it missing
    if len(line) > 1000 or not any(w in low for w in _NEGATIONS) or _ELSEWHERE.search(line) or _CODE.search(line):
        return None
    for m in _NO_GPU.finditer(line):
        start = clause_start(line, m.start())
        if not (asked(line, m.end()) or _CONDITION.search(line[start:m.start()]) or _MEANT.search(line)):
            return m
    return None


def _no_gpu_here(f: Found, doc: Pasted) -> None:
    # each distinct line read once (Pasted.where): a log repeats its lines
    for i, m in doc.where(_kept, "gpu", "cpu", "graphics", "显卡"):
        if i in doc.enclosed or working_after(doc.lines, i, m.start(), sentence=False):
            continue  # a failure said to be over
        quoted = " ".join(doc.lines[i].split())
        f.note(f"{NO_GPU_HERE}“{quoted[:160]}{'…' if len(quoted) > 160 else ''}” (line {i + 1})")
        return
