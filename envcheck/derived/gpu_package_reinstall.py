"""A person saying that reinstalling a framework's GPU package is what made it use the GPU ("To run
on the GPU you need to uninstall and re-install onnxruntime-gpu", danielgatis/rembg#483; "pip install
--force-reinstall onnxruntime-gpu fixed it"; "重新安装onnxruntime-gpu后就能用GPU了"), read by
``explain/parsers/framework_reinstall_said.py``.

Reinstalling a package that is installed changes nothing unless another package wrote over its
files: for the frameworks whose CPU and GPU packages unpack one module (ONNX Runtime, PaddlePaddle,
Faiss), the CPU package did, and the reinstall put the GPU build back until the CPU package is
installed again. ``rules/framework_packages.py`` reads it beside the GPU package. Kept as a note
naming the GPU package, then the person's words: their account, so a finding on it is "likely".
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

REINSTALL_SAID = "the text says reinstalling the GPU package made the framework use the GPU: "


def gpu_reinstall_said(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the GPU package named, the words quoted with their line), or None."""
    return named_note(facts, REINSTALL_SAID)
