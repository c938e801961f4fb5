"""A CUDA toolkit (nvcc) or a TensorRT too old for the person's GPU, told in their own words:

* the toolkit or TensorRT as the subject: "CUDA 10.2 is too old for sm_86", "cuda 11.0 does not
  support 8.6", "TensorRT 8.4.1.5 doesn't support RTX 4080's SM", "my tensorrt version is too low to
  support RTX4090(Compute Capability 8.9)", "CUDA 11.7 is not supported on the 4090",
  "cuda10.2不支持3090";
* the GPU as the subject: "my current GPU does not support CUDA 8", "the RTX 3090 doesn't support
  CUDA 10".

Which way the lack goes is not the sentence's to say: "my GTX 680 doesn't support CUDA 12" is a GPU
too old for the toolkit. So the reader keeps the product, its release, the words naming the GPU or
architecture, and whether "too old / too low" was said; ``rules/toolkit_arch_said.py`` weighs the
release against the GPU's first CUDA (compute_capability table) and drops what the table denies.

Not read: a question ("does CUDA 11.0 support sm_86?", "…, right?"), a condition or advice ("if
CUDA 11 doesn't support …", "you should …"), a denial ("it's not that CUDA 11.8 doesn't support
…"), another machine or other people, a quoted reply ("> …"), a sentence that goes on to a change
already made ("…, so I installed 11.1") or a failure said to be over ("… now it works").

Also noted here: a build of compiled CUDA code said to fail, the compiler's words not in the text
(``parsers/build_failure_said.py``; round 28).

Recorded as notes (``derived.toolkit_arch_said``), one per sentence. Prose, not a tool's format:
the patterns below are people's phrasings, found by the literals of ``_NEEDLES`` first
(``doc.where``), then tried on those lines only.
"""

from __future__ import annotations

import re
from typing import List, Optional

from envcheck.derived.toolkit_arch_said import BUILD_FAILED_SAID, ArchClaim, claim_note
from envcheck.explain.parsers.build_failure_said import build_failed
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import ANOTHER_MACHINE, asked, not_here_now, sentence_around, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "toolkit arch said"
_I = re.IGNORECASE

# The product and its release ("my nvidia compiler", "the CUDA compiler": nvcc, round 28): "CUDA 11.0", "cuda11.8", "CUDA Toolkit 10.2", "nvcc 11.5", "TensorRT
# 8.4.1.5", "TRT 7.0", "tensorrt version" (no release). Not "pytorch-cuda", "CUDA_HOME", "cuda-toolkit-12-4".
_PRODUCT = (r"(?<![\w/=+.-])(?P<prod>cuda(?:\s?tool\s?kit)?|nvcc|tensor\s?rt|trt|(?:nvidia\s+(?:cuda\s+)?|cuda\s+)compiler)(?![A-Za-z_/=+-])"
            r"(?:[\s_-]*(?:versions?|ver\.?)?\s*[:=]?\s*v?(?P<rel>\d{1,2}(?:\.\d{1,2})?)(?:\.\d{1,4}){0,2}(?!\.?\d))?")
# The lack: "does not support", "doesn't yet support", "is too old for", "is too low to support",
# "is not supported on", "has no support for", "不支持", "太老", "版本过低".
_LACK = (r"(?:(?:does|do|did|can|will|would)\s*n[o'’]?t|cannot|won[’']t)\s+(?:yet\s+|even\s+|fully\s+|really\s+)?"
         r"support|(?:is|are|was|were|'s|’s)\s+(?:way\s+|much\s+)?too\s+(?P<old>old|low)\b"
         # "wasn't up to date enough to support blackwell chips", "is not new enough for sm_120" (round 28)
         r"|(?:is|are|was|were)\s*n[o'’]?t\s+(?P<enough>up[\s-]to[\s-]date|new|recent)\s+enough\s+(?:to\s+support|for)\b"
         r"|(?:is|are|was|were)\s*n?[o'’]?t\s+(?:yet\s+)?supported\s+(?:on|by|for|with)\b|(?:has|have)\s+no\s+support\s+for"
         r"|(?P<zh>不支持|不能支持|太老|太旧|太低|版本过低|版本太低|过旧)")
# Up to the sentence's end; a dot between digits ("8.6", "11.0") is no end.
_SAME_SENTENCE = r"(?:[^.;!?。！？\n]|\.(?=\d))"
_SUBJECT_FIRST = lazy(_PRODUCT + r"(?P<mid>" + _SAME_SENTENCE + r"{0,48}?)(?P<lack>" + _LACK + r")(?P<tgt>"
                      + _SAME_SENTENCE + r"{0,64})", _I)
# The GPU as the subject: "my (current) GPU / card", or a card's model, then "does not support CUDA 8".
_GPU_FIRST = lazy(r"(?P<tgt>\bmy\s+(?:current\s+|new\s+)?(?:gpu|card|graphics\s+card|video\s+card)"
                  r"|\b(?:geforce\s+)?(?:rtx|gtx|titan|quadro|tesla)\s*-?\s*[a-z]?\s*\d{2,4}\s*(?:ti|super)?\b"
                  r"|\b[ahlb]\d{2,3}\b)[^.;!?\n]{0,24}?\b(?:does|do|can|will)\s*n[o'’]?t\s+support\s+"
                  r"(?:the\s+)?(?:version\s+)?" + _PRODUCT, _I)
# A question put to the reader, a condition, advice, a denial, the lines of a quoted reply.
_NOT_A_REPORT = lazy(r"\bif\b|\bwhether\b|\bin\s+case\b|\bshould\b|\bsuggest\w*|\brecommend\w*|\bplease\b|\btry\b"
                     r"|\bnot\s+(?:true|the\s+case|because|that)\b|\bit'?s\s+not\s+that\b|\bdon'?t\s+think\b"
                     r"|\bnot\s+sure\b|\bdoubt\b|\bwonder\w*|\bdoes\s+it\s+mean\b|如果|是否"
                     # a comparison: "Unlike CUDA 10.2, which doesn't support sm_86, …" (round 26 review)
                     r"|\bunlike\b|\bcompared\s+(?:to|with)\b|\bas\s+opposed\s+to\b|不像", _I)
# The sentence tells of a change already made: "…, so I installed CUDA 11.1".
_CHANGED_AFTER = lazy(r"\b(?:so|therefore|thus|hence)\s+(?:i|we)\s+(?:have\s+|had\s+|then\s+)?"
                      r"(?:installed|upgraded|updated|switched|moved|changed|downgraded|built|rebuilt|compiled|set|used|use)\b",
                      _I)
_ELSEWHERE = lazy(ANOTHER_MACHINE, _I)
# Anywhere in the sentence: the lack said to be theory or expected, a choice ("that's expected", "on
# purpose", "in theory") - round 26 review.
_CHOSEN = lazy(r"\b(?:in\s+theory|theoretically|(?:that'?s|is|as)\s+expected|on\s+purpose|intentional\w*|by\s+design)\b", _I)
# After the lack, a clause naming another release as the one that works or is used: "but TensorRT 8.6
# does", "so the image uses CUDA 11.3", "but I'm on CUDA 10.2 now" (a comparison or a change, not
# this machine's state); the release is compared with the claim's (round 26 review).
_OTHER_RELEASE = lazy(r"(?:\b(?:but|so|hence|therefore|thus|which\s+is\s+why|that'?s\s+why|instead|i'?m|i\s+am|we'?re"
                      r"|(?:we|i)\s+(?:use|run))\b|所以|但是?|因此|于是|改用|换成)"
                      r"[^.;!?。！？\n]{0,80}?"
                      r"(?:(?<![\w/=+.-])(?:cuda(?:\s?tool\s?kit)?|nvcc|tensor\s?rt|trt)[\s_-]*|\b(?:on|to|uses?|using|running)\s+)"
                      r"v?(?P<r>\d{1,2}(?:\.\d{1,2})?)(?!\.?\d)"
                      r"|\bbut\s+(?:(?:cuda|tensor\s?rt|trt|nvcc)\s*)?v?(?P<s>\d{1,2}(?:\.\d{1,4})*)\s+(?:does|do|did)\b", _I)


def _other_release(line: str, start: int, release: str) -> bool:
    """Does the claim's sentence, from its product on (``start``), name another release as the working
    or chosen one?"""
    stop = re.search(r"[.;!?。！？](?=\s|$)", line[start:])
    for m in _OTHER_RELEASE.finditer(line[start:start + stop.start()] if stop else line[start:]):
        other = m.group("r") or m.group("s")
        if other.split(".")[0] != release.split(".")[0] or ("." in other and "." in release and other != release):
            return True
    return False
# Between the product and the lack, a word that makes something else the subject: the driver's CUDA
# ("CUDA 12.2 from the driver doesn't support …"), the GPU ("CUDA GPU is too old", Ollama's own log line).
_OTHER_SUBJECT = lazy(r"\b(?:driver|nvidia-smi|gpus?|cards?|devices?|graphics|hardware)\b|显卡|驱动", _I)
_NEEDLES = ("support", "too old", "too low", "enough for", "不支持", "太老", "太旧", "太低", "过低", "过旧")
_PRODUCTS = ("cuda", "nvcc", "tensor", "trt", "compiler")  # every _PRODUCT match holds one (lower case)


def _words(m: re.Match, group: str) -> str:
    return " ".join((m.group(group) or "").split()).replace("\u00a6", " ")[:64]


def _product(m: re.Match) -> str:
    p = m.group("prod").lower()
    return "tensorrt" if p.startswith(("tensor", "trt")) else "cuda"


def _release(m: re.Match) -> str:
    rel = m.group("rel") or ""
    return rel if "." in rel or not rel else f"{rel}.0"


def _claims(line: str) -> List[tuple]:
    """(start, end, product, release, target words, "too old" said) of each claim on ``line``."""
    if len(line) > 600 or line.lstrip().startswith(">"):
        return []
    low = line.lower()
    if not any(p in low for p in _PRODUCTS):
        return []  # a substring test first: most lines holding "support" name no toolkit (a log's "Unsupported …")
    out = []
    for m in _SUBJECT_FIRST.finditer(line):
        if _OTHER_SUBJECT.search(m.group("mid") or ""):
            continue  # "CUDA 12.2 from the driver doesn't support …", "CUDA GPU is too old": not the toolkit
        out.append((m.start(), m.end(), _product(m), _release(m), _words(m, "tgt"),
                    bool(m.group("old") or m.group("enough")
                         or (m.group("zh") or "") in ("太老", "太旧", "太低", "版本过低", "版本太低", "过旧"))))
    for m in (_GPU_FIRST.finditer(line) if "support " in low else ()):
        out.append((m.start(), m.end(), _product(m), _release(m), _words(m, "tgt"), False))
    return out


def _kept(line: str) -> Optional[List[tuple]]:
    kept = []
    for start, end, *rest in _claims(line):
        head = line[max(0, line.rfind(".", 0, start) + 1):start]
        if _NOT_A_REPORT.search(head) or _NOT_A_REPORT.search(line[start:end]) or asked(line, end, clause=False):
            continue
        sentence = sentence_around(line, start, end)
        if _CHANGED_AFTER.search(sentence) or not_here_now(line, start, end) or _ELSEWHERE.search(sentence):
            continue
        if _CHOSEN.search(sentence) or _other_release(line, start, rest[1]):
            continue
        kept.append((start, end, *rest))
    return kept or None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, claims in doc.where(_kept, *_NEEDLES, ignorecase=True):
        line = doc.lines[i]
        for start, end, product, release, target, old in claims:
            if working_after(doc.lines, i, start):
                continue
            quote = f"“{' '.join(line[start:end].split())[:160]}” (line {i + 1})"
            f.note(claim_note(ArchClaim(product, release, target, old, quote)))
    built = build_failed(doc)  # a build said to fail, the compiler's words not shown (round 28)
    if built is not None:
        f.note(BUILD_FAILED_SAID + built)
    return f
