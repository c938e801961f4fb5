"""What a text shows about NVIDIA's open kernel modules and nvidia_uvm's HMM (read by
``explain/parsers/uvm_hmm_prose.py``, judged by ``rules/uvm_hmm.py``):

* that the open kernel modules are the ones in use: their kernel-log banner ("NVIDIA UNIX Open
  Kernel Module for x86_64  570.86.16"), an -open package (nvidia-open, nvidia-driver-570-open,
  kmod-nvidia-open-dkms, the dnf stream nvidia-driver:570-open), the runfile's
  --kernel-module-type=open / -m=kernel-open, NixOS's hardware.nvidia.open = true, modinfo's
  "license: Dual MIT/GPL" for nvidia.ko, NVIDIA's open-module issue template, or a person saying so;
* that a person says CUDA's start (cuInit, cudaGetDeviceCount) returned error 3 in their own words
  ("cuInit() fails with error 3", "cudaGetDeviceCount err=3"), where no program's line is quoted;
* that a person says turning HMM off in nvidia_uvm (uvm_disable_hmm=1) fixed CUDA.

Kept as notes on the facts, the evidence quoted with its line; a finding on the open modules
alone is "likely", on the fix said "confirmed" (the person tried it).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.notes import named_note
from envcheck.facts import Facts

OPEN_MODULES = "the text shows NVIDIA's open kernel modules: "
HMM_FIX_SAID = "the text says turning HMM off in nvidia_uvm fixed CUDA: "
INIT_3_SAID = "the text says CUDA's start returned error 3: "
PROPRIETARY_TOO = "the text says the failure happens with the proprietary driver too: "
# The branch the evidence names, kept in its note's name ("open kernel module banner, branch 570").
_BRANCH = re.compile(r"branch (\d{3})$")


def open_modules(facts: Facts) -> Optional[Tuple[str, Optional[int], str]]:
    """(what showed them, the driver branch it named or None, the words with their line), or None."""
    named = named_note(facts, OPEN_MODULES)
    if named is None:
        return None
    what, words = named
    m = _BRANCH.search(what)
    return what, (int(m.group(1)) if m else None), words


def init_3_said(facts: Facts) -> Optional[Tuple[str, str]]:
    """(the call named, the person's words with their line), or None."""
    return named_note(facts, INIT_3_SAID)


def hmm_fix_said(facts: Facts) -> Optional[Tuple[str, str]]:
    """(what was said to fix it, the person's words with their line), or None."""
    return named_note(facts, HMM_FIX_SAID)


def proprietary_too(facts: Facts) -> bool:
    """Does the text say the failure happens with the proprietary modules as well (the open-module
    tracker's older template answered "Yes")?"""
    return any(n.startswith(PROPRIETARY_TOO) for n in facts.notes)
