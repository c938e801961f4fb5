"""A PyTorch build that lacks the person's GPU, told in their own words, with no tool's line:

* "the version of torch installed does not work with the RTX 50XX", "PyTorch 2.5 doesn't support
  my RTX 5090 yet", "the current pytorch build is not compatible with my 5070 Ti", "The current
  installation … is not compatible with the RTX 5000 series due to needing a CUDA 12.8 version of
  Pytorch", "there is still no stable version of torch for the RTX 50XX series", "PyTorch doesn't support sm_120 yet", "torch 1.x is too
  old for the A100", "torch 2.9 does not support my GTX 1080"; "当前版本的torch不支持5090";
* a PyTorch built from source: "the source build one report … no kernel image", "I built pytorch
  from source", "compiled torch from source" (a source build has kernels only for its own
  TORCH_CUDA_ARCH_LIST, by default the building machine's GPU: ``rules/compat.py``).

The sentence must name the build (torch or PyTorch with a word of its version, release or install
within a few words: "the version of torch", "torch 2.5", "current PyTorch", "cu121 torch"), a GPU by
its model or architecture (RTX/GTX/TITAN/Tesla/Quadro and a number, "RTX 50 series", A100/H100,
Blackwell, sm_120), and the lack ("does not work with", "not compatible", "doesn't support", "no
stable version … for", "too old for"; hedged: "doesn't seem to work properly on", "doesn't want to
run on"). A binding that ships its own libtorch build (TorchSharp, LibTorch) names that build by
itself: "I'm using TorchSharp, but it doesn't seem to work properly on the RTX 5080 Super GPU". Not
from a question ("does torch 2.5 support the RTX 5090?"), advice or a condition ("if your torch does
not support …"), another machine, a failure said to be over ("… didn't work with my 5090, now it
works"), nor a sentence about a CPU-only build, the driver, another vendor's GPU (other causes with
their own readers), or an extension ("flash-attn does not support the RTX 5090 yet, the current
torch does": its own build). A source build only where the sentence names torch and no extension (a
flash-attn built from source is not torch's build) and does not deny it ("not a source build",
"instead of building from source").

Recorded as notes (``derived.torch_arch_said``), the first such sentence quoted; the rules make
"likely" findings.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.torch_arch_said import ARCH_SAID, SOURCE_BUILD_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_TORCH = r"(?:py)?torch"
# A word of the build: its version, release, install, variant.
_BUILD_WORD = (r"(?:versions?|builds?|releases?|install(?:ation|ed)?|wheels?|binar(?:y|ies)|stable|current|nightly"
               r"|cu\d{2,3}|cuda\s*\d{2}(?:\.\d)?|\d+\.\d+(?:\.\d+)?)")
# torch and a word of its build within a few words, either side: "the version of torch",
# "torch 2.5.1", "current PyTorch", "a CUDA 12.8 version of Pytorch"; CJK "torch版本", "版本的torch".
_TORCH_BUILD = lazy(rf"\b{_BUILD_WORD}\b\W*(?:\w+\W+){{0,3}}?{_TORCH}\b|\b{_TORCH}\b\W*(?:\w+\W+){{0,2}}?{_BUILD_WORD}\b"
                    rf"|{_TORCH}\s*(?:的)?\s*(?:版本|バージョン|버전)|(?:版本|バージョン|버전)\s*(?:的|の)?\s*{_TORCH}", _I)
# A GPU by model or architecture: "RTX 5090", "RTX 50XX", "RTX 5000 series", "GTX 1080 Ti", "Tesla
# K80", "A100", "H100", "Blackwell", "sm_120", a bare "5070 Ti" / "4090".
_GPU = lazy(r"\b(?:geforce\s+)?(?:rtx|gtx|titan|quadro|tesla)\s*-?\s*(?:[a-z]\s*)?\d{2,4}\w*"
            r"|\b(?:blackwell|hopper|ada\s+lovelace|ampere|turing|volta|pascal|maxwell|kepler)\b"
            r"|\bsm_?\d{2,3}\b|\b[ahlbtvpk]\d{2,3}\b|\b[1-5]0[5-9]0(?:\s*ti)?\b|\d0系", _I)
# The lack: "does not work with", "isn't compatible", "doesn't support", "no stable version … for",
# "too old for", "no longer supports"; Chinese, Japanese, Korean "does not support".
# "doesn't seem to work", "doesn't want to be compatible", "does not appear to run" (round 25: a
# person's hedge of the same lack).
_SEEM = r"(?:seem|want|appear)s?\s+to\s+"
_LACKS = lazy(r"\b(?:does|do|did|is|are|was|were|will|would|can)\s*(?:not|n't)\s+"
              r"(?:yet\s+|even\s+|really\s+|" + _SEEM + r")?(?:be\s+)?"
              r"(?:work|run|compatible|support|supported|comply)\w*"
              r"|\b(?:doesn't|don't|didn't|isn't|aren't|wasn't|won't|can't|cannot)\s+(?:yet\s+|even\s+|" + _SEEM + r")?(?:be\s+)?"
              r"(?:work|run|compatible|support|supported|comply)\w*"
              r"|\bnot\s+(?:yet\s+)?(?:compatible|supported)\b|\bincompatible\b|\bunsupported\b"
              r"|\bno\s+(?:\w+\s+){0,2}?(?:support|build|version|release|wheel)s?\s+(?:of\s+(?:py)?torch\s+)?(?:yet\s+)?for\b"
              r"|\btoo\s+(?:new|old)\s+for\b|不支持|不兼容|未対応|非対応|지원하지\s*않|호환되지\s*않"
              # The build said not to hold the GPU's kernels, or to have lost them (round 27): "the
              # PyTorch 2.7.1 binary … does not contain sm_61" (deepbeepmeep/Wan2GP#1933), "the wheels
              # dropped sm_61 support", "torch 2.8 no longer includes Pascal", "removed support for the
              # GTX 10 series"; "不再支持" (no longer supports).
              r"|\b(?:does|do|did)\s*(?:not|n't)\s+(?:contain|include|ship|carry|have)\w*(?:\s+(?:kernels?|support)\s+for)?"
              r"|\b(?:doesn't|don't|didn't)\s+(?:contain|include|ship|carry|have)\w*(?:\s+(?:kernels?|support)\s+for)?"
              r"|\blacks?\b(?:\s+(?:kernels?|support)\s+for)?"
              r"|\bno\s+longer\s+(?:supports?|includes?|contains?|ships?|has|works?)\b(?:\s+(?:kernels?|support)\s+for)?"
              r"|\b(?:dropped|removed|deprecated)\b(?:\s+(?:the\s+)?support(?:\s+for)?)?|不再支持|移除了?对", _I)
# The lack said to be temporary ("doesn't support sm_120 yet", "not yet supported", "还不支持"): the
# release lacks the GPU, which names the build as well as a version does.
_YET = lazy(r"\byet\b|还不支持|尚不支持|暂不支持|まだ", _I)
# Another cause, with its own reader: a CPU-only build, the driver, another vendor's GPU or Apple's.
_OTHER_CAUSE = lazy(r"\bcpu\b|\bdriver|\brocm\b|\bamd\b|\bradeon\b|\bmps\b|\bmac(?:os|book)?\b|\bintel\b|\bdirectml\b", _I)
# A source build of torch.
_SOURCE_BUILD = lazy(r"\bsource[- ]builds?\b|\b(?:built|build|building|compiled|compile|compiling)\s+(?:\w+\s+){0,3}?"
                     r"from\s+(?:the\s+)?sources?\b|\bfrom[- ]source\s+builds?\b", _I)
# An extension's or another program's build, not torch's: "built flash-attn from source".
_OTHER_BUILD = lazy(r"flash|xformers|apex|mmcv|detectron|vllm|bitsandbytes|deepspeed|extension|tensorflow|jax"
                    r"|llama|ggml|onnx|tensorrt|triton|\b(?:custom|cuda|own)\s+(?:ops?|kernels?)\b", _I)
# Releases other than the one installed, the lack told as history: "old versions of torch do not support the
# RTX 5090", "earlier releases lack sm_120", "torch < 2.7 doesn't support Blackwell" (review of round 23),
# unless the person says the old one is theirs ("my older torch version", "the old build I have installed").
_OTHER_RELEASES = lazy(r"\b(?:old|older|earlier|previous|prior|past)\s+(?:\w+\s+){0,2}?(?:versions?|builds?|releases?|wheels?"
                       r"|binar(?:y|ies))\b|\b(?:versions?|releases?|builds?)\s+(?:before|prior\s+to|older\s+than|below|<)\s*v?\d"
                       r"|\b(?:py)?torch\s*<=?\s*\d", _I)
_MINE = lazy(r"\b(?:my|our|installed|i\s+have|i'?m\s+(?:on|using)|we\s+have)\b", _I)
_DENIED = lazy(r"(?:\bnot|n't|\bnever|\binstead\s+of|\bwithout|\brather\s+than|\bno)\s+(?:\w+\s+){0,3}$", _I)
_TORCH_WORD = lazy(rf"\b{_TORCH}\b", _I)
# A binding that ships one libtorch build of its own (TorchSharp's libtorch-cuda-12.1, a downloaded
# LibTorch): named, it names that build ("I'm using TorchSharp, but it doesn't seem to work properly
# on the RTX 5080 Super GPU": dotnet/TorchSharp#1459, its libtorch built with CUDA 12.1).
_BINDING = lazy(r"\b(?:torchsharp|libtorch)\b", _I)
# The person gives the lack another reason, after it in the sentence: "… does not work properly on
# the RTX 4060 laptop because the batch size is too large for 8 GB". A reason naming the build, CUDA,
# the architecture or support is this cause ("… not compatible with the RTX 5000 series due to
# needing a CUDA 12.8 version of Pytorch") (review of round 25).
_REASON = lazy(r"\b(?:because|due\s+to|caused\s+by)\b", _I)
_BUILD_REASON = lazy(rf"{_TORCH}|\bcuda|\bcu\d{{2,3}}\b|\bsm_?\d|\barch|\bkernel|\bsupport|\bcompat|\bbuil[dt]|\bwheel"
                     r"|\bversion|\brelease|\bnew|\bold|\bblackwell|\bcapabilit", _I)
# One sentence: split at . ! ; and the CJK stops, not at a dot inside a version ("torch 2.5.1").
_SENTENCE = lazy(r"(?:[^.!;?。！；？\n]|\.(?=\S))+[.!;?。！；？]?")


def _here(line: str, start: int, end: int) -> bool:
    """The claim at ``line[start:end]`` is about this machine now: no question, advice, other machine."""
    return not (asked(line, end, clause=False) or general_statement(line, start, end) or not_here_now(line, start, end))


# Every alternative of _LACKS holds one of these (lowercased): the cheap look before the patterns,
# which most of a long paste's torch lines (traceback frames) fail.
_LACK_WORDS = ("not", "n't", "incompatib", "unsupport", "too ", "no ", "lack", "dropped", "removed", "deprecated",
               "不支持", "不兼容", "不再支持", "移除", "対応", "지원", "호환")


# The GPU must be what the lack is about: right after it ("does not work with the RTX 50XX", "doesn't
# support my RTX 5070 Ti", "no stable version of torch for the RTX 50XX") or right before it ("RTX 5080 is
# not supported by …"); "does not work with numpy 2 on my 4090" is about numpy.
# An adverb may stand between ("doesn't seem to work properly on the RTX 5080"); not "correctly" nor
# "well": wrong numbers or slowness, the kernels ran ("PyTorch 1.8.1 doesn't work correctly on the
# RTX 3090: the results are totally different", pytorch/pytorch#58434, tf32; review of round 25).
_AFTER_LACK = lazy(r"\s*(?:yet\s+)?(?:(?:properly|at\s+all)\s+)?(?:(?:with|on|for|in|by)\s+)?"
                   r"(?:(?:the|my|a|an|this|our|new|nvidia|geforce)\s+){0,3}$", _I)
# The GPU may carry its architecture in brackets before the lack: "Blackwell (sm_120) is not supported
# by my installed torch 2.4" (round 27).
_BEFORE_LACK = lazy(r"^[\s\w-]{0,24}$|^\s*\([\w .-]{1,24}\)[\s\w-]{0,24}$", _I)


# Round 27's words of a build that lacks or lost something ("lacks", "does not contain / have",
# "dropped", "removed", "deprecated", "no longer has / includes") take what is lacking as their
# object: the GPU right after them ("dropped sm_61", "lacks sm_120", "no longer includes Pascal") or
# after "support / kernels for". Not the GPU behind a preposition ("speed dropped on my RTX 4090",
# "deprecated on my RTX 3090": a measurement or a warning on a working GPU), nor the GPU as their
# subject ("the GTX 1080 lacks tensor cores", "my RTX 3060 doesn't have the VRAM"): what the GPU
# lacks. "dropped / removed / deprecated" may follow the GPU in the passive ("Pascal support was
# dropped", "the GTX 1080 was removed from the wheels").
_OBJECT_LACK = lazy(r"^(?:lacks?|dropped|removed|deprecated|(?:does|do|did)\s*(?:not|n't)\s+(?:contain|include|ship|carry|have)\w*"
                    r"|(?:doesn't|don't|didn't)\s+(?:contain|include|ship|carry|have)\w*"
                    r"|no\s+longer\s+(?:has|includes?|contains?|ships?))$", _I)
_AFTER_OBJECT = lazy(r"\s*(?:(?:the|my|a|an|this|our|nvidia|geforce)\s+){0,3}$", _I)
# The GPU as a modifier of what was dropped or lacked, not the object itself: "dropped my RTX 3090 from
# 10 it/s to 7", "dropped the RTX 4090's throughput", "no longer has the RTX 4090 memory leak".
_NOT_OBJECT_END = lazy(r"(?:'s|’s)\b|\s+(?:from|to|by)\s+[~\d]|(?:\s+\w+){0,2}?\s+(?:memory|vram|throughput|speed|performance"
                       r"|perf|bug|leak|issue|problem|regression|latency|utili[sz]ation|usage|temperature|power|clocks?|fans?"
                       r"|crash\w*|error|warning|slowdown)\b", _I)
# The passive is the build's only where support is its subject or the build follows ("Pascal support was
# dropped", "the GTX 1080 was dropped from the current torch wheels"), not "the RTX 3090 was removed from
# the server" (the card taken out).
_PASSIVE_BUILD = lazy(r"\s+(?:from|in|by|with)\s+(?:the\s+|this\s+)?(?:(?:latest|current|new|newest|stable|nightly|recent)\s+)?"
                      r"(?:(?:py)?torch|wheels?|builds?|binar\w+|releases?|versions?|cu\d{2,3}|arch\w*|\d)", _I)
_PASSIVE_BEFORE = lazy(r"^[\s\w-]{0,24}\b(?:was|were|is|are|been|got|gets|get)\s+$", _I)


def _about_gpu(s: str, lack: re.Match) -> bool:
    bare = _OBJECT_LACK.match(lack.group(0)) is not None
    passive = bare and lack.group(0).lower() in ("dropped", "removed", "deprecated")
    for g in _GPU.finditer(s):
        if g.start() >= lack.end() and (_AFTER_OBJECT if bare else _AFTER_LACK).match(s[lack.end():g.start()]) \
                and not (bare and _NOT_OBJECT_END.match(s, g.end())):
            return True
        if g.end() <= lack.start() and (not bare or passive) and (
                _PASSIVE_BEFORE if bare else _BEFORE_LACK).match(s[g.end():lack.start()]) and (
                not passive or "support" in s[g.end():lack.start()].lower() or _PASSIVE_BUILD.match(s, lack.end())):
            return True
    return False


def _arch_sentence(line: str) -> Optional[re.Match]:
    """The first sentence of ``line`` saying the installed torch build lacks a named GPU."""
    if len(line) > 600:
        return None  # a log line or a dump, not a person's sentence
    low = line.lower()
    if not any(w in low for w in _LACK_WORDS):
        return None
    for m in _SENTENCE.finditer(line):
        s = m.group(0)
        lack = _LACKS.search(s)
        build = _TORCH_BUILD.search(s) or (_YET.search(s) and _TORCH_WORD.search(s)) or _BINDING.search(s)
        if lack is None or not build or not _about_gpu(s, lack) or _OTHER_CAUSE.search(s) or _OTHER_BUILD.search(s):
            continue
        if _OTHER_RELEASES.search(s) and not _MINE.search(s[:lack.start()]):
            continue
        why = _REASON.search(s, lack.end())
        if why and not _BUILD_REASON.search(s, why.end()):
            continue
        if "?" in s[lack.end():] or "？" in s[lack.end():]:
            continue  # a question, its "?" after a version's dot ("… not supported by torch 2.4?"), which
            # asked() would take for the sentence's end
        at, to = m.start() + lack.start(), m.start() + lack.end()
        # "no longer supports" is the lack itself, not a failure said to be over ("it no longer
        # fails"), which not_here_now looks for in the whole sentence: blank the lack's own words
        seen = line[:at] + " " * (to - at) + line[to:] if lack.group(0).lower().startswith("no") else line
        if _here(seen, at, to):
            return m
    return None


def _source_sentence(line: str) -> Optional[re.Match]:
    """The first sentence of ``line`` saying its torch was built from source."""
    if len(line) > 600:
        return None
    for m in _SENTENCE.finditer(line):
        s = m.group(0)
        b = _SOURCE_BUILD.search(s)
        if b is None or not _TORCH_WORD.search(s) or _OTHER_BUILD.search(s) or _DENIED.search(s[:b.start()]):
            continue
        if _here(line, m.start() + b.start(), m.start() + b.end()):
            return m
    return None


def _quote(doc: Pasted, i: int, m: re.Match) -> str:
    return f"“{' '.join(m.group(0).split())[:160]}” (line {i + 1})"


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, m in doc.where(_arch_sentence, "torch", ignorecase=True):
        if not working_after(doc.lines, i, m.start()):
            f.note(f"{ARCH_SAID}{_quote(doc, i, m)}")
            break
    for i, m in doc.where(_source_sentence, "source", ignorecase=True):
        f.note(f"{SOURCE_BUILD_SAID}{_quote(doc, i, m)}")
        break
    return f
