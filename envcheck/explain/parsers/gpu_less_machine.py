"""A machine without a GPU, in forms ``prose_state`` and ``gpu_absent_prose`` do not read.

* A person's words calling the machine GPU-less: "on my non gpu laptop", "this GPU-less
  server", "I'm on a no-GPU machine"; or saying it has none without the article or apostrophe
  ``prose_state`` expects: "My computer doesn't have GPU", "I dont have a gpu enabled system"
  (the GPU as the machine's attribute: GPU-enabled, -equipped, -capable, -powered). CUDA needs
  an NVIDIA GPU, so on that machine the CUDA call fails for want of one: ``pci.devices`` empty
  at a person's rank (the ``no_nvidia_gpu_found`` finding built on it is likely).
* A shell prompt whose host name is the one Ubuntu's desktop installer gives a VirtualBox
  guest: "tarun@tarun-VirtualBox:~/Downloads/MDVC$". Ubiquity proposes "<user>-<model>" as
  the host name, the model read from DMI (ubiquity/misc.py ``dmimodel()``: "VirtualBox sets an
  appropriate system-product-name"; its DMI product name is "VirtualBox"). The commands shown
  ran in a VirtualBox guest, which gets an emulated display adapter, not the host's GPU:
  ``host.in_vm`` = virtualbox, read by ``rules/no_gpu_mac.desktop_vm_no_gpu`` (silent where
  the text shows a GPU working there). Not where the text speaks of passing a GPU through.

Nothing is claimed for a question or a condition ("if your laptop doesn't have GPU"),
another machine or the past ("my old non-GPU laptop", "the CI's GPU-less runner"), a
denial ("not a non-GPU machine"), what a tool reported rather than the machine ("doesn't
have GPU support", "… GPU memory"), a container or an environment (a machine noun or a
person is the subject), or a text saying it works now.
"""

from __future__ import annotations

import re
from typing import Optional

from ...derived.messages import NO_NVIDIA_DETAIL, STATED_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..sentences import asked, clause_start, working_after
from ..source import Pasted

SOURCE = "gpu-less machine statements"

_I = re.IGNORECASE
_MACHINE = r"(?:laptop|notebook|machine|computer|pc|server|desktop|vm|instance|node|box|workstation|system)"
# "non gpu laptop", "non-GPU machine", "no-GPU server", "GPU-less box", "gpuless instance"
_NON_GPU = lazy(rf"\b(?:non|no)[- ]?gpu\s+{_MACHINE}s?\b|\bgpu[- ]?less\s+{_MACHINE}s?\b", _I)
# Who owns the machine, before it in its clause: the person or "this" one.
_OWNER = lazy(r"\b(?:my|our|this|i'?m|i\s+am|we'?re|we\s+are|i|we)\b", _I)
# "My computer doesn't have GPU", "I dont have a gpu enabled system": a person or a machine as
# the subject (not "it", "the container", "the image": a container without a GPU is another fault).
_HAS_NONE = lazy(
    rf"\b(?:i|we|(?:my|our|this)\s+(?:own\s+)?{_MACHINE})\s+(?:don'?t|doesn'?t|do\s+not|does\s+not)\s+have\s+"
    r"(?:an?\s+|any\s+)?(?:dedicated\s+|discrete\s+|nvidia\s+)?(?:gpus?|graphics\s+cards?|video\s+cards?)"
    rf"(?:[- ](?:enabled|equipped|capable|powered)\s+{_MACHINE})?\b"
    # the GPU the end of the claim: punctuation, the line's end, or a word that starts another clause or
    # places the machine ("… GPU, so", "… GPU at all", "… GPU here"). Any other word makes "GPU" a
    # modifier of what is missing ("doesn't have GPU monitoring installed", "… GPU support", "… GPU
    # drivers"): a tool or a package, not the card (review of round 23).
    r"(?=\s*(?:$|[.,;:!?)(\u2014\u2013\"'`]|-\s)|\s+(?:so|and|but|or|at\s+all|here|either|because|since|though|although"
    r"|which|that|to|for|on\s+(?:it|board)|in\s+it|installed|inside|anymore|yet|now|myself|\d)\b)", _I)
_CONDITION = lazy(r"\b(?:if|unless|whether|when|in\s+case)\b[^.;!?\n]{0,60}$", _I)
_ELSEWHERE = lazy(r"\b(?:ci|runners?|github\s+actions|other|another|old|older|previous|second|friend'?s|colleague'?s"
                  r"|used\s+to|last\s+(?:year|month|week))\b", _I)
_DENIED = lazy(r"\b(?:not|never|isn'?t|wasn'?t|no\s+longer)\s+(?:\w+\s+){0,2}$", _I)
# The machine the person writes from, not the one the report is about: "I'm typing this on my non-GPU laptop;
# the training server is what fails" (review of round 23).
_WRITING_ON = lazy(r"\b(?:typing|writing|posting|replying|sending)\s+(?:this\s+|it\s+)?(?:from|on)\b", _I)
# Words each pattern needs (lower case; Pasted.lines_containing): a training log's thousands of
# lines naming "gpu" are not searched.
_NON_GPU_NEEDLES = ("non gpu", "non-gpu", "nongpu", "no gpu", "no-gpu", "nogpu", "gpuless", "gpu-less", "gpu less")
_GPU_WORDS = ("gpu", "graphics card", "video card")

# user@<user>-VirtualBox:<path>$ — a login name, then the installer's host name (DMI's "VirtualBox"
# as it is written, case and all), then the path the prompt shows.
_VBOX_PROMPT = lazy(r"(?:^|[\s(\[>])[a-z_][\w.-]{0,31}@[\w.-]{0,60}-VirtualBox:(?:~|/)")
_PASSED = ("passthrough", "pass-through", "pass through", "vfio")


def _said(line: str, i: int, lines, m: "re.Match[str]", owner: bool) -> bool:
    start = clause_start(line, m.start())
    before = line[start:m.start()]
    if owner and not _OWNER.search(before):
        return False
    return not (asked(line, m.end()) or _CONDITION.search(line[max(0, m.start() - 70):m.start()])
                or _DENIED.search(before) or _ELSEWHERE.search(line[start:m.end() + 30]) or _WRITING_ON.search(before)
                or working_after(lines, i, m.start()))


def _no_gpu(doc: Pasted, f: Found) -> None:
    lines = doc.lines
    non_gpu = set(doc.lines_containing(*_NON_GPU_NEEDLES))
    for i in sorted(non_gpu.union(doc.lines_containing("have"))):
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue  # another program's output, not a sentence
        if i in non_gpu:
            pattern, owner = _NON_GPU, True
        elif any(w in line.lower() for w in _GPU_WORDS):
            pattern, owner = _HAS_NONE, False
        else:
            continue
        m = pattern.search(line)
        if m is None and i in non_gpu and "have" in line.lower():
            pattern, owner = _HAS_NONE, False
            m = pattern.search(line)
        if m is not None and _said(line, i, lines, m, owner):
            f.set("pci.devices", (), i, detail=f"{NO_NVIDIA_DETAIL} ({m.group(0).strip()})")
            return


def _vbox_guest(doc: Pasted, f: Found) -> None:
    hits = doc.lines_containing("-virtualbox:")
    if not hits or doc.lines_containing(*_PASSED):
        return
    for i in hits:
        m: Optional["re.Match[str]"] = _VBOX_PROMPT.search(doc.lines[i])
        if m is not None:
            f.set("host.in_vm", "virtualbox", i,
                  detail=f"{STATED_DETAIL}: the shell prompt's host name is a VirtualBox guest's "
                         f"({m.group(0).strip()[:60]}, line {i + 1})")
            return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _no_gpu(doc, f)
    _vbox_guest(doc, f)
    return f
