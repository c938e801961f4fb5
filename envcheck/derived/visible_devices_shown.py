"""The notes explain/parsers/visible_devices_shown.py leaves for rules/cuda_env.py: the failing run's
CUDA_VISIBLE_DEVICES shown empty (a person's sentence, a program's print, a snippet's result), and a
Ray task or actor declared without GPUs beside CUDA finding no device (Ray gives such a worker
CUDA_VISIBLE_DEVICES=""). Each note is its phrase, then the words quoted with their line."""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

SHOWN_EMPTY = "the text shows the failing run's CUDA_VISIBLE_DEVICES empty: "
RAY_WITHOUT_GPUS = "a Ray task or actor is declared without GPUs, beside CUDA finding no device: "


def shown_empty(facts: Facts) -> Optional[str]:
    """The quoted words that show the run's CUDA_VISIBLE_DEVICES empty, or None."""
    return note_after(facts, SHOWN_EMPTY)


def ray_without_gpus(facts: Facts) -> Optional[str]:
    """The quoted declaration of a Ray task or actor given no GPUs, or None."""
    return note_after(facts, RAY_WITHOUT_GPUS)
