"""A person's word that other containers on the same host get the GPU, kept as a note.

"All other GPU containers on the server are running fine", "my other containers can use the GPU",
"the GPU works in other containers", 其他容器都能正常使用 GPU: the host's driver and its NVIDIA
Container Toolkit answer a GPU request, so a container of that host which gets no GPU was started
without one (``rules/container_others``). ``explain/parsers/container_others.py`` reads the sentence
and records it as a note starting with :data:`OTHERS_GET_GPU` (the person's account, quoted, not a
reading of the machine: it says nothing of the container that fails).
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

OTHERS_GET_GPU = "the text says other containers on this host get the GPU: "
# Beside it, the person's sentence that the GPU is not found here ("no GPU found", "GPU not detected",
# "it runs on the CPU instead"), when the complaint reader kept another sentence or none.
NO_GPU_HERE = "the text says the GPU is not found here: "


def others_get_gpu(facts: Facts) -> Optional[str]:
    """The person's sentence, quoted with its line, or None."""
    return note_after(facts, OTHERS_GET_GPU)


def no_gpu_here(facts: Facts) -> Optional[str]:
    """The person's sentence that the GPU is not found here, quoted with its line, or None."""
    return note_after(facts, NO_GPU_HERE)
