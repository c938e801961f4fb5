"""The run told, in code or on its command line, to use the CPU.

A program that still asks CUDA for a device after it was told to use the CPU fails on a machine
without an NVIDIA GPU with torch's "Found no NVIDIA driver on your system" or "Torch not compiled
with CUDA enabled": the machine is as its owner means it to be, and the program (or a library it
calls) ignores the setting somewhere (the sweep of session 14: a transcription library moving one
model to "cuda" whatever ``device`` said). The forms read are the ones PyTorch and the programs built
on it take: the ``device="cpu"`` keyword (``torch.device``'s string form, passed on by most
libraries' ``device`` parameters, Hugging Face's ``device_map="cpu"``), ``torch.device("cpu")``, and
the argparse options ``--device cpu`` / ``--device=cpu`` and ``--cpu`` (ComfyUI's
``comfy/cli_args.py`` and many training scripts). Not ``.to("cpu")`` nor ``map_location="cpu"``:
code that runs on a GPU machine moves tensors to the CPU all the time.

A note (derived/cpu_run_asked.py) that rules/platform.py reads; nothing else.
"""

from __future__ import annotations

import re

from envcheck.derived.cpu_run_asked import CPU_RUN_ASKED
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "the run told to use the CPU"

# torch.device's string form as a keyword argument ("device='cpu'", "device_map = \"cpu\""), the
# constructor itself, and argparse's "--device cpu" / "--device=cpu" / "--cpu".
_CPU_SETTING = lazy(r"(?<![\w.])(?:device|device_map)\s*=\s*(?P<q>[\"'])cpu(?P=q)"
                    r"|\btorch\.device\(\s*[\"']cpu[\"']\s*\)"
                    r"|(?<![\w-])--device(?:\s+|=)[\"']?cpu\b(?![\w:])"
                    r"|(?<![\w-])--cpu\b(?![\w-])", re.IGNORECASE)


# Where the form names an option, not a setting of this run (review of round 26): argparse's usage
# line ("usage: main.py [-h] [--cpu]", optional arguments in brackets) and help rows ("  --cpu    To
# use the CPU …", the option then two spaces, argparse/HelpFormatter), a function's default ("def
# load(device='cpu'):"), and advice, a plan or a denial before it on its line ("the README says to run
# … --cpu", "… --device cpu would work", "I didn't use --cpu").
_OPTION_ONLY = lazy(r"^\s*(?:usage:|def\s|async\s+def\s)|^\s*(?:-\w,\s*)?--(?:cpu|device)\b[^\n]*?\s{2,}\S", re.IGNORECASE)
_NOT_RUN = lazy(r"\b(?:says?|said|suggest\w*|recommend\w*|should|would|could|if|unless|instead|without"
                r"|don't|didn't|do\s+not|did\s+not|never|not)\b", re.IGNORECASE)
_NOT_RUN_AFTER = lazy(r"^[^.;!?\n]{0,20}\b(?:would|could|should|might)\b", re.IGNORECASE)


_STOP = lazy(r"[,;!?]|\.(?:\s|$)")


def _clause(line: str, at: int) -> int:
    """Where the clause before ``at`` starts: past its last comma, semicolon or sentence's end (not
    the dot of "main.py")."""
    return max((m.end() for m in _STOP.finditer(line, 0, at)), default=0)


def _set(line: str):
    """The CPU setting the line gives this run, or None."""
    if _OPTION_ONLY.search(line):
        return None
    for m in _CPU_SETTING.finditer(line):
        if m.group(0).startswith("--cpu") and line[max(0, m.start() - 1):m.start()] == "[":
            continue  # "[--cpu]": a usage line's optional argument
        if _NOT_RUN.search(line, _clause(line, m.start()), m.start()) or _NOT_RUN_AFTER.search(line[m.end():]):
            continue
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_set, "cpu")
    if hit is not None:
        i, m = hit
        f.note(f"{CPU_RUN_ASKED}“{m.group(0)}” (line {i + 1})")
    return f
