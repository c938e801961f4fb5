"""What bitsandbytes' own CUDA setup says about why it runs without the GPU.

bitsandbytes loads one native library: ``libbitsandbytes_cudaXYZ`` for torch's CUDA
(``torch.version.cuda``, or ``BNB_CUDA_VERSION``), else its CPU library, and then warns
"compiled without GPU support" (bitsandbytes/cextension.py, cuda_setup/main.py; catalogue
block r12llm). That warning alone has several causes (no libcudart, no binary for this CUDA,
a package without CUDA binaries, a CPU-only torch), so it supports findings only weakly;
two of bitsandbytes' own lines name the cause, and these rules read them:

* "Could not find the bitsandbytes CUDA binary at …libbitsandbytes_cuda128.so" (0.43 to 0.44),
  "Configured CUDA binary not found at …" (0.45 on), "Required library version not found:
  libbitsandbytes_cuda121.so" (0.37 to 0.42): this bitsandbytes has no build for the CUDA
  torch was built with, an extension built for another torch/CUDA (the README's labelling:
  extension_built_for_other_torch, not cuda_library_missing);
* its CUDA setup not finding libcudart ("libcudart.so not found in any environmental path")
  *and* falling back to the CPU library: the CUDA runtime it needs is not on the loader path
  (cuda_library_missing). Without the fall-back the search often succeeds further on, so the
  search warning alone is no finding.

Both are likely, not confirmed: the text shows bitsandbytes' view, not the files on disk.
"""

from __future__ import annotations

import re
from typing import Iterator, List

from envcheck.derived.messages import Stated
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_FELL_BACK = ("bnb_compiled_without_gpu_support", "bnb_setup_failed_despite_gpu")
_BINARY = re.compile(r"libbitsandbytes_cuda(?P<cuda>\d{2,3})")


def _said(ctx: RuleContext, *ids: str) -> List[Stated]:
    return [s for s in ctx.stated if s.id in ids]


def _cuda_text(digits: str) -> str:
    """bitsandbytes' CUDA tag as a version: "128" -> "12.8", "92" -> "9.2"."""
    return f"{digits[:-1]}.{digits[-1]}"


def bnb_binary_for_other_cuda(ctx: RuleContext) -> Iterator[Finding]:
    said = _said(ctx, "bnb_cuda_binary_missing")
    if not said:
        return
    s = said[0]
    m = _BINARY.search(s.text)
    cuda = f" CUDA {_cuda_text(m.group('cuda'))}" if m else " this CUDA"
    yield make("extension_built_for_other_torch",
               f"bitsandbytes looked for its library for{cuda} (the CUDA torch was built with, or BNB_CUDA_VERSION if set) "
               "and this bitsandbytes release has none: it was built for other CUDA versions than this torch's, so 8-bit "
               "and 4-bit work runs without the GPU or fails. Upgrade bitsandbytes (python -m pip install -U bitsandbytes: "
               "newer releases ship libraries for newer CUDA), build it for torch's CUDA, or unset BNB_CUDA_VERSION if an "
               "old override asks for a CUDA it does not ship.",
               [quote(s)], confidence=Confidence.LIKELY)


def bnb_cudart_not_found(ctx: RuleContext) -> Iterator[Finding]:
    fell_back = _said(ctx, *_FELL_BACK)
    searched = _said(ctx, "bnb_cudart_not_found")
    if not fell_back or not searched or _said(ctx, "bnb_cuda_binary_missing"):
        return
    yield make("cuda_library_missing",
               "bitsandbytes' CUDA setup did not find the CUDA runtime (libcudart.so) and fell back to its CPU library: "
               "the libcudart it needs is not installed, or not where the loader looks (LD_LIBRARY_PATH, ldconfig's cache; "
               "a conda environment's lib/, or pip's nvidia-cuda-runtime wheel, which installs only libcudart.so.N).",
               [quote(searched[0]), quote(fell_back[0])],
               {"cuda_library": "libcudart.so"}, confidence=Confidence.LIKELY)


RULES = (bnb_binary_for_other_cuda, bnb_cudart_not_found)
