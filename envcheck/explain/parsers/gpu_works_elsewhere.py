"""The GPU said to work when the same machine runs the code another way: "even though it does
not raise the same error directly in python", "When I run debug the GPU works",
"In interactive Python, torch.cuda.is_available() correctly returns True", "the GPU works in the
terminal", a plain check ("When I run `torch.cuda.is_available()` it shows `true`",
"单独运行`…is_available()`返回`True`"), "Cuda is always work fine in all projects".

Beside CUDA reporting no device at all (cudaErrorNoDevice "no CUDA-capable device is detected",
torch's "No CUDA GPUs are available") that is the run's environment hiding the GPUs the driver
shows elsewhere: a launch script, a worker pool (Ray, a serving framework) or the program
setting CUDA_VISIBLE_DEVICES to nothing or to an index the machine lacks. The rule
(rules/cuda_env.py) reads the claim only beside such a message. The failing run is the one the
report is about: its claim outranks the plain check's True.

Another machine, a container against the host, root against a user (device permissions) and
Windows against WSL are other causes: a line naming one of them claims nothing. Questions
whether it works ("does it work in python?") claim nothing either; a question built on the
fact ("why does X fail even though it does not fail directly in python?") does.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import PROGRAM, STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "GPU said to work another way"
_I = re.IGNORECASE

# rules/cuda_env.py keeps its own copy (rules do not import the explain layer).
WORKS_ELSEWHERE = "the GPU works when the same machine runs the code another way"

# CUDA runtime's cudaErrorNoDevice, the driver API's CUDA_ERROR_NO_DEVICE, torch's
# "No CUDA GPUs are available" (c10/cuda/CUDAFunctions.cpp), lower case for lines_containing.
_NO_DEVICE_WORDS = ("no cuda-capable device is detected", "no cuda gpus are available", "cuda_error_no_device",
                    "cudaerrornodevice")
_WAY = (r"(?:directly|interactively|in\s+(?:an?\s+|the\s+)?(?:interactive\s+)?(?:python|terminal|shell|console|repl|jupyter"
        r"|notebook|ipython|debug\w*)(?:\s+(?:mode|session|shell|console))?)")
_OK = r"(?:works?|worked|is\s+(?:detected|found|available|used)|(?:returns?|gives?|prints?)\s+true)"
_SAID = lazy(
    # "torch.cuda.is_available() returns True directly in python", "the GPU works in the terminal"
    rf"\b(?:gpu|cuda|torch|it|is_available\(\))\s+(?:correctly\s+|still\s+)?{_OK}\s+(?:fine\s+)?(?:when\s+(?:i\s+)?(?:run\s+)?(?:it\s+)?)?{_WAY}"
    # "in interactive python, torch.cuda.is_available() correctly returns True", "when I run debug the GPU works"
    rf"|\b(?:{_WAY}|when\s+i\s+run\s+(?:it\s+)?(?:in\s+)?\w+(?:\s+mode)?)\s*,?\s+(?:the\s+)?(?:gpu|cuda|torch[\w.]*(?:\(\))?|it)"
    rf"\s+(?:correctly\s+|still\s+)?{_OK}"
    # "even though it does not raise the same error directly in python"
    rf"|\b(?:does\s*n[o']t|did\s*n[o']t|does\s+not|did\s+not)\s+(?:raise|throw|give|show|happen)\b[^.?!\n]{{0,30}}\b{_WAY}"
    # a plain check run on the machine: "torch.cuda.is_available() it shows `true`", "…is_available())\"`返回`True`"
    r"|is_available\(\)[)`'\"\s]*(?:(?:it|this|that)\s+)?(?:returns?|returned|shows?|showed|gives?|gave|prints?|printed"
    r"|outputs?|is|was|==|->|:|返回|显示|输出|为|是|devuelve|retorna|regresa|da|возвращает|выдает|выдаёт|gibt)"
    r"\s*[`'\"]?\s*true(?!\w)"
    # Japanese and Korean put the verb last: "is_available() は True を返します", "is_available()가 True를 반환합니다"
    r"|is_available\(\)[)`'\"\s]*(?:は|が|의\s*결과는|가|는)\s*[`'\"]?\s*true[`'\"]?\s*(?:を返|になり|になる|です|と表示|를\s*반환|입니다)"
    # "Cuda is always work fine in all projects that need GPU"
    r"|\b(?:works?|worked|working)\s+(?:fine\s+|well\s+)?(?:in|with|for)\s+(?:all|other|every|any)\s+(?:\w+\s+){0,2}?"
    r"(?:projects?|programs?|scripts?|repos?|repositories|models?)\b", _I)
_OTHER_CAUSE = lazy(r"\b(?:docker|container|podman|root|sudo|wsl|windows|colab|other\s+(?:machine|computer|pc|server|laptop)"
                    r"|another\s+(?:machine|computer|pc|server|laptop)"
                    # the host against its container, a login node against a job's node, another computer
                    r"|host|login\s+node|local\s+machine|(?:my|the|our)\s+(?:laptop|desktop))\b", _I)
# Another Python environment (another build of torch: its own cause), or the same machine at another
# time ("until yesterday it returned True", "before the update"): a change, not another way of running.
_OTHER_TIME_OR_ENV = lazy(r"\b(?:other|another|different|previous|old|new|second)\s+(?:conda\s+|python\s+|virtual\s+|docker\s+)?"
                          r"(?:env\w*|venv|virtualenv|installs?|installation|versions?|builds?)\b"
                          r"|\b(?:until|yesterday|before|used\s+to|previously|earlier|last\s+(?:week|month|time|night)"
                          r"|(?:a\s+few|two|some)\s+(?:days|weeks)\s+ago)\b|之前|以前|昨天", _I)
# A question built on the fact, not asking it: "why does X fail even though it works directly in python?"
_BUILT_ON = lazy(r"\b(?:why|even\s+though|although|though)\b|为什么|为何|なぜ|どうして|por\s+qu[eé]|почему", _I)
# A question whether it works, an intention or a denial: nothing said about this machine.
_NOT_SAID = lazy(r"^\s*(?:does|do|did|can|could|will|would|should|is)\b|\b(?:if|whether|want|hope|expect\w*|supposed)\b", _I)


def _said(line: str) -> Optional[str]:
    m = _SAID.search(line)
    if not m or _OTHER_CAUSE.search(line) or _OTHER_TIME_OR_ENV.search(line) or _NOT_SAID.search(line, 0, m.start()) \
            or "¿" in line[:m.start()] or (asked(line, m.end(), clause=False) and not _BUILT_ON.search(line)):
        return None
    return " ".join(m.group(0).split())


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing(*_NO_DEVICE_WORDS):
        return f
    said = doc.first(_said, "work", "true", "raise", "throw", "give", "show", "happen", "detected", "found", "available",
                     "used", ignorecase=True)
    if said is not None:
        i, words = said
        # This run is the one the report is about: its failure outranks the plain check the text
        # shows working (interactive's reading of "is_available() returns True", PROGRAM).
        f.set("torch.cuda_available", False, i, rank=PROGRAM + 5, detail=f"{STATED_DETAIL}: {WORKS_ELSEWHERE} ({words})")
    return f
