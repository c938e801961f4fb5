"""What a person says, in their own words, about two dependencies of GPU programs outside CUDA
itself (read by ``explain/parsers/zlib_prose.py`` and ``explain/parsers/nvenc_prose.py``, judged by
``rules/codec_deps.py``):

* cuDNN 8's zlibwapi.dll missing on Windows ("zlibwapi.dll が不足", "提示zlibwapi.dll找不到");
* an NVENC encoder wanting a newer driver than the one installed ("only driver 546.33 and later is
  supported but the latest driver on Linux is 535.x ... nvenc is not available").

The programs' own messages are read from ``messages.toml``; these are kept as notes on the facts
(as ``derived/library_said.py`` keeps its), the person's words quoted; a finding on one is
"likely".
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

ZLIB_SAID_MISSING = "the text says cuDNN's zlib DLL is missing: "
NVENC_SAID_DRIVER_OLD = "the text says the driver is too old for NVENC: "


def zlib_said_missing(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the file named, the person's words with their line), or None."""
    return named_note(facts, ZLIB_SAID_MISSING)


def nvenc_said_driver_old(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the versions compared, or "said", and the person's words with their line), or None."""
    return named_note(facts, NVENC_SAID_DRIVER_OLD)
