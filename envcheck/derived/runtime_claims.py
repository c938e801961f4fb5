"""What a person says of the container engine's NVIDIA runtime, as the detail a prose reader
(``explain/parsers/container_runtime_prose.py``) writes on ``host.container_gpus``: the start asked
for ``--runtime=nvidia`` and the engine does not know that runtime, or the NVIDIA Container Toolkit
that provides it is said not to be installed (or its installation told as the fix), or ``docker info``
lists no nvidia runtime where the text asks for it. The rules read :func:`said_unknown`;
findings on it are "likely".
"""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

# Both claims start with RUNTIME_MISSING_DETAIL: the engine has no NVIDIA runtime to start a GPU container with.
RUNTIME_MISSING_DETAIL = f"{STATED_DETAIL}: the container engine has no NVIDIA runtime"
RUNTIME_UNKNOWN_DETAIL = f"{RUNTIME_MISSING_DETAIL}: it does not know the nvidia runtime"
TOOLKIT_ABSENT_DETAIL = f"{RUNTIME_MISSING_DETAIL}: the NVIDIA Container Toolkit is not installed"
TOOLKIT_FIXED_DETAIL = f"{RUNTIME_MISSING_DETAIL}: installing the NVIDIA Container Toolkit fixed the run"
# A tool's listing, not a person's word: it outranks the run command's flag (the same value).
RUNTIME_LISTED_DETAIL = "the container engine has no NVIDIA runtime: docker info lists none where the text asks for it"


def said_unknown(reading: Reading) -> bool:
    return reading.ok and str(reading.detail or "").startswith((RUNTIME_MISSING_DETAIL, RUNTIME_LISTED_DETAIL))
