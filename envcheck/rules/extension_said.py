"""A compiled extension losing a symbol after torch changed, from the person's words
(``explain/parsers/extension_prose.py``, ``derived.extension_said``): "After upgrading torch to 2.4
the xformers import fails with undefined symbol".

An extension's binary links against the torch it was built for; a torch of another release lacks
some of its C++ symbols, so loading it fails with glibc's "undefined symbol"
(``extension_built_for_other_torch``). Only where the loader's own line with its symbol is not in
the text: there ``rules/linking.py`` reads whose symbol is missing (a CUDA library's, NCCL's or
MKL's is another cause). "likely": the person's account.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.extension_said import extension_said
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

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


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (extension_lost_symbol_after_torch_changed,)
