"""CUDA lost after a suspend and resume, told as the program leaving the GPU for the CPU: "after the
system enters sleep mode and resumes, Ollama stops using the GPU and switches to the CPU", "after
waking from suspend, it no longer utilizes the GPU", "after hibernation the model falls back to CPU".

``resume_failure_prose`` reads the resume and a failure word ("stops working", "not detected",
"only uses the CPU") in one sentence; this reads the other way people tell the same thing: the
GPU abandoned, the CPU taken instead. Both give CUDA unavailable at a person's rank with the
resume named (``derived/driver_claims.RESUME_FAILURE_DETAIL``), which
``rules/kernel_signals.cuda_failed_after_resume`` reads as nvidia_uvm left broken by the resume
(https://github.com/pop-os/default-settings/pull/64; Ollama's docs/gpu.md "Laptop Suspend Resume").

A compute word is required (the same list as ``resume_failure_prose``); questions, conditions,
denials ("it does not switch to the CPU after resume") claim nothing, nor does a switch told as
over ("used to", "anymore", "now it's fine") unless the cure named is the uvm module's reload or
a reboot, which confirms the cause.
"""

from __future__ import annotations

import re

from ...derived.driver_claims import RESUME_FAILURE_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..sentences import working_after
from ..source import Pasted
from .resume_failure_prose import COMPUTE, NOT_SAID, RESUME, SENTENCE

SOURCE = "resume statements (GPU left for the CPU)"
_I = re.IGNORECASE

# The GPU given up or the CPU taken instead, in the same sentence as the resume.
_SWITCHED = lazy(r"\b(?:stops?|stopped|quits?)\s+(?:using|utili[sz]ing)\s+(?:the\s+|my\s+)?(?:gpu|cuda|graphics\s+card)\b"
                 r"|\bno\s+longer\s+(?:uses?|utili[sz]es?|runs?\s+on|loads?\s+(?:in)?to)\s+(?:the\s+|my\s+)?(?:gpu|cuda|vram)\b"
                 r"|\b(?:switch(?:es|ed)?|moves?|moved|drops?|dropped|reverts?|reverted)\s+(?:back\s+)?to\s+(?:the\s+)?cpu\b"
                 r"|\binstead\s+(?:uses?|runs?\s+on)\s+(?:the\s+)?cpu\b", _I)
# "it does not switch to the CPU", "never stops using the GPU": the failure denied.
_DENIED = lazy(r"\b(?:not|never|n't)\s+(?:\w+\s+)?$", _I)
# The failure told as the past: "Ollama used to switch to the CPU after resume", "it doesn't
# switch to the CPU after resume anymore", "before the 0.5 release it moved to the CPU".
_USED_TO = lazy(r"\bused\s+to\b|\bany\s?more\b", _I)
_OVER = lazy(r"\bbefore\s+(?:the\s+)?(?:v?\d[\w.]*\s+)?(?:release|update|upgrade|version|fix)\b", _I)
# A cure that names the cause (the uvm module reloaded, a reboot): "fixed by reloading nvidia_uvm"
# confirms the finding rather than ending it (the way "after blacklisting nouveau it works" does).
_UVM_CURE = lazy(r"\bnvidia[_-]uvm\b|\bmodprobe\b|\breboot\w*|\brestart(?:ing|ed)?\s+(?:the\s+)?(?:pc|computer|machine|system|laptop)\b", _I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("suspend", "resum", "hibernat", "standby", "wak", "woke", "sleep"):
        for s in SENTENCE.findall(lines[i]):
            m = _SWITCHED.search(s)
            if not (m and RESUME.search(s) and COMPUTE.search(s)) or NOT_SAID.search(s) \
                    or _DENIED.search(s[max(0, m.start() - 25):m.start()]) \
                    or _USED_TO.search(s, max(0, m.start() - 30)) or _OVER.search(s):
                continue
            if working_after(lines, i, lines[i].find(s)) and not _UVM_CURE.search(
                    "\n".join(lines[i:i + 3])):
                continue  # "… switched to CPU, now it's fine since the update": the failure over
            said = " ".join(s.split())[:120]
            f.set("torch.cuda_available", False, i, detail=f"{RESUME_FAILURE_DETAIL} ({said})")
            f.set("host.resumed_from_suspend", True, i)
            return f
    return f
