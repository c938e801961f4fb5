"""What a person says of the container engine's NVIDIA runtime, as the detail a prose reader
(``explain/parsers/container_runtime_prose.py``) writes on ``host.container_gpus``: the start asked
for ``--runtime=nvidia`` and the engine does not know that runtime. The rules read :func:`said_unknown`;
findings on it are "likely".
"""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

RUNTIME_UNKNOWN_DETAIL = f"{STATED_DETAIL}: the container engine does not know the nvidia runtime"


def said_unknown(reading: Reading) -> bool:
    return reading.ok and str(reading.detail or "").startswith(RUNTIME_UNKNOWN_DETAIL)
