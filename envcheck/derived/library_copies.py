"""One program's library listing that needs two major versions of one CUDA library (``ldd`` of a
binary: "libcudnn.so.5 => /usr/local/cuda/lib64/libcudnn.so.5 (0x…)" beside "libcudnn.so.6 =>
not found"), read by ``explain/parsers/library_copies.py`` and judged by ``rules/linking.py``.

Parts of one program were built against two installs of the library (a cuDNN copied into the
toolkit's directory and another from the distribution's packages): the process maps both, or one
and fails on the other, and the two copies' symbols clash. Kept as a note on the facts (as
``derived/library_said.py``'s is): the listing and its line, quoted; a finding on it is "likely".
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

LISTING_NEEDS_TWO_MAJORS = "one program's library listing needs two majors of a CUDA library: "


def listing_needs_two_majors(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the sonames, e.g. "libcudnn.so.5, libcudnn.so.6", the rows quoted with their lines), or None."""
    return named_note(facts, LISTING_NEEDS_TWO_MAJORS)


COPIES_SAID_TO_CLASH = "the text says two copies of a CUDA library clash: "


def copies_said_to_clash(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the library named, the person's words quoted with their line) when a person said two copies or
    versions of one CUDA library are loaded together or conflict ("two copies of libcudnn are loaded",
    "装了两个版本的cudnn，互相冲突"; ``explain/parsers/library_prose.py``), or None."""
    return named_note(facts, COPIES_SAID_TO_CLASH)
