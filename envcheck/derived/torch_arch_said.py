"""A person saying, in their own words, that the installed PyTorch has no build for their GPU ("the
version of torch installed does not work with the RTX 50XX", "not compatible with the RTX 5000
series due to needing a CUDA 12.8 version of Pytorch", "there is still no stable version of torch
for the RTX 50XX series"), or that the PyTorch in use was built from source ("the source build
one report … no kernel image"), read by ``explain/parsers/torch_arch_prose.py``.

``rules/torch_arch_said.py`` judges the first (which way, too new or too old, from the GPU against
the wheels in the tables); ``rules/compat.py`` reads the second beside "no kernel image": a
source build has kernels only for the architectures it was compiled for, so its age against the
released wheels says nothing. Both are kept as notes on the facts (as ``facts.SAID_FAILING`` is),
not as readings: they are the person's account, quoted, and a finding on them is "likely".
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

ARCH_SAID = "the text says this PyTorch has no build for the GPU: "
SOURCE_BUILD_SAID = "the text says this PyTorch was built from source: "


def arch_said(facts: Facts) -> Optional[str]:
    """The person's sentence that their PyTorch lacks their GPU, quoted with its line, or None."""
    return note_after(facts, ARCH_SAID)


def source_build_said(facts: Facts) -> Optional[str]:
    """The person's sentence that their PyTorch was built from source, quoted with its line, or None."""
    return note_after(facts, SOURCE_BUILD_SAID)
