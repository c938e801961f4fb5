"""A person's word that a running container lost the GPU after a while, kept as a note.

"the GPU disappears from my docker container after a few days", "nvidia-smi stops working inside the
container after some time", "containers lose the GPU", 容器运行一段时间后 GPU 就不可用了: a container that
had the GPU loses its access to /dev/nvidia* while it runs, the known loss at a host's systemd reload
(NVIDIA/nvidia-container-toolkit#48). ``explain/parsers/container_lost_prose.py`` writes the note where
NVML's "Unknown Error" is not in the text (with it, ``rules/failures.container_lost_gpus`` reads the
error itself); ``rules/container_lost_said.py`` reads it.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

LOST_SAID = "the text says a running container lost the GPU: "


def lost_said(facts: Facts) -> Optional[str]:
    """The person's sentence, quoted with its line, or None."""
    return note_after(facts, LOST_SAID)
