"""A compiled extension losing a symbol after torch changed, from the person's words
(``explain/parsers/extension_prose.py``, ``derived.extension_said``): "After upgrading torch to 2.4
the xformers import fails with undefined symbol".

An extension's binary links against the torch it was built for; a torch of another release lacks
some of its C++ symbols, so loading it fails with glibc's "undefined symbol"
(``extension_built_for_other_torch``). Only where the loader's own line with its symbol is not in
the text: there ``rules/linking.py`` reads whose symbol is missing (a CUDA library's, NCCL's or
MKL's is another cause). "likely": the person's account.

torch and torchvision (or torchaudio) named with their versions in one sentence
(``explain/parsers/companion_pair_said.py``): each companion series is built for one torch release
(``torch_releases.toml``), so a series of another release beside a failure the text shows is that
companion built for another torch. The listings' form is ``rules/listed_builds.py``'s.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.extension_said import companion_pair_said, extension_said
from envcheck.derived.machine import said_failing
from envcheck.knowledge.archs import major_minor
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding
from envcheck.rules.listed_builds import _SOURCE_BUILD, _torchaudio_for

# The loader entries of messages.toml that carry the symbol (rules/linking.py decides on them).
_WITH_SYMBOL = ("loader_undefined_symbol", "loader_nccl_symbol", "windows_procedure_not_found")
# A symbol as compilers and libraries name them (an underscore or a digit: "_ZN3c10…", "cudnnCreate_v8",
# "ncclCommRegister" aside): a retyped "undefined symbol: error" quotes no symbol.
_SYMBOL = re.compile(r"^(?=.*[_\d])[\w@.$]+$|^(?:cu|nccl|cublas|cudnn)[A-Z]\w+$")


def _symbol_shown(ctx: RuleContext) -> bool:
    for s in ctx.stated:
        if s.id in _WITH_SYMBOL:
            symbol = s.fact("loader.symbol")
            if s.id != "loader_undefined_symbol" or (symbol and _SYMBOL.match(str(symbol))):
                return True
    return False


def extension_lost_symbol_after_torch_changed(ctx: RuleContext) -> Iterator[Finding]:
    said = extension_said(ctx.facts)
    if said is None or _symbol_shown(ctx):
        return
    name, quote = said
    yield make("extension_built_for_other_torch",
               f"The text says {name} fails with an undefined symbol after torch changed: {name}'s compiled code was "
               "built against the torch that was there before, and this torch lacks some of its symbols. Install the "
               f"{name} build made for the installed torch (or rebuild it against it), or go back to the torch it was "
               "built for.", [("text", quote)], confidence=Confidence.LIKELY)


# The person's sentence with the pair saying something fails ("…, the demo crashes", "…，运行报错").
_FAILS = re.compile(r"\b(?:fail\w*|crash\w*|errors?|broken|does(?:n't| not) work|not working|segfault\w*|abort\w*)\b"
                    r"|报错|失败|错误|崩溃|エラー|오류|ошибк", re.I)


# A failure word denied just before it: "without any errors", "has not crashed once" (review of round 28).
_DENIED = re.compile(r"(?:\bwithout|\bno|\bnever|\bnot|n['’]t|\bzero)\s+(?:\w+\s+){0,2}$", re.I)


def _fails(words: str) -> bool:
    return any(not _DENIED.search(words[max(0, m.start() - 30):m.start()]) for m in _FAILS.finditer(words))


def companion_said_for_other_torch(ctx: RuleContext) -> Iterator[Finding]:
    said = companion_pair_said(ctx.facts)
    if said is None:
        return
    torch, name, version, words = said
    have, series = major_minor(torch.split("+")[0]), major_minor(version.split("+")[0])
    if have is None or series is None or _SOURCE_BUILD.search(torch) or _SOURCE_BUILD.search(version):
        return
    release = ctx.kb.release(have) if name == "torchvision" else None
    want = (release.torchvision if release is not None else None) if name == "torchvision" else _torchaudio_for(have)
    if not want or series == want:
        return
    if said_failing(ctx.facts) is None and not _fails(words) and not any(s.message.kind == "error" for s in ctx.stated):
        return  # the pair alone, nothing failing: no claim that it matters here
    built = next((r.version for r in ctx.kb.releases if r.torchvision == series), None) if name == "torchvision" else None
    yield make("extension_built_for_other_torch",
               f"The text names torch {torch} with {name} {version}: PyTorch {have} pairs with {name} {want}.x"
               f"{f', and {name} {series} is built for PyTorch {built}' if built else ''}, so its compiled ops do not "
               f"load into this torch. Install torch and {name} together from one index, in one command, so they match.",
               [("text", words)], confidence=Confidence.LIKELY)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (extension_lost_symbol_after_torch_changed, companion_said_for_other_torch)
