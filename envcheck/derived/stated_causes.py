"""Causes a person names in their own words, for the library classes: the detail a prose
reader (``explain/parsers/library_prose.py``) writes on the fact it claims, so the rules know
the claim is "this was the cause", not only "this is set". Findings on them are "likely".
"""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

# "/usr/local/cuda-11.2/lib64 was causing the conflict; removing it from LD_LIBRARY_PATH fixed it"
LD_BLAMED_DETAIL = f"{STATED_DETAIL}: LD_LIBRARY_PATH named as the cause"
# "the incompatible cuda and nccl version", "NCCL 版本不匹配"
NCCL_BLAMED_DETAIL = f"{STATED_DETAIL}: an NCCL version mismatch named as the cause"


def blamed(reading: Reading, detail: str) -> bool:
    return str(reading.detail or "").startswith(detail)
