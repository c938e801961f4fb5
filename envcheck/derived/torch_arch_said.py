"""A person saying, in their own words, that the installed PyTorch has no build for their GPU ("the
version of torch installed does not work with the RTX 50XX", "not compatible with the RTX 5000
series due to needing a CUDA 12.8 version of Pytorch", "there is still no stable version of torch
for the RTX 50XX series"), or that the PyTorch in use was built from source ("the source build
one report … no kernel image"), read by ``explain/parsers/torch_arch_prose.py``.

``rules/torch_arch_said.py`` judges the first (which way, too new or too old, from the GPU against
the wheels in the tables); ``rules/compat.py`` reads the second beside "no kernel image": a
source build has kernels only for the architectures it was compiled for, so its age against the
released wheels says nothing. Both are kept as notes on the facts (as ``facts.SAID_FAILING`` is),
not as readings: they are the person's account, quoted, and a finding on them is "likely".
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

ARCH_SAID = "the text says this PyTorch has no build for the GPU: "
SOURCE_BUILD_SAID = "the text says this PyTorch was built from source: "
# explain/parsers/torch_old_gpu_said.py: the person calls their GPU old ("this is an older GPU").
OLD_GPU_SAID = "the text says the GPU is old: "
# explain/parsers/torch_jetson_platform.py: the machine is a Jetson (JetPack, L4T, a -tegra kernel).
JETSON_SAID = "the text says the machine is a Jetson: "
# explain/parsers/torch_jetson_platform.py: NVIDIA's own Jetson build of torch named (a "+nv23.05" wheel, l4t-pytorch).
JETSON_BUILD_SAID = "the text names NVIDIA's Jetson build of torch: "


def arch_said(facts: Facts) -> Optional[str]:
    """The person's sentence that their PyTorch lacks their GPU, quoted with its line, or None."""
    return note_after(facts, ARCH_SAID)


def source_build_said(facts: Facts) -> Optional[str]:
    """The person's sentence that their PyTorch was built from source, quoted with its line, or None."""
    return note_after(facts, SOURCE_BUILD_SAID)


def old_gpu_said(facts: Facts) -> Optional[str]:
    """The person's words that their GPU is old, quoted with its line, or None."""
    return note_after(facts, OLD_GPU_SAID)


def jetson_said(facts: Facts) -> Optional[str]:
    """The line that says the machine is a Jetson, quoted, or None."""
    return note_after(facts, JETSON_SAID)


def jetson_build_said(facts: Facts) -> Optional[str]:
    """The line that names NVIDIA's Jetson build of torch (wheel, container, index), quoted, or None."""
    return note_after(facts, JETSON_BUILD_SAID)


# The line a fact read from an install command came from: explain/parsers/install_commands.py writes
# "from the install command on line N" (torch.version) and "install command asks for the cuXYZ wheel
# (line N)" (torch.cuda_build).
_COMMAND_LINE = re.compile(r"install command[^()\n]{0,80}?(?:on line |\(line )(\d+)")
# The line of a quoted sentence: "“…” (line N)" (notes of explain/parsers/torch_arch_prose.py).
_QUOTED_LINE = re.compile(r"\(line (\d+)\)\s*$")


def build_only_from_later_command(facts: Facts, said: str) -> bool:
    """Is every word of torch's build in the text an install command typed after the person's
    sentence ``said`` ("the PyTorch 2.7.1 binary … does not contain sm_61", then "I ran pip install
    torch==2.7.1 … cu118 … this solves it", deepbeepmeep/Wan2GP#1933)? That command is what they
    tried next, not the build the sentence is about. False where a listing, a version print or an
    arch list shows the build, or where the command came first."""
    quoted = _QUOTED_LINE.search(said)
    t = facts.torch
    if quoted is None or facts.python.package("torch") is not None or (t.arch_list is not None and t.arch_list.ok):
        return False
    lines = []
    for r in (t.version, t.cuda_build):
        if r is None or not r.ok:
            continue
        m = _COMMAND_LINE.search(r.detail or "")
        if m is None:
            return False
        lines.append(int(m.group(1)))
    return bool(lines) and min(lines) > int(quoted.group(1))
