"""A Linux NVIDIA driver installed inside WSL, as the text shows or says it
(``explain/parsers/wsl_linux_driver.py`` records it as a note; ``rules/wsl_linux_driver.py`` judges it).

Under WSL 2 the driver is Windows': its libcuda, libnvidia-ml and nvidia-smi are mapped into
/usr/lib/wsl/lib. A Linux driver package installed in the distribution (nvidia-driver-535,
libnvidia-compute-510, cuda-drivers, a driver .run) puts a second libcuda.so.1 into
/usr/lib/x86_64-linux-gnu that shadows it and reaches no GPU (NVIDIA's CUDA on WSL User Guide:
no Linux display driver may be installed in WSL).
"""

from __future__ import annotations

from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

SHOWN = "the text shows a Linux NVIDIA driver installed inside WSL: "
SAID = "the text says a Linux NVIDIA driver was installed inside WSL: "


def linux_driver_in_wsl(facts: Facts) -> Optional[Tuple[str, str, str]]:
    """("shown" or "said", the package or file named, the words quoted with their line) for the
    text's first such place, a tool's output before a person's sentence; None where there is none."""
    for how, prefix in (("shown", SHOWN), ("said", SAID)):
        got = named_note(facts, prefix)
        if got is not None:
            return how, got[0], got[1]
    return None
