"""A person saying, in their own words, that a named CUDA library file is missing ("Calling cuDNN
failed, cannot find 「cudnn64_5.dll」", "cublas64_11.dll not found", "找不到 cudnn64_8.dll"), read
by ``explain/parsers/library_missing_prose.py`` and judged by ``rules/library_dialogs.py``.

The loaders' own messages (glibc, Windows, cuDNN, .NET) are read from ``messages.toml``; this is
what is left when the person retells the failure instead of pasting it. It is kept as a note on
the facts (as ``facts.SAID_FAILING`` is), not as a reading: it is the person's account, quoted,
and a finding on it is "likely".
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

LIBRARY_SAID_MISSING = "the text says a CUDA library file is missing: "


def library_said_missing(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the file named, the person's words quoted with their line), or None."""
    return named_note(facts, LIBRARY_SAID_MISSING)


SYSTEM_CUDNN_SAID = "the text says the framework loads a cuDNN other than its own: "


def system_cudnn_said(facts: Facts) -> Optional[Tuple[str, str]]:
    """("cuDNN", the person's words quoted with their line) when a person said the framework links or
    loads the system's (pre-installed, conda's, /usr/local/cuda's) cuDNN instead of its own
    (``explain/parsers/library_prose_cudnn.py``), or None."""
    return named_note(facts, SYSTEM_CUDNN_SAID)
