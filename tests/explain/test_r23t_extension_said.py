"""Round 23 t: a compiled extension failing with an undefined symbol after torch changed, told
without the symbol (explain/parsers/extension_prose.py, rules/extension_said.py). Shape of
ltzheng/SimpleTIR#29 ("after install vllm==0.8.5, the version of torch becomes 2.6.0, then get
`flash_attn_2_cuda….so: undefined symbol:` error again"). Near-misses: no torch change said, the
failure said over, a question, another machine, advice, and the loader's own line with a CUDA
library's symbol (rules/linking.py's). Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

EXT = "extension_built_for_other_torch"


@pytest.mark.parametrize("paste", [
    "After upgrading torch to 2.4 the xformers import fails with undefined symbol.",
    "After install vllm==0.8.5, the version of torch becomes 2.6.0, then get "
    "`flash_attn_2_cuda.cpython-311-x86_64-linux-gnu.so: undefined symbol:` error again.",
    "I reinstalled pytorch yesterday.\nNow torch_scatter gives undefined symbol when imported.",
    "升级torch后 torch_scatter 报 undefined symbol",
])
def test_extension_lost_symbol_after_torch_changed(paste):
    f = findings(paste)
    assert EXT in f, sorted(f)
    assert f[EXT].confidence.value == "likely"


def test_names_the_extension_that_failed():
    f = findings("After install vllm==0.8.5, the version of torch becomes 2.6.0, then flash_attn_2_cuda.so gives "
                 "undefined symbol.")
    assert "flash_attn_2_cuda" in f[EXT].explanation


@pytest.mark.parametrize("paste", [
    # no torch change said
    "I installed xformers and its import fails with undefined symbol.",
    # over, asked, elsewhere, advice
    "After upgrading torch the xformers undefined symbol went away.",
    "After upgrading torch, why does xformers give undefined symbol?",
    "After upgrading torch, xformers gives undefined symbol on my other machine; this one is fine.",
    "If xformers gives undefined symbol after you upgrade torch, reinstall xformers.",
])
def test_no_claim(paste):
    f = findings(paste)
    assert EXT not in f, sorted(f)
    assert not errors(paste)


def test_loader_line_with_a_cuda_symbol_decides():
    paste = ("After upgrading torch, importing xformers fails:\nImportError: /venv/lib/python3.10/site-packages/"
             "nvidia/cusparse/lib/libcusparse.so.12: undefined symbol: __nvJitLinkComplete_12_4, version "
             "libnvJitLink.so.12")
    f = findings(paste)
    assert EXT not in f or "text says" not in f[EXT].explanation
