"""A person's word that the host's container engine has no NVIDIA runtime, kept beside the run command.

``explain/parsers/container_runtime_prose.py`` writes the claim on ``host.container_gpus``
(``derived/runtime_claims``), where a run command in the text outranks it: the command's flag is the
better reading of *what the start asked for*. But "docker run --gpus all … fails. Turns out I was missing
the nvidia-container-toolkit" says two things that do not conflict: the start asked for the GPU, and the
engine had no runtime to answer it. The parser also records the claim as a note starting with
:data:`RUNTIME_SAID`, which ``rules/hosting.runtime_unknown_said`` reads when the run command took the fact.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

RUNTIME_SAID = "the text says the container engine has no NVIDIA runtime: "


def runtime_said(facts: Facts) -> Optional[str]:
    """The claim's detail (a ``derived/runtime_claims`` detail and where it was said), or None."""
    return note_after(facts, RUNTIME_SAID)
