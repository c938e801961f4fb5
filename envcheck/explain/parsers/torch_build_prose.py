"""A CPU-only torch told in a person's words that ``freetext`` does not take: "it forced a
non-CUDA version of Torch", "pip replaced torch with one without CUDA support", "a CPU-only
PyTorch got installed", "CPU 버전이 설치되었습니다" (the CPU version was installed, Korean),
"CPU版のPyTorchが入っていた" (Japanese).

A description alone is not the machine: the sentence must say the build got onto it
(installed, forced, replaced, downgraded, pulled in, 安装, インストール, 설치) and must not deny
it or ask ("not the CPU-only build", "should I install the non-CUDA version?"). Everything
here is a claim (rank ``OUTCOME`` like freetext's "the cpu version got installed": what
happened outranks the install command's request), and a finding on it is "likely".
"""

from __future__ import annotations

import re

from envcheck.explain.partial import OUTCOME, STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

_TORCH = r"(?:py)?torch"
# The build named without CUDA: "non-CUDA version of Torch", "CPU-only PyTorch", "torch
# without CUDA (support)", "CUDA-less torch", "a torch that has no CUDA".
_NO_CUDA_BUILD = re.compile(
    rf"\b(?:non[- ]?cuda|cuda[- ]?less|cpu[- ]only)\s+(?:(?:version|build|variant|wheel|copy)\s+of\s+)?{_TORCH}\b"
    rf"|\b{_TORCH}\s+(?:\w+\s+){{0,3}}?(?:without|with\s+no|lacking)\s+(?:any\s+)?cuda\b"
    rf"|\b{_TORCH}\s+(?:\(|\[)?(?:cpu[- ]only|non[- ]?cuda)\b"
    # Korean "CPU 버전" (version) / Japanese "CPU版" after the words were split by a space
    r"|\bcpu\s*(?:전용\s*)?버전|\bcpu\s*専用", _I)
# The build got onto the machine.
_HAPPENED = re.compile(r"\b(?:install\w*|forc\w*|replac\w*|downgrad\w*|overwr\w*|pull\w*\s+in|pulled|swapp?\w*|"
                       r"switch\w*|got|ended\s+up|came\s+with|brought)\b|安装|装了|インストール|入って|설치", _I)
_DENIED = re.compile(r"(?:\bnot\b|n't\b|\binstead\s+of\b|\brather\s+than\b|\bno\s+longer\b|\bavoid\w*|\bprevent\w*)"
                     r"[^.;!?。]{0,30}$", _I)
# Korean and Japanese deny after the noun: "CPU 버전이 아니라" (not the CPU version), "CPU版ではない".
_DENIED_AFTER = re.compile(r"^[^.;!?。]{0,8}(?:아니|않|ではな|じゃな)")


def _asked(line: str, end: int) -> bool:
    rest = line[end:]
    stop = re.search(r"[.!;。\n]", rest)
    return "?" in (rest[:stop.start()] if stop else rest) or "？" in rest[:40]


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing("cuda", "cpu"):
        line = doc.lines[i]
        if len(line) > 600 or "==" in line or "--" in line:
            continue  # a log or a command line: their own readers read those
        m = _NO_CUDA_BUILD.search(line)
        if (not m or not _HAPPENED.search(line) or _DENIED.search(line[:m.start()])
                or _DENIED_AFTER.search(line[m.end():]) or _asked(line, m.end())):
            continue
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=OUTCOME,
               detail=f"{STATED_DETAIL}: CPU-only build ({line.strip()[:200]})")
        f.set("torch.installed", True, i)
        break
    return f
