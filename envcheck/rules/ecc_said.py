"""Whether a person's "uncorrectable ECC errors" is about a GPU at all.

ECC is as much the server's memory as the GPU's: "longma has a failed DIMM throwing
uncorrectable ECC errors". Where the text tells of ECC errors in the host's own memory (a
DIMM, the system RAM, EDAC: a note explain/parsers/ecc_prose.py leaves, derived/host_ecc_note.py),
a bare "uncorrectable ECC errors" read from the same kind of sentence is the host's, not a
GPU's, unless the claim's own words name the GPU ("GPU 2 has uncorrectable ECC errors",
"显卡报 ECC 错误"). A counter (nvidia-smi's, DCGM's) is always the GPU's and is not asked
about here.
"""

from __future__ import annotations

import re

from envcheck.derived.host_ecc_note import host_ecc_said
from envcheck.facts import Facts, GpuFacts

# The GPU named in the person's words (ecc_prose keeps the sentence as the claim's detail).
_GPU_WORD = re.compile(r"\b(?:GPUs?|cards?|VRAM|HBM\w*|nvidia|cuda)\b|显卡|显存|顯示卡|グラフィック|그래픽", re.IGNORECASE)


def gpu_told(facts: Facts, g: GpuFacts) -> bool:
    """A person's ECC claim is the GPU's: no host memory error is told, or the claim names the GPU."""
    if host_ecc_said(facts) is None:
        return True
    return bool(_GPU_WORD.search((g.ecc_aggregate_uncorrected.detail or "").split(": ", 1)[-1]))
