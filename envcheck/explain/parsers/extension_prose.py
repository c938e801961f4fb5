"""A compiled PyTorch extension failing with an undefined symbol after torch changed, told in the
person's words without the symbol: "After upgrading torch to 2.4 the xformers import fails with
undefined symbol", "after install vllm==0.8.5, the version of torch becomes 2.6.0, then get
`flash_attn_2_cuda.cpython-311-x86_64-linux-gnu.so: undefined symbol:` error again", "升级torch后
torch_scatter报 undefined symbol".

"undefined symbol" is glibc's (elf/dl-lookup.c); with its symbol the loader entries of messages.toml
read it and rules/linking.py decides whose symbol it is (a CUDA library's is another cause). Here
the symbol is not there, so the sentence must name the extension (xFormers, flash-attn, PyG's
torch-scatter/sparse/cluster, mmcv, detectron2, apex, vLLM, torchvision, torchaudio, pytorch3d, …)
and, in it or the two lines before, that torch itself changed (upgraded, downgraded, reinstalled,
"the version of torch becomes 2.6.0", "torch was replaced"). Not from a question, advice, another
machine, or a failure said to be over ("after reinstalling torch the undefined symbol went away").

Recorded as a note (``derived.extension_said``), the first such sentence quoted;
``rules/extension_said.py`` makes the "likely" finding.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.extension_said import EXTENSION_TORCH_CHANGED
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# Compiled extensions built against one torch (their .so files: flash_attn_2_cuda, torch_scatter's
# _version_cuda, mmcv's _ext, detectron2's _C, vllm's _C, xformers' _C).
_EXTENSION = lazy(r"\b(?:xformers|flash[-_ ]?attn\w*|flash[-_ ]attention|torch[-_](?:scatter|sparse|cluster|spline[-_]conv)"
                  r"|pyg[-_]lib|mmcv\w*|detectron2|apex|vllm|torchvision|torchaudio|pytorch3d|deepspeed|spconv"
                  r"|mamba[-_]ssm|causal[-_]conv1d|sageattention|nunchaku|gsplat|tiny[-_]?cuda[-_]?nn|torch[-_]?points[-_]kernels)\b", _I)
# glibc's words, the symbol not required.
_UNDEFINED = lazy(r"\bundefined\s+symbol\b", _I)
# torch itself changed: "upgrading torch", "reinstalled pytorch", "torch was downgraded", "the version
# of torch becomes 2.6.0", "torch got replaced", "升级torch", "torch更新".
_TORCH_CHANGED = lazy(
    r"\b(?:upgrad|downgrad|updat|reinstall|re-install|switch|chang|replac|bump)\w*\s+(?:\w+\s+){0,3}?(?:py)?torch\b"
    r"|\b(?:py)?torch\s+(?:\w+\s+){0,3}?(?:becomes?|became|was\s+(?:upgraded|downgraded|updated|replaced|changed|reinstalled)"
    r"|got\s+(?:upgraded|downgraded|updated|replaced|changed)|(?:is|was)\s+now\s+\d|changed|upgraded|downgraded)\b"
    r"|\b(?:degrade|downgrade|upgrade|update)\s+(?:py)?torch\b"
    r"|(?:升级|降级|更新|重装)\s*(?:了\s*)?(?:py)?torch|(?:py)?torch\s*(?:版本)?\s*(?:升级|降级|更新)", _I)
# Advice or a warning to others, not the person's run (review of round 23): "After upgrading torch, remember
# to rebuild flash-attn, otherwise you get undefined symbol", "Note for others: … unless you reinstall xformers".
_ADVICE = lazy(r"\b(?:remember|make\s+sure|be\s+sure|don'?t\s+forget|otherwise|unless|note\s+(?:for|to)\s+(?:others|everyone"
               r"|anyone)|tip|you(?:'ll|\s+will|\s+may|\s+might|\s+would)?\s+get)\b", _I)
_SENTENCE = lazy(r"(?:[^.!;?。！；？\n]|\.(?=\S))+[.!;?。！；？]?")


def _said(line: str) -> Optional[Tuple[str, re.Match]]:
    """(the extension, the sentence's match) where a sentence of ``line`` names an extension and an
    undefined symbol."""
    if len(line) > 600:
        return None
    for m in _SENTENCE.finditer(line):
        s = m.group(0)
        u = _UNDEFINED.search(s)
        exts = list(_EXTENSION.finditer(s)) if u is not None else []
        if not exts:
            continue
        # the one whose load failed: named last before glibc's words ("after install vllm …, then get
        # flash_attn_2_cuda….so: undefined symbol"), else the first after them
        before = [e for e in exts if e.start() < u.start()]
        ext = before[-1] if before else exts[0]
        a, b = m.start() + u.start(), m.start() + u.end()
        if asked(line, b, clause=False) or general_statement(line, a, b) or not_here_now(line, a, b) \
                or _ADVICE.search(line[:m.end()]):
            continue
        return ext.group(0), m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, (name, m) in doc.where(_said, "undefined symbol", ignorecase=True):
        if i in doc.enclosed or working_after(doc.lines, i, m.start()):
            continue
        before = " ".join(doc.lines[max(0, i - 2):i])
        if not (_TORCH_CHANGED.search(m.group(0)) or _TORCH_CHANGED.search(before[-400:])):
            continue
        f.note(f"{EXTENSION_TORCH_CHANGED}{name} — “{' '.join(m.group(0).split())[:160]}” (line {i + 1})")
        return f
    return f
