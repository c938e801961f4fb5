"""What a pasted container start's reading says beyond its GPU flag.

``host.container_gpus`` holds the GPU request of the start a paste shows ("none" when it asks for
none). When the lines after that start show the GPU failing in it (its own output: nvidia-smi
not reaching a driver, torch finding none; see ``explain/start_outcome.py``), the reading's detail
says so with :data:`FAILED_IN_IT`: the failure is tied to that container, not to the host or
another container of the same paste.
"""

from __future__ import annotations

from envcheck.reading import Reading

FAILED_IN_IT = "the GPU failed in this container"


def failed_in_it(reading: Reading) -> bool:
    return reading.ok and FAILED_IN_IT in str(reading.detail or "")
