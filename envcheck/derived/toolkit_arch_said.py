"""A person saying, in their own words, that the CUDA toolkit (nvcc) or TensorRT they run is too old
for their GPU: "CUDA 10.2 is too old for sm_86", "cuda 11.0 does not support 8.6", "TensorRT
8.4.1.5 doesn't support RTX 4080's SM", "my tensorrt version is too low to support RTX4090", "my
current GPU does not support CUDA 8" (read by ``explain/parsers/toolkit_arch_said.py``).

Kept as notes on the facts, one per sentence, as ``derived.torch_arch_said`` keeps its own: the
person's account, quoted. ``rules/toolkit_arch_said.py`` weighs each against the
compute_capability table (a CUDA release at or past the GPU's first CUDA makes the claim wrong,
and it is dropped) and makes a "likely" finding of what holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

TOOLKIT_ARCH_SAID = "the text says a toolkit is too old for the GPU: "
_SEP = " \u00a6 "  # a broken bar: the fields before the quote never hold one (the reader drops it)


@dataclass(frozen=True)
class ArchClaim:
    product: str  # "cuda" (the toolkit, nvcc) or "tensorrt"
    release: str  # "11.0", "8.4", or "" when the sentence gives none
    target: str  # the words naming the GPU or architecture ("sm_86", "RTX 4080's SM"), or ""
    old_said: bool  # "too old" / "too low" said outright
    quote: str  # the sentence, quoted with its line


def claim_note(claim: ArchClaim) -> str:
    return TOOLKIT_ARCH_SAID + _SEP.join((claim.product, claim.release, claim.target, "1" if claim.old_said else "",
                                          claim.quote))


def arch_claims(facts: Facts) -> List[ArchClaim]:
    """Every such sentence of the text, in order."""
    out = []
    for n in facts.notes:
        if not n.startswith(TOOLKIT_ARCH_SAID):
            continue
        parts = n[len(TOOLKIT_ARCH_SAID):].split(_SEP, 4)
        if len(parts) == 5:
            out.append(ArchClaim(parts[0], parts[1], parts[2], parts[3] == "1", parts[4]))
    return out


# A person saying that building compiled CUDA code fails, the compiler's message not in the text
# ("whern i install tiny_cuda_nn,there have a erroe"; explain/parsers/build_failure_said.py).
BUILD_FAILED_SAID = "the text says building compiled CUDA code fails: "


def build_failed_said(facts: Facts) -> Optional[str]:
    """The person's sentence quoted with its line, or None."""
    return note_after(facts, BUILD_FAILED_SAID)
