"""A person saying, in their own words, that a compiled PyTorch extension fails with an undefined
symbol after torch itself changed ("After upgrading torch to 2.4 the xformers import fails with
undefined symbol", "after install vllm==0.8.5, the version of torch becomes 2.6.0, then get
`flash_attn_2_cuda….so: undefined symbol:` error again"), read by
``explain/parsers/extension_prose.py`` and judged by ``rules/extension_said.py``.

The loader's own line with its symbol is read from ``messages.toml`` (``rules/linking.py`` weighs
whose symbol it is); this is what is left when the symbol is not in the text. It is kept as a note
on the facts (as ``facts.SAID_FAILING`` is), not as a reading: the person's account, quoted, and a
finding on it is "likely".
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

EXTENSION_TORCH_CHANGED = "the text says an extension lost a symbol after torch changed: "


def extension_said(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the extension named, the person's words quoted with their line), or None."""
    return named_note(facts, EXTENSION_TORCH_CHANGED)


COMPANION_PAIR_SAID = "the text says torch with a companion's version: "


def companion_pair_said(facts: Facts) -> Optional[Tuple[str, str, str, str]]:
    """(torch's version, "torchvision" / "torchaudio", its version, the person's words quoted with their
    line) from ``explain/parsers/companion_pair_said.py``, or None."""
    said = named_note(facts, COMPANION_PAIR_SAID)
    if said is None:
        return None
    pair, words = said
    m = re.match(r"torch (\S+) \| (torchvision|torchaudio) (\S+)$", pair)
    return (m.group(1), m.group(2), m.group(3), words) if m else None
